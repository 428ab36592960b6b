"""Model metrics: names, directions, input validation, and fast re-evaluation on resamples.

Long because: the metric table, its input validation and the resample fast paths all work on one
:class:`Evaluator` and are cross-checked together against scikit-learn.

The point value of a built-in metric is computed by scikit-learn (the reference every user
knows). For the bootstrap and for slices, :class:`Evaluator` re-computes the same metric on a
resample from precomputed per-row arrays (a sorted order for ROC AUC, per-row losses, per-class
counts), which is one to two orders of magnitude faster than calling scikit-learn again; the unit
tests cross-check both paths.

Everything here is pure: arrays in, numbers out, :class:`~pytest_mlops.errors.MlopsInputError`
for bad input. No pytest.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from pytest_mlops.errors import MlopsInputError

__all__ = [
    "METRICS",
    "SCORERS",
    "Direction",
    "Evaluator",
    "Metric",
    "Needs",
    "as_array",
    "metric_names",
    "prepare",
    "resolve_metric",
]

Direction = Literal["higher", "lower"]
#: what a metric takes as predictions: class labels, class scores/probabilities, or numbers
Needs = Literal["labels", "scores", "values"]
Average = Literal["binary", "macro", "micro", "weighted"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class Metric:
    """A metric with a known direction.

    Attributes:
        name: the name shown in messages (``"roc_auc"``).
        direction: ``"higher"`` or ``"lower"`` is better.
        needs: ``"labels"`` (predicted classes), ``"scores"`` (probabilities or decision
            scores), ``"values"`` (regression predictions).
        family: the built-in computation (``"accuracy"``, ``"f1"``...) or ``"custom"``.
        average: for precision/recall/F1 on several classes.
        probabilities: the scores must be probabilities in [0, 1] (log loss, Brier).
        min_classes: classes the evaluation labels must hold for the metric to be defined.
        func: a user-supplied ``func(y_true, y_pred) -> float`` (``family == "custom"``).
        negated: the value is the negative of ``family``'s, as scikit-learn's ``neg_*`` scorers
            (``neg_log_loss`` is ``-log_loss``, higher is better).
    """

    name: str
    direction: Direction
    needs: Needs
    family: str
    average: Average | None = None
    probabilities: bool = False
    min_classes: int = 1
    func: Callable[[Any, Any], float] | None = field(default=None, compare=False)
    negated: bool = False

    @property
    def task(self) -> Literal["classification", "regression"]:
        return "regression" if self.needs == "values" else "classification"

    def better(self, a: float, b: float) -> float:
        """How much ``a`` improves on ``b`` in this metric's good direction (negative = worse)."""
        return a - b if self.direction == "higher" else b - a


def _m(name: str, direction: Direction, needs: Needs, family: str, **kw: Any) -> Metric:
    return Metric(name=name, direction=direction, needs=needs, family=family, **kw)


_BUILTIN: list[Metric] = [
    _m("accuracy", "higher", "labels", "accuracy"),
    _m("balanced_accuracy", "higher", "labels", "balanced_accuracy", min_classes=2),
    _m("roc_auc", "higher", "scores", "roc_auc", min_classes=2),
    _m("pr_auc", "higher", "scores", "pr_auc", min_classes=2),
    _m("log_loss", "lower", "scores", "log_loss", probabilities=True, min_classes=2),
    _m("brier", "lower", "scores", "brier", probabilities=True, min_classes=2),
    _m("mae", "lower", "values", "mae"),
    _m("mse", "lower", "values", "mse"),
    _m("rmse", "lower", "values", "rmse"),
    _m("r2", "higher", "values", "r2"),
    _m("mape", "lower", "values", "mape"),
]
for _family in ("precision", "recall", "f1"):
    # the plain name is the positive class for two classes and the macro average otherwise
    _BUILTIN.append(_m(_family, "higher", "labels", _family, min_classes=2))
    for _avg in ("macro", "micro", "weighted"):
        _BUILTIN.append(_m(f"{_family}_{_avg}", "higher", "labels", _family, average=_avg, min_classes=2))

