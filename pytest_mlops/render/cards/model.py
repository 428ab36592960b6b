"""Cards of the model checks: metric, champion, non-inferiority, dummy model, slices, calibration, fairness..."""

from __future__ import annotations

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.render._parts import (
    ROW_CAP,
    _badge,
    _e,
    _example,
    _fmt,
    _interval,
    _kv,
    _more,
    _slice_status,
    _table,
)
from pytest_mlops.render.cards._canvas import Canvas, _bounds_text, _Card, _delta, _model_row
from pytest_mlops.results import GateResult, fmt


def _metric_card(page: Canvas, gate: GateResult, d: dc.MetricDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Better", _e(d.direction)),
        ("Observed", f"<b>{_fmt(d.value)}</b>"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    interval = _interval(d.interval.low, d.interval.high, d.interval.level) if d.interval else None
    if d.interval is not None:
        level = f"{d.interval.level * 100:.0f}% " if d.interval.level else ""
        facts.append((f"{level}interval", _e(f"[{fmt(d.interval.low)}, {fmt(d.interval.high)}]")))
    if d.n is not None:
        facts.append(("Rows", _fmt(d.n)))
    chart = page.number_line(
        gate, f"{d.metric}: observed vs bound", d.value, at_least=d.at_least, at_most=d.at_most, interval=interval
    )
    return [], _model_row(facts, chart)


def _champion_card(page: Canvas, gate: GateResult, d: dc.ChampionDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Better", _e(d.direction)),
        ("Challenger", f"<b>{_fmt(d.challenger)}</b>"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    if d.champion is None:
        facts.append(("Champion", "<span class='muted'>none yet (cold start)</span>"))
        chart = page.number_line(
            gate, f"{d.metric}: challenger (no champion yet)", d.challenger, point_label="challenger"
        )
        return [], _model_row(facts, chart)
    facts += [("Champion", _fmt(d.champion)), ("Δ vs champion", _delta(d.challenger, d.champion, d.direction))]
    limit = d.limit()
    lower_better = d.direction == "lower"
    chart = page.number_line(
        gate,
        f"{d.metric}: challenger vs champion",
        d.challenger,
        at_least=None if lower_better else limit,
        at_most=limit if lower_better else None,
        reference=d.champion,
        point_label="challenger",
    )
    return [], _model_row(facts, chart)


def _non_inferiority_card(page: Canvas, gate: GateResult, d: dc.NonInferiorityDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Better", _e(d.direction)),
        ("Challenger", f"<b>{_fmt(d.challenger)}</b>"),
        ("Margin", _fmt(d.margin)),
    ]
    if d.champion is None or d.difference is None:
        facts.append(("Champion", "<span class='muted'>none yet (cold start)</span>"))
        return [], _kv(facts)
    facts += [("Champion", _fmt(d.champion)), ("Challenger − champion", _fmt(d.difference))]
    interval = _interval(d.interval.low, d.interval.high, d.interval.level) if d.interval else None
    if d.interval is not None:
        level = f"{d.interval.level * 100:.0f}% " if d.interval.level else ""
        facts.append((f"{level}interval of the difference", _e(f"[{fmt(d.interval.low)}, {fmt(d.interval.high)}]")))
    facts.append(("Δ vs champion", _delta(d.challenger, d.champion, d.direction)))
    lower_better = d.direction == "lower"
    chart = page.number_line(
        gate,
        f"{d.metric}: challenger − champion",
        d.difference,
        at_least=None if lower_better else -d.margin,
        at_most=d.margin if lower_better else None,
        interval=interval,
        reference=0.0,
        reference_label="champion (0)",
        point_label="difference",
    )
    return [], _model_row(facts, chart)


def _dummy_model_card(page: Canvas, gate: GateResult, d: dc.DummyModelDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Model", f"<b>{_fmt(d.model)}</b>"),
        ("Dummy model", f"{_fmt(d.baseline)} ({_e(d.baseline_kind)})"),
        ("Gain", _fmt(d.gain)),
        ("Bound", _e(_bounds_text(gate) or "gain > 0")),
    ]
    sign = -1.0 if d.direction == "lower" else 1.0
    limits = [d.baseline + sign * (d.min_gain or 0.0)]
    if d.min_relative_gain is not None:
        limits.append(d.baseline + sign * d.min_relative_gain * abs(d.baseline))
    limit = max(limits) if sign > 0 else min(limits)
    chart = page.number_line(
        gate,
        f"{d.metric}: model vs dummy model '{d.baseline_kind}'",
        d.model,
        at_least=limit if sign > 0 else None,
        at_most=limit if sign < 0 else None,
        reference=d.baseline,
        reference_label=f"dummy {fmt(d.baseline)}",
        point_label="model",
    )
    return [], _model_row(facts, chart)


def _slices_card(page: Canvas, gate: GateResult, d: dc.SlicesDetails) -> _Card:
    order = {False: 0, True: 1, None: 2}  # failed, passed, not evaluated
    ranked = sorted(d.slices, key=lambda s: order[s.passed])
    shown = ranked[:ROW_CAP]
    rows = [
        [
            f"<b>{_e(s.slice)}</b>",
            _fmt(s.n),
            _fmt(s.value),
            _badge(_slice_status(s.passed, gate.severity)),
            _fmt(s.note or None),
        ]
        for s in shown
    ]
    chart = page.bars(
        gate,
        f"{d.metric} by slice",
        [(s.slice, s.value, s.passed is not False) for s in ranked],
        at_least=d.at_least,
        at_most=d.at_most,
    )
    failed = sum(1 for s in d.slices if s.passed is False)
    facts = [f"{failed} of {len(d.slices)} slices failed"]
    if d.gap is not None:
        facts.append(f"gap {_e(fmt(d.gap))}" + (f" (max {_e(fmt(d.max_gap))})" if d.max_gap is not None else ""))
    body = (
        f"<div class='slice-row'>{chart}"
        + _table(["Slice", "n", "Value", "Result", "Note"], rows)
        + "</div>"
        + _more(len(d.slices), len(shown), "slices")
    )
    return facts, body


def _calibration_card(page: Canvas, gate: GateResult, d: dc.CalibrationDetails) -> _Card:
    bins = [(b.low, b.high, b.n, b.mean_predicted, b.fraction_positive) for b in d.bins]
    title = f"Reliability diagram ({d.n_bins} {d.binning} bins)"
    chart = page.chart(
        lambda: _svg.reliability_diagram(bins, title=title),
        f"{gate.name}: reliability diagram, observed share of positives against mean predicted probability",
    )
    kv = [
        ("ECE", _e(fmt(d.ece)) + (f" (max {_e(fmt(d.max_ece))})" if d.max_ece is not None else "")),
        ("Brier skill", _e(fmt(d.brier_skill))
         + (f" (min {_e(fmt(d.min_brier_skill))})" if d.min_brier_skill is not None else "")),
        ("Brier score", f"{_e(fmt(d.brier))} vs base rate model {_e(fmt(d.brier_reference))}"),
        ("Base rate", _e(fmt(d.base_rate))),
        ("Binning", f"{d.n_bins} {_e(d.binning)} bins on [0, 1]"),
        ("Rows", _fmt(d.n)),
    ]  # fmt: skip
    facts = [f"ECE {_e(fmt(d.ece))}", f"Brier skill {_e(fmt(d.brier_skill))}"]
    return facts, _model_row(kv, chart)


def _fairness_card(page: Canvas, gate: GateResult, d: dc.FairnessDetails) -> _Card:
    judged = [g for g in d.groups if g.judged]
    small = [g for g in d.groups if not g.judged]
    chart = page.bars(
        gate,
        f"{d.metric} by {d.feature}",
        [(g.group, g.value, True) for g in judged] + [(f"{g.group} (n<{d.min_group_size})", g.value, True)
                                                       for g in small],
        color=_svg.COLORS["champion"],
    )  # fmt: skip
    rows = [
        [
            f"<b>{_e(g.group)}</b>",
            _fmt(g.n),
            _fmt(g.value),
            _fmt(g.selection_rate),
            "yes" if g.judged else f"<span class='muted'>no: n &lt; {_fmt(d.min_group_size)}</span>",
        ]
        for g in d.groups[:ROW_CAP]
    ]
    measured = [
        ("difference", d.difference, "max_difference"),
        ("ratio", d.ratio, "min_ratio"),
        ("demographic parity difference", d.demographic_parity_difference, "max_demographic_parity_difference"),
        ("equalized odds difference", d.equalized_odds_difference, "max_equalized_odds_difference"),
    ]
    facts = []
    for label, value, key in measured:
        if key in d.bounds:
            bound = d.bounds[key]
            facts.append(f"{_e(label)} {_fmt(value)} ({'min' if key == 'min_ratio' else 'max'} {_e(fmt(bound))})")
    if small:
        facts.append(f"{len(small)} group{'s' if len(small) != 1 else ''} not judged")
    body = (
        f"<div class='slice-row'>{chart}"
        + _table(["Group", "n", _e(d.metric), "Selection rate", "Judged"], rows)
        + "</div>"
        + _more(len(d.groups), len(rows), "groups")
    )
    return facts, body


def _weak_segments_card(page: Canvas, gate: GateResult, d: dc.WeakSegmentsDetails) -> _Card:
    shown = d.segments[:ROW_CAP]
    rows = [
        [
            f"<b>{_e(s.segment)}</b>",
            _fmt(s.n),
            _fmt(s.value),
            _e(f"[{fmt(s.interval.low)}, {fmt(s.interval.high)}]"),
            _fmt(s.gap),
            _fmt(s.gap_interval.low),
            _badge(_slice_status(False, gate.severity) if s.weak else "passed", "weak" if s.weak else "ok"),
        ]
        for s in shown
    ]
    chart = page.bars(
        gate,
        f"{d.metric} of the worst segments (overall {fmt(d.overall)})",
        [(s.segment, s.value, not s.weak) for s in d.segments],
    )
    how = "Bonferroni" if d.correction == "bonferroni" else "Benjamini-Hochberg"
    facts = [
        f"{d.weak_count} weak of {d.tested} segments tested",
        f"{_e(d.metric)} overall {_e(fmt(d.overall))}",
        f"max gap {_e(fmt(d.max_gap))}, min size {d.min_size}",
        f"{_e(fmt(d.confidence * 100))}% confidence, {how}",
    ]
    body = (
        f"<div class='slice-row'>{chart}"
        + _table(["Segment", "n", d.metric, "Interval", "Gap", "Gap lower bound", "Result"], rows)
        + "</div>"
        + _more(len(d.segments), len(shown), "segments")
    )
    return facts, body


def _robustness_card(page: Canvas, gate: GateResult, d: dc.RobustnessDetails) -> _Card:
    chart = page.number_line(gate, "share of rows flipped", d.flip_rate, at_most=d.max_flip_rate)
    verb = "flipped" if d.test == "invariance" else "moved the wrong way"
    kv = [
        ("Test", _e(d.test) + (f" ({_e(d.monotone)})" if d.monotone else "")),
        ("Perturbation", f"<code>{_e(d.perturbation)}</code>"),
        ("Compared", f"{_e(d.output)}, tolerance {_e(fmt(d.tolerance))}"),
        ("Rows", f"{_fmt(d.flipped)} of {_fmt(d.n)} {verb}"),
    ]
    rows = [
        [
            _e(_example(e.row)),
            f"{_e(_example(e.value_before))} → {_e(_example(e.value_after))}" if e.value_before is not None else "–",
            f"{_fmt(e.prediction_before)} → {_fmt(e.prediction_after)}",
        ]
        for e in d.examples
    ]
    examples = "<h4>Example rows</h4>" + _table(["Row", _e(d.column or "input"), _e(d.output)], rows) if rows else ""
    facts = [f"{_fmt(d.flipped)} of {_fmt(d.n)} rows {verb}"]
    return facts, _model_row(kv, chart) + examples


def _latency_card(page: Canvas, gate: GateResult, d: dc.LatencyDetails) -> _Card:
    facts = [f"{d.batches} calls of {d.batch_size} row{'s' if d.batch_size != 1 else ''} to {_e(d.method)}()"]
    kv = [
        ("p50", f"{_fmt(d.p50_ms)} ms"),
        ("p95", f"{_fmt(d.p95_ms)} ms"),
        ("Max", f"{_fmt(d.max_ms)} ms"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    charts = [
        page.number_line(gate, f"{label} latency, ms per row", value, at_most=bound, point_label=label)
        for label, value, bound in (("p95", d.p95_ms, d.p95_ms_at_most), ("p50", d.p50_ms, d.p50_ms_at_most))
        if bound is not None
    ]
    return facts, _model_row(kv, "".join(charts))


def _model_size_card(page: Canvas, gate: GateResult, d: dc.ModelSizeDetails) -> _Card:
    kv = [
        ("Size", f"<b>{_fmt(d.mb)} MB</b>"),
        ("Bytes", _fmt(d.bytes)),
        ("Measured as", _e(d.method)),
        ("Bound", f"at most {_fmt(d.mb_at_most)} MB"),
    ]
    chart = page.number_line(gate, "model size, MB", d.mb, at_most=d.mb_at_most, point_label="size")
    return [], _model_row(kv, chart)
