"""Benchmark: pytest-mlops model gates vs ``mlflow.models.evaluate`` on the same 100k-row holdout.

Both sides compute the same classifier metrics (accuracy, precision, recall, F1, ROC AUC,
PR AUC, log loss) for the same scikit-learn model on the same rows, predictions included:

* pytest-mlops: one ``predict`` + one ``predict_proba``, then one metric gate per metric;
* MLflow: ``mlflow.models.evaluate(model_uri, data, targets=..., model_type="classifier",
  evaluators=["default"])`` in a run on a temporary sqlite store. ``evaluators=["default"]``
  leaves out SHAP explanations; MLflow 3 has no switch to skip its plots (ROC, PR, lift,
  calibration, confusion matrix), so those are part of its time. Logging the model (done once,
  not timed) and the store's first migration are excluded.

Also times the paired-bootstrap non-inferiority gate (1000 resamples) for reference.

Run: ``python benchmarks/model_gate.py [--rows 100000] [--repeats 3]``. Prints timings and ratios;
nothing is asserted. Everything MLflow writes goes to a temporary folder.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_SKIP_PIP_REQUIREMENTS_CHECK", "true")
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")

METRICS = ("accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc", "log_loss")


def _timed(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="holdout rows (default 100000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per side; the median is reported")
    args = parser.parse_args()

    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification
    from sklearn.linear_model import LogisticRegression

    from pytest_mlops.gates.model import check_metric, check_non_inferiority

    X, y = make_classification(n_samples=args.rows + 20_000, n_features=20, n_informative=8, random_state=0)
    X_train, y_train, X_test, y_test = X[:20_000], y[:20_000], X[20_000:], y[20_000:]
    model = LogisticRegression(max_iter=1000).fit(X_train, y_train)
    columns = [f"f{i}" for i in range(X.shape[1])]
    holdout = pd.DataFrame(X_test, columns=columns).assign(label=y_test)

    def gates() -> dict[str, float]:
        labels = model.predict(X_test)
        proba = model.predict_proba(X_test)[:, 1]
        values = {}
        for name in METRICS:
            pred = proba if name in ("roc_auc", "pr_auc", "log_loss") else labels
            bound = {"at_most": 10.0} if name == "log_loss" else {"at_least": 0.0}
            values[name] = float(check_metric(name, y_test, pred, **bound).observed)  # type: ignore[arg-type]
        return values

    gate_time, gate_values = _timed(gates, args.repeats)

    import mlflow
    import mlflow.sklearn
    from mlflow import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-mlflow-") as tmp:
        uri = f"sqlite:///{Path(tmp) / 'mlflow.db'}"
        mlflow.set_tracking_uri(uri)
        client = MlflowClient(uri)
        experiment = client.create_experiment("bench", artifact_location=(Path(tmp) / "artifacts").as_uri())
        with mlflow.start_run(experiment_id=experiment):
            info = mlflow.sklearn.log_model(model, name="model", pip_requirements=["scikit-learn"])
        model_uri = info.model_uri

        def evaluate() -> dict[str, float]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with mlflow.start_run(experiment_id=experiment):
                    result = mlflow.models.evaluate(
                        model_uri, holdout, targets="label", model_type="classifier", evaluators=["default"]
                    )
            return dict(result.metrics)

        mlflow_time, mlflow_values = _timed(evaluate, args.repeats)
        mlflow.set_tracking_uri(None)  # type: ignore[arg-type]

    # the same numbers on both sides
    pairs = {
        "accuracy": "accuracy_score",
        "precision": "precision_score",
        "recall": "recall_score",
        "f1": "f1_score",
        "roc_auc": "roc_auc",
        "pr_auc": "precision_recall_auc",
        "log_loss": "log_loss",
    }
    print(f"holdout rows: {args.rows:,}; median of {args.repeats} runs; predictions included on both sides\n")
    print(f"{'metric':<10} {'pytest-mlops':>14} {'mlflow':>14}")
    for ours, theirs in pairs.items():
        other = mlflow_values.get(theirs)
        print(f"{ours:<10} {gate_values[ours]:>14.6f} {other if other is None else f'{other:>14.6f}'}")

    chal = np.clip(model.predict_proba(X_test)[:, 1] + np.random.default_rng(1).normal(0, 0.02, len(y_test)), 0, 1)
    boot_time, _ = _timed(
        lambda: check_non_inferiority(
            "roc_auc", y_test, challenger=chal, champion=model.predict_proba(X_test)[:, 1], margin=0.01, seed=0
        ),
        1,
    )

    print()
    print(f"pytest-mlops metric gates (7 metrics):        {gate_time:8.3f} s")
    print(f"mlflow.models.evaluate (default evaluator):   {mlflow_time:8.3f} s")
    print(f"ratio:                                        {mlflow_time / gate_time:8.1f}x faster")
    print(f"paired-bootstrap non-inferiority, 1000 resamples: {boot_time:.3f} s (no MLflow equivalent)")


if __name__ == "__main__":
    main()