#: Built-in metrics by name.
METRICS: dict[str, Metric] = {m.name: m for m in _BUILTIN}

_ALIASES = {
    "auc": "roc_auc",
    "roc": "roc_auc",
    "average_precision": "pr_auc",
    "logloss": "log_loss",
    "cross_entropy": "log_loss",
    "brier_score": "brier",
    "brier_score_loss": "brier",
    "f1_score": "f1",
    "precision_score": "precision",
    "recall_score": "recall",
    "accuracy_score": "accuracy",
    "r2_score": "r2",
    "mean_absolute_error": "mae",
    "mean_squared_error": "mse",
    "root_mean_squared_error": "rmse",
    "mean_absolute_percentage_error": "mape",
}


#: scikit-learn scorer names (``sklearn.metrics.get_scorer_names()``) that are not already metric
#: names here -> (built-in metric, negated). A ``neg_*`` scorer keeps scikit-learn's sign: its value
#: is the negative loss, higher is better, so ``at_least=-0.35`` on ``neg_log_loss`` means
#: ``log_loss <= 0.35``, exactly as ``cross_val_score(..., scoring="neg_log_loss")`` reports it.
SCORERS: dict[str, tuple[str, bool]] = {
    "roc_auc_ovr": ("roc_auc", False),  # one-vs-rest macro average, as roc_auc on several classes
    "neg_log_loss": ("log_loss", True),
    "neg_brier_score": ("brier", True),
    "neg_mean_absolute_error": ("mae", True),
    "neg_mean_squared_error": ("mse", True),
    "neg_root_mean_squared_error": ("rmse", True),
    "neg_mean_absolute_percentage_error": ("mape", True),
}


def metric_names() -> list[str]:
    """Every name a metric can be given by: built-ins and the scikit-learn scorers they cover."""
    return sorted([*METRICS, *SCORERS])


def _scorer(key: str) -> Metric | None:
    entry = SCORERS.get(key)
    if entry is None:
        return None
    base, negated = entry
    found = METRICS[base]
    if not negated:
        return replace(found, name=key)
    return replace(found, name=key, direction="higher", negated=True)


def _unknown_metric(metric: str, key: str) -> MlopsInputError:
    """The error for a name that is no metric here: the close names, or how to use a scorer we lack."""
    close = difflib.get_close_matches(key, [*METRICS, *SCORERS, *_ALIASES], n=3, cutoff=0.7)
    shown = list(dict.fromkeys(_ALIASES.get(c, c) for c in close))
    from sklearn.metrics import get_scorer_names

    if key in get_scorer_names():
        return MlopsInputError(
            f"scikit-learn scorer {metric!r} is not built in here; pass a function with direction='higher' "
            f"(and needs='scores' if it takes probabilities), or use one of: {', '.join(metric_names())}"
        )
    guess = f"; did you mean {' or '.join(map(repr, shown))}?" if shown else ";"
    return MlopsInputError(
        f"unknown metric {metric!r}{guess} Known metrics: {', '.join(metric_names())}; "
        "or pass a function with direction='higher'|'lower'"
    )


