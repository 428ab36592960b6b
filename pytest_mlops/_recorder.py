"""Where gate results go.

Every gate function ends in :func:`emit`. Inside a pytest test the plugin has
made a :class:`Sink` for the running item current, so the result is appended to
``item.user_properties`` (which survives pytest-xdist and lands in JUnit XML);
outside pytest (a script, the CLI) results collect in a module-level sink that
:func:`collected` returns.

A failed ``warn`` gate issues a :class:`~pytest_mlops.errors.GateWarning`. A failed ``fail``
gate raises :class:`~pytest_mlops.errors.GateFailure` at once, except in the call phase of a
pytest test, where the plugin sets :attr:`Sink.defer`: the failure is then kept (with the
traceback of the gate call, so pytest still shows the user's line) and the test goes on to its
next gate; when the test function returns, :func:`raise_deferred` raises one failure listing every
failed gate. Bad input (:class:`~pytest_mlops.errors.MlopsInputError`) is never deferred.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import types
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from pytest_mlops.errors import GateFailure, GateWarning, MissingExtraError, MlopsInputError
from pytest_mlops.results import SEVERITIES, GateResult, JSONValue, Severity, to_json

__all__ = [
    "GATE_PROPERTY",
    "LINEAGE_PROPERTY",
    "Deferred",
    "Sink",
    "attach",
    "base_dir",
    "clean_input_errors",
    "collected",
    "emit",
    "raise_deferred",
]

P = ParamSpec("P")
R = TypeVar("R")

#: ``user_properties`` names; also the JUnit ``<property name=...>``.
GATE_PROPERTY = "mlops_gate"
LINEAGE_PROPERTY = "mlops_lineage"


@dataclass(frozen=True)
class Deferred:
    """A failed ``fail`` gate kept until the end of the test (see :attr:`Sink.defer`)."""

    result: GateResult
    #: the :class:`GateFailure` emit would have raised, with the traceback of the gate call
    error: GateFailure
    #: ``file:line`` of the user's gate call
    where: str


@dataclass
class Sink:
    """Collects results for one test item (or for a script when ``node`` is None)."""

    nodeid: str = ""
    user_properties: list[tuple[str, object]] = field(default_factory=list)
    #: severity per kind taken from the item's ``mlops_<kind>(severity=...)`` marker
    severities: Mapping[str, Severity] = field(default_factory=dict)
    results: list[GateResult] = field(default_factory=list)
    #: keep failed ``fail`` gates in :attr:`deferred` instead of raising (the plugin sets it
    #: during a test's call phase unless the test asked to stop at its first failed gate)
    defer: bool = False
    deferred: list[Deferred] = field(default_factory=list)

    def record(self, result: GateResult) -> None:
        self.results.append(result)
        self.user_properties.append((GATE_PROPERTY, json.dumps(result.to_dict(), sort_keys=True)))

    def record_lineage(self, entry: Mapping[str, JSONValue]) -> None:
        self.user_properties.append((LINEAGE_PROPERTY, json.dumps(entry, sort_keys=True)))


_script_sink = Sink()
_stack: list[Sink] = []
#: the rootdir of each running pytest session (a stack: pytester runs sessions inside sessions)
_roots: list[Path] = []


def push_root(root: Path) -> None:
    """Make ``root`` the base of relative paths (the plugin does this in ``pytest_configure``)."""
    _roots.append(Path(root))


def pop_root(root: Path) -> None:
    if _roots and _roots[-1] == Path(root):
        _roots.pop()


@contextlib.contextmanager
def script_scope() -> Iterator[Sink]:
    """Run a block as a script would, even inside a pytest session (a CLI command called from a
    test): its own :class:`Sink` (gates raise at once, results never join the running test) and
    relative paths from the current directory."""
    sink = Sink()
    saved = list(_roots)
    _roots.clear()
    push(sink)
    try:
        yield sink
    finally:
        pop(sink)
        _roots[:] = saved


def in_session() -> bool:
    """Whether a pytest session with the plugin is running."""
    return bool(_roots)


def base_dir() -> Path:
    """What relative paths resolve against: the pytest session's rootdir, else the cwd."""
    return _roots[-1] if _roots else Path.cwd()


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
            if sink.defer:
                error = GateFailure(result.message)
                frame = sys._getframe(0)
                error.__traceback__ = _stack_traceback(frame)
                sink.deferred.append(Deferred(result, error, _user_location(frame)))
                return result
            raise GateFailure(result.message)
        warnings.warn(GateWarning(result.message), stacklevel=user_stacklevel())
    return result


def _is_ours(frame: types.FrameType) -> bool:
    return str(frame.f_globals.get("__name__", "")).startswith("pytest_mlops")


def _stack_traceback(frame: types.FrameType) -> types.TracebackType | None:
    """A traceback of the running frames, from the first one above pytest's and pluggy's (the
    test function, or a gates-file item) down to ``frame``: what a raise in ``frame`` would have
    collected by the time pytest caught it, so the deferred failure shows the same lines."""
    frames: list[types.FrameType] = []
    current: types.FrameType | None = frame
    while current is not None:
        module = str(current.f_globals.get("__name__", ""))
        if module.startswith(("_pytest", "pluggy")):
            break
        frames.append(current)
        current = current.f_back
    tb: types.TracebackType | None = None
    for f in frames:  # innermost first: each entry wraps the one below it
        tb = types.TracebackType(tb, f, f.f_lasti, f.f_lineno)
    return tb


def _user_location(frame: types.FrameType) -> str:
    """``path:line`` of the first frame outside pytest-mlops (the user's gate call)."""
    current: types.FrameType | None = frame
    while current is not None and _is_ours(current):
        current = current.f_back
    if current is None:
        return ""
    filename = current.f_code.co_filename
    with contextlib.suppress(ValueError):
        relative = os.path.relpath(filename, base_dir())
        if not relative.startswith(".."):
            filename = relative
    return f"{filename}:{current.f_lineno}"


def deferred_message(sink: Sink) -> str:
    """One message for every deferred failure of ``sink``, in the order the gates ran."""
    failed = sink.deferred
    head = f"{len(failed)} of {len(sink.results)} gates failed in this test:"
    lines = [head]
    for entry in failed:
        lines.append(entry.result.message)
        if entry.where:
            lines.append(f"  at {entry.where}")
    return "\n".join(lines)


def raise_deferred(sink: Sink, raised: BaseException | None = None) -> None:
    """Raise the failures ``sink`` deferred during a test's call phase, if any.

    One failure is re-raised as it was (same message, same traceback); several become one
    :class:`GateFailure` listing each (its traceback is the first one's). When the test itself
    raised ``raised`` (bad input, a plain ``assert``...), that error stays the test's outcome and
    the failed gates are added to it as a note; a ``pytest.skip`` after a failed gate does not
    hide the failure.
    """
    __tracebackhide__ = True
    failed = sink.deferred
    sink.deferred = []
    sink.defer = False
    if not failed:
        return
    if raised is not None:
        if isinstance(raised, Exception):
            raised.add_note(deferred_message(Sink(results=sink.results, deferred=failed)))
            return
        import pytest

        if not isinstance(raised, pytest.skip.Exception):
            return
    if len(failed) == 1:
        error = failed[0].error
    else:
        error = GateFailure(deferred_message(Sink(results=sink.results, deferred=failed)))
        error.__traceback__ = failed[0].error.__traceback__
    raise error from None


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
