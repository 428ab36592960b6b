"""The OIDC credential path of the workflows that talk to MLflow: mlops-cd.yml's inline step and the
``mlflow-oidc-token`` action (train, monitor, rollback) run against a local token endpoint."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.templates.lint import TEMPLATES, load

CD = TEMPLATES / "workflows" / "mlops-cd.yml"
ACTION = TEMPLATES / "actions" / "mlflow-oidc-token" / "action.yml"
USES = "$/.github/actions/mlflow-oidc-token"
#: workflow -> (job, the expression holding the audience)
USERS = {
    "mlops-train.yml": ("train", "inputs.mlflow-oidc-audience"),
    "mlops-monitor.yml": ("drift", "env.MLFLOW_OIDC_AUDIENCE"),
    "mlops-rollback.yml": ("rollback", "env.MLFLOW_OIDC_AUDIENCE"),
}


def _step(name: str) -> dict[str, Any]:
    steps = load(CD)["jobs"]["promote"]["steps"]
    return next(s for s in steps if s.get("name") == name)


@pytest.fixture
def token_endpoint() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """GitHub's ID-token endpoint, played by a local server: answers ``{"value": "jwt-for-<audience>"}``."""
    seen: list[dict[str, Any]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            seen.append({"query": query, "auth": self.headers.get("Authorization")})
            body = json.dumps({"value": f"jwt-for-{query['audience'][0]}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0", seen
    finally:
        server.shutdown()
        server.server_close()


def _action_script() -> str:
    return str(load(ACTION)["runs"]["steps"][0]["run"])


def _run_step(
    env: dict[str, str], tmp_path: Path, script: str | None = None
) -> tuple[subprocess.CompletedProcess[str], Path]:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    full = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), **env}
    done = subprocess.run(
        ["bash", "-e", "-c", script if script is not None else _step("MLflow token from GitHub OIDC")["run"]],
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done, output


def test_oidc_step_requests_a_token_for_the_audience_and_masks_it(
    token_endpoint: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    url, seen = token_endpoint
    env = {
        "ACTIONS_ID_TOKEN_REQUEST_URL": url,
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req-token",
        "AUDIENCE": "api://mlflow x",
    }
    done, output = _run_step(env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["::add-mask::jwt-for-api://mlflow x"]
    assert output.read_text(encoding="utf-8") == "token=jwt-for-api://mlflow x\n"
    assert seen[0]["auth"] == "bearer req-token"
    assert seen[0]["query"]["api-version"] == ["2.0"]


def test_oidc_step_without_the_permission_says_what_to_grant(tmp_path: Path) -> None:
    done, output = _run_step({"AUDIENCE": "api://mlflow"}, tmp_path)
    assert done.returncode == 1
    assert "grant 'id-token: write' to the job calling mlops-cd.yml" in done.stdout
    assert output.read_text(encoding="utf-8") == ""


def test_the_token_reaches_every_mlflow_step_and_only_when_asked() -> None:
    step = _step("MLflow token from GitHub OIDC")
    assert step["if"] == "inputs.mlflow-oidc-audience != ''"
    job = load(CD)["jobs"]["promote"]
    assert job["permissions"]["id-token"] == "write"
    for s in job["steps"]:
        if "MLFLOW_TRACKING_URI" in (s.get("env") or {}) and "MLFLOW_TRACKING_USERNAME" in s["env"]:
            assert (
                s["env"]["MLFLOW_TRACKING_TOKEN"] == "${{ steps.oidc.outputs.token || secrets.MLFLOW_TRACKING_TOKEN }}"
            )
    # the caller grants what the called job asks for (GitHub refuses a nested job asking for more)
    caller = load(TEMPLATES / "workflows" / "mlops-ct.yml")["jobs"]["deliver"]
    assert caller["permissions"]["id-token"] == "write"


# -- the same path in mlops-train.yml, mlops-monitor.yml and mlops-rollback.yml (through the action) ------


def test_the_action_requests_a_token_for_the_audience_and_masks_it(
    token_endpoint: tuple[str, list[dict[str, Any]]], tmp_path: Path
) -> None:
    url, seen = token_endpoint
    env = {"ACTIONS_ID_TOKEN_REQUEST_URL": url, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "req", "AUDIENCE": "sts.example"}
    done, output = _run_step(env, tmp_path, _action_script())
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["::add-mask::jwt-for-sts.example"]
    assert output.read_text(encoding="utf-8") == "token=jwt-for-sts.example\n"
    assert seen[0]["auth"] == "bearer req"


def test_the_action_without_the_permission_says_what_to_grant(tmp_path: Path) -> None:
    done, output = _run_step({"AUDIENCE": "sts.example"}, tmp_path, _action_script())
    assert done.returncode == 1
    assert "grant 'id-token: write' to this job" in done.stdout
    assert output.read_text(encoding="utf-8") == ""


def test_the_action_and_the_inline_cd_step_request_the_token_alike() -> None:
    """mlops-cd.yml keeps the step inline (it is called at a tag, without local actions): same request."""

    def request(script: str) -> str:
        return script[script.index("import json") : script.index('echo "token=')]

    assert request(_action_script()) == request(_step("MLflow token from GitHub OIDC")["run"])


def _mlflow_steps(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [s for s in steps if "MLFLOW_TRACKING_USERNAME" in (s.get("env") or {})]


@pytest.mark.parametrize("workflow", sorted(USERS))
def test_every_mlflow_step_takes_a_fresh_oidc_token_when_an_audience_is_set(workflow: str) -> None:
    job_name, audience = USERS[workflow]
    job = load(TEMPLATES / "workflows" / workflow)["jobs"][job_name]
    assert job["permissions"]["id-token"] == "write"
    steps = job["steps"]
    token_steps = [s for s in steps if s.get("uses") == USES]
    assert token_steps, f"{workflow}: no step uses {USES}"
    for s in token_steps:
        assert s["if"] == f"{audience} != ''"
        assert s["with"] == {"audience": "${{ " + audience + " }}"}
    mlflow = _mlflow_steps(steps)
    assert mlflow
    for s in mlflow:
        # the token of the nearest token step before it (train asks again after a long training)
        before = [t for t in token_steps if steps.index(t) < steps.index(s)]
        assert before, f"{workflow}: {s['name']!r} runs before any token step"
        expected = "${{ steps." + before[-1]["id"] + ".outputs.token || secrets.MLFLOW_TRACKING_TOKEN }}"
        assert s["env"]["MLFLOW_TRACKING_TOKEN"] == expected, f"{workflow}: {s['name']!r}"


def test_the_audience_input_is_declared_like_mlops_cd() -> None:
    cd = load(CD)["on"]["workflow_call"]["inputs"]["mlflow-oidc-audience"]
    train = load(TEMPLATES / "workflows" / "mlops-train.yml")["on"]["workflow_call"]["inputs"]["mlflow-oidc-audience"]
    assert train == cd
    # the scheduled and the dispatched workflow take it as a setting init fills in, not as a dispatch input
    for workflow in ("mlops-monitor.yml", "mlops-rollback.yml"):
        loaded = load(TEMPLATES / "workflows" / workflow)
        job_name = USERS[workflow][0]
        assert loaded["jobs"][job_name]["env"]["MLFLOW_OIDC_AUDIENCE"] == "__MLFLOW_OIDC_AUDIENCE__"
        assert "mlflow-oidc-audience" not in ((loaded["on"].get("workflow_dispatch") or {}).get("inputs") or {})
    ct = load(TEMPLATES / "workflows" / "mlops-ct.yml")["jobs"]
    for call in ("train", "deliver"):
        assert ct[call]["permissions"]["id-token"] == "write"
        assert ct[call]["with"]["mlflow-oidc-audience"] == "__MLFLOW_OIDC_AUDIENCE__"
