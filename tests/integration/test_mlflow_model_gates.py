"""Model gates against real MLflow: a sqlite store per test and the session's `mlflow server`.

Models are logged and registered for real (explicit pip requirements), loaded by alias through
the plugin's fixtures inside a pytester session, and every tag the session writes is read
back with a plain MlflowClient.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from mlflow import MlflowClient

from pytest_mlops.errors import MlopsError, MlopsInputError
from pytest_mlops.integrations.mlflow import (
    REPORT_TAGS,
    AliasNotFoundError,
    check_reachable,
    connect,
    default_tracking_uri,
    load_model_by_alias,
)
from pytest_mlops.report import report_digest
from tests.integration.mlflow_env import MlflowServer, free_port
from tests.integration.model_fixtures import MODEL, register, trained, write_holdout

pytestmark = pytest.mark.filterwarnings(
    # MLflow's sqlalchemy models use a loader strategy sqlalchemy deprecates (not our call)
    "ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning",
)

INNER_CONFTEST = """
import numpy as np
import pytest

@pytest.fixture(scope="session")
def holdout():
    data = np.load({path!r})
    return data["X"], data["y"]
"""

INNER_TESTS = """
def test_challenger_quality(mlops_model, mlops_challenger, holdout):
    X, y = holdout
    mlops_model.metric("roc_auc", y, model=mlops_challenger, X=X, at_least={at_least})

def test_not_worse_than_champion(mlops_model, mlops_champion, mlops_challenger, holdout):
    X, y = holdout
    mlops_model.compare("roc_auc", y, X=X, challenger=mlops_challenger, champion=mlops_champion, max_drop=0.05)
