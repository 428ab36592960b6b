"""Model gates of a gates file against registered models in a real MLflow sqlite store."""

from __future__ import annotations

from pathlib import Path

# Heavy imports first (see tests/plugin/test_gatesfile.py): MLflow, pandas, scikit-learn.
import mlflow  # noqa: F401
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import pytest_mlops.stats.metrics  # noqa: F401
from pytest_mlops.integrations.mlflow import register_sklearn_model
from tests.integration.mlflow_env import fresh_store, migrated_template
from tests.plugin.conftest import read_json

pytestmark = pytest.mark.filterwarnings(
    # MLflow's sqlalchemy models use a loader strategy sqlalchemy deprecates (not our call)
    "ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning",
)

GATES = """\
gates:
  - name: challenger auc
    kind: model
    metric: roc_auc
    data: holdout.csv
    label: churned
    at_least: {at_least}
  - name: auc vs champion
    kind: model
    metric: roc_auc
    data: holdout.csv
    label: churned
    compare_to: champion
    max_drop: 0.01
"""


def test_model_gates_load_registered_models_by_alias(pytester: pytest.Pytester, tmp_path: Path) -> None:
    X, y = make_classification(n_samples=1200, n_features=6, n_informative=4, random_state=7)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    train, test = frame.iloc[:600], frame.iloc[600:]
    strong = LogisticRegression(max_iter=500).fit(train, y[:600])
    weak = make_pipeline(
        ColumnTransformer([("first", "passthrough", ["f0"])]), LogisticRegression(C=1e-3, max_iter=500)
    ).fit(train, y[:600])
    uri = fresh_store(migrated_template(tmp_path / "template"), tmp_path / "store")
    for model, alias in ((strong, "champion"), (weak, "challenger")):
        register_sklearn_model(
            model,
            "churn",
            tracking_uri=uri,
            alias=alias,
            experiment="gatesfile",
            artifact_location=tmp_path / "artifacts",
            pip_requirements=["scikit-learn"],
        )
    test.assign(churned=np.asarray(y[600:], dtype=np.int64)).to_csv(pytester.path / "holdout.csv", index=False)
    (pytester.path / "mlops-gates.yaml").write_text(GATES.format(at_least=0.6))
    args = [
        f"--mlops-tracking-uri={uri}",
        "--mlops-model-name=churn",
        "--mlops-report=report.json",
    ]
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "mlops-gates.yaml:8: model gate 'auc vs champion' failed: drop * > max_drop 0.01 "
            "(challenger *, champion *)",
        ]
    )
    report = read_json(pytester.path / "report.json")
    models = {(e["name"], e.get("alias")) for e in report["lineage"] if e.get("role") == "model"}
    assert models == {("churn", "champion"), ("churn", "challenger")}

    (pytester.path / "mlops-gates.yaml").write_text(
        GATES.format(at_least=0.6).replace("compare_to: champion", "compare_to: missing")
    )
    result = pytester.runpytest(*args, "-m", "mlops_model")
    result.assert_outcomes(passed=2)  # no such alias: a cold start, which passes by default
    result.stdout.fnmatch_lines(["PASSED  model 'auc vs champion': cold start: no champion to compare with*"])
