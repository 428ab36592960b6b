"""Spark adapter: the schema and feature-expectation gates on a ``pyspark.sql.DataFrame``.

Long because: pandera's checks compiled to Spark SQL, the feature expectations and their failure
samples share one condition compiler and one counting pass; the session and source helpers are short.

This module imports pyspark at top; light modules import it inside functions (they test
for a Spark frame with :func:`pytest_mlops.integrations.is_spark_frame`).

Everything is pushed down to Spark. A pandera (pandas-API) schema is compiled to Spark SQL
conditions and every (column, check) is counted in one ``DataFrame.agg`` pass; only the
counts (a few numbers) and, for failing checks, at most ``max_examples`` values per check
(``filter(...).limit(n)``) reach the driver. ``pandera.pyspark`` is not used: it imports
``pyspark.pandas``, which does not import with pandas 3. Failures have the shape of the
pandas path (:class:`pytest_mlops.integrations.pandera.Failure`), without row labels
(a Spark frame has no index). Feature expectations (null rate, range, allowed set, unseen
categories, uniqueness, cardinality, exact quantiles) are aggregations too.

Spark follows SQL, pandas does not, in two places we paper over: a ``NaN`` in a float
column counts as a null (as in pandas), and a check whose condition cannot apply to the
column's type (a number bound on a string column) is reported as a check that could not
run, instead of raising from Spark.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations.pandera import Failure, LoadedSchema, apply_environment, as_schema
from pytest_mlops.results import GateResult, JSONValue, fmt, to_json

__all__ = [
    "SparkFrame",
    "check_schema",
    "evaluate_expectations",
    "is_numeric_type",
    "missing",
    "pandas_dtype",
    "require_frame",
    "validate_schema",
]

_FLOATS = (T.FloatType, T.DoubleType)
_INTEGERS = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
_PANDAS_NAMES: dict[type, str] = {
    T.ByteType: "int8",
    T.ShortType: "int16",
    T.IntegerType: "int32",
    T.LongType: "int64",
    T.FloatType: "float32",
    T.DoubleType: "float64",
    T.BooleanType: "bool",
    T.StringType: "str",
    T.TimestampType: "datetime64[us]",
    T.TimestampNTZType: "datetime64[us]",
    T.DateType: "object",
    T.BinaryType: "object",
}


TABLE_PREFIX = "table:"


def session() -> tuple[Any, bool]:
    """The Spark session to use and whether it was started here (so the caller stops it).

    The active session if there is one; else Spark Connect when ``SPARK_REMOTE`` is set
    (``sc://host:port``); else a local session (``local[2]``, no UI, bound to 127.0.0.1).
    """
    import os

    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    remote = os.environ.get("SPARK_REMOTE", "").strip()
    try:
        if remote:
            return SparkSession.builder.remote(remote).getOrCreate(), True
        return local_session(), True
    except Exception as exc:
        text = " ".join(str(exc).split())[:300]
        where = f"Spark Connect at SPARK_REMOTE={remote!r}" if remote else "a local Spark session"
        hint = "check the URL and that the server runs" if remote else "Spark needs Java 17 (openjdk-17-jre-headless)"
        raise MlopsInputError(f"could not start {where}: {text}; {hint}") from None


def local_session() -> Any:
    """A local session: ``local[2]``, no UI, loopback only, UTC, Python workers on this interpreter."""
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("pytest-mlops")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "65536")
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def is_source(text: str) -> bool:
    """Whether a path or name given for data names a Spark source: ``table:NAME`` or a directory."""
    from pathlib import Path

    return Path(text).name.startswith(TABLE_PREFIX) or Path(text).is_dir()


def read_source(spark: Any, text: str, what: str) -> DataFrame:
    """The Spark frame of ``table:NAME`` (the session's catalog) or a Parquet/Delta directory."""
    from pathlib import Path

    path = Path(text)
    shown = path.name if path.name.startswith(TABLE_PREFIX) else str(path)
    try:
        if path.name.startswith(TABLE_PREFIX):
            frame: DataFrame = spark.table(path.name[len(TABLE_PREFIX) :])
        elif (path / "_delta_log").is_dir():
            frame = spark.read.format("delta").load(str(path))
        else:
            frame = spark.read.parquet(str(path))
        frame.schema  # noqa: B018 - resolve now, so a bad source fails here with its name
    except Exception as exc:
        text = " ".join(str(exc).split())[:300]
        raise MlopsInputError(f"{what} {shown!r} could not be read with Spark: {text}") from None
    return frame


def _q(name: str) -> Column:
    """The column ``name`` (quoted, so names with dots or spaces work)."""
    return F.col("`" + name.replace("`", "``") + "`")


def is_numeric_type(dtype: T.DataType) -> bool:
    return isinstance(dtype, T.NumericType)


def pandas_dtype(dtype: T.DataType) -> str:
    """The pandas dtype name a Spark type maps to (``toPandas`` on pandas 3), for messages."""
    if isinstance(dtype, T.DecimalType):
        return "object"
    return _PANDAS_NAMES.get(type(dtype), dtype.simpleString())


def missing(name: str, dtype: T.DataType) -> Column:
    """Null, or NaN in a float column (pandas counts NaN as missing, Spark SQL does not)."""
    col = _q(name)
    if isinstance(dtype, _FLOATS):
        return col.isNull() | F.isnan(col)
    return col.isNull()


class SparkFrame:
    """A Spark DataFrame with its row count computed once (``len()``), as the gates expect of a frame."""

    is_spark = True

    def __init__(self, df: DataFrame, what: str) -> None:
        self.df = df
        self.what = what
        self.columns = list(df.columns)
        self.types = {f.name: f.dataType for f in df.schema.fields}
        self._rows: int | None = None

    def __len__(self) -> int:
        if self._rows is None:
            self._rows = int(self.df.count())
        return self._rows

    def dtype(self, column: str) -> str:
        return pandas_dtype(self.types[column])


def require_frame(df: DataFrame, what: str, columns: Sequence[str] = ()) -> SparkFrame:
    """Check a Spark frame as the pandas path checks a pandas frame (unique names, not empty, columns present)."""
    frame = SparkFrame(df, what)
    seen: set[str] = set()
    dups = sorted({c for c in frame.columns if c in seen or seen.add(c)})  # type: ignore[func-returns-value]
    if dups:
        raise MlopsInputError(f"{what} has duplicate column names: {', '.join(map(repr, dups))}; rename them")
    if not frame.columns:
        raise MlopsInputError(f"{what} has no columns; check that the right table or frame was passed")
    missing_cols = [c for c in columns if c not in frame.types]
    if missing_cols:
        shown = ", ".join(map(repr, frame.columns[:10])) + (" ..." if len(frame.columns) > 10 else "")
        raise MlopsInputError(f"{what} has no column {', '.join(map(repr, missing_cols))}; its columns are: {shown}")
    if len(frame) == 0:
        raise MlopsInputError(f"{what} has no rows (0 rows, {len(frame.columns)} columns); gates need data to check")
    return frame


def _sample(df: DataFrame, condition: Column, column: str, limit: int) -> list[JSONValue]:
    """At most ``limit`` values of ``column`` where ``condition`` holds (the only rows that reach the driver)."""
    if limit <= 0:
        return []
    return [to_json(row[0]) for row in df.filter(condition).select(_q(column)).limit(limit).collect()]


# --------------------------------------------------------------------------------------------
# schema: pandera checks compiled to Spark SQL


def _could_not_run(column: str, check: str, dtype: T.DataType, why: str) -> Failure:
    return Failure(column, check, 1, [f"TypeError('{why} on Spark type {dtype.simpleString()}')"])


def _literals(values: Any, dtype: T.DataType) -> list[Any]:
    """The values of an allowed/forbidden set that can equal a value of ``dtype`` (others never match)."""
    out = []
    for v in values:
        if isinstance(dtype, T.BooleanType):
            ok = isinstance(v, bool)
        elif is_numeric_type(dtype):
            ok = isinstance(v, (int, float)) and not isinstance(v, bool)
        elif isinstance(dtype, T.StringType):
            ok = isinstance(v, str)
        else:
            ok = True
        if ok:
            out.append(v)
    return out


def _check_condition(check: Any, column: str, dtype: T.DataType) -> Column | str:
    """The Spark condition a value passes for a pandera built-in check, or why it cannot run."""
    name = str(check.name)
    stats: Mapping[str, Any] = check.statistics or {}
    col = _q(column)
    numeric = is_numeric_type(dtype) or isinstance(dtype, (T.DateType, T.TimestampType, T.TimestampNTZType))
    comparisons: dict[str, tuple[str, Callable[[Column], Column]]] = {
        "greater_than": ("min_value", lambda v: col > v),
        "greater_than_or_equal_to": ("min_value", lambda v: col >= v),
        "less_than": ("max_value", lambda v: col < v),
        "less_than_or_equal_to": ("max_value", lambda v: col <= v),
    }
    if name in comparisons:
        key, build = comparisons[name]
        if not numeric:
            return "'>'/'<' not supported"
        condition: Column = build(F.lit(stats[key]))
        return condition
    if name == "in_range":
        if not numeric:
            return "'>='/'<=' not supported"
        lo, hi = F.lit(stats["min_value"]), F.lit(stats["max_value"])
        low_ok = col >= lo if stats.get("include_min", True) else col > lo
        high_ok = col <= hi if stats.get("include_max", True) else col < hi
        return low_ok & high_ok
    if name in ("equal_to", "not_equal_to"):
        values = _literals([stats["value"]], dtype)
        if not values:
            return F.lit(name == "not_equal_to")
        return col == F.lit(values[0]) if name == "equal_to" else col != F.lit(values[0])
    if name in ("isin", "notin"):
        key = "allowed_values" if name == "isin" else "forbidden_values"
        values = _literals(list(stats[key]), dtype)
        inside = col.isin(values) if values else F.lit(False)
        return inside if name == "isin" else ~inside
    strings = {
        "str_matches": lambda s: col.rlike("^(?:" + str(getattr(s["pattern"], "pattern", s["pattern"])) + ")"),
        "str_contains": lambda s: col.rlike(str(getattr(s["pattern"], "pattern", s["pattern"]))),
        "str_startswith": lambda s: col.startswith(str(s["string"])),
        "str_endswith": lambda s: col.endswith(str(s["string"])),
    }
    if name in strings:
        if not isinstance(dtype, T.StringType):
            return "string check not supported"
        return strings[name](stats)
    if name == "str_length":
        if not isinstance(dtype, T.StringType):
            return "string check not supported"
        length = F.length(col)
        if stats.get("exact_value") is not None:
            return length == F.lit(int(stats["exact_value"]))
        cond = F.lit(True)
        if stats.get("min_value") is not None:
            cond = cond & (length >= F.lit(int(stats["min_value"])))
        if stats.get("max_value") is not None:
            cond = cond & (length <= F.lit(int(stats["max_value"])))
        return cond
    raise MlopsInputError(
        f"schema check {check.error or name!r} on column {column!r} cannot run on a Spark DataFrame: only pandera's "
        "built-in checks are compiled to Spark SQL (equal_to, greater_than..., in_range, isin, notin, str_matches, "
        "str_contains, str_startswith, str_endswith, str_length); express it with those, or validate a pandas sample"
    )


_SPARK_FAMILIES: dict[str, tuple[type, ...]] = {
    "int8": (T.ByteType,),
    "int16": (T.ShortType,),
    "int32": (T.IntegerType,),
    "int64": (T.LongType,),
    "float32": (T.FloatType,),
    "float64": (T.DoubleType,),
    "bool": (T.BooleanType,),
    "boolean": (T.BooleanType,),
    "str": (T.StringType,),
    "string": (T.StringType,),
    "object": (T.StringType, T.DateType, T.DecimalType, T.BinaryType),
    "datetime64": (T.TimestampType, T.TimestampNTZType),
}


def dtype_matches(expected: str, dtype: T.DataType) -> bool:
    """Whether a Spark column type satisfies a pandera (pandas) dtype: nullable ``Int64`` as ``int64``,
    ``string[pyarrow]``/``str`` as strings, any ``datetime64[...]`` as a timestamp."""
    key = expected.strip()
    if key.startswith("datetime64"):
        key = "datetime64"
    elif key.startswith("string"):
        key = "string"
    elif key in ("Int8", "Int16", "Int32", "Int64", "Float32", "Float64", "UInt8"):
        key = key.lower()
    families = _SPARK_FAMILIES.get(key)
    if families is None:
        return pandas_dtype(dtype) == key
    return isinstance(dtype, families)


def _unsupported(loaded: LoadedSchema, schema: Any) -> None:
    where = f"schema {loaded.name!r}"
    if getattr(schema, "checks", None):
        raise MlopsInputError(
            f"{where} has dataframe-level checks, which cannot run on a Spark DataFrame; move them to columns"
        )
    if getattr(schema, "unique", None):
        raise MlopsInputError(
            f"{where}: unique={schema.unique!r} across columns is not supported on Spark; use unique per column"
        )
    for name, col in schema.columns.items():
        if getattr(col, "regex", False):
            raise MlopsInputError(f"{where}: regex column {name!r} is not supported on Spark; name the columns")


def validate_schema(frame: SparkFrame, schema: Any, *, max_examples: int = 3, name: str = "schema") -> list[Failure]:
    """Every failing (column, check) of a pandera schema on a Spark frame, worst first (one aggregation pass)."""
    df, types = frame.df, frame.types
    failures: list[Failure] = []
    # (column, check label, failing condition, keep examples)
    conditions: list[tuple[str, str, Column, bool]] = []
    unique: list[str] = []
    for col_name, col in schema.columns.items():
        column = str(col_name)
        if column not in types:
            if col.required:
                failures.append(Failure(column, "column_in_dataframe", 1))
            continue
        dtype = types[column]
        if col.dtype is not None and not dtype_matches(str(col.dtype), dtype):
            failures.append(Failure(column, f"dtype('{col.dtype}')", 1, [pandas_dtype(dtype)]))
        absent = missing(column, dtype)
        if not col.nullable:
            conditions.append((column, "not_nullable", absent, False))
        if col.unique:
            unique.append(column)
        for check in col.checks:
            label = str(check.error or check.name)
            cond = _check_condition(check, column, dtype)
            if isinstance(cond, str):
                failures.append(_could_not_run(column, label, dtype, cond))
                continue
            fails = ~cond if not getattr(check, "ignore_na", True) else (~absent & ~F.coalesce(cond, F.lit(False)))
            conditions.append((column, label, fails, True))
    if schema.strict is True:
        known = set(map(str, schema.columns))
        failures.extend(Failure(c, "column_in_schema", 1) for c in frame.columns if c not in known)
    if conditions:
        row = df.agg(*[F.count_if(cond).alias(f"c{i}") for i, (_, _, cond, _) in enumerate(conditions)]).first()
        assert row is not None
        for i, (column, label, cond, keep) in enumerate(conditions):
            count = int(row[f"c{i}"] or 0)
            if count:
                shown = _sample(df, cond, column, max_examples) if keep else []
                failures.append(Failure(column, label, count, shown))
    for column in unique:
        dup = (
            df.filter(~missing(column, types[column])).groupBy(_q(column).alias("v")).count().filter(F.col("count") > 1)
        )
        total = dup.agg(F.sum("count")).first()
        count = int(total[0] or 0) if total is not None else 0
        if count:
            examples: list[JSONValue] = []
            for r in dup.orderBy(F.col("count").desc(), F.col("v")).limit(max_examples).collect():
                examples.extend([to_json(r["v"])] * int(r["count"]))
            failures.append(Failure(column, "field_uniqueness", count, examples[:max_examples]))
    failures.sort(key=lambda f: (f.rank, -f.count))
    return failures


def check_schema(
    data: DataFrame,
    schema: Any,
    env: Mapping[str, Any],
    name: str | None,
    max_examples: int,
    severity: str,
    data_name: str,
) -> GateResult:
    """The schema gate's result for a Spark frame (same summary, evidence and details as the pandas path).

    ``env`` holds the gate's ``environment`` and ``environments`` arguments.
    """
    from pytest_mlops.gates.schema import schema_result

    environment: str | None = env.get("environment")
    environments: Mapping[str, Any] | None = env.get("environments")

    frame = require_frame(data, data_name)
    loaded = as_schema(schema, environments)
    gate_name = name or loaded.name
    if loaded.backend != "pandas":
        raise MlopsInputError(
            f"schema gate {gate_name!r}: {data_name} is a Spark DataFrame; use a pandas-API pandera schema "
            f"(pandera.pandas or a schema file with api: pandas), not a {loaded.backend} schema"
        )
    active, absent = apply_environment(loaded, environment)
    _unsupported(loaded, active)
    failures = validate_schema(frame, active, max_examples=max_examples, name=gate_name)
    for column in absent:
        if column in frame.types:
            failures.insert(0, Failure(column, f"absent_in_environment({environment!r})", 1))
    return schema_result(
        gate_name,
        severity,
        failures,
        rows=len(frame),
        columns_checked=len(active.columns),
        backend="spark",
        environment=environment,
        source=loaded.source,
    )


# --------------------------------------------------------------------------------------------
# feature expectations


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value if value in ("nan", "inf", "-inf") else repr(value)
    return fmt(value)


def _number(name: str, value: Any, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise MlopsInputError(f"feature gate {column!r}: {name}={value!r} is not a number")
    return float(value)


def _numeric_column(frame: SparkFrame, column: str, purpose: str) -> Column:
    dtype = frame.types[column]
    if isinstance(dtype, T.BooleanType):
        return _q(column).cast("double")
    if is_numeric_type(dtype):
        return _q(column)
    raise MlopsInputError(
        f"{frame.what} column {column!r} is not numeric (dtype {pandas_dtype(dtype)}); {purpose} needs numbers"
    )


_ROW = "__mlops_row"


def _infinite(x: Column) -> Column:
    """``x`` is +inf or -inf (never true of an integer column)."""
    return (x == F.lit(math.inf)) | (x == F.lit(-math.inf))


def _outside(x: Column, lo: float, hi: float) -> Column:
    """Outside [lo, hi]; ±inf is outside any range, also a one-sided one, as on the pandas path."""
    return (x < F.lit(lo)) | (x > F.lit(hi)) | _infinite(x)


def _top(df: DataFrame, limit: int = 3, *, at_least: int = 1) -> list[JSONValue]:
    """The most frequent values ``v`` of ``df`` (ties: first seen first, as pandas ``value_counts``).

    ``df`` has columns ``v`` and ``__mlops_row`` (``monotonically_increasing_id``, which
    follows the order of the rows within and across partitions).
    """
    counted = df.groupBy("v").agg(F.count("*").alias("n"), F.min(_ROW).alias("first"))
    rows = counted.filter(F.col("n") >= at_least).orderBy(F.col("n").desc(), F.col("first")).limit(limit)
    return [to_json(r["v"]) for r in rows.collect()]


def evaluate_expectations(
    frame: SparkFrame, column: str, spec: Mapping[str, Any], reference: Any, what: str
) -> list[Any]:
    """The feature gate's outcomes for one column of a Spark frame (texts as the pandas path).

    One aggregation computes the null count, range violations, min/max, set violations,
    distinct count and exact quantiles (Spark's ``percentile``, linear interpolation as pandas);
    failing checks then sample at most three example values each.
    """
    from pytest_mlops.gates.feature import _EXAMPLES, Outcome, range_outcome
    from pytest_mlops.results import check_bounds

    df, dtype = frame.df, frame.types[column]
    rows = len(frame)
    col = _q(column)
    absent = missing(column, dtype)
    present = df.withColumn(_ROW, F.monotonically_increasing_id()).filter(~absent)
    aggs: dict[str, Column] = {"nulls": F.count_if(absent), "n": F.count_if(~absent)}
    low, high = spec.get("at_least"), spec.get("at_most")
    lo = hi = 0.0
    if low is not None or high is not None:
        lo = _number("at_least", low, column) if low is not None else -math.inf
        hi = _number("at_most", high, column) if high is not None else math.inf
        if lo > hi:
            raise MlopsInputError(f"feature gate {column!r}: at_least={low!r} is above at_most={high!r}")
        x = _numeric_column(frame, column, "a value range")
        outside = ~absent & _outside(x, lo, hi)
        aggs.update(outside=F.count_if(outside), min=F.min(F.when(~absent, x)), max=F.max(F.when(~absent, x)))
        aggs["infinite"] = F.count_if(~absent & _infinite(x))
    allowed_list: list[Any] = []
    if spec.get("allowed") is not None:
        allowed = spec["allowed"]
        if isinstance(allowed, (str, bytes)) or not hasattr(allowed, "__iter__"):
            raise MlopsInputError(f"feature gate {column!r}: allowed= must be a list or set of values, got {allowed!r}")
        allowed_list = list(allowed)
        usable = _literals(allowed_list, dtype)
        not_allowed = ~absent & (~col.isin(usable) if usable else F.lit(True))
        aggs["not_allowed"] = F.count_if(not_allowed)
    clo, chi = spec.get("cardinality_at_least"), spec.get("cardinality_at_most")
    if clo is not None or chi is not None or spec.get("unique"):
        aggs["distinct"] = F.count_distinct(F.when(~absent, col))
    quantiles = spec.get("quantiles")
    levels: list[tuple[Any, float, Any]] = []
    if quantiles is not None:
        if not isinstance(quantiles, Mapping) or not quantiles:
            raise MlopsInputError(
                f"feature gate {column!r}: quantiles= must map a quantile to (low, high), e.g. {{0.5: (10, 20)}}"
            )
        x = _numeric_column(frame, column, "a quantile bound")
        for i, (q, bounds) in enumerate(quantiles.items()):
            qf = _number("quantile", q, column)
            if not 0 <= qf <= 1:
                raise MlopsInputError(f"feature gate {column!r}: quantile {q!r} is outside [0, 1]")
            if not isinstance(bounds, Sequence) or len(bounds) != 2:
                raise MlopsInputError(f"feature gate {column!r}: quantile {q!r} needs (low, high), got {bounds!r}")
            levels.append((q, qf, bounds))
            aggs[f"q{i}"] = F.percentile(F.when(~absent, x.cast("double")), F.lit(qf))
    stats = df.agg(*[expr.alias(key) for key, expr in aggs.items()]).first()
    assert stats is not None
    nulls, n = int(stats["nulls"]), int(stats["n"])
    out: list[Outcome] = []

    if spec.get("null_rate_at_most") is not None:
        bound = _number("null_rate_at_most", spec["null_rate_at_most"], column)
        rate = nulls / rows
        ok = rate <= bound
        op = "<=" if ok else ">"
        text = f"null rate {fmt(rate)} {op} {fmt(bound)} ({nulls} of {rows} rows)"
        out.append(Outcome(column, "null_rate", ok, rate, {"at_most": bound}, text, nulls))

    if low is not None or high is not None:
        count = int(stats["outside"])
        x = _numeric_column(frame, column, "a value range")
        examples: list[JSONValue] = []
        if count:
            worst = (
                present.select(x.alias("v"), _ROW)
                .filter(_outside(F.col("v"), lo, hi))
                .groupBy("v")
                .agg(F.min(_ROW).alias("first"))
                .orderBy(distance_of(F.col("v"), lo, hi).desc(), F.col("first"))
                .limit(_EXAMPLES)
            )
            examples = [to_json(r[0]) for r in worst.collect()]
        given_lo, given_hi = (lo if low is not None else None), (hi if high is not None else None)
        minimum, maximum = (float(stats["min"]), float(stats["max"])) if count else (0.0, 0.0)
        infinite = int(stats["infinite"]) > 0
        out.append(range_outcome(column, given_lo, given_hi, count, n, examples, minimum, maximum, infinite=infinite))

    if spec.get("allowed") is not None:
        count = int(stats["not_allowed"])
        usable = _literals(allowed_list, dtype)
        bad = present.select(col.alias("v"), _ROW)
        if usable:
            bad = bad.filter(~F.col("v").isin(usable))
        examples = _top(bad) if count else []
        text = (
            f"{count} value{'' if count == 1 else 's'} not in the allowed set, e.g. {', '.join(map(_show, examples))}"
            if count
            else f"all {n} values in the allowed set"
        )
        out.append(
            Outcome(column, "allowed", count == 0, count, {"allowed": to_json(allowed_list)}, text, count, examples)
        )

    if spec.get("unseen_share_at_most") is not None:
        bound = _number("unseen_share_at_most", spec["unseen_share_at_most"], column)
        if reference is None:
            raise MlopsInputError(
                f"feature gate {column!r}: unseen_share_at_most needs reference data; pass reference=DATA"
            )
        unseen = _unseen(frame, column, reference)
        agg = unseen.agg(F.count("*").alias("n"), F.count_distinct("v").alias("d")).first()
        assert agg is not None
        count, n_categories = int(agg["n"]), int(agg["d"])
        share = count / rows
        categories = _top(unseen) if count else []
        ok = share <= bound
        text = (
            f"{n_categories} unseen categories in {count} rows (share {fmt(share)} {'<=' if ok else '>'} "
            f"{fmt(bound)})" + (f", e.g. {', '.join(map(_show, categories))}" if categories else "")
        )
        out.append(Outcome(column, "unseen_categories", ok, share, {"at_most": bound}, text, count, categories))

    if spec.get("unique"):
        count = n - int(stats["distinct"])
        examples = []
        if count:
            examples = _top(present.select(col.alias("v"), _ROW), at_least=2)
        text = (
            f"{count} duplicated value{'' if count == 1 else 's'}, e.g. {', '.join(map(_show, examples))}"
            if count
            else f"all {n} values unique"
        )
        out.append(Outcome(column, "unique", count == 0, count, {"at_most": 0}, text, count, examples))

    if clo is not None or chi is not None:
        distinct = int(stats["distinct"])
        lo_c = _number("cardinality_at_least", clo, column) if clo is not None else None
        hi_c = _number("cardinality_at_most", chi, column) if chi is not None else None
        try:
            ok, summary = check_bounds(distinct, at_least=lo_c, at_most=hi_c)
        except ValueError as exc:
            raise MlopsInputError(f"feature gate {column!r}: {exc}") from None
        bound_c = {k: v for k, v in (("at_least", lo_c), ("at_most", hi_c)) if v is not None}
        out.append(Outcome(column, "cardinality", ok, distinct, dict(bound_c), f"cardinality {summary}"))

    if levels:
        if n == 0:
            raise MlopsInputError(f"{what} column {column!r} has only nulls; a quantile bound needs values")
        for i, (q, qf, bounds) in enumerate(levels):
            qlo = None if bounds[0] is None else _number("quantile low", bounds[0], column)
            qhi = None if bounds[1] is None else _number("quantile high", bounds[1], column)
            value = float(stats[f"q{i}"])
            try:
                ok, summary = check_bounds(value, at_least=qlo, at_most=qhi)
            except ValueError as exc:
                raise MlopsInputError(f"feature gate {column!r}: quantile {q!r}: {exc}") from None
            bound_q = {k: v for k, v in (("at_least", qlo), ("at_most", qhi)) if v is not None}
            out.append(
                Outcome(column, f"quantile({fmt(qf)})", ok, value, dict(bound_q), f"quantile {fmt(qf)} = {summary}")
            )
    return out


def distance_of(x: Column, lo: float, hi: float) -> Column:
    """How far ``x`` lies beyond the nearer bound (positive outside ``[lo, hi]``; ±inf is infinitely far)."""
    return F.when(_infinite(x), F.lit(math.inf)).otherwise(F.greatest(F.lit(lo) - x, x - F.lit(hi)))


def _unseen(frame: SparkFrame, column: str, reference: Any) -> DataFrame:
    """The current rows (one column ``v``) whose value never occurs in the reference (nulls left out)."""
    indexed = frame.df.withColumn(_ROW, F.monotonically_increasing_id())
    current = indexed.filter(~missing(column, frame.types[column])).select(_q(column).alias("v"), _ROW)
    if isinstance(reference, SparkFrame):
        ref_type = reference.types[column]
        seen = reference.df.filter(~missing(column, ref_type)).select(_q(column).alias("v")).distinct()
        return current.join(seen, on="v", how="left_anti")
    values = reference[column].dropna().unique().tolist()
    usable = _literals(values, frame.types[column])
    return current.filter(~F.col("v").isin(usable)) if usable else current
