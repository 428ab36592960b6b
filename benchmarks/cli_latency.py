"""Benchmark: how long ``pytest-mlops promote | rollback | history`` take, next to ``import mlflow``.

Each command runs as a fresh process (as in CI) against a local sqlite store that is already
migrated (a copy of one template per run, so every promotion is a real one: v2 replaces
champion v1, then the rollback puts v1 back). Side by side:

* ``python -c "import mlflow"`` - the floor any MLflow command pays;
* ``MlflowClient(sqlite).get_registered_model`` in a fresh process - what MLflow itself needs to
  read one registered model from a sqlite store (imports its SQL store);
* ``pytest-mlops history``, ``promote`` (a real promotion, with the report checks and the lock),
  ``rollback``; the last column divides their CPU time by that of the line above: what the
  commands cost beyond MLflow's own least work on this store.

Then the failure paths of the same commands (``--timeout`` default 10 s): a port nobody listens
on, and a server that accepts connections and never answers (a socket in this process).

Fair to both sides: the same interpreter and the same store for every line, one round first that
is not counted (it warms the file cache), then ``--repeats`` rounds, each running every line once
in the order above (so a burst of load from other jobs hits all lines alike), medians reported.
Each line shows the wall time and the CPU time of the child process (user + system), with both
ratios to ``import mlflow``: on a machine shared with other jobs the CPU time is the steadier of
the two. The load average is printed before and after.

Run: ``python benchmarks/cli_latency.py [--repeats 5]``, or only the failure paths with
``--failures``. Prints medians and ratios; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ENV = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "MLFLOW_"))}
ENV.update(GIT_PYTHON_REFRESH="quiet", MLFLOW_SKIP_PIP_REQUIREMENTS_CHECK="true")
CLI = [sys.executable, "-m", "pytest_mlops.cli"]


def _template(folder: Path) -> tuple[Path, Path]:
    """A migrated store with model ``churn``: v1 champion, v2 challenger gated by ``report-2.json``."""
    os.environ.update(ENV)
    import mlflow

    db = folder / "template.db"
    uri = f"sqlite:///{db}"
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    run = client.create_run(client.create_experiment("bench", artifact_location=(folder / "a").as_uri()))
    client.create_registered_model("churn")
    client.create_model_version("churn", f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
    client.set_registered_model_alias("churn", "champion", "1")
    report = _gated_version(client, folder, run.info.run_id)
    return db, report


def _gated_version(client: Any, folder: Path, run_id: str) -> Path:
    """A new version of ``churn``, aliased challenger and tagged as a CT run would tag it."""
    from pytest_mlops.report import SessionReport, report_digest
    from pytest_mlops.results import GateResult

    version = client.create_model_version("churn", f"runs:/{run_id}/model", run_id=run_id).version
    client.set_registered_model_alias("churn", "challenger", version)
    report = SessionReport(stage="cd")
    report.add_gate(
        GateResult(kind="model", name="auc", passed=True, observed=0.9, bound={"at_least": 0.8}, summary="0.9 >= 0.8")
    )
    report.add_lineage({"role": "model", "name": "churn", "version": str(version), "alias": "challenger"})
    report.tests["passed"] = 1
    report.exitstatus = 0
    path = folder / f"report-{version}.json"
    report.write_json(path)
    tags = {
        "mlops.report_digest": report_digest(path),
        "mlops.report_status": "passed",
        "mlops.report_commit": "",
        "mlops.report_run_id": run_id,
        "mlops.report_kinds": "model",
    }
    for key, value in tags.items():
        client.set_model_version_tag("churn", str(version), key, value)
    return path


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(cmd: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system) of the child, exit code, last line of stderr."""
    cpu, start = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
    return wall, cpu, proc.returncode, proc.stderr.strip().splitlines()[-1] if proc.stderr else ""


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


class _Silent:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.kept: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                self.kept.append(self.sock.accept()[0])
            except OSError:
                return


