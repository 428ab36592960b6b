"""Cards of the schema and feature checks: failures tables, expectations, example skew, leakage."""

from __future__ import annotations

import math

from pytest_mlops import details as dc
from pytest_mlops.render._parts import (
    _FAILED_AS,
    ROW_CAP,
    _badge,
    _compact,
    _e,
    _fmt,
    _table,
)
from pytest_mlops.render.cards._canvas import Canvas, _Card
from pytest_mlops.results import GateResult, fmt


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
