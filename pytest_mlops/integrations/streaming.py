"""Columns for the drift engine from pandas, polars, 1-D arrays and Parquet files streamed in batches.

This module imports numpy at top: import it inside functions from light modules.

A :class:`FrameSource` gives, per column, its kind (numeric or categorical), dtype and
either the finite float64 values (numeric) or ``category -> count`` (categorical), with
null counts. Columns are extracted one at a time, so at most a column or two is copied
at any moment (a float64 pandas or polars column without nulls is not copied at all).

:func:`iter_parquet_batches` reads a Parquet file in record batches (``pyarrow``) so
reference statistics and binned drift can be computed on files larger than memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pytest_mlops.errors import MissingExtraError, MlopsInputError

__all__ = ["ColumnData", "FrameSource", "as_source", "column_from_arrow", "iter_parquet_batches"]

FloatArray = npt.NDArray[np.float64]


@dataclass
class ColumnData:
    """One column of one input, ready for the engine."""

    name: str
    kind: str  # "numeric" or "categorical"
    dtype: str
    n_rows: int
    n_null: int
    #: numeric: the finite values (NaN and +-inf removed)
    values: FloatArray | None = None
    #: numeric: how many +-inf values were dropped (they are not nulls)
    n_infinite: int = 0
    #: categorical: str(category) -> count, nulls excluded
    counts: dict[str, int] | None = None


def _is_polars(obj: Any) -> bool:
    return type(obj).__module__.startswith("polars") and type(obj).__name__ in ("DataFrame", "LazyFrame", "Series")


def _finite(x: FloatArray) -> tuple[FloatArray, int, int]:
    """Finite values, null (NaN) count and infinite count; no copy when all are finite."""
    finite = np.isfinite(x)
    if finite.all():
        return x, 0, 0
    n_nan = int(np.isnan(x).sum())
    return x[finite], n_nan, int(x.size - finite.sum() - n_nan)


def _counts_to_dict(keys: Sequence[Any], values: Sequence[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for k, v in zip(keys, values, strict=True):
        key = str(k.item() if hasattr(k, "item") else k)
        out[key] = out.get(key, 0) + int(v)
    return out


class FrameSource:
    """Column access over a pandas or polars DataFrame (see :func:`as_source`)."""

    def __init__(self, frame: Any, what: str) -> None:
        self.frame = frame
        self.what = what
        self.polars = _is_polars(frame)
        if self.polars and type(frame).__name__ == "LazyFrame":
            self.frame = frame.collect()
        self.names: list[str] = [str(c) for c in self.frame.columns]
        if len(set(self.names)) != len(self.names):
            dup = sorted({c for c in self.names if self.names.count(c) > 1})
            raise MlopsInputError(f"{what}: duplicate column names {dup!r}; rename them before comparing")
        self.n_rows = int(self.frame.height if self.polars else len(self.frame))

    def dtype(self, name: str) -> str:
        return str(self.frame.schema[name] if self.polars else self.frame[name].dtype)

    def kind(self, name: str) -> str:
        """``numeric`` (numbers, dates) or ``categorical`` (strings, categories, booleans, objects)."""
        if self.polars:
            dt = self.frame.schema[name]
            if dt.is_numeric() or dt.is_temporal():
                return "numeric"
            return "categorical"
        import pandas as pd

        series = self.frame[name]
        dtype = series.dtype
        if pd.api.types.is_bool_dtype(dtype):
            return "categorical"
        if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
            return "numeric"
        if pd.api.types.is_timedelta64_dtype(dtype):
            return "numeric"
        return "categorical"

    def is_class_like(self, name: str, limit: int = 20) -> bool:
        """True for a numeric column holding at most ``limit`` distinct integer values (class labels)."""
        if self.kind(name) != "numeric":
            return True
        col = self.column(name, "numeric")
        assert col.values is not None
        values = col.values
        if values.size == 0 or not np.all(values == np.round(values)):
            return False
        return bool(np.unique(values).size <= limit)

    def kinds(self) -> dict[str, str]:
        """Every column's kind."""
        return {name: self.kind(name) for name in self.names}

    def column(self, name: str, kind: str) -> ColumnData:
        """Extract ``name`` as ``kind`` (a numeric column can be read as categorical, not the reverse)."""
        dtype = self.dtype(name)
        if self.polars:
            return self._polars_column(name, kind, dtype)
        return self._pandas_column(name, kind, dtype)

    def _pandas_column(self, name: str, kind: str, dtype: str) -> ColumnData:
        import pandas as pd

        series = self.frame[name]
        n = len(series)
        if kind == "categorical":
            vc = series.value_counts(dropna=True, sort=False)
            counts = _counts_to_dict(list(vc.index), vc.to_numpy())
            return ColumnData(name, kind, dtype, n, n - sum(counts.values()), counts=counts)
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            if getattr(series.dtype, "tz", None) is not None:
                series = series.dt.tz_convert("UTC").dt.tz_localize(None)
            raw = series.to_numpy(dtype="datetime64[ns]")
            nat = np.isnat(raw)
            x = raw.astype(np.int64).astype(np.float64) / 1e9
            x[nat] = np.nan
        elif pd.api.types.is_timedelta64_dtype(series.dtype):
            raw = series.to_numpy(dtype="timedelta64[ns]")
            nat = np.isnat(raw)
            x = raw.astype(np.int64).astype(np.float64) / 1e9
            x[nat] = np.nan
        elif isinstance(series.dtype, np.dtype):
            # numpy-backed: NaN is already the null marker; float64 comes out without a copy
            x = series.to_numpy()
            if x.dtype != np.float64:
                x = x.astype(np.float64)
        else:  # nullable (masked or Arrow-backed) numbers: nulls become NaN
            x = series.to_numpy(dtype=np.float64, na_value=np.nan)
        values, n_nan, n_inf = _finite(x)
        return ColumnData(name, kind, dtype, n, n_nan, values=values, n_infinite=n_inf)

    def _polars_column(self, name: str, kind: str, dtype: str) -> ColumnData:
        import polars as pl

        series = self.frame.get_column(name)
        n = series.len()
        if kind == "categorical":
            vc = series.drop_nulls().value_counts()
            counts = _counts_to_dict(vc.get_column(name).to_list(), vc.get_column("count").to_list())
            return ColumnData(name, kind, dtype, n, n - sum(counts.values()), counts=counts)
        if series.dtype.is_temporal():
            series = series.cast(pl.Datetime("ns")) if series.dtype == pl.Date else series
            series = series.dt.epoch("ns") if series.dtype != pl.Duration else series.dt.total_nanoseconds()
            x = series.cast(pl.Float64).to_numpy() / 1e9
        else:
            x = series.cast(pl.Float64).to_numpy()
        if x.dtype != np.float64:
            x = x.astype(np.float64)
        values, n_nan, n_inf = _finite(x)
        return ColumnData(name, kind, dtype, n, n_nan, values=values, n_infinite=n_inf)


