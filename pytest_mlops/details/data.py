"""Contracts of the schema, feature and feature-store checks (``kind`` schema, feature, featurestore)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar

from pytest_mlops.details._base import (
    Contract,
    DriftColumn,
    Failure,
    _observed,
    _Reader,
    _readers,
)
from pytest_mlops.results import GateResult, JSONValue


@dataclass(frozen=True)
class SchemaDetails(Contract):
    """``schema``: pandera validation; one failure per failed check (``observed`` = their count)."""

    checks: ClassVar[tuple[str, ...]] = ("schema",)
    failures: tuple[Failure, ...]
    failure_cases: int | None
    rows: int | None
    columns_checked: int | None
    backend: str | None
    environment: str | None
    schema: str | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> SchemaDetails:
        d, _ = _readers(gate)
        return cls(
            d.items("failures", Failure.read),
            d.opt_integer("failure_cases"),
            d.opt_integer("rows"),
            d.opt_integer("columns_checked"),
            d.opt_text("backend"),
            d.opt_text("environment"),
            None if d.raw("schema") is None else str(d.raw("schema")),
        )


@dataclass(frozen=True)
class Expectation:
    """One expectation on one column (``details["checks"]`` of an ``expectations`` gate)."""

    column: str
    check: str
    passed: bool
    observed: JSONValue
    bound: Mapping[str, JSONValue]

    @classmethod
    def read(cls, r: _Reader) -> Expectation:
        bound = r.raw("bound")
        return cls(r.text("column"), r.text("check"), r.flag("passed"), r.raw("observed"),
                   dict(bound) if isinstance(bound, dict) else {})  # fmt: skip


@dataclass(frozen=True)
class ExpectationsDetails(Contract):
    """``expectations``: feature expectations per column; failures worst first."""

    checks: ClassVar[tuple[str, ...]] = ("expectations",)
    failures: tuple[Failure, ...]
    expectations: tuple[Expectation, ...]
    rows: int | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> ExpectationsDetails:
        d, _ = _readers(gate)
        return cls(d.items("failures", Failure.read), d.items("checks", Expectation.read), d.opt_integer("rows"))


@dataclass(frozen=True)
class MismatchColumn:
    column: str
    mismatches: int
    max_abs_diff: float | None

    @classmethod
    def read(cls, r: _Reader) -> MismatchColumn:
        return cls(str(r.raw("column")), r.integer("mismatches"), r.opt_num("max_abs_diff"))


@dataclass(frozen=True)
class ExampleSkewDetails(Contract):
    """``example_skew``: training vs serving feature values row by row."""

    checks: ClassVar[tuple[str, ...]] = ("example_skew",)
    failures: tuple[Failure, ...]
    columns: tuple[MismatchColumn, ...]
    rows: int | None
    key: JSONValue

    @classmethod
    def from_gate(cls, gate: GateResult) -> ExampleSkewDetails:
        d, _ = _readers(gate)
        return cls(d.items("failures", Failure.read), d.items("columns", MismatchColumn.read, optional=True),
                   d.opt_integer("rows"), d.raw("key"))  # fmt: skip


@dataclass(frozen=True)
class DistributionSkewDetails(Contract):
    """``distribution_skew``: per-column distance of serving from training (drift-like columns;
    numeric ``edges`` start at ``-inf`` and end at ``inf``: the gate keeps cut points only)."""

    checks: ClassVar[tuple[str, ...]] = ("distribution_skew",)
    columns: tuple[DriftColumn, ...]
    failures: tuple[Failure, ...]
    share_skewed: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> DistributionSkewDetails:
        d, _ = _readers(gate)

        def column(r: _Reader) -> DriftColumn:
            # the skew gate records interior cut points only: the outer bins are open-ended
            c = DriftColumn.read(r)
            if c.edges is not None and len(c.edges) == len(c.reference) - 1:
                c = replace(c, edges=(-math.inf, *c.edges, math.inf))
            return c

        return cls(d.items("columns", column), d.items("failures", Failure.read, optional=True),
                   d.opt_num("share_skewed"))  # fmt: skip


@dataclass(frozen=True)
class FeatureScore:
    column: str
    score: float | None

    @classmethod
    def read(cls, r: _Reader) -> FeatureScore:
        return cls(str(r.raw("column")), r.opt_num("score"))


@dataclass(frozen=True)
class LeakageDetails(Contract):
    """``leakage``: each feature alone predicting the label (``metric``), against ``at_most``."""

    checks: ClassVar[tuple[str, ...]] = ("leakage",)
    metric: str
    label: str
    rows: int | None
    scores: tuple[FeatureScore, ...]
    failures: tuple[Failure, ...]
    at_most: float

    @classmethod
    def from_gate(cls, gate: GateResult) -> LeakageDetails:
        d, b = _readers(gate)
        return cls(d.text("metric"), str(d.raw("label")), d.opt_integer("rows"), d.items("scores", FeatureScore.read),
                   d.items("failures", Failure.read, optional=True), b.num("at_most"))  # fmt: skip


@dataclass(frozen=True)
class PointInTimeDetails(Contract):
    """``point_in_time``: joined values that an as-of join would not give, per feature column."""

    checks: ClassVar[tuple[str, ...]] = ("point_in_time",)
    rows: int
    wrong_rows: int
    columns_checked: tuple[JSONValue, ...]
    failures: tuple[Failure, ...]

    @classmethod
    def from_gate(cls, gate: GateResult) -> PointInTimeDetails:
        d, _ = _readers(gate)
        return cls(d.integer("rows"), d.integer("wrong_rows"), d.values("columns_checked"),
                   d.items("failures", Failure.read, optional=True))  # fmt: skip


@dataclass(frozen=True)
class OnlineOfflineDetails(Contract):
    """``online_offline``: online values that differ from the offline as-of-now values."""

    checks: ClassVar[tuple[str, ...]] = ("online_offline",)
    now: str
    values: int
    mismatched: int

    @classmethod
    def from_gate(cls, gate: GateResult) -> OnlineOfflineDetails:
        d, _ = _readers(gate)
        observed = _observed(gate)
        return cls(d.text("now"), d.integer("values"), int(observed) if observed is not None else 0)


@dataclass(frozen=True)
class FreshnessDetails(Contract):
    """``freshness``: the age of each feature view's newest materialisation (``views``)."""

    checks: ClassVar[tuple[str, ...]] = ("freshness",)
    now: str
    oldest_seconds: float | None
    views: tuple[JSONValue, ...]

    @classmethod
    def from_gate(cls, gate: GateResult) -> FreshnessDetails:
        d, _ = _readers(gate)
        return cls(d.text("now"), _observed(gate), d.values("views"))
