"""The metric engine: scikit-learn point values, fast resample path, input validation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.metrics import METRICS, Metric, metric_names, prepare, resolve_metric

RNG = np.random.default_rng(20261126)


def _binary(n: int = 400, ties: bool = False) -> tuple[np.ndarray, np.ndarray]:
    y = RNG.integers(0, 2, n)
    score = np.clip(0.35 * y + 0.65 * RNG.random(n), 0, 1)
    return y, (np.round(score, 2) if ties else score)


def _multiclass(n: int = 400, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    y = RNG.integers(0, k, n)
    proba = RNG.dirichlet(np.ones(k), n)
    proba[np.arange(n), y] += 0.6
    return y, proba / proba.sum(axis=1, keepdims=True)


def _regression(n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    y = RNG.normal(10, 3, n)
    return y, y + RNG.normal(0, 1, n)


def _inputs(metric: Metric, task: str) -> tuple[np.ndarray, np.ndarray]:
    if metric.needs == "values":
        return _regression()
    y, score = _binary(ties=True) if task == "binary" else _multiclass()
    if metric.needs == "scores":
        return y, score
    labels = (score > 0.5).astype(int) if score.ndim == 1 else score.argmax(axis=1)
    return y, labels


SKLEARN = {
    "accuracy": lambda y, p, b: skm.accuracy_score(y, p),
    "balanced_accuracy": lambda y, p, b: skm.balanced_accuracy_score(y, p),
    "precision": lambda y, p, b: skm.precision_score(y, p, average="binary" if b else "macro", zero_division=0),
    "recall": lambda y, p, b: skm.recall_score(y, p, average="binary" if b else "macro", zero_division=0),
    "f1": lambda y, p, b: skm.f1_score(y, p, average="binary" if b else "macro", zero_division=0),
    "roc_auc": lambda y, p, b: skm.roc_auc_score(y, p) if b else skm.roc_auc_score(y, p, multi_class="ovr"),
    "pr_auc": lambda y, p, b: (
        skm.average_precision_score(y, p)
        if b
        else skm.average_precision_score(np.eye(p.shape[1])[y], p, average="macro")
    ),
    "log_loss": lambda y, p, b: skm.log_loss(y, p),
    "brier": lambda y, p, b: skm.brier_score_loss(y, p),
    "mae": lambda y, p, b: skm.mean_absolute_error(y, p),
    "mse": lambda y, p, b: skm.mean_squared_error(y, p),
    "rmse": lambda y, p, b: skm.root_mean_squared_error(y, p),
    "r2": lambda y, p, b: skm.r2_score(y, p),
    "mape": lambda y, p, b: skm.mean_absolute_percentage_error(y, p),
}
for _fam in ("precision", "recall", "f1"):
    for _avg in ("macro", "micro", "weighted"):
        SKLEARN[f"{_fam}_{_avg}"] = (
            lambda f, a: lambda y, p, b: getattr(skm, f"{f}_score")(y, p, average=a, zero_division=0)
        )(_fam, _avg)

CASES = [
    (name, task) for name in sorted(METRICS) for task in ("binary", "multiclass") if METRICS[name].needs != "values"
]
CASES += [(name, "regression") for name in sorted(METRICS) if METRICS[name].needs == "values"]


@pytest.mark.parametrize(("name", "task"), CASES)
def test_point_value_and_fast_path_equal_sklearn(name: str, task: str) -> None:
    metric = METRICS[name]
    y, pred = _inputs(metric, task)
    expected = SKLEARN[name](y, pred, task == "binary")
    ev = prepare(metric, y, pred)
    assert ev.value() == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert ev.resample(np.arange(len(y))) == pytest.approx(expected, rel=1e-9, abs=1e-12)
    idx = RNG.integers(0, len(y), len(y))
    resampled = prepare(metric, y[idx], pred[idx], labels=ev.classes if metric.needs != "values" else None)
    assert ev.resample(idx) == pytest.approx(resampled.value(), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=4, max_value=60),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
    rounding=st.sampled_from([1, 2, 6]),
)
def test_weighted_roc_and_pr_auc_match_sklearn_on_any_resample(n: int, seed: int, rounding: int) -> None:
    rng = np.random.default_rng(seed)
    y = np.r_[0, 1, rng.integers(0, 2, n - 2)]
    score = np.round(rng.random(n), rounding)
    idx = rng.integers(0, n, n)
    if len(np.unique(y[idx])) < 2:
        idx = np.r_[0, 1, idx[2:]]
    for name, func in (("roc_auc", skm.roc_auc_score), ("pr_auc", skm.average_precision_score)):
        ev = prepare(METRICS[name], y, score)
        assert ev.resample(idx) == pytest.approx(func(y[idx], score[idx]), rel=1e-9, abs=1e-12)


def test_string_labels_use_the_last_class_as_positive_and_record_it() -> None:
    y = np.array(["ham", "spam", "spam", "ham", "spam"])
    pred = np.array(["ham", "spam", "ham", "ham", "spam"])
    ev = prepare(METRICS["recall"], y, pred)
    assert ev.pos_label == "spam"
    assert ev.value() == pytest.approx(2 / 3)
    assert prepare(METRICS["recall"], y, pred, pos_label="ham").value() == pytest.approx(1.0)


def test_binary_probability_matrix_and_column_give_the_same_value() -> None:
    y, score = _binary()
    matrix = np.column_stack([1 - score, score])
    for name in ("roc_auc", "log_loss", "brier", "pr_auc"):
        assert prepare(METRICS[name], y, matrix).value() == pytest.approx(prepare(METRICS[name], y, score).value())


def test_names_are_case_and_alias_tolerant() -> None:
    assert resolve_metric("ROC-AUC").name == "roc_auc"
    assert resolve_metric("average_precision").name == "pr_auc"
    assert resolve_metric("root_mean_squared_error").direction == "lower"


def test_unknown_metric_lists_the_known_ones_and_suggests() -> None:
    with pytest.raises(
        MlopsInputError,
        match=r"unknown metric 'roc_acu'; did you mean 'roc_auc'\? Known metrics: accuracy",
    ):
        resolve_metric("roc_acu")


def test_direction_contradicting_a_builtin_is_refused() -> None:
    with pytest.raises(MlopsInputError, match="'rmse': lower is better, direction='higher' contradicts it"):
        resolve_metric("rmse", direction="higher")


def test_custom_metric_needs_a_direction_and_is_evaluated() -> None:
    def cost(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(np.sum((y_true == 1) & (y_pred == 0)) * 5 + np.sum((y_true == 0) & (y_pred == 1)))

    with pytest.raises(MlopsInputError, match="'cost': say whether a higher or a lower value is better"):
        resolve_metric(cost)
    metric = resolve_metric(cost, direction="lower")
    y = np.array([1, 1, 0, 0])
    ev = prepare(metric, y, np.array([0, 1, 1, 0]))
    assert (metric.name, metric.direction, ev.value()) == ("cost", "lower", 6.0)
    assert ev.resample(np.array([0, 0, 1, 2])) == 11.0


@pytest.mark.parametrize(
    ("name", "y", "pred", "message"),
    [
        ("accuracy", [0, 1, 1], [0, 1], r"y_true has 3 rows but y_pred has 2"),
        ("roc_auc", [0, 1, 1], [0.2, math.nan, 0.7], r"y_pred has 1 NaN or infinite value \(first at row 1\)"),
        ("rmse", [1.0, 2.0, 3.0], [1.0, math.inf, math.nan], r"y_pred has 2 NaN or infinite values \(first at row 1\)"),
        ("accuracy", [0, None, 1], [0, 1, 1], r"y_true has 1 missing value \(first at row 1\)"),
        (
            "roc_auc",
            [0, 1, 1, 0],
            [0, 1, 1, 1],
            r"roc_auc needs predicted probabilities or scores, but y_pred holds only class labels \[0, 1\]",
        ),
        (
            "log_loss",
            ["a", "b"],
            ["a", "b"],
            r"log_loss needs predicted probabilities or scores, but y_pred holds only class labels",
        ),
        (
            "accuracy",
            [0, 1, 1],
            [0.2, 0.9, 0.6],
            r"accuracy needs predicted class labels, but y_pred holds values such as 0.2",
        ),
        ("roc_auc", [1, 1, 1], [0.2, 0.9, 0.6], r"roc_auc is undefined when y_true holds a single class \(1, 3 rows\)"),
        ("f1", ["x", "x"], ["x", "x"], r"f1 is undefined when y_true holds a single class \('x', 2 rows\)"),
        ("log_loss", [0, 1, 1], [-0.2, 0.9, 0.6], r"log_loss needs probabilities in \[0, 1\], but y_pred holds -0.2"),
        ("r2", [2.0, 2.0, 2.0], [1.0, 2.0, 3.0], r"r2 is undefined when y_true is constant"),
        ("mae", ["a", "b"], [1.0, 2.0], r"mae is a regression metric: y_true must be numbers"),
        ("accuracy", [], [], r"y_true is empty"),
    ],
)
def test_bad_inputs_raise_one_clear_message(name: str, y: list[object], pred: list[object], message: str) -> None:
    with pytest.raises(MlopsInputError, match=message):
        prepare(METRICS[name], np.asarray(y, dtype=object if None in y else None), pred)


def test_multiclass_scores_need_one_column_per_class() -> None:
    y, proba = _multiclass(k=3)
    with pytest.raises(MlopsInputError, match=r"roc_auc on 3 classes needs one score column per class"):
        prepare(METRICS["roc_auc"], y, proba[:, 0])
    with pytest.raises(MlopsInputError, match=r"y_pred has 3 score columns but there are 2 classes"):
        prepare(METRICS["roc_auc"], np.where(y == 2, 1, y), proba)
    skewed = proba.copy()
    skewed[5] *= 0.5
    with pytest.raises(MlopsInputError, match=r"sum to 1 per row, but row 5 of y_pred sums to 0.5 \(1 rows off\)"):
        prepare(METRICS["log_loss"], y, skewed)


def test_labels_from_the_model_align_score_columns() -> None:
    y = np.array(["b", "c", "b", "c"])  # class "a" absent from the evaluation rows
    proba = np.array([[0.1, 0.8, 0.1], [0.1, 0.2, 0.7], [0.2, 0.6, 0.2], [0.0, 0.3, 0.7]])
    ev = prepare(METRICS["log_loss"], y, proba, labels=["a", "b", "c"])
    assert ev.value() == pytest.approx(skm.log_loss(y, proba, labels=["a", "b", "c"]))
    with pytest.raises(MlopsInputError, match=r"y_true holds \['d'\], which is not among the model's classes"):
        prepare(METRICS["accuracy"], np.array(["b", "d"]), np.array(["b", "b"]), labels=["a", "b", "c"])


# -- scikit-learn scorer names ----------------------------------------------------------------------


def _scorer_cases() -> list[tuple[str, str]]:
    """(scorer, task) for every scorer name accepted here that scikit-learn also knows."""
    from sklearn.metrics import get_scorer_names

    names = [n for n in metric_names() if n in get_scorer_names()]
    return [(n, "regression" if resolve_metric(n).needs == "values" else "classification") for n in names]


@pytest.mark.parametrize(("scorer", "task"), _scorer_cases())
def test_scorer_names_give_scikit_learns_scorer_value(scorer: str, task: str) -> None:
    """Our value under a scorer's name is what ``get_scorer(name)(estimator, X, y)`` returns (sign included)."""
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import get_scorer

    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 3))
    metric = resolve_metric(scorer)
    if task == "regression":
        y = X @ [1.0, -2.0, 0.5] + rng.normal(size=300) + 10
        model: Any = LinearRegression().fit(X[:200], y[:200])
        pred = model.predict(X[200:])
    else:
        classes = 3 if scorer.endswith(("_macro", "_micro", "_weighted", "_ovr")) else 2
        y = (X[:, 0] * classes / 2 + rng.normal(size=300)).round().clip(0, classes - 1).astype(int)
        model = LogisticRegression().fit(X[:200], y[:200])
        pred = model.predict_proba(X[200:]) if metric.needs == "scores" else model.predict(X[200:])
    expected = get_scorer(scorer)(model, X[200:], y[200:])
    ev = prepare(metric, y[200:], pred, labels=getattr(model, "classes_", None))
    assert ev.value() == pytest.approx(expected, rel=1e-9)
    idx = np.arange(100)
    assert ev.resample(idx) == pytest.approx(expected, rel=1e-9)  # the fast path keeps the sign too


