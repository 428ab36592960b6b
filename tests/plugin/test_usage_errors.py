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
        [],
        "mlops_mlflow_timeout = 0",
        "ERROR: --mlops-mlflow-timeout / mlops_mlflow_timeout: 0.0 is not valid; expected a positive number, e.g. 10",
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


def test_help_shows_typed_ini_keys(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [  # in the order pytest --help lists them
            "*mlops_stages (linelist):*",
            "*mlops_mlflow_timeout (float):*",
            "*mlops_log_to_mlflow (bool):*",
            "*mlops_gates_files (args):*",
            "*mlops_stop_at_first (bool):*",
            "*mlops_manual_tests (args):*",
        ]
    )
    result.stdout.no_fnmatch_line("*mlops_log_to_mlflow (string)*")


SHOW_SETTINGS = """
from pytest_mlops.plugin import SETTINGS_KEY

def test_show(pytestconfig):
    s = pytestconfig.stash[SETTINGS_KEY]
    print("SETTINGS", s.stop_at_first, s.update_baselines, s.mlflow_timeout, ",".join(s.gates_files))
"""


@pytest.mark.parametrize(
    ("ini", "expected"),
    [
        ("[pytest]\nmlops_stop_at_first = true\nmlops_mlflow_timeout = 2.5\n", "*SETTINGS True False 2.5 *"),
        ("[pytest]\nmlops_stop_at_first = 1\nmlops_update_baselines = 0\n", "*SETTINGS True False 10.0 *"),
        ("[pytest]\nmlops_stop_at_first = yes\nmlops_update_baselines = on\n", "*SETTINGS True True 10.0 *"),
        ("[pytest]\nmlops_stop_at_first = false\n", "*SETTINGS False False 10.0 *"),
        ("[pytest]\nmlops_gates_files = a.yaml b.yml\n", "*SETTINGS False False 10.0 a.yaml,b.yml"),
        ("[pytest]\nmlops_gates_files = a.yaml,b.yml\n", "*SETTINGS False False 10.0 a.yaml,b.yml"),
    ],
)
def test_string_ini_values_still_work(pytester: pytest.Pytester, ini: str, expected: str) -> None:
    pytester.makeini(ini)
    pytester.makepyfile(SHOW_SETTINGS)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([expected])


def test_native_toml_values(pytester: pytest.Pytester) -> None:
    """pytest 9's ``[tool.pytest]`` table takes TOML booleans, numbers and lists for typed keys."""
    pytester.makepyprojecttoml(
        "[tool.pytest]\nmlops_stop_at_first = true\nmlops_mlflow_timeout = 4.0\nmlops_gates_files = ['q.yaml']\n"
    )
    pytester.makepyfile(SHOW_SETTINGS)
    result = pytester.runpytest("-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*SETTINGS True False 4.0 q.yaml"])


def test_command_line_beats_typed_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmlops_mlflow_timeout = 2.5\n")
    pytester.makepyfile(SHOW_SETTINGS)
    result = pytester.runpytest("-s", "--mlops-mlflow-timeout=7", "--mlops-stop-at-first")
    result.stdout.fnmatch_lines(["*SETTINGS True False 7.0 *"])