def resolve_metric(
    metric: str | Metric | Callable[[Any, Any], float],
    *,
    direction: str | None = None,
    needs: str | None = None,
    name: str | None = None,
) -> Metric:
    """Turn a metric name, a :class:`Metric` or a function into a :class:`Metric`.

    A function ``func(y_true, y_pred) -> float`` needs ``direction="higher"|"lower"``;
    ``needs`` says what it takes (``"labels"`` by default; ``"scores"``, ``"values"``).
    """
    __tracebackhide__ = True
    if isinstance(metric, Metric):
        return metric
    if isinstance(metric, str):
        key = metric.strip().lower().replace("-", "_").replace(" ", "_")
        key = _ALIASES.get(key, key)
        found = METRICS.get(key) or _scorer(key)
        if found is None:
            raise _unknown_metric(metric, key)
        if direction is not None and direction != found.direction:
            raise MlopsInputError(
                f"metric {found.name!r}: {found.direction} is better, direction={direction!r} contradicts it"
            )
        return found
    if callable(metric):
        label = name or getattr(metric, "__name__", None) or type(metric).__name__
        if direction not in ("higher", "lower"):
            raise MlopsInputError(
                f"metric function {label!r}: say whether a higher or a lower value is better, "
                f"direction='higher' or direction='lower' (got {direction!r})"
            )
        wanted = needs or "labels"
        if wanted not in ("labels", "scores", "values"):
            raise MlopsInputError(f"metric function {label!r}: needs={needs!r}; use 'labels', 'scores' or 'values'")
        return Metric(name=label, direction=direction, needs=wanted, family="custom", func=metric)  # type: ignore[arg-type]
    raise MlopsInputError(f"metric must be a name such as 'roc_auc' or a function, got {metric!r}")


# -- input validation ----------------------------------------------------------------------------


def as_array(values: Any, what: str) -> NDArray[Any]:
    """``values`` (a list, numpy array, pandas or polars series) as a numpy array of one value per row.

    ``what`` names the input in the error (``"y_true"``, ``"sensitive feature 'sex'"``). Every gate
    that reads labels, predictions or keys uses this reader.
    """
    __tracebackhide__ = True
    to_numpy = getattr(values, "to_numpy", None)
    try:
        array = np.asarray(to_numpy() if callable(to_numpy) else values)
    except (TypeError, ValueError) as exc:
        raise MlopsInputError(f"{what} could not be read as an array: {exc}") from None
    if array.ndim == 0:
        raise MlopsInputError(f"{what} must be an array of one value per row, got a scalar {values!r}")
    return array


def _missing_mask(array: NDArray[Any]) -> NDArray[np.bool_]:
    if array.dtype.kind in "fc":
        return np.asarray(~np.isfinite(array))
    if array.dtype.kind == "O":
        return np.asarray(
            [v is None or (isinstance(v, float) and not math.isfinite(v)) for v in array.ravel()]
        ).reshape(array.shape)
    return np.zeros(array.shape, dtype=bool)


def _check_finite(array: NDArray[Any], what: str) -> None:
    __tracebackhide__ = True
    bad = _missing_mask(array)
    if bad.any():
        rows = np.flatnonzero(bad.reshape(len(array), -1).any(axis=1))
        kind = "NaN or infinite" if array.dtype.kind in "fc" else "missing"
        raise MlopsInputError(
            f"{what} has {len(rows)} {kind} value{'s' if len(rows) != 1 else ''} (first at row {int(rows[0])}); "
            "a model gate needs a prediction for every row: fix the model or drop those rows first"
        )


def _show(value: Any) -> str:
    """``repr`` of a numpy scalar as the plain Python value (``0.2``, not ``np.float64(0.2)``)."""
    item = getattr(value, "item", None)
    return repr(item() if callable(item) else value)


def _is_numeric(array: NDArray[Any]) -> bool:
    return array.dtype.kind in "biuf"


def _looks_like_labels(pred: NDArray[Any], classes: NDArray[Any]) -> bool:
    """Hard class labels rather than scores: not numeric, or numeric with only class values."""
    if pred.ndim != 1:
        return False
    if not _is_numeric(pred) or pred.dtype.kind == "b":
        return True
    values = np.unique(pred)
    if not np.all(np.mod(values, 1) == 0):
        return False
    if not _is_numeric(classes):
        return False
    return bool(np.isin(values, classes).all())


def _pick_pos_label(classes: NDArray[Any], pos_label: Any) -> int:
    """Index of the positive class among two ``classes``."""
    __tracebackhide__ = True
    if pos_label is not None:
        hits = np.flatnonzero(classes == pos_label)
        if not len(hits):
            raise MlopsInputError(f"pos_label={pos_label!r} is not one of the classes {classes.tolist()!r}")
        return int(hits[0])
    return len(classes) - 1  # 1 of {0, 1}, True of {False, True}, the last in sorted order otherwise


