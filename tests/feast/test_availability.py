"""Where Feast imports, and what a user is told where it does not.

These tests run in both environments: on the latest stack (``.venv``, pandas 3) they check the
skip reason; in ``.venv-feast`` that Feast works there with pandas < 3.
"""

from __future__ import annotations

import importlib.util
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from pytest_mlops.integrations.feast import unavailable_reason

ROOT = Path(__file__).resolve().parents[2]
REASON = (
    "Feast is not installed (feast): pip install 'pytest-mlops[feast]' in an environment of its own "
    "(Feast 0.67 pins pandas<3; scripts/test-feast.sh makes .venv-feast)"
)


def test_reason_names_the_extra_and_the_environment() -> None:
    if importlib.util.find_spec("feast") is not None:
        assert unavailable_reason() is None
        assert int(version("pandas").split(".")[0]) < 3
    else:
        assert unavailable_reason() == REASON


def test_extra_pins_what_feast_needs() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "pandas<3" in extras["feast"]
    assert any(p.startswith("feast") for p in extras["feast"])
    assert not any(p.startswith("feast") for p in extras["all"])  # the latest-stack extra stays pandas 3


USER_TESTS = """
def test_fresh(mlops_store_freshness):
    mlops_store_freshness()

def test_plain():
    assert True
"""


def test_user_tests_needing_feast_skip_with_the_reason(pytester: pytest.Pytester) -> None:
    if unavailable_reason() is None:
        pytest.skip("Feast imports in this environment; tests/feast/test_gates.py uses it there")
    pytester.makeini("[pytest]\nmlops_feature_repo = feature_repo\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] *: Feast is not installed (feast): pip install 'pytest-mlops[[]feast[]]'*"]
    )
