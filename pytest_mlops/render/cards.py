"""The card of each check: what the HTML page draws for one gate.

A card reads the gate through the details contract of its check (:mod:`pytest_mlops.details`)
and is chosen from :data:`CARDS` by ``GateResult.check``, never by which keys the details
hold. Each returns the facts shown under the card's title and the card's body; the page
(:mod:`pytest_mlops.render.html`) wraps them in an ``<article id='gate-N'>``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.render._parts import (
    _FAILED_AS,
    BAR_CAP,
    CATEGORY_CAP,
    CHART_CAP,
    DRIFT_CHARTS_PER_GATE,
    DRIFT_TOP_EXTRA,
    EXAMPLE_CAP,
    NOTE_CAP,
    ROW_CAP,
    _badge,
    _closeness,
    _compact,
    _e,
    _example,
    _fmt,
    _img,
    _int_text,
    _interval,
    _kv,
    _more,
    _p_text,
    _slice_status,
    _table,
    numeric_bins,
)
from pytest_mlops.results import GateResult, fmt

__all__ = ["CARDS", "Canvas", "draw_card"]

#: (facts shown under the card's title, already escaped; the card's body)
_Card = tuple[list[str], str]


class Canvas:
    """What cards draw with: charts counted against :data:`CHART_CAP` for the whole page."""

    def __init__(self) -> None:
        self.charts = 0
        self.charts_skipped = 0

    def chart(self, svg_factory: Callable[[], str], alt: str) -> str:
        """Draw a chart unless the page already holds :data:`CHART_CAP` of them."""
        if self.charts >= CHART_CAP:
            self.charts_skipped += 1
            return ""
        self.charts += 1
        return _img(svg_factory(), alt)

    def number_line(
        self,
        gate: GateResult,
        label: str,
        value: float | None,
        *,
        at_least: float | None = None,
        at_most: float | None = None,
        interval: _svg.Interval | None = None,
        reference: float | None = None,
        reference_label: str | None = None,
        point_label: str = "observed",
    ) -> str:
        """``value`` on a number line whose axis holds its bounds, interval and reference point."""
        point = dc.finite(value)
        if point is None:
            return ""
        factory = partial(
            _svg.metric_chart,
            label=label,
            observed=point,
            status=gate.status,
            at_least=dc.finite(at_least),
            at_most=dc.finite(at_most),
            interval=interval,
            champion=dc.finite(reference),
            point_label=point_label,
            champion_label=reference_label,
        )
        return self.chart(factory, f"{label}: {fmt(point)} against its bounds")

    def bars(
        self,
        gate: GateResult,
        title: str,
        rows: Sequence[tuple[str, float | None, bool]],
        *,
        at_least: float | None = None,
        at_most: float | None = None,
        color: str | None = None,
    ) -> str:
        shown = [(name, v if v is not None and math.isfinite(v) else math.nan, ok) for name, v, ok in rows[:BAR_CAP]]
        if not any(math.isfinite(v) for _, v, _ in shown):
            return ""
        factory = partial(
            _svg.slice_chart, shown, title=title, at_least=dc.finite(at_least), at_most=dc.finite(at_most), color=color
        )
        return self.chart(factory, f"{gate.name}: {title}")

    def histogram(self, column: dc.DriftColumn, gate_name: str) -> str:
        reference, current = list(column.reference), list(column.current)
        if not reference or len(reference) != len(current) or not all(map(math.isfinite, reference + current)):
            return ""
        title = f"{column.column} · {_p_text(column)}" + (" · drifted" if column.drifted else "")
        fixed_edges: list[float] | None = None
        if column.edges is not None and len(column.edges) == len(reference) + 1:
            if any(math.isnan(e) for e in column.edges):
                return ""
            labels, reference, current, fixed_edges = numeric_bins(column.edges, reference, current)
        elif column.categories is not None and len(column.categories) == len(reference):
            labels = list(column.categories)
            if len(labels) > CATEGORY_CAP:
                order = sorted(range(len(labels)), key=lambda k: -max(reference[k], current[k]))
                keep, drop = sorted(order[: CATEGORY_CAP - 1]), order[CATEGORY_CAP - 1 :]
                labels = [labels[k] for k in keep] + [f"other ({len(drop)})"]
                reference = [reference[k] for k in keep] + [sum(reference[k] for k in drop)]
                current = [current[k] for k in keep] + [sum(current[k] for k in drop)]
        else:
            return ""
        alt = f"Histogram of {column.column} ({gate_name}): reference vs current shares"
        img = self.chart(lambda: _svg.histogram(labels, reference, current, title=title, edges=fixed_edges), alt)
        return f"<figure class='{'drifted' if column.drifted else ''}'>{img}</figure>" if img else ""

    def columns_block(self, gate: GateResult, columns: Sequence[dc.DriftColumn], *, correction: str | None) -> str:
        """The per-column table and the histograms of a drift or distribution-skew gate."""
        adjusted = correction is not None or any(c.p_adjusted is not None for c in columns)
        rows = []
        for c in columns[:ROW_CAP]:
            mark = _badge("failed", "drifted") if c.drifted else "<span class='muted'>no</span>"
            note_html = ""
            if c.notes:
                more = f" (+{len(c.notes) - NOTE_CAP} more)" if len(c.notes) > NOTE_CAP else ""
                note_html = f"<span class='col-notes'>{_e('; '.join(c.notes[:NOTE_CAP]) + more)}</span>"
            row = [
                f"<b>{_e(c.column)}</b>{note_html}",
                _e(c.type),
                _e(c.method),
                _fmt(c.score),
                _fmt(c.threshold),
                _fmt(c.p_value),
            ]
            if adjusted:
                row.append(f"<b>{_fmt(c.p_adjusted)}</b>" if c.p_adjusted is not None else "–")
            row += [
                mark,
                f"{_fmt(c.null_rate_reference)} → {_fmt(c.null_rate_current)}",
                f"{_fmt(c.n_reference)} / {_fmt(c.n_current)}",
            ]
            rows.append(row)
        head = ["Column", "Type", "Method", "Score", "Threshold", "p-value"]
        if adjusted:
            head.append(f"p adjusted ({_e(correction)})" if correction else "p adjusted")
        head += ["Drifted", "Null rate ref → cur", "n ref / cur"]
        table = _table(head, rows, cls="columns") + _more(len(columns), len(rows), "columns")
        drifted = [c for c in columns if c.drifted]
        rest = sorted((c for c in columns if not c.drifted), key=lambda c: -_closeness(c))
        charted = (drifted + rest[:DRIFT_TOP_EXTRA])[:DRIFT_CHARTS_PER_GATE]
        charts = [h for h in (self.histogram(c, gate.name) for c in charted) if h]
        uncharted = len(drifted) - sum(1 for c in charted if c.drifted)
        note = (
            f"<p class='note'>{uncharted} more drifted columns are in the table but not charted.</p>"
            if uncharted > 0
            else ""
        )
        grid = f"<h4>Reference vs current</h4><div class='charts'>{''.join(charts)}</div>{note}" if charts else note
        return grid + "<h4>All columns</h4>" + table

    @staticmethod
    def failures_table(gate: GateResult, failures: Sequence[dc.Failure]) -> str:
        shown = failures[:ROW_CAP]
        with_rows = any(f.rows for f in shown)
        rows = []
        for f in shown:
            ex = ", ".join(f"<code>{_e(_example(v))}</code>" for v in f.examples[:EXAMPLE_CAP])
            if len(f.examples) > EXAMPLE_CAP:
                ex += f" <span class='muted'>+{len(f.examples) - EXAMPLE_CAP} more</span>"
            row = [
                f"<b>{_e(f.column)}</b>" if f.column is not None else "<span class='muted'>(whole table)</span>",
                f"<code>{_e(f.check)}</code>",
                _fmt(f.count),
                ex or "–",
            ]
            if with_rows:
                row.append(_e(", ".join(_compact(v, 20) for v in f.rows[:EXAMPLE_CAP])) or "–")
            rows.append(row)
        if not rows:
            return "<p class='empty'>No failing check.</p>"
        return _table(["Column", "Check", "Failures", "Examples", *(["Rows"] if with_rows else [])], rows) + _more(
            len(failures), len(shown), "failures"
        )


def _model_row(facts: Sequence[tuple[str, str]], chart: str) -> str:
    return f"<div class='model-row'>{_kv(facts)}<div>{chart}</div></div>"


def _bounds_text(gate: GateResult) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in gate.bound.items() if v is not None)


def _delta(challenger: float, champion: float, direction: str) -> str:
    delta = challenger - champion
    better = (delta >= 0) if direction != "lower" else (delta <= 0)
    return f"<span class='{'good' if better else 'bad'}'>{_e(f'{delta:+.4g}')}</span>"


def _drift_card(page: Canvas, gate: GateResult, d: dc.DriftDetails) -> _Card:
    facts = []
    drifted = [c for c in d.columns if c.drifted]
    if d.columns:
        facts.append(f"{len(drifted)} of {len(d.columns)} columns drifted")
    if d.share_drifted is not None:
        facts.append(
            f"share drifted {_e(fmt(d.share_drifted))}"
            + (f" (at most {_e(fmt(d.max_share))})" if d.max_share is not None else "")
        )
    if d.correction:
        facts.append(f"p-values adjusted ({_e(d.correction)})")
    facts.append(
        f"sampled {_fmt(d.sampling.rows)} rows (seed {_fmt(d.sampling.seed)})" if d.sampling else "no sampling"
    )
    if d.baseline_file is not None and not d.columns:
        what = "written" if d.updated else "missing"
        return [], f"<p class='empty'>Baseline statistics {what}: <code>{_e(d.baseline_file)}</code></p>"
    if not d.columns:
        return facts, "<p class='empty'>This drift gate recorded no per-column data.</p>"
    return facts, page.columns_block(gate, d.columns, correction=d.correction)


def _distribution_skew_card(page: Canvas, gate: GateResult, d: dc.DistributionSkewDetails) -> _Card:
    skewed = sum(1 for c in d.columns if c.drifted)
    return [f"{skewed} of {len(d.columns)} columns skewed"], page.columns_block(gate, d.columns, correction=None)


def _multivariate_card(page: Canvas, gate: GateResult, d: dc.MultivariateDetails) -> _Card:
    facts = [f"AUC {_e(fmt(d.auc))}", f"{d.n_reference} reference / {d.n_current} current rows"]
    facts.append(
        f"sampled {_fmt(d.sampling.rows)} rows (seed {_fmt(d.sampling.seed)})" if d.sampling else "no sampling"
    )
    score = page.number_line(
        gate, "domain classifier score (2·AUC − 1)", d.score, at_most=d.threshold, point_label="score"
    )
    ranked = sorted(d.feature_auc, key=lambda c: -c.auc)
    per_column = page.bars(
        gate,
        "AUC of each column alone (0.5: no signal)",
        [(c.column, c.auc, True) for c in ranked],
        color=_svg.COLORS["current"],
    )
    rows = [[f"<b>{_e(c.column)}</b>", _fmt(c.auc)] for c in ranked[:ROW_CAP]]
    body = (
        _model_row(
            [("Score", f"<b>{_fmt(d.score)}</b>"), ("Threshold", _fmt(d.threshold)), ("AUC", _fmt(d.auc))], score
        )
        + "<h4>Per column</h4><div class='slice-row'>"
        + per_column
        + _table(["Column", "AUC alone"], rows)
        + "</div>"
        + _more(len(ranked), len(rows), "columns")
    )
    return facts, body


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


def _baseline_card(page: Canvas, gate: GateResult, d: dc.DummyModelDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Model", f"<b>{_fmt(d.model)}</b>"),
        ("Baseline", f"{_fmt(d.baseline)} ({_e(d.baseline_kind)})"),
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
        f"{d.metric}: model vs baseline '{d.baseline_kind}'",
        d.model,
        at_least=limit if sign > 0 else None,
        at_most=limit if sign < 0 else None,
        reference=d.baseline,
        reference_label=f"baseline {fmt(d.baseline)}",
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


def _shadow_card(page: Canvas, gate: GateResult, d: dc.ShadowDetails) -> _Card:
    facts = [f"{d.disagreements} of {d.n} rows disagree", f"{_e(d.task)}"]
    kv = [
        ("Disagreement rate", f"<b>{_fmt(d.disagreement_rate)}</b>"),
        (f"Distance ({d.distance_method})", _fmt(d.distance)),
        ("Bound", _e(_bounds_text(gate))),
    ]
    charts = []
    if d.max_disagreement is not None or d.max_distance is None:
        charts.append(
            page.number_line(
                gate,
                "share of rows where champion and challenger disagree",
                d.disagreement_rate,
                at_most=d.max_disagreement,
                point_label="disagreement rate",
            )
        )
    if d.max_distance is not None:
        charts.append(
            page.number_line(
                gate,
                f"prediction distance ({d.distance_method})",
                d.distance,
                at_most=d.max_distance,
                point_label="distance",
            )
        )
    body = _model_row(kv, "".join(charts))
    if d.rows:
        names = list(dict.fromkeys(k for r in d.rows for k in r.inputs))[:6]
        rows = [
            [
                _fmt(r.row),
                _fmt(r.champion),
                _fmt(r.challenger),
                _fmt(r.difference),
                *(_fmt(r.inputs.get(n)) for n in names),
            ]
            for r in d.rows[:ROW_CAP]
        ]
        body += "<h4>Rows where they disagree most</h4>" + _table(
            ["Row", "Champion", "Challenger", "|diff|", *(_e(n) for n in names)], rows
        )
    return facts, body


def _canary_card(page: Canvas, gate: GateResult, d: dc.CanaryDetails) -> _Card:
    facts = [f"verdict <b>{_e(d.decision)}</b>", _e(d.metric)]
    kv = [
        ("Canary", f"{_fmt(d.canary)} (n={d.n_canary})"),
        ("Champion", f"{_fmt(d.champion)} (n={d.n_champion})"),
        ("Canary advantage", _fmt(d.effect)),
        ("Max drop", _fmt(d.max_drop)),
        ("Rule", _e(d.rule)),
    ]
    chart = page.number_line(
        gate,
        "canary advantage (positive: canary better)",
        d.effect,
        at_least=-d.max_drop,
        interval=_interval(d.lower, d.upper, d.confidence),
        reference=0.0,
        reference_label="champion (0)",
        point_label="advantage",
    )
    return facts, _model_row(kv, chart) + f"<p class='note'>{_e(d.reason)}</p>"


def _ab_card(page: Canvas, gate: GateResult, d: dc.ABTestDetails) -> _Card:
    """The decisive number is the worst case: the one-sided bound of the oriented difference,
    against 0 (``require="better"``, same as p < alpha) or ``-min_effect`` (``"not_worse"``)."""
    sign = 1.0 if d.higher_is_better else -1.0
    worst = min(sign * d.ci_low, sign * d.ci_high)
    bound = 0.0 if d.require == "better" else -d.min_effect
    facts = [f"{_e(d.test)} test", f"require {_e(d.require)}"]
    if d.underpowered:
        facts.append("<span class='bad'>underpowered</span>")
    kv = [
        ("Control", f"{_fmt(d.estimate_a)} (n={d.n_a})"),
        ("Treatment", f"{_fmt(d.estimate_b)} (n={d.n_b})"),
        ("Difference", _e(f"{d.effect:+.4g}")),
        ("p-value", f"<b>{_fmt(d.p_value)}</b> (alpha {_fmt(d.alpha)})"),
        (f"Worst case ({1 - d.alpha:.0%} bound)", _e(f"{worst:+.4g}")),
        ("Detectable effect", f"{_fmt(d.mde)} (of interest {_fmt(d.min_effect)})"),
    ]
    if d.required_per_arm is not None:
        kv.append(("Units per arm needed", _fmt(d.required_per_arm)))
    chart = page.number_line(
        gate,
        "treatment − control, worst case (positive: better)",
        worst,
        at_least=bound,
        reference=sign * d.effect,
        reference_label=f"estimate {sign * d.effect:+.4g}",
        point_label=f"worst case, {1 - d.alpha:.0%} bound",
    )
    return facts, _model_row(kv, chart)


def _sample_ratio_card(page: Canvas, gate: GateResult, d: dc.SampleRatioDetails) -> _Card:
    kv = [
        ("p-value", f"<b>{_fmt(d.p_value)}</b>"),
        ("Alpha", _fmt(d.srm_alpha)),
        ("Chi-square", f"{_fmt(d.statistic)} (df {d.df})"),
        ("Units", _e(", ".join(_int_text(v) for v in d.observed))),
    ]
    labels = [f"arm {i + 1}" for i in range(len(d.shares))]
    chart = ""
    if len(d.planned_shares) == len(d.shares):
        chart = (
            "<div class='narrow'>"
            + page.chart(
                lambda: _svg.histogram(
                    labels,
                    d.planned_shares,
                    d.shares,
                    title="traffic split: planned vs observed",
                    series=("planned", "observed"),
                ),
                f"{gate.name}: planned vs observed traffic split",
            )
            + "</div>"
        )
    return [], _model_row(kv, chart)


def _stored_baseline_card(page: Canvas, gate: GateResult, d: dc.StoredBaselineDetails) -> _Card:
    kv = [
        ("Value", f"<b>{_fmt(d.value)}</b>"),
        ("Baseline", _fmt(d.baseline)),
        ("Better", _e(d.direction)),
        ("File", f"<code>{_e(d.baseline_file)}</code>"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    if d.updated:
        return ["baseline written"], _kv(kv)
    limit = d.limit()
    higher = d.direction == "higher"
    chart = page.number_line(
        gate,
        f"{gate.name}: value vs stored baseline",
        d.value,
        at_least=limit if higher else None,
        at_most=None if higher else limit,
        reference=d.baseline,
        reference_label=None if d.baseline is None else f"baseline {fmt(d.baseline)}",
        point_label="value",
    )
    return [], _model_row(kv, chart)


def _schema_card(page: Canvas, gate: GateResult, d: dc.SchemaDetails) -> _Card:
    facts = []
    if d.rows is not None:
        facts.append(f"{d.rows} rows")
    if d.columns_checked is not None:
        facts.append(f"{d.columns_checked} columns checked")
    if d.environment:
        facts.append(f"environment <code>{_e(d.environment)}</code>")
    if d.schema:
        facts.append(f"schema <code>{_e(_compact(d.schema, 60))}</code>")
    return facts, page.failures_table(gate, d.failures)


def _expectations_card(page: Canvas, gate: GateResult, d: dc.ExpectationsDetails) -> _Card:
    rows = [
        [
            f"<b>{_e(x.column)}</b>",
            f"<code>{_e(x.check)}</code>",
            _fmt(x.observed),
            _e(", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in x.bound.items())) or "–",
            _badge("passed" if x.passed else _FAILED_AS[gate.severity]),
        ]
        for x in sorted(d.expectations, key=lambda x: x.passed)[:ROW_CAP]
    ]
    body = _table(["Column", "Expectation", "Observed", "Bound", "Result"], rows)
    if d.failures:
        body += "<h4>Failing values</h4>" + page.failures_table(gate, d.failures)
    return ([f"{d.rows} rows"] if d.rows is not None else []), body


def _example_skew_card(page: Canvas, gate: GateResult, d: dc.ExampleSkewDetails) -> _Card:
    rows = [
        [f"<b>{_e(c.column)}</b>", _fmt(c.mismatches), _fmt(c.max_abs_diff)]
        for c in sorted(d.columns, key=lambda c: -c.mismatches)[:ROW_CAP]
    ]
    body = _table(["Column", "Rows that differ", "Max |diff|"], rows) if rows else ""
    if d.failures:
        body += "<h4>Differences</h4>" + page.failures_table(gate, d.failures)
    facts = [f"{d.rows} rows"] if d.rows is not None else []
    if d.key is not None:
        facts.append(f"matched by key <code>{_e(d.key)}</code>")
    return facts, body


def _leakage_card(page: Canvas, gate: GateResult, d: dc.LeakageDetails) -> _Card:
    ranked = sorted(d.scores, key=lambda s: -(dc.finite(s.score) or -math.inf))
    chart = page.bars(
        gate,
        f"{d.metric} of each feature alone",
        [(s.column, s.score, not (s.score or 0) > d.at_most) for s in ranked],
        at_most=d.at_most,
    )
    rows = [[f"<b>{_e(s.column)}</b>", _fmt(s.score)] for s in ranked[:ROW_CAP]]
    facts = [f"label <code>{_e(d.label)}</code>"] + ([f"{d.rows} rows"] if d.rows is not None else [])
    return facts, f"<div class='slice-row'>{chart}" + _table(["Feature", d.metric], rows) + "</div>"


def _deepchecks_card(page: Canvas, gate: GateResult, d: dc.DeepchecksDetails) -> _Card:
    facts = [f"suite <code>{_e(d.suite)}</code>"] if d.suite else []
    if d.html:
        facts.append(f"deepchecks report <code>{_e(d.html)}</code>")
    if d.error:
        return facts, f"<p class='empty'>Did not run: {_e(d.error)}</p>"
    rank = {"FAIL": 0, "ERROR": 0, "WARN": 1, "PASS": 2}
    status = {"FAIL": "failed", "ERROR": "failed", "WARN": "warned", "PASS": "passed"}
    rows = [
        [_badge(status.get(c.category, "skipped"), c.category.lower()), _e(c.name), _e(c.details)]
        for c in sorted(d.conditions, key=lambda c: rank.get(c.category, 3))[:ROW_CAP]
    ]
    return facts, _table(["Result", "Condition", "Details"], rows)


def _generic_card(page: Canvas, gate: GateResult, d: dc.GenericDetails) -> _Card:
    kv = [("Observed", f"<b>{_fmt(gate.observed)}</b>"), ("Bound", _e(_bounds_text(gate)) or "–")]
    kv += [(k, _fmt(v)) for k, v in list(d.extra.items())[:12] if not isinstance(v, (list, dict))]
    chart = ""
    if d.at_least is not None or d.at_most is not None:
        chart = page.number_line(
            gate, f"{gate.name}: observed vs bound", d.value, at_least=d.at_least, at_most=d.at_most
        )
    return [], _model_row(kv, chart)


def _plain_card(page: Canvas, gate: GateResult, note: str) -> _Card:
    """A check without a card of its own (or data off its contract): its values, as a table."""
    kv = [("Observed", _fmt(gate.observed)), ("Bound", _e(_bounds_text(gate)) or "–")]
    kv += [(k, _fmt(v)) for k, v in list(gate.details.items())[:16]]
    body = _kv(kv)
    if note:
        body = f"<p class='note'>{_e(note)}</p>" + body
    return [], body


#: check -> the card that draws it (from the check's contract in pytest_mlops.details).
CARDS: Mapping[str, Callable[[Canvas, GateResult, Any], _Card]] = {
    "schema": _schema_card,
    "expectations": _expectations_card,
    "example_skew": _example_skew_card,
    "distribution_skew": _distribution_skew_card,
    "leakage": _leakage_card,
    "metric": _metric_card,
    "champion": _champion_card,
    "non_inferiority": _non_inferiority_card,
    "slices": _slices_card,
    "weak_segments": _weak_segments_card,
    "baseline": _baseline_card,
    "calibration": _calibration_card,
    "fairness": _fairness_card,
    "invariance": _robustness_card,
    "directional": _robustness_card,
    "latency": _latency_card,
    "model_size": _model_size_card,
    "data_drift": _drift_card,
    "prediction_drift": _drift_card,
    "label_drift": _drift_card,
    "multivariate_drift": _multivariate_card,
    "shadow": _shadow_card,
    "canary": _canary_card,
    "ab_proportions": _ab_card,
    "ab_means": _ab_card,
    "sample_ratio": _sample_ratio_card,
    "stored_baseline": _stored_baseline_card,
    "deepchecks": _deepchecks_card,
    "": _generic_card,
}


def draw_card(canvas: Canvas, gate: GateResult) -> _Card:
    """Facts and body of the gate's card: drawn by the card of its check, from the check's
    details contract; a plain card (saying why) when the check has none or the data is off it."""
    try:
        contract = dc.parse(gate)
    except dc.DetailsError as exc:
        return _plain_card(canvas, gate, str(exc))
    draw = CARDS.get(gate.check)
    return _plain_card(canvas, gate, "") if draw is None else draw(canvas, gate, contract)
