"""What every model gate shares: resolving the metric, getting predictions, evaluating, the result.

A gate takes the evaluation labels and either predictions (an array: class labels for label
metrics, probabilities/scores for score metrics, numbers for regression) or a model with ``X``
(anything with ``predict``/``predict_proba``: a scikit-learn estimator, or a model the
``mlops_champion``/``mlops_challenger`` fixtures loaded from the MLflow registry). The gate
modules of the model's other checks (calibration, fairness, robustness, weak segments) use
these too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.metrics import Evaluator, Metric

__all__ = [
    "EPS",
    "KIND",
    "base_details",
    "check_sign",
    "evaluate",
    "finite_value",
    "has_predict",
    "model_result",
    "pct",
    "predictions_of",
    "record_lineage",
    "resolve",
]

KIND = "model"
#: slack for comparing two metric values computed the same way
EPS = 1e-12


def resolve(metric: Any, direction: str | None, needs: str | None) -> Metric:
    __tracebackhide__ = True
    from pytest_mlops.stats.metrics import resolve_metric

    return resolve_metric(metric, direction=direction, needs=needs)


def check_sign(m: Metric, gate: str, **bounds: float | None) -> None:
    """A ``neg_*`` scorer is never above 0: a positive bound is the loss's sign, not the scorer's."""
    __tracebackhide__ = True
    if not m.negated:
        return
    for label, bound in bounds.items():
        if bound is not None and bound > 0:
            loss = m.family
            other = "at_most" if label == "at_least" else "at_least"
            raise MlopsInputError(
                f"{gate} gate {m.name!r}: {label}={bound!r} is positive, but {m.name} keeps scikit-learn's sign "
                f"(-{loss}, never above 0, higher is better); write {other}={-bound!r} on {m.name!r}, "
                f"or {label}={bound!r} on {loss!r}"
            )


def has_predict(obj: Any) -> bool:
    return callable(getattr(obj, "predict", None))


def record_lineage(source: Any) -> None:
    """A registry-loaded model (see :mod:`pytest_mlops.integrations.mlflow`) attaches its identity."""
    lineage = getattr(source, "model_lineage", None)
    if callable(lineage):
        entry = dict(lineage())
        name = str(entry.pop("name"))
        entry.pop("role", None)
        _recorder.attach("model", name, **entry)


def predictions_of(metric: Metric, source: Any, X: Any, role: str) -> tuple[Any, Any]:
    """Predictions of ``source`` for ``metric``: ``(array, classes or None)``."""
    __tracebackhide__ = True
    if not has_predict(source):
        if source is None:
            raise MlopsInputError(f"give the {role}'s predictions (an array) or a model with X=")
        return source, None
    _need_features(X, role)
    method = "predict"
    if metric.needs == "scores":
        if callable(getattr(source, "predict_proba", None)):
            method = "predict_proba"
        elif not metric.probabilities and callable(getattr(source, "decision_function", None)):
            method = "decision_function"
        else:
            raise MlopsInputError(
                f"{metric.name} needs predicted probabilities, but the {role} ({type(source).__name__}) has no "
                "predict_proba; load it with its scikit-learn flavor or use a label metric such as accuracy"
            )
    return call_model(source, method, X, role)


def _need_features(X: Any, role: str) -> None:
    __tracebackhide__ = True
    if X is None:
        who = "model=" if role == "model" else f"the {role} model"
        raise MlopsInputError(f"{who} needs the evaluation features: pass X=")


def call_model(source: Any, method: str, X: Any, role: str = "model") -> tuple[Any, Any]:
    """``source.<method>(X)`` and the model's ``classes_`` (or ``None``), after recording its lineage;
    no ``X`` or a failing call is one readable line naming the ``role``."""
    __tracebackhide__ = True
    _need_features(X, role)
    record_lineage(source)
    try:
        predicted = getattr(source, method)(X)
    except MlopsInputError:
        raise
    except Exception as exc:
        raise MlopsInputError(
            f"the {role} ({type(source).__name__}) could not {method} on X: {type(exc).__name__}: {exc}"
        ) from None
    return predicted, getattr(source, "classes_", None)


def evaluate(
    metric: Metric,
    y_true: Any,
    predictions: Any,
    *,
    model: Any = None,
    X: Any = None,
    role: str = "model",
    labels: Any = None,
    pos_label: Any = None,
) -> Evaluator:
    __tracebackhide__ = True
    from pytest_mlops.stats.metrics import prepare

    if predictions is not None and model is not None:
        raise MlopsInputError(f"give the {role}'s predictions or model=, not both")
    source = model if model is not None else predictions
    array, classes = predictions_of(metric, source, X, role)
    what = "y_pred" if role == "model" else f"{role} predictions"
    return prepare(
        metric, y_true, array, labels=labels if labels is not None else classes, pos_label=pos_label, what=what
    )


def finite_value(ev: Evaluator) -> float:
    __tracebackhide__ = True
    value = ev.value()
    if not math.isfinite(value):
        raise MlopsInputError(f"{ev.metric.name} is not a finite number on this data ({value!r})")
    return value


def base_details(metric: Metric, ev: Evaluator | None) -> dict[str, Any]:
    details: dict[str, Any] = {"metric": metric.name, "direction": metric.direction}
    if ev is not None:
        details["n"] = ev.n
        if ev.pos_label is not None and metric.needs != "values":
            details["pos_label"] = ev.pos_label
    return details


def model_result(
    *,
    name: str,
    passed: bool,
    severity: str | None,
    observed: Any,
    bound: Mapping[str, Any],
    summary: str,
    evidence: Sequence[str] = (),
    hint: str | None = None,
    details: Mapping[str, Any],
    check: str,
) -> GateResult:
    __tracebackhide__ = True
    return GateResult(
        kind=KIND,
        check=check,
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity(KIND, severity),
        observed=observed,
        bound={k: v for k, v in bound.items() if v is not None},
        summary=summary,
        evidence=evidence,
        hint=hint,
        details=details,
    )


def pct(value: float) -> str:
    return f"{fmt(value * 100)}%"
