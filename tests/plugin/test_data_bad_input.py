"""Bad input: one clear message naming the input, and no pandas/pandera traceback."""

from __future__ import annotations

# Heavy imports before pytester's in-process runs (they restore sys.modules afterwards).
import numpy  # noqa: F401
import pandas as pd
import pandera.pandas  # noqa: F401
import pyarrow  # noqa: F401
import pytest
import sklearn.tree  # noqa: F401

QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")

TESTS = """
import numpy as np
import pandas as pd
import pandera.pandas as pa
from pytest_mlops.integrations.loading import load_frame

SCHEMA = pa.DataFrameSchema({"a": pa.Column(int, pa.Check.ge(0))}, name="s")

def test_empty_frame(mlops_schema):
    mlops_schema.validate(pd.DataFrame({"a": pd.Series([], dtype=int)}), SCHEMA)

def test_no_columns(mlops_features):
    mlops_features.expect(pd.DataFrame(), "a", null_rate_at_most=0.1)

def test_all_null_quantile(mlops_features):
    mlops_features.expect(pd.DataFrame({"a": [None, None]}, dtype=float), "a", quantiles={0.5: (0, 1)})

def test_all_null_skew(mlops_features):
    mlops_features.distribution_skew(pd.DataFrame({"a": [1.0, 2.0]}), pd.DataFrame({"a": [np.nan, np.nan]}))

def test_mixed_type_column(mlops_features):
    mlops_features.expect(pd.DataFrame({"m": [1, "x", 2.5]}), "m", at_least=0)

def test_text_column_range(mlops_features):
    mlops_features.expect(pd.DataFrame({"s": ["a", "b"]}), "s", at_most=3)

def test_missing_column(mlops_features):
    mlops_features.expect(pd.DataFrame({"a": [1]}), "b", unique=True)

def test_duplicate_column_names(mlops_schema):
    mlops_schema.validate(pd.DataFrame([[1, 2]], columns=["a", "a"]), SCHEMA)

def test_duplicate_csv_header():
    load_frame("dup.csv")

def test_missing_file(mlops_schema):
    mlops_schema.validate("nope.parquet", SCHEMA)

def test_corrupt_parquet():
    load_frame("corrupt.parquet")

def test_empty_csv():
    load_frame("empty.csv")

def test_malformed_yaml(mlops_schema):
    mlops_schema.validate(pd.DataFrame({"a": [1]}), "broken.yaml")

def test_yaml_not_a_schema(mlops_schema):
    mlops_schema.validate(pd.DataFrame({"a": [1]}), "list.yaml")

def test_unknown_environment(mlops_schema):
    mlops_schema.validate(pd.DataFrame({"a": [1]}), SCHEMA, environment="serving")

def test_wrong_backend(mlops_schema):
    import polars as pl
    mlops_schema.validate(pl.DataFrame({"a": [1]}), SCHEMA)

def test_bad_expectation(mlops_features):
    mlops_features.expect(pd.DataFrame({"a": [1]}), "a", at_least="zero")

def test_skew_row_mismatch(mlops_features):
    mlops_features.example_skew(pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1]}))

def test_leakage_without_label(mlops_features):
    mlops_features.leakage(pd.DataFrame({"a": [1, 2]}))
"""

EXPECTED = {
    "test_empty_frame": "data has no rows (0 rows, 1 columns); gates need data to check",
    "test_no_columns": "data has no columns; check that the right file or frame was passed",
    "test_all_null_quantile": "data column 'a' has only nulls; a quantile bound needs values",
    "test_all_null_skew": "skew gate 'training-serving distribution skew': column 'a' of serving data has only nulls;*",
    "test_mixed_type_column": "data column 'm' holds mixed types (float, int, str); a value range needs numbers:*",
    "test_text_column_range": "data column 's' is not numeric (dtype str); a value range needs numbers",
    "test_missing_column": "data has no column 'b'; its columns are: 'a'",
    "test_duplicate_column_names": "data has duplicate column names: 'a'; rename them",
    "test_duplicate_csv_header": "data file '*dup.csv' has duplicate column names: 'x'; rename them",
    "test_missing_file": "data file '*nope.parquet' does not exist; check the path*",
    "test_corrupt_parquet": "data file '*corrupt.parquet' could not be read as PARQUET: *corrupted*",
    "test_empty_csv": "data file '*empty.csv' is empty (no header row); write the column names first",
    "test_malformed_yaml": "schema file '*broken.yaml' is not valid YAML: * at line *, column *",
    "test_yaml_not_a_schema": "schema file '*list.yaml' must hold a mapping with 'columns:' (pandera's format), "
    "got list",
    "test_unknown_environment": "schema 's': unknown environment 'serving'; environments: none defined*",
    "test_wrong_backend": "schema gate 's': data is a polars DataFrame but the schema is a pandas schema;*",
    "test_bad_expectation": "feature gate 'a': at_least='zero' is not a number",
    "test_skew_row_mismatch": "skew gate 'training-serving skew': training features have 2 rows "
    "and serving features 1;*",
    "test_leakage_without_label": "leakage gate: no label column; pass label= or set mlops_label in the ini file",
}


def test_each_bad_input_gives_one_clear_message(pytester: pytest.Pytester) -> None:
    pytest.importorskip("polars")
    pytester.makepyfile(test_bad=TESTS)
    pd.DataFrame([[1, 2]]).to_csv(pytester.path / "dup.csv", index=False, header=["x", "x"])
    (pytester.path / "corrupt.parquet").write_bytes(b"PAR1 this is not really parquet")
    (pytester.path / "empty.csv").write_text("")
    (pytester.path / "broken.yaml").write_text("columns:\n  a:\n    dtype: [int64\n")
    (pytester.path / "list.yaml").write_text("- a\n- b\n")
    result = pytester.runpytest(*QUIET, "--tb=short")
    result.assert_outcomes(failed=len(EXPECTED))
    for name, message in EXPECTED.items():
        result.stdout.fnmatch_lines([f"_*_ {name} _*_", "*", f"E   pytest_mlops.errors.MlopsInputError: {message}"])
    out = result.stdout.str()
    for internal in ("site-packages/pandas", "site-packages/pandera", "site-packages/pyarrow", "site-packages/sklearn"):
        assert internal not in out
    assert "pytest_mlops/" not in out  # our own frames are hidden too: the user's line is what shows
    assert "During handling of the above exception" not in out
