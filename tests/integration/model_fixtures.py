"""Trained scikit-learn models and evaluation data shared by the MLflow model-gate tests."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from pytest_mlops.integrations.mlflow import RegisteredVersion, register_sklearn_model

#: Registered model name used by the tests.
MODEL = "churn"


@dataclass(frozen=True)
class Trained:
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    strong: Any  # LogisticRegression on all features
    weak: Any  # a pipeline using the first feature only


@lru_cache(maxsize=1)
def trained() -> Trained:
    X, y = make_classification(n_samples=1200, n_features=8, n_informative=4, random_state=7)
    X_train, X_test, y_train, y_test = X[:600], X[600:], y[:600], y[600:]
    strong = LogisticRegression(max_iter=500).fit(X_train, y_train)
    # weaker: sees only the first feature
    weak = make_pipeline(
        ColumnTransformer([("first", "passthrough", [0])]), LogisticRegression(C=1e-3, max_iter=500)
    ).fit(X_train, y_train)
    return Trained(X_train, y_train, X_test, y_test, strong, weak)


def register(model: Any, uri: str, artifacts: Path, alias: str | None) -> RegisteredVersion:
    """Register ``model`` under :data:`MODEL` in the store at ``uri`` (artifacts under ``artifacts``)."""
    return register_sklearn_model(
        model,
        MODEL,
        tracking_uri=uri,
        alias=alias,
        experiment="model-gate-tests",
        artifact_location=artifacts,
    )


def write_holdout(folder: Path) -> Path:
    """The evaluation rows as an ``.npz`` file an inner pytest session can load."""
    data = trained()
    path = folder / "holdout.npz"
    np.savez(path, X=data.X_test, y=data.y_test)
    return path
