"""A gates-file weak_segments entry on a model registered in a real MLflow sqlite store.

Everything MLflow runs in the pytester subprocess (its conftest registers the model first), so
this process never loads MLflow: an in-process run would unload part of sqlalchemy afterwards.
"""

from __future__ import annotations

import json

import pytest

from tests.plugin.conftest import read_json

CONFTEST = """\
import json

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from pytest_mlops.integrations.mlflow import register_sklearn_model


def pytest_configure(config):
    X, y = make_classification(n_samples=1200, n_features=6, n_informative=4, random_state=3)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    model = LogisticRegression(max_iter=500).fit(frame.iloc[:600], y[:600])
    register_sklearn_model(model, "churn", tracking_uri="sqlite:///store.db", alias="challenger",
                           experiment="gatesfile", artifact_location="artifacts", pip_requirements=["scikit-learn"])
    holdout = frame.iloc[600:].assign(region=np.random.default_rng(0).choice(["north", "south"], 600),
                                      churned=np.asarray(y[600:], dtype=np.int64))
    holdout.to_csv("holdout.csv", index=False)
    accuracy = float((model.predict(frame.iloc[600:]) == y[600:]).mean())
    with open("expected.json", "w") as fh:
        json.dump({"accuracy": accuracy}, fh)
"""

GATES = """\
gates:
  - name: no weak region
    kind: weak_segments
    metric: accuracy
    data: holdout.csv
    label: churned
    features: [f0, f1, f2, f3, f4, f5]
    segment_by: [region, f0]
    max_gap: 0.5
"""


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_weak_segments_of_a_registered_model_by_columns_it_does_not_take(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    (pytester.path / "mlops-gates.yaml").write_text(GATES)
    result = pytester.runpytest_subprocess(
        "--mlops-tracking-uri=sqlite:///store.db", "--mlops-model-name=churn", "--mlops-report=r.json",
        "-W", "ignore::DeprecationWarning", "-W", "ignore::FutureWarning", "-W", "ignore::UserWarning",
    )  # fmt: skip
    result.assert_outcomes(passed=1)
    [gate] = read_json(pytester.path / "r.json")["gates"]
    assert gate["check"] == "weak_segments"
    assert gate["details"]["features"] == ["region", "f0"]
    assert {s["features"][0] for s in gate["details"]["segments"]} <= {"region", "f0"}
    expected = json.loads((pytester.path / "expected.json").read_text())["accuracy"]
    assert gate["details"]["overall"] == pytest.approx(expected)
