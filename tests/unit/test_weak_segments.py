"""The weak-segment gate: finds a planted weak segment, stays quiet on data without one, bad input.

The calibration test runs the engine on many seeds of data where no segment is weaker than the
rest (the strictest bound, ``max_gap=0``) and counts the seeds on which it reports a weak
segment: the Bonferroni correction over every tested segment must keep that at or below 5%.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlops import _recorder
from pytest_mlops.errors import GateFailure, MlopsInputError
from pytest_mlops.gates.segments import check_weak_segments
from pytest_mlops.stats.segments import encode_feature, search

pytestmark = pytest.mark.mlops_stop_at_first

N = 5000


@pytest.fixture
def sink() -> Iterator[_recorder.Sink]:
    own = _recorder.Sink(nodeid="private")
    _recorder.push(own)
    yield own
    _recorder.pop(own)


def frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "plan": rng.choice(["free", "pro", "team", "biz"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "region": rng.choice(["north", "south", "east"], n),
            "tenure": rng.gamma(2.0, 12.0, n),
            "spend": rng.normal(50.0, 10.0, n),
            "tickets": rng.poisson(1.5, n),
        }
    )


def planted(seed: int, *, weak: str = "tail") -> tuple[pd.DataFrame, Any, Any, Any]:
    """Accuracy 0.6 on 5% of rows, 0.95 elsewhere: the top 5% of spend, or region=east & plan=biz-like."""
    rng = np.random.default_rng(seed + 1000)
    X = frame(N, seed)
    if weak == "tail":
        mask = (X["spend"] > np.quantile(X["spend"], 0.95)).to_numpy()
    else:  # a two-feature segment (region = east & plan = biz: 1/3 * 10% ~ 3.3% of rows)
        mask = ((X["region"] == "east") & (X["plan"] == "biz")).to_numpy()
    y = rng.integers(0, 2, N)
    correct = rng.uniform(size=N) < np.where(mask, 0.6, 0.95)
    return X, y, np.where(correct, y, 1 - y), mask


@pytest.mark.parametrize("seed", range(5))
def test_finds_the_planted_weak_tail(sink: _recorder.Sink, seed: int) -> None:
    X, y, pred, _mask = planted(seed)
    with pytest.raises(GateFailure, match=r"weak segment.*worst spend > .*gap lower bound .* > max_gap 0.05"):
        check_weak_segments("accuracy", y, pred, X=X, max_gap=0.05)
    result = sink.results[-1]
    worst = result.details["segments"][0]
    assert worst["weak"]
    assert worst["features"] == ["spend"]
    assert worst["segment"].startswith("spend > ")
    assert worst["interval"]["low"] <= worst["value"] <= worst["interval"]["high"]
    assert result.observed == worst["gap_interval"]["low"] > 0.05
    assert result.details["min_size"] == 50  # max(30, 1% of 5,000)


def test_finds_a_planted_two_feature_segment(sink: _recorder.Sink) -> None:
    X, y, pred, mask = planted(3, weak="pair")
    with pytest.raises(GateFailure):
        check_weak_segments("accuracy", y, pred, X=X, max_gap=0.05, features=["plan", "region", "spend"])
    worst = sink.results[-1].details["segments"][0]
    assert sorted(worst["features"]) == ["plan", "region"]
    assert worst["segment"] == "plan = biz & region = east"
    assert worst["n"] == int(mask.sum())


def test_interval_matches_the_reported_correction(sink: _recorder.Sink) -> None:
    X, y, pred, _ = planted(0)
    result = check_weak_segments("accuracy", y, pred, X=X, max_gap=0.5)
    d = result.details
    assert result.passed
    assert d["weak_count"] == 0
    assert d["per_segment_level"] == pytest.approx(1 - 0.05 / d["tested"])
    # Bonferroni: every reported corrected p-value is the raw one times the number tested (capped at 1)
    for s in d["segments"]:
        assert s["p_adjusted"] == pytest.approx(min(1.0, s["p_value"] * d["tested"]))
        assert s["gap_interval"]["low"] <= 0.5  # none weak at max_gap 0.5
    assert [s["gap_interval"]["low"] for s in d["segments"]] == sorted(
        (s["gap_interval"]["low"] for s in d["segments"]), reverse=True
    )


def _null_alarm(seed: int, kind: str) -> bool:
    rng = np.random.default_rng([seed, 7])  # a stream of its own: frame() draws from default_rng(seed)
    X = frame(N, seed)
    single = [encode_feature(c, X[c].to_numpy(), bins=10, max_categories=20) for c in X.columns]
    crossed = [encode_feature(c, X[c].to_numpy(), bins=5, max_categories=20) for c in X.columns]
    if kind == "accuracy":
        score, rate, higher = (rng.uniform(size=N) < 0.9).astype(float), True, True
    else:  # absolute errors: a skewed per-row loss
        score, rate, higher = rng.exponential(size=N), False, False
    found = search(score, single, rate=rate, higher_is_better=higher, max_gap=0.0, min_size=50, pairs=crossed)
    assert found.tested > 250
    return found.weak_count > 0


@pytest.mark.parametrize("kind", ["accuracy", "mae"])
def test_no_weak_segment_reported_on_null_data_in_95_percent_of_seeds(kind: str) -> None:
    seeds = 60
    alarms = sum(_null_alarm(seed, kind) for seed in range(seeds))
    assert alarms <= 0.05 * seeds, f"{alarms} of {seeds} seeds reported a weak segment on data without one"


def test_power_and_quiet_on_the_same_seeds() -> None:
    """The planted segment is found on every seed where null data of the same shape stays quiet."""
    found = 0
    for seed in range(20):
        X, y, pred, _ = planted(seed)
        single = [encode_feature(c, X[c].to_numpy(), bins=10, max_categories=20) for c in X.columns]
        crossed = [encode_feature(c, X[c].to_numpy(), bins=5, max_categories=20) for c in X.columns]
        score = (y == pred).astype(float)
        r = search(score, single, rate=True, higher_is_better=True, max_gap=0.05, min_size=50, pairs=crossed)
        found += r.weak_count > 0 and "spend" in r.worst[0].features
    assert found == 20


def test_loss_metric_and_bh(sink: _recorder.Sink) -> None:
    X, y, pred, _mask = planted(1)
    proba = np.where(pred == 1, 0.8, 0.2)
    with pytest.raises(GateFailure, match="Benjamini-Hochberg"):
        check_weak_segments("log_loss", y, proba, X=X, max_gap=0.1, correction="bh")
    d = sink.results[-1].details
    assert d["direction"] == "lower"
    assert d["method"] == "Welch"
    worst = d["segments"][0]
    assert worst["value"] > d["overall"]
    assert worst["gap"] > 0


def test_missing_values_and_rare_categories_are_segments(sink: _recorder.Sink) -> None:
    X, y, pred, _ = planted(2)
    X = X.copy()
    X.loc[X.index[:300], "tenure"] = np.nan
    X["city"] = [f"c{i % 50}" for i in range(N)]
    pred = pred.copy()
    pred[:300] = 1 - y[:300]  # every row with a missing tenure is wrong
    with pytest.raises(GateFailure, match="tenure is missing"):
        check_weak_segments("accuracy", y, pred, X=X, max_gap=0.2, max_categories=5)
    labels = {s["segment"] for s in sink.results[-1].details["segments"]}
    assert any(label.startswith("tenure is missing") for label in labels)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"features": ["plan", "nope"]}, r"X has no column 'nope' \(features=\)"),
        ({"X": "frame"}, "X must be a DataFrame holding the columns to segment by, got str"),
        ({"X_rows": 10}, "X has 10 rows but y_true has 5000"),
        ({"pred_nan": True}, "y_pred has 1 NaN or infinite value"),
        ({"metric": "roc_auc"}, "metric 'roc_auc' is not a mean over rows"),
        ({"max_gap": -1}, r"max_gap=-1 must be at least 0"),
        ({"confidence": 1.5}, "confidence=1.5 must be a number from 0.5"),
        ({"correction": "holm"}, "correction='holm' is not valid"),
        ({"min_size": 0}, "min_size=0 must be an integer of at least 2"),
        ({"features": "plan"}, r"features='plan' must be a list of column names"),
        ({"empty": True}, "y_true is empty"),
    ],
)
def test_bad_input_is_one_readable_line(sink: _recorder.Sink, change: dict[str, Any], message: str) -> None:
    X, y, pred, _ = planted(0)
    kwargs: dict[str, Any] = {"max_gap": 0.05}
    metric = change.pop("metric", "accuracy")
    if change.pop("X", None):
        X = "frame"  # type: ignore[assignment]
    if n := change.pop("X_rows", None):
        X = X.iloc[:n]
    if change.pop("pred_nan", False):
        pred = pred.astype(float)
        pred[3] = np.nan
    if change.pop("empty", False):
        X, y, pred = X.iloc[:0], y[:0], pred[:0]
    kwargs.update(change)
    with pytest.raises(MlopsInputError, match=message) as info:
        check_weak_segments(metric, y, pred, X=X, **kwargs)
    assert "\n" not in str(info.value)
    assert not sink.results


def test_through_the_fixture_object() -> None:
    from pytest_mlops.gates.model import ModelGates

    assert ModelGates.weak_segments is check_weak_segments
    assert "weak_segments" in repr(ModelGates())


def test_nullable_numbers_are_binned_with_missing_rows_apart(sink: _recorder.Sink) -> None:
    X, y, pred, _ = planted(0)
    tenure = pd.array([None if i % 10 == 0 else v for i, v in enumerate(X["tenure"])], dtype="Float64")
    X = X.assign(tenure=tenure, spend=X["spend"].astype("Float64"))
    with pytest.raises(GateFailure, match="worst spend > "):
        check_weak_segments("accuracy", y, pred, X=X, max_gap=0.05)
    result = check_weak_segments("accuracy", y, pred, X=X[["tenure"]], max_gap=0.5, pairs=False, top=100)
    labels = {s["segment"] for s in result.details["segments"]}
    assert "tenure is missing" in labels
    assert any(label.startswith("tenure <= ") for label in labels)  # binned, not one category per value
    assert all("<other>" not in label for label in labels)
