"""Absolute bounds on a model's metric: over all evaluation rows (:func:`check_metric`) and in
every slice, with the gap between the best and worst slice (:func:`check_slices`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, optional_number, require_bound, require_order
from pytest_mlops.gates._summary import tally
from pytest_mlops.gates.model._common import (
    EPS,
    base_details,
    check_sign,
    evaluate,
    finite_value,
    model_result,
    resolve,
)
from pytest_mlops.results import GateResult, check_bounds, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.metrics import Metric

__all__ = ["check_metric", "check_slices"]


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
    m = resolve(metric, direction, needs)
    low = optional_number("at_least", at_least)
    high = optional_number("at_most", at_most)
    require_bound(f"model gate {m.name!r}", {"at_least": low, "at_most": high})
    require_order(low, high, gate=f"model gate {m.name!r}")
    check_sign(m, "model", at_least=low, at_most=high)
    ev = evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
    value = finite_value(ev)
    passed, summary = check_bounds(value, at_least=low, at_most=high)
    wrong_side = (low is not None and value < low and m.direction == "higher") or (
        high is not None and value > high and m.direction == "lower"
    )
    hint = f"{m.name}: {m.direction} is better; the model is on the wrong side of the bound" if wrong_side else None
    return _recorder.emit(
        model_result(
            check="metric",
            name=name or m.name,
            passed=passed,
            severity=severity,
            observed=value,
            bound={"at_least": low, "at_most": high},
            summary=summary,
            evidence=[f"{m.name} = {fmt(value)} on {ev.n} rows"],
            hint=hint,
            details=base_details(m, ev),
        )
    )


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

    m = resolve(metric, direction, needs)
    low = optional_number("at_least", at_least)
    high = optional_number("at_most", at_most)
    gap_bound = optional_number("max_gap", max_gap, at_least=0)
    require_bound(f"slice gate {m.name!r}", {"at_least": low, "at_most": high, "max_gap": gap_bound})
    require_order(low, high, gate=f"slice gate {m.name!r}")
    check_sign(m, "slice", at_least=low, at_most=high)
    integer("min_size", min_size, at_least=1)
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
    ev = evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
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
        gap_ok = gap <= gap_bound + EPS
    problems: list[str] = []
    gap_problem = ""
    if not evaluated:
        problems.append(f"no slice could be evaluated ({len(rows)} slices, largest {max(r['n'] for r in rows)} rows)")
    if failing:
        worst = failing[0]
        problems.append(
            f"{tally(len(failing), len(evaluated), 'slice', 'failed')}, worst {worst['slice']} {worst['check']}"
        )
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
        **base_details(m, ev),
        "slices": evaluated + skipped,
        "gap": gap,
        "min_size": min_size,
        "on_small_slice": on_small_slice,
        "column": column,
    }
    return _recorder.emit(
        model_result(
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
