"""A first gated model: train on scikit-learn's bundled breast-cancer data and gate it.

Run with ``pytest examples/quickstart --mlops-report=reports/quickstart.json``.
"""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pytest_mlops import gate


@pytest.fixture(scope="module")
def trained() -> dict[str, Any]:
    data = load_breast_cancer(as_frame=True)
    x_train, x_test, y_train, y_test = train_test_split(
        data.data, data.target, test_size=0.3, random_state=0, stratify=data.target
    )
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x_train, y_train)
    return {"model": model, "x_test": x_test, "y_test": y_test, "x_train": x_train}


@pytest.mark.mlops_model
def test_accuracy(trained: dict[str, Any]) -> None:
    predicted = trained["model"].predict(trained["x_test"])
    gate("accuracy", accuracy_score(trained["y_test"], predicted), at_least=0.93, kind="model")


@pytest.mark.mlops_model
def test_roc_auc(trained: dict[str, Any]) -> None:
    scores = trained["model"].predict_proba(trained["x_test"])[:, 1]
    gate("roc_auc", roc_auc_score(trained["y_test"], scores), at_least=0.97, kind="model")


@pytest.mark.mlops_feature
def test_no_missing_values(trained: dict[str, Any]) -> None:
    gate("missing cells share", float(trained["x_train"].isna().mean().mean()), at_most=0.0, kind="feature")
