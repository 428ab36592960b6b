"""Small SVG charts for the HTML report (:mod:`pytest_mlops.render.html`), standard library only.

Every function returns a complete, standalone SVG document (with ``xmlns``), so it
can be embedded as ``<img src="data:image/svg+xml;base64,...">`` (see
:func:`data_uri`): no JavaScript, no fonts or styles fetched from a network.
All text placed in a chart is XML-escaped here; callers pass plain strings.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pytest_mlops.results import fmt

__all__ = [
    "COLORS",
    "Interval",
    "data_uri",
    "histogram",
    "metric_chart",
    "nice_ticks",
    "reliability_diagram",
    "slice_chart",
]

#: One palette for the page and its charts.
COLORS = {
    "reference": "#94a3b8",
    "current": "#ea580c",
    "passed": "#15803d",
    "failed": "#b91c1c",
    "warned": "#b45309",
    "pass_zone": "#dcfce7",
    "fail_zone": "#fee2e2",
    "axis": "#64748b",
    "grid": "#e2e8f0",
    "text": "#1e293b",
    "muted": "#64748b",
    "champion": "#4338ca",
}

FONT = "font-family='system-ui,-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif'"


@dataclass(frozen=True)
class Interval:
    """A confidence interval: ``low``..``high`` at ``level`` (e.g. 0.95), if known."""

    low: float
    high: float
    level: float | None = None


def _x(text: str) -> str:
    return escape(text, quote=True)


def _n(value: float) -> str:
    """A coordinate, short and locale-free."""
    if not math.isfinite(value):
        return "0"
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(1, limit - 1)] + "…"


def _document(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' role='img' {FONT} font-size='11'>"
        f"<title>{_x(title)}</title><rect width='{width}' height='{height}' fill='#ffffff'/>" + "".join(body) + "</svg>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", size: int = 11, color: str = "", extra: str = ""
) -> str:
    fill = color or COLORS["text"]
    return (
        f"<text x='{_n(x)}' y='{_n(y)}' text-anchor='{anchor}' font-size='{size}' fill='{fill}'{extra}>"
        f"{_x(text)}</text>"
    )


def data_uri(svg: str) -> str:
    """``data:image/svg+xml;base64,...`` for an ``<img src>``."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``..``high`` (about ``count`` of them)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    if high < low:
        low, high = high, low
    if high == low:
        return [low]
    raw = (high - low) / max(1, count)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))
    digits = max(0, 2 - math.floor(math.log10(step)))
    first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
    return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]


def _percent(value: float) -> str:
    pct = value * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 or pct >= 10 else f"{pct:.1f}%"


