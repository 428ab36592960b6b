"""What every card draws with: the :class:`Canvas` (charts counted against the page's cap) and small shared pieces."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.render._parts import (
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
    _kv,
    _more,
    _p_text,
    _table,
    numeric_bins,
)
from pytest_mlops.results import GateResult, fmt

__all__ = ["Canvas"]

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


def _plain_card(page: Canvas, gate: GateResult, note: str) -> _Card:
    """A check without a card of its own (or data off its contract): its values, as a table."""
    kv = [("Observed", _fmt(gate.observed)), ("Bound", _e(_bounds_text(gate)) or "–")]
    kv += [(k, _fmt(v)) for k, v in list(gate.details.items())[:16]]
    body = _kv(kv)
    if note:
        body = f"<p class='note'>{_e(note)}</p>" + body
    return [], body
