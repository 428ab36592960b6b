"""Eight processes promote different challengers at once, three rounds, against a real `mlflow server`.

Each round must leave exactly one champion, a `previous-champion` that was a real earlier
champion, and a history whose promotions form one unbroken chain (each promotion replaced
the champion the previous one installed): no promotion silently overwrote another.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration import registry_helpers as h
from tests.integration.mlflow_env import MlflowServer

pytestmark = [pytest.mark.slow, pytest.mark.mlflow_server]

PROCESSES = 8
ROUNDS = 3
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """Eight long-lived worker processes (MLflow imported once each), cwd in a temporary folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.registry_helpers", "worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=tmp_path,
            env=env,
        )
        for _ in range(PROCESSES)
    ]
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.stdin:
                proc.stdin.close()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout:
                proc.stdout.close()


def _answer(proc: subprocess.Popen[str]) -> dict[str, object]:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, f"worker {proc.pid} died (exit {proc.poll()})"
    data: dict[str, object] = json.loads(line)
    return data


def _history(uri: str, name: str) -> list[dict[str, object]]:
    done = h.run_cli(["history", "--model", name, "--tracking-uri", uri, "--json"])
    assert done["code"] == 0, done
    events: list[dict[str, object]] = json.loads(str(done["stdout"]))["events"]
    return events


def test_concurrent_promotions_leave_one_champion_and_a_chain(
    mlflow_server: MlflowServer, workers: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    uri, name = mlflow_server.url, f"race-{uuid.uuid4().hex[:8]}"
    run_id = h.bare_run(uri, tmp_path / "artifacts")  # while the workers import MLflow
    ((first, report),) = h.gated_versions_at_creation(uri, name, run_id, 1, tmp_path)
    promoted = h.run_cli(
        ["promote", "--model", name, "--tracking-uri", uri, "--version", first, "--report", str(report)]
    )
    assert promoted["code"] == 0, promoted
    for proc in workers:
        assert _answer(proc) == {"ready": True}

    champions = [first]  # every version that has been champion, in order
    outcomes = []
    for _ in range(ROUNDS):
        made = h.gated_versions_at_creation(uri, name, run_id, PROCESSES, tmp_path)
        versions, reports = [v for v, _ in made], [p for _, p in made]
        before = len(_history(uri, name))
        for proc, version, path in zip(workers, versions, reports, strict=True):
            assert proc.stdin is not None
            args = ["promote", "--model", name, "--tracking-uri", uri, "--version", version, "--report", str(path)]
            proc.stdin.write(json.dumps([*args, "--lock-wait", "240", "--timeout", "30"]) + "\n")
            proc.stdin.flush()
        answers = [_answer(proc) for proc in workers]
        assert [a["code"] for a in answers] == [0] * PROCESSES, answers

        aliases = h.aliases(uri, name)
        events = _history(uri, name)[before:]
        assert [e["action"] for e in events] == ["promote"] * PROCESSES
        assert all(e["state"] == "done" for e in events)
        assert sorted(str(e["to_version"]) for e in events) == sorted(versions)
        # one unbroken chain: each promotion replaced exactly the champion installed before it
        previous = champions[-1]
        for event in events:
            assert event["from_version"] == previous, events
            previous = str(event["to_version"])
            champions.append(previous)
        assert aliases["champion"] == champions[-1]
        assert aliases["previous-champion"] == champions[-2]
        assert aliases["previous-champion"] in champions[:-1]  # a real earlier champion
        lock = json.loads(_history_json(uri, name))["lock"]
        assert lock is None  # released: no holder left behind
        outcomes.append((len(events), aliases["champion"] in versions))

    assert outcomes == [(PROCESSES, True)] * ROUNDS  # every round agrees


def _history_json(uri: str, name: str) -> str:
    return str(h.run_cli(["history", "--model", name, "--tracking-uri", uri, "--json"])["stdout"])
