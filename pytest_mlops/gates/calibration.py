"""Calibration gate: expected calibration error and Brier skill score of a binary classifier.

The engine is :func:`pytest_mlops.stats.calibration.calibration` (equal-width bins on [0, 1],
``n_bins`` of them, 10 by default). The gate records one ``model`` result of check
``calibration`` whose details hold the reliability bins; the HTML report draws them as a
reliability diagram. It answers what deepchecks' ``CalibrationScore`` shows (Brier score and a
reliability curve), with bounds.

numpy is imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

from typing import Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, optional_number, require_bound
from pytest_mlops.gates._summary import Check, summarize
from pytest_mlops.gates.model._common import call_model, model_result
from pytest_mlops.results import GateResult, fmt

__all__ = ["check_calibration"]


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def binary_truth(y_true: Any, pos_label: Any, classes: Any = None) -> tuple[Any, Any]:
    """``(outcome as bool array, positive label)`` of binary labels; one clear error otherwise."""
    __tracebackhide__ = True
    import numpy as np

    from pytest_mlops.stats.metrics import as_array

    y = as_array(y_true, "y_true")
    if y.ndim != 1:
        raise MlopsInputError(f"y_true must be one label per row (1-D), got shape {y.shape}")
    if y.dtype.kind in "fc" and not np.isfinite(y).all():
        rows = np.flatnonzero(~np.isfinite(y))
        raise MlopsInputError(f"y_true has {len(rows)} NaN value(s) (first at row {int(rows[0])}); drop those rows")
    if y.dtype.kind == "O" and any(v is None or (isinstance(v, float) and v != v) for v in y):
        raise MlopsInputError("y_true has missing labels (None/NaN); drop those rows")
    seen = [_plain(v) for v in np.unique(y)]
    known = [_plain(c) for c in classes] if classes is not None else seen
    if len(set(seen) | set(known)) > 2:
        raise MlopsInputError(
            f"this gate is for binary classification, but the labels hold {len(set(seen) | set(known))} classes "
            f"({sorted(set(seen) | set(known), key=str)[:5]!r})"
        )
    if pos_label is None:
        candidates = sorted(set(seen) | set(known), key=str)
        pos_label = 1 if 1 in candidates else True if True in candidates else candidates[-1]
    elif pos_label not in set(seen) | set(known):
        raise MlopsInputError(f"pos_label={pos_label!r} is not one of the labels {sorted(set(seen), key=str)!r}")
    return np.asarray(y == pos_label, dtype=bool), pos_label


def _positive_probability(source: Any, X: Any, y_prob: Any, pos_label: Any, y_true: Any) -> tuple[Any, Any, Any]:
    """``(outcome, probability of the positive class, pos_label)`` from probabilities or a model."""
    __tracebackhide__ = True
    import numpy as np

    from pytest_mlops.stats.metrics import as_array

    classes = None
    if source is not None:
        if y_prob is not None:
            raise MlopsInputError("give y_prob or model=, not both")
        if not callable(getattr(source, "predict_proba", None)):
            raise MlopsInputError(
                f"the model ({type(source).__name__}) has no predict_proba: calibration needs probabilities"
            )
        y_prob, classes = call_model(source, "predict_proba", X)
    elif y_prob is None:
        raise MlopsInputError("give the predicted probabilities (y_prob) or a model with X=")
    outcome, pos_label = binary_truth(y_true, pos_label, classes)
    prob = as_array(y_prob, "y_prob")
    if prob.ndim == 2:
        if prob.shape[1] != 2:
            raise MlopsInputError(f"y_prob has {prob.shape[1]} columns; a binary classifier's predict_proba has 2")
        # columns follow the model's classes_, else the sorted labels (as scikit-learn orders them)
        labels = classes if classes is not None else np.unique(as_array(y_true, "y_true"))
        order = [_plain(c) for c in labels]
        column = order.index(pos_label) if pos_label in order else 1
        prob = prob[:, column]
    elif prob.ndim != 1:
        raise MlopsInputError(f"y_prob must be one probability per row, got shape {prob.shape}")
    if prob.dtype.kind not in "fiub":
        raise MlopsInputError(f"y_prob must be numbers (probabilities), got values of type {prob.dtype}")
    prob = prob.astype(float)
    if len(prob) != len(outcome):
        raise MlopsInputError(
            f"y_true has {len(outcome)} rows but y_prob has {len(prob)}: give one probability per row"
        )
    bad = ~np.isfinite(prob)
    if bad.any():
        raise MlopsInputError(
            f"y_prob has {int(bad.sum())} NaN or infinite value(s) (first at row {int(np.flatnonzero(bad)[0])}); "
            "every row needs a probability"
        )
    outside = (prob < 0) | (prob > 1)
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise MlopsInputError(
            f"y_prob has {int(outside.sum())} value(s) outside [0, 1] (row {row}: {prob[row]!r}); "
            "pass probabilities (predict_proba), not scores or logits"
        )
    return outcome, prob, pos_label


def check_calibration(
    y_true: Any,
    y_prob: Any = None,
    *,
    model: Any = None,
    X: Any = None,
    max_ece: float | None = None,
    min_brier_skill: float | None = None,
    n_bins: int = 10,
    pos_label: Any = None,
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Gate the calibration of a binary classifier's probabilities.

    ``max_ece`` bounds the expected calibration error over ``n_bins`` equal-width bins on
    [0, 1] (default 10); ``min_brier_skill`` bounds the Brier skill score against a model that
    always predicts the base rate (1 is perfect, 0 no better than the base rate). ``y_prob`` is
    the positive class's probability per row, or ``predict_proba`` output (two columns); or
    give ``model=`` with ``X=``.

    Example::

        check_calibration(y_test, model=clf, X=X_test, max_ece=0.05, min_brier_skill=0.2)
        check_calibration(y_test, clf.predict_proba(X_test)[:, 1], max_ece=0.05, n_bins=15)
    """
    __tracebackhide__ = True
    from pytest_mlops.stats.calibration import calibration

    ece_bound = optional_number("max_ece", max_ece, at_least=0)
    skill_bound = optional_number("min_brier_skill", min_brier_skill)
    require_bound("calibration gate", {"max_ece": ece_bound, "min_brier_skill": skill_bound})
    integer("n_bins", n_bins, at_least=1)
    outcome, prob, pos = _positive_probability(model, X, y_prob, pos_label, y_true)
    cal = calibration(outcome, prob, n_bins)
    checks: list[Check] = []
    if ece_bound is not None:
        ok = cal.ece <= ece_bound
        checks.append((ok, f"ECE {fmt(cal.ece)} {'<=' if ok else '>'} max_ece {fmt(ece_bound)}"))
    if skill_bound is not None:
        ok = cal.brier_skill >= skill_bound
        checks.append(
            (ok, f"Brier skill {fmt(cal.brier_skill)} {'>=' if ok else '<'} min_brier_skill {fmt(skill_bound)}")
        )
    passed, judgement = summarize(checks)
    summary = f"{judgement} ({n_bins} equal-width bins, {cal.n} rows)"
    filled = sorted(
        (b for b in cal.bins if b.n), key=lambda b: -abs((b.fraction_positive or 0) - (b.mean_predicted or 0))
    )
    evidence = [
        f"Brier {fmt(cal.brier)} vs base-rate model {fmt(cal.brier_reference)} (base rate {fmt(cal.base_rate)})",
        *(
            f"bin [{fmt(b.low)}, {fmt(b.high)}{']' if b.high == 1 else ')'}: mean predicted {fmt(b.mean_predicted)}, "
            f"observed {fmt(b.fraction_positive)} (n={b.n})"
            for b in filled[:3]
        ),
    ]
    details = {
        "metric": "ece" if ece_bound is not None else "brier_skill",
        "direction": "lower" if ece_bound is not None else "higher",
        "n": cal.n,
        "pos_label": _plain(pos),
        "binning": "equal-width",
        "n_bins": n_bins,
        "ece": cal.ece,
        "brier": cal.brier,
        "brier_reference": cal.brier_reference,
        "brier_skill": cal.brier_skill,
        "base_rate": cal.base_rate,
        "bins": [
            {
                "low": b.low,
                "high": b.high,
                "n": b.n,
                "mean_predicted": b.mean_predicted,
                "fraction_positive": b.fraction_positive,
            }
            for b in cal.bins
        ],
    }
    return _recorder.emit(
        model_result(
            check="calibration",
            name=name or "calibration",
            passed=passed,
            severity=severity,
            observed=cal.ece if ece_bound is not None else cal.brier_skill,
            bound={"max_ece": ece_bound, "min_brier_skill": skill_bound},
            summary=summary,
            evidence=evidence,
            hint=None
            if passed
            else "recalibrate (sklearn.calibration.CalibratedClassifierCV) or check the training labels",
            details=details,
        )
    )