def test_neg_scorers_are_higher_is_better_and_keep_the_name() -> None:
    for scorer, base in [
        ("neg_log_loss", "log_loss"),
        ("neg_mean_absolute_error", "mae"),
        ("NEG-BRIER-SCORE", "brier"),
    ]:
        metric = resolve_metric(scorer)
        assert (metric.name, metric.direction, metric.family, metric.negated) == (
            scorer.lower().replace("-", "_"),
            "higher",
            base,
            True,
        )
        assert METRICS[base].direction == "lower"
        assert metric.better(-0.2, -0.3) == pytest.approx(0.1)  # less loss is an improvement
    assert resolve_metric("roc_auc_ovr").direction == "higher"
    assert resolve_metric("f1_weighted").average == "weighted"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("neg_log_los", r"unknown metric 'neg_log_los'; did you mean 'neg_log_loss'"),
        ("f1_weigted", r"did you mean 'f1_weighted'"),
        ("roc_auc_ovo", r"scikit-learn scorer 'roc_auc_ovo' is not built in here; pass a function"),
        ("neg_median_absolute_error", r"scorer 'neg_median_absolute_error' is not built in here"),
        ("zzz", r"unknown metric 'zzz'; Known metrics: accuracy, .*neg_log_loss"),
    ],
)
def test_unknown_names_list_close_ones(name: str, message: str) -> None:
    with pytest.raises(MlopsInputError, match=message):
        resolve_metric(name)