def histogram(
    labels: Sequence[str],
    reference: Sequence[float],
    current: Sequence[float],
    *,
    title: str,
    edges: Sequence[float] | None = None,
    series: tuple[str, str] = ("reference", "current"),
    width: int = 380,
    height: int = 220,
) -> str:
    """Reference vs current shares, two bars per bin or category.

    For a numeric column give ``edges`` (one more than the bins) and the x axis is
    labelled at bin edges; otherwise each group is labelled with its ``labels`` entry.
    ``series`` names the two bar series in the legend and tooltips.
    """
    bins = min(len(labels), len(reference), len(current))
    rotate = edges is None and bins > 6
    left, right, top = 44, 10, 34
    bottom = 64 if rotate else 34
    plot_w = width - left - right
    plot_h = height - top - bottom
    peak = max([*reference[:bins], *current[:bins], 0.0])
    ticks = nice_ticks(0.0, peak if peak > 0 else 1.0, 4)
    y_max = max(ticks[-1] if ticks else 1.0, peak, 1e-12)

    def y_of(share: float) -> float:
        return top + plot_h - plot_h * max(0.0, share) / y_max

    body = [_text(left, 15, _short(title, 56), size=12, extra=" font-weight='600'")]
    # legend, top right
    lx = width - right - 150
    for i, key in enumerate(("reference", "current")):
        legend_x = lx + i * 78
        body.append(f"<rect x='{legend_x}' y='21' width='10' height='10' rx='2' fill='{COLORS[key]}'/>")
        body.append(_text(legend_x + 14, 30, series[i], size=10, color=COLORS["muted"]))
    for tick in ticks:
        y = y_of(tick)
        body.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{_n(y)}' y2='{_n(y)}' stroke='{COLORS['grid']}'/>")
        body.append(_text(left - 5, y + 3.5, _percent(tick), anchor="end", size=9, color=COLORS["muted"]))
    if bins:
        group = plot_w / bins
        bar = max(1.0, min(18.0, group * 0.38))
        gap = max(0.0, (group - 2 * bar) / 2)
        for i in range(bins):
            x0 = left + i * group + gap
            for j, (key, values) in enumerate((("reference", reference), ("current", current))):
                share = max(0.0, float(values[i]))
                y = y_of(share)
                body.append(
                    f"<rect x='{_n(x0 + j * bar)}' y='{_n(y)}' width='{_n(bar)}' "
                    f"height='{_n(top + plot_h - y)}' fill='{COLORS[key]}'>"
                    f"<title>{_x(f'{labels[i]}: {series[j]} {_percent(share)}')}</title></rect>"
                )
        base = top + plot_h
        if edges is not None and len(edges) >= bins + 1:
            step = max(1, math.ceil((bins + 1) / 8))
            taken = -math.inf  # right end of the last label drawn: labels never overlap
            for k in range(0, bins + 1, step):
                x = left + k * group
                body.append(
                    f"<line x1='{_n(x)}' x2='{_n(x)}' y1='{_n(base)}' y2='{_n(base + 4)}' stroke='{COLORS['axis']}'/>"
                )
                anchor = "start" if k == 0 else ("end" if k == bins else "middle")
                text = fmt(float(edges[k]))
                wide = len(text) * 5.2  # about 5 px per character at 9 px
                start = x if anchor == "start" else (x - wide if anchor == "end" else x - wide / 2)
                if start < taken + 4:
                    continue
                taken = start + wide
                body.append(_text(x, base + 15, text, anchor=anchor, size=9, color=COLORS["muted"]))
        else:
            for i in range(bins):
                x = left + (i + 0.5) * group
                label = _short(str(labels[i]), 12 if rotate else max(3, int(group / 6)))
                if rotate:
                    body.append(
                        _text(
                            x,
                            base + 12,
                            label,
                            anchor="end",
                            size=9,
                            color=COLORS["muted"],
                            extra=f" transform='rotate(-40 {_n(x)} {_n(base + 12)})'",
                        )
                    )
                else:
                    body.append(_text(x, base + 15, label, anchor="middle", size=9, color=COLORS["muted"]))
        body.append(
            f"<line x1='{left}' x2='{left + plot_w}' y1='{_n(base)}' y2='{_n(base)}' stroke='{COLORS['axis']}'/>"
        )
    else:
        body.append(_text(width / 2, top + plot_h / 2, "no histogram data", anchor="middle", color=COLORS["muted"]))
    return _document(width, height, title, body)


def _domain(values: Sequence[float]) -> tuple[float, float]:
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    low, high = min(finite), max(finite)
    span = high - low
    pad = span * 0.12 if span > 0 else (abs(high) * 0.05 or 0.05)
    lo, hi = low - pad, high + pad
    if low >= 0 > lo:  # do not invent negative space for non-negative metrics
        lo = 0.0 if low - 0 < pad * 2 else lo
    if high <= 1 < hi and low >= 0:  # shares and probabilities stop at 1
        hi = 1.0 if 1 - high < pad * 2 else hi
    lo = max(lo, 0.0) if low >= 0 else lo
    return lo, hi


