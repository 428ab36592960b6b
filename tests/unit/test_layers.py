"""The layers of docs/architecture.md, checked: every import inside ``pytest_mlops`` goes down or sideways.

Read with ``ast``: every ``import`` a module can run (at its top or inside a function), not the
ones under ``if TYPE_CHECKING:`` (annotations only). ``from pytest_mlops import __version__``
and the other names of the package's own ``__init__`` (the public facade) are not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_mlops"

#: Lowest first. A module of one layer may import its own layer and the layers before it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("errors", "results", "_io", "_recorder", "lineage", "markers", "details")),
    ("stats", ("stats",)),
    ("integrations", ("integrations", "data")),
    ("gates", ("gates", "baselines")),
    ("report", ("report", "render")),
    ("registry", ("registry",)),
    ("commands", ("commands", "cli")),
    ("pytest", ("plugin", "fixtures", "hooks", "_session", "_options", "hookspecs", "gatesfile")),
]

#: Imports against the grain, each with the reason it stays. The engine adapters that a gate hands a
#: Spark or Feast input to call back into that gate's own result builders (inside functions), so the
#: engine's result cannot differ in shape from the pandas path's.
EXCEPTIONS = {
    ("pytest_mlops.integrations.spark", "pytest_mlops.gates.schema"): "the schema gate's result builder",
    ("pytest_mlops.integrations.spark", "pytest_mlops.gates.feature"): "the feature gate's outcomes and texts",
    ("pytest_mlops.integrations.feast", "pytest_mlops.gates.featurestore"): (
        "the Feast gates live with their adapter (feast at module top) and reuse the point-in-time check"
    ),
    ("pytest_mlops.integrations.mlflow", "pytest_mlops.report"): (
        "logging a report to MLflow tags model versions with the report file's digest"
    ),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int | None:
    """Index in :data:`LAYERS` of a ``pytest_mlops.*`` module; ``None`` for the package itself."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    for rank, (_, roots) in enumerate(LAYERS):
        if parts[1] in roots:
            return rank
    raise AssertionError(f"{module} is in no layer of tests/unit/test_layers.py (and docs/architecture.md)")


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """The package modules a module may import when it runs (anywhere but under ``TYPE_CHECKING``)."""
    found: set[str] = set()

    class Visitor(ast.NodeVisitor):
        def visit_If(self, node: ast.If) -> None:
            if not _is_type_checking(node.test):
                for child in node.body:
                    self.visit(child)
            for child in node.orelse:
                self.visit(child)

        def visit_Import(self, node: ast.Import) -> None:
            found.update(alias.name for alias in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            if node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)

    Visitor().visit(tree)
    return {name for name in found if name in modules}


def violations() -> list[str]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    out = []
    for path in paths:
        source = _module_name(path)
        mine = layer_of(source)
        if mine is None:
            continue
        for target in sorted(runtime_imports(ast.parse(path.read_text("utf-8")), modules)):
            theirs = layer_of(target)
            if theirs is None or theirs <= mine:
                continue
            if (source, target) in EXCEPTIONS:
                continue
            out.append(f"{source} ({LAYERS[mine][0]}) imports {target} ({LAYERS[theirs][0]})")
    return out


def test_imports_go_down_the_layers() -> None:
    found = violations()
    assert not found, "imports against the layers of docs/architecture.md:\n  " + "\n  ".join(found)


def test_every_exception_is_still_needed() -> None:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    for source, target in EXCEPTIONS:
        imported = runtime_imports(ast.parse(paths[source].read_text("utf-8")), set(paths))
        assert target in imported, f"{source} no longer imports {target}: drop the exception"


def test_the_check_sees_an_upward_import() -> None:
    tree = ast.parse("def f():\n    from pytest_mlops.plugin import SETTINGS_KEY\n")
    assert runtime_imports(tree, {"pytest_mlops.plugin"}) == {"pytest_mlops.plugin"}
    guarded = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pytest_mlops.plugin\n")
    assert runtime_imports(guarded, {"pytest_mlops.plugin"}) == set()
    assert layer_of("pytest_mlops.stats.drift") < layer_of("pytest_mlops.plugin")  # type: ignore[operator]
