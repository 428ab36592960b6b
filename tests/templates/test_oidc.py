"""The OIDC credential path of mlops-cd.yml: its step runs against a local token endpoint."""

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


def _run_step(env: dict[str, str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    full = {"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), **env}
    done = subprocess.run(
        ["bash", "-e", "-c", _step("MLflow token from GitHub OIDC")["run"]],
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
