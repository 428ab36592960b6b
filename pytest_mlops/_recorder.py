"""Where gate results go.

Every gate function ends in :func:`emit`. Inside a pytest test the plugin has
made a :class:`Sink` for the running item current, so the result is appended to
``item.user_properties`` (which survives pytest-xdist and lands in JUnit XML);
outside pytest (a script, the CLI) results collect in a module-level sink that
:func:`collected` returns.

A failed ``fail`` gate raises :class:`~pytest_mlops.errors.GateFailure`; a
failed ``warn`` gate issues a :class:`~pytest_mlops.errors.GateWarning`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from pytest_mlops.errors import GateFailure, GateWarning, MissingExtraError, MlopsInputError
from pytest_mlops.results import SEVERITIES, GateResult, JSONValue, Severity, to_json

__all__ = ["GATE_PROPERTY", "LINEAGE_PROPERTY", "Sink", "attach", "clean_input_errors", "collected", "emit"]

P = ParamSpec("P")
R = TypeVar("R")

#: ``user_properties`` names; also the JUnit ``<property name=...>``.
GATE_PROPERTY = "mlops_gate"
LINEAGE_PROPERTY = "mlops_lineage"


@dataclass
class Sink:
    """Collects results for one test item (or for a script when ``node`` is None)."""

    nodeid: str = ""
    user_properties: list[tuple[str, object]] = field(default_factory=list)
    #: severity per kind taken from the item's ``mlops_<kind>(severity=...)`` marker
    severities: Mapping[str, Severity] = field(default_factory=dict)
    results: list[GateResult] = field(default_factory=list)

    def record(self, result: GateResult) -> None:
        self.results.append(result)
        self.user_properties.append((GATE_PROPERTY, json.dumps(result.to_dict(), sort_keys=True)))

    def record_lineage(self, entry: Mapping[str, JSONValue]) -> None:
        self.user_properties.append((LINEAGE_PROPERTY, json.dumps(entry, sort_keys=True)))


_script_sink = Sink()
_stack: list[Sink] = []


def push(sink: Sink) -> None:
    """Make ``sink`` current (the plugin does this around each test)."""
    _stack.append(sink)


def pop(sink: Sink) -> None:
    if _stack and _stack[-1] is sink:
        _stack.pop()
    elif sink in _stack:  # pragma: no cover - defensive, never expected
        _stack.remove(sink)


def current() -> Sink:
    return _stack[-1] if _stack else _script_sink


def collected() -> list[GateResult]:
    """Results emitted outside pytest, in order (for scripts and the CLI)."""
    return list(_script_sink.results)


def resolve_severity(kind: str, severity: Severity | str | None) -> Severity:
    """The severity a gate uses: its argument, else the test's marker, else ``fail``."""
    if severity is None:
        return current().severities.get(kind, "fail")
    if severity not in SEVERITIES:
        raise ValueError(f"severity={severity!r} is not accepted; use 'fail' or 'warn'")
    return severity


def emit(result: GateResult) -> GateResult:
    """Record ``result`` and raise or warn if it did not pass. Returns the recorded result."""
    __tracebackhide__ = True
    sink = current()
    result = result.with_nodeid(sink.nodeid)
    sink.record(result)
    if not result.passed:
        if result.severity == "fail":
            raise GateFailure(result.message)
        warnings.warn(GateWarning(result.message), stacklevel=user_stacklevel())
    return result


def user_stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` in the caller's frame that points the warning at
    the first frame outside pytest-mlops (the user's line)."""
    frame = sys._getframe(1)  # the frame that will call warnings.warn
    level = 1
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("pytest_mlops"):
        frame = frame.f_back
        level += 1
    return level


def clean_input_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Entry-point wrapper of the public gate functions.

    * :class:`MlopsInputError` and :class:`MissingExtraError` are re-raised from this (hidden)
      frame without their chain, so pytest shows the user's line and the message, not our helpers'
      frames or the pandas/pandera/engine internals that detected the problem.
    * warnings issued inside (a ``warn`` gate's :class:`GateWarning`) are re-issued at the user's
      line; when a later gate of the same call fails, a warnings-as-errors filter is not allowed to
      replace that failure.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        __tracebackhide__ = True
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = func(*args, **kwargs)
        except (MlopsInputError, MissingExtraError) as exc:
            raise type(exc)(str(exc)) from None
        except BaseException:
            level = user_stacklevel()
            for item in caught:
                with contextlib.suppress(Warning):
                    warnings.warn(item.message, stacklevel=level)
            raise
        level = user_stacklevel()
        for item in caught:
            warnings.warn(item.message, stacklevel=level)
        return result

    return wrapper


def attach(role: str, name: str, **identifiers: Any) -> dict[str, JSONValue]:
    """Attach a lineage identifier (a data fingerprint, a model version...) to the report.

    ``role`` is ``"data"`` or ``"model"`` (or any word); ``name`` names the thing;
    ``identifiers`` are JSON-able values such as ``version=3`` or ``sha256=...``.
    """
    entry: dict[str, JSONValue] = {"role": role, "name": name}
    entry.update({k: to_json(v) for k, v in sorted(identifiers.items())})
    current().record_lineage(entry)
    return entry
