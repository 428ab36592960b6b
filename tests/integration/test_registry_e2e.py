"""End to end: the real plugin gates a registered challenger, records the report, and promotion uses it.

`pytest --mlops-report --mlops-log-to-mlflow` (a subprocess, as in CI) evaluates the
challenger loaded by alias from a real `mlflow server`, writes the JSON report and tags the
evaluated version with the report's digest; `pytest-mlops promote` then accepts that report
and refuses an edited copy of it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.integration import registry_helpers as h
from tests.integration.mlflow_env import MlflowServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.mlflow_server,
    # logging a scikit-learn model: MLflow's own type-hint inference warns inside its sklearn flavor
    pytest.mark.filterwarnings("ignore:.*Any type hint is inferred as AnyType:UserWarning"),
]

GATE_SUITE = """
import numpy as np

X = np.array([[0.0], [1.0], [2.0], [3.0], [0.5], [2.5]])
y = np.array([0, 0, 1, 1, 0, 1])

def test_challenger_accuracy(mlops_model, mlops_challenger):
    mlops_model.metric("accuracy", y, model=mlops_challenger, X=X, at_least=0.8)
"""


def test_report_from_the_real_plugin_promotes(mlflow_server: MlflowServer, tmp_path: Path) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from pytest_mlops.integrations.mlflow import register_sklearn_model

    uri, name = mlflow_server.url, f"e2e-{uuid.uuid4().hex[:8]}"
    model = LogisticRegression().fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 0, 1, 1])
    registered = register_sklearn_model(
        model, name, tracking_uri=uri, alias="challenger", artifact_location=tmp_path / "artifacts"
    )
    version = str(registered.version)

    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\n")
    (project / "test_gates.py").write_text(GATE_SUITE)
    report = project / "report.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PYTEST_"))}
    gate_run = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            f"--mlops-tracking-uri={uri}", f"--mlops-model-name={name}",
            f"--mlops-report={report}", "--mlops-log-to-mlflow",
        ],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert gate_run.returncode == 0, gate_run.stdout[-3000:] + gate_run.stderr[-3000:]
    data = json.loads(report.read_text())
    assert data["status"] == "passed"
    entry = next(e for e in data["lineage"] if e["role"] == "model")
    assert (entry["name"], str(entry["version"]), entry.get("alias")) == (name, version, "challenger")
    tags = h.client_for(uri).get_model_version(name, version).tags
    assert tags["mlops.report_status"] == "passed"

    # an edited copy of the report (one more byte: the same JSON data) is refused, the registry untouched
    edited = tmp_path / "edited.json"
    edited.write_text(report.read_text() + "\n")
    refused = h.run_cli(["promote", "--model", name, "--tracking-uri", uri, "--report", str(edited)])
    assert refused["code"] == 1, refused
    assert "is not the report recorded on version" in refused["stderr"]
    assert "champion" not in h.aliases(uri, name)

    promoted = h.run_cli(["promote", "--model", name, "--tracking-uri", uri, "--report", str(report)])
    assert promoted["code"] == 0, promoted
    assert h.aliases(uri, name) == {"challenger": version, "champion": version}
    audit = json.loads(h.client_for(uri).get_model_version(name, version).tags["mlops.promotion"])
    assert audit["report_digest"] == tags["mlops.report_digest"]
    assert audit["report_run_id"] == tags["mlops.report_run_id"]
