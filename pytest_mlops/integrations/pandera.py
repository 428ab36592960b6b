"""pandera adapter: schema files, environments, lazy validation, failure summaries, inference.

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
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.errors
import yaml

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import JSONValue, fmt, to_json

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
]

ENVIRONMENTS_KEY = "environments"
_ENV_KEYS = ("absent", "optional")
_EXCEPTION_CASE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception)\(")
_STRUCTURAL = ("column_in_dataframe", "column_in_schema", "absent_in_environment")


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
            return f"{where}: {check} could not run: {first}"
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
    :class:`~pytest_mlops.errors.MlopsInputError`.
    """
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


def infer_schema(frame: Any) -> Any:
    """Infer a pandera schema from reference data (pandas or polars), without the index."""
    if type(frame).__module__.startswith("polars"):
        from pandera.schema_inference.polars import infer_schema as infer_polars

        return infer_polars(frame)
    from pandera.schema_inference.pandas import infer_schema as infer_pandas

    schema = infer_pandas(frame)
    schema = copy.deepcopy(schema)
    schema.index = None  # row labels of a data file carry no meaning; do not pin them
    return schema


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
