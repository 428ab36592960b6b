"""Fault injection: the `mlflow server` is SIGKILLed in the middle of a promotion.

The kill lands right before the commit write (the test watches the server's own sqlite
store and kills the server's process group as soon as `previous-champion` has moved), so
the switch of `champion` may or may not have reached the database. Afterwards:

* `champion` is the old or the new version - never missing;
* the command failed with one readable line naming the URI, no traceback;
* the next promotion (here straight on the same store) records how the interrupted one ended.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration import registry_helpers as h
from tests.integration.mlflow_env import MlflowServer, start_server

pytestmark = [
    pytest.mark.slow,
    # MLflow's sqlite store (used in-process for the recovery step) trips a SQLAlchemy 2.1 deprecation.
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"),
]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[MlflowServer]:
    """A server of this test's own (it gets killed); its store on tmpfs when there is one."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else str(tmp_path)
    folder = Path(tempfile.mkdtemp(prefix="mlops-fault-", dir=base))
    server = start_server(folder)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _alias(db: Path, name: str, alias: str) -> str | None:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        row = conn.execute(
            "SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?", (name, alias)
        ).fetchone()
    return None if row is None else str(row[0])


def test_server_killed_during_promotion(own_server: MlflowServer, tmp_path: Path) -> None:
    uri, name = own_server.url, f"fault-{uuid.uuid4().hex[:8]}"
    db = Path(own_server.log).parent / "server.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.registry_helpers", "worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert worker.stdin is not None
    assert worker.stdout is not None
    try:
        run_id = h.bare_run(uri, tmp_path / "artifacts")  # while the worker imports MLflow
        (v1, r1), (v2, r2), (v3, r3), (v4, r4) = h.gated_versions_at_creation(uri, name, run_id, 4, tmp_path)
        for version, report in ((v1, r1), (v2, r2)):
            done = h.run_cli(
                ["promote", "--model", name, "--tracking-uri", uri, "--version", version, "--report", str(report)]
            )
            assert done["code"] == 0, done
        assert _alias(db, name, "champion") == v2
        assert _alias(db, name, "previous-champion") == v1

        assert json.loads(worker.stdout.readline()) == {"ready": True}
        args = ["promote", "--model", name, "--tracking-uri", uri, "--version", v3, "--report", str(r3)]
        worker.stdin.write(json.dumps([*args, "--timeout", "3", "--lock-ttl", "10"]) + "\n")
        worker.stdin.flush()
        deadline = time.monotonic() + 120
        while _alias(db, name, "previous-champion") != v2:  # the step right before the commit write
            assert worker.poll() is None
            assert time.monotonic() < deadline, "the promotion never reached its commit point"
            time.sleep(0.002)
        os.killpg(own_server.process.pid, signal.SIGKILL)
        own_server.process.wait(timeout=30)
        answer = json.loads(worker.stdout.readline())
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
        worker.stdout.close()

    # the command failed clearly: one line, the URI, no traceback
    assert answer["code"] == 2, answer
    message = answer["stderr"]
    assert message.startswith("pytest-mlops promote: error: ")
    assert message.count("\n") == 1
    assert uri in message
    assert "did not answer" in message
    assert f"'champion' is version {v2} or version {v3}" in message
    assert "Traceback" not in message

    # champion is the old or the new version, never missing
    champion = _alias(db, name, "champion")
    assert champion in (v2, v3)

    # the next promotion, on the same store, settles the interrupted record and goes on
    store = f"sqlite:///{db}"
    recovered = h.run_cli(
        ["promote", "--model", name, "--tracking-uri", store, "--version", v4, "--report", str(r4), "--lock-wait", "60"]
    )
    assert recovered["code"] == 0, recovered
    assert h.aliases(store, name)["champion"] == v4
    assert h.aliases(store, name)["previous-champion"] == champion
    history = json.loads(h.run_cli(["history", "--model", name, "--tracking-uri", store, "--json"])["stdout"])
    interrupted = [e for e in history["events"] if e["to_version"] == v3]
    assert len(interrupted) == 1
    assert interrupted[0]["state"] == ("done" if champion == v3 else "interrupted")
    assert history["events"][-1]["from_version"] == champion
