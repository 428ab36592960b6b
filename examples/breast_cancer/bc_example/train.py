"""Train the screening model, log it to MLflow and register it as a new version.

``python -m bc_example.train --data data --model-name bc-classifier --alias challenger``

The tracking URI comes from ``MLFLOW_TRACKING_URI`` (default ``sqlite:///mlflow.db`` here).
``--worse`` trains a deliberately weak model (two features, heavy regularisation), to show a
promotion being refused.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from bc_example import LABEL, MODEL_NAME
from bc_example.features import training_features

WEAK_FEATURES = ["mean_smoothness", "mean_symmetry"]


def build(worse: bool = False) -> Pipeline:
    if worse:
        keep_two = ColumnTransformer([("weak", "passthrough", WEAK_FEATURES)], remainder="drop")
        return make_pipeline(keep_two, StandardScaler(), LogisticRegression(C=0.01))
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))


def train(data: Path, *, worse: bool = False) -> tuple[Pipeline, dict[str, float]]:
    reference = pd.read_csv(data / "reference.csv")
    holdout = pd.read_csv(data / "holdout.csv")
    model = build(worse).fit(training_features(reference), reference[LABEL])
    scores = model.predict_proba(training_features(holdout))[:, 1]
    return model, {"holdout_roc_auc": float(roc_auc_score(holdout[LABEL], scores))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--model-name", default=MODEL_NAME)
    parser.add_argument("--alias", default="challenger", help="registry alias for the new version")
    parser.add_argument("--worse", action="store_true", help="train a deliberately weak model")
    args = parser.parse_args(argv)

    from pytest_mlops.integrations.mlflow import register_sklearn_model

    tracking_uri = os.environ.get("MLFLOW_TRACKING_URI") or "sqlite:///mlflow.db"
    model, metrics = train(args.data, worse=args.worse)
    holdout = pd.read_csv(args.data / "holdout.csv")
    registered = register_sklearn_model(
        model,
        args.model_name,
        tracking_uri=tracking_uri,
        alias=args.alias,
        experiment="bc-example-training",
        artifact_location=Path("mlartifacts").resolve(),
        params={"model": "weak" if args.worse else "logistic-regression"},
        metrics=metrics,
        input_example=training_features(holdout).head(3).astype("float64"),
        run_name="train-weak" if args.worse else "train",
    )
    print(
        f"registered {registered.name} version {registered.version} as @{args.alias} "
        f"(holdout roc_auc {metrics['holdout_roc_auc']:.4f}, run {registered.run_id})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
