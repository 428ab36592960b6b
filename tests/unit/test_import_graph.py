"""The report model and its renderers form no import cycle (module-level imports, read with ast)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_mlops"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """Package modules imported when the module is imported: top-level statements, also inside
    ``if``/``try`` blocks, but not under ``if TYPE_CHECKING:`` nor inside functions."""
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block)

    visit(tree.body)
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        name = _module_name(path)
        edges = _top_level_imports(ast.parse(path.read_text("utf-8")), modules)
        # importing a.b.c imports its packages a.b and a first
        for target in list(edges):
            parts = target.split(".")
            edges.update(".".join(parts[:i]) for i in range(1, len(parts)))
        # a module's own parent packages are already being imported when it runs: no edge
        ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        graph[name] = edges - {name} - ancestors
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (each one an import cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_graph_sees_imports_of_the_report_and_its_renderers() -> None:
    graph = import_graph()
    assert "pytest_mlops.render.html" in graph
    assert {"pytest_mlops.render.cards", "pytest_mlops.results"} <= graph["pytest_mlops.render.html"]
    assert {"pytest_mlops.details", "pytest_mlops.render.svg"} <= graph["pytest_mlops.render.cards.model"]
    assert "pytest_mlops.render.markdown" not in graph["pytest_mlops.report"]  # imported inside methods only
    assert "pytest_mlops.report" not in graph["pytest_mlops.render.html"]  # imported for annotations only
    for name in ("pytest_mlops.render.cards", "pytest_mlops.render.cards.model"):
        assert "pytest_mlops.render.html" not in graph[name]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_report_model_and_renderers_form_no_import_cycle() -> None:
    graph = import_graph()
    mine = {"pytest_mlops.report", "pytest_mlops.details"} | {m for m in graph if m.startswith("pytest_mlops.render")}
    involved = [c for c in cycles(graph) if mine & set(c)]
    assert involved == []


def test_the_package_has_no_import_cycle_at_all() -> None:
    assert cycles(import_graph()) == []
