"""Every gate of a test runs: failed gates are kept and the test fails once, listing each (#14.1)."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import read_json

SUITE = """
import pytest
from pytest_mlops import MlopsInputError, gate

def test_three_gates():
    gate("f1_macro", 0.61, at_least=0.8, kind="model", hint="retrain")
    gate("roc_auc", 0.91, at_least=0.85, kind="model")
    gate("log_loss", 0.9, at_most=0.4, kind="model")

def test_bad_input_after_a_failed_gate():
    gate("recall", 0.5, at_least=0.8, kind="model")
    raise MlopsInputError("holdout file 'h.csv' has no column 'y'")

@pytest.mark.mlops_stop_at_first
def test_stops_at_first():
    gate("precision", 0.5, at_least=0.8, kind="model")
    gate("never evaluated", 0.5, at_least=0.8, kind="model")
"""


def _gates(report: dict[str, object]) -> list[tuple[str, str, str]]:
    gates = report["gates"]
    assert isinstance(gates, list)
    return [(g["nodeid"].split("::")[-1], g["name"], g["status"]) for g in gates]


def test_every_gate_is_evaluated_and_listed(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest(*xdist_args, "--mlops-report=report.json")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            '>       gate("f1_macro", 0.61, at_least=0.8, kind="model", hint="retrain")',
            "E       pytest_mlops.GateFailure: 2 of 3 gates failed in this test:",
            "E       model gate 'f1_macro' failed: 0.61 < 0.8",
            "E       hint: retrain",
            "E         at test_gates.py:5",
            "E       model gate 'log_loss' failed: 0.9 > 0.4",
            "E         at test_gates.py:7",
        ]
    )
    gates = _gates(read_json(pytester.path / "report.json"))
    assert [g for g in gates if g[0] == "test_three_gates"] == [
        ("test_three_gates", "f1_macro", "failed"),
        ("test_three_gates", "roc_auc", "passed"),
        ("test_three_gates", "log_loss", "failed"),
    ]
    # stop-at-first, asked by the marker: the second gate never ran
    assert [g[1] for g in gates if g[0] == "test_stops_at_first"] == ["precision"]


def test_an_input_error_stops_the_test_and_keeps_the_failed_gates(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest("-k", "bad_input")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E       pytest_mlops.errors.MlopsInputError: holdout file 'h.csv' has no column 'y'",
            "E       1 of 1 gates failed in this test:",
            "E       model gate 'recall' failed: 0.5 < 0.8",
        ]
    )


def test_one_failed_gate_reads_as_before(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_one="""
        from pytest_mlops import gate

        def test_one():
            gate("auc", 0.8, at_least=0.85, kind="model")
            gate("f1", 0.9, at_least=0.85, kind="model")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       gate("auc", 0.8, at_least=0.85, kind="model")',
            "E       pytest_mlops.GateFailure: model gate 'auc' failed: 0.8 < 0.85",
        ]
    )
    result.stdout.no_fnmatch_line("*gates failed in this test*")
    result.stdout.no_fnmatch_line("*_recorder.py*")
    result.stdout.fnmatch_lines(["PASSED  model 'f1': 0.9 >= 0.85"])


@pytest.mark.parametrize("how", ["option", "ini"])
def test_stop_at_first_for_every_test(pytester: pytest.Pytester, how: str) -> None:
    pytester.makepyfile(test_gates=SUITE)
    args = ["--mlops-report=report.json"]
    if how == "option":
        args.append("--mlops-stop-at-first")
    else:
        pytester.makeini("[pytest]\nmlops_stop_at_first = true\n")
    result = pytester.runpytest(*args)
    result.assert_outcomes(failed=3)
    names = [g[1] for g in _gates(read_json(pytester.path / "report.json")) if g[0] == "test_three_gates"]
    assert names == ["f1_macro"]


def test_skip_after_a_failed_gate_does_not_hide_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_skip="""
        import pytest
        from pytest_mlops import gate

        def test_skip_later():
            gate("auc", 0.8, at_least=0.85, kind="model")
            pytest.skip("no champion yet")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E       pytest_mlops.GateFailure: model gate 'auc' failed: 0.8 < 0.85"])


def test_a_gates_file_entry_runs_all_its_gates(pytester: pytest.Pytester) -> None:
    pytester.makefile(".json", metrics='{"auc": 0.7}')
    pytester.makefile(
        ".yaml",
        **{
            "mlops-gates": """
            gates:
              - name: auc
                kind: custom
                source: metrics.json
                key: auc
                at_least: 0.8
                baseline: baselines/auc.json
            """
        },
    )
    result = pytester.runpytest("--mlops-report=report.json")
    result.assert_outcomes(failed=1)
    gates = read_json(pytester.path / "report.json")["gates"]
    assert [(g["check"], g["status"]) for g in gates] == [("", "failed"), ("stored_baseline", "failed")]
    result.stdout.fnmatch_lines(["*2 of 2 gates failed in this test:"])


def test_the_stop_marker_takes_no_arguments(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pytest

        @pytest.mark.mlops_stop_at_first(True)
        def test_x():
            pass
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.mlops_stop_at_first takes no arguments*"])
