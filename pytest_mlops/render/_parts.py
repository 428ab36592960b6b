"""Small pieces shared by the HTML page and its cards: escaping, cells, tables, caps, bins.

Standard library only; everything placed in the page is escaped here or by the caller with
:func:`_e`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from html import escape

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.results import fmt

#: Histograms drawn per drift gate: drifted columns first, then the top scores.
DRIFT_CHARTS_PER_GATE = 12
#: Non-drifted columns charted after the drifted ones (still within the cap above).
DRIFT_TOP_EXTRA = 4
#: Charts in the whole page; beyond it, tables only (keeps the file small).
CHART_CAP = 150
#: Rows of one table (columns of a drift gate, failures of a schema gate, slices).
ROW_CAP = 300
#: Categories drawn in a categorical histogram; the rest are summed as "other".
CATEGORY_CAP = 15
#: Bars drawn in one bar chart (slices, per-column scores); the table lists them all.
BAR_CAP = 24
#: Notes shown under a drift column's name.
NOTE_CAP = 2
#: Example values shown per schema failure.
EXAMPLE_CAP = 5

_STATUS_ORDER = ("failed", "warned", "passed")
_FAILED_AS = {"fail": "failed", "warn": "warned"}
_STATUS_MARK = {"failed": "✕", "warned": "!", "passed": "✓", "no-gates": "–", "skipped": "–"}
#: drift methods whose score is a p-value (drift when p < threshold); see pytest_mlops.stats.drift
_P_VALUE_METHODS = ("ks", "chi2")


def _e(value: object) -> str:
    """Escaped text; ``None`` becomes an en dash."""
    return "–" if value is None else escape(str(value), quote=True)


def _num(value: object) -> float | None:
    """A finite number, or None (bools, strings such as ``"nan"`` and junk are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fmt(value: object) -> str:
    """A table cell for a JSON value: numbers as ``:.4g``, bools as yes/no, escaped."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _e(fmt(value))
    if isinstance(value, (list, dict)):
        return _e(_compact(value))
    return _e(value)


def _compact(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _example(value: object) -> str:
    """A failing value; a row that differs between training and serving as ``row 3: 1.5 → 2``."""
    if isinstance(value, dict) and {"row", "training", "serving"} <= set(value):
        return _compact(f"row {_compact(value['row'], 20)}: {_compact(value['training'], 24)} → "
                        f"{_compact(value['serving'], 24)}", 72)  # fmt: skip
    return _compact(value, 40)


def _badge(status: str, text: str | None = None) -> str:
    return f"<span class='badge {_e(status)}'>{_STATUS_MARK.get(status, '')} {_e(text or status)}</span>"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """A table from already-escaped cells."""
    thead = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    klass = f" class='{cls}'" if cls else ""
    return f"<div class='scroll'><table{klass}><thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table></div>"


def _kv(rows: Sequence[tuple[str, str]]) -> str:
    """A key/value grid from already-escaped values."""
    return "<dl class='kv'>" + "".join(f"<div><dt>{_e(k)}</dt><dd>{v}</dd></div>" for k, v in rows) + "</dl>"


def _img(svg: str, alt: str) -> str:
    return f"<img class='chart' src='{_svg.data_uri(svg)}' alt='{_e(alt)}'>"


def _more(total: int, shown: int, noun: str) -> str:
    hidden = total - shown
    return f"<p class='note'>… and {hidden} more {_e(noun)} (the JSON report has all of them)</p>" if hidden > 0 else ""


def _slice_status(passed: bool | None, severity: str) -> str:
    """``passed``; ``failed``/``warned`` (the gate's severity); ``skipped`` when not evaluated."""
    if passed is True:
        return "passed"
    return _FAILED_AS.get(severity, "failed") if passed is False else "skipped"


def _interval(low: float | None, high: float | None, level: float | None = None) -> _svg.Interval | None:
    """A drawable interval: both ends finite (a one-sided bound's infinite end is not drawn)."""
    lo, hi = dc.finite(low), dc.finite(high)
    return _svg.Interval(lo, hi, level) if lo is not None and hi is not None else None


def _int_text(value: float) -> str:
    return str(int(value)) if abs(value) < 1e15 else fmt(value)


def numeric_bins(
    edges: Sequence[float], reference: Sequence[float], current: Sequence[float]
) -> tuple[list[str], list[float], list[float], list[float] | None]:
    """Labels, shares and axis edges (None: label each bar instead) of a numeric histogram.

    ``edges`` are the reference minimum, the interior quantile cut points and the maximum
    (the ends are infinite when a gate records cut points only); bins are right-closed, so
    tied cut points (a discrete column such as a year) make empty bins: those are left out.
    When edges tie and every finite edge is a whole number, the column is read as integer
    valued and each bar is labelled with the integers it holds (``≤2007``, ``2008``,
    ``2009–2011``, ``≥2012``) instead of an axis of repeated edge values.
    """
    bins = len(reference)
    keep = [
        k for k in range(bins) if not (k > 0 and edges[k] == edges[k + 1] and reference[k] == 0 and current[k] == 0)
    ]
    ref = [reference[k] for k in keep]
    cur = [current[k] for k in keep]
    finite = [float(e) for e in edges if math.isfinite(e)]
    open_ended = len(finite) < len(edges)
    discrete = len(set(finite)) < len(finite) and all(e.is_integer() for e in finite)
    if not keep or not (open_ended or discrete):
        axis = [float(edges[keep[0]])] + [float(edges[k + 1]) for k in keep] if keep else []
        return [f"{fmt(axis[i])}–{fmt(axis[i + 1])}" for i in range(len(keep))], ref, cur, axis
    integer = all(e.is_integer() for e in finite)
    text = _int_text if integer else fmt
    labels = []
    for position, k in enumerate(keep):
        low, high = edges[k], edges[k + 1]
        if position == 0 and len(keep) > 1:
            labels.append(f"≤{text(high)}")
        elif position == len(keep) - 1 and len(keep) > 1:
            labels.append(f"≥{text(low + 1)}" if integer else f">{text(low)}")
        elif not integer:
            labels.append(f"{text(low)}–{text(high)}")
        elif low + 1 >= high:
            labels.append(text(high))
        else:
            labels.append(f"{text(low + 1)}–{text(high)}")
    return labels, ref, cur, None


def _closeness(column: dc.DriftColumn) -> float:
    """How close a column came to drifting (1: at its threshold), comparable across methods:
    a p-value method drifts when p falls below the threshold, a distance when it rises above."""
    score = dc.finite(column.p_adjusted if column.p_adjusted is not None else column.score)
    if score is None or column.threshold <= 0:
        return 0.0
    if column.method in _P_VALUE_METHODS:
        return column.threshold / max(score, 1e-300)
    return score / column.threshold


def _p_text(column: dc.DriftColumn) -> str:
    """What decided a column: ``ks p_adj 0.012`` (corrected p-value), ``ks p 0.003`` or ``psi 0.31``."""
    if column.method in _P_VALUE_METHODS:
        if column.p_adjusted is not None:
            return f"{column.method} p_adj {fmt(column.p_adjusted)}"
        p = column.p_value if column.p_value is not None else column.score
        return f"{column.method} p {fmt(p)}"
    return f"{column.method} {fmt(column.score)}"
