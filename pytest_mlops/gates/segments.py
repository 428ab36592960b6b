"""Weak-segment discovery: fail when some one- or two-feature segment is clearly worse than overall.

The search and its statistics live in :mod:`pytest_mlops.stats.segments` (what is searched, the
intervals, the multiple-testing correction); this module validates the input, turns the model's
predictions into a per-row score, runs the search and records one ``model`` gate result of check
``weak_segments``. Reachable as ``mlops_model.weak_segments(...)``.

numpy, pandas and the engine are imported inside the function, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.metrics import Evaluator, Metric

__all__ = ["SEGMENT_METRICS", "check_weak_segments"]

#: metrics that are a mean of a per-row score (what a segment's value can be computed from)
SEGMENT_METRICS = ("accuracy", "log_loss", "brier", "mae", "mse", "mape")


def _per_row(ev: Evaluator) -> tuple[Any, bool]:
    """(score per row, is it a 0/1 rate) whose mean is the metric."""
    import numpy as np

    from pytest_mlops.stats.metrics import _row_loss

    if ev.metric.family == "accuracy":
        assert ev.y_code is not None
        assert ev.pred_code is not None
        return (ev.y_code == ev.pred_code).astype(np.float64), True
    return _row_loss(ev), False


def check_weak_segments(
    metric: str | Metric | Callable[[Any, Any], float],
    y_true: Any,
    y_pred: Any = None,
    *,
    X: Any,
    max_gap: float,
    model: Any = None,
    features: Sequence[str] | None = None,
    min_size: int | None = None,
    confidence: float = 0.95,
    correction: str = "bonferroni",
    bins: int = 10,
    pair_bins: int = 5,
    max_categories: int = 20,
    pairs: bool = True,
    top: int = 10,
    name: str | None = None,
    severity: str | None = None,
    labels: Any = None,
    pos_label: Any = None,
) -> GateResult:
    """Search one- and two-feature segments of ``X`` for one where the model is worse than overall.

    Fails when a segment of at least ``min_size`` rows (default ``max(30, 1% of rows)``) is worse
    than the overall metric by more than ``max_gap`` (in the metric's units) at ``confidence``,
    after correcting for the number of segments tested (``correction="bonferroni"``, or ``"bh"``).
    Searched: each category, each quantile bin of a numeric column (``bins``) and every contiguous
    range of bins, and the cells of every pair of columns (numeric ones in ``pair_bins`` bins).
    ``metric`` is one of :data:`SEGMENT_METRICS` (a mean of a per-row score). The result lists the
    ``top`` segments with the largest lower bound of their gap, with size, metric and interval.

    Example::

        check_weak_segments("accuracy", y_test, model=clf, X=X_test, max_gap=0.1)
        check_weak_segments("log_loss", y_test, clf.predict_proba(X_test), X=X_test,
                            features=["plan", "tenure"], max_gap=0.2, min_size=200)
    """
    __tracebackhide__ = True
    import numpy as np

    from pytest_mlops.gates.model._common import base_details, evaluate, model_result, resolve
    from pytest_mlops.stats.segments import CORRECTIONS, encode_feature, search

    m = resolve(metric, None, None)
    if m.family not in SEGMENT_METRICS:
        raise MlopsInputError(
            f"weak-segment gate: metric {m.name!r} is not a mean over rows, so a segment's value cannot be "
            f"compared with the rest; use one of {', '.join(SEGMENT_METRICS)}"
        )
    gap_bound = number("max_gap", max_gap, at_least=0)
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.5 <= confidence < 1:
        raise MlopsInputError(f"confidence={confidence!r} must be a number from 0.5 to below 1, such as 0.95")
    if correction not in CORRECTIONS:
        raise MlopsInputError(f"correction={correction!r} is not valid; use one of {CORRECTIONS}")
    bins = integer("bins", bins, at_least=2)
    pair_bins = integer("pair_bins", pair_bins, at_least=2)
    max_categories = integer("max_categories", max_categories, at_least=1)
    top = integer("top", top, at_least=1)
    columns = getattr(X, "columns", None)
    if columns is None or not callable(getattr(X, "__getitem__", None)):
        raise MlopsInputError(
            f"weak-segment gate: X must be a DataFrame holding the columns to segment by, got {type(X).__name__}"
        )
    if isinstance(features, str):
        raise MlopsInputError(f"features={features!r} must be a list of column names, e.g. [{features!r}]")
    known = [str(c) for c in columns]
    wanted = [str(c) for c in (features if features is not None else known)]
    absent = [c for c in wanted if c not in known]
    if absent:
        raise MlopsInputError(
            f"weak-segment gate: X has no column {absent[0]!r} (features=); its columns are {known[:20]!r}"
        )
    if not wanted:
        raise MlopsInputError("weak-segment gate: no feature to segment by; give features= or an X with columns")
    ev = evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
    if len(X) != ev.n:
        raise MlopsInputError(f"X has {len(X)} rows but y_true has {ev.n}: give the features of the evaluated rows")
    n = ev.n
    size = max(30, math.ceil(0.01 * n)) if min_size is None else integer("min_size", min_size, at_least=2)
    score, rate = _per_row(ev)
    if not np.all(np.isfinite(score)):
        raise MlopsInputError(f"{m.name} is not finite on some rows; check the predictions")
    single, crossed = [], []
    for column in wanted:
        values = X[column]
        values = values.to_numpy() if callable(getattr(values, "to_numpy", None)) else np.asarray(values)
        single.append(encode_feature(column, values, bins=bins, max_categories=max_categories))
        if pairs:
            crossed.append(
                single[-1]
                if pair_bins == bins
                else encode_feature(column, values, bins=pair_bins, max_categories=max_categories)
            )
    found = search(
        score,
        single,
        rate=rate,
        higher_is_better=m.direction == "higher",
        max_gap=gap_bound,
        min_size=size,
        confidence=float(confidence),
        correction=correction,
        pairs=crossed,
        top=top,
    )
    overall = found.overall
    rows = [s.as_details() for s in found.worst]
    weak = [s for s in found.worst if s.weak]
    how = f"{'Bonferroni' if correction == 'bonferroni' else 'Benjamini-Hochberg'} over {found.tested} segments"
    level = f"{fmt(confidence * 100)}% confidence"
    if not found.tested:
        summary = f"no segment of at least {size} rows (and a rest of as many) to test among {n} rows"
        passed = True
        observed = None
    elif weak:
        w = weak[0]
        summary = (
            f"{found.weak_count} weak segment{'s' if found.weak_count != 1 else ''}; worst {w.label} (n={w.n}): "
            f"{m.name} {fmt(w.value)} vs {fmt(overall)} overall, gap lower bound {fmt(w.gap_low)} > max_gap "
            f"{fmt(gap_bound)} ({level}, {how})"
        )
        passed = False
        observed = w.gap_low
    else:
        w = found.worst[0]
        summary = (
            f"no weak segment: largest gap lower bound {fmt(w.gap_low)} <= max_gap {fmt(gap_bound)} "
            f"({w.label}, n={w.n}; {level}, {how})"
        )
        passed = True
        observed = w.gap_low
    evidence = [
        f"{s.label}: n={s.n}, {m.name} {fmt(s.value)} [{fmt(s.value_low)}, {fmt(s.value_high)}], gap {fmt(s.gap)} "
        f"(lower bound {fmt(s.gap_low)}){', weak' if s.weak else ''}"
        for s in found.worst
    ]
    details = {
        **base_details(m, ev),
        "overall": overall,
        "segments": rows,
        "tested": found.tested,
        "weak_count": found.weak_count,
        "features": wanted,
        "min_size": size,
        "max_gap": gap_bound,
        "confidence": float(confidence),
        "per_segment_level": found.per_segment_level,
        "correction": correction,
        "bins": bins,
        "pair_bins": pair_bins if pairs else None,
        "method": "Agresti-Caffo" if rate else "Welch",
    }
    return _recorder.emit(
        model_result(
            check="weak_segments",
            name=name or f"weak segments by {m.name}",
            passed=passed,
            severity=severity,
            observed=observed,
            bound={"max_gap": gap_bound, "min_size": size, "confidence": float(confidence)},
            summary=summary,
            evidence=evidence,
            hint=None
            if passed
            else "the model underperforms on these rows: inspect the segment, add training data or features for it",
            details=details,
        )
    )
