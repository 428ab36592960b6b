"""The schema, feature and drift gates on Spark frames, as a user runs them (pytester, in-process).

The inner runs reuse this session's Spark (their ``mlops_spark`` finds it active), read
their data through the ini (``table:NAME`` and Parquet directories), and show the house
format: ``<kind> gate '<name>' failed: ...``, indented evidence, one ``hint:``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.cli import main

QUIET = ("-p", "no:randomly", "-W", "ignore::pytest.PytestAssertRewriteWarning")

SCHEMA_YAML = """\
schema_type: dataframe
api: pandas
columns:
  amount: {dtype: float64, nullable: false, greater_than_or_equal_to: 0.0}
  plan: {dtype: str, isin: [free, pro]}
  churned: {dtype: int64}
environments:
  serving: {absent: [churned]}
"""


def orders(n: int, seed: int, *, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.gamma(2.0, 10.0 + shift, n),
            "plan": rng.choice(["free", "pro"], n, p=[0.7, 0.3]),
            "churned": rng.integers(0, 2, n),
        }
    )


def write_dataset(spark: Any, frame: pd.DataFrame, path: Path, *, partition_by: str | None = None) -> Path:
    """A real Spark dataset directory (part files, _SUCCESS), optionally partitioned."""
    staged = path.with_suffix(".staging.parquet")
    frame.to_parquet(staged, index=False)
    writer = spark.read.parquet(str(staged)).repartition(2).write.mode("overwrite")
    if partition_by:
        writer = writer.partitionBy(partition_by)
    writer.parquet(str(path))
    return path


@pytest.fixture
def project(pytester: pytest.Pytester, mlops_spark: Any) -> pytest.Pytester:
    root = pytester.path
    good = orders(400, 1)
    bad = good.head(6).copy()
    bad.loc[[1, 4], "amount"] = [-1.0, -5.0]
    bad.loc[2, "plan"] = "team"
    write_dataset(mlops_spark, good, root / "reference", partition_by="plan")
    write_dataset(mlops_spark, orders(400, 2), root / "current")
    mlops_spark.createDataFrame(bad).createOrReplaceTempView("bad_orders")
    mlops_spark.createDataFrame(orders(400, 3, shift=6.0)).createOrReplaceTempView("shifted_orders")
    (root / "orders.yaml").write_text(SCHEMA_YAML)
    pytester.makeini(
        """
        [pytest]
        mlops_reference_data = reference
        mlops_current_data = current
        """
    )
    return pytester


def test_schema_gate_passes_and_fails_on_spark(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        def test_reference(mlops_schema, mlops_reference_data):
            assert type(mlops_reference_data).__module__.startswith("pyspark.")
            mlops_schema.validate(mlops_reference_data, "orders.yaml")

        def test_serving(mlops_schema, mlops_current_data):
            mlops_schema.validate(mlops_current_data.drop("churned"), "orders.yaml", environment="serving")

        def test_bad(mlops_schema, mlops_spark):
            mlops_schema.validate(mlops_spark.table("bad_orders"), "orders.yaml", name="orders")
        """
    )
    result = project.runpytest(*QUIET)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E  *schema gate 'orders' failed: 2 failed checks > 0 (3 failure cases in 2 columns, 6 rows)",
            "E  *column 'amount': greater_than_or_equal_to(0.0) failed for 2 values, e.g. -1, -5",
            "E  *column 'plan': isin([[]'free', 'pro']) failed for 1 value, e.g. 'team'",
            "E *hint: fix the data; *",
        ]
    )


