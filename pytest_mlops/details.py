"""What each gate's result holds: one typed contract per :attr:`GateResult.check`.

Gates keep writing plain JSON data (``observed``, ``bound``, ``details``), because that is
what travels through pytest-xdist, JUnit and the JSON report. This module says, per check,
which of those keys exist and what they mean, as frozen dataclasses; :func:`parse` reads a
:class:`~pytest_mlops.results.GateResult` into the contract of its check and raises
:class:`DetailsError` when the data does not follow it. The renderers draw from the parsed
contract, so a chart is chosen by the check, never by which keys a dict happens to hold.

The table :data:`CONTRACTS` maps every canonical check name (``docs/architecture.md``) to its
contract. Each contract's ``from_gate`` reads the keys the gate writes; keys marked optional
are absent in some real results (a cold start, saved statistics, an older report).

Standard library only, so the renderers that use it stay light.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, TypeVar

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import GateResult, JSONValue

__all__ = [
    "CONTRACTS",
    "Contract",
    "DetailsError",
    "parse",
]

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


# -- schema and feature ------------------------------------------------------------------------------------


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


# -- model ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricDetails(Contract):
    """``metric``: one metric (``observed``) against ``at_least``/``at_most``."""

    checks: ClassVar[tuple[str, ...]] = ("metric",)
    metric: str
    direction: str
    value: float | None
    at_least: float | None
    at_most: float | None
    n: int | None
    interval: Interval | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> MetricDetails:
        d, b = _readers(gate)
        interval = d.opt_sub("interval")
        return cls(d.text("metric"), d.text("direction"), _observed(gate), b.opt_num("at_least"), b.opt_num("at_most"),
                   d.opt_integer("n"), Interval.read(interval) if interval else None)  # fmt: skip


@dataclass(frozen=True)
class ChampionDetails(Contract):
    """``champion``: challenger vs champion on one metric; ``champion`` is None on a cold start.

    Bounds (in the metric's good direction): ``max_drop``, ``max_relative_drop``, ``min_gain``,
    ``min_relative_gain``.
    """

    checks: ClassVar[tuple[str, ...]] = ("champion",)
    metric: str
    direction: str
    challenger: float
    champion: float | None
    cold_start: bool
    gain: float | None
    max_drop: float | None
    max_relative_drop: float | None
    min_gain: float | None
    min_relative_gain: float | None
    n: int | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> ChampionDetails:
        d, b = _readers(gate)
        return cls(
            d.text("metric"), d.text("direction"), d.num("challenger"), d.opt_num("champion"),
            bool(d.opt_flag("cold_start")), d.opt_num("gain"), b.opt_num("max_drop"), b.opt_num("max_relative_drop"),
            b.opt_num("min_gain"), b.opt_num("min_relative_gain"), d.opt_integer("n"),
        )  # fmt: skip

    def limit(self) -> float | None:
        """The strictest of the bounds, as a value of the challenger's metric (None on a cold start)."""
        if self.champion is None:
            return None
        sign = 1.0 if self.direction != "lower" else -1.0
        scale = abs(self.champion)
        pairs = ((self.max_drop, -1.0), (self.max_relative_drop, -scale), (self.min_gain, 1.0),
                 (self.min_relative_gain, scale))  # fmt: skip
        limits = [self.champion + sign * factor * value for value, factor in pairs if value is not None]
        if not limits:
            return None
        return max(limits) if sign > 0 else min(limits)


@dataclass(frozen=True)
class NonInferiorityDetails(Contract):
    """``non_inferiority``: the bootstrap interval of challenger − champion against ``-margin``."""

    checks: ClassVar[tuple[str, ...]] = ("non_inferiority",)
    metric: str
    direction: str
    challenger: float
    champion: float | None
    difference: float | None
    interval: Interval | None
    margin: float
    level: float | None
    cold_start: bool

    @classmethod
    def from_gate(cls, gate: GateResult) -> NonInferiorityDetails:
        d, b = _readers(gate)
        interval = d.opt_sub("interval")
        return cls(
            d.text("metric"), d.text("direction"), d.num("challenger"), d.opt_num("champion"),
            d.opt_num("difference"), Interval.read(interval) if interval else None, b.num("margin"),
            b.opt_num("level"), bool(d.opt_flag("cold_start")),
        )  # fmt: skip


@dataclass(frozen=True)
class Slice:
    """One slice: ``value`` is None (and ``passed`` None) when it was not evaluated."""

    slice: str
    n: int
    value: float | None
    passed: bool | None
    note: str

    @classmethod
    def read(cls, r: _Reader) -> Slice:
        return cls(str(r.raw("slice")), r.integer("n"), r.opt_num("value"), r.opt_flag("passed"),
                   r.opt_text("note") or "")  # fmt: skip


@dataclass(frozen=True)
class SlicesDetails(Contract):
    """``slices``: the metric per slice against ``at_least``/``at_most``, and the best-worst ``gap``."""

    checks: ClassVar[tuple[str, ...]] = ("slices",)
    metric: str
    direction: str
    slices: tuple[Slice, ...]
    gap: float | None
    column: str | None
    at_least: float | None
    at_most: float | None
    max_gap: float | None
    min_size: int | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> SlicesDetails:
        d, b = _readers(gate)
        return cls(
            d.text("metric"), d.text("direction"), d.items("slices", Slice.read), d.opt_num("gap"),
            d.opt_text("column"), b.opt_num("at_least"), b.opt_num("at_most"), b.opt_num("max_gap"),
            d.opt_integer("min_size"),
        )  # fmt: skip


@dataclass(frozen=True)
class WeakSegment:
    """One searched segment of a ``weak_segments`` gate: its metric with interval and its gap."""

    segment: str
    features: tuple[str, ...]
    n: int
    value: float
    interval: Interval
    gap: float
    gap_interval: Interval
    p_value: float
    p_adjusted: float
    weak: bool

    @classmethod
    def read(cls, r: _Reader) -> WeakSegment:
        return cls(r.text("segment"), tuple(str(f) for f in r.values("features")), r.integer("n"), r.num("value"),
                   Interval.read(r.sub("interval")), r.num("gap"), Interval.read(r.sub("gap_interval")),
                   r.num("p_value"), r.num("p_adjusted"), r.flag("weak"))  # fmt: skip


@dataclass(frozen=True)
class WeakSegmentsDetails(Contract):
    """``weak_segments``: the searched segments with the largest lower bound of their gap (worst
    first); ``observed`` = the first weak one's lower bound (or the largest), against ``max_gap``.
    ``tested`` segments were corrected for together (``correction``) at ``confidence``."""

    checks: ClassVar[tuple[str, ...]] = ("weak_segments",)
    metric: str
    direction: str
    overall: float
    segments: tuple[WeakSegment, ...]
    tested: int
    weak_count: int
    features: tuple[str, ...]
    min_size: int
    max_gap: float
    confidence: float
    per_segment_level: float
    correction: str
    method: str

    @classmethod
    def from_gate(cls, gate: GateResult) -> WeakSegmentsDetails:
        d, b = _readers(gate)
        return cls(
            d.text("metric"), d.text("direction"), d.num("overall"), d.items("segments", WeakSegment.read),
            d.integer("tested"), d.integer("weak_count"), tuple(str(f) for f in d.values("features")),
            b.integer("min_size"), b.num("max_gap"), b.num("confidence"), d.num("per_segment_level"),
            d.text("correction"), d.text("method"),
        )  # fmt: skip


@dataclass(frozen=True)
class BaselineDetails(Contract):
    """``baseline``: the model's metric against a trivial baseline's (``observed`` = the gain)."""

    checks: ClassVar[tuple[str, ...]] = ("baseline",)
    metric: str
    direction: str
    model: float
    baseline: float
    baseline_kind: str
    gain: float
    min_gain: float | None
    min_relative_gain: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> BaselineDetails:
        d, b = _readers(gate)
        return cls(d.text("metric"), d.text("direction"), d.num("model"), d.num("baseline"), d.text("baseline_kind"),
                   d.num("gain"), b.opt_num("min_gain"), b.opt_num("min_relative_gain"))  # fmt: skip


@dataclass(frozen=True)
class ReliabilityBin:
    """One equal-width bin of a calibration gate; the means are None for an empty bin."""

    low: float
    high: float
    n: int
    mean_predicted: float | None
    fraction_positive: float | None

    @classmethod
    def read(cls, r: _Reader) -> ReliabilityBin:
        return cls(r.num("low"), r.num("high"), r.integer("n"), r.opt_num("mean_predicted"),
                   r.opt_num("fraction_positive"))  # fmt: skip


@dataclass(frozen=True)
class CalibrationDetails(Contract):
    """``calibration``: ECE over equal-width ``bins`` and the Brier skill against the base rate."""

    checks: ClassVar[tuple[str, ...]] = ("calibration",)
    n: int
    n_bins: int
    binning: str
    bins: tuple[ReliabilityBin, ...]
    ece: float
    brier: float
    brier_reference: float
    brier_skill: float
    base_rate: float
    max_ece: float | None
    min_brier_skill: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> CalibrationDetails:
        d, b = _readers(gate)
        return cls(
            d.integer("n"), d.integer("n_bins"), d.text("binning"), d.items("bins", ReliabilityBin.read), d.num("ece"),
            d.num("brier"), d.num("brier_reference"), d.num("brier_skill"), d.num("base_rate"), b.opt_num("max_ece"),
            b.opt_num("min_brier_skill"),
        )  # fmt: skip


@dataclass(frozen=True)
class FairnessGroup:
    """One group of a sensitive feature; ``judged`` is False below ``min_group_size``."""

    group: str
    n: int
    value: float | None
    selection_rate: float | None
    judged: bool

    @classmethod
    def read(cls, r: _Reader) -> FairnessGroup:
        return cls(str(r.raw("group")), r.integer("n"), r.opt_num("value"), r.opt_num("selection_rate"),
                   r.flag("judged"))  # fmt: skip


@dataclass(frozen=True)
class FairnessDetails(Contract):
    """``fairness``: a metric per group of one sensitive ``feature`` and the gaps between groups
    (None when fewer than two groups were large enough to judge)."""

    checks: ClassVar[tuple[str, ...]] = ("fairness",)
    metric: str
    feature: str
    groups: tuple[FairnessGroup, ...]
    min_group_size: int
    difference: float | None
    ratio: float | None
    demographic_parity_difference: float | None
    equalized_odds_difference: float | None
    bounds: Mapping[str, float]

    @classmethod
    def from_gate(cls, gate: GateResult) -> FairnessDetails:
        d, b = _readers(gate)
        keys = ("max_difference", "min_ratio", "max_demographic_parity_difference", "max_equalized_odds_difference")
        bounds = {k: v for k in keys if (v := b.opt_num(k)) is not None}
        return cls(
            d.text("metric"), d.text("feature"), d.items("groups", FairnessGroup.read), d.integer("min_group_size"),
            d.opt_num("difference"), d.opt_num("ratio"), d.opt_num("demographic_parity_difference"),
            d.opt_num("equalized_odds_difference"), bounds,
        )  # fmt: skip


@dataclass(frozen=True)
class RobustnessExample:
    """One flipped (or wrong-way) row: its index label, prediction and perturbed value before/after."""

    row: JSONValue
    prediction_before: JSONValue
    prediction_after: JSONValue
    value_before: JSONValue = None
    value_after: JSONValue = None

    @classmethod
    def read(cls, r: _Reader) -> RobustnessExample:
        return cls(r.raw("row"), r.raw("prediction_before"), r.raw("prediction_after"), r.raw("value_before"),
                   r.raw("value_after"))  # fmt: skip


@dataclass(frozen=True)
class RobustnessDetails(Contract):
    """``invariance`` / ``directional``: the share of rows that flipped (or moved the wrong way)
    under ``perturbation`` (``observed`` = ``flip_rate``), with a few example rows."""

    checks: ClassVar[tuple[str, ...]] = ("invariance", "directional")
    test: str
    perturbation: str
    output: str
    n: int
    flipped: int
    flip_rate: float
    tolerance: float
    column: str | None
    monotone: str | None
    examples: tuple[RobustnessExample, ...]
    max_flip_rate: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> RobustnessDetails:
        d, b = _readers(gate)
        return cls(
            d.text("test"), d.text("perturbation"), d.text("output"), d.integer("n"), d.integer("flipped"),
            d.num("flip_rate"), d.num("tolerance"), d.opt_text("column"), d.opt_text("monotone"),
            d.items("examples", RobustnessExample.read), b.opt_num("max_flip_rate"),
        )  # fmt: skip


@dataclass(frozen=True)
class LatencyDetails(Contract):
    """``latency``: milliseconds per row at p50/p95, against ``p50_ms_at_most``/``p95_ms_at_most``."""

    checks: ClassVar[tuple[str, ...]] = ("latency",)
    p50_ms: float
    p95_ms: float
    mean_ms: float | None
    max_ms: float | None
    batch_size: int
    batches: int
    method: str
    p50_ms_at_most: float | None
    p95_ms_at_most: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> LatencyDetails:
        d, b = _readers(gate)
        out = cls(
            d.num("p50_ms"), d.num("p95_ms"), d.opt_num("mean_ms"), d.opt_num("max_ms"), d.integer("batch_size"),
            d.integer("batches"), d.opt_text("method") or "predict", b.opt_num("p50_ms_at_most"),
            b.opt_num("p95_ms_at_most"),
        )  # fmt: skip
        if out.p50_ms_at_most is None and out.p95_ms_at_most is None:
            raise DetailsError(f"latency gate {gate.name!r}: bound has neither p50_ms_at_most nor p95_ms_at_most")
        return out


@dataclass(frozen=True)
class ModelSizeDetails(Contract):
    """``model_size``: serialized size in MB (``observed``) against ``mb_at_most``."""

    checks: ClassVar[tuple[str, ...]] = ("model_size",)
    mb: float
    mb_at_most: float
    bytes: int
    method: str

    @classmethod
    def from_gate(cls, gate: GateResult) -> ModelSizeDetails:
        d, b = _readers(gate)
        mb = _observed(gate)
        if mb is None:
            raise DetailsError(f"model_size gate {gate.name!r}: observed {gate.observed!r} is not a number of MB")
        return cls(mb, b.num("mb_at_most"), d.integer("bytes"), d.text("method"))


# -- drift ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DriftDetails(Contract):
    """``data_drift``/``prediction_drift``/``label_drift``: columns worst first, and the share drifted.

    ``correction`` (``"bonferroni"``/``"bh"``) means ``p_adjusted`` holds the corrected p-values
    that were compared with each threshold. A declarative gate with a missing or refreshed
    baseline file records only ``baseline_file`` (and ``updated``), no columns.
    """

    checks: ClassVar[tuple[str, ...]] = ("data_drift", "prediction_drift", "label_drift")
    columns: tuple[DriftColumn, ...]
    share_drifted: float | None
    max_share: float | None
    correction: str | None
    sampling: Sampling | None
    target: str | None
    baseline_file: str | None
    updated: bool

    @classmethod
    def from_gate(cls, gate: GateResult) -> DriftDetails:
        d, b = _readers(gate)
        max_share = d.opt_num("max_share")
        return cls(
            d.items("columns", DriftColumn.read, optional=d.has("baseline_file")),
            d.opt_num("share_drifted"), max_share if max_share is not None else b.opt_num("at_most"),
            d.opt_text("correction"), Sampling.read(d.opt_sub("sampling")), d.opt_text("target"),
            d.opt_text("baseline_file"), bool(d.opt_flag("updated")),
        )  # fmt: skip


@dataclass(frozen=True)
class FeatureAuc:
    column: str
    auc: float

    @classmethod
    def read(cls, r: _Reader) -> FeatureAuc:
        return cls(str(r.raw("column")), r.num("auc"))


@dataclass(frozen=True)
class MultivariateDetails(Contract):
    """``multivariate_drift``: a domain classifier's ``score = 2 * AUC - 1`` against ``threshold``,
    and each column's AUC alone (``feature_auc``, best separating first)."""

    checks: ClassVar[tuple[str, ...]] = ("multivariate_drift",)
    auc: float
    score: float
    threshold: float
    feature_auc: tuple[FeatureAuc, ...]
    n_reference: int
    n_current: int
    sampling: Sampling | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> MultivariateDetails:
        d, _ = _readers(gate)
        return cls(d.num("auc"), d.num("score"), d.num("threshold"), d.items("feature_auc", FeatureAuc.read),
                   d.integer("n_reference"), d.integer("n_current"), Sampling.read(d.opt_sub("sampling")))  # fmt: skip


# -- deployment -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShadowRow:
    row: JSONValue
    champion: JSONValue
    challenger: JSONValue
    difference: float | None
    inputs: Mapping[str, JSONValue]

    @classmethod
    def read(cls, r: _Reader) -> ShadowRow:
        inputs = r.raw("inputs")
        return cls(r.raw("row"), r.raw("champion"), r.raw("challenger"), r.opt_num("difference"),
                   dict(inputs) if isinstance(inputs, dict) else {})  # fmt: skip


@dataclass(frozen=True)
class ShadowDetails(Contract):
    """``shadow``: champion and challenger on the same inputs: disagreement rate and distance
    against ``max_disagreement``/``max_distance``; ``rows`` = the most disagreeing rows."""

    checks: ClassVar[tuple[str, ...]] = ("shadow",)
    n: int
    task: str
    disagreement_rate: float
    disagreements: int
    distance: float
    distance_method: str
    rows: tuple[ShadowRow, ...]
    max_disagreement: float | None
    max_distance: float | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> ShadowDetails:
        d, b = _readers(gate)
        return cls(
            d.integer("n"), d.text("task"), d.num("disagreement_rate"), d.integer("disagreements"), d.num("distance"),
            d.text("distance_method"), d.items("rows", ShadowRow.read, optional=True), b.opt_num("max_disagreement"),
            b.opt_num("max_distance"),
        )  # fmt: skip


@dataclass(frozen=True)
class CanaryDetails(Contract):
    """``canary``: the verdict (``promote``/``wait``/``rollback``) and the canary's advantage
    ``effect`` with one-sided bounds ``lower``..``upper`` against ``-max_drop``."""

    checks: ClassVar[tuple[str, ...]] = ("canary",)
    decision: str
    reason: str
    rule: str
    metric: str
    n_canary: int
    n_champion: int
    canary: float
    champion: float
    effect: float | None
    lower: float | None
    upper: float | None
    confidence: float
    max_drop: float
    min_samples: int | None

    @classmethod
    def from_gate(cls, gate: GateResult) -> CanaryDetails:
        d, b = _readers(gate)
        return cls(
            d.text("decision"), d.text("reason"), d.text("rule"), d.text("metric"), d.integer("n_canary"),
            d.integer("n_champion"), d.num("canary"), d.num("champion"), d.opt_num("effect"), d.opt_num("lower"),
            d.opt_num("upper"), d.num("confidence"), d.num("max_drop"), b.opt_integer("min_samples"),
        )  # fmt: skip


@dataclass(frozen=True)
class ABTestDetails(Contract):
    """``ab_proportions``/``ab_means``: treatment − control with its one-sided interval, p-value
    against ``alpha``, and the minimum effect of interest (``require`` better or not_worse)."""

    checks: ClassVar[tuple[str, ...]] = ("ab_proportions", "ab_means")
    test: str
    p_value: float
    effect: float
    ci_low: float
    ci_high: float
    estimate_a: float
    estimate_b: float
    n_a: int
    n_b: int
    mde: float
    required_per_arm: int | None
    require: str
    higher_is_better: bool
    underpowered: bool
    alpha: float
    min_effect: float

    @classmethod
    def from_gate(cls, gate: GateResult) -> ABTestDetails:
        d, b = _readers(gate)
        return cls(
            d.text("test"), d.num("p_value"), d.num("effect"), d.num("ci_low"), d.num("ci_high"), d.num("estimate_a"),
            d.num("estimate_b"), d.integer("n_a"), d.integer("n_b"), d.num("mde"), d.opt_integer("required_per_arm"),
            d.text("require"), d.flag("higher_is_better"), d.flag("underpowered"), b.num("alpha"),
            b.num("min_effect"),
        )  # fmt: skip


@dataclass(frozen=True)
class SampleRatioDetails(Contract):
    """``sample_ratio``: chi-square p-value of the observed split against ``srm_alpha``."""

    checks: ClassVar[tuple[str, ...]] = ("sample_ratio",)
    p_value: float
    statistic: float
    df: int
    observed: tuple[float, ...]
    shares: tuple[float, ...]
    planned_shares: tuple[float, ...]
    srm_alpha: float

    @classmethod
    def from_gate(cls, gate: GateResult) -> SampleRatioDetails:
        d, b = _readers(gate)
        return cls(d.num("p_value"), d.num("statistic"), d.integer("df"), d.numbers("observed"), d.numbers("shares"),
                   d.numbers("planned_shares"), b.num("srm_alpha"))  # fmt: skip


# -- stored baselines, deepchecks, the generic gate ------------------------------------------------------------


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


# -- feature store and reproducibility ------------------------------------------------------------------------


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
class ReproducibilityDetails(Contract):
    """``reproducibility``: runs retrained with one seed, their largest disagreement against ``atol``."""

    checks: ClassVar[tuple[str, ...]] = ("reproducibility",)
    runs: int
    seed: int
    max_difference: float | None
    atol: float

    @classmethod
    def from_gate(cls, gate: GateResult) -> ReproducibilityDetails:
        d, b = _readers(gate)
        return cls(d.integer("runs"), d.integer("seed"), _observed(gate), b.num("atol"))


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


_ALL: Sequence[type[Contract]] = (
    SchemaDetails, ExpectationsDetails, ExampleSkewDetails, DistributionSkewDetails, LeakageDetails,
    MetricDetails, ChampionDetails, NonInferiorityDetails, SlicesDetails, WeakSegmentsDetails, BaselineDetails,
    CalibrationDetails, FairnessDetails, RobustnessDetails, LatencyDetails,
    ModelSizeDetails, DriftDetails, MultivariateDetails, ShadowDetails, CanaryDetails, ABTestDetails,
    SampleRatioDetails, StoredBaselineDetails, DeepchecksDetails, GenericDetails, PointInTimeDetails,
    ReproducibilityDetails, OnlineOfflineDetails, FreshnessDetails,
)  # fmt: skip

#: check name -> its contract (every canonical name in docs/architecture.md).
CONTRACTS: Mapping[str, type[Contract]] = {check: c for c in _ALL for check in c.checks}


def parse(gate: GateResult) -> Contract:
    """The contract of ``gate.check`` read from the result; :class:`DetailsError` when the check
    is unknown or its data does not follow the contract."""
    contract = CONTRACTS.get(gate.check)
    if contract is None:
        raise DetailsError(f"{gate.kind} gate {gate.name!r}: no details contract for check {gate.check!r}")
    return contract.from_gate(gate)


def finite(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (what a chart can place)."""
    return value if value is not None and math.isfinite(value) else None
