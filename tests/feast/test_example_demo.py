"""The patients example's whole story with Feast: the leak, then a stale store, both caught."""

from __future__ import annotations

import os
import subprocess
import sys

from pytest_mlops.integrations.feast import skip_if_unavailable
from tests.feast.conftest import EXAMPLE


def test_demo_shows_the_leak_and_the_stale_materialisation() -> None:
    skip_if_unavailable()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "demo.py")], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    out = done.stdout
    assert "feature gate 'point-in-time correctness' failed: 1000 of 1000 rows joined a value" in out
    assert (
        "featurestore gate 'feature freshness' failed: 1 of 2 feature views stale: 'patient_vitals' 2 days > 1 day"
        in out
    )
    assert "The demo told its story" in out
