"""Data fixtures read the files named in the ini file; unset or bad paths give a clear error."""

from __future__ import annotations

import json

# Heavy imports before pytester's in-process runs (they restore sys.modules afterwards).
import numpy  # noqa: F401
import pandas as pd
import pyarrow  # noqa: F401
import pytest

QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")


def test_fixtures_load_configured_files(pytester: pytest.Pytester) -> None:
    pd.DataFrame({"age": [30, 40], "churned": [0, 1]}).to_parquet(pytester.path / "train.parquet")
    pd.DataFrame({"age": [31, 45]}).to_csv(pytester.path / "serve.csv", index=False)
    pytester.makeini(
        """
        [pytest]
        mlops_reference_data = train.parquet
        mlops_current_data = serve.csv
        mlops_label = churned
        """
    )
    pytester.makepyfile(
        """
        def test_reference(mlops_reference_data):
            assert list(mlops_reference_data.columns) == ["age", "churned"]

        def test_current(mlops_features, mlops_current_data):
            mlops_features.expect(mlops_current_data, "age", at_least=18)

        def test_holdout_unset(mlops_holdout_data):
            pass
        """
    )
    result = pytester.runpytest(*QUIET, "--mlops-report=r.json")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "fixture 'mlops_holdout_data' needs a data file: set mlops_holdout_data = PATH "
            "(CSV or Parquet) in [[]tool.pytest.ini_options[]] or pass --mlops-holdout-data=PATH",
        ]
    )
    lineage = json.dumps(json.loads((pytester.path / "r.json").read_text()))
    assert "train.parquet" in lineage
    assert "serve.csv" in lineage


def test_bad_data_file_is_a_clean_setup_error(pytester: pytest.Pytester) -> None:
    (pytester.path / "bad.parquet").write_bytes(b"not parquet at all")
    pytester.makepyfile(
        """
        def test_reference(mlops_reference_data):
            pass
        """
    )
    result = pytester.runpytest(*QUIET, "--mlops-reference-data=bad.parquet")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["fixture 'mlops_reference_data': mlops_reference_data file '*bad.parquet' could not be read*"]
    )
    assert "site-packages/pyarrow" not in result.stdout.str()
