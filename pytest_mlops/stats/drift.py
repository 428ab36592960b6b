"""Drift statistics: exact two-sample comparisons on numpy arrays, no pandas, no pytest.

Long because: the numeric, binned and categorical comparisons share one set of distance functions
and bin layouts, and each must equal scipy to rounding; kept side by side so the exact paths are
read together.

Numeric columns (float64 arrays, NaN already removed):

* :func:`compare_numeric` computes, in one pass over each sample, the Kolmogorov–Smirnov
  statistic and p-value, the Wasserstein-1 distance (raw and normalised by the reference
  standard deviation), and PSI, Jensen–Shannon distance and Hellinger distance on quantile
  bins of the reference. Every number equals what scipy computes on the same data (to
  rounding), without sorting either sample: values are counted into fine equal-width
  buckets, the empirical CDFs are compared at bucket edges, and only the few buckets where
  the answer could change are sorted (see :func:`_bucketed`).
* :func:`compare_binned` does the same from bin counts and sums only (saved reference
  statistics, Parquet files streamed in batches): binned measures stay exact, the
  KS statistic and the Wasserstein distance come with a computed error bound.

Categorical columns: :func:`compare_counts` on two count vectors over the same categories
(chi-square test, PSI, Jensen–Shannon, L-infinity, Cramér's V).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from pytest_mlops.stats.significance import (
    ALPHA,
    KS_EXACT_MAX,
    adjust_p_values,
    chi2_p_value,
    ks_critical_value,
    ks_p_value,
    total_variation,
)

__all__ = [
    "CATEGORICAL_METHODS",
    "DEFAULT_THRESHOLDS",
    "NUMERIC_METHODS",
    "P_VALUE_METHODS",
    "SMALL_SAMPLE",
    "CategoricalComparison",
    "NumericComparison",
    "adjust_p_values",
    "chi2_test",
    "compare_binned",
    "compare_counts",
    "compare_numeric",
    "cramers_v",
    "default_method",
    "hellinger",
    "jensen_shannon",
    "ks_critical_value",
    "ks_p_value",
    "linf",
    "psi",
    "quantile_edges",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NUMERIC_METHODS = ("ks", "ks_stat", "psi", "wasserstein", "jensenshannon", "hellinger")
CATEGORICAL_METHODS = ("chi2", "psi", "jensenshannon", "linf", "cramers_v")
#: Methods whose score is a p-value: a column drifts when p < threshold.
P_VALUE_METHODS = ("ks", "chi2")
#: Drift when score > threshold, except for p-value methods (p < threshold).
DEFAULT_THRESHOLDS: dict[str, float] = {
    "ks": ALPHA,
    "chi2": ALPHA,
    "ks_stat": 0.1,
    "psi": 0.2,
    "wasserstein": 0.1,
    "jensenshannon": 0.1,
    "hellinger": 0.1,
    "linf": 0.1,
    "cramers_v": 0.1,
}
#: Kept for compatibility: the defaults no longer switch method with the sample size (the
#: old switch at 1,000 rows was a cliff in the false-alarm rate); see ``stats.significance``.
SMALL_SAMPLE = 1000
#: Shares below this are raised to it in PSI (a bin empty on one side would be infinite).
PSI_EPSILON = 1e-4
#: Below this many values in total, numeric comparison simply sorts both samples.
_SORT_BELOW = 1 << 11


def default_method(kind: str, n_min: int = 0) -> str:
    """The default method of a column of ``kind``: a calibrated test at every size (``n_min`` is unused)."""
    del n_min
    return "ks" if kind == "numeric" else "chi2"


# --------------------------------------------------------------------------------------------
# measures on two share (or count) vectors


def _shares(counts: npt.ArrayLike) -> FloatArray:
    arr = np.asarray(counts, dtype=np.float64)
    total = arr.sum()
    return arr / total if total > 0 else arr


def psi(reference: npt.ArrayLike, current: npt.ArrayLike, *, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of two count (or share) vectors over the same bins.

    ``sum((c - r) * ln(c / r))`` on shares, with shares below ``epsilon`` raised to it; bins
    empty on both sides are skipped.
    """
    r, c = _shares(reference), _shares(current)
    keep = (r > 0) | (c > 0)
    r = np.maximum(r[keep], epsilon)
    c = np.maximum(c[keep], epsilon)
    return float(np.sum((c - r) * np.log(c / r)))


