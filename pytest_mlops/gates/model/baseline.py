"""The model must beat a trivial baseline: a dummy strategy fitted on the labels, another model or
its predictions (:func:`check_baseline`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import optional_number
from pytest_mlops.gates._summary import Check, summarize
from pytest_mlops.gates.model._common import (
    EPS,
    base_details,
    evaluate,
    finite_value,
    has_predict,
    model_result,
    pct,
    resolve,
)
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.metrics import Metric

__all__ = ["check_baseline"]


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
    m = resolve(metric, direction, needs)
    g = optional_number("min_gain", min_gain)
    rg = optional_number("min_relative_gain", min_relative_gain)
    ev = evaluate(m, y_true, y_pred, model=model, X=X, labels=labels, pos_label=pos_label)
    value = finite_value(ev)
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
        described = type(baseline).__name__ if has_predict(baseline) else "given predictions"
        base = evaluate(m, ev.y_true, baseline, X=X, role="baseline", labels=labels, pos_label=pos_label)
    base_value = finite_value(base)
    gain = m.better(value, base_value)
    checks: list[Check] = []
    if g is None and rg is None:
        ok = gain > EPS
        checks.append((ok, f"gain {fmt(gain)} {'>' if ok else '<='} 0"))
    if g is not None:
        ok = gain >= g - EPS
        checks.append((ok, f"gain {fmt(gain)} {'>=' if ok else '<'} min_gain {fmt(g)}"))
    if rg is not None:
        if base_value == 0:
            raise MlopsInputError(f"the baseline's {m.name} is 0, so a relative gain is undefined; use min_gain=")
        rel = gain / abs(base_value)
        ok = rel >= rg - EPS
        checks.append((ok, f"relative gain {pct(rel)} {'>=' if ok else '<'} min_relative_gain {pct(rg)}"))
    passed, judgement = summarize(checks)
    summary = f"{judgement} over baseline {described!r} (model {fmt(value)}, baseline {fmt(base_value)})"
    details = {
        **base_details(m, ev),
        "baseline": base_value,
        "baseline_kind": described,
        "baseline_fitted_on": fitted_on,
        "model": value,
        "gain": gain,
    }
    return _recorder.emit(
        model_result(
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