@dataclass
class Evaluator:
    """A metric bound to validated evaluation data; computes it on all rows or on a resample.

    Build with :func:`prepare`. ``evaluator.value()`` is the point value (scikit-learn);
    ``evaluator.resample(idx)`` the same metric on the rows ``idx`` (with repeats), computed
    from precomputed arrays.
    """

    metric: Metric
    n: int
    y_true: NDArray[Any]
    pred: NDArray[Any]
    classes: NDArray[Any] | None = None
    pos_label: Any = None
    #: encoded labels (0..k-1) for classification
    y_code: IntArray | None = None
    pred_code: IntArray | None = None
    #: scores as (n, k) matrix (classification) for roc/pr/log/brier
    score_matrix: FloatArray | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- point value ---------------------------------------------------------------------------

    def value(self) -> float:
        """The metric on all rows, computed by scikit-learn (or the user's function)."""
        __tracebackhide__ = True
        value = _sklearn_value(self)
        return -value if self.metric.negated else value

    def subset(self, mask: NDArray[np.bool_]) -> Evaluator:
        """The same metric on the rows where ``mask`` is true (revalidated: a slice can be single-class)."""
        __tracebackhide__ = True
        return prepare(
            self.metric,
            self.y_true[mask],
            self.pred[mask],
            labels=self.classes,
            pos_label=self.pos_label,
        )

    # -- resamples -----------------------------------------------------------------------------

    def resample(self, idx: IntArray) -> float:
        """The metric on rows ``idx`` (a bootstrap resample, repeats allowed)."""
        family = self.metric.family
        if family == "custom":
            func = self.metric.func
            assert func is not None
            return float(func(self.y_true[idx], self.pred[idx]))
        value = float(_RESAMPLERS[family](self, idx))
        return -value if self.metric.negated else value


