"""Model gate functions called directly: models with X, regression, multiclass, DataFrames, lineage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_squared_error, roc_auc_score

from pytest_mlops import _recorder
from pytest_mlops.errors import GateFailure, MlopsInputError
from pytest_mlops.gates.model import (
    check_baseline,
    check_metric,
    check_slices,
    compare_to_champion,
)

# These tests call gate functions directly and expect the GateFailure they raise at once
# (the script behaviour), so they opt out of the end-of-test collection of failed gates.
pytestmark = pytest.mark.mlops_stop_at_first


@pytest.fixture
def sink() -> Iterator[_recorder.Sink]:
    """Collect this test's gate results privately (they are not part of our own session report)."""
    own = _recorder.Sink(nodeid="private")
    _recorder.push(own)
    yield own
    _recorder.pop(own)


def test_regression_model_with_X(sink: _recorder.Sink) -> None:
    X, y = make_regression(n_samples=300, n_features=5, noise=10.0, random_state=0)
    reg = LinearRegression().fit(X[:200], y[:200])
    result = check_metric("rmse", y[200:], model=reg, X=X[200:], at_most=20)
    assert result.observed == pytest.approx(mean_squared_error(y[200:], reg.predict(X[200:])) ** 0.5)
    assert result.details["direction"] == "lower"
    with pytest.raises(GateFailure, match=r"model gate 'rmse vs baseline' failed: gain -?\d.* < min_gain 1e\+06"):
        check_baseline("rmse", y[200:], model=reg, X=X[200:], y_train=y[:200], min_gain=1e6)
    assert sink.results[-1].details["baseline_kind"] == "mean"


def test_multiclass_model_scores_line_up_with_classes(sink: _recorder.Sink) -> None:
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = LogisticRegression(max_iter=1000).fit(X[::2], names[::2])
    result = check_metric("roc_auc", names[1::2], model=clf, X=X[1::2], at_least=0.9)
    expected = roc_auc_score(names[1::2], clf.predict_proba(X[1::2]), multi_class="ovr", labels=clf.classes_)
    assert result.observed == pytest.approx(expected)
    assert check_metric("f1_weighted", names[1::2], model=clf, X=X[1::2], at_least=0.8).passed


def test_custom_score_metric_with_a_model(sink: _recorder.Sink) -> None:
    X, y = load_iris(return_X_y=True)
    binary = (y == 2).astype(int)
    clf = LogisticRegression(max_iter=1000).fit(X, binary)

    def top_decile_precision(y_true: Any, proba: Any) -> float:
        scores = np.asarray(proba)[:, 1]
        top = np.argsort(scores)[-len(scores) // 10 :]
        return float(np.asarray(y_true)[top].mean())

    result = check_metric(
        top_decile_precision, binary, model=clf, X=X, direction="higher", needs="scores", at_least=0.9
    )
    assert result.name == "top_decile_precision"
    assert result.observed == 1.0


def test_dataframe_slices_by_column_name(sink: _recorder.Sink) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=400), "country": rng.choice(["FR", "DE", "LU"], 400, p=[0.5, 0.45, 0.05])}
    )
    y = (frame["x"] > 0).astype(int).to_numpy()

    class Thresholder:
        classes_ = np.array([0, 1])

        def predict(self, X: pd.DataFrame) -> Any:
            return (X["x"] > 0.1).astype(int).to_numpy()

    result = check_slices("accuracy", y, model=Thresholder(), X=frame, slices="country", at_least=0.8, min_size=40)
    slices = {s["slice"]: s for s in result.details["slices"]}  # type: ignore[union-attr]
    assert set(slices) == {"country=FR", "country=DE", "country=LU"}
    assert slices["country=LU"]["note"].startswith("too small")
    with pytest.raises(MlopsInputError, match=r"slices='region' names a column, but X has no such column"):
        check_slices("accuracy", y, model=Thresholder(), X=frame, slices="region", at_least=0.8)


