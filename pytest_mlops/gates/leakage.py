"""Feature–label leakage gate: flag features that predict the label suspiciously well alone.

For every feature a shallow decision tree is fitted on that feature only and scored out of
fold (stratified k-fold): ROC AUC for a classification label (one-vs-rest macro for more
than two classes), R² for a regression label. A feature scoring above ``at_most`` (default
0.95) is a likely leak: an id that encodes the label, a post-outcome field, the label
itself under another name.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops._recorder import clean_input_errors
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["leakage"]

#: A numeric label with more distinct values than this is treated as a regression target.
REGRESSION_MIN_DISTINCT = 20


def _encode(series: pd.Series) -> np.ndarray:
    """One numeric column for a tree: numbers as floats (NaN kept), categories as codes."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype(float).to_numpy(dtype=float, na_value=np.nan).reshape(-1, 1)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        values = np.where(np.isposinf(values), np.finfo(float).max, values)
        values = np.where(np.isneginf(values), -np.finfo(float).max, values)
        return values.reshape(-1, 1)
    codes, _ = pd.factorize(series.astype(object).map(lambda v: v if v is None or isinstance(v, str) else repr(v)))
    out = codes.astype(float)
    out[codes < 0] = np.nan
    return out.reshape(-1, 1)


@clean_input_errors
def leakage(
    data: Any,
    label: str,
    *,
    features: Sequence[str] | None = None,
    at_most: float = 0.95,
    folds: int = 3,
    max_rows: int = 20_000,
    seed: int = 0,
    name: str = "feature-label leakage",
    severity: str | None = None,
) -> GateResult:
    """Gate that no single feature predicts ``label`` better than ``at_most``.

    Rows with a null label are dropped; at most ``max_rows`` rows are used (a seeded sample).

    Example::

        from pytest_mlops.gates.leakage import leakage

        def test_no_leaky_feature(training_data):
            leakage(training_data, "churned", at_most=0.9)
    """
    __tracebackhide__ = True
    import numpy as np
    import pandas as pd
    from sklearn.metrics import r2_score, roc_auc_score
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    from pytest_mlops.integrations import loading as data_mod

    what = repr(str(data)) if isinstance(data, (str, Path)) else "data"
    at_most = number("at_most", at_most, at_most=1, gate="leakage gate")
    integer("folds", folds, at_least=2, gate="leakage gate")
    frame = data_mod.require_frame(data, what)
    data_mod.require_unique_columns(frame, what)
    data_mod.require_not_empty(frame, what)
    if not isinstance(label, str) or not label:
        raise MlopsInputError(f"leakage gate: label={label!r} must be the label column's name (ini: mlops_label)")
    cols = [c for c in frame.columns if c != label] if features is None else list(features)
    data_mod.require_columns(frame, [label, *cols], what)
    if label in cols:
        raise MlopsInputError(f"leakage gate: the label {label!r} is also listed as a feature")
    if not cols:
        raise MlopsInputError(f"leakage gate: {what} has no feature columns besides the label {label!r}")
    if data_mod.is_polars(frame):
        frame = frame.select([label, *cols]).to_pandas()
    frame = frame[frame[label].notna()]
    if len(frame) > max_rows:
        frame = frame.sample(n=max_rows, random_state=seed)
    y_raw = frame[label]
    distinct = int(y_raw.nunique())
    if distinct < 2:
        raise MlopsInputError(
            f"leakage gate: label {label!r} of {what} has {distinct} distinct non-null value(s); need 2+"
        )
    regression = bool(pd.api.types.is_float_dtype(y_raw.dtype) and distinct > REGRESSION_MIN_DISTINCT) or bool(
        pd.api.types.is_integer_dtype(y_raw.dtype) and distinct > REGRESSION_MIN_DISTINCT * 5
    )
    metric = "r2" if regression else "roc_auc"
    if regression:
        y = y_raw.to_numpy(dtype=float)
        splitter: Any = KFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        y, classes = pd.factorize(y_raw.astype(object))
        smallest = int(np.bincount(y).min())
        if smallest < folds:
            rare = classes[int(np.argmin(np.bincount(y)))]
            raise MlopsInputError(
                f"leakage gate: label class {rare!r} of {what} has {smallest} rows; "
                f"need at least folds={folds} rows per class"
            )
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    min_leaf = max(5, len(frame) // 200)
    scores: list[dict[str, Any]] = []
    for col in cols:
        x = _encode(frame[col])
        if np.isnan(x).all():
            scores.append({"column": col, "score": None, "note": "all null"})
            continue
        if regression:
            reg = DecisionTreeRegressor(max_depth=4, min_samples_leaf=min_leaf, random_state=seed)
            pred = cross_val_predict(reg, x, y, cv=splitter)
            score = float(r2_score(y, pred))
        else:
            clf = DecisionTreeClassifier(max_depth=4, min_samples_leaf=min_leaf, random_state=seed)
            proba = cross_val_predict(clf, x, y, cv=splitter, method="predict_proba")
            if proba.shape[1] == 2:
                score = float(roc_auc_score(y, proba[:, 1]))
            else:
                score = float(roc_auc_score(y, proba, multi_class="ovr", average="macro"))
        scores.append({"column": col, "score": score, "note": ""})
    scored = [s for s in scores if s["score"] is not None]
    scored.sort(key=lambda s: -s["score"])
    if not scored:
        raise MlopsInputError(f"leakage gate: every feature column of {what} is entirely null")
    leaky = [s for s in scored if s["score"] > at_most]
    top = scored[0]
    op = ">" if top["score"] > at_most else "<="
    summary = f"max single-feature {metric} {fmt(top['score'])} {op} {fmt(float(at_most))} ({top['column']!r}"
    summary += f"; {len(leaky)} of {len(scored)} features above)" if leaky else ")"
    result = GateResult(
        kind="feature",
        check="leakage",
        name=name,
        passed=not leaky,
        severity=_recorder.resolve_severity("feature", severity),
        observed=top["score"],
        bound={"at_most": at_most},
        summary=summary,
        evidence=[
            f"column {s['column']!r}: single-feature {metric} {fmt(s['score'])} > {fmt(float(at_most))}" for s in leaky
        ],
        hint="a feature this predictive on its own is usually a leak (derived from the label or known only "
        "after the outcome): drop it, or raise at_most if it is legitimate",
        details={
            "metric": metric,
            "label": label,
            "rows": len(frame),
            "scores": [{"column": s["column"], "score": s["score"]} for s in scores],
            "failures": [
                {"column": s["column"], "check": f"single_feature_{metric}", "count": 1, "examples": [s["score"]]}
                for s in leaky
            ],
        },
    )
    return _recorder.emit(result)
