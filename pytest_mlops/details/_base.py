"""The pieces every contract is made of: the JSON reader with a path in each error, shared rows.

Standard library only, so the renderers that use the contracts stay light.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import GateResult, JSONValue

T = TypeVar("T")


class DetailsError(MlopsInputError):
    """A gate result's data does not follow the contract of its ``check``."""


# -- reading JSON data with a path in every error ----------------------------------------------------


def _number(value: object) -> float | None:
    """A JSON number (non-finite values travel as ``"nan"``/``"inf"``/``"-inf"`` strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if value in ("nan", "inf", "-inf"):
        return float(str(value))
    return None


class _Reader:
    """Typed access to one mapping; errors name the check and the key path."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            raise DetailsError(f"{where} is {type(data).__name__}, not an object")
        self.data: Mapping[str, Any] = data
        self.where = where

    def _missing(self, key: str, what: str) -> DetailsError:
        return DetailsError(f"{self.where}[{key!r}] is missing or not {what} (got {self.data.get(key)!r})")

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def num(self, key: str) -> float:
        value = _number(self.data.get(key))
        if value is None:
            raise self._missing(key, "a number")
        return value

    def opt_num(self, key: str) -> float | None:
        return None if self.data.get(key) is None else self.num(key)

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise self._missing(key, "an integer")
        return value

    def opt_integer(self, key: str) -> int | None:
        return None if self.data.get(key) is None else self.integer(key)

    def text(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str):
            raise self._missing(key, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        return None if self.data.get(key) is None else self.text(key)

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if not isinstance(value, bool):
            raise self._missing(key, "true or false")
        return value

    def opt_flag(self, key: str) -> bool | None:
        return None if self.data.get(key) is None else self.flag(key)

    def raw(self, key: str) -> JSONValue:
        value: JSONValue = self.data.get(key)
        return value

    def items(self, key: str, parse: Callable[[_Reader], T], *, optional: bool = False) -> tuple[T, ...]:
        value = self.data.get(key)
        if value is None and optional:
            return ()
        if not isinstance(value, list):
            raise self._missing(key, "a list")
        return tuple(parse(_Reader(v, f"{self.where}[{key!r}][{i}]")) for i, v in enumerate(value))

    def numbers(self, key: str, *, optional: bool = False) -> tuple[float, ...]:
        value = self.data.get(key)
        if value is None and optional:
            return ()
        if not isinstance(value, list):
            raise self._missing(key, "a list of numbers")
        out = []
        for i, v in enumerate(value):
            number = _number(v)
            if number is None:
                raise DetailsError(f"{self.where}[{key!r}][{i}] is not a number (got {v!r})")
            out.append(number)
        return tuple(out)

    def values(self, key: str) -> tuple[JSONValue, ...]:
        value = self.data.get(key)
        return tuple(value) if isinstance(value, list) else ()

    def sub(self, key: str) -> _Reader:
        return _Reader(self.data.get(key), f"{self.where}[{key!r}]")

    def opt_sub(self, key: str) -> _Reader | None:
        return None if self.data.get(key) is None else self.sub(key)


def _readers(gate: GateResult) -> tuple[_Reader, _Reader]:
    label = f"{gate.kind} gate {gate.name!r} (check {gate.check!r})"
    return _Reader(gate.details, f"{label} details"), _Reader(gate.bound, f"{label} bound")


def _observed(gate: GateResult) -> float | None:
    return _number(gate.observed)


# -- shared pieces ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """``details["interval"]``: a confidence interval ``low``..``high`` at ``level``."""

    low: float
    high: float
    level: float | None

    @classmethod
    def read(cls, r: _Reader) -> Interval:
        return cls(r.num("low"), r.num("high"), r.opt_num("level"))


@dataclass(frozen=True)
class Failure:
    """One row of ``details["failures"]`` (schema and feature gates)."""

    column: str | None
    check: str
    count: int
    examples: tuple[JSONValue, ...] = ()
    rows: tuple[JSONValue, ...] = ()

    @classmethod
    def read(cls, r: _Reader) -> Failure:
        return cls(r.opt_text("column"), r.text("check"), r.integer("count"), r.values("examples"), r.values("rows"))


@dataclass(frozen=True)
class Sampling:
    """``details["sampling"]``: rows kept per side and the seed, when a gate sampled."""

    rows: int
    seed: int | None

    @classmethod
    def read(cls, r: _Reader | None) -> Sampling | None:
        return None if r is None else cls(r.integer("rows"), r.opt_integer("seed"))


@dataclass(frozen=True)
class DriftColumn:
    """One column of a drift (or distribution-skew) gate, worst first.

    Numeric columns have ``edges`` (one more than the shares: the reference minimum, the
    interior reference-quantile cut points, the reference maximum; bins are right-closed
    and tied edges make empty bins); categorical ones have ``categories``.
    """

    column: str
    type: str
    method: str
    score: float | None
    threshold: float
    drifted: bool
    p_value: float | None
    p_adjusted: float | None
    null_rate_reference: float
    null_rate_current: float
    n_reference: int
    n_current: int
    edges: tuple[float, ...] | None
    categories: tuple[str, ...] | None
    reference: tuple[float, ...]
    current: tuple[float, ...]
    notes: tuple[str, ...] = ()

    @classmethod
    def read(cls, r: _Reader) -> DriftColumn:
        hist = r.sub("histogram") if r.has("histogram") else None
        edges = hist.numbers("edges") if hist is not None and hist.has("edges") else None
        cats = tuple(str(c) for c in hist.values("categories")) if hist is not None and hist.has("categories") else None
        return cls(
            column=str(r.raw("column")),
            type=r.text("type"),
            method=r.text("method"),
            score=r.opt_num("score"),
            threshold=r.num("threshold"),
            drifted=r.flag("drifted"),
            p_value=r.opt_num("p_value"),
            p_adjusted=r.opt_num("p_adjusted"),
            null_rate_reference=r.num("null_rate_reference"),
            null_rate_current=r.num("null_rate_current"),
            n_reference=r.integer("n_reference"),
            n_current=r.integer("n_current"),
            edges=edges,
            categories=cats,
            reference=r.numbers("reference", optional=True),
            current=r.numbers("current", optional=True),
            notes=tuple(str(n) for n in r.values("notes")),
        )


class Contract:
    """Base of every check's contract: ``from_gate`` reads a result into it."""

    checks: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_gate(cls, gate: GateResult) -> Contract:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


def finite(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (what a chart can place)."""
    return value if value is not None and math.isfinite(value) else None
