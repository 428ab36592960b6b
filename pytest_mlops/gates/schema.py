"""The schema gate: validate a pandas or polars DataFrame against a pandera schema.

Validation is lazy (every failing column and check is collected); the failure message
lists each failing (column, check) with its count and a few example values, worst first,
capped — never the frame itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations import is_spark_frame
from pytest_mlops.results import GateResult

__all__ = ["check"]

HINT = (
    "fix the data; if the change is intended, update the schema "
    "(pytest-mlops schema infer DATA -o schema.yaml, then review the diff)"
)


def schema_result(
    gate_name: str,
    severity: Any,
    failures: list[Any],
    *,
    rows: int,
    columns_checked: int,
    backend: str,
    environment: str | None,
    source: str,
) -> GateResult:
    """The schema gate's result from its failures (``Failure`` objects), whatever engine found them."""
    n_checks = len(failures)
    n_cases = sum(f.count for f in failures)
    columns = sorted({f.column for f in failures if f.column is not None})

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" + ("" if n == 1 else "s")

    if n_checks:
        summary = (
            f"{plural(n_checks, 'failed check')} > 0 ({plural(n_cases, 'failure case')} in "
            f"{plural(len(columns), 'column')}, {plural(rows, 'row')})"
        )
    else:
        summary = f"0 failed checks over {columns_checked} columns and {rows} rows"
    return GateResult(
        kind="schema",
        check="schema",
        name=gate_name,
        passed=n_checks == 0,
        severity=severity,
        observed=n_checks,
        bound={"at_most": 0},
        summary=summary,
        evidence=[f.line() for f in failures],
        hint=HINT,
        details={
            "failures": [f.to_dict() for f in failures],
            "failure_cases": n_cases,
            "rows": rows,
            "columns_checked": columns_checked,
            "backend": backend,
            "environment": environment,
            "schema": source,
        },
    )


@_recorder.clean_input_errors
def check(
    data: Any,
    schema: Any,
    *,
    name: str | None = None,
    environment: str | None = None,
    environments: Mapping[str, Any] | None = None,
    max_examples: int = 3,
    severity: str | None = None,
    fingerprint: bool = False,
    data_name: str = "data",
) -> GateResult:
    """Validate ``data`` against ``schema`` with pandera (lazily) and record the result.

    ``data``: a pandas or polars DataFrame (a polars LazyFrame is collected first, because
    pandera skips data checks on lazy frames), or a CSV/Parquet path. ``schema``: a pandera
    ``DataFrameSchema``, a ``DataFrameModel`` class, or a YAML/JSON schema file.
    ``environment`` selects an entry of the schema's ``environments`` (e.g. ``"serving"``,
    where the label must be absent); ``environments=`` adds or overrides entries.

    Example::

        from pytest_mlops.gates.schema import check as check_schema

        def test_orders_schema(orders):
            check_schema(orders, "schemas/orders.yaml", environment="serving")

    Data loaded by :func:`pytest_mlops.integrations.loading.load_frame` (or passed as a path) attaches its
    file sha256 to the report's lineage; ``fingerprint=True`` hashes an in-memory frame too.
    """
    __tracebackhide__ = True
    from pytest_mlops.integrations import loading as data_mod
    from pytest_mlops.integrations import pandera as pa_adapter

    if not isinstance(max_examples, int) or isinstance(max_examples, bool) or max_examples < 0:
        raise MlopsInputError(f"schema gate: max_examples={max_examples!r} must be a non-negative integer")
    what = repr(str(data)) if isinstance(data, (str, Path)) else data_name
    if is_spark_frame(data):  # checks compiled to Spark SQL (integrations/spark.py)
        from pytest_mlops.integrations import spark

        resolved = _recorder.resolve_severity("schema", severity)
        env = {"environment": environment, "environments": environments}
        return _recorder.emit(spark.check_schema(data, schema, env, name, max_examples, resolved, what))
    frame = data_mod.require_frame(data, what)
    data_mod.require_unique_columns(frame, what)
    data_mod.require_not_empty(frame, what)
    loaded = pa_adapter.as_schema(schema, environments)
    gate_name = name or (f"{loaded.name} ({environment})" if environment else loaded.name)
    resolved = _recorder.resolve_severity("schema", severity)
    is_polars = data_mod.is_polars(frame)
    if (loaded.backend == "polars") != is_polars:
        kind = "polars" if is_polars else "pandas"
        raise MlopsInputError(
            f"schema gate {gate_name!r}: {what} is a {kind} DataFrame but the schema is a {loaded.backend} schema; "
            f"use a {kind} schema (pandera.{kind}) or convert the data"
        )
    active, absent = pa_adapter.apply_environment(loaded, environment)
    failures = pa_adapter.validate(frame, active, max_examples=max_examples)
    present = set(map(str, frame.columns))
    for column in absent:
        if column in present:
            failures.insert(0, pa_adapter.Failure(column, f"absent_in_environment({environment!r})", 1))
    data_mod.attach_lineage(frame, data_name, compute=fingerprint)
    result = schema_result(
        gate_name,
        resolved,
        failures,
        rows=data_mod.n_rows(frame),
        columns_checked=len(active.columns),
        backend=loaded.backend,
        environment=environment,
        source=loaded.source,
    )
    return _recorder.emit(result)
