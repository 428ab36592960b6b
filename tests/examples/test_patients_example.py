"""The patients (feature-store) example: its suite and its demo, on the latest stack (no Feast)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_mlops.integrations.feast import unavailable_reason

EXAMPLE = Path(__file__).parents[2] / "examples" / "patients"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("examples")]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    return env


def test_demo_catches_the_leaky_training_set_and_skips_feast_with_the_reason() -> None:
    if unavailable_reason() is None:
        pytest.skip("Feast is importable: tests/feast/test_example_demo.py runs the whole story")
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "demo.py")], env=_env(), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    out = done.stdout
    assert "feature gate 'point-in-time correctness' failed: 1000 of 1000 rows joined a value" in out
    assert "from the future" in out
    assert "2 passed, 2 deselected" in out  # the point-in-time build passes the CT stage
    assert "3-4. skipped: Feast is not installed (feast): pip install 'pytest-mlops[feast]'" in out
    assert not (EXAMPLE / "feature_repo" / "data").exists()  # the demo works in a copy
