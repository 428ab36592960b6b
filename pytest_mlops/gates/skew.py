"""Training-serving skew gates, at two levels.

* Example level (:func:`example_skew`, :func:`feature_code_skew`): the same raw records go
  through the training feature code and the serving feature code; the features must agree
  within tolerances. A failure names the columns, the rows and the largest differences.
* Distribution level (:func:`distribution_skew`): training vs serving feature distributions,
  L-infinity distance for categorical columns and Jensen–Shannon divergence (base 2, so in
  [0, 1]) for numeric columns, each against a threshold (as TFDV does).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops._recorder import clean_input_errors
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number
from pytest_mlops.results import GateResult, JSONValue, fmt, to_json

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["distribution_skew", "example_skew", "feature_code_skew", "jensen_shannon", "l_infinity"]

_ROWS_SHOWN = 5


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value if value in ("nan", "inf", "-inf") else repr(value)
    return fmt(value)


def _as_pandas(data: Any, what: str) -> pd.DataFrame:
    from pytest_mlops.integrations import loading as data_mod

    frame = data_mod.require_frame(data, what)
    data_mod.require_unique_columns(frame, what)
    data_mod.require_not_empty(frame, what)
    if data_mod.is_polars(frame):
        frame = frame.to_pandas()
    result: pd.DataFrame = frame
    return result


def _what(data: Any, default: str) -> str:
    return repr(str(data)) if isinstance(data, (str, Path)) else default


def _is_numeric(series: pd.Series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype))


# -- example level -----------------------------------------------------------------------


def _mismatch(train: pd.Series, serve: pd.Series, atol: float, rtol: float) -> tuple[np.ndarray, np.ndarray | None]:
    """Boolean mismatch mask and, for numeric columns, the absolute differences."""
    import numpy as np

    both_null = (train.isna() & serve.isna()).to_numpy()
    if _is_numeric(train) and _is_numeric(serve):
        t = train.to_numpy(dtype=float, na_value=np.nan)
        s = serve.to_numpy(dtype=float, na_value=np.nan)
        close = np.isclose(t, s, rtol=rtol, atol=atol, equal_nan=True)
        with np.errstate(invalid="ignore"):
            diff = np.abs(t - s)
        diff = np.where(close, 0.0, diff)
        diff = np.where(np.isnan(diff) & ~close, np.inf, diff)  # NaN vs number, inf vs -inf
        return ~close, diff
    t_obj = train.astype(object).to_numpy()
    s_obj = serve.astype(object).to_numpy()
    equal = np.fromiter(
        (bool(a == b) if not (a is None or b is None) else False for a, b in zip(t_obj, s_obj, strict=True)),
        dtype=bool,
        count=len(t_obj),
    )
    return ~(equal | both_null), None


@clean_input_errors
def example_skew(
    training: Any,
    serving: Any,
    *,
    atol: float = 1e-9,
    rtol: float = 1e-6,
    key: str | None = None,
    columns: Sequence[str] | None = None,
    name: str = "training-serving skew",
    severity: str | None = None,
) -> GateResult:
    """Gate that two feature frames computed from the same records agree, cell by cell.

    Numeric cells agree when ``|training - serving| <= atol + rtol * |serving|`` (NaN equals
    NaN); other cells must be equal. Rows are matched by ``key`` when given (a column in
    both frames), else by position. Missing or extra columns fail the gate too.

    Example::

        from pytest_mlops.gates.skew import example_skew

        def test_no_skew(raw_sample):
            example_skew(train_features(raw_sample), serve_features(raw_sample), atol=1e-6, key="id")
    """
    __tracebackhide__ = True
    atol = number("atol", atol, at_least=0, gate=f"skew gate {name!r}")
    rtol = number("rtol", rtol, at_least=0, gate=f"skew gate {name!r}")
    train = _as_pandas(training, _what(training, "training features"))
    serve = _as_pandas(serving, _what(serving, "serving features"))
    resolved = _recorder.resolve_severity("feature", severity)
    evidence: list[str] = []
    failures: list[JSONValue] = []
    if key is not None:
        for frame, what in ((train, "training features"), (serve, "serving features")):
            if key not in frame.columns:
                raise MlopsInputError(f"skew gate {name!r}: {what} have no key column {key!r}")
            dup = frame[key].duplicated()
            if dup.any():
                example = _show(to_json(frame[key][dup].iloc[0]))
                raise MlopsInputError(f"skew gate {name!r}: key {key!r} is not unique in {what} (e.g. {example})")
        only_train = train[key][~train[key].isin(serve[key])]
        only_serve = serve[key][~serve[key].isin(train[key])]
        for missing, side in ((only_train, "serving"), (only_serve, "training")):
            if len(missing):
                keys = [to_json(k) for k in missing.iloc[:_ROWS_SHOWN].tolist()]
                evidence.append(
                    f"{len(missing)} keys missing from the {side} features, e.g. {', '.join(map(_show, keys))}"
                )
                failures.append({"column": key, "check": f"missing_in_{side}", "count": len(missing), "examples": keys})
        common = train[key][train[key].isin(serve[key])]
        train = train.set_index(key).loc[common.to_numpy()]
        serve = serve.set_index(key).loc[common.to_numpy()]
    elif len(train) != len(serve):
        raise MlopsInputError(
            f"skew gate {name!r}: training features have {len(train)} rows and serving features {len(serve)}; "
            "compute both from the same records, or pass key= to match rows by an id column"
        )
    else:
        train = train.reset_index(drop=True)
        serve = serve.reset_index(drop=True)
    wanted = (
        list(columns)
        if columns is not None
        else list(dict.fromkeys([*map(str, train.columns), *map(str, serve.columns)]))
    )
    missing_cols = [c for c in wanted if c not in serve.columns]
    extra_cols = [c for c in wanted if c not in train.columns]
    for col in missing_cols:
        evidence.append(f"column {col!r}: in the training features, missing from the serving features")
        failures.append({"column": col, "check": "missing_in_serving", "count": 1, "examples": []})
    for col in extra_cols:
        evidence.append(f"column {col!r}: in the serving features, missing from the training features")
        failures.append({"column": col, "check": "missing_in_training", "count": 1, "examples": []})
    per_column: list[JSONValue] = []
    differing: list[tuple[int, float, str]] = []
    lines: dict[str, str] = {}
    examples_of: dict[str, list[JSONValue]] = {}
    compared = [c for c in wanted if c in train.columns and c in serve.columns]
    for col in compared:
        mask, diff = _mismatch(train[col], serve[col], atol, rtol)
        count = int(mask.sum())
        max_diff = float(diff.max()) if diff is not None and len(diff) else (1.0 if count else 0.0)
        per_column.append({"column": col, "mismatches": count, "max_abs_diff": max_diff if diff is not None else None})
        if not count:
            continue
        import numpy as np

        order = np.argsort(-diff, kind="stable") if diff is not None else np.flatnonzero(mask)
        rows_idx = [int(i) for i in order if mask[i]][:_ROWS_SHOWN]
        labels = [to_json(train.index[i]) for i in rows_idx]
        worst = rows_idx[0]
        t_val, s_val = to_json(train[col].iloc[worst]), to_json(serve[col].iloc[worst])
        head = f"column {col!r}: {count} of {len(mask)} rows differ"
        if diff is not None:
            head += f", max |diff| {fmt(max_diff)}"
        head += f" at {'key' if key else 'row'} {_show(labels[0])} (training {_show(t_val)}, serving {_show(s_val)})"
        if len(labels) > 1:
            head += f"; {'keys' if key else 'rows'} {', '.join(map(_show, labels))}"
        lines[col] = head
        examples_of[col] = [
            {"row": lab, "training": to_json(train[col].iloc[i]), "serving": to_json(serve[col].iloc[i])}
            for lab, i in zip(labels, rows_idx, strict=True)
        ]
        differing.append((count, max_diff, col))
    differing.sort(key=lambda t: (-t[0], -t[1]))
    for count, _, col in differing:
        evidence.append(lines[col])
        failures.append({"column": col, "check": "mismatch", "count": count, "examples": examples_of[col]})
    n_bad = len(differing) + len(missing_cols) + len(extra_cols)
    cells = sum(c for c, _, _ in differing)
    if n_bad or failures:
        summary = f"{n_bad} of {len(wanted)} columns differ > 0 ({cells} cells over {len(train)} rows)"
    else:
        summary = f"0 of {len(wanted)} columns differ over {len(train)} rows (atol {fmt(atol)}, rtol {fmt(rtol)})"
    result = GateResult(
        kind="feature",
        check="example_skew",
        name=name,
        passed=not failures,
        severity=resolved,
        observed=n_bad,
        bound={"at_most": 0, "atol": atol, "rtol": rtol},
        summary=summary,
        evidence=evidence,
        hint="training and serving feature code disagree: fix the serving code (or the tolerance, if the "
        "difference is numeric noise)",
        details={"failures": failures, "columns": per_column, "rows": len(train), "key": key},
    )
    return _recorder.emit(result)


@clean_input_errors
def feature_code_skew(
    records: Any,
    training_fn: Callable[[Any], Any],
    serving_fn: Callable[[Any], Any],
    **kwargs: Any,
) -> GateResult:
    """Push the same raw ``records`` through both feature functions, then :func:`example_skew`.

    Example::

        feature_code_skew(raw_sample, training.build_features, serving.build_features, atol=1e-6)
    """
    __tracebackhide__ = True
    outputs = []
    for fn, side in ((training_fn, "training"), (serving_fn, "serving")):
        if not callable(fn):
            raise MlopsInputError(f"skew gate: {side}_fn must be callable, got {type(fn).__name__}")
        outputs.append(fn(records))
    return example_skew(outputs[0], outputs[1], **kwargs)


# -- distribution level ------------------------------------------------------------------


def jensen_shannon(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """Jensen–Shannon divergence (base 2, in [0, 1]) of two histograms (normalised here)."""
    import numpy as np

    pa = np.asarray(p, dtype=float)
    qa = np.asarray(q, dtype=float)
    if pa.shape != qa.shape or pa.sum() <= 0 or qa.sum() <= 0:
        raise ValueError("histograms must have the same shape and positive mass")
    pa = pa / pa.sum()
    qa = qa / qa.sum()
    m = (pa + qa) / 2

    def kl(a: np.ndarray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log2(a[nz] / m[nz])))

    return min(1.0, max(0.0, 0.5 * kl(pa) + 0.5 * kl(qa)))


def l_infinity(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """L-infinity distance of two normalised category frequency vectors."""
    import numpy as np

    pa = np.asarray(p, dtype=float)
    qa = np.asarray(q, dtype=float)
    return float(np.max(np.abs(pa / pa.sum() - qa / qa.sum())))


def _numeric_column(train: pd.Series, serve: pd.Series, bins: int) -> dict[str, Any]:
    import numpy as np

    t = train.dropna().to_numpy(dtype=float)
    s = serve.dropna().to_numpy(dtype=float)
    finite_t = t[np.isfinite(t)]
    if len(finite_t) == 0:
        edges = np.array([0.0])
    else:
        edges = np.unique(np.quantile(finite_t, np.linspace(0, 1, bins + 1)[1:-1]))
    # bins: (-inf, e0], (e0, e1], ..., (e_last, inf]; +-inf values fall in the outer bins
    p = np.bincount(np.searchsorted(edges, t, side="left"), minlength=len(edges) + 1).astype(float)
    q = np.bincount(np.searchsorted(edges, s, side="left"), minlength=len(edges) + 1).astype(float)
    score = jensen_shannon(p, q)
    return {
        "method": "jensen_shannon",
        "score": score,
        "histogram": {"edges": [float(e) for e in edges]},
        "reference": (p / p.sum()).tolist(),
        "current": (q / q.sum()).tolist(),
        "note": "",
    }


def _categorical_column(train: pd.Series, serve: pd.Series) -> dict[str, Any]:
    import numpy as np

    t = train.dropna().astype(object).map(_category_key).value_counts()
    s = serve.dropna().astype(object).map(_category_key).value_counts()
    categories = sorted(set(t.index) | set(s.index), key=lambda v: (-(t.get(v, 0) + s.get(v, 0)), str(v)))
    p = np.array([t.get(c, 0) for c in categories], dtype=float)
    q = np.array([s.get(c, 0) for c in categories], dtype=float)
    pn, qn = p / p.sum(), q / q.sum()
    gaps = np.abs(pn - qn)
    worst = int(np.argmax(gaps))
    return {
        "method": "l_infinity",
        "score": float(gaps[worst]),
        "histogram": {"categories": [to_json(c) for c in categories[:50]]},
        "reference": pn[:50].tolist(),
        "current": qn[:50].tolist(),
        "note": f"category {_show(to_json(categories[worst]))}: training {fmt(float(pn[worst]))}, "
        f"serving {fmt(float(qn[worst]))}",
    }


def _category_key(value: Any) -> Any:
    # mixed-type object columns: 1 and "1" are different categories, but must sort and hash
    return value if isinstance(value, (str, int, float, bool)) else str(value)


@clean_input_errors
def distribution_skew(
    training: Any,
    serving: Any,
    *,
    columns: Sequence[str] | None = None,
    categorical_threshold: float = 0.1,
    numeric_threshold: float = 0.1,
    thresholds: dict[str, float] | None = None,
    bins: int = 10,
    name: str = "training-serving distribution skew",
    severity: str | None = None,
) -> GateResult:
    """Gate training vs serving feature distributions, column by column.

    Categorical columns: L-infinity distance of category frequencies (largest difference of
    a category's share) against ``categorical_threshold``. Numeric columns: Jensen–Shannon
    divergence (base 2) of histograms on ``bins`` training-quantile bins against
    ``numeric_threshold``. ``thresholds`` sets a threshold per column. Nulls are left out
    of the distributions (gate null rates with the feature gates).

    Example::

        distribution_skew(training_features, serving_log, categorical_threshold=0.05,
                          thresholds={"amount": 0.2})
    """
    __tracebackhide__ = True
    where = f"skew gate {name!r}"
    categorical_threshold = number("categorical_threshold", categorical_threshold, at_least=0, at_most=1, gate=where)
    numeric_threshold = number("numeric_threshold", numeric_threshold, at_least=0, at_most=1, gate=where)
    integer("bins", bins, at_least=2, gate=where)
    tw, sw = _what(training, "training data"), _what(serving, "serving data")
    train = _as_pandas(training, tw)
    serve = _as_pandas(serving, sw)
    from pytest_mlops.integrations import loading as data_mod

    cols = list(columns) if columns is not None else [c for c in train.columns if c in set(serve.columns)]
    if not cols:
        raise MlopsInputError(f"skew gate {name!r}: {tw} and {sw} share no columns")
    data_mod.require_columns(train, cols, tw)
    data_mod.require_columns(serve, cols, sw)
    thresholds = dict(thresholds or {})
    unknown = sorted(set(thresholds) - set(cols))
    if unknown:
        raise MlopsInputError(f"skew gate {name!r}: thresholds names {unknown[0]!r}, which is not a compared column")
    resolved = _recorder.resolve_severity("feature", severity)
    rows: list[dict[str, Any]] = []
    for col in cols:
        t, s = train[col], serve[col]
        if t.notna().sum() == 0 or s.notna().sum() == 0:
            side = tw if t.notna().sum() == 0 else sw
            raise MlopsInputError(
                f"skew gate {name!r}: column {col!r} of {side} has only nulls; leave it out with columns= "
                "or gate its null rate"
            )
        numeric = _is_numeric(t) and _is_numeric(s)
        info = _numeric_column(t, s, bins) if numeric else _categorical_column(t, s)
        threshold = float(thresholds.get(col, numeric_threshold if numeric else categorical_threshold))
        info.update(
            column=col,
            type="numeric" if numeric else "categorical",
            threshold=threshold,
            drifted=bool(info["score"] > threshold),
            p_value=None,
            null_rate_reference=float(t.isna().mean()),
            null_rate_current=float(s.isna().mean()),
            n_reference=int(t.notna().sum()),
            n_current=int(s.notna().sum()),
        )
        rows.append(info)
    rows.sort(key=lambda r: -(r["score"] / r["threshold"] if r["threshold"] > 0 else (math.inf if r["score"] else 0)))
    skewed = [r for r in rows if r["drifted"]]
    evidence = []
    for r in skewed:
        line = f"column {r['column']!r}: {r['method']} {fmt(r['score'])} > {fmt(r['threshold'])} ({r['type']})"
        if r["note"]:
            line += f", {r['note']}"
        evidence.append(line)
    worst = rows[0]
    if skewed:
        summary = (
            f"{len(skewed)} of {len(rows)} columns skewed > 0 (worst {worst['column']!r}: "
            f"{worst['method']} {fmt(worst['score'])} > {fmt(worst['threshold'])})"
        )
    else:
        summary = (
            f"0 of {len(rows)} columns skewed (worst {worst['column']!r}: {worst['method']} {fmt(worst['score'])})"
        )
    result = GateResult(
        kind="feature",
        check="distribution_skew",
        name=name,
        passed=not skewed,
        severity=resolved,
        observed=len(skewed),
        bound={"at_most": 0, "categorical_threshold": categorical_threshold, "numeric_threshold": numeric_threshold},
        summary=summary,
        evidence=evidence,
        hint="serving data is distributed differently from training data: check the serving pipeline "
        "(or raise the column's threshold if the shift is expected)",
        details={
            "columns": [{k: v for k, v in r.items() if k != "note"} for r in rows],
            "failures": [
                {"column": r["column"], "check": r["method"], "count": 1, "examples": [r["score"]]} for r in skewed
            ],
            "share_skewed": len(skewed) / len(rows),
        },
    )
    return _recorder.emit(result)
