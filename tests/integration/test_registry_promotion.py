"""Promote, refuse, rollback and history against a real `mlflow server` on 127.0.0.1.

Every outcome is verified by reading the registry back with a plain MlflowClient.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.integration import registry_helpers as h
from tests.integration.mlflow_env import MlflowServer

pytestmark = [pytest.mark.slow, pytest.mark.mlflow_server]

CI_ENV = {
    "GITHUB_ACTOR": "octocat",
    "GITHUB_REPOSITORY": "acme/churn",
    "GITHUB_RUN_ID": "4242",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_SHA": "feedbeefcafe0000000000000000000000000000",
    "GITHUB_SERVER_URL": "https://github.com",
}


@pytest.fixture(scope="module")
def server_run(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    """One run on the server; versions are registered from it (the protocol never loads them)."""
    return h.bare_run(mlflow_server.url, tmp_path_factory.mktemp("registry-artifacts"))


@pytest.fixture
def model_name() -> str:
    return f"churn-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """GitHub Actions variables and a $GITHUB_OUTPUT file; the cwd is a temporary folder."""
    for key, value in CI_ENV.items():
        monkeypatch.setenv(key, value)
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.chdir(tmp_path)
    return output


def cli(uri: str, command: str, name: str, *extra: str) -> dict[str, Any]:
    return h.run_cli([command, "--model", name, "--tracking-uri", uri, "--timeout", "15", *extra])


def snapshot(uri: str, name: str, versions: list[str]) -> dict[str, Any]:
    client = h.client_for(uri)
    model = client.get_registered_model(name)
    return {
        "aliases": {str(k): str(v) for k, v in model.aliases.items()},
        "tags": dict(model.tags),
        "versions": {v: dict(client.get_model_version(name, v).tags) for v in versions},
    }


def test_promote_rollback_history(
    mlflow_server: MlflowServer, server_run: str, model_name: str, tmp_path: Path, ci: Path
) -> None:
    uri, name = mlflow_server.url, model_name
    client = h.client_for(uri)
    v1, v2, v3 = h.new_versions(uri, name, server_run, 3)
    reports = {v: h.gated_version(uri, name, v, server_run, tmp_path) for v in (v1, v2, v3)}

    # first promotion: there is no champion yet
    client.set_registered_model_alias(name, "challenger", v1)
    done = cli(uri, "promote", name, "--report", str(reports[v1]))
    assert done["code"] == 0, done
    assert "there was no champion before" in done["stdout"]
    assert h.aliases(uri, name) == {"challenger": v1, "champion": v1}

    client.set_registered_model_alias(name, "challenger", v2)
    done = cli(uri, "promote", name, "--report", str(reports[v2]), "--reason", "better recall")
    assert done["code"] == 0, done
    assert h.aliases(uri, name) == {"challenger": v2, "champion": v2, "previous-champion": v1}
    assert f"promoted=true\nversion={v2}\nprevious_version={v1}\n" in ci.read_text()

    # audit tags on the promoted version: who, when, which report, commit and CI run
    tags = client.get_model_version(name, v2).tags
    audit = json.loads(tags["mlops.promotion"])
    assert audit["by"] == "octocat (GitHub Actions)"
    assert audit["at"].endswith("Z")
    assert audit["from"] == v1
    assert audit["report_digest"] == client.get_model_version(name, v2).tags["mlops.report_digest"]
    assert audit["report_run_id"] == server_run
    assert audit["commit"] == CI_ENV["GITHUB_SHA"]
    assert audit["ci_run"] == "https://github.com/acme/churn/actions/runs/4242/attempts/2"
    assert json.loads(client.get_model_version(name, v1).tags["mlops.demotion"])["by_version"] == v2

    # promoting the champion again is a no-op, exit 0
    again = cli(uri, "promote", name, "--version", v2, "--report", str(reports[v2]))
    assert again["code"] == 0
    assert "already 'champion'" in again["stdout"]

    client.set_registered_model_alias(name, "challenger", v3)
    assert cli(uri, "promote", name, "--report", str(reports[v3]))["code"] == 0
    assert h.aliases(uri, name)["champion"] == v3

    # rollbacks walk back through the history, one write each
    back = cli(uri, "rollback", name, "--reason", "latency regression")
    assert back["code"] == 0, back
    assert h.aliases(uri, name) == {"challenger": v3, "champion": v2, "previous-champion": v1}
    assert "rolled_back=true" in ci.read_text()
    assert json.loads(client.get_model_version(name, v3).tags["mlops.rollback"])["reason"] == "latency regression"
    assert cli(uri, "rollback", name)["code"] == 0
    assert h.aliases(uri, name) == {"challenger": v3, "champion": v1}
    nothing = cli(uri, "rollback", name)
    assert nothing["code"] == 1
    assert "no previous champion to roll back to" in nothing["stderr"]
    assert h.aliases(uri, name)["champion"] == v1

    # history, as JSON and as text
    hist = cli(uri, "history", name, "--json")
    assert hist["code"] == 0
    data = json.loads(hist["stdout"])
    steps = [(e["action"], e["from_version"], e["to_version"], e["state"]) for e in data["events"]]
    assert steps == [
        ("promote", None, v1, "done"),
        ("promote", v1, v2, "done"),
        ("promote", v2, v3, "done"),
        ("rollback", v3, v2, "done"),
        ("rollback", v2, v1, "done"),
    ]
    assert data["events"][1]["reason"] == "better recall"
    assert data["aliases"]["champion"] == v1
    assert data["lock"] is None
    text = cli(uri, "history", name)["stdout"]
    assert f"champion: v{v2} -> v{v3}" in text
    assert "rollback" in text
    assert "by octocat (GitHub Actions)" in text


# The four refusals of the acceptance list run against the real server; the others against the
# sqlite store (same code path, a fraction of the time).
REFUSALS = [
    pytest.param("server", "failed", "did not pass (model gate 'model check': 0.71 < 0.85)", id="failed-report"),
    pytest.param("server", "other-version", "is for version {other} of model", id="report-for-another-version"),
    pytest.param("server", "tampered", "is not the report recorded on version", id="tampered-report"),
    pytest.param("server", "missing-kinds", "required gate kind(s) drift did not run", id="missing-gate-kinds"),
    pytest.param("sqlite", "stale", "is not the report recorded on version", id="stale-report"),
    pytest.param("sqlite", "not-recorded", "has no recorded gate report", id="no-digest-on-version"),
    pytest.param("sqlite", "champion-baseline", "as the 'champion' baseline", id="version-evaluated-as-champion"),
    pytest.param("sqlite", "commit", "not at 1234abc", id="unexpected-commit"),
]


@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("backend", "case", "message"), REFUSALS)
def test_refusals_leave_the_registry_untouched(
    request: pytest.FixtureRequest, model_name: str, tmp_path: Path, ci: Path, backend: str, case: str, message: str
) -> None:
    if backend == "server":
        uri, server_run = request.getfixturevalue("mlflow_server").url, request.getfixturevalue("server_run")
    else:
        uri = request.getfixturevalue("sqlite_tracking_uri")
        server_run = h.bare_run(uri, tmp_path / "artifacts")
    name = model_name
    client = h.client_for(uri)
    v1, v2, v3 = h.new_versions(uri, name, server_run, 3)
    first = h.gated_version(uri, name, v1, server_run, tmp_path)
    client.set_registered_model_alias(name, "challenger", v1)
    assert cli(uri, "promote", name, "--report", str(first))["code"] == 0
    client.set_registered_model_alias(name, "challenger", v2)
    extra: list[str] = []

    if case == "failed":
        report = h.write_report(tmp_path / "failed.json", name, v2, passed=False)
        h.record_gate_run(uri, name, v2, report, server_run)
    elif case == "other-version":
        report = h.gated_version(uri, name, v3, server_run, tmp_path)  # a valid report, but for v3
        message = message.format(other=v3)
    elif case == "tampered":
        report = h.write_report(tmp_path / "t.json", name, v2, passed=False)
        h.record_gate_run(uri, name, v2, report, server_run)
        data = json.loads(report.read_text())
        data["status"] = "passed"
        data["pytest_exitstatus"] = 0
        data["tests"] = {"counts": {"passed": 1}, "not_passed": []}
        for gate in data["gates"]:
            gate.update(passed=True, status="passed", summary="0.91 >= 0.85")
        data["summary"].update(passed=1, failed=0, by_kind={"model": {"passed": 1, "failed": 0, "warned": 0}})
        report.write_text(json.dumps(data, indent=2))
    elif case == "stale":
        report = h.gated_version(uri, name, v2, server_run, tmp_path)
        newer = h.write_report(tmp_path / "newer.json", name, v2, commit="f" * 40)
        h.record_gate_run(uri, name, v2, newer, server_run)  # a later gate run replaced the record
    elif case == "missing-kinds":
        report = h.gated_version(uri, name, v2, server_run, tmp_path)
        extra = ["--require-kinds", "model,drift"]
    elif case == "not-recorded":
        report = h.write_report(tmp_path / "unrecorded.json", name, v2)
    elif case == "champion-baseline":
        report = h.write_report(tmp_path / "baseline.json", name, v3, champion=v2)
        h.record_gate_run(uri, name, v2, report, server_run)
        h.record_gate_run(uri, name, v3, report, server_run)
    elif case == "commit":
        report = h.gated_version(uri, name, v2, server_run, tmp_path)
        extra = ["--expect-commit", "1234abc"]
    else:  # pragma: no cover
        raise AssertionError(case)

    before = snapshot(uri, name, [v1, v2, v3])
    refused = cli(uri, "promote", name, "--report", str(report), *extra)
    assert refused["code"] == 1, refused
    assert refused["stderr"].startswith("pytest-mlops promote: refused: ")
    assert message in refused["stderr"]
    assert "Traceback" not in refused["stderr"]
    assert snapshot(uri, name, [v1, v2, v3]) == before
    assert h.aliases(uri, name)["champion"] == v1
    assert "promoted=false\nreason=" in ci.read_text()


def test_bad_input_is_one_line_exit_2(mlflow_server: MlflowServer, model_name: str, tmp_path: Path, ci: Path) -> None:
    uri = mlflow_server.url
    missing_report = cli(uri, "promote", model_name, "--report", str(tmp_path / "nope.json"))
    assert missing_report["code"] == 2
    assert "nope.json' does not exist" in missing_report["stderr"]
    report = h.write_report(tmp_path / "r.json", model_name, "1")
    unknown = cli(uri, "promote", model_name, "--report", str(report))
    assert unknown["code"] == 2
    assert unknown["stderr"].count("\n") == 1
    assert uri in unknown["stderr"]
    assert "not found" in unknown["stderr"]
    assert cli(uri, "history", model_name)["code"] == 2
