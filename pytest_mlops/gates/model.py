"""Model gates: metric bounds, champion comparison, non-inferiority, slices, baseline, budgets.

Every gate takes the evaluation labels and either predictions (an array: class labels for
label metrics, probabilities/scores for score metrics, numbers for regression) or a model
with ``X`` (anything with ``predict``/``predict_proba``: a scikit-learn estimator, or a model the
``mlops_champion``/``mlops_challenger`` fixtures loaded from the MLflow registry). A gate records
one :class:`~pytest_mlops.results.GateResult` of kind ``model`` and raises
:class:`~pytest_mlops.errors.GateFailure` when a ``fail`` gate does not hold.

numpy, scikit-learn and the metric engine are imported inside the functions, so importing this
module stays cheap.
"""

from __future__ import annotations

import math
import pickle
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates.segments import check_weak_segments
from pytest_mlops.results import GateResult, check_bounds, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.metrics import Evaluator, Metric

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

KIND = "model"
#: what a champion comparison does when there is no champion yet
COLD_START_POLICIES = ("pass", "warn", "fail")
_EPS = 1e-12


# -- shared helpers --------------------------------------------------------------------------------


def _resolve(metric: Any, direction: str | None, needs: str | None) -> Metric:
    __tracebackhide__ = True
    from pytest_mlops.stats.metrics import resolve_metric

    return resolve_metric(metric, direction=direction, needs=needs)


def _check_sign(m: Metric, gate: str, **bounds: float | None) -> None:
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


def _has_predict(obj: Any) -> bool:
    return callable(getattr(obj, "predict", None))


def _record_lineage(source: Any) -> None:
    """A registry-loaded model (see :mod:`pytest_mlops.integrations.mlflow`) attaches its identity."""
    lineage = getattr(source, "model_lineage", None)
    if callable(lineage):
        entry = dict(lineage())
        name = str(entry.pop("name"))
        entry.pop("role", None)
        _recorder.attach("model", name, **entry)


def _predict(metric: Metric, source: Any, X: Any, role: str) -> tuple[Any, Any]:
    """Predictions of ``source`` for ``metric``: ``(array, classes or None)``."""
    __tracebackhide__ = True
    if not _has_predict(source):
        if source is None:
            raise MlopsInputError(f"give the {role}'s predictions (an array) or a model with X=")
        return source, None
    if X is None:
        who = "model=" if role == "model" else f"the {role} model"
        raise MlopsInputError(f"{who} needs the evaluation features: pass X=")
    _record_lineage(source)
    classes = getattr(source, "classes_", None)
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
    try:
        predicted = getattr(source, method)(X)
    except MlopsInputError:
        raise
    except Exception as exc:
        raise MlopsInputError(
            f"the {role} ({type(source).__name__}) could not {method} on X: {type(exc).__name__}: {exc}"
        ) from None
    return predicted, classes


