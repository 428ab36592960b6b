"""Cards of the checks of no one kind: a stored baseline, deepchecks suites, the generic gate."""

from __future__ import annotations

from pytest_mlops import details as dc
from pytest_mlops.render._parts import (
    ROW_CAP,
    _badge,
    _e,
    _fmt,
    _kv,
    _table,
)
from pytest_mlops.render.cards._canvas import Canvas, _bounds_text, _Card, _model_row
from pytest_mlops.results import GateResult, fmt


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
