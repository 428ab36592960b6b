"""Contracts of the model checks: metric, champion, slices, dummy model, calibration, fairness, budgets..."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pytest_mlops.details._base import (
    Contract,
    DetailsError,
    Interval,
    _observed,
    _Reader,
    _readers,
)
from pytest_mlops.results import GateResult, JSONValue


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
class DummyModelDetails(Contract):
    """``baseline``: the model's metric against a dummy model's (``observed`` = the gain).

    The dummy model is a class-prior or mean predictor (scikit-learn's ``DummyClassifier`` /
    ``DummyRegressor``) or one the test gives; a *stored baseline* (a file kept in the repository)
    is :class:`~pytest_mlops.details.generic.StoredBaselineDetails`.
    """

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
    def from_gate(cls, gate: GateResult) -> DummyModelDetails:
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
