"""The plugin must cost nothing to users who do not use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "sklearn",
    "pandera",
    "mlflow",
    "deepchecks",
    "polars",
    "pyarrow",
    "matplotlib",
    "pyspark",
    "py4j",
)

PROBE = f"""
import json, sys
import pytest_mlops.plugin
import pytest_mlops
print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))
"""


def test_importing_the_plugin_imports_no_heavy_library() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []


def _session_modules(tmp_path: Path, names: tuple[str, ...], tests: str) -> list[str]:
    """Which of ``names`` are imported at the end of a pytest session over ``tests``, in a fresh
    process, without the plugins that import much of their own."""
    (tmp_path / "conftest.py").write_text(
        "import json, sys\n"
        "def pytest_unconfigure(config):\n"
        f"    loaded = sorted(m for m in {names!r} if m in sys.modules)\n"
        "    (config.rootpath / 'loaded.json').write_text(json.dumps(loaded))\n"
    )
    (tmp_path / "test_plain.py").write_text(tests)
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:anyio"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    loaded: list[str] = json.loads((tmp_path / "loaded.json").read_text())
    return loaded


def test_a_pytest_session_without_gates_imports_no_heavy_library(tmp_path: Path) -> None:
    """All fixture modules get registered at start-up; none may pull a heavy import."""
    assert _session_modules(tmp_path, HEAVY, "def test_plain():\n    assert 1 + 1 == 2\n") == []


#: what a run that uses no gate never needs: the session report, the gates-file package (and
#: PyYAML), the gate modules, lineage (benchmarks/plugin_overhead.py counts every module)
NOT_AT_START = ("pytest_mlops.report", "pytest_mlops.gatesfile", "yaml", "pytest_mlops.gates", "pytest_mlops.lineage")


def test_a_pytest_session_without_gates_loads_neither_report_nor_gates_file_code(tmp_path: Path) -> None:
    tests = "def test_plain():\n    pass\n\ndef test_fails():\n    assert False\n"
    assert _session_modules(tmp_path, NOT_AT_START, tests) == []