def prepare(
    metric: Metric,
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | NDArray[Any] | None = None,
    pos_label: Any = None,
    what: str = "y_pred",
) -> Evaluator:
    """Validate evaluation data for ``metric`` and return an :class:`Evaluator`.

    ``y_pred`` is what the metric takes: class labels (``model.predict``) for label metrics,
    probabilities or scores (``model.predict_proba``: the positive-class column or the whole
    matrix) for score metrics, numbers for regression metrics. ``labels`` are the classes in
    the order of the score columns (``model.classes_``); by default the sorted classes seen.
    """
    __tracebackhide__ = True
    truth = as_array(y_true, "y_true")
    pred = as_array(y_pred, what)
    if truth.ndim != 1:
        raise MlopsInputError(f"y_true must be one label or value per row (1-D), got shape {truth.shape}")
    n = len(truth)
    if n == 0:
        raise MlopsInputError("y_true is empty: a model gate needs at least one evaluation row")
    if len(pred) != n:
        raise MlopsInputError(
            f"y_true has {n} rows but {what} has {len(pred)}: labels and predictions must come from the same rows"
        )
    _check_finite(truth, "y_true")
    _check_finite(pred, what)
    name = metric.name
    if metric.needs == "values":
        return _prepare_regression(metric, truth, pred, what)
    if metric.family == "custom":
        return Evaluator(metric=metric, n=n, y_true=truth, pred=pred)

    # classification
    if labels is not None:
        classes = np.asarray(labels)
        unseen = np.setdiff1d(np.unique(truth), classes)
        if len(unseen):
            raise MlopsInputError(
                f"y_true holds {unseen[:5].tolist()!r}, which {'is' if len(unseen) == 1 else 'are'} not among the "
                f"model's classes {classes.tolist()!r}"
            )
    elif (
        metric.needs == "labels"
        and pred.ndim == 1
        and _is_numeric(truth) == _is_numeric(pred)
        and not (pred.dtype.kind == "f" and not np.all(np.mod(pred, 1) == 0))
    ):
        classes = np.unique(np.concatenate([truth, pred]))
    else:
        classes = np.unique(truth)
    present = np.unique(truth)
    if len(present) < metric.min_classes:
        raise MlopsInputError(
            f"{name} is undefined when y_true holds a single class ({_show(present[0])}, {n} rows); "
            "evaluate on data holding every class (check the split, or the slice's min_size)"
        )
    if metric.needs == "labels":
        if pred.ndim != 1:
            raise MlopsInputError(
                f"{name} needs one predicted class label per row, but {what} has shape {pred.shape}; "
                "pass model.predict(X), not predict_proba"
            )
        fractional = pred.dtype.kind == "f" and not np.all(np.mod(pred, 1) == 0)
        outside = ~np.isin(pred, classes)
        if fractional or outside.any():
            example = pred[np.mod(pred, 1) != 0][0] if fractional else pred[outside][0]
            raise MlopsInputError(
                f"{name} needs predicted class labels, but {what} holds values such as {_show(example)} that are not "
                f"classes ({classes[:10].tolist()!r}); pass model.predict(X), not predict_proba"
            )
        y_code = np.searchsorted(classes, truth).astype(np.intp)
        pred_code = np.searchsorted(classes, pred).astype(np.intp)
        pos = _pick_pos_label(classes, pos_label) if len(classes) == 2 else None
        return Evaluator(
            metric=metric,
            n=n,
            y_true=truth,
            pred=pred,
            classes=classes,
            pos_label=None if pos is None else classes[pos],
            y_code=y_code,
            pred_code=pred_code,
        )

    # score metrics
    if _looks_like_labels(pred, classes):
        raise MlopsInputError(
            f"{name} needs predicted probabilities or scores, but {what} holds only class labels "
            f"{np.unique(pred)[:10].tolist()!r}; pass model.predict_proba(X)[:, 1] (two classes) or "
            f"model.predict_proba(X), or use a label metric such as accuracy"
        )
    if not _is_numeric(pred):
        raise MlopsInputError(f"{name} needs numeric scores, but {what} has dtype {pred.dtype}")
    pred = pred.astype(np.float64, copy=False)
    k = len(classes)
    if pred.ndim == 1 or (pred.ndim == 2 and pred.shape[1] == 1):
        if k > 2:
            raise MlopsInputError(
                f"{name} on {k} classes needs one score column per class ({what} shape (n, {k}), "
                f"model.predict_proba(X)), got one score per row"
            )
        pos = _pick_pos_label(classes, pos_label)
        column = pred.reshape(n)
        matrix = np.column_stack([1.0 - column, column]) if pos == 1 else np.column_stack([column, 1.0 - column])
    elif pred.ndim == 2:
        if pred.shape[1] != k:
            raise MlopsInputError(
                f"{what} has {pred.shape[1]} score columns but there are {k} classes {classes[:10].tolist()!r}; "
                "pass labels=model.classes_ so columns and classes line up"
            )
        matrix = pred
        pos = _pick_pos_label(classes, pos_label) if k == 2 else -1
    else:
        raise MlopsInputError(f"{what} must be 1-D or 2-D, got shape {pred.shape}")
    if metric.probabilities:
        low, high = float(matrix.min()), float(matrix.max())
        if low < 0.0 or high > 1.0:
            bad = low if low < 0.0 else high
            raise MlopsInputError(
                f"{name} needs probabilities in [0, 1], but {what} holds {bad:.4g}; "
                "pass model.predict_proba(X), not decision_function(X)"
            )
        if pred.ndim == 2 and k > 2:
            sums = matrix.sum(axis=1)
            off = np.flatnonzero(np.abs(sums - 1.0) > 1e-6)
            if len(off):
                raise MlopsInputError(
                    f"{name} needs class probabilities that sum to 1 per row, but row {int(off[0])} of {what} sums to "
                    f"{sums[off[0]]:.4g} ({len(off)} rows off)"
                )
    y_code = np.searchsorted(classes, truth).astype(np.intp)
    return Evaluator(
        metric=metric,
        n=n,
        y_true=truth,
        pred=pred,
        classes=classes,
        pos_label=classes[pos] if k == 2 else None,
        y_code=y_code,
        score_matrix=np.ascontiguousarray(matrix, dtype=np.float64),
    )