def metric_chart(
    *,
    label: str,
    observed: float,
    status: str,
    at_least: float | None = None,
    at_most: float | None = None,
    interval: Interval | None = None,
    champion: float | None = None,
    point_label: str = "observed",
    champion_label: str | None = None,
    width: int = 520,
    height: int = 124,
) -> str:
    """The observed value on a number line with its bounds, interval and champion.

    The passing zone is shaded green and the failing zone red; bounds are dashed
    lines; the interval is an error bar around the observed point; the champion is
    a hollow diamond.
    """
    values = [observed]
    values += [v for v in (at_least, at_most, champion) if v is not None]
    if interval is not None:
        values += [interval.low, interval.high]
    lo, hi = _domain(values)
    left, right = 16, 16
    axis_y = 86
    plot_w = width - left - right

    def x_of(v: float) -> float:
        return left + plot_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    body = [_text(left, 15, _short(label, 70), size=12, extra=" font-weight='600'")]
    band_top, band_h = 32, axis_y - 32
    # zones: green where the bounds hold, red where they do not
    ok_lo = x_of(at_least) if at_least is not None else left
    ok_hi = x_of(at_most) if at_most is not None else left + plot_w
    if at_least is not None or at_most is not None:
        body.append(
            f"<rect x='{left}' y='{band_top}' width='{plot_w}' height='{band_h}' fill='{COLORS['fail_zone']}'/>"
        )
        body.append(
            f"<rect x='{_n(ok_lo)}' y='{band_top}' width='{_n(max(0.0, ok_hi - ok_lo))}' height='{band_h}' "
            f"fill='{COLORS['pass_zone']}'/>"
        )
    for tick in nice_ticks(lo, hi, 6):
        x = x_of(tick)
        body.append(f"<line x1='{_n(x)}' x2='{_n(x)}' y1='{axis_y}' y2='{axis_y + 4}' stroke='{COLORS['axis']}'/>")
        body.append(_text(x, axis_y + 15, fmt(tick), anchor="middle", size=9, color=COLORS["muted"]))
    body.append(f"<line x1='{left}' x2='{left + plot_w}' y1='{axis_y}' y2='{axis_y}' stroke='{COLORS['axis']}'/>")
    for name, bound in (("at least", at_least), ("at most", at_most)):
        if bound is None:
            continue
        x = x_of(bound)
        body.append(
            f"<line x1='{_n(x)}' x2='{_n(x)}' y1='{band_top}' y2='{axis_y}' stroke='{COLORS['text']}' "
            "stroke-width='1.5' stroke-dasharray='4 3'/>"
        )
        anchor = "end" if x > left + plot_w * 0.75 else "start"
        dx = -4 if anchor == "end" else 4
        body.append(_text(x + dx, band_top - 4, f"{name} {fmt(bound)}", anchor=anchor, size=9))
    point_y = 56
    color = COLORS.get(status, COLORS["text"])
    if champion is not None:
        champion_text = champion_label or f"champion {fmt(champion)}"
        x = x_of(champion)
        body.append(
            f"<path d='M{_n(x)} {point_y - 7} L{_n(x + 7)} {point_y} L{_n(x)} {point_y + 7} L{_n(x - 7)} {point_y} Z' "
            f"fill='#ffffff' stroke='{COLORS['champion']}' stroke-width='2'>"
            f"<title>{_x(champion_text)}</title></path>"
        )
        label_anchor, label_x = _inside(x, len(champion_text) * 2.8, left, left + plot_w)
        body.append(_text(label_x, point_y + 20, champion_text, anchor=label_anchor, size=9, color=COLORS["champion"]))
    if interval is not None:
        x1, x2 = x_of(interval.low), x_of(interval.high)
        level = f"{interval.level * 100:.0f}% " if interval.level else ""
        body.append(
            f"<g stroke='{color}' stroke-width='2'><line x1='{_n(x1)}' x2='{_n(x2)}' y1='{point_y}' y2='{point_y}'/>"
            f"<line x1='{_n(x1)}' x2='{_n(x1)}' y1='{point_y - 6}' y2='{point_y + 6}'/>"
            f"<line x1='{_n(x2)}' x2='{_n(x2)}' y1='{point_y - 6}' y2='{point_y + 6}'/>"
            f"<title>{_x(f'{level}interval {fmt(interval.low)} to {fmt(interval.high)}')}</title></g>"
        )
    x = x_of(observed)
    body.append(
        f"<circle cx='{_n(x)}' cy='{point_y}' r='5.5' fill='{color}' stroke='#ffffff' stroke-width='1.5'>"
        f"<title>{_x(f'{point_label} {fmt(observed)}')}</title></circle>"
    )
    value_text = fmt(observed)
    anchor, text_x = _inside(x, len(value_text) * 3.2, left, left + plot_w)
    body.append(
        _text(text_x, point_y - 10, value_text, anchor=anchor, size=10, color=color, extra=" font-weight='600'")
    )
    return _document(width, height, label, body)