def test_feature_gate_passes_and_fails_on_spark(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        SPEC = {
            "amount": {"null_rate_at_most": 0.0, "at_least": 0.0, "quantiles": {0.5: (5, 40)}},
            "plan": {"allowed": ["free", "pro"], "unseen_share_at_most": 0.0},
            "churned": {"allowed": [0, 1], "cardinality_at_most": 2},
        }

        def test_current(mlops_features, mlops_current_data, mlops_reference_data):
            mlops_features.expect_columns(mlops_current_data, SPEC, reference=mlops_reference_data)

        def test_bad(mlops_features, mlops_spark, mlops_reference_data):
            mlops_features.expect_columns(mlops_spark.table("bad_orders"), SPEC, reference=mlops_reference_data)

        def test_one_column(mlops_features, mlops_spark):
            mlops_features.expect(mlops_spark.table("bad_orders"), "amount", at_least=0, name="amount")
        """
    )
    result = project.runpytest(*QUIET)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "E  *feature gate 'feature expectations' failed: 3 of 7 expectations failed > 0",
            "E  *column 'amount': 2 of 6 values below 0, e.g. -5, -1 (min -5, max *)",
            "E  *column 'plan': 1 value not in the allowed set, e.g. 'team'",
            "E  *column 'plan': 1 unseen categories in 1 rows (share 0.1667 > 0), e.g. 'team'",
            "E *hint: fix the data or the feature code; *",
        ]
    )
    result.stdout.fnmatch_lines(["E  *feature gate 'amount' failed: 2 of 6 values below 0, e.g. -5, -1 (min -5, *"])


def test_drift_gate_passes_and_fails_on_spark(project: pytest.Pytester) -> None:
    project.makepyfile(
        """
        def test_same_distribution(mlops_drift, mlops_reference_data, mlops_current_data):
            mlops_drift.data(mlops_reference_data, mlops_current_data, exclude=["churned"])

        def test_shifted(mlops_drift, mlops_reference_data, mlops_spark):
            mlops_drift.data(mlops_reference_data, mlops_spark.table("shifted_orders"), exclude=["churned"])
        """
    )
    result = project.runpytest(*QUIET)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "E  *drift gate 'data drift' failed: 1 of 2 columns drifted (share 0.5 > 0)",
            "E  *amount: ks p_adj=* < *",
            "E  *note: 1 numeric columns compared by bins (saved or streamed statistics): KS statistics within *",
            "E *hint: if the change is expected, refresh the reference *",
        ]
    )


def test_drift_save_and_check_from_spark(project: pytest.Pytester, capsys: pytest.CaptureFixture[str]) -> None:
    """``drift save`` from a partitioned Parquet directory and from a table; ``drift check`` on a table."""
    root = project.path
    stats = root / "stats.json"
    assert main(["drift", "save", str(root / "reference"), "-o", str(stats), "--exclude", "churned"]) == 0
    assert "saved statistics of 2 columns, 400 rows" in capsys.readouterr().out
    assert main(["drift", "check", str(stats), str(root / "current")]) == 0
    assert "drift gate 'drift of current' passed" in capsys.readouterr().out
    assert main(["drift", "check", str(stats), "table:shifted_orders"]) == 1
    out = capsys.readouterr().out
    assert "drift gate 'drift of table:shifted_orders' failed: 1 of 2 columns drifted" in out
    assert main(["drift", "save", "table:no_such_table", "-o", str(stats)]) == 2
    assert "reference 'table:no_such_table' could not be read with Spark" in capsys.readouterr().err

    project.makeini(
        f"""
        [pytest]
        mlops_current_data = table:shifted_orders
        mlops_drift_stats = {stats}
        """
    )
    project.makepyfile(
        """
        def test_against_saved(mlops_drift, mlops_current_data):
            mlops_drift.data(current=mlops_current_data, exclude=["churned"])
        """
    )
    result = project.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E  *drift gate 'data drift' failed: 1 of 2 columns drifted (share 0.5 > 0)"])


def test_a_missing_table_fails_the_fixture_with_its_name(project: pytest.Pytester) -> None:
    project.makeini(
        """
        [pytest]
        mlops_current_data = table:lake.nothing_here
        """
    )
    project.makepyfile(
        """
        def test_it(mlops_current_data):
            pass
        """
    )
    result = project.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*fixture 'mlops_current_data': mlops_current_data 'table:lake.nothing_here' could not be read with Spark*"]
    )
