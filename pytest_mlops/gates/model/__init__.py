"""Model gates: metric bounds, slices, champion comparison, non-inferiority, baseline, budgets.

Every gate takes the evaluation labels and either predictions (an array: class labels for
label metrics, probabilities/scores for score metrics, numbers for regression) or a model
with ``X`` (anything with ``predict``/``predict_proba``: a scikit-learn estimator, or a model the
``mlops_champion``/``mlops_challenger`` fixtures loaded from the MLflow registry). A gate records
one :class:`~pytest_mlops.results.GateResult` of kind ``model`` and raises
:class:`~pytest_mlops.errors.GateFailure` when a ``fail`` gate does not hold.

The gates live by what they judge: :mod:`.metric` (a metric, per slice), :mod:`.champion`
(challenger vs champion), :mod:`.baseline` (vs a dummy model), :mod:`.budgets` (latency, size);
:mod:`._common` holds what they share. numpy, scikit-learn and the metric engine are imported
inside the functions, so importing this package stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable

from pytest_mlops.gates.model._common import evaluate, finite_value, resolve
from pytest_mlops.gates.model.baseline import check_baseline
from pytest_mlops.gates.model.budgets import check_latency, check_size
from pytest_mlops.gates.model.champion import (
    COLD_START_POLICIES,
    check_mlflow_thresholds,
    check_non_inferiority,
    compare_to_champion,
)
from pytest_mlops.gates.model.metric import check_metric, check_slices
from pytest_mlops.gates.segments import check_weak_segments
from pytest_mlops.results import GateResult

__all__ = [
    "COLD_START_POLICIES",
    "ModelGates",
    "check_baseline",
    "check_latency",
    "check_metric",
    "check_mlflow_thresholds",
    "check_non_inferiority",
    "check_size",
    "check_slices",
    "compare_to_champion",
]

# pytest_mlops.fixtures.gatesfile evaluates a metric for a stored baseline through these old
# private names; new code imports them from pytest_mlops.gates.model._common.
_resolve = resolve
_evaluate = evaluate
_value = finite_value


class ModelGates:
    """The model gates, as returned by the ``mlops_model`` fixture.

    ``mlops_model.metric(...)`` is :func:`check_metric`, ``.compare`` is
    :func:`compare_to_champion`, ``.non_inferior`` is :func:`check_non_inferiority`, ``.slices``
    is :func:`check_slices`, ``.weak_segments`` is
    :func:`pytest_mlops.gates.segments.check_weak_segments`, ``.baseline`` is :func:`check_baseline`, ``.latency`` is
    :func:`check_latency` and ``.size`` is :func:`check_size`. The model checks of their own
    modules: ``.calibration`` (:mod:`pytest_mlops.gates.calibration`), ``.fairness``
    (:mod:`pytest_mlops.gates.fairness`), ``.invariance`` and ``.directional``
    (:mod:`pytest_mlops.gates.robustness`). ``.mlflow_thresholds`` is
    :func:`check_mlflow_thresholds`.
    """

    metric = staticmethod(check_metric)
    compare = staticmethod(compare_to_champion)
    non_inferior = staticmethod(check_non_inferiority)
    slices = staticmethod(check_slices)
    weak_segments = staticmethod(check_weak_segments)
    baseline = staticmethod(check_baseline)
    latency = staticmethod(check_latency)
    size = staticmethod(check_size)
    mlflow_thresholds = staticmethod(check_mlflow_thresholds)

    @property
    def calibration(self) -> Callable[..., GateResult]:
        """:func:`pytest_mlops.gates.calibration.check_calibration` (ECE and Brier skill)."""
        from pytest_mlops.gates.calibration import check_calibration

        return check_calibration

    @property
    def fairness(self) -> Callable[..., GateResult]:
        """:func:`pytest_mlops.gates.fairness.check_fairness` (needs the ``fairness`` extra)."""
        from pytest_mlops.gates.fairness import check_fairness

        return check_fairness

    @property
    def invariance(self) -> Callable[..., GateResult]:
        """:func:`pytest_mlops.gates.robustness.check_invariance` (predictions unchanged under a perturbation)."""
        from pytest_mlops.gates.robustness import check_invariance

        return check_invariance

    @property
    def directional(self) -> Callable[..., GateResult]:
        """:func:`pytest_mlops.gates.robustness.check_directional` (the score moves the declared way)."""
        from pytest_mlops.gates.robustness import check_directional

        return check_directional

    def __repr__(self) -> str:
        return (
            "<pytest-mlops model gates: metric, compare, non_inferior, slices, weak_segments, baseline, latency, size, "
            "calibration, fairness, invariance, directional, mlflow_thresholds>"
        )
