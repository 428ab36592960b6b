"""The shipped JSON Schema of a gates file matches the parser: same kinds, same keys, and every
gates file the parser accepts (examples, docs, the test suite's own) validates against it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pytest_mlops.gatesfile import COMMON_KEYS, DATA_OPTIONS, KIND_KEYS, KINDS, GatesFileError, parse_gates
from pytest_mlops.gatesfile.schema import SCHEMA_PATH, gates_schema

ROOT = Path(__file__).resolve().parents[2]
SHIPPED: dict[str, Any] = json.loads(SCHEMA_PATH.read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SHIPPED)


def _errors(document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def _candidate_texts() -> list[tuple[str, str]]:
    """(where, text) of every gates file in the repository: files, YAML blocks of the docs and
    string constants of the tests whose YAML has a top-level ``gates:``."""
    found: list[tuple[str, str]] = []
    for path in sorted(ROOT.glob("examples/**/mlops-gates.y*ml")):
        found.append((str(path.relative_to(ROOT)), path.read_text("utf-8")))
    for path in sorted([*ROOT.glob("docs/**/*.md"), ROOT / "README.md"]):
        for index, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", path.read_text("utf-8"), re.S)):
            found.append((f"{path.relative_to(ROOT)} yaml block #{index + 1}", block))
    for path in sorted(ROOT.glob("tests/**/*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "gates:" in node.value:
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return [(where, text) for where, text in found if _is_gates_yaml(text)]


def _is_gates_yaml(text: str) -> bool:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return isinstance(data, dict) and "gates" in data


def _accepted_by_parser(text: str, folder: Path) -> bool:
    """Whether the parser accepts ``text`` once every file it names exists (the schema does not
    check files)."""
    for entry in yaml.safe_load(text).get("gates") or []:
        if not isinstance(entry, dict) or entry.get("kind") not in KIND_KEYS:
            continue
        for key, value_type in KIND_KEYS[entry["kind"]].items():
            value = entry.get(key)
            if value_type == "path" and isinstance(value, str) and value.strip() and not value.startswith("$"):
                target = folder / value
                if not target.is_absolute() or folder in target.parents:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.touch()
    data = {option: folder / f"{option}.csv" for option in DATA_OPTIONS}
    for path in data.values():
        path.touch()
    try:
        parse_gates(text, folder / "mlops-gates.yaml", base=folder, data=data)
    except GatesFileError:
        return False
    return True


CANDIDATES = _candidate_texts()


def test_the_shipped_schema_is_the_generated_one() -> None:
    assert gates_schema() == SHIPPED, "regenerate it: python -m pytest_mlops.gatesfile.schema"
    jsonschema.Draft202012Validator.check_schema(SHIPPED)


def test_the_schema_has_the_parsers_kinds_and_keys() -> None:
    assert SHIPPED["$defs"]["gate"]["properties"]["kind"]["enum"] == list(KINDS)
    for kind in KINDS:
        assert set(SHIPPED["$defs"][kind]["properties"]) == {*COMMON_KEYS, *KIND_KEYS[kind]}, kind
        assert SHIPPED["$defs"][kind]["additionalProperties"] is False


def test_the_repository_has_gates_files_of_every_origin() -> None:
    origins = {where.split("/", 1)[0] for where, _ in CANDIDATES}
    assert {"examples", "docs", "tests"} <= origins
    assert len(CANDIDATES) > 20


@pytest.mark.parametrize(("where", "text"), CANDIDATES, ids=[w for w, _ in CANDIDATES])
def test_a_gates_file_the_parser_accepts_is_valid_for_the_schema(where: str, text: str, tmp_path: Path) -> None:
    if not _accepted_by_parser(text, tmp_path):
        pytest.skip("the parser rejects this file (a test of a bad file)")
    assert _errors(yaml.safe_load(text)) == []


def test_the_documented_and_example_files_are_accepted_by_the_parser(tmp_path: Path) -> None:
    """So the test above checks them (it skips what the parser rejects)."""
    for where, text in CANDIDATES:
        if where.startswith(("examples", "docs")):
            folder = tmp_path / str(abs(hash(where)))
            folder.mkdir()
            assert _accepted_by_parser(text, folder), where


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"kind": "drift", "current": "c.csv", "max_shares": 0.1}, "'max_shares' was unexpected"),
        ({"kind": "drifts", "current": "c.csv"}, "'drifts' is not one of"),
        ({"kind": "drift", "severity": "error"}, "'error' is not one of ['fail', 'warn']"),
        ({"kind": "drift", "max_share": 1.5}, "1.5 is greater than the maximum of 1"),
        ({"kind": "model", "metric": "auc", "label": "y", "on_cold_start": "skip"}, "'skip' is not one of"),
        ({"kind": "schema", "data": "d.csv"}, "'schema' is a required property"),
        ({"kind": "feature", "columns": {"age": {"at_lest": 0}}}, "'at_lest' was unexpected"),
        ({"kind": "robustness", "test": "invariance", "perturbation": {"kind": "blur"}}, "'blur' is not one of"),
    ],
)
def test_the_schema_rejects_what_the_parser_rejects_key_by_key(entry: dict[str, Any], expected: str) -> None:
    errors = _errors({"gates": [{"name": "g", **entry}]})
    assert any(expected in e for e in errors), errors
