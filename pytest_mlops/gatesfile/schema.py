"""The JSON Schema of a gates file, for editors, generated from the parser's tables.

The shipped file ``pytest_mlops/schemas/gates-v1.schema.json`` is :func:`gates_schema` written
out; a test compares the two, so the schema cannot drift from what the parser accepts.
Regenerate it after changing :mod:`pytest_mlops.gatesfile.kinds`::

    python -m pytest_mlops.gatesfile.schema

The schema checks the shape (kinds, keys, value types, the words a key accepts); the parser
also checks what a schema cannot: that files exist, and rules that involve several keys.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_mlops.gatesfile.kinds import (
    CHOICES,
    COLUMN_KEYS,
    COMMON_KEYS,
    FOLLOWS,
    KIND_KEYS,
    KINDS,
    PERTURBATION_KINDS,
    REQUIRED,
    SEVERITIES,
    VALUE_TYPES,
)

__all__ = ["SCHEMA_PATH", "gates_schema", "schema_text"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "gates-v1.schema.json"

_STRING = {"type": "string", "minLength": 1}
_NUMBER_MAP_VALUE = {"type": "number"}

#: value type -> JSON Schema of a value of that type
_VALUE_SCHEMAS: dict[str, dict[str, Any]] = {
    "path": _STRING,
    "baseline": _STRING,
    "str": _STRING,
    "scalar": {"type": ["string", "number", "boolean"]},
    "number": {"type": "number"},
    "nonneg": {"type": "number", "minimum": 0},
    "share": {"type": "number", "minimum": 0, "maximum": 1},
    "int": {"type": "integer", "minimum": 0},
    "strlist": {"anyOf": [_STRING, {"type": "array", "minItems": 1, "items": _STRING}]},
    "strmap": {"type": "object", "minProperties": 1, "additionalProperties": _STRING},
    "numbermap": {"type": "object", "minProperties": 1, "additionalProperties": _NUMBER_MAP_VALUE},
    "mapping": {"type": "object", "minProperties": 1},
    "columns": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/column"}},
}

_COMMON = {
    "name": {**_STRING, "description": "the test's name: mlops-gates.yaml::<name>, unique in the file"},
    "kind": {"enum": list(KINDS), "description": "what the gate judges"},
    "severity": {"enum": list(SEVERITIES), "description": "fail (default) or warn"},
}


def _key_schema(kind: str, key: str, value_type: str) -> dict[str, Any]:
    schema: dict[str, Any] = dict(_VALUE_SCHEMAS[value_type])
    choices = CHOICES.get(kind, {}).get(key)
    if choices:
        schema = {"enum": list(choices)}
    if kind == "robustness" and key == "perturbation":
        schema["properties"] = {"kind": {"enum": list(PERTURBATION_KINDS)}}
        schema["required"] = ["kind"]
    description = VALUE_TYPES[value_type]
    follows = FOLLOWS.get(kind, {}).get(key)
    if follows:
        description += f"; left out: --{follows.replace('_', '-')}"
    schema["description"] = description
    return schema


def _kind_schema(kind: str) -> dict[str, Any]:
    keys = KIND_KEYS[kind]
    properties: dict[str, Any] = {key: {} for key in COMMON_KEYS}
    properties.update({key: _key_schema(kind, key, value_type) for key, value_type in keys.items()})
    # a data key the entry leaves out follows a run option, so the schema cannot require it
    required = [key for key in REQUIRED[kind] if key not in FOLLOWS.get(kind, {})]
    schema: dict[str, Any] = {"properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


def gates_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a gates file."""
    column_properties: dict[str, Any] = {key: {} for key in COLUMN_KEYS}
    column_properties["quantiles"] = {
        "type": "object",
        "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2},
        "description": "quantile -> [low, high], e.g. {0.5: [20, 60]}",
    }
    column_properties["severity"] = {"enum": list(SEVERITIES)}
    defs: dict[str, Any] = {
        "gate": {
            "type": "object",
            "required": ["name", "kind"],
            "properties": _COMMON,
            "allOf": [
                {
                    "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                    "then": {"$ref": f"#/$defs/{kind}"},
                }
                for kind in KINDS
            ],
        },
        "column": {
            "type": "object",
            "minProperties": 1,
            "properties": column_properties,
            "additionalProperties": False,
            "description": "expectations of one column (as pytest_mlops.gates.feature.expect_columns)",
        },
    }
    defs.update({kind: _kind_schema(kind) for kind in KINDS})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "pytest-mlops/gates-v1.schema.json",
        "title": "pytest-mlops declarative gates file (mlops-gates.yaml), version 1",
        "description": (
            "Generated from pytest_mlops.gatesfile.kinds by 'python -m pytest_mlops.gatesfile.schema'. "
            "pytest checks more when it collects the file: that paths exist, and rules across keys."
        ),
        "type": "object",
        "required": ["gates"],
        "additionalProperties": False,
        "properties": {"gates": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/gate"}}},
        "$defs": defs,
    }


def schema_text() -> str:
    """:func:`gates_schema` as the shipped file's text."""
    return json.dumps(gates_schema(), indent=2) + "\n"


if __name__ == "__main__":
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
