"""The drift statistics against scipy (property-based) and against hand-computed values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon
from scipy.stats.contingency import association

from pytest_mlops.stats import drift as D

REL = 1e-9


def scipy_ks(r: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "exact calculation unsuccessful", as we do
        res = stats.ks_2samp(r, c)
    return float(res.statistic), float(res.pvalue)


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=REL * max(scale, 1e-300))


# values with many ties (rounded) or continuous; two samples of different sizes
samples = st.integers(min_value=1, max_value=400).flatmap(
    lambda n: st.tuples(
        st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False, width=64), min_size=n, max_size=n),
        st.integers(0, 3),
    )
)


def _arr(data: tuple[list[float], int]) -> np.ndarray:
    values, digits = data
    x = np.asarray(values, dtype=np.float64)
    return np.round(x, digits) if digits < 3 else x


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples, samples)
def test_sorted_path_matches_scipy(a: tuple[list[float], int], b: tuple[list[float], int]) -> None:
    r, c = _arr(a), _arr(b)
    res = D.compare_numeric(r, c)
    ks, p = scipy_ks(r, c)
    assert res.ks_statistic == pytest.approx(ks, rel=REL, abs=1e-15)
    assert close(res.ks_p_value, p)
    spread = float(np.ptp(np.concatenate([r, c]))) or 1.0
    assert close(res.wasserstein, stats.wasserstein_distance(r, c), spread)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(samples, samples, st.sampled_from([2, 5, 10, 20]))
def test_bucketed_path_matches_scipy(a: tuple[list[float], int], b: tuple[list[float], int], bins: int) -> None:
    """The bucketed algorithm (used above 32k values) on small, tie-heavy inputs: same numbers."""
    r, c = _arr(a), _arr(b)
    ks, w, edges, rc, cc = D._bucketed(r, c, bins)
    assert ks == pytest.approx(scipy_ks(r, c)[0], rel=REL, abs=1e-15)
    spread = float(np.ptp(np.concatenate([r, c]))) or 1.0
    assert close(w, stats.wasserstein_distance(r, c), spread)
    np.testing.assert_array_equal(edges, np.quantile(r, np.arange(1, bins) / bins, method="inverted_cdf"))
    assert rc.sum() == r.size
    assert cc.sum() == c.size
    full = np.concatenate([[-np.inf], edges, [np.inf]])
    for i in range(bins):
        assert rc[i] == np.sum((r > full[i]) & (r <= full[i + 1]))
        assert cc[i] == np.sum((c > full[i]) & (c <= full[i + 1]))


@pytest.mark.parametrize(("n", "m", "shift", "digits"), [(60_000, 45_000, 0.0, None), (50_000, 50_000, 0.05, 1)])
def test_bucketed_large_matches_scipy(n: int, m: int, shift: float, digits: int | None) -> None:
    rng = np.random.default_rng(7)
    r = rng.standard_t(3, size=n)
    c = rng.standard_t(3, size=m) + shift
    if digits is not None:
        r, c = np.round(r, digits), np.round(c, digits)
    res = D.compare_numeric(r, c)
    ks, p = scipy_ks(r, c)
    assert res.ks_statistic == pytest.approx(ks, rel=REL)
    assert res.ks_p_value == pytest.approx(p, rel=REL, abs=1e-300)
    assert res.wasserstein == pytest.approx(stats.wasserstein_distance(r, c), rel=REL)
    assert res.wasserstein_normed == pytest.approx(stats.wasserstein_distance(r, c) / np.std(r), rel=REL)


shares = st.lists(st.integers(0, 1000), min_size=2, max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_categorical_measures_match_scipy(data: st.DataObject) -> None:
    k = data.draw(st.integers(2, 30))
    rc = np.asarray(data.draw(st.lists(st.integers(0, 1000), min_size=k, max_size=k)))
    cc = np.asarray(data.draw(st.lists(st.integers(0, 1000), min_size=k, max_size=k)))
    if rc.sum() == 0 or cc.sum() == 0:
        return
    assert close(D.jensen_shannon(rc, cc), float(jensenshannon(rc / rc.sum(), cc / cc.sum(), base=2)))
    table = np.vstack([rc, cc])
    table = table[:, table.sum(axis=0) > 0]
    stat, p, dof = D.chi2_test(rc, cc)
    if table.shape[1] >= 2:
        ref = stats.chi2_contingency(table, correction=False)
        assert close(stat, float(ref.statistic), float(ref.statistic))
        assert close(p, float(ref.pvalue))
        assert dof == ref.dof
        assert close(D.cramers_v(rc, cc), float(association(table, method="cramer", correction=False)))
    p_sh, q_sh = rc / rc.sum(), cc / cc.sum()
    assert close(D.hellinger(rc, cc), math.sqrt(max(0.0, 1 - float(np.sum(np.sqrt(p_sh * q_sh))))))
    assert close(D.linf(rc, cc), float(np.max(np.abs(p_sh - q_sh))))


def test_psi_by_hand() -> None:
    # shares 0.5/0.5 vs 0.25/0.75: (0.25-0.5)ln(0.5) + (0.75-0.5)ln(1.5)
    assert D.psi([50, 50], [25, 75]) == pytest.approx(-0.25 * math.log(0.5) + 0.25 * math.log(1.5), rel=1e-12)
    # identical distributions
    assert D.psi([1, 2, 3], [2, 4, 6]) == 0.0
    # an empty bin on one side uses epsilon = 1e-4; both-empty bins are skipped
    expected = (0.5 - 1e-4) * math.log(0.5 / 1e-4) + (0.5 - 1.0) * math.log(0.5 / 1.0)
    assert D.psi([0, 10, 0], [5, 5, 0]) == pytest.approx(expected, rel=1e-12)


def test_numeric_psi_uses_reference_deciles_by_hand() -> None:
    r = np.arange(1.0, 101.0)  # deciles at 10, 20, ... 90 (inverted_cdf)
    c = np.concatenate([np.full(50, 5.0), np.full(50, 95.0)])  # half in the first bin, half in the last
    res = D.compare_numeric(r, c)
    assert res.edges == [10.0 * k for k in range(1, 10)]
    assert res.reference_shares == [0.1] * 10
    assert res.current_shares == [0.5] + [0.0] * 8 + [0.5]
    expected = 2 * (0.4 * math.log(5)) + 8 * ((1e-4 - 0.1) * math.log(1e-4 / 0.1))
    assert res.psi == pytest.approx(expected, rel=1e-12)


def test_constant_reference_is_explained() -> None:
    res = D.compare_numeric(np.full(100, 3.0), np.full(80, 3.0))
    assert (res.ks_statistic, res.wasserstein, res.psi) == (0.0, 0.0, 0.0)
    shifted = D.compare_numeric(np.full(100, 3.0), np.linspace(2, 4, 50))
    assert shifted.notes == ["reference is constant: wasserstein normalised by the current standard deviation"]
    assert shifted.wasserstein_normed == pytest.approx(
        stats.wasserstein_distance(np.full(100, 3.0), np.linspace(2, 4, 50)) / np.std(np.linspace(2, 4, 50))
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.0, 1.0), st.floats(0.5, 2.0), st.sampled_from([None, 0, 1]))
def test_binned_bounds_contain_the_exact_values(seed: int, shift: float, scale: float, digits: int | None) -> None:
    """Saved/streamed comparison: the exact KS and Wasserstein lie within the reported bounds (ties too)."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=3000) * 3
    c = rng.normal(shift, scale, size=2000) * 3
    if digits is not None:  # heavy ties: integer-like data, where bins sit on single values
        r, c = np.round(r, digits), np.round(c, digits)
    from pytest_mlops.stats.refstats import BinnedCounter, _grid_from_sorted, psi_index

    edges, counts, sums = _grid_from_sorted(np.sort(r), 100)
    counter = BinnedCounter(edges)
    counter.add(c, n_rows=c.size, n_null=0)
    got = D.compare_binned(
        edges,
        counts,
        sums,
        counter.counts,
        counter.sums,
        ref_low=float(r.min()),
        ref_high=float(r.max()),
        cur_low=float(c.min()),
        cur_high=float(c.max()),
        std_reference=float(np.std(r)),
        std_current=float(np.std(c)),
        psi_edges_index=psi_index(10, 100),
    )
    exact = D.compare_numeric(r, c)
    assert got.ks_statistic <= exact.ks_statistic + 1e-12
    assert exact.ks_statistic <= got.ks_statistic + got.ks_error + 1e-12
    assert got.wasserstein <= exact.wasserstein * (1 + 1e-9) + 1e-12
    assert exact.wasserstein <= got.wasserstein + got.wasserstein_error + 1e-9
    # binned measures are exact: the decile bins of the grid are the exact deciles
    assert got.psi == pytest.approx(exact.psi, rel=1e-9)
    assert got.jensenshannon == pytest.approx(exact.jensenshannon, rel=1e-9)


