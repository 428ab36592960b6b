"""Cards of the deployment checks: shadow, canary, A/B tests, sample ratio."""

from __future__ import annotations

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.render._parts import (
    ROW_CAP,
    _e,
    _fmt,
    _int_text,
    _interval,
    _table,
)
from pytest_mlops.render.cards._canvas import Canvas, _bounds_text, _Card, _model_row
from pytest_mlops.results import GateResult


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
