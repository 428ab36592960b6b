"""Marker registration, auto-application, -m and --mlops-stage selection, marker misuse."""

from __future__ import annotations

import pytest

CONFTEST = """
from pytest_mlops.fixtures import gate_fixture

@gate_fixture("drift")
def my_drift_gate():
    return "drift"

@gate_fixture("schema")
def my_schema_gate():
    return "schema"
"""

SUITE = """
import pytest

def test_drift(my_drift_gate):
    pass

def test_schema(my_schema_gate):
    pass

@pytest.mark.mlops_model
def test_model_marked_by_hand():
    pass

def test_unit():
    pass
"""


def test_markers_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.mlops_schema(*, severity='fail'): data schema gates (pandera)*",
            "@pytest.mark.mlops_feature(*, severity='fail'): feature gates*",
            "@pytest.mark.mlops_model(*, severity='fail'): model threshold gates*",
            "@pytest.mark.mlops_drift(*, severity='fail'): drift gates*Select with -m mlops_drift or --mlops-stage.",
            "@pytest.mark.mlops_deployment(*, severity='fail'): deployment gates*",
        ]
    )


def test_gate_fixtures_apply_their_marker(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    # under xdist the workers deselect, and the controller reports no deselected count
    deselected = {} if xdist_args else {"deselected": 3}
    result = pytester.runpytest(*xdist_args, "--strict-markers", "-m", "mlops_drift", "-v")
    result.assert_outcomes(passed=1, **deselected)
    result.stdout.fnmatch_lines(
        ["*PASSED*test_suite.py::test_drift*"] if xdist_args else ["*test_suite.py::test_drift PASSED*"]
    )
    result = pytester.runpytest(*xdist_args, "-m", "mlops_schema or mlops_model", "-v")
    result.assert_outcomes(passed=2, **({} if xdist_args else {"deselected": 2}))


@pytest.mark.parametrize(
    ("stage", "selected"),
    [
        ("ci", {"test_schema", "test_unit"}),
        ("ct", {"test_drift", "test_schema", "test_model_marked_by_hand"}),
        ("cd", {"test_drift", "test_model_marked_by_hand"}),
        ("monitor", {"test_drift"}),
    ],
)
def test_stage_selects_kinds(pytester: pytest.Pytester, stage: str, selected: set[str], xdist_args: list[str]) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest(*xdist_args, f"--mlops-stage={stage}", "-v")
    # under xdist the workers deselect, and the controller reports no deselected count
    result.assert_outcomes(passed=len(selected), **({} if xdist_args else {"deselected": 4 - len(selected)}))
    ran = {line.split("::")[1].split()[0] for line in result.outlines if "PASSED" in line and "::" in line}
    assert ran == selected


def test_stage_mapping_from_pyproject(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_suite=SUITE)
    pytester.makepyprojecttoml(
        """
        [tool.pytest.ini_options]
        mlops_stage = "nightly"
        mlops_stages = ["nightly = drift schema", "ci = code"]
        """
    )
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, deselected=2)
    result = pytester.runpytest("-v", "--mlops-stage=ci")
    result.assert_outcomes(passed=1, deselected=3)
    result = pytester.runpytest("-v", "--mlops-stages=fast = code model", "--mlops-stage=fast")
    result.assert_outcomes(passed=2, deselected=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "@pytest.mark.mlops_drift('warn')",
            "*test_m.py::test_it: @pytest.mark.mlops_drift takes no positional arguments, got ('warn',);"
            " use @pytest.mark.mlops_drift or @pytest.mark.mlops_drift(severity='warn')",
        ),
        (
            "@pytest.mark.mlops_drift(threshold=0.1)",
            "*test_m.py::test_it: @pytest.mark.mlops_drift got unknown argument 'threshold';*",
        ),
        (
            "@pytest.mark.mlops_model(severity='error')",
            "*test_m.py::test_it: @pytest.mark.mlops_model(severity='error') is not valid; use 'fail' or 'warn'",
        ),
    ],
)
def test_marker_misuse_fails_at_setup(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(test_m=f"import pytest\n\n{marker}\ndef test_it():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_input_fixtures_yield_to_gate_fixtures(pytester: pytest.Pytester) -> None:
    """A weak fixture (a model loader) marks a test only when no real gate fixture does."""
    pytester.makeconftest(
        CONFTEST
        + """
@gate_fixture("model", weak=True)
def loaded_model():
    return "model"
"""
    )
    pytester.makepyfile(
        test_weak="""
def test_loader_only(loaded_model):
    pass

def test_drift_with_loader(loaded_model, my_drift_gate):
    pass
"""
    )
    result = pytester.runpytest("-v", "-m", "mlops_model")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_weak.py::test_loader_only PASSED*"])
    result = pytester.runpytest("-v", "-m", "mlops_drift")
    result.assert_outcomes(passed=1, deselected=1)


def test_markers_other_plugins_add_at_collection_take_effect(pytester: pytest.Pytester) -> None:
    """The plugin reads markers when collection ends, after every plugin's modifyitems; a test
    with none of ours (gate calls in a plain test) still runs every gate before failing."""
    pytester.makeconftest(
        """
import pytest

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if item.name == "test_stops":
            item.add_marker(pytest.mark.mlops_stop_at_first)
        if item.name == "test_warns":
            item.add_marker(pytest.mark.mlops_model(severity="warn"))
"""
    )
    pytester.makepyfile(
        test_gates="""
from pytest_mlops import gate

def test_stops():
    gate("first", 1, at_least=2)
    gate("second", 1, at_least=2)

def test_runs_both():
    gate("first", 1, at_least=2)
    gate("second", 1, at_least=2)

def test_warns():
    gate("auc", 0.5, at_least=0.8, kind="model")
"""
    )
    result = pytester.runpytest("-p", "no:randomly", "-W", "default")
    result.assert_outcomes(failed=2, passed=1, warnings=1)
    # test_stops stopped at its first gate, test_runs_both ran both, test_warns only warned
    result.stdout.fnmatch_lines(["4 gates: 1 warned, 3 failed"])
    result.stdout.fnmatch_lines(["*GateFailure: 2 of 2 gates failed in this test:"])
