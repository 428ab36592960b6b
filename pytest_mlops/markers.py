"""Gate-kind markers: registration (with signatures), auto-application, validation.

Each gate kind has a marker ``mlops_<kind>``. Tests that request a gate fixture
of that kind get the marker automatically, so ``pytest -m mlops_drift`` selects
them with no extra typing; ``--mlops-stage`` selects by the same markers.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from pytest_mlops.results import KINDS, SEVERITIES, Severity

__all__ = [
    "KIND_FIXTURES",
    "MARKER_PREFIX",
    "STOP_AT_FIRST",
    "item_kinds",
    "marked_items",
    "marker_name",
    "mlops_marks",
    "register",
    "severities_for",
    "stop_at_first",
]

MARKER_PREFIX = "mlops_"
#: the marker that makes a test stop at its first failed gate
STOP_AT_FIRST = "mlops_stop_at_first"

_DESCRIPTIONS = {
    "schema": "data schema gates (pandera): column types, nullability, checks",
    "feature": "feature gates: expectations, training-serving skew, leakage",
    "model": "model threshold gates: metrics vs bounds and vs the champion",
    "drift": "drift gates: reference vs current data, predictions, labels",
    "deployment": "deployment gates: shadow comparison, canary verdict, A/B test",
    "featurestore": "feature-store gates (Feast): online/offline consistency, freshness of materialised values",
}

#: fixture name -> gate kind; filled by :func:`pytest_mlops.fixtures.gate_fixture`.
KIND_FIXTURES: dict[str, str] = {}
#: fixtures whose kind applies only when a test uses no other gate fixture (model loaders:
#: a shadow test that loads the champion is a deployment test, not a model test)
WEAK_KIND_FIXTURES: set[str] = set()


def marker_name(kind: str) -> str:
    return MARKER_PREFIX + kind


def register(config: pytest.Config) -> None:
    for kind in KINDS:
        config.addinivalue_line(
            "markers",
            f"{marker_name(kind)}(*, severity='fail'): {_DESCRIPTIONS[kind]}. Added automatically to tests "
            f"using a {kind} gate fixture; severity='warn' makes this test's {kind} gates warn instead of fail. "
            f"Select with -m {marker_name(kind)} or --mlops-stage.",
        )
    config.addinivalue_line(
        "markers",
        f"{STOP_AT_FIRST}: stop this test at its first failed gate. By default every gate of a test runs "
        "and the test fails once at the end, listing each failed gate (--mlops-stop-at-first does this "
        "for every test).",
    )


def mlops_marks(item: pytest.Item) -> dict[str, pytest.Mark]:
    """The item's ``mlops_*`` markers by name, the closest of each, in one pass over its markers.

    The per-test hooks read this once instead of asking ``get_closest_marker`` for each of our
    seven markers (each call walks the node chain): a run that uses no gate pays one pass.
    """
    found: dict[str, pytest.Mark] = {}
    for mark in item.iter_markers():
        if mark.name.startswith(MARKER_PREFIX) and mark.name not in found:
            found[mark.name] = mark
    return found


def marked_items(items: Iterable[pytest.Item]) -> list[pytest.Item]:
    """The items that carry an ``mlops_*`` marker, on themselves or on a parent node.

    Cheaper than :func:`mlops_marks` for each item: the parents (modules, classes) are shared
    by many items, so each is looked at once; a run that uses no gate finds nothing.
    """
    seen: dict[int, bool] = {}

    def has_mark(node: pytest.Item | pytest.Collector | None) -> bool:
        if node is None:
            return False
        key = id(node)
        found = seen.get(key)
        if found is None:
            own = any(mark.name.startswith(MARKER_PREFIX) for mark in node.own_markers)
            found = seen[key] = own or has_mark(node.parent)
        return found

    found: list[pytest.Item] = []
    for item in items:
        parent = seen.get(id(item.parent))
        if parent is None:
            parent = has_mark(item.parent)
        if parent or (item.own_markers and any(m.name.startswith(MARKER_PREFIX) for m in item.own_markers)):
            found.append(item)
    return found


def stop_at_first(item: pytest.Item, marks: dict[str, pytest.Mark] | None = None) -> bool:
    """Whether the item carries ``@pytest.mark.mlops_stop_at_first`` (which takes no arguments).

    ``marks`` is :func:`mlops_marks` of the item, when the caller has it already.
    """
    marker = item.get_closest_marker(STOP_AT_FIRST) if marks is None else marks.get(STOP_AT_FIRST)
    if marker is None:
        return False
    if marker.args or marker.kwargs:
        pytest.fail(
            f"{item.nodeid}: @pytest.mark.{STOP_AT_FIRST} takes no arguments; use @pytest.mark.{STOP_AT_FIRST}",
            pytrace=False,
        )
    return True


def auto_apply(items: Iterable[pytest.Item]) -> None:
    """Add ``mlops_<kind>`` to every test that uses a gate fixture of that kind."""
    for item in items:
        names = [n for n in getattr(item, "fixturenames", ()) if n in KIND_FIXTURES]
        if not names:
            continue
        strong = {KIND_FIXTURES[n] for n in names if n not in WEAK_KIND_FIXTURES}
        kinds = strong or {KIND_FIXTURES[n] for n in names}
        for kind in sorted(kinds):
            if item.get_closest_marker(marker_name(kind)) is None:
                item.add_marker(marker_name(kind))


def item_kinds(item: pytest.Item, marks: dict[str, pytest.Mark] | None = None) -> frozenset[str]:
    found = mlops_marks(item) if marks is None else marks
    if not found:
        return frozenset()
    return frozenset(kind for kind in KINDS if marker_name(kind) in found)


def severities_for(item: pytest.Item, marks: dict[str, pytest.Mark] | None = None) -> dict[str, Severity]:
    """Validate the item's gate markers and return the severity each one sets.

    Misuse fails the test at setup with a clean message (no traceback).
    """
    severities: dict[str, Severity] = {}
    found = mlops_marks(item) if marks is None else marks
    if not found:
        return severities
    for kind in KINDS:
        name = marker_name(kind)
        marker = found.get(name)
        if marker is None:
            continue
        usage = f"use @pytest.mark.{name} or @pytest.mark.{name}(severity='warn')"
        if marker.args:
            pytest.fail(
                f"{item.nodeid}: @pytest.mark.{name} takes no positional arguments, got {marker.args!r}; {usage}",
                pytrace=False,
            )
        unknown = sorted(set(marker.kwargs) - {"severity"})
        if unknown:
            pytest.fail(
                f"{item.nodeid}: @pytest.mark.{name} got unknown argument {unknown[0]!r}; {usage}", pytrace=False
            )
        severity = marker.kwargs.get("severity", "fail")
        if severity not in SEVERITIES:
            pytest.fail(
                f"{item.nodeid}: @pytest.mark.{name}(severity={severity!r}) is not valid; use 'fail' or 'warn'",
                pytrace=False,
            )
        severities[kind] = severity
    return severities
