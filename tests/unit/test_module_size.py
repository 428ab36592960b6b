"""Rooms sized by what they judge: no module of pytest_mlops/ over 600 lines without a reason at its top.

The reason is the first line of the module docstring's body (after the summary line and a blank
line), starting ``Long because:``; it says why the module holds one idea despite its length.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_mlops"
LIMIT = 600
REASON = "Long because:"


def has_reason(source: str) -> bool:
    """The docstring's body (the lines after its summary paragraph) starts with the reason."""
    doc = ast.get_docstring(ast.parse(source), clean=True) or ""
    _, _, body = doc.partition("\n\n")
    return body.lstrip("\n").startswith(REASON)


def offenders() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        if lines > LIMIT and not has_reason(source):
            found.append(f"{path.relative_to(PACKAGE.parent).as_posix()} ({lines} lines)")
    return found


def test_long_modules_say_why() -> None:
    found = offenders()
    assert not found, (
        f"modules over {LIMIT} lines without a '{REASON} ...' line opening their docstring's body "
        f"(split them by kind, or say why not): {', '.join(found)}"
    )


def test_the_reason_is_the_first_line_of_the_body() -> None:
    assert has_reason('"""Summary.\n\nLong because: one idea.\n\nMore."""\n')
    assert not has_reason('"""Summary.\n\nMore.\n\nLong because: too late."""\n')
    assert not has_reason('"""Long because: the summary is no place for it."""\n')
    assert not has_reason("x = 1\n")
