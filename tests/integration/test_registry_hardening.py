"""Promotion that cannot be fooled (issue 15, items 1-6), against the real `mlflow server` on 127.0.0.1.

* a rolled-back version is not promoted again by its old report (item 1);
* a report compared against another champion than the live one - or against none, on a
  cold start - is refused (item 2); item 3 (CT runs tag only what they gate) is in
  ``test_mlflow_model_gates.py``;
* a reply lost after the alias switch landed: ``promote`` / ``rollback`` re-read and report what
  really happened (item 4), through :class:`~tests.integration.net_faults.LossyProxy`;
* a server that accepts and never answers, and an unreachable port: one line, no retries (item 5);
* credentials in the URI never appear in a message (item 6).
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.integration import registry_helpers as h
from tests.integration.mlflow_env import MlflowServer, free_port
from tests.integration.net_faults import LossyProxy, SilentServer

pytestmark = [pytest.mark.slow, pytest.mark.mlflow_server]

REPO = Path(__file__).resolve().parents[2]
CHAMPION_SWITCH = r'"alias":\s*"champion"'  # the body of the one commit write (set alias champion)


@pytest.fixture(scope="module")
def server_run(mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    return h.bare_run(mlflow_server.url, tmp_path_factory.mktemp("hardening-artifacts"))


@pytest.fixture
def name() -> str:
    return f"harden-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _no_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("GITHUB_ACTOR", "GITHUB_OUTPUT", "GITHUB_RUN_ID", "GITHUB_SHA"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def proxy(mlflow_server: MlflowServer) -> Iterator[LossyProxy]:
    lossy = LossyProxy(mlflow_server.url)
    yield lossy
    lossy.close()


def cli(uri: str, command: str, name: str, *extra: str) -> dict[str, Any]:
    return h.run_cli([command, "--model", name, "--tracking-uri", uri, "--timeout", "15", *extra])


def history(uri: str, name: str) -> list[dict[str, Any]]:
    out = cli(uri, "history", name, "--json")
    assert out["code"] == 0, out
    events: list[dict[str, Any]] = json.loads(out["stdout"])["events"]
    return events


def one_clean_line(text: str) -> None:
    assert text.count("\n") == 1, text
    for leak in ("Traceback", "urllib3", "HTTPConnectionPool", "Max retries", "requests.exceptions"):
        assert leak not in text, text


def champion_v1_v2(uri: str, name: str, run_id: str, folder: Path) -> tuple[list[str], dict[str, Path]]:
    """v1, v2, v3 registered and gated; v1 then v2 promoted (v2 is champion, v1 previous)."""
    versions = h.new_versions(uri, name, run_id, 3)
    reports = {v: h.gated_version(uri, name, v, run_id, folder) for v in versions}
    for v in versions[:2]:
        done = cli(uri, "promote", name, "--version", v, "--report", str(reports[v]))
        assert done["code"] == 0, done
    return versions, reports


# -- item 1: rolled-back versions ----------------------------------------------------------------------


def test_a_rolled_back_version_is_not_promoted_again_by_its_old_report(
    mlflow_server: MlflowServer, server_run: str, name: str, tmp_path: Path
) -> None:
    uri = mlflow_server.url
    (v1, v2, _), reports = champion_v1_v2(uri, name, server_run, tmp_path)
    back = cli(uri, "rollback", name, "--reason", "complaints")
    assert back["code"] == 0, back
    assert h.aliases(uri, name)["champion"] == v1

    again = cli(uri, "promote", name, "--version", v2, "--report", str(reports[v2]))
    assert again["code"] == 1, again
    assert f"version {v2} of model '{name}' was rolled back by #3" in again["stderr"]
    assert "(reason: complaints)" in again["stderr"]
    assert "--allow-rolled-back --reason" in again["stderr"]
    assert h.aliases(uri, name)["champion"] == v1

    # the override needs a reason (usage error) and a report newer than the rollback
    no_reason = cli(uri, "promote", name, "--version", v2, "--report", str(reports[v2]), "--allow-rolled-back")
    assert no_reason["code"] == 2, no_reason
    assert "--allow-rolled-back needs --reason" in no_reason["stderr"]
    stale = cli(
        uri, "promote", name, "--version", v2, "--report", str(reports[v2]), "--allow-rolled-back", "--reason", "x"
    )
    assert stale["code"] == 1, stale
    assert "is not newer than the rollback" in stale["stderr"]
    assert h.aliases(uri, name)["champion"] == v1

    rolled_at = datetime.fromisoformat(history(uri, name)[-1]["at"])
    newer = h.write_report(tmp_path / "newer.json", name, v2, created_at=(rolled_at + timedelta(seconds=5)).isoformat())
    h.record_gate_run(uri, name, v2, newer, server_run)
    # a newer report alone is not enough: the override must be explicit
    assert cli(uri, "promote", name, "--version", v2, "--report", str(newer))["code"] == 1
    done = cli(
        uri, "promote", name, "--version", v2, "--report", str(newer), "--allow-rolled-back", "--reason", "fixed"
    )
    assert done["code"] == 0, done
    assert h.aliases(uri, name)["champion"] == v2
    last = history(uri, name)[-1]
    assert (last["action"], last["to_version"], last["state"]) == ("promote", v2, "done")
    assert last["reason"] == "fixed"
    assert last["override"] == f"re-promotes version {v2}, rolled back by #3"
    assert "override: re-promotes" in cli(uri, "history", name)["stdout"]


def test_a_canary_rolled_back_is_refused_too(
    mlflow_server: MlflowServer, server_run: str, name: str, tmp_path: Path
) -> None:
    from pytest_mlops.registry.client import Registry
    from pytest_mlops.registry.promotion import abort_canary

    uri = mlflow_server.url
    (_v1, v2, v3), reports = champion_v1_v2(uri, name, server_run, tmp_path)
    h.client_for(uri).set_registered_model_alias(name, "challenger", v3)
    abort_canary(Registry(uri), name, canary_alias="challenger", reason="error rate")
    refused = cli(uri, "promote", name, "--version", v3, "--report", str(reports[v3]))
    assert refused["code"] == 1, refused
    assert "rolled back by #3" in refused["stderr"]
    assert h.aliases(uri, name)["champion"] == v2


# -- item 2: the champion the report compared with ---------------------------------------------------------


def test_a_report_compared_against_another_champion_is_refused(
    mlflow_server: MlflowServer, server_run: str, name: str, tmp_path: Path
) -> None:
    uri = mlflow_server.url
    (v1, v2, v3), _ = champion_v1_v2(uri, name, server_run, tmp_path)

    # written when v1 was champion; v2 is champion now
    old_baseline = h.write_report(tmp_path / "vs-v1.json", name, v3, champion=v1, comparison="champion")
    h.record_gate_run(uri, name, v3, old_baseline, server_run)
    refused = cli(uri, "promote", name, "--version", v3, "--report", str(old_baseline))
    assert refused["code"] == 1, refused
    assert (
        f"compared against 'champion' version {v1}, but 'champion' of model '{name}' is now version {v2}"
        in (refused["stderr"])
    )

    # written before any champion existed (cold start); v2 is champion now
    cold = h.write_report(tmp_path / "cold.json", name, v3, comparison="cold")
    h.record_gate_run(uri, name, v3, cold, server_run)
    refused = cli(uri, "promote", name, "--version", v3, "--report", str(cold))
    assert refused["code"] == 1, refused
    assert "is a cold-start report (gate 'roc_auc vs champion' found no 'champion'" in refused["stderr"]
    assert f"has 'champion' version {v2} now" in refused["stderr"]
    assert h.aliases(uri, name)["champion"] == v2
    assert [e["to_version"] for e in history(uri, name)] == [v1, v2]

    # against the live champion: accepted
    current = h.write_report(tmp_path / "vs-v2.json", name, v3, champion=v2, comparison="champion")
    h.record_gate_run(uri, name, v3, current, server_run)
    done = cli(uri, "promote", name, "--version", v3, "--report", str(current))
    assert done["code"] == 0, done
    assert h.aliases(uri, name)["champion"] == v3


# -- item 4: the reply to the switch is lost -------------------------------------------------------------


def test_promote_reports_the_real_outcome_when_the_switch_reply_is_lost(
    mlflow_server: MlflowServer, proxy: LossyProxy, server_run: str, name: str, tmp_path: Path
) -> None:
    uri = mlflow_server.url
    (_v1, v2, v3), reports = champion_v1_v2(uri, name, server_run, tmp_path)
    proxy.lose(CHAMPION_SWITCH, when="after")
    done = cli(proxy.url, "promote", name, "--version", v3, "--report", str(reports[v3]))
    assert proxy.dropped == ["after: /api/2.0/mlflow/registered-models/alias"]
    assert done["code"] == 0, done
    assert f"promoted version {v3} of model '{name}' to 'champion'" in done["stdout"]
    assert "the reply to a write was lost" in done["stderr"]
    assert f"re-reading the registry shows 'champion' is version {v3}, so the switch landed" in done["stderr"]
    assert h.aliases(uri, name) == {"champion": v3, "previous-champion": v2}
    last = history(uri, name)[-1]
    assert (last["action"], last["from_version"], last["to_version"], last["state"]) == ("promote", v2, v3, "done")
    tags = h.client_for(uri).get_model_version(name, v3).tags
    assert json.loads(tags["mlops.promotion"])["seq"] == last["seq"]
    assert json.loads(h.client_for(uri).get_model_version(name, v2).tags["mlops.demotion"])["by_version"] == v3


def test_promote_says_nothing_switched_when_the_switch_never_arrived(
    mlflow_server: MlflowServer, proxy: LossyProxy, server_run: str, name: str, tmp_path: Path
) -> None:
    uri = mlflow_server.url
    (v1, v2, v3), reports = champion_v1_v2(uri, name, server_run, tmp_path)
    proxy.lose(CHAMPION_SWITCH, when="before")
    failed = cli(proxy.url, "promote", name, "--version", v3, "--report", str(reports[v3]))
    assert failed["code"] == 2, failed
    one_clean_line(failed["stderr"])
    assert (
        f"Re-read after the fault: 'champion' of model '{name}' is still version {v2}, so nothing was switched"
        in (failed["stderr"])
    )
    assert h.aliases(uri, name) == {"champion": v2, "previous-champion": v1}  # previous-champion put back
    assert history(uri, name)[-1]["state"] == "aborted"
    # and the next attempt goes through
    assert cli(uri, "promote", name, "--version", v3, "--report", str(reports[v3]))["code"] == 0
    assert h.aliases(uri, name)["champion"] == v3


def test_rollback_reports_the_real_outcome_when_the_switch_reply_is_lost(
    mlflow_server: MlflowServer, proxy: LossyProxy, server_run: str, name: str, tmp_path: Path
) -> None:
    uri = mlflow_server.url
    (v1, v2, _), _ = champion_v1_v2(uri, name, server_run, tmp_path)
    proxy.lose(CHAMPION_SWITCH, when="after")
    back = cli(proxy.url, "rollback", name, "--reason", "latency")
    assert proxy.dropped == ["after: /api/2.0/mlflow/registered-models/alias"]
    assert back["code"] == 0, back
    assert f"'champion' version {v2} -> version {v1}" in back["stdout"]
    assert "so the switch landed" in back["stderr"]
    assert h.aliases(uri, name) == {"champion": v1}
    last = history(uri, name)[-1]
    assert (last["action"], last["to_version"], last["state"]) == ("rollback", v1, "done")


# -- item 5: a server that never answers, a port nobody listens on -------------------------------------------


def test_a_server_that_never_answers_fails_after_one_try_in_one_line() -> None:
    silent = SilentServer()
    try:
        out = h.run_cli(["history", "--model", "m", "--tracking-uri", silent.url, "--timeout", "2"])
    finally:
        silent.close()
    assert out["code"] == 2, out
    one_clean_line(out["stderr"])
    assert f"MLflow tracking server '{silent.url}' is unreachable (no answer within " in out["stderr"]
    assert silent.accepted == 1  # one probe, no retry loop


def test_the_default_timeout_bounds_the_whole_command() -> None:
    """With the default --timeout (10) the first contact ends 10 s after the command started (not after its imports)."""
    silent = SilentServer()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest_mlops.cli", "history", "--model", "m", "--tracking-uri", silent.url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=REPO,
        )
    finally:
        silent.close()
    assert proc.returncode == 2, proc.stderr
    one_clean_line(proc.stderr)
    budget = float(proc.stderr.split("no answer within ")[1].split(" s")[0])
    assert budget < 10  # what was left of the 10 s after starting up, not 10 s more
    assert silent.accepted == 1


def test_an_unreachable_port_is_one_line() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    out = h.run_cli(["rollback", "--model", "m", "--tracking-uri", dead])
    assert out["code"] == 2, out
    one_clean_line(out["stderr"])
    assert f"'{dead}' is unreachable (connection refused); start it" in out["stderr"]


# -- item 6: credentials --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["history", "rollback", "promote"])
def test_credentials_never_appear(command: str, tmp_path: Path) -> None:
    uri = f"http://alice:s3cret@127.0.0.1:{free_port()}"
    report = h.write_report(tmp_path / "r.json", "m", "1")
    extra = ["--report", str(report)] if command == "promote" else []
    out = h.run_cli([command, "--model", "m", "--tracking-uri", uri, *extra])
    assert out["code"] == 2, out
    assert "s3cret" not in out["stderr"] + out["stdout"]
    assert "http://alice:***@127.0.0.1:" in out["stderr"]
    one_clean_line(out["stderr"])


def test_credentials_are_masked_in_answers_of_a_live_server(mlflow_server: MlflowServer, name: str) -> None:
    port = mlflow_server.url.rsplit(":", 1)[1]
    uri = f"http://alice:s3cret@127.0.0.1:{port}"
    out = h.run_cli(["history", "--model", name, "--tracking-uri", uri])
    assert out["code"] == 2, out  # no such model
    assert "s3cret" not in out["stderr"]
    assert f"http://alice:***@127.0.0.1:{port}" in out["stderr"]
    assert "not found" in out["stderr"]


def test_credentials_are_masked_by_the_plugin_connection(tmp_path: Path) -> None:
    from pytest_mlops.errors import MlopsError
    from pytest_mlops.integrations.mlflow import connect, redact

    uri = f"https://bob:hunter2@127.0.0.1:{free_port()}/mlflow"
    with pytest.raises(MlopsError) as caught:
        connect(uri, timeout=2)
    assert "hunter2" not in str(caught.value)
    assert "https://bob:***@127.0.0.1:" in str(caught.value)
    assert redact(f"a {uri} and 'http://u:p@h'") == (
        f"a https://bob:***@127.0.0.1:{uri.rsplit(':', 1)[1]} and 'http://u:***@h'"
    )
