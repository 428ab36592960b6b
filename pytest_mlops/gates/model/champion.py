"""The challenger against the champion: by how much it may be worse (:func:`compare_to_champion`),
statistical non-inferiority with a paired bootstrap (:func:`check_non_inferiority`) and MLflow's
``MetricThreshold`` rules (:func:`check_mlflow_thresholds`). A missing champion is a cold start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import number, optional_number
from pytest_mlops.gates._summary import Check, summarize
from pytest_mlops.gates.model._common import EPS, base_details, evaluate, finite_value, model_result, pct, resolve
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.metrics import Metric

__all__ = ["COLD_START_POLICIES", "check_mlflow_thresholds", "check_non_inferiority", "compare_to_champion"]

#: what a champion comparison does when there is no champion yet
COLD_START_POLICIES = ("pass", "warn", "fail")


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
    return model_result(
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
    m = resolve(metric, direction, needs)
    _check_policy(on_cold_start)
    bounds = {
        "max_drop": optional_number("max_drop", max_drop, at_least=0),
        "max_relative_drop": optional_number("max_relative_drop", max_relative_drop, at_least=0),
        "min_gain": optional_number("min_gain", min_gain),
        "min_relative_gain": optional_number("min_relative_gain", min_relative_gain),
    }
    if all(v is None for v in bounds.values()):
        bounds["max_drop"] = 0.0
    label = name or f"{m.name} vs champion"
    chal = evaluate(m, y_true, challenger, X=X, role="challenger", labels=labels, pos_label=pos_label)
    chal_value = finite_value(chal)
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
    champ = evaluate(m, y_true, champion, X=X, role="champion", labels=labels, pos_label=pos_label)
    champ_value = finite_value(champ)
    gain = m.better(chal_value, champ_value)
    scale = abs(champ_value)
    checks: list[Check] = []
    tol = EPS * max(1.0, scale)
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
        if rel_drop > r + EPS:
            checks.append((False, f"relative drop {pct(rel_drop)} > max_relative_drop {pct(r)}"))
        elif rel_drop > 0:
            checks.append((True, f"relative drop {pct(rel_drop)} <= max_relative_drop {pct(r)}"))
        else:
            checks.append((True, f"no drop (relative gain {pct(-rel_drop)}; max_relative_drop {pct(r)})"))
    if bounds["min_gain"] is not None:
        g = bounds["min_gain"]
        ok = gain >= g - tol
        checks.append((ok, f"gain {fmt(gain)} {'>=' if ok else '<'} min_gain {fmt(g)}"))
    if bounds["min_relative_gain"] is not None:
        g = bounds["min_relative_gain"]
        rel = gain / scale
        ok = rel >= g - EPS
        checks.append((ok, f"relative gain {pct(rel)} {'>=' if ok else '<'} min_relative_gain {pct(g)}"))
    passed, judgement = summarize(checks)
    versus = f"challenger {fmt(chal_value)}, champion {fmt(champ_value)}"
    summary = f"{judgement} ({versus})"
    details = {
        **base_details(m, chal),
        "champion": champ_value,
        "challenger": chal_value,
        "change": chal_value - champ_value,
        "gain": gain,
        "relative_gain": gain / scale if scale else None,
        "cold_start": False,
        "on_cold_start": on_cold_start,
    }
    return _recorder.emit(
        model_result(
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
    checks: list[Check] = []
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
                    (ok, f"relative gain {pct(rel)} {'>=' if ok else '<'} min_relative_change {pct(relative)}")
                )
    passed, judgement = summarize(checks)
    versus = f"candidate {fmt(value)}" + ("" if champion is None else f", baseline {fmt(champion)}")
    bound: dict[str, Any] = {"min_gain": absolute, "min_relative_gain": relative}
    bound["at_least" if gib else "at_most"] = threshold
    return model_result(
        check="champion",
        name=f"{metric} (MLflow thresholds)",
        passed=passed,
        severity=severity,
        observed=value,
        bound=bound,
        summary=f"{judgement} ({versus})",
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

    m = resolve(metric, direction, needs)
    _check_policy(on_cold_start)
    margin_value = number("margin", margin, at_least=0)
    label = name or f"{m.name} non-inferior to champion"
    bound = {"margin": margin_value, "level": level}
    chal = evaluate(m, y_true, challenger, X=X, role="challenger", labels=labels, pos_label=pos_label)
    if _is_missing(champion):
        return _recorder.emit(
            _cold_start(
                m,
                name=label,
                policy=on_cold_start,
                severity=severity,
                challenger_value=finite_value(chal),
                n=chal.n,
                bound=bound,
                check="non_inferiority",
                extra={"interval": None},
            )
        )
    champ = evaluate(m, y_true, champion, X=X, role="champion", labels=labels, pos_label=pos_label)
    interval = paired_difference_interval(chal, champ, level=level, n_resamples=n_resamples, seed=seed)
    chal_value, champ_value = chal.value(), champ.value()
    bounds_text = f"[{fmt(interval.low)}, {fmt(interval.high)}]"
    span = f"{pct(interval.level)} interval of {m.name} challenger − champion is {bounds_text}"
    if m.direction == "higher":
        observed = interval.low
        passed = interval.low > -margin_value
        summary = f"lower bound {fmt(interval.low)} {'>' if passed else '<='} -{fmt(margin_value)} (margin): {span}"
    else:
        observed = interval.high
        passed = interval.high < margin_value
        summary = f"upper bound {fmt(interval.high)} {'<' if passed else '>='} {fmt(margin_value)} (margin): {span}"
    details = {
        **base_details(m, chal),
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
        model_result(
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
