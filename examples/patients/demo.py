"""The feature-store story, one command at a time (what a CT job and a monitor job would run).

1. a training set joined on each patient's *latest* values -> the point-in-time gate refuses it;
2. the same set built with a point-in-time join (and a reproducible training) -> the CT gates pass;
3. with Feast: apply the repository and materialise -> the monitor stage passes an hour later;
4. two days on, materialisation never ran again -> the freshness gate catches the stale store.

Steps 3-4 need Feast (``pytest-mlops[feast]``, which pins pandas<3): where it is not installed
they are skipped with the reason. ``python demo.py`` (run from anywhere; it works in a copy).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
END_OF_DATA = dt.datetime(2026, 3, 8, tzinfo=dt.UTC)  # data.START + data.DAYS


def run(workdir: Path, *cmd: str, expect: int, env: dict[str, str] | None = None, show: int = 12) -> str:
    print(f"\n$ {' '.join(f'{k}={v}' for k, v in (env or {}).items())} {' '.join(cmd)}".replace("$  ", "$ "))
    full = {**os.environ, "PYTHONPATH": str(workdir), **(env or {})}
    for name in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER", "GITHUB_STEP_SUMMARY"):
        full.pop(name, None)
    done = subprocess.run(cmd, cwd=workdir, env=full, capture_output=True, text=True, check=False)
    output = (done.stdout + done.stderr).rstrip()
    interesting = [ln for ln in output.splitlines() if "gate '" in ln or ln.startswith(("E   ", "SKIPPED", "hint"))]
    print("\n".join((interesting or output.splitlines())[:show]))
    if done.returncode != expect:
        raise SystemExit(f"demo: expected exit {expect}, got {done.returncode}:\n{output[-3000:]}")
    return output


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="patients-demo-") as tmp:
        workdir = Path(tmp) / "patients"
        shutil.copytree(HERE, workdir, ignore=shutil.ignore_patterns("__pycache__", "data", "*.db"))
        pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]

        print("1. A training set joined on each patient's latest values")
        run(workdir, *pytest, "--mlops-stage=ct", expect=1, env={"PATIENTS_TRAINING_SET": "leaky"})
        print("\n2. The same set built point in time: the CT gates pass")
        run(workdir, *pytest, "--mlops-stage=ct", expect=0)

        try:
            import feast  # noqa: F401
        except ImportError:
            from pytest_mlops.integrations.feast import unavailable_reason

            print(f"\n3-4. skipped: {unavailable_reason()}")
            return
        print("\n3. Apply the feature repository and materialise up to the end of the data")
        run(workdir, sys.executable, "-m", "patients_example.store", "--until", END_OF_DATA.isoformat(), expect=0)
        an_hour = (END_OF_DATA + dt.timedelta(hours=1)).isoformat()
        run(workdir, *pytest, "--mlops-stage=monitor", expect=0, env={"PATIENTS_NOW": an_hour})
        print("\n4. Two days later, materialisation has not run again")
        later = (END_OF_DATA + dt.timedelta(days=2)).isoformat()
        run(workdir, *pytest, "--mlops-stage=monitor", expect=1, env={"PATIENTS_NOW": later})
        print("\nThe demo told its story: the leak and the stale store were both caught.")


if __name__ == "__main__":
    main()
