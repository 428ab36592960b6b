"""The one result model: every gate check, pass or fail, becomes a :class:`GateResult`.

A result is plain data (JSON values only), so it can travel through
``item.user_properties`` from pytest-xdist workers, land in JUnit XML as a
``<property>``, and be written to the JSON report unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

__all__ = [
    "KINDS",
    "SEVERITIES",
    "GateResult",
    "JSONValue",
    "Severity",
    "check_bounds",
    "fmt",
    "to_json",
]

Severity = Literal["fail", "warn"]
SEVERITIES: tuple[Severity, ...] = ("fail", "warn")

#: Gate kinds with a marker of their own (``mlops_<kind>``); the generic gate
#: uses ``custom`` unless told otherwise.
KINDS: tuple[str, ...] = ("schema", "feature", "model", "drift", "deployment", "featurestore")

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]

#: How many evidence lines a failure message shows before "... and N more".
EVIDENCE_CAP = 10


def to_json(value: Any) -> JSONValue:
    """Turn ``value`` into plain JSON data.

    numpy scalars and arrays become Python numbers and lists (without importing
    numpy), tuples become lists, and non-finite floats become the strings
    ``"nan"``, ``"inf"`` and ``"-inf"`` so that the report stays strict JSON.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [to_json(v) for v in items]
    tolist = getattr(value, "tolist", None)  # numpy scalar or array
    if callable(tolist):
        return to_json(tolist())
    item = getattr(value, "item", None)
    if callable(item):
        return to_json(item())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def fmt(value: Any) -> str:
    """Format a number the way every message does (``:.4g``); other values as ``str``."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return str(value)
    item = getattr(value, "item", None)
    if callable(item):
        return fmt(item())
    return str(value)


def check_bounds(observed: float, *, at_least: float | None = None, at_most: float | None = None) -> tuple[bool, str]:
    """Compare ``observed`` with optional inclusive bounds.

    Returns ``(passed, summary)`` where ``summary`` is the ``<observed> <op> <bound>``
    part of the house message, e.g. ``"0.8123 < 0.85"`` when failing or
    ``"0.91 >= 0.85"`` when passing. NaN never passes.
    """
    if at_least is None and at_most is None:
        raise ValueError("give at least one bound: at_least= or at_most=")
    if at_least is not None and at_most is not None and at_least > at_most:
        raise ValueError(f"at_least={at_least!r} is above at_most={at_most!r}")
    value = float(observed)
    if math.isnan(value):
        return False, "nan is not a number"
    if at_least is not None and value < at_least:
        return False, f"{fmt(value)} < {fmt(at_least)}"
    if at_most is not None and value > at_most:
        return False, f"{fmt(value)} > {fmt(at_most)}"
    if at_least is not None and at_most is not None:
        return True, f"{fmt(value)} in [{fmt(at_least)}, {fmt(at_most)}]"
    if at_least is not None:
        return True, f"{fmt(value)} >= {fmt(at_least)}"
    return True, f"{fmt(value)} <= {fmt(at_most)}"


@dataclass(frozen=True)
class GateResult:
    """The outcome of one gate check.

    Attributes:
        kind: ``schema``, ``feature``, ``model``, ``drift``, ``deployment``, ``featurestore`` or a
            user's own (``custom`` for the generic gate).
        name: what was checked, e.g. ``"roc_auc"`` or ``"orders schema"``.
        passed: whether the check held.
        severity: ``"fail"`` (a failure fails the test) or ``"warn"``.
        observed: the measured value(s), JSON data.
        bound: the bound(s) it was compared with, e.g. ``{"at_least": 0.85}``.
        summary: ``<observed> <op> <bound>`` in words, used in every rendering.
        evidence: supporting lines, worst first (failing columns, slices...).
        hint: at most one line saying how to fix a failure.
        details: any further JSON data (per-column scores, intervals...).
        nodeid: the test that produced it ("" outside pytest).
        check: which check of its kind produced it, e.g. ``"slices"`` or ``"data_drift"``
            (the gate function's name for it; the ML Test Score reads it).
    """

    kind: str
    name: str
    passed: bool
    severity: Severity = "fail"
    observed: JSONValue = None
    bound: Mapping[str, JSONValue] = field(default_factory=dict)
    summary: str = ""
    evidence: Sequence[str] = ()
    hint: str | None = None
    details: Mapping[str, JSONValue] = field(default_factory=dict)
    nodeid: str = ""
    check: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        # Normalise to JSON data once, so every consumer sees the same values.
        object.__setattr__(self, "observed", to_json(self.observed))
        object.__setattr__(self, "bound", to_json(dict(self.bound)))
        object.__setattr__(self, "details", to_json(dict(self.details)))
        object.__setattr__(self, "evidence", tuple(str(e) for e in self.evidence))

    @property
    def status(self) -> Literal["passed", "failed", "warned"]:
        """``passed``; ``failed`` for a failed ``fail`` gate; ``warned`` for a failed ``warn`` gate."""
        if self.passed:
            return "passed"
        return "failed" if self.severity == "fail" else "warned"

    @property
    def message(self) -> str:
        """The house message: a first line, capped indented evidence, one hint."""
        verb = "passed" if self.passed else ("failed" if self.severity == "fail" else "warned")
        lines = [f"{self.kind} gate {self.name!r} {verb}: {self.summary}".rstrip(": ")]
        shown = list(self.evidence[:EVIDENCE_CAP])
        lines.extend(f"  {line}" for line in shown)
        hidden = len(self.evidence) - len(shown)
        if hidden > 0:
            lines.append(f"  ... and {hidden} more")
        if self.hint and not self.passed:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)

    def with_nodeid(self, nodeid: str) -> GateResult:
        return replace(self, nodeid=nodeid)

    def to_dict(self) -> dict[str, JSONValue]:
        """The result as JSON data, in the shape of the report schema's ``gates`` items."""
        return {
            "kind": self.kind,
            "check": self.check,
            "name": self.name,
            "status": self.status,
            "passed": self.passed,
            "severity": self.severity,
            "observed": self.observed,
            "bound": dict(self.bound),
            "summary": self.summary,
            "evidence": list(self.evidence),
            "hint": self.hint,
            "details": dict(self.details),
            "nodeid": self.nodeid,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateResult:
        return cls(
            kind=data["kind"],
            name=data["name"],
            passed=bool(data["passed"]),
            severity=data.get("severity", "fail"),
            observed=data.get("observed"),
            bound=data.get("bound") or {},
            summary=data.get("summary", ""),
            evidence=tuple(data.get("evidence") or ()),
            hint=data.get("hint"),
            details=data.get("details") or {},
            nodeid=data.get("nodeid", ""),
            check=data.get("check", ""),
        )