def as_source(obj: Any, what: str, *, name: str = "value") -> FrameSource:
    """A :class:`FrameSource` for a pandas/polars DataFrame, a Series, a 1-D or 2-D array, a list,
    or a CSV/Parquet path (read whole; stream big Parquet files with :func:`iter_parquet_batches`)."""
    import pandas as pd

    if isinstance(obj, (str, Path)):
        from pytest_mlops.data import load_frame

        return FrameSource(load_frame(obj, what=what), what)
    if _is_polars(obj):
        if type(obj).__name__ == "Series":
            return FrameSource(obj.rename(obj.name or name).to_frame(), what)
        return FrameSource(obj, what)
    if isinstance(obj, pd.DataFrame):
        return FrameSource(obj, what)
    if isinstance(obj, pd.Series):
        label = str(obj.name) if obj.name is not None else name
        return FrameSource(pd.DataFrame({label: obj}), what)
    if isinstance(obj, (np.ndarray, list, tuple)):
        arr = np.asarray(obj)
        if arr.ndim == 1:
            return FrameSource(pd.DataFrame({name: arr}), what)
        if arr.ndim == 2:
            return FrameSource(pd.DataFrame({f"{name}[{j}]": arr[:, j] for j in range(arr.shape[1])}), what)
        raise MlopsInputError(f"{what}: expected 1-D or 2-D data, got an array of shape {arr.shape}")
    raise MlopsInputError(
        f"{what}: expected a pandas or polars DataFrame, a Series, an array or a file path, got {type(obj).__name__}"
    )


def iter_parquet_batches(
    path: str | Path, columns: Sequence[str] | None = None, *, batch_rows: int = 262_144
) -> Iterator[Any]:
    """Yield ``pyarrow.RecordBatch`` objects of at most ``batch_rows`` rows from a Parquet file."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError.for_extra("parquet", "pyarrow", "to stream Parquet files") from None
    from pytest_mlops._io import resolve_path, where_relative

    p = resolve_path(path)
    if not p.exists():
        raise MlopsInputError(f"Parquet file {str(p)!r} does not exist; check the path{where_relative(path)}")
    try:
        handle = pq.ParquetFile(p)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise MlopsInputError(f"Parquet file {str(p)!r} could not be read: {exc}") from None
    names = handle.schema_arrow.names
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise MlopsInputError(f"Parquet file {str(p)!r} has no column(s) {missing!r}; it has {names!r}")
    yield from handle.iter_batches(batch_size=batch_rows, columns=list(columns) if columns is not None else None)


def parquet_schema(path: str | Path) -> dict[str, str]:
    """Column name -> kind (``numeric``/``categorical``) of a Parquet file, from its schema only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = {}
    from pytest_mlops._io import resolve_path

    for field in pq.ParquetFile(resolve_path(path)).schema_arrow:
        t = field.type
        numeric = (
            pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t)
        ) and not pa.types.is_boolean(t)
        out[field.name] = "numeric" if numeric else "categorical"
    return out


def column_from_arrow(array: Any, name: str, kind: str) -> ColumnData:
    """A :class:`ColumnData` from one column of a record batch (a ``pyarrow.Array``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(array)
    dtype = str(array.type)
    if kind == "categorical":
        vc = pc.value_counts(array.drop_null() if hasattr(array, "drop_null") else array)
        keys = vc.field("values").to_pylist()
        cnt = vc.field("counts").to_pylist()
        counts = _counts_to_dict(
            [k for k in keys if k is not None], [c for k, c in zip(keys, cnt, strict=True) if k is not None]
        )
        return ColumnData(name, kind, dtype, n, n - sum(counts.values()), counts=counts)
    t = array.type
    if pa.types.is_temporal(t):
        # seconds since the epoch (durations: seconds), as the in-memory readers do
        unit = pa.duration("ns") if pa.types.is_duration(t) else pa.timestamp("ns")
        if pa.types.is_timestamp(t) and t.tz is not None:
            unit = pa.timestamp("ns", tz=t.tz)
        ints = pc.cast(pc.cast(array, unit), pa.int64())
        x = ints.to_numpy(zero_copy_only=False).astype(np.float64) / 1e9

    else:
        x = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    if array.null_count:
        x = np.array(x, dtype=np.float64)
        x[np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = np.nan
    values, n_nan, n_inf = _finite(np.asarray(x, dtype=np.float64))
    return ColumnData(name, kind, dtype, n, n_nan, values=values, n_infinite=n_inf)
