"""Every misconfiguration stops pytest with one UsageError echoing the value and the accepted forms."""

from __future__ import annotations

import pytest

CASES = [
    (
        ["--mlops-stage=nightly"],
        "",
        "ERROR: --mlops-stage / mlops_stage: 'nightly' is not valid; choose one of: cd, ci, ct, monitor "
        "(defined by mlops_stages)",
    ),
    (
        ["--mlops-stages=ci = code bogus"],
        "",
        "ERROR: --mlops-stages / mlops_stages: 'ci = code bogus' is not valid; unknown kind 'bogus'; write "
        "'name = kind kind ...' with kinds from: code, deployment, drift, feature, featurestore, model, schema",
    ),
    (
        ["--mlops-stages=just words"],
        "",
        "ERROR: --mlops-stages / mlops_stages: 'just words' is not valid; write 'name = kind kind ...' with kinds*",
    ),
    (
        ["--mlops-summary"],
        "",
        "ERROR: --mlops-summary / mlops_summary: no path was given, so it writes to $GITHUB_STEP_SUMMARY, which is "
        "not set; give a path, e.g. --mlops-summary=summary.md",
    ),
    (
        [],
        "mlops_log_to_mlflow = sometimes",
        "ERROR: --mlops-log-to-mlflow / mlops_log_to_mlflow: 'sometimes' is not valid; use one of 1, true, yes, on,"
        " 0, false, no, off",
    ),
    (
        ["--mlops-mlflow-timeout=-3"],
        "",
        "ERROR: --mlops-mlflow-timeout / mlops_mlflow_timeout: '-3' is not valid; expected a positive number, e.g. 10",
    ),
    (
        [],
        "mlops_mlflow_timeout = soon",
        "ERROR: --mlops-mlflow-timeout / mlops_mlflow_timeout: 'soon' is not valid; "
        "expected a positive number, e.g. 10",
    ),
    (
        ["--mlops-manual-tests=data-5 data-9"],
        "",
        "ERROR: --mlops-manual-tests / mlops_manual_tests: 'data-9' is not valid; use rubric test ids such as "
        "data-5 or model-3 (data-1 ... monitoring-7)",
    ),
    (
        [],
        "mlops_gates_files = gates/mlops-gates.yaml",
        "ERROR: --mlops-gates-files / mlops_gates_files: 'gates/mlops-gates.yaml' is not valid; "
        "give file names without folders, e.g. 'mlops-gates.yaml'",
    ),
    (
        ["--mlops-model-name= "],
        "",
        "ERROR: --mlops-model-name / mlops_model_name: ' ' is not valid; give a non-empty value",
    ),
]


@pytest.mark.parametrize(("args", "ini", "message"), CASES)
def test_usage_errors(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], ini: str, message: str
) -> None:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    pytester.makepyfile("def test_a():\n    pass\n")
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    result = pytester.runpytest(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    result.stderr.no_fnmatch_line("*Traceback*")


def test_cli_beats_ini_beats_default(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlops_stage = monitor\n")
    pytester.makepyfile("def test_a():\n    pass\n")
    assert pytester.runpytest().parseoutcomes().get("deselected") == 1  # monitor has no 'code'
    assert pytester.runpytest("--mlops-stage=ci").parseoutcomes().get("passed") == 1


def test_help_lists_every_option(pytester: pytest.Pytester) -> None:
    from pytest_mlops._options import OPTIONS

    result = pytester.runpytest("--help")
    text = result.stdout.str()
    for opt in OPTIONS:
        assert opt.flag in text
        assert opt.ini in text
