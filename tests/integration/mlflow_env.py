"""Real MLflow back ends for the integration tests: a sqlite store and a real `mlflow server`.

Imported by conftest files; nothing here is mocked.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Fail fast instead of MLflow's minutes-long retry loop, everywhere in the test session.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
os.environ.setdefault("MLFLOW_SKIP_PIP_REQUIREMENTS_CHECK", "true")
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def migrated_template(folder: Path) -> Path:
    """Create one migrated sqlite store (slow: ~4 s); copy it per test with :func:`fresh_store`."""
    import mlflow

    db = folder / "template.db"
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{db}")
    client.search_experiments()  # runs the migrations
    return db


def fresh_store(template: Path, folder: Path) -> str:
    """A private copy of the migrated template; returns its tracking URI."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "mlflow.db"
    shutil.copyfile(template, db)
    return f"sqlite:///{db}"


@dataclass
class MlflowServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def start_server(folder: Path, *, timeout: float = 120.0) -> MlflowServer:
    """Start `mlflow server` on 127.0.0.1 with a sqlite store; wait until /health says OK."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "server.log"
    cmd = [
        sys.executable, "-m", "mlflow", "server",
        "--backend-store-uri", f"sqlite:///{folder / 'server.db'}",
        "--artifacts-destination", str(folder / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=folder)
    server = MlflowServer(url=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"mlflow server exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{server.url}/health", timeout=2) as response:
                if response.read().strip() == b"OK":
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    server.stop()
    raise RuntimeError(f"mlflow server did not answer /health within {timeout} s:\n{log.read_text()[-3000:]}")


def server_fixture(folder: Path) -> Iterator[MlflowServer]:
    server = start_server(folder)
    try:
        yield server
    finally:
        server.stop()
