"""Weak-segment search: the one- and two-feature segments where a per-row metric is worse than overall.

What is searched (the multiple-testing correction counts every segment tested):

* a **categorical** feature (text, bool, category, or a number with at most ``bins`` distinct
  values): each category; categories beyond the ``max_categories`` most frequent are merged into
  one ``other`` segment; missing values are a segment of their own;
* a **numeric** feature: ``bins`` quantile bins (right-closed), and every contiguous range of
  them (``x <= c``, ``x > c``, ``a < x <= b``); missing values are a segment of their own;
* every **pair** of features: the cells of their crossing, numeric features cut into
  ``pair_bins`` quantile bins for this.

A segment is tested when it and its complement both hold at least ``min_size`` rows. Its gap is
``overall - segment`` for a higher-is-better metric (``segment - overall`` otherwise), in the
metric's own units. Because ``overall`` mixes the segment and its complement,
``gap = (n_rest / n) * (rest - segment)``, so the gap's standard error follows from the two
independent groups: Agresti–Caffo (add one success and one failure to each group) for a rate
such as accuracy, Welch for a mean loss. The one-sided p-value tests ``gap <= max_gap``; the
p-values are corrected over the number of segments tested (Bonferroni: family-wise error;
Benjamini–Hochberg: false discovery rate), and a segment is *weak* when its corrected p-value is
at most ``1 - confidence``. Intervals use the same corrected level, so a weak segment's lower
bound is above ``max_gap``.

Everything is vectorised: per grouping, three ``numpy.bincount`` calls over integer codes give
each cell's size, sum and sum of squares; ranges come from cumulative sums. Pure numpy; no pytest.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_mlops.errors import MlopsInputError

__all__ = [
    "CORRECTIONS",
    "Feature",
    "Segment",
    "SegmentSearch",
    "encode_feature",
    "search",
]

CORRECTIONS = ("bonferroni", "bh")
MISSING = "<missing>"
OTHER = "<other>"


@dataclass(frozen=True)
class Feature:
    """One feature as integer codes ``0..len(labels)-1`` per row.

    ``ordered`` numeric features have ``edges`` (the interior quantile cut points, right-closed
    bins) and, when some rows are missing, a last code for them (``has_missing``).
    """

    name: str
    codes: NDArray[np.intp]
    labels: tuple[str, ...]
    ordered: bool
    edges: tuple[float, ...] = ()
    has_missing: bool = False

    @property
    def size(self) -> int:
        return len(self.labels)


def _num(value: float) -> str:
    return f"{value:.4g}"


def _numeric_feature(name: str, values: NDArray[np.float64], bins: int) -> Feature:
    finite = np.isfinite(values)
    present = values[finite]
    missing = not bool(finite.all())
    edges = np.unique(np.quantile(present, np.linspace(0.0, 1.0, bins + 1)[1:-1])) if len(present) else np.array([])
    # drop a cut at the maximum: its upper bin would be empty
    if len(edges) and len(present) and edges[-1] >= present.max():
        edges = edges[:-1]
    k = len(edges) + 1
    codes = np.searchsorted(edges, values, side="left").astype(np.intp)
    if missing:
        codes[~finite] = k
    cuts = [_num(float(e)) for e in edges]
    labels = []
    for i in range(k):
        if k == 1:
            labels.append(f"{name} is present")
        elif i == 0:
            labels.append(f"{name} <= {cuts[0]}")
        elif i == k - 1:
            labels.append(f"{name} > {cuts[-1]}")
        else:
            labels.append(f"{cuts[i - 1]} < {name} <= {cuts[i]}")
    if missing:
        labels.append(f"{name} is missing")
    return Feature(name, codes, tuple(labels), True, tuple(float(e) for e in edges), missing)


def _categorical_feature(name: str, values: NDArray[Any], max_categories: int) -> Feature:
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.intp)
    labels = [str(u) for u in uniques]
    missing = codes < 0
    counts = np.bincount(codes[~missing], minlength=len(labels))
    if len(labels) > max_categories:
        keep = np.argsort(-counts, kind="stable")[:max_categories]
        remap = np.full(len(labels), max_categories, dtype=np.intp)
        remap[keep] = np.arange(max_categories)
        codes = np.where(missing, -1, remap[np.maximum(codes, 0)])
        labels = [labels[i] for i in keep] + [OTHER]
    shown = [f"{name} = {label}" for label in labels]
    if missing.any():
        codes = np.where(codes < 0, len(shown), codes)
        shown.append(f"{name} is missing")
    return Feature(name, codes.astype(np.intp), tuple(shown), False, (), bool(missing.any()))


def encode_feature(name: str, values: Any, *, bins: int, max_categories: int) -> Feature:
    """Codes of one feature column: quantile bins for a numeric one, categories otherwise."""
    array = np.asarray(values)
    if array.dtype.kind in "iuf":
        as_float = array.astype(np.float64)
        distinct = np.unique(as_float[np.isfinite(as_float)])
        if len(distinct) > bins:
            return _numeric_feature(name, as_float, bins)
        # few distinct numbers: each is a category, in numeric order
        labels = np.where(np.isfinite(as_float), as_float, np.nan)
        codes = np.searchsorted(distinct, labels).astype(np.intp)
        missing = ~np.isfinite(as_float)
        shown = [f"{name} = {_num(float(v))}" for v in distinct]
        if missing.any():
            codes[missing] = len(shown)
            shown.append(f"{name} is missing")
        return Feature(name, codes, tuple(shown), False, (), bool(missing.any()))
    if array.dtype.kind == "b":
        return _categorical_feature(name, array.astype(object), max_categories)
    return _categorical_feature(name, array, max_categories)


@dataclass(frozen=True)
class Segment:
    """One tested segment, with its gap against the overall metric."""

    features: tuple[str, ...]
    label: str
    n: int
    value: float
    value_low: float
    value_high: float
    gap: float
    gap_low: float
    gap_high: float
    p_value: float
    p_adjusted: float
    weak: bool

    def as_details(self) -> dict[str, Any]:
        return {
            "segment": self.label,
            "features": list(self.features),
            "n": self.n,
            "value": self.value,
            "interval": {"low": self.value_low, "high": self.value_high},
            "gap": self.gap,
            "gap_interval": {"low": self.gap_low, "high": self.gap_high},
            "p_value": self.p_value,
            "p_adjusted": self.p_adjusted,
            "weak": self.weak,
        }


@dataclass(frozen=True)
class SegmentSearch:
    """The outcome of :func:`search`: the worst segments (by the gap's lower bound) and counts."""

    overall: float
    n: int
    tested: int
    weak_count: int
    level: float
    per_segment_level: float
    worst: tuple[Segment, ...] = field(default_factory=tuple)


class _Cells:
    """Segments collected from every grouping: sizes, sums, sums of squares and where they came from."""

    def __init__(self) -> None:
        self.n: list[NDArray[np.float64]] = []
        self.s: list[NDArray[np.float64]] = []
        self.q: list[NDArray[np.float64]] = []
        self.blocks: list[tuple[tuple[int, ...], str, NDArray[np.intp]]] = []

    def add(self, features: tuple[int, ...], how: str, n: Any, s: Any, q: Any, keys: NDArray[np.intp]) -> None:
        self.n.append(np.asarray(n, dtype=np.float64))
        self.s.append(np.asarray(s, dtype=np.float64))
        self.q.append(np.asarray(q, dtype=np.float64))
        self.blocks.append((features, how, keys))


def _group(codes: NDArray[np.intp], size: int, score: NDArray[np.float64], square: NDArray[np.float64] | None) -> Any:
    n = np.bincount(codes, minlength=size).astype(np.float64)
    s = np.bincount(codes, weights=score, minlength=size)
    q = np.bincount(codes, weights=square, minlength=size) if square is not None else s
    return n, s, q


def _ranges(count: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start and end bins of every contiguous range of ``count`` ordered bins, the full range left out."""
    start, end = np.triu_indices(count)
    keep = ~((start == 0) & (end == count - 1))
    return start[keep].astype(np.intp), end[keep].astype(np.intp)


def _z(alpha: float) -> float:
    """The standard normal quantile above which ``alpha`` lies (scipy.special: far cheaper to import than stats)."""
    from scipy.special import ndtri

    return float(-ndtri(alpha))


def search(
    score: NDArray[Any],
    features: Sequence[Feature],
    *,
    rate: bool,
    higher_is_better: bool,
    max_gap: float,
    min_size: int,
    confidence: float = 0.95,
    correction: str = "bonferroni",
    pairs: Sequence[Feature] | None = None,
    top: int = 10,
) -> SegmentSearch:
    """Search one- and two-feature segments of ``features`` for those worse than overall by ``max_gap``.

    ``score`` is the per-row metric (1/0 correctness when ``rate``, else a loss or score whose
    mean is the metric). ``pairs`` are the same features coded more coarsely for crossing
    (default: ``features`` themselves). Returns the ``top`` segments with the largest lower bound
    of the gap, worst first.
    """
    from scipy.special import ndtr

    if correction not in CORRECTIONS:
        raise MlopsInputError(f"correction={correction!r} is not valid; use one of {CORRECTIONS}")
    if not 0.5 <= confidence < 1:
        raise MlopsInputError(f"confidence={confidence!r} must be at least 0.5 and below 1 (e.g. 0.95)")
    y = np.asarray(score, dtype=np.float64)
    n = len(y)
    square = None if rate else y * y
    total_s = float(y.sum())
    total_q = total_s if rate else float(square.sum())  # type: ignore[union-attr]
    cells = _Cells()
    for i, f in enumerate(features):
        cn, cs, cq = _group(f.codes, f.size, y, square)
        cells.add((i,), "cell", cn, cs, cq, np.arange(f.size, dtype=np.intp))
        bins = f.size - int(f.has_missing)
        if f.ordered and bins > 2:
            start, end = _ranges(bins)
            multi = start != end  # single bins are cells already
            start, end = start[multi], end[multi]
            cum = [np.concatenate([[0.0], np.cumsum(a[:bins])]) for a in (cn, cs, cq)]
            rn, rs, rq = (c[end + 1] - c[start] for c in cum)
            cells.add((i,), "range", rn, rs, rq, start * bins + end)
    crossed = list(pairs) if pairs is not None else list(features)
    for i in range(len(crossed)):
        for j in range(i + 1, len(crossed)):
            a, b = crossed[i], crossed[j]
            codes = a.codes * b.size + b.codes
            cn, cs, cq = _group(codes, a.size * b.size, y, square)
            cells.add((i, j), "pair", cn, cs, cq, np.arange(a.size * b.size, dtype=np.intp))
    seg_n = np.concatenate(cells.n)
    seg_s = np.concatenate(cells.s)
    seg_q = np.concatenate(cells.q)
    block_of = np.concatenate([np.full(len(b[2]), k, dtype=np.intp) for k, b in enumerate(cells.blocks)])
    key_of = np.concatenate([b[2] for b in cells.blocks])
    rest_n = n - seg_n
    tested = np.flatnonzero((seg_n >= min_size) & (rest_n >= min_size))
    overall = total_s / n
    alpha = 1.0 - confidence
    m = len(tested)
    if m == 0:
        return SegmentSearch(overall, n, 0, 0, confidence, 1.0 - alpha)
    sn, ss, sq = seg_n[tested], seg_s[tested], seg_q[tested]
    cn, cs, cq = n - sn, total_s - ss, total_q - sq
    share = cn / n
    seg_mean, rest_mean = ss / sn, cs / cn
    sign = 1.0 if higher_is_better else -1.0
    gap = sign * share * (rest_mean - seg_mean)
    if rate:
        ps, pc = (ss + 1) / (sn + 2), (cs + 1) / (cn + 2)
        centre = sign * share * (pc - ps)
        se = share * np.sqrt(ps * (1 - ps) / (sn + 2) + pc * (1 - pc) / (cn + 2))
        seg_var = seg_mean * (1 - seg_mean)
    else:
        seg_var = np.maximum(sq / sn - seg_mean**2, 0.0) * sn / (sn - 1)
        rest_var = np.maximum(cq / cn - rest_mean**2, 0.0) * cn / (cn - 1)
        centre = gap
        se = share * np.sqrt(seg_var / sn + rest_var / cn)
    se = np.maximum(se, 1e-12)
    p = ndtr(-(centre - max_gap) / se)
    if correction == "bonferroni":
        p_adj = np.minimum(p * m, 1.0)
        weak = p_adj <= alpha
        alpha_each = alpha / m
    else:
        from scipy.stats import false_discovery_control

        p_adj = false_discovery_control(p, method="bh")
        weak = p_adj <= alpha
        alpha_each = alpha * max(int(weak.sum()), 1) / m
    z = _z(alpha_each)
    low = centre - z * se
    high = centre + z * se
    order = np.argsort(-low, kind="stable")[:top]
    worst = []
    for idx in order:
        k = int(tested[idx])
        block, key = int(block_of[k]), int(key_of[k])
        names, label = _describe(cells.blocks[block], key, features, crossed)
        size = float(sn[idx])
        v = float(seg_mean[idx])
        if rate:
            v_low, v_high = _wilson(float(ss[idx]), size, z)
        else:
            half = z * math.sqrt(float(seg_var[idx]) / size)
            v_low, v_high = v - half, v + half
        worst.append(
            Segment(
                features=names,
                label=label,
                n=int(size),
                value=v,
                value_low=v_low,
                value_high=v_high,
                gap=float(gap[idx]),
                gap_low=float(low[idx]),
                gap_high=float(high[idx]),
                p_value=float(p[idx]),
                p_adjusted=float(p_adj[idx]),
                weak=bool(weak[idx]),
            )
        )
    return SegmentSearch(overall, n, m, int(weak.sum()), confidence, 1.0 - alpha_each, tuple(worst))


def _wilson(successes: float, n: float, z: float) -> tuple[float, float]:
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _describe(
    block: tuple[tuple[int, ...], str, NDArray[np.intp]],
    key: int,
    features: Sequence[Feature],
    crossed: Sequence[Feature],
) -> tuple[tuple[str, ...], str]:
    where, how, _ = block
    if how == "cell":
        f = features[where[0]]
        return (f.name,), f.labels[key]
    if how == "range":
        f = features[where[0]]
        bins = f.size - int(f.has_missing)
        start, end = divmod(key, bins)
        cuts = [_num(e) for e in f.edges]
        if start == 0:
            return (f.name,), f"{f.name} <= {cuts[end]}"
        if end == bins - 1:
            return (f.name,), f"{f.name} > {cuts[start - 1]}"
        return (f.name,), f"{cuts[start - 1]} < {f.name} <= {cuts[end]}"
    a, b = crossed[where[0]], crossed[where[1]]
    ka, kb = divmod(key, b.size)
    return (a.name, b.name), f"{a.labels[ka]} & {b.labels[kb]}"