"""


def _no_stray_store(before: set[str]) -> None:
    stray = {"mlflow.db", "mlruns", "mlartifacts"} & (set(os.listdir(Path.cwd())) - before)
    assert not stray, f"left in the working directory: {stray}"


@pytest.fixture
def cwd_before() -> set[str]:
    return set(os.listdir(Path.cwd()))


def test_register_and_load_by_alias_on_sqlite(sqlite_tracking_uri: str, tmp_path: Path, cwd_before: set[str]) -> None:
    data = trained()
    v1 = register(data.strong, sqlite_tracking_uri, tmp_path / "artifacts", "champion")
    v2 = register(data.weak, sqlite_tracking_uri, tmp_path / "artifacts", "challenger")
    assert (v1.version, v1.alias, v1.uri) == ("1", "champion", f"models:/{MODEL}@champion")
    assert (v2.version, v2.model_uri) == ("2", f"models:/{MODEL}/2")

    client = connect(sqlite_tracking_uri)
    assert str(client.get_model_version_by_alias(MODEL, "challenger").version) == "2"
    champion = load_model_by_alias(client, MODEL, "champion", dst_dir=tmp_path / "dl")
    assert (champion.name, champion.version, champion.alias, champion.run_id) == (MODEL, "1", "champion", v1.run_id)
    assert champion.flavor == "sklearn"
    assert (champion.predict_proba(data.X_test) == data.strong.predict_proba(data.X_test)).all()
    assert list(champion.classes_) == [0, 1]
    assert champion.model_lineage() == {
        "role": "model",
        "name": MODEL,
        "version": "1",
        "alias": "champion",
        "run_id": v1.run_id,
        "uri": f"models:/{MODEL}@champion",
    }

    with pytest.raises(
        AliasNotFoundError, match=r"'churn' has no alias 'prod' \(aliases: challenger -> v2, champion -> v1\)"
    ):
        load_model_by_alias(client, MODEL, "prod")
    with pytest.raises(MlopsInputError, match=r"registered model 'nope' does not exist in the registry at 'sqlite:///"):
        load_model_by_alias(client, "nope", "champion")
    _no_stray_store(cwd_before)


def _registered_pair(uri: str, artifacts: Path, *, champion: bool = True) -> None:
    data = trained()
    if champion:
        register(data.strong, uri, artifacts, "champion")
    register(data.weak, uri, artifacts, "challenger")


def test_fixtures_gates_and_log_to_mlflow_on_sqlite(
    pytester: pytest.Pytester, sqlite_tracking_uri: str, tmp_path: Path
) -> None:
    _registered_pair(sqlite_tracking_uri, tmp_path / "artifacts")
    client = MlflowClient(tracking_uri=sqlite_tracking_uri)
    # the champion (v1) carries the tags of the gate run that promoted it; a CT run of v2 must keep them
    own = {key: f"champion's own {key}" for key in REPORT_TAGS}
    for key, value in own.items():
        client.set_model_version_tag(MODEL, "1", key, value)
    pytester.makeconftest(INNER_CONFTEST.format(path=str(write_holdout(tmp_path))))
    pytester.makepyfile(test_gates=INNER_TESTS.format(at_least=0.85))
    report = pytester.path / "report.json"
    args = [
        f"--mlops-tracking-uri={sqlite_tracking_uri}",
        f"--mlops-model-name={MODEL}",
        f"--mlops-report={report}",
        "--mlops-log-to-mlflow",
        "--mlops-experiment=gate-runs",
    ]
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "mlops: gate results logged to MLflow run *; tagged model versions: churn v2",
            "PASSED  model 'roc_auc vs champion': drop 0.0238 <= max_drop 0.05 (challenger 0.9033, champion 0.9271)",
        ]
    )
    digest = report_digest(report)
    tags = {v: client.get_model_version(MODEL, v).tags for v in ("1", "2")}
    assert {key: tags["1"][key] for key in REPORT_TAGS} == own  # the baseline it was compared with: untouched
    assert set(REPORT_TAGS) <= set(tags["2"])
    assert tags["2"]["mlops.report_digest"] == digest
    assert tags["2"]["mlops.report_status"] == "passed"
    assert tags["2"]["mlops.report_kinds"] == "model"
    lineage = {(e["alias"], e["version"]) for e in json.loads(report.read_text())["lineage"] if e["role"] == "model"}
    assert lineage == {("champion", "1"), ("challenger", "2")}
    run = client.get_run(tags["2"]["mlops.report_run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.metrics["mlops.gates"] == 2.0
    assert run.data.metrics["mlops.gates_failed"] == 0.0
    assert run.data.metrics["gate/model/roc_auc"] == pytest.approx(0.903, abs=1e-3)
    assert run.data.tags["mlops.report_digest"] == digest
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["report.json"]
    experiment = client.get_experiment(run.info.experiment_id)
    assert experiment.name == "gate-runs"
    assert experiment.artifact_location.startswith(Path(sqlite_tracking_uri.removeprefix("sqlite:///")).parent.as_uri())

    # a failing session re-tags the same versions with a new digest and status
    pytester.makepyfile(test_gates=INNER_TESTS.format(at_least=0.99))
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1, failed=1)
    after = client.get_model_version(MODEL, "2").tags
    assert after["mlops.report_status"] == "failed"
    assert after["mlops.report_digest"] == report_digest(report) != digest
    assert after["mlops.report_run_id"] != tags["2"]["mlops.report_run_id"]


def test_cold_start_and_missing_aliases_through_the_fixtures(
    pytester: pytest.Pytester, sqlite_tracking_uri: str, tmp_path: Path
) -> None:
    _registered_pair(sqlite_tracking_uri, tmp_path / "artifacts", champion=False)
    pytester.makeconftest(INNER_CONFTEST.format(path=str(write_holdout(tmp_path))))
    pytester.makepyfile(test_gates=INNER_TESTS.format(at_least=0.85))
    uri = f"--mlops-tracking-uri={sqlite_tracking_uri}"
    result = pytester.runpytest(uri, f"--mlops-model-name={MODEL}", f"--mlops-report={pytester.path / 'r.json'}")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "PASSED  model 'roc_auc vs champion': cold start: no champion to compare with (on_cold_start='pass'); "
            "challenger roc_auc 0.9033",
        ]
    )

    result = pytester.runpytest(uri, f"--mlops-model-name={MODEL}", "--mlops-challenger-alias=candidate")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*registered model 'churn' has no alias 'candidate' (aliases: challenger -> v1); "
            "set it with MlflowClient().set_registered_model_alias('churn', 'candidate', VERSION)",
        ]
    )
    assert "site-packages" not in result.stdout.str()

    result = pytester.runpytest(uri, "--mlops-model-name=nope")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*registered model 'nope' does not exist in the registry at 'sqlite:///*"])

    result = pytester.runpytest(uri)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["*mlops_challenger needs the registered model's name: pass --mlops-model-name NAME or set mlops_model_name*"]
    )


def test_a_server_that_is_down_fails_fast_with_its_uri(pytester: pytest.Pytester, tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    refused = rf"MLflow tracking server '{dead}' is unreachable \(connection refused\); start it"
    with pytest.raises(MlopsError, match=refused):
        check_reachable(dead, timeout=2)

    pytester.makeconftest(INNER_CONFTEST.format(path=str(write_holdout(tmp_path))))
    pytester.makepyfile(test_gates=INNER_TESTS.format(at_least=0.85))
    result = pytester.runpytest(
        f"--mlops-tracking-uri={dead}",
        f"--mlops-model-name={MODEL}",
        "--mlops-mlflow-timeout=2",
        "--mlops-log-to-mlflow",
        f"--mlops-report={pytester.path / 'r.json'}",
    )
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            f"*MLflow tracking server '{dead}' is unreachable (connection refused); start it, or "
            "point --tracking-uri / --mlops-tracking-uri / MLFLOW_TRACKING_URI at a running one",
        ]
    )
    assert "During handling" not in result.stdout.str()
    # the session hook reports the same problem instead of crashing the run
    result.stdout.fnmatch_lines([f"mlops: logging gate results to MLflow failed: MLflow tracking server '{dead}'*"])


def test_default_store_is_sqlite_in_the_rootdir(tmp_path: Path) -> None:
    assert default_tracking_uri(tmp_path) == f"sqlite:///{tmp_path.resolve() / 'mlflow.db'}"


@pytest.mark.slow
@pytest.mark.mlflow_server
def test_against_a_real_mlflow_server(
    pytester: pytest.Pytester, mlflow_server: MlflowServer, tmp_path: Path, cwd_before: set[str]
) -> None:
    uri = mlflow_server.url
    name = f"churn-{uuid.uuid4().hex[:8]}"
    data = trained()
    from pytest_mlops.integrations.mlflow import register_sklearn_model

    champion = register_sklearn_model(data.strong, name, tracking_uri=uri, alias="champion", experiment=name)
    challenger = register_sklearn_model(data.weak, name, tracking_uri=uri, alias="challenger", experiment=name)
    assert (champion.version, challenger.version) == ("1", "2")

    pytester.makeconftest(INNER_CONFTEST.format(path=str(write_holdout(tmp_path))))
    pytester.makepyfile(test_gates=INNER_TESTS.format(at_least=0.85))
    report = pytester.path / "report.json"
    result = pytester.runpytest(
        f"--mlops-tracking-uri={uri}", f"--mlops-model-name={name}", f"--mlops-report={report}", "--mlops-log-to-mlflow"
    )
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([f"mlops: gate results logged to MLflow run *; tagged model versions: {name} v2"])

    client = MlflowClient(tracking_uri=uri)
    version = client.get_model_version_by_alias(name, "challenger")
    assert str(version.version) == "2"
    assert version.tags["mlops.report_digest"] == report_digest(report)
    assert version.tags["mlops.report_status"] == "passed"
    run = client.get_run(version.tags["mlops.report_run_id"])
    assert run.data.metrics["mlops.gates_passed"] == 2.0
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["report.json"]
    lineage = [e for e in __import__("json").loads(report.read_text())["lineage"] if e["role"] == "model"]
    assert {(e["name"], e["version"], e["alias"], e["uri"]) for e in lineage} == {
        (name, "1", "champion", f"models:/{name}@champion"),
        (name, "2", "challenger", f"models:/{name}@challenger"),
    }
    _no_stray_store(cwd_before)
