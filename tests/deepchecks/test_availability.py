"""Where deepchecks imports, and what a user is told where it does not.

These tests run in both environments: on the latest stack (``.venv``) they check the skip
reason, in ``.venv-deepchecks`` that deepchecks is found working.
"""

from __future__ import annotations

import importlib.util
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from pytest_mlops.gates.deepchecks import WORKS_WITH, suite_params, unavailable_reason

PINS = ("numpy<2", "pandas<3", "scikit-learn==1.7.2", "scipy<1.15", "pyarrow<24")
INSTALL = "pip install 'pytest-mlops[deepchecks]'"


def _major_minor(dist: str) -> tuple[int, int]:
    major, minor = version(dist).split(".")[:2]
    return int(major), int(minor)


def _stack_supports_deepchecks() -> bool:
    """Judged from installed versions alone, independently of the probe under test."""
    if importlib.util.find_spec("deepchecks") is None:
        return False
    return (
        _major_minor("numpy") < (2, 0)
        and _major_minor("pandas") < (3, 0)
        and _major_minor("scikit-learn") <= (1, 7)
        and _major_minor("scipy") < (1, 15)
    )


def test_probe_agrees_with_the_installed_versions() -> None:
    reason = unavailable_reason()
    if _stack_supports_deepchecks():
        assert reason is None
    else:
        assert reason is not None
        assert unavailable_reason() is reason  # probed once per process


def test_skip_reason_says_what_works_and_how_to_install(request: pytest.FixtureRequest) -> None:
    reason = unavailable_reason()
    if reason is None:
        pytest.skip("deepchecks imports here; the skip reason is checked on the latest stack (.venv)")
    if importlib.util.find_spec("deepchecks") is None:
        assert reason.startswith("deepchecks is not installed; ")
    else:
        assert " is installed but does not import with numpy " in reason
    for pin in PINS:
        assert pin in reason
    assert INSTALL in reason
    assert "in a separate environment" in reason
    assert "\n" not in reason  # one line in pytest's "short test summary info"
    with pytest.raises(pytest.skip.Exception) as skipped:
        request.getfixturevalue("mlops_deepchecks")
    assert skipped.value.msg == reason


def test_suite_params_are_one_skipped_param_where_deepchecks_is_unavailable() -> None:
    params = suite_params("train_test_validation")
    if unavailable_reason() is None:
        assert len(params) > 1
        return
    [param] = params
    assert param.id == "deepchecks"
    [mark] = param.marks
    assert mark.name == "skip"
    assert mark.kwargs["reason"] == unavailable_reason()


def test_extra_in_pyproject_lists_the_pins_the_skip_reason_names() -> None:
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    extra = tomllib.loads(pyproject.read_text("utf-8"))["project"]["optional-dependencies"]["deepchecks"]
    assert extra == list(WORKS_WITH)
    assert WORKS_WITH[1:] == PINS
