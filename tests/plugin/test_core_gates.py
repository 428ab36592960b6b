"""The generic gate and the result model, as a user sees them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.plugin.conftest import read_json

SUITE = """
import pytest
from pytest_mlops import gate

def test_kpi_passes(mlops_gate):
    mlops_gate("revenue per user", 3.2, at_least=3.0)

def test_kpi_fails():
    gate("auc", 0.8123, at_least=0.85, kind="model", hint="retrain with more data")

def test_latency_warns(mlops_gate):
    mlops_gate("latency p95", 0.25, at_most=0.1, severity="warn")

@pytest.mark.mlops_drift(severity="warn")
def test_marker_turns_failure_into_warning():
    gate("share drifted", 0.5, at_most=0.2, kind="drift")

def test_plain():
    assert True
"""


def test_outcomes_and_messages(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest(*xdist_args, "-rw")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: model gate 'auc' failed: 0.8123 < 0.85",
            "*hint: retrain with more data",
        ]
    )
    result.stdout.fnmatch_lines(["*GateWarning: custom gate 'latency p95' warned: 0.25 > 0.1*"])
    result.stdout.fnmatch_lines(["*GateWarning: drift gate 'share drifted' warned: 0.5 > 0.2*"])
    result.stdout.fnmatch_lines(
        [
            "*= mlops gates =*",
            "FAILED  model  'auc': 0.8123 < 0.85",
            "WARNED  custom 'latency p95': 0.25 > 0.1",
            "WARNED  drift  'share drifted': 0.5 > 0.2",
            "PASSED  custom 'revenue per user': 3.2 >= 3",
            "4 gates: 1 passed, 2 warned, 1 failed",
        ]
    )


def test_user_line_is_shown_not_plugin_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest("-k", "kpi_fails")
    result.stdout.fnmatch_lines(
        ['>       gate("auc", 0.8123, at_least=0.85, kind="model", hint="retrain with more data")']
    )
    result.stdout.no_fnmatch_line("*_recorder.py*")
    result.stdout.no_fnmatch_line("*generic.py*")


def test_quiet_prints_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest("-q")
    result.stdout.fnmatch_lines(["mlops: 4 gates: 1 passed, 2 warned, 1 failed"])
    result.stdout.no_fnmatch_line("*= mlops gates =*")


def test_nothing_printed_without_gates(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*mlops gate*")
    result.stdout.no_fnmatch_line("mlops:*")
    assert not list(pytester.path.glob("*.json"))


def test_long_lists_are_capped_unless_verbose(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from pytest_mlops import gate

        @pytest.mark.parametrize("i", range(40))
        def test_many(i):
            gate(f"kpi {i:02d}", i, at_least=0)
        """
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["... and 10 more (-v shows all, --mlops-report keeps all)", "40 gates: 40 passed"])
    verbose = pytester.runpytest("-v")
    verbose.stdout.no_fnmatch_line("*... and 10 more*")
    verbose.stdout.fnmatch_lines(["PASSED  custom 'kpi 39': 39 >= 0"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("gate('x', 1.0)", "gate 'x': give a bound, at_least= and/or at_most="),
        ("gate('x', 'abc', at_least=1)", "gate 'x': value 'abc' is not a number"),
        ("gate('x', 1.0, at_least=2, at_most=1)", "gate 'x': at_least=2 is above at_most=1"),
        ("gate('', 1.0, at_least=0)", "gate name must be a non-empty string, got ''"),
        ("gate('x', 1.0, at_least=0, severity='loud')", "severity='loud' is not accepted; use 'fail' or 'warn'"),
    ],
)
def test_bad_calls_give_one_clear_message(pytester: pytest.Pytester, call: str, message: str) -> None:
    pytester.makepyfile(f"from pytest_mlops import gate\n\ndef test_bad():\n    {call}\n")
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"E   *{message}"])


def test_nan_never_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "from pytest_mlops import gate\n\ndef test_nan():\n    gate('auc', float('nan'), at_least=0.5)\n"
    )
    result = pytester.runpytest("--mlops-report=r.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*custom gate 'auc' failed: nan is not a number"])
    gate_data = read_json(pytester.path / "r.json")["gates"][0]
    assert gate_data["observed"] == "nan"
    assert gate_data["status"] == "failed"


def test_disabled_with_p_no_mlops(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gates=SUITE)
    result = pytester.runpytest_subprocess("-p", "no:mlops")
    # without the plugin its fixtures are unknown, its hooks do nothing
    result.stdout.fnmatch_lines(["E       fixture 'mlops_gate' not found"])
    result.stdout.no_fnmatch_line("plugins:*mlops*")
    result.stdout.no_fnmatch_line("*= mlops gates =*")


def test_gates_work_outside_pytest(tmp_path: Path) -> None:
    script = tmp_path / "score.py"
    script.write_text(
        "from pytest_mlops import GateFailure, gate, _recorder\n"
        "assert gate('script kpi', 5, at_most=10).passed\n"
        "try:\n"
        "    gate('script kpi', 11, at_most=10)\n"
        "except GateFailure as exc:\n"
        "    print('raised:', exc)\n"
        "print('collected:', [r.status for r in _recorder.collected()])\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines() == [
        "raised: custom gate 'script kpi' failed: 11 > 10",
        "collected: ['passed', 'failed']",
    ]