def _prepare_regression(metric: Metric, truth: NDArray[Any], pred: NDArray[Any], what: str) -> Evaluator:
    __tracebackhide__ = True
    name = metric.name
    if not _is_numeric(truth):
        raise MlopsInputError(f"{name} is a regression metric: y_true must be numbers, got dtype {truth.dtype}")
    if pred.ndim == 2 and pred.shape[1] == 1:
        pred = pred.reshape(len(pred))
    if pred.ndim != 1 or not _is_numeric(pred):
        raise MlopsInputError(
            f"{name} is a regression metric: {what} must be one number per row, got shape {pred.shape} "
            f"and dtype {pred.dtype}"
        )
    truth = truth.astype(np.float64, copy=False)
    if metric.family == "r2" and len(truth) > 0 and float(np.ptp(truth)) == 0.0:
        raise MlopsInputError(
            f"r2 is undefined when y_true is constant (all {truth[0]:.4g}, {len(truth)} rows); "
            "evaluate on more varied data or use mae/rmse"
        )
    return Evaluator(metric=metric, n=len(truth), y_true=truth, pred=pred.astype(np.float64, copy=False))


# -- point values with scikit-learn ------------------------------------------------------------


def _average(ev: Evaluator) -> str:
    if ev.metric.average is not None:
        return ev.metric.average
    assert ev.classes is not None
    return "binary" if len(ev.classes) == 2 else "macro"


def _sklearn_value(ev: Evaluator) -> float:
    __tracebackhide__ = True
    from sklearn import metrics as skm

    m = ev.metric
    family = m.family
    y, p = ev.y_true, ev.pred
    if family == "custom":
        assert m.func is not None
        try:
            return float(m.func(y, p))
        except MlopsInputError:
            raise
        except Exception as exc:
            raise MlopsInputError(f"metric function {m.name!r} raised {type(exc).__name__}: {exc}") from None
    if family == "mae":
        return float(skm.mean_absolute_error(y, p))
    if family == "mse":
        return float(skm.mean_squared_error(y, p))
    if family == "rmse":
        return float(math.sqrt(skm.mean_squared_error(y, p)))
    if family == "r2":
        return float(skm.r2_score(y, p))
    if family == "mape":
        return float(skm.mean_absolute_percentage_error(y, p))
    if family == "accuracy":
        return float(skm.accuracy_score(y, p))
    if family == "balanced_accuracy":
        return float(skm.balanced_accuracy_score(y, p))
    if family in ("precision", "recall", "f1"):
        func = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[family]
        average = _average(ev)
        kwargs: dict[str, Any] = {"average": average, "zero_division": 0}
        if average == "binary":
            kwargs["pos_label"] = ev.pos_label
        return float(func(y, p, **kwargs))
    assert ev.classes is not None
    assert ev.score_matrix is not None
    classes = ev.classes
    matrix = ev.score_matrix
    binary = len(classes) == 2
    if family == "roc_auc":
        if binary:
            return float(skm.roc_auc_score(y == ev.pos_label, matrix[:, _pos_index(ev)]))
        return float(_macro_ovr(ev, skm.roc_auc_score))
    if family == "pr_auc":
        if binary:
            return float(skm.average_precision_score(y == ev.pos_label, matrix[:, _pos_index(ev)]))
        return float(_macro_ovr(ev, skm.average_precision_score))
    if family == "log_loss":
        return float(skm.log_loss(y, matrix, labels=classes))
    if family == "brier":
        if binary:
            return float(skm.brier_score_loss(y == ev.pos_label, matrix[:, _pos_index(ev)]))
        return float(skm.brier_score_loss(y, matrix, labels=classes))
    raise AssertionError(f"no computation for {family}")  # pragma: no cover


def _pos_index(ev: Evaluator) -> int:
    assert ev.classes is not None
    return int(np.flatnonzero(ev.classes == ev.pos_label)[0])


