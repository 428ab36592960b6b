"""Serving budgets of a model: prediction latency per row (:func:`check_latency`) and serialized
size (:func:`check_size`).
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path
from typing import Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number, optional_number, require_bound
from pytest_mlops.gates._summary import Check, summarize
from pytest_mlops.gates.model._common import model_result, record_lineage
from pytest_mlops.results import GateResult, check_bounds, fmt

__all__ = ["check_latency", "check_size"]


def _take_rows(X: Any, start: int, stop: int) -> Any:
    iloc = getattr(X, "iloc", None)
    if iloc is not None:
        return iloc[start:stop]
    slicer = getattr(X, "slice", None)  # polars
    if callable(slicer) and not hasattr(X, "__array__"):
        return slicer(start, stop - start)
    return X[start:stop]


def check_latency(
    model: Any,
    X: Any,
    *,
    p50_ms_at_most: float | None = None,
    p95_ms_at_most: float | None = None,
    batch_size: int = 1,
    batches: int = 200,
    warmup: int = 3,
    method: str = "predict",
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Gate prediction latency per row: p50/p95 over ``batches`` calls of ``batch_size`` rows.

    Rows are taken from ``X`` in order (wrapping around); each call's time divided by its row
    count is one observation. ``warmup`` calls are made first and not counted.

    Example::

        check_latency(clf, X_test, p95_ms_at_most=5, batch_size=1, batches=200)
    """
    __tracebackhide__ = True
    import numpy as np

    p50 = optional_number("p50_ms_at_most", p50_ms_at_most, at_least=0)
    p95 = optional_number("p95_ms_at_most", p95_ms_at_most, at_least=0)
    require_bound("latency gate", {"p50_ms_at_most": p50, "p95_ms_at_most": p95}, note="milliseconds per row")
    integer("batch_size", batch_size, at_least=1)
    integer("batches", batches, at_least=5)
    integer("warmup", warmup, at_least=0)
    func = getattr(model, method, None)
    if not callable(func):
        raise MlopsInputError(f"the model ({type(model).__name__}) has no {method}() to time")
    total = len(X)
    if total == 0:
        raise MlopsInputError("X is empty: the latency gate needs rows to predict")
    size = min(batch_size, total)
    record_lineage(model)

    def call(i: int) -> float:
        start = (i * size) % total
        stop = start + size
        chunk = _take_rows(X, start, stop) if stop <= total else _take_rows(X, 0, size)
        t0 = time.perf_counter()
        func(chunk)
        return time.perf_counter() - t0

    try:
        for i in range(warmup):
            call(i)
        seconds = np.array([call(warmup + i) for i in range(batches)])
    except MlopsInputError:
        raise
    except Exception as exc:
        raise MlopsInputError(f"the model could not {method} on X: {type(exc).__name__}: {exc}") from None
    per_row_ms = seconds * 1000.0 / size
    q50, q95 = (float(v) for v in np.percentile(per_row_ms, [50, 95]))
    checks: list[Check] = []
    if p95 is not None:
        ok = q95 <= p95
        checks.append((ok, f"p95 {fmt(q95)} ms {'<=' if ok else '>'} {fmt(p95)} ms per row"))
    if p50 is not None:
        ok = q50 <= p50
        checks.append((ok, f"p50 {fmt(q50)} ms {'<=' if ok else '>'} {fmt(p50)} ms per row"))
    passed, judgement = summarize(checks)
    summary = f"{judgement} ({batches} calls of {size} row{'s' if size != 1 else ''})"
    details = {
        "metric": "latency_ms_per_row",
        "direction": "lower",
        "p50_ms": q50,
        "p95_ms": q95,
        "mean_ms": float(per_row_ms.mean()),
        "max_ms": float(per_row_ms.max()),
        "batch_size": size,
        "batches": batches,
        "warmup": warmup,
        "method": method,
    }
    return _recorder.emit(
        model_result(
            check="latency",
            name=name or "prediction latency",
            passed=passed,
            severity=severity,
            observed=q95 if p95 is not None else q50,
            bound={"p50_ms_at_most": p50, "p95_ms_at_most": p95},
            summary=summary,
            evidence=[f"p50 {fmt(q50)} ms, p95 {fmt(q95)} ms, max {fmt(float(per_row_ms.max()))} ms per row"],
            hint=None if passed else "profile predict() (feature pipeline, model size), or batch requests",
            details=details,
        )
    )


def _path_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def check_size(
    model: Any,
    *,
    mb_at_most: float,
    name: str | None = None,
    severity: str | None = None,
) -> GateResult:
    """Gate the serialized size of a model, in MB (10⁶ bytes).

    ``model`` is a model object (measured as its pickle), a file or folder path (e.g. an MLflow
    model folder), or a registry model loaded by the fixtures (its downloaded artifacts).

    Example::

        check_size(clf, mb_at_most=50)
    """
    __tracebackhide__ = True
    limit = number("mb_at_most", mb_at_most, at_least=0)
    local = getattr(model, "local_path", None)
    if isinstance(model, (str, Path)):
        from pytest_mlops._io import resolve_path, where_relative

        path = resolve_path(model)
        if not path.exists():
            raise MlopsInputError(f"model path {str(path)!r} does not exist{where_relative(model)}")
        size, method = _path_size(path), "files on disk"
    elif isinstance(local, (str, Path)) and Path(local).exists():
        record_lineage(model)
        size, method = _path_size(Path(local)), "MLflow model artifacts"
    else:
        try:
            size, method = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)), "pickle"
        except Exception as exc:
            raise MlopsInputError(
                f"the model ({type(model).__name__}) cannot be pickled to measure it ({exc}); pass its saved path"
            ) from None
    mb = size / 1e6
    passed, text = check_bounds(mb, at_most=limit)
    return _recorder.emit(
        model_result(
            check="model_size",
            name=name or "model size",
            passed=passed,
            severity=severity,
            observed=mb,
            bound={"mb_at_most": limit},
            summary=f"{text} MB ({method})",
            evidence=[f"{size} bytes ({method})"],
            hint=None if passed else "shrink the model (fewer trees, lower precision) or raise the budget deliberately",
            details={"metric": "size_mb", "direction": "lower", "bytes": size, "method": method},
        )
    )