def _inside(x: float, half: float, low: float, high: float) -> tuple[str, float]:
    """Anchor and x of a label centred on ``x`` (``half`` its half width) kept inside ``low``..``high``."""
    if x - half < low:
        return "start", max(low, x - 4)
    if x + half > high:
        return "end", min(high, x + 4)
    return "middle", x


def slice_chart(
    rows: Sequence[tuple[str, float, bool]],
    *,
    title: str,
    at_least: float | None = None,
    at_most: float | None = None,
    color: str | None = None,
    width: int = 520,
) -> str:
    """One horizontal bar per slice (``(label, value, passed)``) with the bound(s) as lines.

    Bars are green when ``passed``, red otherwise, or all ``color`` when given (values
    without a bound of their own, such as each column's AUC alone).
    """
    label_w, right, top, row_h = 130, 54, 26, 20
    height = top + row_h * max(1, len(rows)) + 26
    plot_w = width - label_w - right
    values = [v for _, v, _ in rows if math.isfinite(v)]
    values += [b for b in (at_least, at_most) if b is not None]
    lo, hi = _domain([*values, 0.0] if values and min(values) >= 0 else values)

    def x_of(v: float) -> float:
        return label_w + plot_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    body = [_text(8, 15, _short(title, 70), size=12, extra=" font-weight='600'")]
    base = top + row_h * max(1, len(rows))
    for tick in nice_ticks(lo, hi, 5):
        x = x_of(tick)
        body.append(f"<line x1='{_n(x)}' x2='{_n(x)}' y1='{top}' y2='{base}' stroke='{COLORS['grid']}'/>")
        body.append(_text(x, base + 14, fmt(tick), anchor="middle", size=9, color=COLORS["muted"]))
    zero = x_of(max(lo, 0.0)) if lo <= 0 <= hi else x_of(lo)
    for i, (name, value, passed) in enumerate(rows):
        y = top + i * row_h
        body.append(_text(label_w - 6, y + 14, _short(name, 20), anchor="end", size=10))
        if not math.isfinite(value):
            body.append(_text(label_w + 4, y + 14, "n/a", size=10, color=COLORS["muted"]))
            continue
        x = x_of(value)
        bar_color = color or (COLORS["passed"] if passed else COLORS["failed"])
        body.append(
            f"<rect x='{_n(min(x, zero))}' y='{y + 4}' width='{_n(max(1.0, abs(x - zero)))}' height='{row_h - 8}' "
            f"rx='2' fill='{bar_color}' fill-opacity='0.85'><title>{_x(f'{name}: {fmt(value)}')}</title></rect>"
        )
        body.append(_text(max(x, zero) + 4, y + 14, fmt(value), size=10, color=bar_color))
    for name, bound in (("at least", at_least), ("at most", at_most)):
        if bound is not None:
            x = x_of(bound)
            body.append(
                f"<line x1='{_n(x)}' x2='{_n(x)}' y1='{top - 4}' y2='{base}' stroke='{COLORS['text']}' "
                "stroke-width='1.5' stroke-dasharray='4 3'/>"
            )
            body.append(_text(x, top - 7, f"{name} {fmt(bound)}", anchor="middle", size=9))
    body.append(f"<line x1='{label_w}' x2='{label_w + plot_w}' y1='{base}' y2='{base}' stroke='{COLORS['axis']}'/>")
    return _document(width, height, title, body)


