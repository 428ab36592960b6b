"""The schema gate through pytest: passing, failing (exact text), environments, polars, xdist."""

from __future__ import annotations

import json

# Import the heavy libraries here, before pytester's in-process runs: those restore sys.modules
# afterwards, and numpy cannot be imported twice in one process.
import numpy  # noqa: F401
import pandas as pd
import pandera.pandas
import pyarrow  # noqa: F401
import pytest

pytest.importorskip("xdist")
pytest.importorskip("polars")
import pandera.polars  # noqa: F401

SCHEMA_YAML = """\
schema_type: dataframe
api: pandas
columns:
  age:
    dtype: int64
    greater_than_or_equal_to: 0
    less_than_or_equal_to: 120
  plan:
    dtype: str
    isin: [free, pro]
  churned:
    dtype: int64
coerce: true
environments:
  training: {}
  serving:
    absent: [churned]
"""

TESTS = """
import pandas as pd
import pandera.pandas as pa
import pytest

class Orders(pa.DataFrameModel):
    age: int = pa.Field(ge=0, le=120)
    plan: str = pa.Field(isin=["free", "pro"])

def good():
    return pd.DataFrame({"age": [30, 41, 55], "plan": ["free", "pro", "pro"], "churned": [0, 1, 0]})

def bad():
    return pd.DataFrame({"age": [30, -1, 130, -7], "plan": ["free", "gold", None, "pro"], "churned": [0, 1, 0, 1]})

def test_model_passes(mlops_schema):
    mlops_schema.validate(good(), Orders)

def test_model_fails(mlops_schema):
    mlops_schema.validate(bad(), Orders)

def test_file_training(mlops_schema):
    mlops_schema.validate(good(), "schema.yaml", environment="training")

def test_file_serving_label_present(mlops_schema):
    mlops_schema.validate(good(), "schema.yaml", environment="serving")

def test_file_serving_ok(mlops_schema):
    mlops_schema.validate(good().drop(columns="churned"), "schema.yaml", environment="serving")

def test_file_default_needs_label(mlops_schema):
    mlops_schema.validate(good().drop(columns="churned"), "schema.yaml")

@pytest.mark.mlops_schema(severity="warn")
def test_warn_marker(mlops_schema):
    mlops_schema.validate(bad(), Orders, name="orders (warn)")
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".yaml", schema=SCHEMA_YAML)
    pytester.makepyfile(test_orders=TESTS)
    return pytester


EXPECTED_FAILURES = [
    "E       pytest_mlops.GateFailure: schema gate 'Orders' failed: 4 failed checks > 0 "
    "(5 failure cases in 2 columns, 4 rows)",
    "E         column 'age': greater_than_or_equal_to(0) failed for 2 values, e.g. -1, -7 (rows 1, 3)",
    "E         column 'age': less_than_or_equal_to(120) failed for 1 value, e.g. 130 (row 2)",
    "E         column 'plan': not_nullable failed for 1 value (row 2)",
    "E         column 'plan': isin(['free', 'pro']) failed for 1 value, e.g. 'gold' (row 1)",
    "E       hint: fix the data; if the change is intended, update the schema "
    "(pytest-mlops schema infer DATA -o schema.yaml, then review the diff)",
]

#: pytester runs in-process, where pytest_mlops is already imported (not assertion-rewritten)
QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_schema_gate_pass_and_fail(project: pytest.Pytester, xdist: list[str]) -> None:
    result = project.runpytest(*xdist, *QUIET)
    result.assert_outcomes(passed=4, failed=3, warnings=1)
    result.stdout.fnmatch_lines(EXPECTED_FAILURES, consecutive=True)
    result.stdout.fnmatch_lines(
        [
            "*schema gate 'schema (serving)' failed: 1 failed check > 0 (1 failure case in 1 column, 3 rows)",
            "*  column 'churned': present, but must be absent here (absent_in_environment('serving'))",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*schema gate 'schema' failed: 1 failed check > 0 (1 failure case in 1 column, 3 rows)",
            "*  column 'churned': missing from the data (column_in_dataframe)",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*/test_orders.py:35: GateWarning: schema gate 'orders (warn)' warned: 4 failed checks > 0*"]
    )
    assert "site-packages/pandera" not in result.stdout.str()


def test_failure_message_is_capped_and_never_dumps_the_frame(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import numpy as np
        import pandas as pd
        import pandera.pandas as pa

        def test_wide(mlops_schema):
            n = 5_000
            frame = pd.DataFrame({f"c{i}": np.full(n, -1.0) for i in range(12)})
            schema = pa.DataFrameSchema({f"c{i}": pa.Column(float, pa.Check.ge(0)) for i in range(12)})
            mlops_schema.validate(frame, schema, name="wide")
        """
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*schema gate 'wide' failed: 12 failed checks > 0 (60000 failure cases in 12 columns, 5000 rows)",
            "*  column 'c0': greater_than_or_equal_to(0) failed for 5000 values, e.g. -1, -1, -1 (rows 0, 1, 2)",
            "*  ... and 2 more",
        ]
    )
    assert "c11" not in result.stdout.str()  # capped at 10 evidence lines
    out = result.stdout.str()
    assert "rows x" not in out  # no DataFrame repr
    assert "failure_case" not in out  # no pandera failure-case table


def test_polars_frames_run_data_checks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import polars as pl
        import pandera.polars as pap

        SCHEMA = pap.DataFrameSchema({"x": pap.Column(int, pap.Check.in_range(0, 10))}, name="events")

        def test_eager_ok(mlops_schema):
            mlops_schema.validate(pl.DataFrame({"x": [1, 2, 3]}), SCHEMA)

        def test_lazy_is_collected(mlops_schema):
            # pandera alone would skip in_range on a LazyFrame; the gate collects it first
            mlops_schema.validate(pl.DataFrame({"x": [1, 20, 30]}).lazy(), SCHEMA)
        """
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*schema gate 'events' failed: 1 failed check > 0 (2 failure cases in 1 column, 3 rows)",
            "*  column 'x': in_range(0, 10) failed for 2 values, e.g. '20', '30' (rows 1, 2)",
        ]
    )


def test_report_carries_failures_and_lineage(pytester: pytest.Pytester) -> None:
    pd.DataFrame({"a": [1, -2, 3]}).to_csv(pytester.path / "data.csv", index=False)
    pytester.makepyfile(
        """
        import pandera.pandas as pa
        from pytest_mlops.integrations.loading import load_frame

        def test_file(mlops_schema):
            mlops_schema.validate(load_frame("data.csv"), pa.DataFrameSchema({"a": pa.Column(int, pa.Check.ge(0))}))
        """
    )
    result = pytester.runpytest("--mlops-report=report.json", *QUIET)
    result.assert_outcomes(failed=1)
    report = json.loads((pytester.path / "report.json").read_text())
    gate = report["gates"][0]
    assert gate["kind"] == "schema"
    assert gate["details"]["failures"] == [
        {"column": "a", "check": "greater_than_or_equal_to(0)", "count": 1, "examples": [-2], "rows": [1]}
    ]
    text = json.dumps(report)
    assert "data.csv" in text
    assert "sha256" in text
