"""Declarative gates: parse and validate a ``mlops-gates.yaml`` file.

A gates file lists gates (kind, data paths, thresholds, severity) so a team gets quality gates
with no Python. This module only reads and checks the file (against the tables of
:mod:`pytest_mlops.gatesfile.kinds`); :mod:`pytest_mlops.gatesfile.collect` turns each entry
into a pytest item that runs the normal gate functions. Every problem is a
:class:`GatesFileError` whose message starts with ``<file>:<line>:``, the line of the offending
entry or key.

Example::

    gates:
      - name: orders drift
        kind: drift
        reference: data/train.csv
        current: data/current.csv
        exclude: [order_id]
        max_share: 0.1

Relative paths start at the pytest rootdir (as in Python tests and the ini file), whichever
folder the gates file is in; outside pytest, at the current directory. A data path may be left
out to follow the run's data options (``--mlops-current-data`` ...), or written as
``$mlops_current_data`` (see :data:`DATA_OPTIONS`). Importing this module imports PyYAML only.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gatesfile.kinds import (
    CHOICES,
    COLUMN_KEYS,
    COMMON_KEYS,
    DATA_OPTIONS,
    FOLLOWS,
    KIND_KEYS,
    KINDS,
    PERTURBATION_KINDS,
    REQUIRED,
    SEVERITIES,
)

__all__ = ["GateSpec", "GatesFileError", "load_gates_file", "parse_gates"]

_EXAMPLE = (
    "gates:\n  - name: orders drift\n    kind: drift\n    reference: data/train.csv\n    current: data/current.csv"
)


class GatesFileError(MlopsInputError):
    """A gates file that cannot be used; the message starts with ``<file>:<line>:``."""


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers its line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` whose mappings are :class:`_Map` (line numbers kept); duplicate keys are errors."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    result = _Map()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, f"a mapping key must be a plain value, got {key!r}", key_node.start_mark
            ) from None
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {result.key_lines[key]})", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


class _Seq(list[Any]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    item_lines: list[int]


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> _Seq:
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


@dataclass(frozen=True)
class GateSpec:
    """One validated entry of a gates file."""

    name: str
    kind: str
    #: 1-based line of the entry in the gates file
    line: int
    #: the gates file
    source: Path
    severity: str | None = None
    #: kind-specific options; paths are absolute :class:`~pathlib.Path` objects
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.source.parent


def _did_you_mean(word: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class _Context:
    def __init__(self, display: str, base: Path, data: Mapping[str, Path | None]) -> None:
        self.display = display
        self.base = base
        self.data = data

    def option_flag(self, option: str) -> str:
        return f"--{option.replace('_', '-')} / {option}"

    def error(self, line: int, message: str) -> GatesFileError:
        return GatesFileError(f"{self.display}:{line}: {message}")


def _line_of(mapping: Any, key: Any, default: int) -> int:
    lines = getattr(mapping, "key_lines", None)
    if isinstance(lines, dict) and key in lines:
        return int(lines[key])
    return int(getattr(mapping, "line", default) or default)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)


def _convert(ctx: _Context, gate: str, key: str, value: Any, kind: str, line: int) -> Any:
    """Check one value against its type and convert it (paths become absolute)."""
    where = f"{key!r} in gate {gate!r}"
    if kind in ("path", "baseline"):
        if not isinstance(value, str) or not value.strip():
            raise ctx.error(line, f"{where} must be a file path, got {value!r}")
        if kind == "path" and value.startswith("$"):
            option = value[1:]
            if option not in DATA_OPTIONS:
                raise ctx.error(
                    line,
                    f"{where}: {value!r} names no data option{_did_you_mean(option, DATA_OPTIONS)}; "
                    f"use {', '.join('$' + o for o in DATA_OPTIONS)}",
                )
            given = ctx.data.get(option)
            if given is None:
                raise ctx.error(line, f"{where} is {value}, but {ctx.option_flag(option)} is not set")
            path = Path(given)
            if not path.exists():
                raise ctx.error(line, f"{where}: {value} is {str(path)!r}, which does not exist")
            return path
        path = Path(value).expanduser()
        path = path if path.is_absolute() else (ctx.base / path).resolve()
        if kind == "path" and not path.exists():
            raise ctx.error(
                line,
                f"{where}: file {value!r} does not exist (looked for {str(path)!r}; "
                "relative paths start at the rootdir)",
            )
        return path
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise ctx.error(line, f"{where} must be a non-empty string, got {value!r}")
        return value
    if kind == "scalar":
        if not isinstance(value, (str, int, float, bool)):
            raise ctx.error(line, f"{where} must be a single value, got {value!r}")
        return value
    if kind in ("number", "nonneg", "share"):
        if not _is_number(value):
            raise ctx.error(line, f"{where} must be a number, got {value!r}")
        if kind == "nonneg" and value < 0:
            raise ctx.error(line, f"{where} must be at least 0, got {value!r}")
        if kind == "share" and not 0 <= value <= 1:
            raise ctx.error(line, f"{where} must be a number in [0, 1], got {value!r}")
        return float(value)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ctx.error(line, f"{where} must be a non-negative integer, got {value!r}")
        return value
    if kind == "strlist":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            raise ctx.error(line, f"{where} must be a list of column names, e.g. [id, created_at], got {value!r}")
        return tuple(value)
    if kind in ("strmap", "numbermap"):
        if not isinstance(value, dict) or not value:
            raise ctx.error(line, f"{where} must map column names to values, got {value!r}")
        for col, item in value.items():
            ok = _is_number(item) if kind == "numbermap" else isinstance(item, str) and bool(item)
            if not isinstance(col, str) or not ok:
                expected = "a number" if kind == "numbermap" else "a method name"
                raise ctx.error(_line_of(value, col, line), f"{where}: {col!r} must map to {expected}, got {item!r}")
        return {str(k): (float(v) if kind == "numbermap" else v) for k, v in value.items()}
    if kind == "mapping":
        if not isinstance(value, dict) or not value:
            raise ctx.error(
                line, f"{where} must be a mapping, e.g. {{kind: noise, column: age, std: 0.5, seed: 1}}, got {value!r}"
            )
        return dict(value)
    if kind == "columns":
        return _columns(ctx, gate, value, line)
    raise AssertionError(f"unknown value type {kind!r}")  # pragma: no cover - table is fixed


def _columns(ctx: _Context, gate: str, value: Any, line: int) -> dict[str, dict[str, Any]]:
    example = "columns: {amount: {null_rate_at_most: 0.01, at_least: 0}}"
    if not isinstance(value, dict) or not value:
        raise ctx.error(line, f"'columns' in gate {gate!r} must map column names to expectations, e.g. {example}")
    columns: dict[str, dict[str, Any]] = {}
    for column, spec in value.items():
        col_line = _line_of(value, column, line)
        if not isinstance(spec, dict) or not spec:
            raise ctx.error(col_line, f"column {column!r} in gate {gate!r} needs expectations, e.g. {example}")
        for key in spec:
            if key not in COLUMN_KEYS:
                raise ctx.error(
                    _line_of(spec, key, col_line),
                    f"unknown expectation {key!r} for column {column!r} in gate {gate!r}"
                    f"{_did_you_mean(str(key), COLUMN_KEYS)}; use: {', '.join(COLUMN_KEYS)}",
                )
        converted = dict(spec)
        quantiles = converted.get("quantiles")
        if quantiles is not None:
            if not isinstance(quantiles, dict) or not all(
                _is_number(q) and isinstance(b, list) and len(b) == 2 for q, b in quantiles.items()
            ):
                raise ctx.error(
                    _line_of(spec, "quantiles", col_line),
                    f"'quantiles' of column {column!r} in gate {gate!r} must map a quantile to [low, high], "
                    "e.g. {0.5: [20, 60]}",
                )
            converted["quantiles"] = {float(q): (b[0], b[1]) for q, b in quantiles.items()}
        columns[str(column)] = converted
    return columns


def _check_choices(ctx: _Context, kind: str, name: str, opts: dict[str, Any], line: int) -> None:
    for key, words in CHOICES.get(kind, {}).items():
        if key in opts and opts[key] not in words:
            listed = ", ".join(repr(w) for w in words[:-1]) + f" or {words[-1]!r}"
            raise ctx.error(line, f"gate {name!r}: {key}={opts[key]!r}; use {listed}")


def _check_entry(ctx: _Context, kind: str, name: str, opts: dict[str, Any], line: int) -> None:
    """Rules that involve more than one key."""
    where = f"gate {name!r}"
    _check_choices(ctx, kind, name, opts, line)
    if kind == "drift":
        if "reference" not in opts and "baseline" not in opts:
            raise ctx.error(
                line, f"{where} needs 'reference' (data or saved statistics; or --mlops-reference-data) or 'baseline'"
            )
        ref = opts.get("reference")
        if "baseline" in opts and (ref is None or str(ref).lower().endswith(".json")):
            raise ctx.error(
                line,
                f"{where}: a drift 'baseline' (statistics file) is regenerated from 'reference', "
                "so 'reference' must be the reference data (CSV or Parquet)",
            )
        if "baseline" in opts and not str(opts["baseline"]).lower().endswith(".json"):
            raise ctx.error(line, f"{where}: 'baseline' must be a .json statistics file")
    if kind in ("model", "custom"):
        has_baseline = "baseline" in opts
        has_bounds = any(k in opts for k in ("at_least", "at_most"))
        champion = "compare_to" in opts
        if not (has_baseline or has_bounds or champion):
            extra = ", 'compare_to'" if kind == "model" else ""
            raise ctx.error(line, f"{where} needs a bound: 'at_least' and/or 'at_most', 'baseline'{extra}")
        drops = [k for k in ("max_drop", "max_relative_drop", "min_gain") if k in opts]
        if drops and not (has_baseline or champion):
            needs = "'baseline' or 'compare_to'" if kind == "model" else "'baseline'"
            raise ctx.error(line, f"{where}: {drops[0]!r} needs {needs}")
        if champion and has_baseline:
            raise ctx.error(line, f"{where}: use either 'compare_to' or 'baseline' in one gate, not both")
        if "min_gain" in opts and not champion:
            raise ctx.error(line, f"{where}: 'min_gain' needs 'compare_to'")
        if "at_least" in opts and "at_most" in opts and opts["at_least"] > opts["at_most"]:
            raise ctx.error(line, f"{where}: at_least={opts['at_least']!r} is above at_most={opts['at_most']!r}")
    if kind == "model" and "prediction" in opts and ("alias" in opts or "compare_to" in opts):
        raise ctx.error(
            line,
            f"{where}: 'prediction' (a column of scored data) cannot be used with 'alias' or 'compare_to' "
            "(registered models)",
        )
    if kind in ("calibration", "fairness"):
        scored = "probability" if kind == "calibration" else "prediction"
        if scored in opts and ("alias" in opts or "model_name" in opts):
            raise ctx.error(line, f"{where}: give {scored!r} (a column of scored data) or a registered model, not both")
        bound_keys = [k for k, t in KIND_KEYS[kind].items() if k.startswith(("max_", "min_")) and k != "min_group_size"]
        if not any(k in opts for k in bound_keys):
            raise ctx.error(line, f"{where} needs a bound: {', '.join(repr(k) for k in bound_keys)}")
    if kind == "robustness":
        test = opts["test"]
        required: tuple[str, ...] = ("perturbation",) if test == "invariance" else ("column", "delta")
        missing = [k for k in required if k not in opts]
        if missing:
            raise ctx.error(line, f"{where}: a {test} test needs {', '.join(repr(k) for k in missing)}")
        if test == "invariance":
            perturbation = opts["perturbation"]
            known = PERTURBATION_KINDS
            if perturbation.get("kind") not in known:
                raise ctx.error(
                    line,
                    f"{where}: unknown perturbation kind {perturbation.get('kind')!r}; use one of {', '.join(known)}",
                )
    if kind == "weak_segments":
        if "prediction" in opts and "alias" in opts:
            raise ctx.error(
                line,
                f"{where}: 'prediction' (a column of scored data) cannot be used with 'alias' (a registered model)",
            )
        if "confidence" in opts and not 0.5 <= opts["confidence"] < 1:
            raise ctx.error(line, f"{where}: confidence={opts['confidence']!r}; use a share from 0.5 to below 1")


def _followed(ctx: _Context, kind: str, raw: Mapping[str, Any]) -> dict[str, Path]:
    """The data keys the entry leaves out that follow a run option which is set."""
    out: dict[str, Path] = {}
    for key, option in FOLLOWS.get(kind, {}).items():
        given = ctx.data.get(option)
        if key not in raw and given is not None:
            out[key] = Path(given)
    return out


def _entry(ctx: _Context, source: Path, raw: Any, index: int, default_line: int) -> GateSpec:
    line = int(getattr(raw, "line", default_line) or default_line)
    if not isinstance(raw, dict):
        raise ctx.error(line, f"gate #{index} must be a mapping with 'name' and 'kind', got {raw!r}")
    name = raw.get("name")
    if "name" not in raw:
        raise ctx.error(line, f"gate #{index} has no 'name' (it names the test: mlops-gates.yaml::<name>)")
    if not isinstance(name, str) or not name.strip():
        raise ctx.error(_line_of(raw, "name", line), f"gate #{index}: 'name' must be a non-empty string, got {name!r}")
    if "::" in name or "\n" in name:
        raise ctx.error(_line_of(raw, "name", line), f"gate {name!r}: a name cannot contain '::' or a line break")
    kind = raw.get("kind")
    if kind is None:
        raise ctx.error(line, f"gate {name!r} has no 'kind'; use one of: {', '.join(KINDS)}")
    if kind not in KIND_KEYS:
        raise ctx.error(
            _line_of(raw, "kind", line),
            f"gate {name!r}: unknown kind {kind!r}{_did_you_mean(str(kind), KINDS)}; use one of: {', '.join(KINDS)}",
        )
    allowed = KIND_KEYS[kind]
    for key in raw:
        if key not in allowed and key not in COMMON_KEYS:
            choices = [*COMMON_KEYS, *allowed]
            raise ctx.error(
                _line_of(raw, key, line),
                f"unknown key {key!r} in gate {name!r}{_did_you_mean(str(key), choices)}; "
                f"a {kind} gate accepts: {', '.join(choices)}",
            )
    severity = raw.get("severity")
    if severity is not None and severity not in SEVERITIES:
        raise ctx.error(_line_of(raw, "severity", line), f"gate {name!r}: severity={severity!r}; use 'fail' or 'warn'")
    followed = _followed(ctx, kind, raw)
    missing = [k for k in REQUIRED[kind] if k not in raw and k not in followed]
    if missing:
        follows = FOLLOWS.get(kind, {})
        hints = [f" (or {ctx.option_flag(follows[k])})" if k in follows else "" for k in missing]
        needs = ", ".join(f"{k!r}{h}" for k, h in zip(missing, hints, strict=True))
        raise ctx.error(line, f"gate {name!r} ({kind}) needs {needs}")
    opts: dict[str, Any] = dict(followed)
    for key, value in raw.items():
        if key in COMMON_KEYS:
            continue
        opts[str(key)] = _convert(ctx, name, str(key), value, allowed[key], _line_of(raw, key, line))
    _check_entry(ctx, kind, name, opts, line)
    return GateSpec(name=name.strip(), kind=kind, line=line, source=source, severity=severity, options=opts)


def parse_gates(
    text: str,
    source: Path,
    *,
    display: str | None = None,
    base: Path | None = None,
    data: Mapping[str, Path | None] | None = None,
) -> list[GateSpec]:
    """Parse the text of a gates file located at ``source``; raise :class:`GatesFileError`.

    ``display`` is how the file is named in messages (default: ``source``). Relative paths start
    at ``base`` (default: the pytest rootdir inside pytest, else the current directory).
    ``data`` maps :data:`DATA_OPTIONS` to the run's paths (absolute), which entries follow.
    """
    from pytest_mlops import _recorder

    ctx = _Context(display or str(source), base or _recorder.base_dir(), data or {})
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = exc.problem or str(exc)
        if exc.context and "duplicate key" not in problem:
            problem = f"{exc.context}: {problem}"
        raise ctx.error(line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ctx.error(1, f"invalid YAML: {exc}") from None
    if data is None:
        raise ctx.error(1, f"the file is empty; write a 'gates:' list, e.g.\n{_EXAMPLE}")
    if not isinstance(data, dict):
        raise ctx.error(1, f"the top level must be a mapping with a 'gates:' list, e.g.\n{_EXAMPLE}")
    for key in data:
        if key != "gates":
            raise ctx.error(
                _line_of(data, key, 1),
                f"unknown top-level key {key!r}{_did_you_mean(str(key), ['gates'])}; only 'gates' is accepted",
            )
    entries = data.get("gates")
    gates_line = _line_of(data, "gates", 1)
    if not isinstance(entries, list) or not entries:
        raise ctx.error(gates_line, f"'gates' must be a non-empty list of gates, e.g.\n{_EXAMPLE}")
    specs: list[GateSpec] = []
    seen: dict[str, int] = {}
    item_lines = getattr(entries, "item_lines", [])
    for index, raw in enumerate(entries, start=1):
        line = item_lines[index - 1] if index <= len(item_lines) else gates_line
        spec = _entry(ctx, source, raw, index, line)
        if spec.name in seen:
            raise ctx.error(spec.line, f"duplicate gate name {spec.name!r} (first on line {seen[spec.name]})")
        seen[spec.name] = spec.line
        specs.append(spec)
    return specs


def load_gates_file(
    path: str | Path,
    *,
    display: str | None = None,
    base: Path | None = None,
    data: Mapping[str, Path | None] | None = None,
) -> list[GateSpec]:
    """Read and validate the gates file at ``path`` (see :func:`parse_gates` for the rest)."""
    from pytest_mlops._io import resolve_path

    source = resolve_path(path).resolve()
    try:
        text = source.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GatesFileError(f"{display or path}:1: cannot read the gates file: {exc}") from None
    return parse_gates(text, source, display=display, base=base, data=data)