def _macro_ovr(ev: Evaluator, func: Callable[..., Any]) -> float:
    """One-vs-rest macro average over the classes present in y_true."""
    assert ev.classes is not None
    assert ev.score_matrix is not None
    assert ev.y_code is not None
    values = [
        float(func(ev.y_code == j, ev.score_matrix[:, j]))
        for j in range(len(ev.classes))
        if 0 < int(np.count_nonzero(ev.y_code == j)) < ev.n
    ]
    return float(np.mean(values))


# -- resample computations (no scikit-learn; cross-checked against it in the tests) --------------


def _counts(ev: Evaluator, idx: IntArray, k: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """True positives, predicted counts and true counts per class on rows ``idx``."""
    assert ev.y_code is not None
    assert ev.pred_code is not None
    y = ev.y_code[idx]
    p = ev.pred_code[idx]
    correct = y == p
    tp = np.bincount(y[correct], minlength=k).astype(np.float64)
    known = p >= 0
    pc = np.bincount(p[known], minlength=k).astype(np.float64)
    tc = np.bincount(y, minlength=k).astype(np.float64)
    return tp, pc, tc


def _safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _prf(ev: Evaluator, idx: IntArray) -> float:
    assert ev.classes is not None
    k = len(ev.classes)
    tp, pc, tc = _counts(ev, idx, k)
    family = ev.metric.family
    average = _average(ev)
    if average == "micro":
        tp, pc, tc = tp.sum(keepdims=True), pc.sum(keepdims=True), tc.sum(keepdims=True)
    if family == "precision":
        per = _safe_div(tp, pc)
    elif family == "recall":
        per = _safe_div(tp, tc)
    else:
        per = _safe_div(2.0 * tp, pc + tc)
    if average == "micro":
        return float(per[0])
    if average == "binary":
        return float(per[_pos_index(ev)])
    present = (tc + pc) > 0
    if average == "weighted":
        total = tc.sum()
        return float((per * tc).sum() / total) if total > 0 else 0.0
    return float(per[present].mean())


def _accuracy(ev: Evaluator, idx: IntArray) -> float:
    correct = ev._cache.get("correct")
    if correct is None:
        assert ev.y_code is not None
        assert ev.pred_code is not None
        correct = ev._cache["correct"] = (ev.y_code == ev.pred_code).astype(np.float64)
    return float(correct[idx].mean())


def _balanced_accuracy(ev: Evaluator, idx: IntArray) -> float:
    assert ev.classes is not None
    tp, _, tc = _counts(ev, idx, len(ev.classes))
    present = tc > 0
    return float((tp[present] / tc[present]).mean())


@dataclass(frozen=True)
class _Ranked:
    """One score column sorted ascending: each row's rank, positives in rank order, tie groups."""

    rank: IntArray
    positive: FloatArray
    starts: IntArray | None  # None when no two scores tie

    @classmethod
    def build(cls, scores: FloatArray, positive: NDArray[np.bool_]) -> _Ranked:
        order = np.argsort(scores, kind="mergesort")
        rank = np.empty(len(order), dtype=np.intp)
        rank[order] = np.arange(len(order), dtype=np.intp)
        s = scores[order]
        tied = s[1:] == s[:-1]
        starts = np.flatnonzero(np.concatenate([[True], ~tied])).astype(np.intp) if tied.any() else None
        return cls(rank=rank, positive=positive[order].astype(np.float64), starts=starts)

    def grouped(self, idx: IntArray) -> tuple[FloatArray, FloatArray]:
        """Weight of positives and of all rows per distinct score (ascending) in the resample ``idx``."""
        w = np.bincount(self.rank[idx], minlength=len(self.rank)).astype(np.float64)
        wp = w * self.positive
        if self.starts is None:
            return wp, w
        return np.add.reduceat(wp, self.starts), np.add.reduceat(w, self.starts)


def _binary_auc(wp: FloatArray, wall: FloatArray) -> float:
    """ROC AUC (ties count one half) from per-score weights in ascending order; nan if a class is absent."""
    wn = wall - wp
    total_p, total_n = wp.sum(), wn.sum()
    if total_p == 0 or total_n == 0:
        return math.nan
    below = np.cumsum(wn) - wn
    return float((wp * (below + 0.5 * wn)).sum() / (total_p * total_n))


def _binary_ap(wp: FloatArray, wall: FloatArray) -> float:
    """Average precision (scikit-learn's step definition) from per-score weights in ascending order."""
    tp = wp[::-1]
    total_p = tp.sum()
    if total_p == 0:
        return math.nan
    precision = _safe_div(np.cumsum(tp), np.cumsum(wall[::-1]))
    return float((tp * precision).sum() / total_p)


def _ranked(ev: Evaluator, column: int) -> _Ranked:
    key = f"rank{column}"
    if key not in ev._cache:
        assert ev.score_matrix is not None
        assert ev.y_code is not None
        ev._cache[key] = _Ranked.build(ev.score_matrix[:, column], ev.y_code == column)
    ranked: _Ranked = ev._cache[key]
    return ranked


def _curve_metric(ev: Evaluator, idx: IntArray) -> float:
    assert ev.classes is not None
    assert ev.y_code is not None
    func = _binary_auc if ev.metric.family == "roc_auc" else _binary_ap
    if len(ev.classes) == 2:
        return func(*_ranked(ev, _pos_index(ev)).grouped(idx))
    values = [func(*_ranked(ev, j).grouped(idx)) for j in range(len(ev.classes))]
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(finite)) if finite else math.nan


