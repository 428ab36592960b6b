"""Bad input to schema files, data fixtures and feature expectations: one clear line each.

Every case names the input (file, column, key) and the fix; none prints a pandas, pandera or
pyarrow traceback, nor "During handling of the above exception".
"""

from __future__ import annotations

# Heavy imports before pytester's in-process runs (they restore sys.modules afterwards).
import numpy  # noqa: F401
import pandas as pd
import pandas.core.arrays.arrow.extension_types
import pandera.pandas  # noqa: F401
import pyarrow  # noqa: F401
import pytest

from pytest_mlops.cli import main

QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")

SCHEMA_FILES = {
    "typo_check.yaml": "columns:\n  a:\n    dtype: int64\n    greater_then_or_equal_to: 0\n",
    "typo_nullable.yaml": "columns:\n  a:\n    dtype: int64\n    nullabel: false\n",
    "typo_in_checks.yaml": (
        "columns:\n  a:\n    dtype: int64\n    checks:\n      in_rnage: {min_value: 0, max_value: 5}\n"
    ),
    "typo_top.yaml": "columns:\n  a: {dtype: int64}\nstrcit: true\n",
    "column_scalar.yaml": "columns:\n  a: int64\n",
    "checks_list.yaml": "columns:\n  a:\n    dtype: int64\n    checks:\n    - {value: 0}\n",
    "checks_scalar.yaml": "columns:\n  a:\n    dtype: int64\n    checks: ge\n",
    "frame_check.yaml": "columns:\n  a: {dtype: int64}\nchecks:\n  nonsense_check: 1\n",
    "typo_dtype_key.yaml": "columns:\n  a:\n    dtpye: int64\n",
}

TESTS = """
import pandas as pd
import pandera.pandas as pa
from pytest_mlops.integrations.loading import load_frame

A = pd.DataFrame({"a": [1, 2]})

def test_typo_check(mlops_schema):
    mlops_schema.validate(A, "typo_check.yaml")

def test_typo_nullable(mlops_schema):
    mlops_schema.validate(A, "typo_nullable.yaml")

def test_typo_in_checks(mlops_schema):
    mlops_schema.validate(A, "typo_in_checks.yaml")

def test_typo_top(mlops_schema):
    mlops_schema.validate(A, "typo_top.yaml")

def test_column_scalar(mlops_schema):
    mlops_schema.validate(A, "column_scalar.yaml")

def test_checks_list(mlops_schema):
    mlops_schema.validate(A, "checks_list.yaml")

def test_checks_scalar(mlops_schema):
    mlops_schema.validate(A, "checks_scalar.yaml")

def test_frame_check(mlops_schema):
    mlops_schema.validate(A, "frame_check.yaml")

def test_typo_dtype_key(mlops_schema):
    mlops_schema.validate(A, "typo_dtype_key.yaml")

def test_header_only_fixture(mlops_current_data):
    pass

def test_loaded_frame_missing_column(mlops_features):
    mlops_features.expect(load_frame("ok.csv"), "b", null_rate_at_most=0.1)

def test_loaded_frame_text_numbers(mlops_features):
    mlops_features.expect(load_frame("text_numbers.parquet"), "amount", at_least=0)

def test_numbers_as_strings(mlops_features):
    mlops_features.expect(pd.DataFrame({"amount": ["1.5", "2"]}), "amount", at_most=3)

def test_loaded_frame_empty(mlops_schema):
    mlops_schema.validate(load_frame("header.csv"), pa.DataFrameSchema({"a": pa.Column(int)}))

def test_unknown_expectation(mlops_features):
    mlops_features.expect_columns(A, {"a": {"at_leest": 0}})
"""