def jensen_shannon(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Jensen–Shannon distance (base 2, in [0, 1]); equals ``scipy.spatial.distance.jensenshannon(p, q, base=2)``."""
    p, q = _shares(reference), _shares(current)
    m = (p + q) / 2.0

    def kl(a: FloatArray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log(a[mask] / m[mask])))

    js = (kl(p) + kl(q)) / 2.0 / math.log(2.0)
    return math.sqrt(max(js, 0.0))


def hellinger(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Hellinger distance in [0, 1]: ``sqrt(1 - sum(sqrt(p * q)))``."""
    p, q = _shares(reference), _shares(current)
    return math.sqrt(max(1.0 - float(np.sum(np.sqrt(p * q))), 0.0))


def linf(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Largest absolute difference of shares over the categories (L-infinity)."""
    p, q = _shares(reference), _shares(current)
    return float(np.max(np.abs(p - q))) if p.size else 0.0


def chi2_test(reference: npt.ArrayLike, current: npt.ArrayLike) -> tuple[float, float, int]:
    """Chi-square test of homogeneity on the 2 x k table of counts, without continuity correction.

    Returns ``(statistic, p_value, dof)``, equal to ``scipy.stats.chi2_contingency(table,
    correction=False)`` once categories empty on both sides are dropped.
    """
    from scipy.stats import chi2

    table = np.vstack([np.asarray(reference, dtype=np.float64), np.asarray(current, dtype=np.float64)])
    table = table[:, table.sum(axis=0) > 0]
    k = table.shape[1]
    rows = table.sum(axis=1)
    if k < 2 or np.any(rows == 0):
        return 0.0, 1.0, max(k - 1, 0)
    expected = np.outer(rows, table.sum(axis=0)) / table.sum()
    stat = float(np.sum((table - expected) ** 2 / expected))
    dof = k - 1
    return stat, float(chi2.sf(stat, dof)), dof


def cramers_v(reference: npt.ArrayLike, current: npt.ArrayLike) -> float:
    """Cramér's V of the 2 x k table: ``sqrt(chi2 / N)`` (no bias correction), in [0, 1]."""
    stat, _, dof = chi2_test(reference, current)
    total = float(np.sum(reference) + np.sum(current))
    if dof == 0 or total == 0:
        return 0.0
    return math.sqrt(stat / total)


# --------------------------------------------------------------------------------------------
# numeric comparison


@dataclass
class NumericComparison:
    """Every numeric measure for one column (non-null values only)."""

    n_reference: int
    n_current: int
    ks_statistic: float
    wasserstein: float
    wasserstein_normed: float
    psi: float
    jensenshannon: float
    hellinger: float
    #: interior bin edges (reference quantiles) and the shares per bin on each side
    edges: list[float]
    reference_shares: list[float]
    current_shares: list[float]
    low: float
    high: float
    #: 0 when exact; else the KS statistic lies in [ks_statistic, ks_statistic + ks_error]
    ks_error: float = 0.0
    #: 0 when exact; else the Wasserstein distance lies in [wasserstein, wasserstein + wasserstein_error]
    wasserstein_error: float = 0.0
    notes: list[str] = field(default_factory=list)
    _p_value: float | None = None

    @property
    def ks_p_value(self) -> float:
        """Two-sided KS p-value (exact for small samples, set by :func:`compare_numeric`; else asymptotic)."""
        if self._p_value is None:
            self._p_value = ks_p_value(self.ks_statistic, self.n_reference, self.n_current)
        return self._p_value

    @property
    def p_value_known(self) -> bool:
        return self._p_value is not None

    def score(self, method: str) -> float:
        if method == "ks":
            return self.ks_p_value
        return {
            "ks_stat": self.ks_statistic,
            "psi": self.psi,
            "wasserstein": self.wasserstein_normed,
            "jensenshannon": self.jensenshannon,
            "hellinger": self.hellinger,
        }[method]


def quantile_edges(sorted_or_values: FloatArray, bins: int, *, is_sorted: bool = False) -> FloatArray:
    """Interior edges at reference quantiles ``k/bins`` (``inverted_cdf``: actual data values).

    Bins are right-closed: ``(-inf, e1], (e1, e2], ..., (e_last, inf)``; equal edges (ties)
    give empty bins, which every binned measure skips.
    """
    x = sorted_or_values
    n = x.size
    ranks = np.array([math.ceil(k * n / bins) - 1 for k in range(1, bins)], dtype=np.int64)
    if is_sorted:
        return x[ranks].astype(np.float64)
    return np.partition(x, ranks)[ranks].astype(np.float64)


def _binned_measures(ref_counts: IntArray, cur_counts: IntArray) -> tuple[float, float, float]:
    return psi(ref_counts, cur_counts), jensen_shannon(ref_counts, cur_counts), hellinger(ref_counts, cur_counts)


def compare_numeric(reference: FloatArray, current: FloatArray, *, bins: int = 10) -> NumericComparison:
    """Compare two samples of finite float64 values (no NaN), exactly.

    Tiny inputs (under 2,048 values) are sorted; larger ones go through the bucketed algorithm, which touches
    each value a few times and sorts only the values of the buckets it must resolve.
    """
    n, m = int(reference.size), int(current.size)
    if n == 0 or m == 0:
        raise ValueError("both samples need at least one value")
    if n + m < _SORT_BELOW:
        ks, w, edges, rc, cc = _sorted_exact(np.sort(reference), np.sort(current), bins)
        out = _finish(reference, current, ks, w, edges, rc, cc, 0.0, 0.0)
    else:  # the range is computed once, for the buckets and the report
        low = float(min(reference.min(), current.min()))
        high = float(max(reference.max(), current.max()))
        ks, w, edges, rc, cc = _bucketed(reference, current, bins, low=low, high=high)
        out = _finish(reference, current, ks, w, edges, rc, cc, 0.0, 0.0, low=low, high=high)
    if max(n, m) <= KS_EXACT_MAX:
        out._p_value = ks_p_value(out.ks_statistic, n, m, reference=reference, current=current)
    return out


def _finish(
    reference: FloatArray | None,
    current: FloatArray | None,
    ks: float,
    w: float,
    edges: FloatArray,
    rc: IntArray,
    cc: IntArray,
    ks_error: float,
    w_error: float,
    *,
    n: int | None = None,
    m: int | None = None,
    std_reference: float | None = None,
    std_current: float | None = None,
    low: float | None = None,
    high: float | None = None,
) -> NumericComparison:
    assert reference is not None or (n is not None and std_reference is not None)
    n = int(reference.size) if reference is not None else int(n or 0)
    m = int(current.size) if current is not None else int(m or 0)
    notes: list[str] = []
    sd_r = float(np.std(reference)) if reference is not None else float(std_reference or 0.0)
    if sd_r > 0:
        w_norm = w / sd_r
    else:
        sd_c = float(np.std(current)) if current is not None else float(std_current or 0.0)
        denominator = sd_c if sd_c > 0 else 1.0
        w_norm = w / denominator
        notes.append(
            "reference is constant: wasserstein normalised by the current standard deviation"
            if sd_c > 0
            else "reference is constant: wasserstein not normalised"
        )
    p, j, h = _binned_measures(rc, cc)
    if low is None or high is None:
        assert reference is not None
        assert current is not None
        low = float(min(reference.min(), current.min()))
        high = float(max(reference.max(), current.max()))
    return NumericComparison(
        n_reference=n,
        n_current=m,
        ks_statistic=float(ks),
        wasserstein=float(w),
        wasserstein_normed=float(w_norm),
        psi=p,
        jensenshannon=j,
        hellinger=h,
        edges=[float(e) for e in edges],
        reference_shares=[float(v) for v in _shares(rc)],
        current_shares=[float(v) for v in _shares(cc)],
        low=float(low),
        high=float(high),
        ks_error=float(ks_error),
        wasserstein_error=float(w_error),
        notes=notes,
    )


def _bin_counts_sorted(sorted_values: FloatArray, edges: FloatArray) -> IntArray:
    le = np.searchsorted(sorted_values, edges, side="right").astype(np.int64)
    return np.diff(np.concatenate(([0], le, [sorted_values.size]))).astype(np.int64)


def _sorted_exact(r: FloatArray, c: FloatArray, bins: int) -> tuple[float, float, FloatArray, IntArray, IntArray]:
    """KS and Wasserstein from two sorted samples (the textbook computation)."""
    n, m = r.size, c.size
    allv = np.concatenate([r, c])
    allv.sort(kind="stable")
    cdf_r = np.searchsorted(r, allv, side="right") / n
    cdf_c = np.searchsorted(c, allv, side="right") / m
    diff = cdf_r - cdf_c
    ks = float(max(np.max(diff), float(np.clip(-np.min(diff), 0.0, 1.0))))
    w = float(np.sum(np.abs(diff[:-1]) * np.diff(allv)))
    edges = quantile_edges(r, bins, is_sorted=True)
    return ks, w, edges, _bin_counts_sorted(r, edges), _bin_counts_sorted(c, edges)


def _bucketed(
    r: FloatArray, c: FloatArray, bins: int, *, low: float | None = None, high: float | None = None
) -> tuple[float, float, FloatArray, IntArray, IntArray]:
    """Exact KS, Wasserstein and quantile-bin counts without sorting either sample.

    1. Both samples are counted into ``K`` equal-width buckets over ``[low, high]`` (the
       bucket of ``x`` is a monotone function of ``x``), with per-bucket sums of each value's
       distance to its bucket's upper edge.
    2. At each bucket's lower edge the ECDF difference ``d`` is exact. Inside a bucket it
       stays within ``[d - q, d + p]`` (``p``, ``q`` the bucket's shares): a bucket can hold
       the KS maximum only if ``max(d + p, q - d)`` exceeds the best edge value, and the
       integral of ``|F_r - F_c|`` over it follows from the counts and sums whenever
       ``d - q >= 0`` or ``d + p <= 0`` (no sign change).
    3. The remaining buckets (few: near the KS maximum and where the ECDFs cross), plus the
       buckets holding the reference quantiles, are resolved by sorting their values.
    """
    n, m = r.size, c.size
    if low is None or high is None:
        low = float(min(r.min(), c.min()))
        high = float(max(r.max(), c.max()))
    if not high > low:  # every value equal
        edges = np.full(bins - 1, low)
        return 0.0, 0.0, edges, _bin_counts_sorted(np.sort(r), edges), _bin_counts_sorted(np.sort(c), edges)
    k = int(min(1 << 18, max(64, (n + m) // 8)))
    scale = k / (high - low)
    width = (high - low) / k

    def bucket_of(x: FloatArray) -> IntArray:
        b = ((x - low) * scale).astype(np.int64)
        np.minimum(b, k - 1, out=b)
        return b

    def bucketize(x: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
        t = x - low
        t *= scale
        b = t.astype(np.int64)
        np.minimum(b, k - 1, out=b)
        counts = np.bincount(b, minlength=k).astype(np.int64)
        # summed distance to the bucket's upper edge, in bucket widths: sum((b + 1) - t)
        gaps: FloatArray = counts * (np.arange(k) + 1.0) - np.bincount(b, weights=t, minlength=k)
        return b, counts, gaps

    br, cr, gr = bucketize(r)
    bc, cc, gc = bucketize(c)
    cum_r = np.concatenate(([0], np.cumsum(cr)))
    cum_c = np.concatenate(([0], np.cumsum(cc)))
    d_edge = cum_r / n - cum_c / m  # at the lower edge of bucket b (b = 0..k)
    d = d_edge[:-1]
    p = cr / n
    q = cc / m
    best = float(np.max(np.abs(d_edge)))
    ks_candidates = np.maximum(d + p, q - d) > best
    constant = (d - q >= 0) | (d + p <= 0)
    # integral over a bucket of F_r - F_c, valid where the sign does not change
    integral = width * (d + gr / n - gc / m)
    w_const = float(np.sum(np.abs(integral[constant])))

    # reference quantile ranks -> the buckets holding them
    ranks = np.array([math.ceil(j * n / bins) - 1 for j in range(1, bins)], dtype=np.int64)
    rank_buckets = np.searchsorted(cum_r[1:], ranks, side="right")
    resolve = ks_candidates | ~constant
    resolve[rank_buckets] = True
    mr = resolve[br]
    mc = resolve[bc]
    # sort the values to resolve; their buckets follow from the same (monotone) formula
    vr = np.sort(r[mr])
    kr = bucket_of(vr)
    vc = np.sort(c[mc])
    kc = bucket_of(vc)

    # quantile edges: the (rank - cum_r[b])-th value of bucket b among the sorted resolved values
    start_r = np.searchsorted(kr, rank_buckets, side="left")
    edges = vr[start_r + (ranks - cum_r[rank_buckets])].astype(np.float64)
    edge_buckets = rank_buckets
    start_c = np.searchsorted(kc, edge_buckets, side="left")
    le_r = cum_r[edge_buckets] + np.searchsorted(vr, edges, side="right") - start_r
    le_c = cum_c[edge_buckets] + np.searchsorted(vc, edges, side="right") - start_c
    ref_bins = np.diff(np.concatenate(([0], le_r, [n]))).astype(np.int64)
    cur_bins = np.diff(np.concatenate(([0], le_c, [m]))).astype(np.int64)

    ks = best
    w_resolved = 0.0
    merge = ks_candidates | ~constant
    if np.any(merge):
        # merge the resolved values of both samples, bucket by bucket, in value order
        keep_r = merge[kr]
        keep_c = merge[kc]
        xr, yr = vr[keep_r], kr[keep_r]
        xc, yc = vc[keep_c], kc[keep_c]
        vals = np.concatenate([xr, xc])
        bks = np.concatenate([yr, yc])
        is_r = np.concatenate([np.ones(xr.size, np.int64), np.zeros(xc.size, np.int64)])
        # two sorted runs: a stable argsort merges them in linear time; bucket order follows
        order = np.argsort(vals, kind="stable")
        vals, bks, is_r = vals[order], bks[order], is_r[order]
        size = vals.size
        new_group = np.ones(size, dtype=bool)
        new_group[1:] = bks[1:] != bks[:-1]
        group_start = np.flatnonzero(new_group)
        group_id = np.cumsum(new_group) - 1
        inc_r = np.cumsum(is_r)
        inc_c = np.cumsum(1 - is_r)
        before_r = (inc_r - is_r)[group_start]
        before_c = (inc_c - (1 - is_r))[group_start]
        within_r = inc_r - before_r[group_id]
        within_c = inc_c - before_c[group_id]
        f_r = (cum_r[bks] + within_r) / n
        f_c = (cum_c[bks] + within_c) / m
        diff_after = f_r - f_c
        last_of_tie = np.ones(size, dtype=bool)
        last_of_tie[:-1] = vals[:-1] != vals[1:]
        ks = max(ks, float(np.max(np.abs(diff_after[last_of_tie]))))
        # Wasserstein over the buckets with a sign change: exact piecewise integral
        amb = ~constant[bks]
        if np.any(amb):
            upper = low + (bks + 1) * width
            nxt = np.empty(size)
            nxt[:-1] = vals[1:]
            last_in_group = np.ones(size, dtype=bool)
            last_in_group[:-1] = bks[1:] != bks[:-1]
            nxt[last_in_group] = upper[last_in_group]
            seg = np.abs(diff_after) * (nxt - vals)
            first_seg = np.abs(d[bks[group_start]]) * (vals[group_start] - (low + bks[group_start] * width))
            w_resolved = float(np.sum(seg[amb]) + np.sum(first_seg[amb[group_start]]))
            # ambiguous buckets without any value cannot exist (p = q = 0 is constant)
    w = w_const + w_resolved
    return ks, w, edges, ref_bins, cur_bins


# --------------------------------------------------------------------------------------------
# binned comparison (saved reference statistics, streamed data)


def compare_binned(
    edges: FloatArray,
    ref_counts: IntArray,
    ref_sums: FloatArray,
    cur_counts: IntArray,
    cur_sums: FloatArray,
    *,
    ref_low: float,
    ref_high: float,
    cur_low: float,
    cur_high: float,
    std_reference: float,
    std_current: float,
    psi_edges_index: IntArray,
) -> NumericComparison:
    """Compare two samples known only by counts and sums over the same right-closed bins.

    ``edges`` are the interior edges (len ``B - 1``); counts and sums have ``B`` entries.
    The KS statistic is the largest ECDF difference at the edges, a lower bound; the true
    value is at most ``ks_error`` (the largest bin share on either side) above it. The
    Wasserstein distance is exact over bins where the ECDFs do not cross and bounded
    elsewhere. PSI, Jensen–Shannon and Hellinger use the bins at ``psi_edges_index`` (a
    subset of ``edges``) and are exact.
    """
    n, m = int(ref_counts.sum()), int(cur_counts.sum())
    low, high = min(ref_low, cur_low), max(ref_high, cur_high)
    full = np.concatenate(([low], edges, [high]))
    cum_r = np.concatenate(([0], np.cumsum(ref_counts)))
    cum_c = np.concatenate(([0], np.cumsum(cur_counts)))
    d_edge = cum_r / n - cum_c / m
    d = d_edge[:-1]
    widths = np.diff(full)
    upper = full[1:]
    # A bin whose values all sit on its upper edge (ties, integer data) adds no uncertainty inside it.
    p = np.where(ref_sums == ref_counts * upper, 0.0, ref_counts / n)
    q = np.where(cur_sums == cur_counts * upper, 0.0, cur_counts / m)
    ks = float(np.max(np.abs(d_edge)))
    ks_hi = float(np.max(np.maximum(d + p, q - d)))
    integral = widths * d + (ref_counts * upper - ref_sums) / n - (cur_counts * upper - cur_sums) / m
    constant = (d - q >= 0) | (d + p <= 0)
    w = float(np.sum(np.abs(integral)))
    bound = np.maximum(np.abs(d) + np.maximum(p, q), 0.0) * widths
    w_error = float(np.sum((bound - np.abs(integral))[~constant]))
    idx = np.asarray(psi_edges_index, dtype=np.int64)
    coarse_r = np.diff(np.concatenate(([0], cum_r[1:][idx], [n])))
    coarse_c = np.diff(np.concatenate(([0], cum_c[1:][idx], [m])))
    return _finish(
        None,
        None,
        ks,
        w,
        edges[idx],
        coarse_r.astype(np.int64),
        coarse_c.astype(np.int64),
        max(ks_hi - ks, 0.0),
        max(w_error, 0.0),
        n=n,
        m=m,
        std_reference=std_reference,
        std_current=std_current,
        low=low,
        high=high,
    )


# --------------------------------------------------------------------------------------------
# categorical comparison


@dataclass
class CategoricalComparison:
    """Every categorical measure for one column, over ``categories`` (reference first, then unseen)."""

    categories: list[Any]
    reference_counts: list[int]
    current_counts: list[int]
    chi2_statistic: float
    chi2_p_value: float
    psi: float
    jensenshannon: float
    linf: float
    cramers_v: float
    unseen: list[Any]
    notes: list[str] = field(default_factory=list)
    #: total variation distance of the shares (half their L1 distance): the default effect
    total_variation: float = 0.0
    #: how the chi-square p-value was computed: "asymptotic" or "monte carlo"
    chi2_method: str = "asymptotic"

    @property
    def n_reference(self) -> int:
        return int(sum(self.reference_counts))

    @property
    def n_current(self) -> int:
        return int(sum(self.current_counts))

    def score(self, method: str) -> float:
        return {
            "chi2": self.chi2_p_value,
            "psi": self.psi,
            "jensenshannon": self.jensenshannon,
            "linf": self.linf,
            "cramers_v": self.cramers_v,
            "total_variation": self.total_variation,
        }[method]


def compare_counts(
    reference: dict[Any, int], current: dict[Any, int], *, rng: np.random.Generator | None = None
) -> CategoricalComparison:
    """Compare two ``category -> count`` maps (nulls excluded).

    With ``rng``, the chi-square p-value of a sparse table (an expected count below 5) comes from
    a seeded Monte Carlo null (:func:`~pytest_mlops.stats.significance.chi2_p_value`).
    """
    cats = sorted(reference, key=lambda k: (-reference[k], str(k)))
    seen = set(cats)
    unseen = sorted((k for k in current if k not in seen), key=lambda k: (-current[k], str(k)))
    cats += unseen
    rc = np.array([reference.get(k, 0) for k in cats], dtype=np.int64)
    cc = np.array([current.get(k, 0) for k in cats], dtype=np.int64)
    stat, pv, how = chi2_p_value(rc, cc, rng=rng)
    notes = []
    if unseen:
        shown = ", ".join(repr(u) for u in unseen[:3]) + (" ..." if len(unseen) > 3 else "")
        share = float(cc[len(cats) - len(unseen) :].sum() / max(cc.sum(), 1))
        notes.append(f"{len(unseen)} categories unseen in reference ({shown}), {share:.2%} of current rows")
    return CategoricalComparison(
        categories=cats,
        reference_counts=[int(v) for v in rc],
        current_counts=[int(v) for v in cc],
        chi2_statistic=stat,
        chi2_p_value=pv,
        psi=psi(rc, cc),
        jensenshannon=jensen_shannon(rc, cc),
        linf=linf(rc, cc),
        cramers_v=math.sqrt(stat / float(rc.sum() + cc.sum())) if rc.sum() and cc.sum() else 0.0,
        unseen=unseen,
        notes=notes,
        total_variation=total_variation(rc, cc),
        chi2_method=how,
    )
