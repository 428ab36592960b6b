"""Calibration, fairness and robustness gates: their numbers against hand computations and fairlearn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
    selection_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import recall_score

from pytest_mlops.errors import GateFailure, GateWarning, MlopsInputError
from pytest_mlops.gates.calibration import check_calibration
from pytest_mlops.gates.fairness import check_fairness
from pytest_mlops.gates.robustness import check_directional, check_invariance, noise, relabel, scale, typos
from pytest_mlops.stats.calibration import calibration

# These tests call gate functions directly and expect the GateFailure they raise at once
pytestmark = pytest.mark.mlops_stop_at_first


# -- calibration ------------------------------------------------------------------------------------


Y = np.array([0, 0, 1, 1, 1, 0, 1, 0])
P = np.array([0.1, 0.2, 0.8, 0.9, 0.6, 0.4, 0.35, 0.05])


def test_ece_and_brier_skill_equal_a_hand_computation() -> None:
    # 10 equal-width bins: [0,.1) {0.05}, [.1,.2) {0.1}, [.2,.3) {0.2}, [.3,.4) {0.35}, [.4,.5) {0.4},
    # [.6,.7) {0.6}, [.8,.9) {0.8}, [.9,1] {0.9}: one row each, so ECE = mean |y - p|
    hand_ece = (0.05 + 0.1 + 0.2 + 0.65 + 0.4 + 0.4 + 0.2 + 0.1) / 8
    hand_brier = (0.01 + 0.04 + 0.04 + 0.01 + 0.16 + 0.16 + 0.4225 + 0.0025) / 8
    base = 0.5
    result = check_calibration(Y, P, max_ece=0.5, min_brier_skill=0.0)
    assert result.passed
    assert result.details["ece"] == pytest.approx(hand_ece)
    assert result.details["brier"] == pytest.approx(hand_brier)
    assert result.details["brier_reference"] == pytest.approx(base * (1 - base))
    assert result.details["brier_skill"] == pytest.approx(1 - hand_brier / 0.25)
    assert result.observed == pytest.approx(hand_ece)
    assert [b["n"] for b in result.details["bins"]] == [1, 1, 1, 1, 1, 0, 1, 0, 1, 1]


def test_ece_with_shared_bins_and_probability_one_in_the_last_bin() -> None:
    y = np.array([1, 0, 1, 1, 0, 1])
    p = np.array([0.1, 0.15, 0.55, 0.52, 1.0, 1.0])
    cal = calibration(y.astype(bool), p, n_bins=2)
    # bin [0, .5): p 0.1, 0.15 -> mean .125, share .5; bin [.5, 1]: p .55 .52 1 1 -> mean .7675, share .75
    assert cal.ece == pytest.approx(2 / 6 * abs(0.5 - 0.125) + 4 / 6 * abs(0.75 - 0.7675))
    assert [b.n for b in cal.bins] == [2, 4]


def test_bins_edges_are_exact_and_agree_with_scikit_learn() -> None:
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    edge = calibration(np.array([True, False]), np.array([0.57, 0.569]), n_bins=100)
    assert edge.bins[57].n == 1  # 0.57 * 100 is 56.99999999999999 in floating point
    assert edge.bins[56].n == 1
    rng = np.random.default_rng(11)
    p = rng.uniform(size=2000)
    y = rng.uniform(size=2000) < p**1.3
    cal = calibration(y, p, n_bins=10)
    share, mean = calibration_curve(y, p, n_bins=10, strategy="uniform")
    filled = [b for b in cal.bins if b.n]
    assert [b.fraction_positive for b in filled] == pytest.approx(share.tolist())
    assert [b.mean_predicted for b in filled] == pytest.approx(mean.tolist())
    assert cal.brier == pytest.approx(brier_score_loss(y, p))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.floats(0, 1)), min_size=2, max_size=60).filter(
        lambda rows: len({y for y, _ in rows}) == 2
    ),
    st.integers(1, 30),
)
def test_ece_is_a_share_and_brier_skill_at_most_one(rows: list[tuple[bool, float]], n_bins: int) -> None:
    y = np.array([r[0] for r in rows])
    p = np.array([r[1] for r in rows])
    cal = calibration(y, p, n_bins)
    assert 0.0 <= cal.ece <= 1.0
    assert cal.brier_skill <= 1.0 + 1e-12
    assert sum(b.n for b in cal.bins) == len(rows)
    perfect = calibration(y, y.astype(float), n_bins)
    assert perfect.ece == 0.0
    assert perfect.brier_skill == 1.0


def test_calibration_fails_with_both_numbers_and_reads_predict_proba() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=500)})
    y = (X["a"] + rng.normal(size=500) > 0).astype(int)
    clf = LogisticRegression().fit(X, y)
    ok = check_calibration(y, model=clf, X=X, max_ece=0.1)
    assert ok.passed
    assert ok.details["ece"] == pytest.approx(check_calibration(y, clf.predict_proba(X), max_ece=0.1).details["ece"])
    overconfident = np.clip((clf.predict_proba(X)[:, 1] - 0.5) * 4 + 0.5, 0, 1)
    with pytest.raises(GateFailure, match=r"model gate 'calibration' failed: ECE [\d.]+ > max_ece 0.1"):
        check_calibration(y, overconfident, max_ece=0.1)


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([0, 1, 1], [0.1, 0.2], "y_true has 3 rows but y_prob has 2"),
        ([0, 1], [0.1, 1.2], r"y_prob has 1 value\(s\) outside \[0, 1\]"),
        ([0, 1], [0.1, float("nan")], "y_prob has 1 NaN"),
        ([0, 1, 2], [0.1, 0.2, 0.3], "binary classification"),
        ([1, 1], [0.1, 0.2], "one class only"),
    ],
)
def test_calibration_bad_input_is_one_line(y: list[int], p: list[float], message: str) -> None:
    with pytest.raises(MlopsInputError, match=message) as info:
        check_calibration(np.array(y), np.array(p), max_ece=0.1)
    assert "\n" not in str(info.value)


# -- fairness ---------------------------------------------------------------------------------------


def _fair_data() -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    rng = np.random.default_rng(5)
    n = 600
    X = pd.DataFrame({"sex": rng.choice(["f", "m", "x"], n, p=[0.45, 0.5, 0.05]), "age": rng.integers(18, 80, n)})
    y = rng.integers(0, 2, n)
    pred = np.where(rng.random(n) < 0.8, y, 1 - y)
    pred = np.where((X["sex"] == "m") & (rng.random(n) < 0.2), 1, pred)
    return y, pred, X


def test_fairness_numbers_equal_fairlearn_on_the_same_inputs() -> None:
    y, pred, X = _fair_data()
    result = check_fairness(
        y, pred, sensitive="sex", X=X, metric="recall", max_difference=1.0, min_ratio=0.0,
        max_demographic_parity_difference=1.0, max_equalized_odds_difference=1.0, min_group_size=1,
    )  # fmt: skip
    frame = MetricFrame(metrics=recall_score, y_true=y, y_pred=pred, sensitive_features=X["sex"])
    d = result.details
    assert d["difference"] == pytest.approx(frame.difference())
    assert d["ratio"] == pytest.approx(frame.ratio())
    assert d["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y, pred, sensitive_features=X["sex"])
    )
    assert d["equalized_odds_difference"] == pytest.approx(
        equalized_odds_difference(y, pred, sensitive_features=X["sex"])
    )
    by_group = MetricFrame(metrics=selection_rate, y_true=y, y_pred=pred, sensitive_features=X["sex"]).by_group
    assert {g["group"]: g["selection_rate"] for g in d["groups"]} == pytest.approx(by_group.to_dict())


def test_small_groups_are_reported_not_judged() -> None:
    y, pred, X = _fair_data()
    result = check_fairness(y, pred, sensitive=X["sex"], max_demographic_parity_difference=1.0, min_group_size=50)
    small = [g for g in result.details["groups"] if not g["judged"]]
    assert [g["group"] for g in small] == ["x"]
    big = X["sex"] != "x"
    assert result.details["demographic_parity_difference"] == pytest.approx(
        demographic_parity_difference(y[big], pred[big], sensitive_features=X["sex"][big])
    )
    assert "1 group below min_group_size not judged" in result.summary


def test_fairness_fails_above_the_bound() -> None:
    y, pred, X = _fair_data()
    with pytest.raises(GateFailure, match=r"demographic parity difference [\d.]+ > max_demographic_parity_difference"):
        check_fairness(y, pred, sensitive="sex", X=X, max_demographic_parity_difference=0.01, min_group_size=50)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sensitive": "gender"}, "sensitive='gender' names a column, but X has no such column"),
        ({"sensitive": ["a"] * 600}, "has one group only"),
        ({"sensitive": [None] + ["a"] * 599}, "has 1 missing value"),
        ({"sensitive": ["a", "b"]}, "has 2 values but y_true has 600 rows"),
        (
            {"sensitive": "sex", "metric": "recal"},
            r"unknown fairness metric 'recal' \(did you mean 'recall'\?\); use one of selection_rate",
        ),
    ],
)
def test_fairness_bad_input_is_one_line(kwargs: dict[str, object], message: str) -> None:
    y, pred, X = _fair_data()
    with pytest.raises(MlopsInputError, match=message) as info:
        check_fairness(y, pred, X=X, max_difference=0.1, **kwargs)  # type: ignore[arg-type]
    assert "\n" not in str(info.value)


# -- robustness -------------------------------------------------------------------------------------


class _Rounder:
    """Predicts 1 when round(a) + len(text) is even: sensitive to noise on a and to typos."""

    classes_ = np.array([0, 1])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return ((X["a"].round() + X["text"].str.len()) % 2 == 0).astype(int).to_numpy()

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        p = 1 / (1 + np.exp(-X["a"].to_numpy()))
        return np.column_stack([1 - p, p])


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    return pd.DataFrame(
        {"a": rng.normal(0, 3, 300), "city": rng.choice(["NYC", "LA"], 300), "text": ["hello world"] * 300}
    )


def test_invariance_counts_flipped_rows_exactly() -> None:
    X = _frame()
    model = _Rounder()
    perturbed = noise("a", 0.8, seed=4).apply(X)
    expected = int((model.predict(X) != model.predict(perturbed)).sum())
    assert 0 < expected < 300
    result = check_invariance(model, X, noise("a", 0.8, seed=4), max_flip_rate=1.0)
    assert result.details["flipped"] == expected
    assert result.observed == pytest.approx(expected / 300)
    assert len(result.details["examples"]) == 5
    with pytest.raises(GateFailure, match=r"flip rate [\d.]+ > max_flip_rate 0.01"):
        check_invariance(model, X, {"kind": "noise", "column": "a", "std": 0.8, "seed": 4}, max_flip_rate=0.01)


def test_perturbations_do_what_they_say() -> None:
    X = _frame()
    assert scale("a", 10, offset=1).apply(X)["a"].tolist() == pytest.approx((X["a"] * 10 + 1).tolist())
    assert set(relabel("city", {"NYC": "New York"}).apply(X)["city"]) == {"New York", "LA"}
    typed = typos("text", 0.3, seed=1).apply(X)["text"]
    assert (typed != "hello world").any()
    assert typed.tolist() == typos("text", 0.3, seed=1).apply(X)["text"].tolist()  # seeded
    assert check_invariance(_Rounder(), X, relabel("city", {"NYC": "New York"})).passed
    with pytest.warns(GateWarning, match="flipped under typos"):
        check_invariance(_Rounder(), X, typos("text", 0.3, seed=1), max_flip_rate=0.5, severity="warn")


def test_directional_detects_a_score_that_moves_the_wrong_way() -> None:
    X = _frame()
    assert check_directional(_Rounder(), X, "a", delta=1.0, monotone="increasing").passed
    with pytest.raises(GateFailure, match=r"flip rate 1 > max_flip_rate 0.1 \(300 of 300 rows moved the wrong way"):
        check_directional(_Rounder(), X, "a", delta=1.0, monotone="decreasing", max_flip_rate=0.1)


@pytest.mark.parametrize(
    ("perturb", "message"),
    [
        ({"kind": "shuffle", "column": "a"}, "unknown perturbation 'shuffle'; use one of noise, scale, relabel, typos"),
        (noise("b", 1.0), "X has no column 'b' to perturb"),
        (noise("city", 1.0), "noise needs a numeric column, but 'city' holds"),
        (typos("a"), "typos needs a text column"),
        (relabel("city", {"SF": "San Francisco"}), "none of \\['SF'\\] occurs in column 'city'"),
        ("jitter", "unknown perturbation 'jitter'"),
    ],
)
def test_robustness_bad_input_is_one_line(perturb: object, message: str) -> None:
    with pytest.raises(MlopsInputError, match=message) as info:
        check_invariance(_Rounder(), _frame(), perturb)
    assert "\n" not in str(info.value)


def test_directional_bad_input() -> None:
    with pytest.raises(MlopsInputError, match="delta=0 must be a positive number"):
        check_directional(_Rounder(), _frame(), "a", delta=0)
    with pytest.raises(MlopsInputError, match="monotone='up' is not valid"):
        check_directional(_Rounder(), _frame(), "a", delta=1, monotone="up")


def test_fewer_than_two_judged_groups_fails_and_says_why() -> None:
    y, pred, X = _fair_data()
    with pytest.raises(GateFailure, match=r"fewer than two groups have at least min_group_size=400 rows \(0 of 3"):
        check_fairness(y, pred, sensitive="sex", X=X, max_difference=0.5, min_group_size=400)