def _row_loss(ev: Evaluator) -> FloatArray:
    loss = ev._cache.get("loss")
    if loss is not None:
        return loss  # type: ignore[no-any-return]
    family = ev.metric.family
    if family in ("mae", "mse", "rmse", "mape", "r2"):
        err = ev.y_true - ev.pred
        if family == "mae":
            loss = np.abs(err)
        elif family == "mape":
            loss = np.abs(err) / np.maximum(np.abs(ev.y_true), np.finfo(np.float64).eps)
        else:
            loss = err * err
    else:
        assert ev.score_matrix is not None
        assert ev.y_code is not None
        assert ev.classes is not None
        matrix = ev.score_matrix
        rows = np.arange(ev.n)
        if family == "log_loss":
            eps = np.finfo(matrix.dtype).eps
            loss = -np.log(np.clip(matrix[rows, ev.y_code], eps, 1 - eps))
        elif len(ev.classes) == 2:  # brier, binary
            pos = _pos_index(ev)
            loss = (matrix[:, pos] - (ev.y_code == pos)) ** 2
        else:
            onehot = np.zeros_like(matrix)
            onehot[rows, ev.y_code] = 1.0
            loss = ((matrix - onehot) ** 2).sum(axis=1)
    ev._cache["loss"] = loss = np.asarray(loss, dtype=np.float64)
    return loss


def _mean_loss(ev: Evaluator, idx: IntArray) -> float:
    value = float(_row_loss(ev)[idx].mean())
    return math.sqrt(value) if ev.metric.family == "rmse" else value


def _r2(ev: Evaluator, idx: IntArray) -> float:
    sse = float(_row_loss(ev)[idx].sum())
    y = ev.y_true[idx]
    sst = float(((y - y.mean()) ** 2).sum())
    if sst == 0.0:
        return 1.0 if sse == 0.0 else 0.0
    return 1.0 - sse / sst


_RESAMPLERS: dict[str, Callable[[Evaluator, IntArray], float]] = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "precision": _prf,
    "recall": _prf,
    "f1": _prf,
    "roc_auc": _curve_metric,
    "pr_auc": _curve_metric,
    "log_loss": _mean_loss,
    "brier": _mean_loss,
    "mae": _mean_loss,
    "mse": _mean_loss,
    "rmse": _mean_loss,
    "mape": _mean_loss,
    "r2": _r2,
}
