"""Contracts of the deployment checks: shadow, canary, A/B tests and the sample-ratio check."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from pytest_mlops.details._base import (
    Contract,
    _Reader,
    _readers,
)
from pytest_mlops.results import GateResult, JSONValue


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