def test_multiple_testing_corrections() -> None:
    p = [0.01, 0.04, 0.03, 0.20]
    assert D.adjust_p_values(p, None) == p
    assert D.adjust_p_values(p, "bonferroni") == pytest.approx([0.04, 0.16, 0.12, 0.8])
    # Benjamini-Hochberg by hand: sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.0533, 0.0533, 0.20
    assert D.adjust_p_values(p, "bh") == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    # Holm by hand: sorted 0.01, 0.03, 0.04, 0.20 -> 0.04, 0.09, 0.09 (monotone), 0.20
    assert D.adjust_p_values(p, "holm") == pytest.approx([0.04, 0.09, 0.09, 0.2])
    with pytest.raises(ValueError, match="correction='sidak'"):
        D.adjust_p_values(p, "sidak")


def test_default_methods_do_not_switch_with_size() -> None:
    """The old switch to effect sizes above 1,000 rows was a cliff in the false-alarm rate."""
    for n in (50, 1000, 1001, 5_000_000):
        assert D.default_method("numeric", n) == "ks"
        assert D.default_method("categorical", n) == "chi2"


def test_unseen_categories_are_reported() -> None:
    res = D.compare_counts({"a": 50, "b": 50}, {"a": 40, "b": 40, "z": 20})
    assert res.categories == ["a", "b", "z"]
    assert res.unseen == ["z"]
    assert res.reference_counts == [50, 50, 0]
    assert res.notes == ["1 categories unseen in reference ('z'), 20.00% of current rows"]
    assert math.isfinite(res.psi)
    assert res.psi > 0.2