def _evaluate(
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
    array, classes = _predict(metric, source, X, role)
    what = "y_pred" if role == "model" else f"{role} predictions"
    return prepare(
        metric, y_true, array, labels=labels if labels is not None else classes, pos_label=pos_label, what=what
    )


def _value(ev: Evaluator) -> float:
    __tracebackhide__ = True
    value = ev.value()
    if not math.isfinite(value):
        raise MlopsInputError(f"{ev.metric.name} is not a finite number on this data ({value!r})")
    return value


def _base_details(metric: Metric, ev: Evaluator | None) -> dict[str, Any]:
    details: dict[str, Any] = {"metric": metric.name, "direction": metric.direction}
    if ev is not None:
        details["n"] = ev.n
        if ev.pos_label is not None and metric.needs != "values":
            details["pos_label"] = ev.pos_label
    return details


def _check_number(label: str, value: Any, *, minimum: float | None = 0.0) -> float | None:
    __tracebackhide__ = True
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise MlopsInputError(f"{label}={value!r} is not a number")
    if minimum is not None and value < minimum:
        raise MlopsInputError(f"{label}={value!r} must be at least {minimum:g}")
    return float(value)


def _result(
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


def _pct(value: float) -> str:
    return f"{fmt(value * 100)}%"


# -- absolute bounds ---------------------------------------------------------------------------------


def check_metric(
    metric: str | Metric | Callable[[Any, Any], float],
    y_true: Any,
    y_pred: Any = None,
    *,
    model: Any = None,
    X: Any = None,
    at_least: float | None = None,
    at_most: float | None = None,
    name: str | None = None,
    severity: str | None = None,
    direction: str | None = None,
    needs: str | None = None,
    labels: Any = None,
    pos_label: Any = None,
) -> GateResult:
    """Gate one metric of one model against inclusive bounds.

    Example::

        check_metric("roc_auc", y_test, model=clf, X=X_test, at_least=0.85)
        check_metric("rmse", y_test, reg.predict(X_test), at_most=12.5)
        check_metric(my_cost, y_test, clf.predict(X_test), direction="lower", at_most=3.0)

    ``metric`` is a name (see :data:`pytest_mlops.stats.metrics.METRICS`), a scikit-learn scorer
    name (``"neg_log_loss"``, ``"roc_auc_ovr"``, ``"f1_weighted"``...: the value has the scorer's
    sign, so ``check_metric("neg_log_loss", ..., at_least=-0.35)``), or a function
    ``f(y_true, y_pred) -> float`` with ``direction=`` (and ``needs="scores"`` if it takes
    probabilities).
    """
    __tracebackhide__ = True
    m = _resolve(metric, direction, needs)
    low = _check_number("at_least", at_least, minimum=None)
    high = _check_number("at_most", at_most, minimum=None)
    if low is None and high is None:
        raise MlopsInputError(f"model gate {m.name!r}: give a bound, at_least= and/or at_most=")
    if low is not None and high is not None and low > high:
        raise MlopsInputError(f"model gate {m.name!r}: at_least={low!r} is above at_most={high!r}")
    _check_sign(m, "model", at_least=low, at_most=high)
    ev = _evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
    value = _value(ev)
    passed, summary = check_bounds(value, at_least=low, at_most=high)
    wrong_side = (low is not None and value < low and m.direction == "higher") or (
        high is not None and value > high and m.direction == "lower"
    )
    hint = f"{m.name}: {m.direction} is better; the model is on the wrong side of the bound" if wrong_side else None
    return _recorder.emit(
        _result(
            check="metric",
            name=name or m.name,
            passed=passed,
            severity=severity,
            observed=value,
            bound={"at_least": low, "at_most": high},
            summary=summary,
            evidence=[f"{m.name} = {fmt(value)} on {ev.n} rows"],
            hint=hint,
            details=_base_details(m, ev),
        )
    )


# -- champion comparison -------------------------------------------------------------------------------


def _cold_start(
    m: Metric,
    *,
    name: str,
    policy: str,
    severity: str | None,
    challenger_value: float,
    n: int,
    bound: Mapping[str, Any],
    check: str,
    extra: Mapping[str, Any] | None = None,
) -> GateResult:
    __tracebackhide__ = True
    passed = policy == "pass"
    summary = (
        f"cold start: no champion to compare with (on_cold_start={policy!r}); "
        f"challenger {m.name} {fmt(challenger_value)}"
    )
    details = {
        "metric": m.name,
        "direction": m.direction,
        "n": n,
        "cold_start": True,
        "on_cold_start": policy,
        "champion": None,
        "challenger": challenger_value,
        **(extra or {}),
    }
    return _result(
        check=check,
        name=name,
        passed=passed,
        severity="warn" if policy == "warn" else severity,
        observed=challenger_value,
        bound=bound,
        summary=summary,
        evidence=["no champion model exists yet, so the challenger was not compared"],
        hint=None if passed else "promote a first champion, or use on_cold_start='pass' for the first model",
        details=details,
    )


def _check_policy(on_cold_start: str) -> None:
    __tracebackhide__ = True
    if on_cold_start not in COLD_START_POLICIES:
        raise MlopsInputError(f"on_cold_start={on_cold_start!r} is not valid; use one of {COLD_START_POLICIES}")


def _is_missing(champion: Any) -> bool:
    return champion is None


def compare_to_champion(
    metric: str | Metric | Callable[[Any, Any], float],
    y_true: Any,
    *,
    challenger: Any,
    champion: Any,
    X: Any = None,
    max_drop: float | None = None,
    max_relative_drop: float | None = None,
    min_gain: float | None = None,
    min_relative_gain: float | None = None,
    on_cold_start: str = "pass",
    name: str | None = None,
    severity: str | None = None,
    direction: str | None = None,
    needs: str | None = None,
    labels: Any = None,
    pos_label: Any = None,
) -> GateResult:
    """Gate the challenger against the champion on the same evaluation data.

    ``challenger`` and ``champion`` are models (with ``X=``) or predictions. Bounds, in the
    metric's good direction ("drop" = worse, "gain" = better):

    * ``max_drop=0.01`` — at most 0.01 worse than the champion (absolute),
    * ``max_relative_drop=0.01`` — at most 1% worse,
    * ``min_gain=0.005`` / ``min_relative_gain=0.02`` — must improve by at least that.

    With no bound it requires "not worse" (``max_drop=0``). ``champion=None`` is a cold start:
    ``on_cold_start="pass"`` (default: passes with a note), ``"warn"`` or ``"fail"``.

    Example::

        compare_to_champion("roc_auc", y_test, X=X_test, challenger=mlops_challenger,
                            champion=mlops_champion, max_drop=0.01)
    """
    __tracebackhide__ = True
    m = _resolve(metric, direction, needs)
    _check_policy(on_cold_start)
    bounds = {
        "max_drop": _check_number("max_drop", max_drop),
        "max_relative_drop": _check_number("max_relative_drop", max_relative_drop),
        "min_gain": _check_number("min_gain", min_gain, minimum=None),
        "min_relative_gain": _check_number("min_relative_gain", min_relative_gain, minimum=None),
    }
    if all(v is None for v in bounds.values()):
        bounds["max_drop"] = 0.0
    label = name or f"{m.name} vs champion"
    chal = _evaluate(m, y_true, challenger, X=X, role="challenger", labels=labels, pos_label=pos_label)
    chal_value = _value(chal)
    if _is_missing(champion):
        return _recorder.emit(
            _cold_start(
                m,
                name=label,
                policy=on_cold_start,
                severity=severity,
                challenger_value=chal_value,
                n=chal.n,
                bound=bounds,
                check="champion",
            )
        )
    champ = _evaluate(m, y_true, champion, X=X, role="champion", labels=labels, pos_label=pos_label)
    champ_value = _value(champ)
    gain = m.better(chal_value, champ_value)
    scale = abs(champ_value)
    checks: list[tuple[bool, str]] = []
    tol = _EPS * max(1.0, scale)
    if bounds["max_drop"] is not None:
        d = bounds["max_drop"]
        drop = -gain
        if drop > d + tol:
            checks.append((False, f"drop {fmt(drop)} > max_drop {fmt(d)}"))
        elif drop > 0:
            checks.append((True, f"drop {fmt(drop)} <= max_drop {fmt(d)}"))
        else:
            checks.append((True, f"no drop (gain {fmt(gain)}; max_drop {fmt(d)})"))
    if (bounds["max_relative_drop"] is not None or bounds["min_relative_gain"] is not None) and scale == 0.0:
        raise MlopsInputError(
            f"the champion's {m.name} is 0, so a relative change is undefined; use max_drop= or min_gain="
        )
    if bounds["max_relative_drop"] is not None:
        r = bounds["max_relative_drop"]
        rel_drop = -gain / scale
        if rel_drop > r + _EPS:
            checks.append((False, f"relative drop {_pct(rel_drop)} > max_relative_drop {_pct(r)}"))
        elif rel_drop > 0:
            checks.append((True, f"relative drop {_pct(rel_drop)} <= max_relative_drop {_pct(r)}"))
        else:
            checks.append((True, f"no drop (relative gain {_pct(-rel_drop)}; max_relative_drop {_pct(r)})"))
    if bounds["min_gain"] is not None:
        g = bounds["min_gain"]
        ok = gain >= g - tol
        checks.append((ok, f"gain {fmt(gain)} {'>=' if ok else '<'} min_gain {fmt(g)}"))
    if bounds["min_relative_gain"] is not None:
        g = bounds["min_relative_gain"]
        rel = gain / scale
        ok = rel >= g - _EPS
        checks.append((ok, f"relative gain {_pct(rel)} {'>=' if ok else '<'} min_relative_gain {_pct(g)}"))
    passed = all(ok for ok, _ in checks)
    shown = [text for ok, text in checks if not ok] or [text for _, text in checks]
    versus = f"challenger {fmt(chal_value)}, champion {fmt(champ_value)}"
    summary = f"{'; '.join(shown)} ({versus})"
    details = {
        **_base_details(m, chal),
        "champion": champ_value,
        "challenger": chal_value,
        "change": chal_value - champ_value,
        "gain": gain,
        "relative_gain": gain / scale if scale else None,
        "cold_start": False,
        "on_cold_start": on_cold_start,
    }
    return _recorder.emit(
        _result(
            check="champion",
            name=label,
            passed=passed,
            severity=severity,
            observed=chal_value,
            bound=bounds,
            summary=summary,
            evidence=[
                f"{m.name}: challenger {fmt(chal_value)}, champion {fmt(champ_value)} on {chal.n} rows "
                f"({m.direction} is better)"
            ],
            hint=None if passed else "the challenger is worse than the champion allows; keep the champion serving",
            details=details,
        )
    )


def _metric_values(source: Any, role: str) -> dict[str, float]:
    """The metrics of an MLflow ``EvaluationResult`` (its ``.metrics``), or of a plain mapping."""
    __tracebackhide__ = True
    if source is None:
        return {}
    metrics = getattr(source, "metrics", source)
    if not isinstance(metrics, Mapping):
        raise MlopsInputError(
            f"{role}={type(source).__name__} has no metrics; pass an MLflow EvaluationResult or a mapping "
            "of metric name to value, e.g. {'accuracy_score': 0.91}"
        )
    values: dict[str, float] = {}
    for key, value in metrics.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            values[str(key)] = float(value)
    return values


def _decimal_ok(value: float, limit: float, greater_is_better: bool) -> bool:
    """``value >= limit`` (or ``<=``) compared as MLflow does, on exact decimals of the two floats."""
    from decimal import Decimal

    return Decimal(value) >= Decimal(limit) if greater_is_better else Decimal(value) <= Decimal(limit)


def check_mlflow_thresholds(
    thresholds: Mapping[str, Any],
    candidate: Any,
    baseline: Any = None,
    *,
    severity: str | None = None,
) -> list[GateResult]:
    """Gate MLflow evaluation results with ``mlflow.models.MetricThreshold`` objects, one result per metric.

    The rules are those of ``mlflow.validate_evaluation_results(thresholds, candidate, baseline)``,
    so thresholds written for MLflow move over unchanged: ``threshold`` bounds the candidate's
    value (``>=`` when ``greater_is_better``, else ``<=``); ``min_absolute_change`` asks the
    candidate to beat the baseline by that much; ``min_relative_change`` by that share of
    ``abs(baseline)`` (a baseline of 0 asks for a strict improvement of 1e-10). A change bound
    with no baseline value fails, as in MLflow. ``candidate`` and ``baseline`` are
    ``EvaluationResult`` objects (from ``mlflow.models.evaluate``) or mappings of metric name to
    value (``run.data.metrics``). A metric the candidate lacks is bad input (MLflow: a failure).

    Example::

        from mlflow.models import MetricThreshold

        thresholds = {"accuracy_score": MetricThreshold(threshold=0.8, min_absolute_change=0.01,
                                                        greater_is_better=True)}
        mlops_model.mlflow_thresholds(thresholds, candidate_result, baseline_result)
    """
    __tracebackhide__ = True
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise MlopsInputError(
            "thresholds must map metric names to mlflow.models.MetricThreshold objects, e.g. "
            "{'accuracy_score': MetricThreshold(threshold=0.8, greater_is_better=True)}"
        )
    cand = _metric_values(candidate, "candidate")
    base = _metric_values(baseline, "baseline")
    checked: list[tuple[str, Any, float]] = []
    for metric, rule in thresholds.items():
        gib = getattr(rule, "greater_is_better", None)
        if not isinstance(metric, str) or not isinstance(gib, bool):
            raise MlopsInputError(
                f"thresholds[{metric!r}] is {type(rule).__name__}, not a MetricThreshold with greater_is_better; "
                "build it with mlflow.models.MetricThreshold(...)"
            )
        if metric not in cand:
            raise MlopsInputError(
                f"the candidate has no metric {metric!r} (it has: {', '.join(sorted(cand)) or 'none'}); "
                "name the metric as the evaluation logged it"
            )
        checked.append((metric, rule, cand[metric]))
    results: list[GateResult] = []
    for metric, rule, value in checked:
        results.append(_recorder.emit(_mlflow_threshold_result(metric, rule, value, base.get(metric), severity)))
    return results


def _mlflow_threshold_result(
    metric: str, rule: Any, value: float, champion: float | None, severity: str | None
) -> GateResult:
    __tracebackhide__ = True
    gib: bool = rule.greater_is_better
    threshold, absolute, relative = rule.threshold, rule.min_absolute_change, rule.min_relative_change
    direction = "higher" if gib else "lower"
    op, worse = (">=", "<") if gib else ("<=", ">")
    checks: list[tuple[bool, str]] = []
    if threshold is not None:
        ok = value >= threshold if gib else value <= threshold
        checks.append((ok, f"{metric} {fmt(value)} {op if ok else worse} threshold {fmt(threshold)}"))
    gain = None if champion is None else (value - champion if gib else champion - value)
    if (absolute or relative) and champion is None:
        checks.append((False, f"no baseline value of {metric} to compare with"))
    elif champion is not None and gain is not None:
        if absolute is not None:
            limit = champion + absolute if gib else champion - absolute
            ok = _decimal_ok(value, limit, gib)
            checks.append((ok, f"gain {fmt(gain)} {'>=' if ok else '<'} min_absolute_change {fmt(absolute)}"))
        if relative is not None:
            if champion == 0:
                ok = _decimal_ok(value, champion + 1e-10 if gib else champion - 1e-10, gib)
                checks.append((ok, f"{'an' if ok else 'no'} improvement on a baseline of 0 (min_relative_change)"))
            else:
                rel = gain / abs(champion)
                ok = not rel < relative
                checks.append(
                    (ok, f"relative gain {_pct(rel)} {'>=' if ok else '<'} min_relative_change {_pct(relative)}")
                )
    passed = all(ok for ok, _ in checks)
    shown = [text for ok, text in checks if not ok] or [text for _, text in checks]
    versus = f"candidate {fmt(value)}" + ("" if champion is None else f", baseline {fmt(champion)}")
    bound: dict[str, Any] = {"min_gain": absolute, "min_relative_gain": relative}
    bound["at_least" if gib else "at_most"] = threshold
    return _result(
        check="champion",
        name=f"{metric} (MLflow thresholds)",
        passed=passed,
        severity=severity,
        observed=value,
        bound=bound,
        summary=f"{'; '.join(shown)} ({versus})",
        evidence=[f"{metric}: {versus} ({direction} is better, as greater_is_better={gib})"],
        hint=None if passed else "the candidate does not meet its MLflow thresholds; keep the baseline serving",
        details={
            "metric": metric,
            "direction": direction,
            "challenger": value,
            "champion": champion,
            "change": None if champion is None else value - champion,
            "gain": gain,
            "relative_gain": gain / abs(champion) if gain is not None and champion else None,
            "cold_start": champion is None,
            "source": "mlflow.models.MetricThreshold",
        },
    )


def check_non_inferiority(
    metric: str | Metric | Callable[[Any, Any], float],
    y_true: Any,
    *,
    challenger: Any,
    champion: Any,
    margin: float,
    X: Any = None,
    level: float = 0.95,
    n_resamples: int = 1000,
    seed: int | None = 0,
    on_cold_start: str = "pass",
    name: str | None = None,
    severity: str | None = None,
    direction: str | None = None,
    needs: str | None = None,
    labels: Any = None,
    pos_label: Any = None,
) -> GateResult:
    """Statistical non-inferiority: the paired bootstrap interval of challenger − champion clears ``-margin``.

    For a higher-is-better metric the gate passes only if the interval's lower bound is above
    ``-margin``; for a lower-is-better metric, if its upper bound is below ``+margin``. The
    interval is a two-sided percentile interval at ``level`` (so the test is one-sided at
    ``(1 - level) / 2``), from ``n_resamples`` paired resamples drawn with ``seed``.

    Example::

        check_non_inferiority("roc_auc", y_test, X=X_test, challenger=mlops_challenger,
                              champion=mlops_champion, margin=0.01, seed=7)
    """
    __tracebackhide__ = True
    from pytest_mlops.stats.bootstrap import paired_difference_interval

    m = _resolve(metric, direction, needs)
    _check_policy(on_cold_start)
    margin_value = _check_number("margin", margin)
    assert margin_value is not None
    label = name or f"{m.name} non-inferior to champion"
    bound = {"margin": margin_value, "level": level}
    chal = _evaluate(m, y_true, challenger, X=X, role="challenger", labels=labels, pos_label=pos_label)
    if _is_missing(champion):
        return _recorder.emit(
            _cold_start(
                m,
                name=label,
                policy=on_cold_start,
                severity=severity,
                challenger_value=_value(chal),
                n=chal.n,
                bound=bound,
                check="non_inferiority",
                extra={"interval": None},
            )
        )
    champ = _evaluate(m, y_true, champion, X=X, role="champion", labels=labels, pos_label=pos_label)
    interval = paired_difference_interval(chal, champ, level=level, n_resamples=n_resamples, seed=seed)
    chal_value, champ_value = chal.value(), champ.value()
    bounds_text = f"[{fmt(interval.low)}, {fmt(interval.high)}]"
    span = f"{_pct(interval.level)} interval of {m.name} challenger − champion is {bounds_text}"
    if m.direction == "higher":
        observed = interval.low
        passed = interval.low > -margin_value
        summary = f"lower bound {fmt(interval.low)} {'>' if passed else '<='} -{fmt(margin_value)} (margin): {span}"
    else:
        observed = interval.high
        passed = interval.high < margin_value
        summary = f"upper bound {fmt(interval.high)} {'<' if passed else '>='} {fmt(margin_value)} (margin): {span}"
    details = {
        **_base_details(m, chal),
        "champion": champ_value,
        "challenger": chal_value,
        "difference": interval.estimate,
        "interval": interval.as_details(),
        "margin": margin_value,
        "method": "paired percentile bootstrap",
        "n_resamples": interval.n_resamples,
        "n_invalid_resamples": interval.n_invalid,
        "seed": seed,
        "cold_start": False,
        "on_cold_start": on_cold_start,
    }
    return _recorder.emit(
        _result(
            check="non_inferiority",
            name=label,
            passed=passed,
            severity=severity,
            observed=observed,
            bound=bound,
            summary=summary,
            evidence=[
                f"{m.name}: challenger {fmt(chal_value)}, champion {fmt(champ_value)}, "
                f"difference {fmt(interval.estimate)} on {chal.n} rows ({m.direction} is better)",
                f"{interval.n_resamples} paired resamples, seed {seed}",
            ],
            hint=None
            if passed
            else "the data cannot rule out that the challenger is worse than the margin: evaluate on more rows, "
            "or keep the champion",
            details=details,
        )
    )


# -- slices --------------------------------------------------------------------------------------------------


def check_slices(
    metric: str | Metric | Callable[[Any, Any], float],
    y_true: Any,
    y_pred: Any = None,
    *,
    slices: Any,
    model: Any = None,
    X: Any = None,
    at_least: float | None = None,
    at_most: float | None = None,
    max_gap: float | None = None,
    min_size: int = 30,
    on_small_slice: str = "skip",
    name: str | None = None,
    severity: str | None = None,
    direction: str | None = None,
    needs: str | None = None,
    labels: Any = None,
    pos_label: Any = None,
) -> GateResult:
    """Gate a metric in every slice (e.g. per country) and the gap between best and worst slice.

    ``slices`` is one key per row, or a column name of ``X`` (a DataFrame). Slices with fewer
    than ``min_size`` rows, or on which the metric is undefined (one class only), are reported
    and skipped (``on_small_slice="skip"``) or fail the gate (``"fail"``).

    Example::

        check_slices("recall", y_test, model=clf, X=X_test, slices="country",
                     at_least=0.7, max_gap=0.1, min_size=200)
    """
    __tracebackhide__ = True
    import numpy as np

    m = _resolve(metric, direction, needs)
    low = _check_number("at_least", at_least, minimum=None)
    high = _check_number("at_most", at_most, minimum=None)
    gap_bound = _check_number("max_gap", max_gap)
    if low is None and high is None and gap_bound is None:
        raise MlopsInputError(f"slice gate {m.name!r}: give at_least=, at_most= and/or max_gap=")
    _check_sign(m, "slice", at_least=low, at_most=high)
    if isinstance(min_size, bool) or not isinstance(min_size, int) or min_size < 1:
        raise MlopsInputError(f"min_size={min_size!r} must be a positive integer")
    if on_small_slice not in ("skip", "fail"):
        raise MlopsInputError(f"on_small_slice={on_small_slice!r} is not valid; use 'skip' or 'fail'")
    column: str | None = None
    if isinstance(slices, str):
        column = slices
        columns = getattr(X, "columns", None)
        if columns is None or slices not in list(columns):
            problem = "has no such column" if columns is not None else "is not a DataFrame"
            raise MlopsInputError(
                f"slices={slices!r} names a column, but X {problem}; "
                "pass the column name of a DataFrame X, or one slice key per row"
            )
        keys = np.asarray(X[slices].to_numpy(), dtype=object)
    else:
        to_numpy = getattr(slices, "to_numpy", None)
        keys = np.asarray(to_numpy() if callable(to_numpy) else slices, dtype=object)
        column = getattr(slices, "name", None) if isinstance(getattr(slices, "name", None), str) else None
    ev = _evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
    if keys.ndim != 1 or len(keys) != ev.n:
        raise MlopsInputError(f"slices has {len(keys)} keys but y_true has {ev.n} rows: give one slice key per row")
    keys = np.asarray(
        ["<missing>" if k is None or (isinstance(k, float) and math.isnan(k)) else k for k in keys], dtype=object
    )
    names = sorted({str(k) for k in keys})
    as_text = np.asarray([str(k) for k in keys])
    rows: list[dict[str, Any]] = []
    for key in names:
        mask = as_text == key
        n = int(mask.sum())
        label = f"{column}={key}" if column else key
        row: dict[str, Any] = {"slice": label, "n": n, "value": None, "passed": None, "note": ""}
        if n < min_size:
            row["note"] = f"too small: {n} rows < min_size {min_size}"
        else:
            try:
                value = ev.subset(mask).value()
            except MlopsInputError as exc:
                row["note"] = f"undefined: {str(exc).split(';')[0]}"
            else:
                row["value"] = value
                if low is not None or high is not None:
                    row["passed"], row["check"] = check_bounds(value, at_least=low, at_most=high)
                else:
                    row["passed"], row["check"] = True, fmt(value)
        rows.append(row)
    evaluated = [r for r in rows if r["value"] is not None]
    skipped = [r for r in rows if r["value"] is None]
    # worst first: by the metric's direction
    sign = 1.0 if m.direction == "higher" else -1.0
    evaluated.sort(key=lambda r: sign * r["value"])
    failing = [r for r in evaluated if not r["passed"]]
    gap = None
    gap_ok = True
    if len(evaluated) >= 2:
        gap = abs(evaluated[-1]["value"] - evaluated[0]["value"])
    if gap_bound is not None and gap is not None:
        gap_ok = gap <= gap_bound + _EPS
    problems: list[str] = []
    gap_problem = ""
    if not evaluated:
        problems.append(f"no slice could be evaluated ({len(rows)} slices, largest {max(r['n'] for r in rows)} rows)")
    if failing:
        worst = failing[0]
        problems.append(f"{len(failing)} of {len(evaluated)} slices failed, worst {worst['slice']} {worst['check']}")
    if not gap_ok:
        assert gap is not None
        gap_problem = (
            f"gap {fmt(gap)} > max_gap {fmt(gap_bound)} (best {evaluated[-1]['slice']} {fmt(evaluated[-1]['value'])}, "
            f"worst {evaluated[0]['slice']} {fmt(evaluated[0]['value'])})"
        )
        problems.append(gap_problem)
    if skipped and on_small_slice == "fail":
        problems.append(
            f"{len(skipped)} slice{'s' if len(skipped) != 1 else ''} could not be evaluated (on_small_slice='fail')"
        )
    passed = not problems
    if passed:
        worst = evaluated[0]
        parts = [f"{len(evaluated)} slices, worst {worst['slice']} {worst['check']}"]
        if gap_bound is not None and gap is not None:
            parts.append(f"gap {fmt(gap)} <= max_gap {fmt(gap_bound)}")
        summary = "; ".join(parts)
    else:
        summary = "; ".join(problems)
    if skipped:
        named = ", ".join(f"{r['slice']} (n={r['n']})" for r in skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        summary += f"; {len(skipped)} slice{'s' if len(skipped) != 1 else ''} skipped: {named}"
    evidence = [f"{r['slice']}: {r['check']} (n={r['n']})" for r in failing]
    if gap_problem:
        evidence.append(gap_problem)
    evidence += [f"{r['slice']}: skipped, {r['note']}" for r in skipped]
    evidence += [f"{r['slice']}: {r['check']} (n={r['n']})" for r in evaluated if r["passed"]]
    for r in rows:
        r.pop("check", None)
        if r["value"] is not None and not r["note"]:
            r["note"] = "ok" if r["passed"] else "below bound" if m.direction == "higher" else "above bound"
    hint = None
    if not passed:
        hint = (
            "lower min_size or gather more rows for the small slices"
            if not evaluated or (skipped and on_small_slice == "fail" and not failing and gap_ok)
            else "the model underperforms on some slices; inspect them before promoting"
        )
    details = {
        **_base_details(m, ev),
        "slices": evaluated + skipped,
        "gap": gap,
        "min_size": min_size,
        "on_small_slice": on_small_slice,
        "column": column,
    }
    return _recorder.emit(
        _result(
            check="slices",
            name=name or f"{m.name} per {column or 'slice'}",
            passed=passed,
            severity=severity,
            observed=evaluated[0]["value"] if evaluated else None,
            bound={"at_least": low, "at_most": high, "max_gap": gap_bound, "min_size": min_size},
            summary=summary,
            evidence=evidence,
            hint=hint,
            details=details,
        )
    )


# -- baseline ----------------------------------------------------------------------------------------------


_CLASSIFIER_BASELINES = ("prior", "most_frequent", "stratified", "uniform")
_REGRESSOR_BASELINES = ("mean", "median")


def _baseline_predictions(m: Metric, baseline: Any, y_fit: Any, n: int, seed: int) -> tuple[Any, str, Any]:
    """(predictions, description, classes) of a dummy baseline strategy."""
    __tracebackhide__ = True
    import numpy as np
    from sklearn.dummy import DummyClassifier, DummyRegressor

    fit_y = np.asarray(y_fit.to_numpy() if callable(getattr(y_fit, "to_numpy", None)) else y_fit)
    zeros_fit = np.zeros((len(fit_y), 1))
    zeros = np.zeros((n, 1))
    if m.task == "regression":
        strategy = "mean" if baseline == "auto" else baseline
        if strategy not in _REGRESSOR_BASELINES:
            raise MlopsInputError(
                f"baseline={baseline!r} is not a regression baseline; use one of {_REGRESSOR_BASELINES}"
            )
        reg = DummyRegressor(strategy=strategy).fit(zeros_fit, fit_y)
        return reg.predict(zeros), strategy, None
    strategy = "prior" if baseline == "auto" else baseline
    if strategy not in _CLASSIFIER_BASELINES:
        raise MlopsInputError(
            f"baseline={baseline!r} is not a classification baseline; use one of {_CLASSIFIER_BASELINES}"
        )
    clf = DummyClassifier(strategy=strategy, random_state=seed).fit(zeros_fit, fit_y)
    predicted = clf.predict_proba(zeros) if m.needs == "scores" else clf.predict(zeros)
    return predicted, strategy, clf.classes_


def check_baseline(
    metric: str | Metric | Callable[[Any, Any], float],
    y_true: Any,
    y_pred: Any = None,
    *,
    model: Any = None,
    X: Any = None,
    baseline: Any = "auto",
    y_train: Any = None,
    min_gain: float | None = None,
    min_relative_gain: float | None = None,
    seed: int = 0,
    name: str | None = None,
    severity: str | None = None,
    direction: str | None = None,
    needs: str | None = None,
    labels: Any = None,
    pos_label: Any = None,
) -> GateResult:
    """The model must beat a simple baseline: by more than 0, or by ``min_gain``/``min_relative_gain``.

    ``baseline`` is a strategy (``"auto"``: class priors for classification, the mean for
    regression; also ``"most_frequent"``, ``"stratified"``, ``"uniform"``, ``"median"``) fitted on
    ``y_train`` (or on the evaluation labels when not given), a fitted model (with ``X=``) or
    its predictions.

    Example::

        check_baseline("f1", y_test, model=clf, X=X_test, y_train=y_train, min_gain=0.1)
    """
    __tracebackhide__ = True
    m = _resolve(metric, direction, needs)
    g = _check_number("min_gain", min_gain, minimum=None)
    rg = _check_number("min_relative_gain", min_relative_gain, minimum=None)
    ev = _evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
    value = _value(ev)
    fitted_on = None
    if isinstance(baseline, str):
        fitted_on = "y_train" if y_train is not None else "evaluation labels"
        predicted, described, base_classes = _baseline_predictions(
            m, baseline, y_train if y_train is not None else ev.y_true, ev.n, seed
        )
        from pytest_mlops.stats.metrics import prepare

        classes = labels if labels is not None else ev.classes
        if base_classes is not None and classes is not None and m.needs == "scores":
            import numpy as np

            known = np.asarray(classes)
            unknown = [c.item() if hasattr(c, "item") else c for c in base_classes if c not in known]
            if unknown:
                raise MlopsInputError(
                    f"y_train holds classes {unknown[:5]!r} that the evaluation does not know "
                    f"({known[:10].tolist()!r}); pass labels=model.classes_"
                )
            # priors fitted on y_train may miss a class of the evaluation set: put columns in place
            placed = np.zeros((ev.n, len(known)))
            for j, c in enumerate(base_classes):
                placed[:, int(np.flatnonzero(known == c)[0])] = predicted[:, j]
            predicted = placed
        base = prepare(m, ev.y_true, predicted, labels=classes, pos_label=ev.pos_label, what="baseline predictions")
    else:
        described = type(baseline).__name__ if _has_predict(baseline) else "given predictions"
        base = _evaluate(m, ev.y_true, baseline, X=X, role="baseline", labels=labels, pos_label=pos_label)
    base_value = _value(base)
    gain = m.better(value, base_value)
    checks: list[tuple[bool, str]] = []
    if g is None and rg is None:
        ok = gain > _EPS
        checks.append((ok, f"gain {fmt(gain)} {'>' if ok else '<='} 0"))
    if g is not None:
        ok = gain >= g - _EPS
        checks.append((ok, f"gain {fmt(gain)} {'>=' if ok else '<'} min_gain {fmt(g)}"))
    if rg is not None:
        if base_value == 0:
            raise MlopsInputError(f"the baseline's {m.name} is 0, so a relative gain is undefined; use min_gain=")
        rel = gain / abs(base_value)
        ok = rel >= rg - _EPS
        checks.append((ok, f"relative gain {_pct(rel)} {'>=' if ok else '<'} min_relative_gain {_pct(rg)}"))
    passed = all(ok for ok, _ in checks)
    shown = [t for ok, t in checks if not ok] or [t for _, t in checks]
    summary = f"{'; '.join(shown)} over baseline {described!r} (model {fmt(value)}, baseline {fmt(base_value)})"
    details = {
        **_base_details(m, ev),
        "baseline": base_value,
        "baseline_kind": described,
        "baseline_fitted_on": fitted_on,
        "model": value,
        "gain": gain,
    }
    return _recorder.emit(
        _result(
            check="baseline",
            name=name or f"{m.name} vs baseline",
            passed=passed,
            severity=severity,
            observed=gain,
            bound={"min_gain": g, "min_relative_gain": rg},
            summary=summary,
            evidence=[f"{m.name}: model {fmt(value)}, baseline {described} {fmt(base_value)} on {ev.n} rows"],
            hint=None if passed else "the model does not beat a trivial baseline: check features, labels and training",
            details=details,
        )
    )


# -- budgets ---------------------------------------------------------------------------------------------------


def _take_rows(X: Any, start: int, stop: int) -> Any:
    iloc = getattr(X, "iloc", None)
    if iloc is not None:
        return iloc[start:stop]
    slicer = getattr(X, "slice", None)  # polars
    if callable(slicer) and not hasattr(X, "__array__"):
        return slicer(start, stop - start)
    return X[start:stop]


def check_latency(
    model: Any,
    X: Any,
    *,
    p50_ms_at_most: float | None = None,
    p95_ms_at_most: float | None = None,
    batch_size: int = 1,
    batches: int = 200,
    warmup: int = 3,
    method: str = "predict",
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Gate prediction latency per row: p50/p95 over ``batches`` calls of ``batch_size`` rows.

    Rows are taken from ``X`` in order (wrapping around); each call's time divided by its row
    count is one observation. ``warmup`` calls are made first and not counted.

    Example::

        check_latency(clf, X_test, p95_ms_at_most=5, batch_size=1, batches=200)
    """
    __tracebackhide__ = True
    import numpy as np

    p50 = _check_number("p50_ms_at_most", p50_ms_at_most)
    p95 = _check_number("p95_ms_at_most", p95_ms_at_most)
    if p50 is None and p95 is None:
        raise MlopsInputError("latency gate: give p50_ms_at_most= and/or p95_ms_at_most= (milliseconds per row)")
    for label, count, least in (("batch_size", batch_size, 1), ("batches", batches, 5), ("warmup", warmup, 0)):
        if isinstance(count, bool) or not isinstance(count, int) or count < least:
            raise MlopsInputError(f"{label}={count!r} must be an integer of at least {least}")
    func = getattr(model, method, None)
    if not callable(func):
        raise MlopsInputError(f"the model ({type(model).__name__}) has no {method}() to time")
    total = len(X)
    if total == 0:
        raise MlopsInputError("X is empty: the latency gate needs rows to predict")
    size = min(batch_size, total)
    _record_lineage(model)

    def call(i: int) -> float:
        start = (i * size) % total
        stop = start + size
        chunk = _take_rows(X, start, stop) if stop <= total else _take_rows(X, 0, size)
        t0 = time.perf_counter()
        func(chunk)
        return time.perf_counter() - t0

    try:
        for i in range(warmup):
            call(i)
        seconds = np.array([call(warmup + i) for i in range(batches)])
    except MlopsInputError:
        raise
    except Exception as exc:
        raise MlopsInputError(f"the model could not {method} on X: {type(exc).__name__}: {exc}") from None
    per_row_ms = seconds * 1000.0 / size
    q50, q95 = (float(v) for v in np.percentile(per_row_ms, [50, 95]))
    checks: list[tuple[bool, str]] = []
    if p95 is not None:
        ok = q95 <= p95
        checks.append((ok, f"p95 {fmt(q95)} ms {'<=' if ok else '>'} {fmt(p95)} ms per row"))
    if p50 is not None:
        ok = q50 <= p50
        checks.append((ok, f"p50 {fmt(q50)} ms {'<=' if ok else '>'} {fmt(p50)} ms per row"))
    passed = all(ok for ok, _ in checks)
    shown = [t for ok, t in checks if not ok] or [t for _, t in checks]
    summary = f"{'; '.join(shown)} ({batches} calls of {size} row{'s' if size != 1 else ''})"
    details = {
        "metric": "latency_ms_per_row",
        "direction": "lower",
        "p50_ms": q50,
        "p95_ms": q95,
        "mean_ms": float(per_row_ms.mean()),
        "max_ms": float(per_row_ms.max()),
        "batch_size": size,
        "batches": batches,
        "warmup": warmup,
        "method": method,
    }
    return _recorder.emit(
        _result(
            check="latency",
            name=name or "prediction latency",
            passed=passed,
            severity=severity,
            observed=q95 if p95 is not None else q50,
            bound={"p50_ms_at_most": p50, "p95_ms_at_most": p95},
            summary=summary,
            evidence=[f"p50 {fmt(q50)} ms, p95 {fmt(q95)} ms, max {fmt(float(per_row_ms.max()))} ms per row"],
            hint=None if passed else "profile predict() (feature pipeline, model size), or batch requests",
            details=details,
        )
    )


def _path_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def check_size(
    model: Any,
    *,
    mb_at_most: float,
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Gate the serialized size of a model, in MB (10⁶ bytes).

    ``model`` is a model object (measured as its pickle), a file or folder path (e.g. an MLflow
    model folder), or a registry model loaded by the fixtures (its downloaded artifacts).

    Example::

        check_size(clf, mb_at_most=50)
    """
    __tracebackhide__ = True
    limit = _check_number("mb_at_most", mb_at_most)
    assert limit is not None
    local = getattr(model, "local_path", None)
    if isinstance(model, (str, Path)):
        from pytest_mlops._io import resolve_path, where_relative

        path = resolve_path(model)
        if not path.exists():
            raise MlopsInputError(f"model path {str(path)!r} does not exist{where_relative(model)}")
        size, method = _path_size(path), "files on disk"
    elif isinstance(local, (str, Path)) and Path(local).exists():
        _record_lineage(model)
        size, method = _path_size(Path(local)), "MLflow model artifacts"
    else:
        try:
            size, method = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)), "pickle"
        except Exception as exc:
            raise MlopsInputError(
                f"the model ({type(model).__name__}) cannot be pickled to measure it ({exc}); pass its saved path"
            ) from None
    mb = size / 1e6
    passed, text = check_bounds(mb, at_most=limit)
    return _recorder.emit(
        _result(
            check="model_size",
            name=name or "model size",
            passed=passed,
            severity=severity,
            observed=mb,
            bound={"mb_at_most": limit},
            summary=f"{text} MB ({method})",
            evidence=[f"{size} bytes ({method})"],
            hint=None if passed else "shrink the model (fewer trees, lower precision) or raise the budget deliberately",
            details={"metric": "size_mb", "direction": "lower", "bytes": size, "method": method},
        )
    )


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
