"""Contracts of the drift checks: per-column data, prediction and label drift; multivariate drift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pytest_mlops.details._base import (
    Contract,
    DriftColumn,
    Sampling,
    _Reader,
    _readers,
)
from pytest_mlops.results import GateResult


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
