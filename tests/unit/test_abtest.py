"""A/B statistics cross-checked against scipy reference numbers on fixed data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from scipy import stats

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.abtest import (
    minimum_detectable_effect_mean,
    minimum_detectable_effect_proportion,
    required_sample_size_mean,
    required_sample_size_proportion,
    sample_ratio_mismatch,
    two_proportion_ztest,
    welch_from_stats,
    welch_ttest,
)

RNG = np.random.default_rng(20261126)
CONTROL = RNG.normal(10.0, 2.0, 400)
TREATMENT = RNG.normal(10.4, 3.0, 350)


# -- two-proportion z-test ----------------------------------------------------------------------------


def test_ztest_matches_hand_computation() -> None:
    # 480/10000 vs 560/10020: pooled p = 1040/20020
    result = two_proportion_ztest(480, 10_000, 560, 10_020, alternative="two-sided")
    pooled = 1040 / 20_020
    se = math.sqrt(pooled * (1 - pooled) * (1 / 10_000 + 1 / 10_020))
    z = (560 / 10_020 - 480 / 10_000) / se
    assert result.statistic == pytest.approx(z, rel=1e-12)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)
    assert result.statistic == pytest.approx(2.5147, abs=1e-4)  # fixed reference numbers
    assert result.p_value == pytest.approx(0.011915, abs=1e-6)


def test_ztest_two_sided_equals_uncorrected_chi_square() -> None:
    table = np.array([[480, 10_000 - 480], [560, 10_020 - 560]])
    chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
    result = two_proportion_ztest(480, 10_000, 560, 10_020)
    assert result.statistic**2 == pytest.approx(chi2, rel=1e-10)
    assert result.p_value == pytest.approx(p, rel=1e-10)


def test_ztest_one_sided_and_interval() -> None:
    greater = two_proportion_ztest(480, 10_000, 560, 10_020, alternative="greater", confidence=0.95)
    less = two_proportion_ztest(480, 10_000, 560, 10_020, alternative="less", confidence=0.95)
    assert greater.p_value == pytest.approx(stats.norm.sf(greater.statistic), rel=1e-12)
    assert less.p_value == pytest.approx(stats.norm.cdf(less.statistic), rel=1e-12)
    assert greater.p_value + less.p_value == pytest.approx(1.0)
    pa, pb = 0.048, 560 / 10_020
    se = math.sqrt(pa * (1 - pa) / 10_000 + pb * (1 - pb) / 10_020)
    assert greater.ci_low == pytest.approx(pb - pa - stats.norm.ppf(0.95) * se, rel=1e-12)
    assert greater.ci_high == math.inf
    both = two_proportion_ztest(480, 10_000, 560, 10_020, confidence=0.9)
    assert both.ci_low == pytest.approx(greater.ci_low, rel=1e-12)  # 90% two-sided = 95% one-sided


def test_ztest_degenerate_and_bad_counts() -> None:
    assert two_proportion_ztest(0, 100, 0, 100).p_value == 1.0
    with pytest.raises(MlopsInputError, match="successes out of"):
        two_proportion_ztest(11, 10, 1, 10)
    with pytest.raises(MlopsInputError, match="alternative"):
        two_proportion_ztest(1, 10, 1, 10, alternative="bigger")  # type: ignore[arg-type]


# -- Welch ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_welch_matches_scipy(alternative: str) -> None:
    ours = welch_ttest(CONTROL, TREATMENT, alternative=alternative, confidence=0.9)  # type: ignore[arg-type]
    ref = stats.ttest_ind(TREATMENT, CONTROL, equal_var=False, alternative=alternative)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-10)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    assert ours.df == pytest.approx(ref.df, rel=1e-10)
    ci = ref.confidence_interval(0.9)
    assert ours.ci_low == pytest.approx(ci.low, rel=1e-9)
    assert ours.ci_high == pytest.approx(ci.high, rel=1e-9)
    assert ours.effect == pytest.approx(TREATMENT.mean() - CONTROL.mean())


def test_welch_from_stats_matches_scipy() -> None:
    ours = welch_from_stats(3.1, 1.2, 40, 3.6, 2.5, 25)
    ref = stats.ttest_ind_from_stats(3.6, 2.5, 25, 3.1, 1.2, 40, equal_var=False)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-10)


@settings(max_examples=40, deadline=None)
@given(
    hs.lists(hs.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=40),
    hs.lists(hs.floats(-1e3, 1e3, allow_nan=False), min_size=3, max_size=40),
)
def test_welch_property_against_scipy(a: list[float], b: list[float]) -> None:
    if np.std(a) < 1e-6 or np.std(b) < 1e-6:
        return  # scipy returns nan for zero variance; covered separately
    ours = welch_ttest(a, b)
    ref = stats.ttest_ind(b, a, equal_var=False)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-6, abs=1e-9)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)


def test_welch_needs_two_values() -> None:
    with pytest.raises(MlopsInputError, match="at least 2 values"):
        welch_ttest([1.0], [1.0, 2.0])
    with pytest.raises(MlopsInputError, match="no values"):
        welch_ttest([math.nan], [1.0, 2.0])


# -- sample ratio mismatch --------------------------------------------------------------------------------


def test_srm_matches_scipy_chisquare() -> None:
    counts = [50_650, 49_350]
    ours = sample_ratio_mismatch(counts)
    ref = stats.chisquare(counts)
    assert ours.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert ours.p_value < 0.001  # a 50.65/49.35 split on 100k units is a mismatch

    uneven = sample_ratio_mismatch([9_120, 880], planned=[90, 10])
    ref = stats.chisquare([9_120, 880], f_exp=[9_000, 1_000])
    assert uneven.statistic == pytest.approx(ref.statistic, rel=1e-12)
    assert uneven.p_value == pytest.approx(ref.pvalue, rel=1e-10)
    assert uneven.planned_shares == pytest.approx((0.9, 0.1))


def test_srm_three_arms_and_bad_input() -> None:
    ours = sample_ratio_mismatch([1000, 1040, 980])
    assert ours.df == 2
    assert ours.p_value == pytest.approx(stats.chisquare([1000, 1040, 980]).pvalue, rel=1e-10)
    with pytest.raises(MlopsInputError, match="one positive weight per arm"):
        sample_ratio_mismatch([10, 10], planned=[1, 1, 1])
    with pytest.raises(MlopsInputError, match="non-negative counts"):
        sample_ratio_mismatch([10])


# -- power --------------------------------------------------------------------------------------------------


def test_mde_and_sample_size_are_consistent() -> None:
    n = required_sample_size_proportion(0.05, 0.01, alpha=0.05, power=0.8)
    z = stats.norm.ppf(0.95) + stats.norm.ppf(0.8)
    assert n == math.ceil(z**2 * 2 * 0.05 * 0.95 / 0.01**2)
    assert minimum_detectable_effect_proportion(0.05, n, n) <= 0.01
    assert minimum_detectable_effect_proportion(0.05, n - 1, n - 1) > 0.01

    m = required_sample_size_mean(2.0, 3.0, 0.5)
    assert minimum_detectable_effect_mean(2.0, 3.0, m, m) <= 0.5
    assert minimum_detectable_effect_mean(2.0, 3.0, m - 1, m - 1) > 0.5


def test_power_of_the_mde_is_the_requested_power() -> None:
    # At the MDE, a one-sided z-test at alpha rejects with probability `power` (normal approximation).
    p, n = 0.1, 5_000
    mde = minimum_detectable_effect_proportion(p, n, n, alpha=0.05, power=0.9)
    se = math.sqrt(p * (1 - p) * 2 / n)
    power = stats.norm.sf(stats.norm.ppf(0.95) - mde / se)
    assert power == pytest.approx(0.9, rel=1e-12)
