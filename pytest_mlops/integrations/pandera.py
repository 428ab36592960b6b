"""pandera adapter: schema files, environments, lazy validation, failure summaries, inference.

Long because: the one pandera adapter (STYLE: one module per outside system): schema files,
environments, validation, inference and the fast path all follow pandera's schema objects.

This module imports pandas and pandera at top; light modules import it inside functions.

A schema file is pandera's own YAML or JSON serialization (``pandera.io``), optionally
with one extra top-level key that pandera does not know, ``environments``::

    schema_type: dataframe
    api: pandas
    columns:
      amount: {dtype: float64, greater_than_or_equal_to: 0}
      churned: {dtype: int64}
    environments:          # pytest-mlops: one schema, several expectations (as TFDV)
      training: {}
      serving:
        absent: [churned]  # the label must not reach the serving data
        optional: []       # columns that may be missing in this environment

Without an environment every column of the schema is checked as pandera would.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations import quiet_pyspark_pandas
from pytest_mlops.results import JSONValue, fmt, to_json

quiet_pyspark_pandas()  # with pyspark on pandas 3, pandera's import of pyspark.pandas would warn
import pandera.errors  # noqa: E402

__all__ = [
    "Failure",
    "LoadedSchema",
    "apply_environment",
    "as_schema",
    "dump_schema",
    "infer_schema",
    "load_schema",
    "summarise",
    "validate",
    "validate_with_pandera",
]

ENVIRONMENTS_KEY = "environments"
_ENV_KEYS = ("absent", "optional")
_EXCEPTION_CASE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\(")
_STRUCTURAL = ("column_in_dataframe", "column_in_schema", "absent_in_environment")

#: Top-level keys of pandera's serialized DataFrameSchema (pandas and polars APIs), plus ours.
SCHEMA_KEYS = frozenset(
    {
        "schema_type",
        "version",
        "api",
        "dataframe_library",
        "columns",
        "checks",
        "index",
        "multiindex",
        "dtype",
        "coerce",
        "strict",
        "name",
        "ordered",
        "unique",
        "report_duplicates",
        "unique_column_names",
        "add_missing_columns",
        "title",
        "description",
        "metadata",
        "drop_invalid_rows",
        ENVIRONMENTS_KEY,
    }
)
#: Keys of a serialized column (or index component) that are not check names.
COLUMN_KEYS = frozenset(
    {
        "title",
        "description",
        "dtype",
        "nullable",
        "checks",
        "name",
        "unique",
        "coerce",
        "required",
        "regex",
        "default",
        "report_duplicates",
        "drop_invalid_rows",
        "metadata",
    }
)
#: Callables on ``pandera.Check`` that are not checks a schema file can name.
_NOT_CHECKS = frozenset(
    {
        "from_builtin_check_name",
        "get_backend",
        "get_builtin_check_fn",
        "is_builtin_check",
        "register_backend",
        "register_builtin_check_fn",
    }
)


@dataclass(frozen=True)
class Failure:
    """One failing (column, check) pair with its count and a few examples."""

    column: str | None
    check: str
    count: int
    examples: list[JSONValue] = field(default_factory=list)
    rows: list[JSONValue] = field(default_factory=list)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "column": self.column,
            "check": self.check,
            "count": self.count,
            "examples": list(self.examples),
            "rows": list(self.rows),
        }

    def line(self) -> str:
        where = f"column {self.column!r}" if self.column is not None else "dataframe"
        check = self.check
        if check == "column_in_dataframe":
            return f"{where}: missing from the data (column_in_dataframe)"
        if check == "column_in_schema":
            return f"{where}: not in the schema, which is strict (column_in_schema)"
        if check.startswith("absent_in_environment"):
            return f"{where}: present, but must be absent here ({check})"
        if check.startswith("dtype(") and not self.rows and len(self.examples) == 1:
            return f"{where}: expected {check}, found {self.examples[0]}"
        first = self.examples[0] if self.examples else None
        if not self.rows and isinstance(first, str) and _EXCEPTION_CASE.match(first):
            return f"{where}: {check} could not run: {_exception_reason(first)}"
        noun = "value" if self.count == 1 else "values"
        text = f"{where}: {check} failed for {self.count} {noun}"
        if self.examples:
            text += ", e.g. " + ", ".join(_show(v) for v in self.examples)
        if self.rows:
            text += f" ({'row' if len(self.rows) == 1 else 'rows'} {', '.join(_show(r) for r in self.rows)})"
        return text

    @property
    def rank(self) -> int:
        """Sort order, worst first: missing/extra columns, then dtypes, then value checks."""
        if self.check.startswith(_STRUCTURAL):
            return 0
        if self.check.startswith(("dtype(", "coerce_dtype(")):
            return 1
        return 2


_MIXED = re.compile(r"not supported between instances of '(\w+)' and '(\w+)'")


def _exception_reason(case: str) -> str:
    """Say in plain words why pandera could not run a check (it reports the exception's repr)."""
    mixed = _MIXED.search(case)
    if mixed:
        kinds = " and ".join(sorted({mixed.group(1), mixed.group(2)}))
        return (
            f"the column holds values of mixed types ({kinds}); give it one dtype "
            "(a 'dtype:' in the schema reports such values as dtype failures)"
        )
    kind = case.split("(", 1)[0].rsplit(".", 1)[-1]
    return f"the check raised {kind} on this column's values; check the column's dtype and the check's arguments"


def _show(value: JSONValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value if value in ("nan", "inf", "-inf") else repr(value)
    return fmt(value)


@dataclass(frozen=True)
class LoadedSchema:
    """A pandera schema plus the pytest-mlops ``environments`` section of its file."""

    schema: Any
    environments: Mapping[str, Mapping[str, list[str]]]
    source: str
    backend: str  # "pandas" or "polars"

    @property
    def name(self) -> str:
        given = getattr(self.schema, "name", None)
        if given:
            return str(given)
        return Path(self.source).stem if self.source.endswith((".yaml", ".yml", ".json")) else "schema"


def _backend_of(schema: Any) -> str:
    module = type(schema).__module__
    if module.startswith("pandera.api.polars"):
        return "polars"
    if module.startswith("pandera.api.pandas"):
        return "pandas"
    raise MlopsInputError(
        f"schema: {type(schema).__name__} from {module} is not supported; "
        "use a pandera pandas or polars DataFrameSchema / DataFrameModel"
    )


def _check_environments(raw: Any, source: str) -> dict[str, dict[str, list[str]]]:
    if raw is None:
        return {}
    usage = "write environments: {NAME: {absent: [COLUMN, ...], optional: [COLUMN, ...]}}"
    if not isinstance(raw, Mapping):
        raise MlopsInputError(f"schema {source}: 'environments' must be a mapping, got {raw!r}; {usage}")
    out: dict[str, dict[str, list[str]]] = {}
    for env, spec in raw.items():
        spec = spec or {}
        if not isinstance(spec, Mapping):
            raise MlopsInputError(f"schema {source}: environment {env!r} must be a mapping, got {spec!r}; {usage}")
        unknown = sorted(set(map(str, spec)) - set(_ENV_KEYS))
        if unknown:
            raise MlopsInputError(f"schema {source}: environment {env!r} has unknown key {unknown[0]!r}; {usage}")
        entry: dict[str, list[str]] = {}
        for key in _ENV_KEYS:
            cols = spec.get(key) or []
            if isinstance(cols, str) or not isinstance(cols, Sequence):
                raise MlopsInputError(f"schema {source}: environments.{env}.{key} must be a list of columns; {usage}")
            entry[key] = [str(c) for c in cols]
        out[str(env)] = entry
    return out


def load_schema(path: str | Path) -> LoadedSchema:
    """Read a pandera YAML/JSON schema file (pandas or polars API) and its environments."""
    from pytest_mlops._io import resolve_path, where_relative

    p = resolve_path(path)
    where = repr(str(p))
    if not p.exists():
        raise MlopsInputError(
            f"schema file {where} does not exist{where_relative(path)}; "
            f"write one with 'pytest-mlops schema infer DATA -o {p.name}'"
        )
    if p.is_dir():
        raise MlopsInputError(f"schema file {where} is a directory; give a .yaml or .json schema file")
    suffix = p.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json"):
        raise MlopsInputError(f"schema file {where}: unsupported extension {suffix!r}; use .yaml, .yml or .json")
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MlopsInputError(f"schema file {where} cannot be read: {exc}") from None
    try:
        raw = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise MlopsInputError(f"schema file {where} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise MlopsInputError(f"schema file {where} is not valid YAML: {problem}{at}") from None
    if not isinstance(raw, Mapping):
        raise MlopsInputError(
            f"schema file {where} must hold a mapping with 'columns:' (pandera's format), got {type(raw).__name__}"
        )
    body = dict(raw)
    _check_keys(body, where)
    environments = _check_environments(body.pop(ENVIRONMENTS_KEY, None), where)
    api = str(body.get("api") or ("polars" if str(body.get("schema_type", "")).startswith("polars") else "pandas"))
    if not isinstance(body.get("columns"), Mapping) or not body.get("columns"):
        raise MlopsInputError(
            f"schema file {where} has no 'columns:' mapping; write one with 'pytest-mlops schema infer'"
        )
    try:
        if api == "polars":
            from pandera.io import polars_io

            schema = polars_io.deserialize_schema(body)  # type: ignore[no-untyped-call]
        elif api == "pandas":
            from pandera.io import pandas_io

            schema = pandas_io.deserialize_schema(body)  # type: ignore[no-untyped-call]
        else:
            raise MlopsInputError(f"schema file {where}: api {api!r} is not supported; use 'pandas' or 'polars'")
    except MlopsInputError:
        raise
    except Exception as exc:
        detail = " ".join(str(exc).split())[:200]
        raise MlopsInputError(
            f"schema file {where} is not a valid pandera schema: {type(exc).__name__}: {detail}"
        ) from None
    _check_environment_columns(schema, environments, where)
    return LoadedSchema(schema, environments, str(p), api)


def check_names() -> list[str]:
    """The check names a schema file may use: pandera's built-in and registered checks."""
    from pandera.api.checks import Check

    names = {n for n in dir(Check) if not n.startswith("_") and n not in _NOT_CHECKS and callable(getattr(Check, n))}
    names.update(getattr(Check, "REGISTERED_CUSTOM_CHECKS", {}) or {})
    return sorted(names)


def _did_you_mean(key: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_keys(body: Mapping[str, Any], where: str) -> None:
    """Reject keys pandera would silently ignore: a misspelt key must not drop a constraint."""
    for key in body:
        if str(key) not in SCHEMA_KEYS:
            raise MlopsInputError(
                f"schema file {where}: unknown top-level key {str(key)!r}"
                f"{_did_you_mean(str(key), sorted(SCHEMA_KEYS))} (valid keys: {', '.join(sorted(SCHEMA_KEYS))})"
            )
    checks = check_names()
    columns = body.get("columns")
    if isinstance(columns, Mapping):
        items = [(str(name), spec) for name, spec in columns.items()]
    elif isinstance(columns, list):
        items = [(str(spec.get("name")) if isinstance(spec, Mapping) else "?", spec) for spec in columns]
    else:
        items = []
    for name, spec in items:
        if spec is None:
            continue
        if not isinstance(spec, Mapping):
            raise MlopsInputError(
                f"schema file {where}: column {name!r} must be a mapping such as "
                f"{{dtype: float64, nullable: false}}, got {spec!r}"
            )
        for key in spec:
            k = str(key)
            if k in COLUMN_KEYS or k in checks:
                continue
            raise MlopsInputError(
                f"schema file {where}: column {name!r} has unknown key {k!r}"
                f"{_did_you_mean(k, sorted(COLUMN_KEYS | set(checks)))}; a column takes "
                f"{', '.join(sorted(COLUMN_KEYS - {'checks'}))}, 'checks:' or a check name"
            )
        _check_check_names(spec.get("checks"), f"column {name!r}", where, checks)
    _check_check_names(body.get("checks"), "dataframe checks", where, checks)


def _check_check_names(raw: Any, owner: str, where: str, checks: Sequence[str]) -> None:
    if raw is None:
        return
    if isinstance(raw, Mapping):
        names = [str(k) for k in raw]
    elif isinstance(raw, list):
        names = []
        for entry in raw:
            options = entry.get("options") if isinstance(entry, Mapping) else None
            name = options.get("check_name") if isinstance(options, Mapping) else None
            if name is None:
                raise MlopsInputError(
                    f"schema file {where}: {owner}: each entry of 'checks:' needs options.check_name, "
                    f"got {entry!r}; or write checks as a mapping {{greater_than_or_equal_to: 0}}"
                )
            names.append(str(name))
    else:
        raise MlopsInputError(
            f"schema file {where}: {owner}: 'checks:' must be a mapping such as {{in_range: {{min_value: 0, "
            f"max_value: 1}}}}, got {raw!r}"
        )
    for name in names:
        if name not in checks:
            raise MlopsInputError(f"schema file {where}: {owner}: unknown check {name!r}{_did_you_mean(name, checks)}")


def _check_environment_columns(schema: Any, environments: Mapping[str, Mapping[str, list[str]]], where: str) -> None:
    known = set(map(str, schema.columns))
    for env, spec in environments.items():
        for key in ("optional",):
            unknown = [c for c in spec.get(key, []) if c not in known]
            if unknown:
                raise MlopsInputError(
                    f"schema {where}: environments.{env}.{key} names {unknown[0]!r}, which is not a schema column"
                )


def as_schema(obj: Any, environments: Mapping[str, Any] | None = None) -> LoadedSchema:
    """Accept a DataFrameSchema, a DataFrameModel class, a LoadedSchema or a schema file path."""
    if isinstance(obj, LoadedSchema):
        loaded = obj
    elif isinstance(obj, (str, Path)):
        loaded = load_schema(obj)
    elif isinstance(obj, type) and hasattr(obj, "to_schema"):
        try:
            schema = obj.to_schema()
        except Exception as exc:
            raise MlopsInputError(f"schema: {obj.__name__}.to_schema() failed: {type(exc).__name__}: {exc}") from None
        loaded = LoadedSchema(schema, {}, obj.__name__, _backend_of(schema))
    elif hasattr(obj, "validate") and hasattr(obj, "columns"):
        loaded = LoadedSchema(obj, {}, "schema", _backend_of(obj))
    else:
        raise MlopsInputError(
            f"schema: expected a pandera DataFrameSchema, a DataFrameModel class or a schema file path, "
            f"got {type(obj).__name__}"
        )
    if environments is not None:
        merged = dict(loaded.environments)
        merged.update(_check_environments(environments, "argument"))
        loaded = LoadedSchema(loaded.schema, merged, loaded.source, loaded.backend)
    return loaded


def apply_environment(loaded: LoadedSchema, environment: str | None) -> tuple[Any, list[str]]:
    """The schema to validate in ``environment`` and the columns that must be absent there."""
    if environment is None:
        return loaded.schema, []
    spec = loaded.environments.get(environment)
    if spec is None:
        names = ", ".join(map(repr, loaded.environments)) or "none defined"
        raise MlopsInputError(
            f"schema {loaded.name!r}: unknown environment {environment!r}; environments: {names} "
            "(define them under 'environments:' in the schema file or pass environments=)"
        )
    schema = loaded.schema
    absent = list(spec.get("absent", []))
    optional = [c for c in spec.get("optional", []) if c not in absent]
    present = set(map(str, schema.columns))
    if absent:
        schema = schema.remove_columns([c for c in absent if c in present])
    if optional:
        schema = schema.update_columns({c: {"required": False} for c in optional})
    return schema, absent


def summarise(failure_cases: Any, *, max_examples: int = 3) -> list[Failure]:
    """Group pandera's failure-case table by (column, check): counts and a few examples.

    Works on the pandas or polars table of ``SchemaErrors.failure_cases``, in one grouped
    pass, so a million failing rows cost no more than pandera's own table.
    """
    if not isinstance(failure_cases, pd.DataFrame):
        failure_cases = (
            failure_cases.to_pandas() if hasattr(failure_cases, "to_pandas") else pd.DataFrame(failure_cases)
        )
    table = failure_cases.copy()
    table["column"] = table["column"].astype(object)
    # For a missing or unexpected column pandera puts the column name in failure_case (and the
    # schema's name, if any, in column).
    schema_level = table["check"].isin(["column_in_dataframe", "column_in_schema"])
    table.loc[schema_level, "column"] = table.loc[schema_level, "failure_case"].astype(str)
    table["column"] = table["column"].map(
        lambda c: None if c is None or (isinstance(c, float) and math.isnan(c)) else str(c)
    )
    table["_key"] = table["column"].fillna("\0") + "\x1f" + table["check"].astype(str)
    failures: list[Failure] = []
    counts = table["_key"].value_counts(sort=False)
    heads = table.groupby("_key", sort=False, dropna=False).head(max_examples)
    for key, group in heads.groupby("_key", sort=False):
        first = group.iloc[0]
        column = first["column"]
        check = str(first["check"])
        if check in ("column_in_dataframe", "column_in_schema", "not_nullable"):
            examples: list[JSONValue] = []
        else:
            examples = [to_json(v) for v in group["failure_case"].tolist()]
        rows = [to_json(v) for v in group["index"].tolist() if v is not None and not _is_nan(v)]
        failures.append(Failure(column, check, int(counts[key]), examples, rows))
    failures.sort(key=lambda f: (f.rank, -f.count))
    return failures


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def validate(frame: Any, schema: Any, *, max_examples: int = 3) -> list[Failure]:
    """Validate lazily; return the summarised failures (empty when the frame conforms).

    Errors that are not data failures (wrong backend, a check that cannot be built) raise
    :class:`~pytest_mlops.errors.MlopsInputError`. A pandas frame that provably conforms to a
    schema of dtypes, nullability, uniqueness and built-in range/set checks is passed by a
    vectorised fast path (see ``_conforms``); everything else, and every failure, is pandera's.
    """
    if _conforms(frame, schema):
        return []
    return validate_with_pandera(frame, schema, max_examples=max_examples)


def validate_with_pandera(frame: Any, schema: Any, *, max_examples: int = 3) -> list[Failure]:
    """:func:`validate` without the fast path: pandera always runs (the reference behaviour)."""
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return summarise(exc.failure_cases, max_examples=max_examples)
    except pandera.errors.SchemaError as exc:  # raised even with lazy=True for a few early checks
        fc = getattr(exc, "failure_cases", None)
        column = getattr(getattr(exc, "schema", None), "name", None)
        check = str(getattr(exc, "check", None) or getattr(exc, "reason_code", "schema"))
        examples = [to_json(v) for v in (fc["failure_case"].tolist()[:max_examples] if fc is not None else [])]
        return [Failure(str(column) if column else None, check, len(fc) if fc is not None else 1, examples)]
    except pandera.errors.BackendNotFoundError:
        raise MlopsInputError(
            f"data is a {type(frame).__module__.split('.')[0]} {type(frame).__name__} but the schema is a "
            f"{_backend_of(schema)} schema; pass matching data or a schema for that library"
        ) from None
    except (pandera.errors.SchemaDefinitionError, pandera.errors.SchemaInitError) as exc:
        raise MlopsInputError(f"schema is not usable: {' '.join(str(exc).split())[:200]}") from None
    return []


#: ``schema infer`` adds ``isin`` to a text or categorical column with at most this many
#: distinct values (and at most one distinct value per two non-null rows).
ISIN_MAX_LEVELS = 20


def infer_schema(frame: Any, *, coerce: bool = False, isin_max_levels: int = ISIN_MAX_LEVELS) -> Any:
    """Infer a pandera schema from reference data (pandas or polars), without the index.

    On top of pandera's inference (dtypes, nullability, min/max ranges):

    * no coercion unless ``coerce=True``: pandera's inferred schemas coerce every column, so a
      float column stored as strings would pass; ours check the dtype as it is;
    * ``isin`` for text and categorical columns with at most ``isin_max_levels`` distinct values
      (and no more than one distinct value per two non-null rows, so an id column is not frozen);
    * integer columns get integer bounds (pandera writes ``1.0``/``344.0``).
    """
    if type(frame).__module__.startswith("polars"):
        from pandera.schema_inference.polars import infer_schema as infer_polars

        schema = infer_polars(frame)
        levels = {str(c): _levels(frame.get_column(c).to_pandas(), isin_max_levels) for c in frame.columns}
    else:
        from pandera.schema_inference.pandas import infer_schema as infer_pandas

        schema = copy.deepcopy(infer_pandas(frame))
        schema.index = None  # row labels of a data file carry no meaning; do not pin them
        levels = {str(c): _levels(frame[c], isin_max_levels) for c in frame.columns}
    schema.coerce = coerce
    updates: dict[Any, dict[str, Any]] = {}
    for name, column in schema.columns.items():
        change: dict[str, Any] = {"coerce": coerce}
        checks = [_integral_check(check, column.dtype) for check in column.checks or []]
        found = levels.get(str(name))
        if found is not None and not any(c.name == "isin" for c in checks):
            from pandera.api.checks import Check

            checks.append(Check.isin(found))
        change["checks"] = checks
        updates[name] = change
    return schema.update_columns(updates)


def _levels(series: pd.Series, max_levels: int) -> list[JSONValue] | None:
    """The sorted distinct values of a low-cardinality text or categorical column, else None."""
    if max_levels <= 0:
        return None
    dtype = series.dtype
    text_like = (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_string_dtype(dtype)
        or (dtype is np.dtype(object) and all(isinstance(v, str) for v in series.dropna().tolist()))
    )
    if not text_like or pd.api.types.is_bool_dtype(dtype):
        return None
    values = series.dropna()
    distinct = values.unique()
    if len(distinct) == 0 or len(distinct) > max_levels or 2 * len(distinct) > len(values):
        return None
    return sorted(to_json(v) for v in distinct)  # type: ignore[type-var]


def _integral_check(check: Any, dtype: Any) -> Any:
    """An inferred range check of an integer column, with integer bounds."""
    if "int" not in str(dtype).lower() or not check.statistics:
        return check
    stats = dict(check.statistics)
    if not all(isinstance(v, float) and v.is_integer() for v in stats.values()):
        return check
    from pandera.api.checks import Check

    builder = getattr(Check, str(check.name), None)
    if builder is None:
        return check
    return builder(**{k: int(v) for k, v in stats.items()})


def serialize(schema: Any, environments: Mapping[str, Any] | None = None) -> dict[str, Any]:
    backend = _backend_of(schema)
    if backend == "polars":
        from pandera.io import polars_io

        body: dict[str, Any] = dict(polars_io.serialize_schema(schema))
    else:
        from pandera.io import pandas_io

        body = dict(pandas_io.serialize_schema(schema))
    if environments:
        body[ENVIRONMENTS_KEY] = {k: dict(v) for k, v in environments.items()}
    return body


def dump_schema(schema: Any, *, fmt: str = "yaml", environments: Mapping[str, Any] | None = None) -> str:
    """The schema as YAML or JSON text, pandera's format plus ``environments``."""
    body = serialize(schema, environments)
    if fmt == "json":
        return json.dumps(_finite(body), indent=2) + "\n"
    if fmt != "yaml":
        raise MlopsInputError(f"schema format {fmt!r} is not supported; use 'yaml' or 'json'")
    return str(yaml.safe_dump(_finite(body), sort_keys=False))


def _finite(value: Any) -> Any:
    """Drop range bounds that are not finite (an inferred range over ``inf`` values)."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items() if not (isinstance(v, float) and not math.isfinite(v))}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


# -- the fast path ---------------------------------------------------------------------------
#
# pandera's pandas backend spends ~1 s validating 1M rows x 25 columns, most of it building
# per-check result objects and failure-case tables that a conforming frame never needs. Most
# schemas in CI are made of dtypes, nullability, uniqueness and a few built-in range / set
# checks. For those, ``_conforms`` decides "this frame passes" with vectorised numpy/pandas
# reductions (no per-row Python). It only ever answers True when pandera would pass the frame;
# whenever it is not sure (a check it does not know, coercion, regex columns, dataframe-level
# checks...) or sees a failure, pandera runs as before, so the failure cases a user sees are
# always pandera's own.

_SCHEMA_FLAGS_UNSUPPORTED = ("coerce", "ordered", "add_missing_columns", "drop_invalid_rows")


def _conforms(frame: Any, schema: Any) -> bool:
    """True when ``frame`` provably passes the pandas ``schema``; False means "ask pandera"."""
    from pandera.api.pandas.container import DataFrameSchema

    if type(schema) is not DataFrameSchema or type(frame) is not pd.DataFrame:
        return False
    if any(getattr(schema, flag, False) for flag in _SCHEMA_FLAGS_UNSUPPORTED):
        return False
    if schema.checks or schema.index is not None or schema.dtype is not None or schema.unique:
        return False
    if schema.strict not in (False, True) or getattr(schema, "parsers", None):
        return False
    present = list(frame.columns)
    if len(set(present)) != len(present):
        return False
    if schema.strict is True and not set(present) <= set(schema.columns):
        return False
    for name, column in schema.columns.items():
        if getattr(column, "regex", False) or getattr(column, "coerce", False) or getattr(column, "parsers", None):
            return False
        if name not in frame.columns:
            if column.required:
                return False
            continue
        if not _column_conforms(frame[name], column):
            return False
    return True


def _column_conforms(series: pd.Series, column: Any) -> bool:
    from pandera.engines.pandas_engine import Engine

    if column.dtype is not None:
        try:
            verdict = column.dtype.check(Engine.dtype(series.dtype), series)
        except Exception:
            return False
        if not (verdict if isinstance(verdict, bool) else bool(verdict.all())):
            return False
    if not column.nullable and _has_nulls(series):
        return False
    if column.unique and series.duplicated().any():
        return False
    return all(_check_passes(series, check) for check in column.checks)


def _arrow(series: pd.Series) -> Any:
    """The pyarrow ChunkedArray behind an Arrow-backed column (pandas 3 strings), else None."""
    to_arrow = getattr(series.array, "__arrow_array__", None)
    if to_arrow is None or isinstance(series.dtype, pd.CategoricalDtype):
        return None
    try:
        return to_arrow()
    except Exception:
        return None


def _has_nulls(series: pd.Series) -> bool:
    kind = getattr(series.dtype, "kind", "O")
    if isinstance(series.dtype, np.dtype) and kind in "iub":
        return False
    if isinstance(series.dtype, np.dtype) and kind in "fc":
        return bool(np.isnan(series.to_numpy()).any())
    arrow = _arrow(series)
    if arrow is not None and not pd.api.types.is_float_dtype(series.dtype):
        return bool(arrow.null_count)
    return bool(series.isna().any())


#: Above this many distinct values a set check compares row by row instead of by distinct value.
_DISTINCT_CAP = 10_000


def _distinct(series: pd.Series) -> list[Any] | None:
    """The distinct non-null values of a column, or None when there are too many to list."""
    arrow = _arrow(series)
    if arrow is not None:
        import pyarrow.compute as pc

        uniques = pc.unique(arrow)  # null, if any, is one entry: cheaper than drop_null's copy
        if len(uniques) > _DISTINCT_CAP:
            return None
        return [v for v in uniques.to_pylist() if v is not None]
    uniques_np = pd.unique(series.dropna())
    return list(uniques_np) if len(uniques_np) <= _DISTINCT_CAP else None


_NUMERIC_FAILS = {
    # check name -> how a non-null value fails it (NaN compares False, so NaN never "fails")
    "greater_than_or_equal_to": lambda a, s: a < s["min_value"],
    "greater_than": lambda a, s: a <= s["min_value"],
    "less_than_or_equal_to": lambda a, s: a > s["max_value"],
    "less_than": lambda a, s: a >= s["max_value"],
}


def _check_passes(series: pd.Series, check: Any) -> bool:
    """True when the built-in ``check`` provably passes on every non-null value."""
    if check.groupby is not None or check.element_wise or not check.ignore_na or check.raise_warning:
        return False
    name = str(check.name)
    stats = dict(check.statistics or {})
    if name in _NUMERIC_FAILS or name == "in_range":
        if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            return False
        bounds = [stats.get(k) for k in ("min_value", "max_value") if k in stats]
        if not bounds or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bounds):
            return False
        values = series.to_numpy()
        if values.dtype.kind not in "iuf":
            return False
        with np.errstate(invalid="ignore"):
            if name == "in_range":
                low, high = stats["min_value"], stats["max_value"]
                lower_fails = values < low if stats.get("include_min", True) else values <= low
                upper_fails = values > high if stats.get("include_max", True) else values >= high
                return not bool(lower_fails.any() or upper_fails.any())
            return not bool(_NUMERIC_FAILS[name](values, stats).any())
    if name in ("isin", "notin"):
        listed = stats.get("allowed_values" if name == "isin" else "forbidden_values")
        if listed is None:
            return False
        try:
            listed_set = set(listed)
            distinct = _distinct(series)
            if distinct is not None:
                inside = [v in listed_set for v in distinct]
                return all(inside) if name == "isin" else not any(inside)
            member = series.isin(list(listed)).to_numpy()
        except Exception:  # unhashable values and the like: let pandera decide
            return False
        notna = series.notna().to_numpy()
        failing = ~member if name == "isin" else member
        return not bool((failing & notna).any())
    return False
