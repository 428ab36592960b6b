"""CLI output piped into a reader that stops early (``pytest-mlops report r.json | head -1``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_mlops.cli import EXIT_BROKEN_PIPE
from pytest_mlops.report import SessionReport
from pytest_mlops.results import GateResult

ROOT = Path(__file__).resolve().parents[2]


def _big_report(path: Path, gates: int = 4000) -> Path:
    """A report whose text rendering (≈ 150 kB) is larger than a pipe's buffer (64 KiB)."""
    results = [
        GateResult(kind="custom", name=f"gate {i}", passed=True, observed=i, bound={"at_least": 0}, summary=f"{i} >= 0")
        for i in range(gates)
    ]
    report = SessionReport(gates=results, tool_version="0.1.0", created_at="2026-01-01T00:00:00Z")
    path.write_text(report.to_json(), encoding="utf-8")
    return path


def _run_and_close_after_one_line(*args: str) -> tuple[bytes, int, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest_mlops.cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does once it has its line
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return first, proc.wait(timeout=60), err


def test_reader_closing_the_pipe_ends_the_command_quietly(tmp_path: Path) -> None:
    report = _big_report(tmp_path / "report.json")
    first, code, err = _run_and_close_after_one_line("report", str(report))
    assert first == b"status: passed\n"
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored" at exit
    assert code == EXIT_BROKEN_PIPE == 141


def test_whole_output_read_exits_normally(tmp_path: Path) -> None:
    report = _big_report(tmp_path / "report.json", gates=50)
    done = subprocess.run(
        [sys.executable, "-m", "pytest_mlops.cli", "report", str(report)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "status: passed"
    assert done.stdout.splitlines()[-1] == "50 gates: 50 passed"
