"""Robustness gates: metamorphic tests of a model on perturbed copies of its inputs.

* :func:`check_invariance` — predictions must not change (beyond ``tolerance``) under a
  perturbation the user declares irrelevant: gaussian noise on a numeric column, a unit
  change (scale and offset), a relabelling of categories, typos in a text column, or any
  ``f(X) -> X``.
* :func:`check_directional` — raising a column by ``delta`` must not lower the model's score
  (``monotone="increasing"``), or must not raise it (``"decreasing"``).

Both record the share of rows that flip (invariance) or move the wrong way (directional) and
fail above ``max_flip_rate``; a few example rows travel in the details. These are the
metamorphic tests of Giskard and the invariance/directional tests of CheckList, for tabular
models. Perturbations are seeded, so a run is repeatable.

numpy and pandas are imported inside the functions, so importing this module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import number
from pytest_mlops.gates.model._common import model_result, record_lineage
from pytest_mlops.results import GateResult, JSONValue, fmt

__all__ = [
    "PERTURBATIONS",
    "Perturbation",
    "check_directional",
    "check_invariance",
    "noise",
    "perturbation",
    "relabel",
    "scale",
    "typos",
]

#: the perturbation kinds a mapping may name (``{"kind": "noise", ...}``)
PERTURBATIONS = ("noise", "scale", "relabel", "typos")
EXAMPLES = 5


@dataclass(frozen=True)
class Perturbation:
    """A perturbation of a frame: ``apply(X)`` returns a changed copy; ``describe`` says what it does."""

    kind: str
    column: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    func: Callable[[Any], Any] | None = None

    @property
    def describe(self) -> str:
        if self.func is not None:
            return f"{getattr(self.func, '__name__', 'callable')}(X)"
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.kind}({self.column!r}{', ' + shown if shown else ''})"

    def apply(self, X: Any) -> Any:
        __tracebackhide__ = True
        if self.func is not None:
            try:
                out = self.func(X.copy() if hasattr(X, "copy") else X)
            except MlopsInputError:
                raise
            except Exception as exc:
                raise MlopsInputError(f"the perturbation {self.describe} raised {type(exc).__name__}: {exc}") from None
            if out is None or len(out) != len(X):
                raise MlopsInputError(
                    f"the perturbation {self.describe} must return a frame of {len(X)} rows, got {type(out).__name__}"
                )
            return out
        column = _column(X, self.column)
        out = X.copy()
        out[column] = _APPLY[self.kind](X[column], column, **self.params)
        return out


def noise(column: str, std: float, *, seed: int = 0) -> Perturbation:
    """Add gaussian noise of standard deviation ``std`` (in the column's units) to a numeric column."""
    __tracebackhide__ = True
    if std is None:
        raise MlopsInputError("noise needs std= (the noise's standard deviation, in the column's units)")
    return Perturbation("noise", column, {"std": number("std", std, at_least=0), "seed": int(seed)})


def scale(column: str, factor: float, *, offset: float = 0.0) -> Perturbation:
    """A unit change of a numeric column: ``x * factor + offset``."""
    __tracebackhide__ = True
    return Perturbation("scale", column, {"factor": number("factor", factor), "offset": number("offset", offset)})


def relabel(column: str, mapping: Mapping[Any, Any]) -> Perturbation:
    """Replace categories of a column by ``mapping`` (values not in it are kept)."""
    __tracebackhide__ = True
    if not isinstance(mapping, Mapping) or not mapping:
        raise MlopsInputError(f"relabel needs a non-empty mapping of old to new categories, got {mapping!r}")
    return Perturbation("relabel", column, {"mapping": dict(mapping)})


def typos(column: str, rate: float = 0.05, *, seed: int = 0) -> Perturbation:
    """Typos in a text column: each character is, with probability ``rate``, swapped with the next,
    dropped or doubled (seeded by ``seed``)."""
    __tracebackhide__ = True
    r = number("rate", rate, at_least=0, at_most=1, gate="typos")
    return Perturbation("typos", column, {"rate": r, "seed": int(seed)})


_KINDS: Mapping[str, Callable[..., Perturbation]] = {"noise": noise, "scale": scale, "relabel": relabel, "typos": typos}


def perturbation(spec: Any) -> Perturbation:
    """A :class:`Perturbation` from itself, a callable ``f(X) -> X``, or a mapping such as
    ``{"kind": "noise", "column": "age", "std": 0.5, "seed": 1}``."""
    __tracebackhide__ = True
    if isinstance(spec, Perturbation):
        return spec
    if isinstance(spec, Mapping):
        options = dict(spec)
        kind = options.pop("kind", None)
        if kind not in _KINDS:
            raise MlopsInputError(
                f"unknown perturbation {kind!r}; use one of {', '.join(PERTURBATIONS)} or a callable f(X) -> X"
            )
        try:
            return _KINDS[kind](**options)
        except TypeError as exc:
            raise MlopsInputError(f"perturbation {kind!r}: {exc}") from None
    if callable(spec):
        return Perturbation("callable", None, {}, spec)
    raise MlopsInputError(
        f"unknown perturbation {spec!r}; use noise(), scale(), relabel(), typos(), a mapping or a callable f(X) -> X"
    )


def _column(X: Any, column: str | None) -> str:
    __tracebackhide__ = True
    columns = getattr(X, "columns", None)
    if columns is None:
        raise MlopsInputError(
            f"X is {type(X).__name__}, not a DataFrame: a perturbation of a column needs named columns"
        )
    if column is None or column not in list(columns):
        raise MlopsInputError(
            f"X has no column {column!r} to perturb (columns: {', '.join(map(str, list(columns)[:8]))})"
        )
    return column


def _numeric(values: Any, column: str, kind: str) -> Any:
    __tracebackhide__ = True
    array = values.to_numpy()
    if array.dtype.kind not in "iuf":
        raise MlopsInputError(f"{kind} needs a numeric column, but {column!r} holds {values.dtype}")
    return array.astype(float)


def _apply_noise(values: Any, column: str, *, std: float, seed: int) -> Any:
    import numpy as np

    array = _numeric(values, column, "noise")
    rng = np.random.default_rng(seed)
    return array + rng.normal(0.0, std, len(array))


def _apply_scale(values: Any, column: str, *, factor: float, offset: float) -> Any:
    array = _numeric(values, column, "scale")
    return array * factor + offset


def _apply_relabel(values: Any, column: str, *, mapping: Mapping[Any, Any]) -> Any:
    __tracebackhide__ = True
    present = set(values.dropna().unique().tolist())
    if not present & set(mapping):
        raise MlopsInputError(
            f"relabel: none of {list(mapping)[:5]!r} occurs in column {column!r} "
            f"(values: {sorted(present, key=str)[:5]!r})"
        )
    import pandas as pd

    replaced = values.map(lambda v: mapping.get(v, v))
    if isinstance(values.dtype, pd.CategoricalDtype):
        return replaced.astype("category")
    return replaced


def _typo(text: str, rate: float, rng: Any) -> str:
    out: list[str] = []
    chars = list(text)
    i = 0
    while i < len(chars):
        c = chars[i]
        if rng.random() < rate:
            edit = int(rng.integers(3))
            if edit == 0 and i + 1 < len(chars):  # swap with the next character
                out += [chars[i + 1], c]
                i += 2
                continue
            if edit == 1:  # drop
                i += 1
                continue
            out += [c, c]  # double
        else:
            out.append(c)
        i += 1
    return "".join(out)


def _apply_typos(values: Any, column: str, *, rate: float, seed: int) -> Any:
    __tracebackhide__ = True
    import numpy as np

    texts = values.dropna()
    if not all(isinstance(v, str) for v in texts.head(100).tolist()):
        raise MlopsInputError(f"typos needs a text column, but {column!r} holds {values.dtype}")
    rng = np.random.default_rng(seed)
    return values.map(lambda v: _typo(v, rate, rng) if isinstance(v, str) else v)


_APPLY: Mapping[str, Callable[..., Any]] = {
    "noise": _apply_noise,
    "scale": _apply_scale,
    "relabel": _apply_relabel,
    "typos": _apply_typos,
}


# -- the model's output ------------------------------------------------------------------------------


def _call(model: Any, method: str, X: Any, what: str) -> Any:
    __tracebackhide__ = True
    import numpy as np

    func = getattr(model, method, None)
    if not callable(func):
        raise MlopsInputError(f"the model ({type(model).__name__}) has no {method}()")
    try:
        return np.asarray(func(X))
    except MlopsInputError:
        raise
    except Exception as exc:
        raise MlopsInputError(
            f"the model ({type(model).__name__}) could not {method} on {what}: {type(exc).__name__}: {exc}"
        ) from None


def _score(model: Any, X: Any, what: str, pos_label: Any) -> tuple[Any, str]:
    """One number per row: the positive class's probability, or ``predict`` for a regressor."""
    __tracebackhide__ = True
    import numpy as np

    if callable(getattr(model, "predict_proba", None)):
        proba = _call(model, "predict_proba", X, what)
        classes = [c.item() if hasattr(c, "item") else c for c in getattr(model, "classes_", range(proba.shape[1]))]
        pos = pos_label if pos_label is not None else classes[-1]
        if pos not in classes:
            raise MlopsInputError(f"pos_label={pos_label!r} is not one of the model's classes {classes!r}")
        return proba[:, classes.index(pos)].astype(float), f"P({pos!r})"
    pred = _call(model, "predict", X, what)
    if pred.dtype.kind not in "iuf":
        raise MlopsInputError("the model's predict() returns labels and it has no predict_proba: no score to compare")
    return np.asarray(pred, dtype=float).ravel(), "predict"


def _json(value: Any) -> JSONValue:
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _shown(value: JSONValue) -> str:
    return fmt(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else repr(value)


def _examples(
    X: Any, changed: Any, rows: Any, before: Any, after: Any, column: str | None
) -> list[dict[str, JSONValue]]:
    index = list(X.index) if hasattr(X, "index") else list(range(len(before)))
    out: list[dict[str, JSONValue]] = []
    for i in rows[:EXAMPLES]:
        i = int(i)
        entry: dict[str, JSONValue] = {
            "row": _json(index[i]),
            "prediction_before": _json(before[i]),
            "prediction_after": _json(after[i]),
        }
        if column is not None and hasattr(X, "iloc"):
            entry["value_before"] = _json(X[column].iloc[i])
            entry["value_after"] = _json(changed[column].iloc[i])
        out.append(entry)
    return out


def _finish(
    *,
    test: str,
    check_name: str,
    name: str | None,
    default_name: str,
    severity: str | None,
    n: int,
    flagged: Any,
    max_flip_rate: float,
    tolerance: float,
    what: str,
    output: str,
    examples: list[dict[str, JSONValue]],
    extra: Mapping[str, JSONValue],
    hint: str,
) -> GateResult:
    __tracebackhide__ = True
    count = int(flagged.sum())
    rate = count / n
    ok = rate <= max_flip_rate + 1e-12
    verb = "flipped" if test == "invariance" else "moved the wrong way"
    summary = (
        f"flip rate {fmt(rate)} {'<=' if ok else '>'} max_flip_rate {fmt(max_flip_rate)} "
        f"({count} of {n} rows {verb} under {what})"
    )
    evidence = [
        f"row {e['row']}: {output} {fmt(e['prediction_before'])} -> {fmt(e['prediction_after'])}"
        + (f" ({_shown(e['value_before'])} -> {_shown(e['value_after'])})" if "value_before" in e else "")
        for e in examples
    ]
    details: dict[str, JSONValue] = {
        "metric": "flip_rate",
        "direction": "lower",
        "test": test,
        "perturbation": what,
        "output": output,
        "n": n,
        "flipped": count,
        "flip_rate": rate,
        "tolerance": tolerance,
        "examples": examples,  # type: ignore[dict-item]
        **extra,
    }
    return _recorder.emit(
        model_result(
            check=check_name,
            name=name or default_name,
            passed=ok,
            severity=severity,
            observed=rate,
            bound={"max_flip_rate": max_flip_rate},
            summary=summary,
            evidence=evidence,
            hint=None if ok else hint,
            details=details,
        )
    )


def check_invariance(
    model: Any,
    X: Any,
    perturb: Any,
    *,
    max_flip_rate: float = 0.0,
    tolerance: float = 0.0,
    output: str = "predict",
    pos_label: Any = None,
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Predictions must not change under a perturbation declared irrelevant.

    ``perturb`` is :func:`noise`, :func:`scale`, :func:`relabel`, :func:`typos`, a mapping
    (``{"kind": "noise", "column": "age", "std": 0.5}``) or ``f(X) -> X``. With
    ``output="predict"`` a row flips when its predicted label changes (for numeric predictions:
    moves by more than ``tolerance``); with ``output="proba"`` when the positive class's
    probability moves by more than ``tolerance``. Fails when the share of flipped rows is above
    ``max_flip_rate`` (default 0).

    Example::

        check_invariance(clf, X_test, noise("income", std=5.0, seed=1), max_flip_rate=0.01)
        check_invariance(clf, X_test, relabel("city", {"NYC": "New York"}), output="proba", tolerance=0.02)
    """
    __tracebackhide__ = True
    import numpy as np

    rate = number("max_flip_rate", max_flip_rate, at_least=0, at_most=1)
    tol = number("tolerance", tolerance, at_least=0)
    if output not in ("predict", "proba"):
        raise MlopsInputError(f"output={output!r} is not valid; use 'predict' (labels) or 'proba' (probabilities)")
    p = perturbation(perturb)
    if len(X) == 0:
        raise MlopsInputError("X is empty: the invariance gate needs rows to perturb")
    record_lineage(model)
    changed = p.apply(X)
    if output == "proba":
        before, shown = _score(model, X, "X", pos_label)
        after, _ = _score(model, changed, "the perturbed X", pos_label)
        flagged = np.abs(after - before) > tol
    else:
        shown = "predict"
        before = _call(model, "predict", X, "X").ravel()
        after = _call(model, "predict", changed, "the perturbed X").ravel()
        if before.dtype.kind in "iuf" and after.dtype.kind in "iuf":
            flagged = np.abs(after.astype(float) - before.astype(float)) > tol
        else:
            flagged = before != after
    rows = np.flatnonzero(flagged)
    return _finish(
        test="invariance",
        check_name="invariance",
        name=name,
        default_name=f"invariance to {p.describe}",
        severity=severity,
        n=len(before),
        flagged=flagged,
        max_flip_rate=rate,
        tolerance=tol,
        what=p.describe,
        output=shown,
        examples=_examples(X, changed, rows, before, after, p.column),
        extra={"column": p.column},
        hint="the model reacts to a change declared irrelevant: check the feature's preprocessing or train with it",
    )


def check_directional(
    model: Any,
    X: Any,
    column: str,
    *,
    delta: float,
    monotone: str = "increasing",
    max_flip_rate: float = 0.0,
    tolerance: float = 0.0,
    pos_label: Any = None,
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Raising ``column`` by ``delta`` must not lower the score (``monotone="increasing"``), or not
    raise it (``"decreasing"``).

    The score is the positive class's probability (``pos_label``, default the model's last
    class) or a regressor's prediction. A row violates when its score moves the wrong way by
    more than ``tolerance``; the gate fails when the share of such rows is above
    ``max_flip_rate`` (default 0).

    Example::

        check_directional(credit_model, X_test, "income", delta=1000, monotone="increasing",
                          max_flip_rate=0.02)
    """
    __tracebackhide__ = True
    import numpy as np

    rate = number("max_flip_rate", max_flip_rate, at_least=0, at_most=1)
    tol = number("tolerance", tolerance, at_least=0)
    step = number("delta", delta)
    if step <= 0:
        raise MlopsInputError(f"delta={delta!r} must be a positive number (how much to raise {column!r})")
    if monotone not in ("increasing", "decreasing"):
        raise MlopsInputError(f"monotone={monotone!r} is not valid; use 'increasing' or 'decreasing'")
    if len(X) == 0:
        raise MlopsInputError("X is empty: the directional gate needs rows to perturb")
    col = _column(X, column)
    record_lineage(model)
    raised = X.copy()
    raised[col] = _numeric(X[col], col, "a directional test") + step
    before, shown = _score(model, X, "X", pos_label)
    after, _ = _score(model, raised, "the raised X", pos_label)
    moved = after - before
    flagged = moved < -tol if monotone == "increasing" else moved > tol
    rows = np.flatnonzero(flagged)
    rows = rows[np.argsort(-np.abs(moved[rows]), kind="stable")]  # worst first
    what = f"{column} + {fmt(step)}"
    return _finish(
        test="directional",
        check_name="directional",
        name=name,
        default_name=f"{shown} {monotone} in {column}",
        severity=severity,
        n=len(before),
        flagged=flagged,
        max_flip_rate=rate,
        tolerance=tol,
        what=what,
        output=shown,
        examples=_examples(X, raised, rows, before, after, col),
        extra={"column": col, "delta": step, "monotone": monotone},
        hint=f"the score should be {monotone} in {column}: check the feature or use a monotonic constraint",
    )