def test_registry_models_attach_their_lineage(sink: _recorder.Sink) -> None:
    X, y = load_iris(return_X_y=True)
    binary = (y == 1).astype(int)
    fitted = LogisticRegression(max_iter=1000).fit(X, binary)

    class Registered:
        """Duck-typed like integrations.mlflow.LoadedModel."""

        classes_ = fitted.classes_
        predict = staticmethod(fitted.predict)
        predict_proba = staticmethod(fitted.predict_proba)

        def model_lineage(self) -> dict[str, Any]:
            return {
                "role": "model",
                "name": "iris",
                "version": "4",
                "alias": "challenger",
                "uri": "models:/iris@challenger",
            }

    compare_to_champion("roc_auc", binary, X=X, challenger=Registered(), champion=fitted, max_drop=0.0)
    lineage = [json.loads(v) for k, v in sink.user_properties if k == _recorder.LINEAGE_PROPERTY]
    assert lineage == [
        {"role": "model", "name": "iris", "version": "4", "alias": "challenger", "uri": "models:/iris@challenger"}
    ]


def test_model_without_predict_proba_for_a_probability_metric(sink: _recorder.Sink) -> None:
    X, y = load_iris(return_X_y=True)

    class LabelsOnly:
        def predict(self, X: Any) -> Any:
            return (np.asarray(X)[:, 0] > 5.8).astype(int)

    with pytest.raises(
        MlopsInputError, match=r"log_loss needs predicted probabilities, but the model \(LabelsOnly\) has no"
    ):
        check_metric("log_loss", (y == 2).astype(int), model=LabelsOnly(), X=X, at_most=0.5)
    with pytest.raises(MlopsInputError, match=r"model= needs the evaluation features: pass X="):
        check_metric("accuracy", (y == 2).astype(int), model=LabelsOnly(), at_least=0.5)


def test_scikit_learn_scorer_names_keep_the_scorers_sign(sink: _recorder.Sink) -> None:
    from sklearn.metrics import get_scorer

    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(max_iter=500).fit(X[::2], y[::2])
    expected = get_scorer("neg_log_loss")(clf, X[1::2], y[1::2])  # about -0.1
    result = check_metric("neg_log_loss", y[1::2], model=clf, X=X[1::2], at_least=expected - 0.01)
    assert result.observed == pytest.approx(expected)
    assert result.details["direction"] == "higher"
    with pytest.raises(GateFailure, match=r"model gate 'neg_log_loss' failed: -0\.\d+ < -0\.\d+"):
        check_metric("neg_log_loss", y[1::2], model=clf, X=X[1::2], at_least=expected + 0.01)
    weighted = check_metric("f1_weighted", y[1::2], model=clf, X=X[1::2], at_least=0.5)
    assert weighted.observed == pytest.approx(get_scorer("f1_weighted")(clf, X[1::2], y[1::2]))
    ovr = check_metric("roc_auc_ovr", y[1::2], model=clf, X=X[1::2], at_least=0.5)
    assert ovr.observed == pytest.approx(get_scorer("roc_auc_ovr")(clf, X[1::2], y[1::2]))


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        (
            {"at_most": 0.3},
            r"model gate 'neg_log_loss': at_most=0\.3 is positive, but neg_log_loss keeps scikit-learn's sign "
            r"\(-log_loss, never above 0, higher is better\); write at_least=-0\.3 on 'neg_log_loss', "
            r"or at_most=0\.3 on 'log_loss'",
        ),
        ({"at_least": 0.3}, r"at_least=0\.3 is positive.*write at_most=-0\.3 on 'neg_log_loss', or at_least=0\.3"),
    ],
)
def test_a_loss_signed_bound_on_a_neg_scorer_is_refused(
    sink: _recorder.Sink, bounds: dict[str, float], message: str
) -> None:
    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(max_iter=500).fit(X, y)
    with pytest.raises(MlopsInputError, match=message):
        check_metric("neg_log_loss", y, model=clf, X=X, **bounds)  # type: ignore[arg-type]
    with pytest.raises(MlopsInputError, match=r"slice gate 'neg_log_loss': .* is positive"):
        check_slices("neg_log_loss", y, model=clf, X=X, slices=y % 2, **bounds)  # type: ignore[arg-type]
