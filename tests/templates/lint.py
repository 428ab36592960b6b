"""Shared helpers: where the templates are, the verified action pins, the offline linters."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.templates.chain import load_yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "ci-templates"
WORKFLOWS = sorted((TEMPLATES / "workflows").glob("*.yml"))
ACTIONS = sorted((TEMPLATES / "actions").glob("*/action.yml"))

#: Every third-party action the templates use, pinned to a full commit SHA. Each SHA <-> tag pair was
#: checked against stored public material (other projects' pinned workflows, Dependabot compare links
#: and run logs naming the SHA with its tag); see docs/ci-templates.md. Changing a pin means updating
#: this table after checking the new pair the same way.
VERIFIED_PINS = {
    "actions/checkout": ("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0"),
    "actions/setup-python": ("e797f83bcb11b83ae66e0230d6156d7c80228e7c", "v6.0.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("d3f86a106a0bac45b974a628896c90dbdf5c8093", "v4.3.0"),
}

USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?:\s+#\s*(?P<comment>\S+))?\s*$")


def tool(name: str) -> str:
    """A console script installed next to the running interpreter (the test extra installs them)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise AssertionError(f"{name} is not installed in {path.parent}: pip install -e '.[test]'")
    return str(path)


def run_zizmor(files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("zizmor"), "--offline", "--strict-collection", "--persona", "pedantic", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def run_check_jsonschema(schema: str, files: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) in a loaded YAML document, depth first."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*path, index))


def load(path: Path) -> dict[str, Any]:
    return load_yaml(path)