EXPECTED = {
    "test_typo_check": "schema file '*typo_check.yaml': column 'a' has unknown key 'greater_then_or_equal_to' "
    "(did you mean 'greater_than_or_equal_to'?)*",
    "test_typo_nullable": "schema file '*typo_nullable.yaml': column 'a' has unknown key 'nullabel' "
    "(did you mean 'nullable'?)*",
    "test_typo_in_checks": "schema file '*typo_in_checks.yaml': column 'a': unknown check 'in_rnage' "
    "(did you mean 'in_range'?)",
    "test_typo_top": "schema file '*typo_top.yaml': unknown top-level key 'strcit' (did you mean 'strict'?)*",
    "test_column_scalar": "schema file '*column_scalar.yaml': column 'a' must be a mapping such as "
    "{dtype: float64, nullable: false}, got 'int64'",
    "test_checks_list": "schema file '*checks_list.yaml': column 'a': each entry of 'checks:' needs "
    "options.check_name*",
    "test_checks_scalar": "schema file '*checks_scalar.yaml': column 'a': 'checks:' must be a mapping*",
    "test_frame_check": "schema file '*frame_check.yaml': dataframe checks: unknown check 'nonsense_check'",
    "test_typo_dtype_key": "schema file '*typo_dtype_key.yaml': column 'a' has unknown key 'dtpye' "
    "(did you mean 'dtype'?)*",
    "test_loaded_frame_missing_column": "data (from '*ok.csv') has no column 'b'; its columns are: 'a'",
    "test_loaded_frame_text_numbers": "data (from '*text_numbers.parquet') column 'amount' is not numeric "
    "(dtype str); a value range needs numbers (its values are numbers stored as text:*",
    "test_numbers_as_strings": "data column 'amount' is not numeric (dtype str); a value range needs numbers "
    "(its values are numbers stored as text: convert it with pandas.to_numeric or fix the file)",
    "test_loaded_frame_empty": "data (from '*header.csv') has no rows (0 rows, 2 columns); gates need data to check",
    "test_unknown_expectation": "feature gate 'a': unknown expectation 'at_leest'*",
}


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_bad=TESTS)
    pytester.makeini("[pytest]\nmlops_current_data = header.csv\n")
    for name, text in SCHEMA_FILES.items():
        (pytester.path / name).write_text(text)
    (pytester.path / "header.csv").write_text("a,b\n")
    (pytester.path / "ok.csv").write_text("a\n1\n2\n")
    pd.DataFrame({"amount": ["1.5", "2.0"]}).to_parquet(pytester.path / "text_numbers.parquet")
    return pytester


def test_each_bad_input_gives_one_clear_line(project: pytest.Pytester) -> None:
    result = project.runpytest(*QUIET, "--tb=short", "-p", "no:randomly")
    result.assert_outcomes(failed=len(EXPECTED), errors=1)
    out = result.stdout.str()
    for name, message in EXPECTED.items():
        result.stdout.fnmatch_lines([f"_*_ {name} _*_", "*", f"E   pytest_mlops.errors.MlopsInputError: {message}"])
    for internal in ("site-packages/pandas", "site-packages/pandera", "site-packages/pyarrow"):
        assert internal not in out
    assert "During handling of the above exception" not in out
    assert "pytest_mlops/" not in out


def test_header_only_data_file_fails_the_fixture_once(project: pytest.Pytester) -> None:
    result = project.runpytest(*QUIET, "-k", "header_only_fixture")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*fixture 'mlops_current_data': mlops_current_data file '*header.csv' has no rows (0 rows, 2 columns); "
            "gates need data to check"
        ]
    )
    out = result.stdout.str()
    # once in the report (the short summary repeats it in full when CI is set: pytest does not truncate there)
    assert out.split("short test summary info")[0].count("has no rows") == 1
    assert "During handling of the above exception" not in out


@pytest.mark.parametrize(
    ("writer", "message"),
    [
        (lambda p: (p / "data.csv").write_text("a,b\n"), "data file '*data.csv' has no rows*"),
        (lambda p: (p / "data.csv").write_bytes(b""), "data file '*data.csv' is empty (no header row)*"),
        (lambda p: (p / "data.parquet").write_bytes(b"PAR1 nope"), "data file '*data.parquet' could not be read*"),
    ],
)
def test_schema_infer_bad_data_is_one_line(
    tmp_path: pytest.TempPathFactory, writer, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import fnmatch
    from pathlib import Path

    root = Path(str(tmp_path))
    writer(root)
    data = next(root.iterdir())
    assert main(["schema", "infer", str(data)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "Traceback" not in err
    assert fnmatch.fnmatch(err, "*" + message), err


def test_schema_validate_with_a_misspelt_schema_is_exit_2(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "d.csv").write_text("a\n1\n")
    (tmp_path / "s.yaml").write_text(SCHEMA_FILES["typo_check.yaml"])
    assert main(["schema", "validate", str(tmp_path / "d.csv"), str(tmp_path / "s.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "unknown key 'greater_then_or_equal_to' (did you mean 'greater_than_or_equal_to'?" in err


def test_schema_infer_refuses_files_of_different_tables(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.csv").write_text("x,y\n1,2\n3,4\n")
    (tmp_path / "b.csv").write_text("x,z\n1,2\n")
    assert main(["schema", "infer", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "b.csv' does not have the columns of" in err
    assert "lacks 'y'" in err


def test_schema_infer_rejects_negative_isin_levels(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n")
    assert main(["schema", "infer", str(tmp_path / "a.csv"), "--isin-max-levels", "-1"]) == 2
    assert "--isin-max-levels -1" in capsys.readouterr().err