def reliability_diagram(
    bins: Sequence[tuple[float, float, int, float | None, float | None]],
    *,
    title: str,
    width: int = 360,
    height: int = 330,
) -> str:
    """A reliability diagram: per bin ``(low, high, n, mean predicted, share of positives)``.

    The diagonal is perfect calibration; each filled bin is a point at (mean predicted,
    observed share), joined in order, with a bar under the plot for its share of the rows.
    """
    left, right, top = 44, 14, 26
    plot = min(width - left - right, height - top - 74)
    base = top + plot
    fullest = max((n for _, _, n, _, _ in bins), default=0) or 1

    def px(v: float) -> float:
        return left + plot * min(max(v, 0.0), 1.0)

    def py(v: float) -> float:
        return base - plot * min(max(v, 0.0), 1.0)

    body = [_text(8, 15, _short(title, 60), size=12, extra=" font-weight='600'")]
    body.append(f"<rect x='{left}' y='{top}' width='{plot}' height='{plot}' fill='none' stroke='{COLORS['axis']}'/>")
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        body.append(
            f"<line x1='{_n(px(tick))}' x2='{_n(px(tick))}' y1='{top}' y2='{base}' stroke='{COLORS['grid']}'/>"
            f"<line x1='{left}' x2='{left + plot}' y1='{_n(py(tick))}' y2='{_n(py(tick))}' stroke='{COLORS['grid']}'/>"
        )
        body.append(_text(px(tick), base + 13, fmt(tick), anchor="middle", size=9, color=COLORS["muted"]))
        body.append(_text(left - 5, py(tick) + 3, fmt(tick), anchor="end", size=9, color=COLORS["muted"]))
    body.append(
        f"<line x1='{_n(px(0))}' y1='{_n(py(0))}' x2='{_n(px(1))}' y2='{_n(py(1))}' stroke='{COLORS['reference']}' "
        "stroke-dasharray='5 4'><title>perfect calibration</title></line>"
    )
    points = [(mp, fp, n) for _, _, n, mp, fp in bins if n and mp is not None and fp is not None]
    if len(points) > 1:
        path = " ".join(f"{'M' if i == 0 else 'L'}{_n(px(mp))} {_n(py(fp))}" for i, (mp, fp, _) in enumerate(points))
        body.append(f"<path d='{path}' fill='none' stroke='{COLORS['current']}' stroke-width='1.5'/>")
    for mp, fp, n in points:
        body.append(
            f"<circle cx='{_n(px(mp))}' cy='{_n(py(fp))}' r='4' fill='{COLORS['current']}'>"
            f"<title>{_x(f'mean predicted {fmt(mp)}, observed {fmt(fp)}, n={n}')}</title></circle>"
        )
    body.append(_text(left + plot / 2, base + 26, "mean predicted probability", anchor="middle", size=10))
    body.append(
        _text(12, top + plot / 2, "observed share", anchor="middle", size=10,
              extra=f" transform='rotate(-90 12 {_n(top + plot / 2)})'")
    )  # fmt: skip
    # rows per bin, as a strip of bars under the axis label (the fullest bin is full height)
    strip_top, strip_h = base + 34, 26
    for low, high, n, _, _ in bins:
        if not n:
            continue
        h = strip_h * n / fullest
        bar_w = max(1.0, px(high) - px(low) - 2)
        tip = _x(f"[{fmt(low)}, {fmt(high)}): {n} rows")
        body.append(
            f"<rect x='{_n(px(low) + 1)}' y='{_n(strip_top + strip_h - h)}' width='{_n(bar_w)}' "
            f"height='{_n(max(1.0, h))}' fill='{COLORS['reference']}'><title>{tip}</title></rect>"
        )
    body.append(
        _text(left + plot, strip_top + strip_h + 10, "rows per bin", anchor="end", size=9, color=COLORS["muted"])
    )
    return _document(width, height, title, body)