def _failure_paths(folder: Path, rows: dict[str, list[float]]) -> None:
    """A port nobody listens on, and a server that accepts and never answers: seconds until exit 2."""
    print("failure paths, default --timeout 10 (one run each, wall time until the command exits)")
    silent = _Silent()
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_port = dead.getsockname()[1]
    dead.close()
    failures = {
        "history, port nobody listens on": f"http://127.0.0.1:{dead_port}",
        "history, server accepts and never answers": f"http://127.0.0.1:{silent.sock.getsockname()[1]}",
    }
    for label, target in failures.items():
        seconds, _, code, last = _timed([*CLI, "history", "--model", "churn", "--tracking-uri", target], folder)
        print(f"  {label:<44} {seconds:6.2f} s   exit {code}: {last[:150]}")
        rows[label] = [seconds]
    print(f"  connections the silent server accepted: {len(silent.kept)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--failures", action="store_true", help="only the failure paths (no sqlite store)")
    parser.add_argument("--no-server", action="store_true", help="skip the lines against a real `mlflow server`")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="mlops-cli-bench-"))
    rows: dict[str, list[float]] = {}
    print(f"python {sys.executable}; {_load()} at the start")
    try:
        if not args.failures:
            _sqlite_commands(folder, args.repeats, rows)
            if not args.no_server:
                _server_commands(folder, args.repeats, rows)
        _failure_paths(folder, rows)
        print(f"{_load()} at the end")
        if args.json:
            args.json.write_text(json.dumps({k: statistics.median(v) for k, v in rows.items()}, indent=2))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _sqlite_commands(folder: Path, repeats: int, rows: dict[str, list[float]]) -> None:
    template, report = _template(folder)
    db = folder / "mlflow.db"
    uri = f"sqlite:///{db}"
    registry = ["--model", "churn", "--tracking-uri", uri]
    read_one = (
        f"import mlflow; mlflow.MlflowClient(tracking_uri={uri!r}, registry_uri={uri!r}).get_registered_model('churn')"
    )
    promote = ["--version", "2", "--report", str(report)]
    steps = {
        "python -c 'import mlflow'": [sys.executable, "-c", "import mlflow"],
        "MlflowClient(sqlite).get_registered_model": [sys.executable, "-c", read_one],
        "pytest-mlops history": [*CLI, "history", *registry],
        "pytest-mlops promote (v2 -> champion)": [*CLI, "promote", *registry, *promote],
        "pytest-mlops rollback (back to v1)": [*CLI, "rollback", *registry],
    }
    cpu: dict[str, list[float]] = {}
    for round_ in range(repeats + 1):  # round 0 warms the file cache and is not counted
        shutil.copyfile(template, db)
        for label, cmd in steps.items():
            wall, used, code, last = _timed(cmd, folder)
            if code != 0:
                raise SystemExit(f"{label} failed with exit {code}: {last}")
            if round_:
                rows.setdefault(label, []).append(wall)
                cpu.setdefault(label, []).append(used)
    floor, mlflow_read = "python -c 'import mlflow'", "MlflowClient(sqlite).get_registered_model"
    base, base_cpu = statistics.median(rows[floor]), statistics.median(cpu[floor])
    read_cpu = statistics.median(cpu[mlflow_read])
    print(f"local sqlite store, {repeats} runs each after one warm-up round, medians (fresh process per run)")
    print(f"  {'':<44} {'wall':>8} {'ratio':>7}   {'CPU':>8} {'ratio':>7}   {'CPU / MLflow read':>17}")
    for label, times in list(rows.items()):
        wall, used = statistics.median(times), statistics.median(cpu[label])
        print(
            f"  {label:<44} {wall:6.2f} s {wall / base:6.2f}x   {used:6.2f} s {used / base_cpu:6.2f}x"
            f"   {used / read_cpu:16.2f}x"
        )
        rows[label + " (CPU)"] = cpu[label]
    print(f"  (ratios to {floor}, and CPU time over the {mlflow_read} line; {_load()})")


def _start_server(folder: Path, db: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`mlflow server` on 127.0.0.1 over a copy of the template store; waits for /health."""
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = [
        sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{db}",
        "--artifacts-destination", str(folder / "server-artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(cmd, cwd=folder, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"mlflow server exited with {process.returncode}; see {folder / 'server.log'}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.read().strip() == b"OK":
                    return process, url
        except OSError:
            time.sleep(0.5)
    process.kill()
    raise SystemExit("mlflow server did not answer /health within 120 s")


def _server_commands(folder: Path, repeats: int, rows: dict[str, list[float]]) -> None:
    """The same commands against a real `mlflow server` (REST store: no SQL store in the client).

    Each round gates a new version (created between timed lines, not timed), promotes it over the
    champion and rolls it back, so every promotion is a real one.
    """
    import mlflow

    db = folder / "server.db"
    shutil.copyfile(folder / "template.db", db)
    process, url = _start_server(folder, db)
    try:
        client = mlflow.MlflowClient(tracking_uri=url, registry_uri=url)
        run_id = client.create_run(client.get_experiment_by_name("bench").experiment_id).info.run_id
        registry = ["--model", "churn", "--tracking-uri", url]
        read_one = f"import mlflow; mlflow.MlflowClient(tracking_uri={url!r}).get_registered_model('churn')"
        floor, mlflow_read = "python -c 'import mlflow'", "MlflowClient(server).get_registered_model"
        labels = [floor, mlflow_read, "pytest-mlops history (server)", "pytest-mlops promote (server)"]
        labels.append("pytest-mlops rollback (server)")
        wall: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        for round_ in range(repeats + 1):  # round 0 is not counted
            report = _gated_version(client, folder, run_id)
            version = report.stem.split("-")[1]
            steps = [
                [sys.executable, "-c", "import mlflow"],
                [sys.executable, "-c", read_one],
                [*CLI, "history", *registry],
                [*CLI, "promote", *registry, "--version", version, "--report", str(report)],
                [*CLI, "rollback", *registry, "--reason", "benchmark round"],
            ]
            for label, cmd in zip(labels, steps, strict=True):
                seconds, used, code, last = _timed(cmd, folder)
                if code != 0:
                    raise SystemExit(f"{label} failed with exit {code}: {last}")
                if round_:
                    wall.setdefault(label, []).append(seconds)
                    cpu.setdefault(label, []).append(used)
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
    base, base_cpu = statistics.median(wall[floor]), statistics.median(cpu[floor])
    read_cpu = statistics.median(cpu[mlflow_read])
    print(f"real `mlflow server` on 127.0.0.1, {repeats} runs each after one warm-up round, medians")
    print(f"  {'':<44} {'wall':>8} {'ratio':>7}   {'CPU':>8} {'ratio':>7}   {'CPU / MLflow read':>17}")
    for label in labels:
        seconds, used = statistics.median(wall[label]), statistics.median(cpu[label])
        print(
            f"  {label:<44} {seconds:6.2f} s {seconds / base:6.2f}x   {used:6.2f} s {used / base_cpu:6.2f}x"
            f"   {used / read_cpu:16.2f}x"
        )
        if label != floor:
            rows[label] = wall[label]
            rows[label + " (CPU)"] = cpu[label]
    print(f"  (ratios to {floor} and to the {mlflow_read} line; {_load()})")


if __name__ == "__main__":
    main()
