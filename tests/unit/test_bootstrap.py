"""Paired bootstrap intervals: reproducible, equal to a direct scikit-learn computation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.bootstrap import bootstrap_interval, paired_difference_interval
from pytest_mlops.stats.metrics import METRICS, prepare


def _two_models(n: int = 300, seed: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    good = np.clip(0.4 * y + 0.6 * rng.random(n), 0, 1)
    worse = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    return y, good, worse


def test_paired_interval_equals_direct_sklearn_bootstrap_with_the_same_draws() -> None:
    y, good, worse = _two_models()
    a, c = prepare(METRICS["roc_auc"], y, good), prepare(METRICS["roc_auc"], y, worse)
    interval = paired_difference_interval(a, c, n_resamples=200, seed=11, level=0.9)
    rng = np.random.default_rng(11)
    diffs = []
    for _ in range(200):
        idx = rng.integers(0, len(y), len(y))
        diffs.append(skm.roc_auc_score(y[idx], good[idx]) - skm.roc_auc_score(y[idx], worse[idx]))
    low, high = np.quantile(diffs, [0.05, 0.95])
    assert (interval.low, interval.high) == pytest.approx((low, high), rel=1e-9)
    assert interval.estimate == pytest.approx(skm.roc_auc_score(y, good) - skm.roc_auc_score(y, worse))
    assert interval.as_details() == {"low": interval.low, "high": interval.high, "level": 0.9}


def test_same_seed_same_interval_other_seed_other_interval() -> None:
    y, good, worse = _two_models()
    a, c = prepare(METRICS["log_loss"], y, good), prepare(METRICS["log_loss"], y, worse)
    first = paired_difference_interval(a, c, seed=3, n_resamples=300)
    again = paired_difference_interval(a, c, seed=3, n_resamples=300)
    other = paired_difference_interval(a, c, seed=4, n_resamples=300)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)


def test_paired_interval_is_narrower_than_the_unpaired_spread() -> None:
    y, good, _ = _two_models(n=500)
    rng = np.random.default_rng(0)
    similar = np.clip(good + rng.normal(0, 0.02, len(y)), 0, 1)
    a, c = prepare(METRICS["roc_auc"], y, good), prepare(METRICS["roc_auc"], y, similar)
    paired = paired_difference_interval(a, c, seed=1, n_resamples=300)
    single = bootstrap_interval(a, seed=1, n_resamples=300)
    assert paired.low <= paired.estimate <= paired.high
    assert single.low <= single.estimate <= single.high
    assert paired.high - paired.low < (single.high - single.low) / 3


def test_regression_metric_interval_matches_direct_computation() -> None:
    rng = np.random.default_rng(2)
    y = rng.normal(size=200)
    p1, p2 = y + rng.normal(0, 0.5, 200), y + rng.normal(0, 0.6, 200)
    a, c = prepare(METRICS["rmse"], y, p1), prepare(METRICS["rmse"], y, p2)
    interval = paired_difference_interval(a, c, n_resamples=100, seed=9)
    draws = np.random.default_rng(9)
    diffs = []
    for _ in range(100):
        idx = draws.integers(0, 200, 200)
        diffs.append(skm.root_mean_squared_error(y[idx], p1[idx]) - skm.root_mean_squared_error(y[idx], p2[idx]))
    assert (interval.low, interval.high) == pytest.approx(tuple(np.quantile(diffs, [0.025, 0.975])), rel=1e-9)


def test_bad_settings_and_mismatched_rows_are_input_errors() -> None:
    y, good, worse = _two_models()
    a, c = prepare(METRICS["roc_auc"], y, good), prepare(METRICS["roc_auc"], y, worse)
    with pytest.raises(MlopsInputError, match=r"level=1.5 must be a confidence level between 0 and 1"):
        paired_difference_interval(a, c, level=1.5)
    with pytest.raises(MlopsInputError, match=r"n_resamples=10 must be an integer of at least 50"):
        paired_difference_interval(a, c, n_resamples=10)
    shorter = prepare(METRICS["roc_auc"], y[:-1], worse[:-1])
    with pytest.raises(MlopsInputError, match=r"challenger was evaluated on 300 rows and champion on 299"):
        paired_difference_interval(a, shorter)
    other_labels = prepare(METRICS["roc_auc"], 1 - y, worse)
    with pytest.raises(MlopsInputError, match="evaluated on different labels"):
        paired_difference_interval(a, other_labels)


def test_metric_undefined_on_most_resamples_is_reported() -> None:
    y = np.r_[1, np.zeros(199, dtype=int)]  # one positive: most resamples miss it
    score = np.linspace(0, 1, 200)
    ev = prepare(METRICS["roc_auc"], y, score)
    with pytest.raises(MlopsInputError, match=r"undefined on \d+ of 200 bootstrap resamples"):
        bootstrap_interval(ev, n_resamples=200)
