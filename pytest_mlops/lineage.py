"""The environment a report records for lineage: commit, packages, CI run, time."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from pytest_mlops.results import JSONValue

__all__ = ["TRACKED_PACKAGES", "environment", "git_info", "utc_now"]

#: Distributions whose versions a report records when they are installed.
TRACKED_PACKAGES = (
    "pytest-mlops",
    "pytest",
    "numpy",
    "pandas",
    "polars",
    "pyarrow",
    "scipy",
    "scikit-learn",
    "pandera",
    "mlflow",
    "deepchecks",
    "feast",
    "pytest-xdist",
)

#: CI variables worth keeping (GitHub Actions names).
CI_VARIABLES = (
    "GITHUB_REPOSITORY",
    "GITHUB_WORKFLOW",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_SHA",
    "GITHUB_REF",
    "GITHUB_ACTOR",
    "GITHUB_EVENT_NAME",
)


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip()


def git_info(cwd: Path) -> dict[str, JSONValue] | None:
    """Commit, branch and dirty flag of the repository holding ``cwd``; None outside git."""
    commit = _git(["rev-parse", "HEAD"], cwd)
    if not commit:
        commit = os.environ.get("GITHUB_SHA") or None
        return {"commit": commit, "branch": None, "dirty": None} if commit else None
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    status = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    return {"commit": commit, "branch": branch, "dirty": bool(status) if status is not None else None}


def _versions() -> dict[str, JSONValue]:
    found: dict[str, JSONValue] = {}
    for name in TRACKED_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def environment(rootdir: Path) -> dict[str, JSONValue]:
    ci: dict[str, JSONValue] = {name: os.environ[name] for name in CI_VARIABLES if os.environ.get(name)}
    return {
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(terse=True),
        "packages": _versions(),
        "git": git_info(rootdir),
        "ci": ci or None,
    }
