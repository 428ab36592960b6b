"""Packaging: the declared build floor builds, the version is written once, the sdist is complete."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

import pytest_mlops

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_build_floor_reads_the_license_expression() -> None:
    requires = PYPROJECT["build-system"]["requires"]
    floor = next(int(m.group(1)) for r in requires if (m := re.fullmatch(r"setuptools>=(\d+)", r)))
    assert floor >= 77  # setuptools < 77 rejects `license = "MIT"` (a PEP 639 expression)
    assert PYPROJECT["project"]["license"] == "MIT"
    # a License :: classifier next to a license expression is an error for setuptools >= 77
    assert not [c for c in PYPROJECT["project"]["classifiers"] if c.startswith("License ::")]


def test_version_is_written_once() -> None:
    project = PYPROJECT["project"]
    assert "version" not in project
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pytest_mlops.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", pytest_mlops.__version__)


def test_metadata_names_python_versions_typing_and_urls() -> None:
    project = PYPROJECT["project"]
    classifiers = set(project["classifiers"])
    assert "Typing :: Typed" in classifiers
    assert (ROOT / "pytest_mlops" / "py.typed").exists()
    floor = re.fullmatch(r">=3\.(\d+)", project["requires-python"])
    assert floor is not None
    assert f"Programming Language :: Python :: 3.{floor.group(1)}" in classifiers
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= set(project["urls"])


def test_sdist_manifest_grafts_tests_docs_and_changelog() -> None:
    lines = (ROOT / "MANIFEST.in").read_text("utf-8").splitlines()
    assert {"graft tests", "graft docs", "graft examples"} <= set(lines)
    assert any(line.startswith("include ") and "CHANGELOG.md" in line.split() for line in lines)


@pytest.mark.slow
def test_python_m_build_with_the_declared_floor_in_a_clean_environment() -> None:
    """scripts/check-build.sh: a fresh venv with setuptools==<floor>.*, ``python -m build``, contents checked."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check-build.sh")], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode == 3:
        pytest.skip(f"build tools could not be installed (offline?): {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "built pytest_mlops-" in done.stdout
