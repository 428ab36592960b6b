"""Fairness gate: a metric per group of one sensitive feature, computed by fairlearn.

For one sensitive feature (a column of ``X`` or one value per row) the gate builds a
fairlearn ``MetricFrame`` of the chosen metric by group and bounds, as asked:

* ``max_difference`` — largest minus smallest group value (``MetricFrame.difference()``),
* ``min_ratio`` — smallest over largest group value (``MetricFrame.ratio()``),
* ``max_demographic_parity_difference`` — gap in selection rate
  (``fairlearn.metrics.demographic_parity_difference``),
* ``max_equalized_odds_difference`` — the larger of the true- and false-positive-rate gaps
  (``fairlearn.metrics.equalized_odds_difference``).

Groups with fewer than ``min_group_size`` rows are reported (their values shown) but not
judged: the numbers above are computed on the rows of the other groups only. Labels are
binary; ``pos_label`` (default 1, or the larger label) is the favourable outcome.

fairlearn is an optional extra (``pip install 'pytest-mlops[fairness]'``), imported inside the
function, as are numpy and pandas.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MissingExtraError, MlopsInputError
from pytest_mlops.gates._bounds import integer, optional_number, require_bound
from pytest_mlops.gates._summary import Check, summarize
from pytest_mlops.gates.calibration import _plain, binary_truth
from pytest_mlops.gates.model._common import call_model, model_result
from pytest_mlops.results import GateResult, fmt

__all__ = ["FAIRNESS_METRICS", "check_fairness"]

#: metric names the gate knows (each on binary 0/1 labels); a callable ``f(y_true, y_pred)`` works too
FAIRNESS_METRICS = (
    "selection_rate",
    "accuracy",
    "precision",
    "recall",
    "f1",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_negative_rate",
)

_INSTALL = "the fairness gate needs fairlearn, which is not installed: pip install 'pytest-mlops[fairness]'"


def _fairlearn() -> Any:
    __tracebackhide__ = True
    try:
        import fairlearn.metrics
    except ImportError:
        raise MissingExtraError(_INSTALL) from None
    return fairlearn.metrics


def _metric(metric: Any, fm: Any) -> tuple[str, Callable[..., float]]:
    __tracebackhide__ = True
    if callable(metric):
        return getattr(metric, "__name__", "metric"), metric
    from sklearn import metrics as sk

    table: dict[str, Callable[..., float]] = {
        "selection_rate": fm.selection_rate,
        "accuracy": sk.accuracy_score,
        "precision": lambda t, p: sk.precision_score(t, p, zero_division=0),
        "recall": lambda t, p: sk.recall_score(t, p, zero_division=0),
        "f1": lambda t, p: sk.f1_score(t, p, zero_division=0),
        "true_positive_rate": fm.true_positive_rate,
        "false_positive_rate": fm.false_positive_rate,
        "false_negative_rate": fm.false_negative_rate,
        "true_negative_rate": fm.true_negative_rate,
    }
    if metric not in table:
        import difflib

        close = difflib.get_close_matches(str(metric), FAIRNESS_METRICS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise MlopsInputError(
            f"unknown fairness metric {metric!r}{hint}; use one of {', '.join(FAIRNESS_METRICS)} or f(y_true, y_pred)"
        )
    return str(metric), table[metric]


def _groups(sensitive: Any, X: Any) -> tuple[str, Any]:
    """``(feature name, group key per row as text)``."""
    __tracebackhide__ = True
    import numpy as np

    from pytest_mlops.stats.metrics import as_array

    if isinstance(sensitive, str):
        columns = getattr(X, "columns", None)
        if columns is None or sensitive not in list(columns):
            where = "X has no such column" if columns is not None else "X is not a DataFrame"
            shown = f" (columns: {', '.join(map(str, list(columns)[:8]))})" if columns is not None else ""
            raise MlopsInputError(
                f"sensitive={sensitive!r} names a column, but {where}{shown}; pass a column of X or one group per row"
            )
        feature, values = sensitive, X[sensitive]
    else:
        label = getattr(sensitive, "name", None)
        feature, values = (label if isinstance(label, str) else "sensitive"), sensitive
    keys = as_array(values, f"sensitive feature {feature!r}")
    if keys.ndim != 1:
        raise MlopsInputError(f"sensitive feature {feature!r} must be one group per row (1-D), got shape {keys.shape}")
    missing = [i for i, v in enumerate(keys.tolist()) if v is None or (isinstance(v, float) and math.isnan(v))]
    if missing:
        raise MlopsInputError(
            f"sensitive feature {feature!r} has {len(missing)} missing value(s) (first at row {missing[0]}); "
            "fill them with a group of their own (e.g. 'unknown') or drop those rows"
        )
    return feature, np.asarray([str(_plain(v)) for v in keys.tolist()], dtype=object)


def check_fairness(
    y_true: Any,
    y_pred: Any = None,
    *,
    sensitive: Any,
    model: Any = None,
    X: Any = None,
    metric: str | Callable[[Any, Any], float] = "selection_rate",
    max_difference: float | None = None,
    min_ratio: float | None = None,
    max_demographic_parity_difference: float | None = None,
    max_equalized_odds_difference: float | None = None,
    min_group_size: int = 30,
    pos_label: Any = None,
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Gate the gap (or ratio) of a metric between the groups of one sensitive feature.

    ``sensitive`` is a column name of ``X`` or one group per row; ``y_pred`` are predicted
    labels (or give ``model=`` with ``X=``). ``metric`` is one of :data:`FAIRNESS_METRICS`
    (default ``selection_rate``) or ``f(y_true, y_pred) -> float``. Groups smaller than
    ``min_group_size`` are reported, not judged. Call once per sensitive feature.

    Example::

        check_fairness(y_test, model=clf, X=X_test, sensitive="sex", metric="recall",
                       max_difference=0.1, max_equalized_odds_difference=0.15, min_group_size=50)
        check_fairness(y_test, y_hat, sensitive=X_test["age_band"], min_ratio=0.8)  # four-fifths rule
    """
    __tracebackhide__ = True
    import numpy as np
    import pandas as pd

    from pytest_mlops.stats.metrics import as_array

    fm = _fairlearn()
    given = {
        "max_difference": max_difference,
        "min_ratio": min_ratio,
        "max_demographic_parity_difference": max_demographic_parity_difference,
        "max_equalized_odds_difference": max_equalized_odds_difference,
    }
    require_bound("fairness gate", given)
    bounds = {k: optional_number(k, v, at_least=0) for k, v in given.items()}
    integer("min_group_size", min_group_size, at_least=1)
    metric_name, func = _metric(metric, fm)
    classes = None
    if model is not None:
        if y_pred is not None:
            raise MlopsInputError("give y_pred or model=, not both")
        y_pred, classes = call_model(model, "predict", X)
    elif y_pred is None:
        raise MlopsInputError("give the predicted labels (y_pred) or a model with X=")
    truth, pos = binary_truth(y_true, pos_label, classes)
    pred = as_array(y_pred, "y_pred")
    if pred.ndim != 1:
        raise MlopsInputError(f"y_pred must be one predicted label per row, got shape {pred.shape}")
    if len(pred) != len(truth):
        raise MlopsInputError(f"y_true has {len(truth)} rows but y_pred has {len(pred)}: give one label per row")
    if pred.dtype.kind in "fc" and not np.isfinite(pred).all():
        raise MlopsInputError(f"y_pred has {int((~np.isfinite(pred)).sum())} NaN value(s); every row needs a label")
    if pred.dtype.kind == "f" and not np.isin(pred, [0.0, 1.0]).all() and pos not in set(np.unique(pred).tolist()):
        raise MlopsInputError("y_pred must be predicted labels, not probabilities: threshold them or pass model=")
    predicted = np.asarray(pred == pos, dtype=int)
    actual = truth.astype(int)
    feature, groups = _groups(sensitive, X)
    if len(groups) != len(actual):
        raise MlopsInputError(
            f"sensitive feature {feature!r} has {len(groups)} values but y_true has {len(actual)} rows"
        )
    names, counts = np.unique(groups, return_counts=True)
    if len(names) < 2:
        raise MlopsInputError(
            f"sensitive feature {feature!r} has one group only ({names[0]!r}): there is nothing to compare"
        )
    everything = fm.MetricFrame(
        metrics={"value": func, "selection_rate": fm.selection_rate},
        y_true=actual,
        y_pred=predicted,
        sensitive_features=pd.Series(groups, name=feature),
    ).by_group
    large = {str(g) for g, c in zip(names, counts, strict=True) if c >= min_group_size}
    rows = [
        {
            "group": str(g),
            "n": int(c),
            "value": float(everything.loc[g, "value"]),
            "selection_rate": float(everything.loc[g, "selection_rate"]),
            "judged": str(g) in large,
        }
        for g, c in zip(names, counts, strict=True)
    ]
    values: dict[str, float | None] = {
        "difference": None,
        "ratio": None,
        "demographic_parity_difference": None,
        "equalized_odds_difference": None,
    }
    checks: list[Check] = []
    if len(large) >= 2:
        keep = np.isin(groups, list(large))
        kept = pd.Series(groups[keep], name=feature)
        frame = fm.MetricFrame(metrics=func, y_true=actual[keep], y_pred=predicted[keep], sensitive_features=kept)
        values["difference"] = float(frame.difference())
        values["ratio"] = float(frame.ratio())
        values["demographic_parity_difference"] = float(
            fm.demographic_parity_difference(actual[keep], predicted[keep], sensitive_features=kept)
        )
        values["equalized_odds_difference"] = float(
            fm.equalized_odds_difference(actual[keep], predicted[keep], sensitive_features=kept)
        )
        tests = (
            ("max_difference", "difference", f"{metric_name} difference", "<="),
            ("min_ratio", "ratio", f"{metric_name} ratio", ">="),
            (
                "max_demographic_parity_difference",
                "demographic_parity_difference",
                "demographic parity difference",
                "<=",
            ),
            ("max_equalized_odds_difference", "equalized_odds_difference", "equalized odds difference", "<="),
        )
        for bound_key, value_key, label, op in tests:
            bound = bounds[bound_key]
            if bound is None:
                continue
            value = values[value_key]
            assert value is not None
            if math.isnan(value):
                checks.append((False, f"{label} is undefined (a group has no rows for it)"))
                continue
            ok = value <= bound + 1e-12 if op == "<=" else value >= bound - 1e-12
            shown = f"{label} {fmt(value)} {op if ok else ('>' if op == '<=' else '<')} {bound_key} {fmt(bound)}"
            checks.append((ok, shown))
    else:
        checks.append(
            (
                False,
                f"fewer than two groups have at least min_group_size={min_group_size} rows "
                f"({len(large)} of {len(names)}; largest {int(counts.max())})",
            )
        )
    passed, judgement = summarize(checks)
    judged = sorted((r for r in rows if r["judged"]), key=lambda r: float(str(r["value"])))
    small = [r for r in rows if not r["judged"]]
    summary = judgement + f" across {len(judged)} groups of {feature!r}"
    if small:
        summary += f"; {len(small)} group{'s' if len(small) != 1 else ''} below min_group_size not judged"
    rate_too = metric_name != "selection_rate"
    evidence = [f"{feature}={r['group']}: {metric_name} {fmt(r['value'])}"
                + (f", selection rate {fmt(r['selection_rate'])}" if rate_too else "") + f" (n={r['n']})"
                for r in judged]  # fmt: skip
    evidence += [f"{feature}={r['group']}: not judged, {r['n']} rows < min_group_size {min_group_size}" for r in small]
    observed_key = next(
        (v for b, v in (("max_difference", "difference"), ("min_ratio", "ratio"),
                        ("max_demographic_parity_difference", "demographic_parity_difference"),
                        ("max_equalized_odds_difference", "equalized_odds_difference")) if bounds[b] is not None),
        "difference",
    )  # fmt: skip
    details = {
        "metric": metric_name,
        "direction": "lower",
        "n": len(actual),
        "pos_label": _plain(pos),
        "feature": feature,
        "groups": judged + small,
        "min_group_size": min_group_size,
        **values,
    }
    return _recorder.emit(
        model_result(
            check="fairness",
            name=name or f"{metric_name} by {feature}",
            passed=passed,
            severity=severity,
            observed=values[observed_key],
            bound=bounds,
            summary=summary,
            evidence=evidence,
            hint=None
            if passed
            else (
                "lower min_group_size or gather more rows per group"
                if len(large) < 2
                else "the model treats the groups differently: inspect the worst group before promoting"
            ),
            details=details,
        )
    )
