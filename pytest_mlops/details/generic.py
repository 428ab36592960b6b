"""Contracts of the checks of no one kind: a stored baseline, deepchecks suites, the generic gate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from pytest_mlops.details._base import (
    Contract,
    _observed,
    _Reader,
    _readers,
)
from pytest_mlops.results import GateResult, JSONValue


@dataclass(frozen=True)
class StoredBaselineDetails(Contract):
    """``stored_baseline``: the value (``observed``) against a committed baseline file; ``baseline``
    is None when the file is missing; ``updated`` when ``--mlops-update-baselines`` wrote it."""

    checks: ClassVar[tuple[str, ...]] = ("stored_baseline",)
    value: float | None
    baseline: float | None
    direction: str
    baseline_file: str
    updated: bool
    max_drop: float | None
    max_relative_drop: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> StoredBaselineDetails:
        d, b = _readers(gate)
        return cls(_observed(gate), d.opt_num("baseline"), d.text("direction"), d.text("baseline_file"),
                   bool(d.opt_flag("updated")), b.opt_num("max_drop"), b.opt_num("max_relative_drop"))  # fmt: skip

    def limit(self) -> float | None:
        """The lowest (highest, when lower is better) value the bounds allow."""
        if self.baseline is None or self.updated:
            return None
        sign = 1.0 if self.direction == "higher" else -1.0
        limits = [self.baseline - sign * v for v in (self.max_drop,) if v is not None]
        if self.max_relative_drop is not None:
            limits.append(self.baseline - sign * self.max_relative_drop * abs(self.baseline))
        if not limits:
            return None
        return max(limits) if sign > 0 else min(limits)


@dataclass(frozen=True)
class Condition:
    name: str
    category: str
    details: str

    @classmethod
    def read(cls, r: _Reader) -> Condition:
        return cls(r.text("name"), r.text("category"), r.opt_text("details") or "")


@dataclass(frozen=True)
class DeepchecksDetails(Contract):
    """``deepchecks``: one deepchecks check's conditions (or the ``error`` that stopped it)."""

    checks: ClassVar[tuple[str, ...]] = ("deepchecks",)
    suite: str | None
    check: str | None
    header: str
    html: str | None
    error: str | None
    conditions: tuple[Condition, ...]

    @classmethod
    def from_gate(cls, gate: GateResult) -> DeepchecksDetails:
        d, _ = _readers(gate)
        return cls(d.opt_text("suite"), None if d.raw("check") is None else str(d.raw("check")), d.text("header"),
                   d.opt_text("html"), d.opt_text("error"),
                   d.items("conditions", Condition.read, optional=True))  # fmt: skip


@dataclass(frozen=True)
class GenericDetails(Contract):
    """``""`` (the generic gate and a user's own): a number against ``at_least``/``at_most``;
    ``extra`` holds the user's own details, whatever they are."""

    checks: ClassVar[tuple[str, ...]] = ("",)
    value: float | None
    at_least: float | None
    at_most: float | None
    extra: Mapping[str, JSONValue] = field(default_factory=dict)

    @classmethod
    def from_gate(cls, gate: GateResult) -> GenericDetails:
        _, b = _readers(gate)
        return cls(_observed(gate), b.opt_num("at_least"), b.opt_num("at_most"), dict(gate.details))
