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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from pytest_mlops.errors import MissingExtraError, MlopsInputError
from pytest_mlops.stats.columns import ColumnData

if TYPE_CHECKING:
    from pytest_mlops.stats.driftset import DriftOptions, DriftResult
    from pytest_mlops.stats.refstats import ReferenceProfile

__all__ = [
    "ColumnData",
    "FrameSource",
    "as_source",
    "check_supported",
    "column_from_arrow",
    "compare_parquet",
    "iter_parquet_batches",
    "parquet_schema",
    "profile_parquet",
]

FloatArray = npt.NDArray[np.float64]

#: Rows per record batch read from Parquet: small enough that a batch of 25 float columns is a few
#: MiB, large enough that per-batch overhead stays negligible.
BATCH_ROWS = 65_536
#: Bytes read at a time from a column chunk; without it pyarrow reads a whole column chunk of a row
#: group into memory, so memory would grow with the writer's row-group size.
READ_BUFFER = 1 << 20
#: Batches of :func:`profile_parquet`: its seeded edge sample draws per batch, so this size is part
#: of what makes saved statistics reproducible; it stays at the size statistics were always made with.
PROFILE_BATCH_ROWS = 262_144


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
    """``str(category) -> count`` of the categories present (a pandas Categorical also lists absent ones)."""
    out: dict[str, int] = {}
    for k, v in zip(keys, values, strict=True):
        if not v:
            continue
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
            try:
                vc = series.value_counts(dropna=True, sort=False)
            except TypeError:  # unhashable values: lists, arrays, dicts
                raise MlopsInputError(
                    f"{self.what}: column {name!r} holds lists or other unhashable values; drift compares numbers "
                    f"and categories: leave it out (exclude=[{name!r}])"
                ) from None
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
        from pytest_mlops.integrations.loading import load_frame

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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _open_parquet(path: str | Path) -> Any:
    """A ``pyarrow.parquet.ParquetFile`` that reads column chunks through a small buffer.

    ``pre_buffer=False``: pyarrow otherwise keeps every row group it read until the file closes
    (apache/arrow#39808). ``buffer_size``: pages are read ``READ_BUFFER`` bytes at a time instead of
    one whole column chunk per row group, so memory stays bounded when a writer put millions of rows
    into one row group.
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingExtraError.for_extra("parquet", "pyarrow", "to stream Parquet files") from None
    from pytest_mlops._io import resolve_path, where_relative

    p = resolve_path(path)
    if not p.exists():
        raise MlopsInputError(f"Parquet file {str(p)!r} does not exist; check the path{where_relative(path)}")
    if p.is_dir():
        raise MlopsInputError(f"Parquet file {str(p)!r} is a directory; pass the path of one .parquet file")
    if p.stat().st_size == 0:
        raise MlopsInputError(f"Parquet file {str(p)!r} is empty (0 bytes); write the data again")
    try:
        return pq.ParquetFile(p, pre_buffer=False, buffer_size=READ_BUFFER)
    except Exception as exc:  # pyarrow raises ArrowInvalid and OSError subclasses
        raise MlopsInputError(
            f"Parquet file {str(p)!r} could not be read ({_first_line(exc)}); is it a complete Parquet file?"
        ) from None


def iter_parquet_batches(
    path: str | Path, columns: Sequence[str] | None = None, *, batch_rows: int = BATCH_ROWS
) -> Iterator[Any]:
    """Yield ``pyarrow.RecordBatch`` objects of at most ``batch_rows`` rows from a Parquet file.

    The file is opened without pre-buffering and read through a small buffer, so memory is bounded
    by a few batches whatever the file's size and its row-group size; a file that turns out
    truncated or corrupt mid-way raises :class:`MlopsInputError` naming it.
    """
    handle = _open_parquet(path)
    names = handle.schema_arrow.names
    if columns is not None:
        missing = [c for c in columns if c not in names]
        if missing:
            raise MlopsInputError(f"Parquet file {str(path)!r} has no column(s) {missing!r}; it has {names!r}")
    try:
        yield from handle.iter_batches(batch_size=batch_rows, columns=list(columns) if columns is not None else None)
    except MlopsInputError:
        raise
    except Exception as exc:
        raise MlopsInputError(
            f"Parquet file {str(path)!r} could not be read to the end ({_first_line(exc)}); is it truncated or corrupt?"
        ) from None
    finally:
        handle.close()


def parquet_schema(path: str | Path) -> dict[str, str]:
    """Column name -> kind (``numeric``/``categorical``/``unsupported``) of a Parquet file, from its schema.

    Nested types (lists, structs, maps) and binary blobs are ``unsupported``: the drift engine
    compares numbers and categories; :func:`check_supported` turns them into a clean error.
    """
    import pyarrow as pa

    handle = _open_parquet(path)
    try:
        schema = handle.schema_arrow
    finally:
        handle.close()
    out = {}
    for field in schema:
        t = field.type
        if pa.types.is_nested(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
            out[field.name] = "unsupported"
            continue
        numeric = (
            pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_temporal(t) or pa.types.is_decimal(t)
        ) and not pa.types.is_boolean(t)
        out[field.name] = "numeric" if numeric else "categorical"
    return out


def parquet_types(path: str | Path) -> dict[str, str]:
    """Column name -> Arrow type as text, for messages."""
    handle = _open_parquet(path)
    try:
        return {f.name: str(f.type) for f in handle.schema_arrow}
    finally:
        handle.close()


def check_supported(path: str | Path, schema: dict[str, str], columns: Sequence[str], *, flag: str) -> None:
    """Raise one line naming the first compared column the drift engine cannot read."""
    bad = [c for c in columns if schema.get(c) == "unsupported"]
    if bad:
        types = parquet_types(path)
        raise MlopsInputError(
            f"column {bad[0]!r} of {str(path)!r} is of type {types[bad[0]]}: drift compares numbers and "
            f"categories, not nested or binary values; leave it out with {flag} {bad[0]}"
        )


def profile_parquet(
    path: str | Path,
    columns: Sequence[str] | None = None,
    *,
    categorical: Sequence[str] = (),
    batch_rows: int = PROFILE_BATCH_ROWS,
    sample: int = 200_000,
    seed: int = 0,
) -> ReferenceProfile:
    """Reference statistics of a Parquet file larger than memory, in two streamed passes.

    Pass 1 keeps a seeded uniform sample of ``sample`` values per numeric column, whose
    quantiles become the bin edges (edges are only cut points: the counts are exact).
    Pass 2 counts every value into those bins.
    """
    import math

    from pytest_mlops.stats.refstats import GRID, BinnedCounter, ColumnProfile, ReferenceProfile

    schema = parquet_schema(path)
    names = list(columns) if columns is not None else list(schema)
    missing = [c for c in names if c not in schema]
    if missing:
        raise MlopsInputError(f"reference {str(path)!r} has no column(s) {missing!r}")
    check_supported(path, schema, names, flag="--exclude")
    kinds = {c: ("categorical" if c in categorical else schema[c]) for c in names}
    rng = np.random.default_rng(seed)
    keys: dict[str, FloatArray] = {c: np.empty(0) for c in names if kinds[c] == "numeric"}
    kept: dict[str, FloatArray] = {c: np.empty(0) for c in keys}
    cats: dict[str, dict[str, int]] = {c: {} for c in names if kinds[c] == "categorical"}
    nulls = dict.fromkeys(names, 0)
    n_rows = 0
    for batch in iter_parquet_batches(path, names, batch_rows=batch_rows):
        n_rows += batch.num_rows
        for c in names:
            col = column_from_arrow(batch.column(c), c, kinds[c])
            if kinds[c] == "categorical":
                nulls[c] += col.n_null
                for k, v in (col.counts or {}).items():
                    cats[c][k] = cats[c].get(k, 0) + v
                continue
            assert col.values is not None
            prio = rng.random(col.values.size)
            allk = np.concatenate([keys[c], prio])
            allv = np.concatenate([kept[c], col.values])
            if allk.size > sample:
                top = np.argpartition(allk, sample - 1)[:sample]
                allk, allv = allk[top], allv[top]
            keys[c], kept[c] = allk, allv
    counters: dict[str, BinnedCounter] = {}
    for c in keys:
        s = np.sort(kept[c])
        if s.size == 0:
            counters[c] = BinnedCounter([])
            continue
        ranks = [math.ceil(k * s.size / GRID) - 1 for k in range(1, GRID)]
        counters[c] = BinnedCounter(s[ranks])
    for batch in iter_parquet_batches(path, list(keys), batch_rows=batch_rows):
        for c in keys:
            col = column_from_arrow(batch.column(c), c, "numeric")
            assert col.values is not None
            counters[c].add(col.values, n_rows=col.n_rows, n_null=col.n_null, n_infinite=col.n_infinite)
    out: dict[str, ColumnProfile] = {}
    for c in names:
        if kinds[c] == "categorical":
            out[c] = ColumnProfile(c, "categorical", "", n_rows, nulls[c], categories=cats[c])
            continue
        bc = counters[c]
        n = bc.n_valid
        out[c] = ColumnProfile(
            c,
            "numeric",
            "",
            n_rows,
            bc.n_null,
            bc.n_infinite,
            edges=bc.edges.tolist(),
            counts=bc.counts.tolist() if bc.edges.size else [0] * GRID,
            sums=bc.sums.tolist() if bc.edges.size else [0.0] * GRID,
            low=bc.low if n else 0.0,
            high=bc.high if n else 0.0,
            mean=bc.total / n if n else 0.0,
            std=bc.std(),
        )
    return ReferenceProfile(out, n_rows, str(path), GRID, {"rows": sample, "seed": seed})


def compare_parquet(
    reference: ReferenceProfile,
    current_path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    options: DriftOptions | None = None,
    batch_rows: int = BATCH_ROWS,
) -> DriftResult:
    """Compare a Parquet file, streamed in batches, with saved reference statistics.

    Each batch is counted into the reference's bins (:class:`~pytest_mlops.stats.refstats.BinnedCounter`)
    and the counts go to :func:`~pytest_mlops.stats.driftset.compare_summaries`, so the verdict is
    the calibrated one of in-memory data.
    """
    from pytest_mlops.stats.driftset import DriftOptions, compare_summaries, resolve_columns
    from pytest_mlops.stats.refstats import BinnedCounter, ColumnCounts

    options = options or DriftOptions()
    schema = parquet_schema(current_path)
    chosen, notes = resolve_columns(
        list(reference.columns), list(schema), columns, exclude, "reference", str(current_path)
    )
    check_supported(current_path, schema, chosen, flag="--exclude")
    options.check(chosen)
    for name in chosen:
        prof = reference.columns[name]
        if prof.kind == "numeric" and schema[name] != "numeric":
            raise MlopsInputError(
                f"column {name!r} is numeric in the reference but categorical in {str(current_path)!r}; cast it"
            )
    counters = {n: BinnedCounter(reference.columns[n].edges) for n in chosen if reference.columns[n].kind == "numeric"}
    counts: dict[str, dict[str, int]] = {n: {} for n in chosen if reference.columns[n].kind == "categorical"}
    rows = dict.fromkeys(counts, 0)
    nulls = dict.fromkeys(counts, 0)
    total = 0
    for batch in iter_parquet_batches(current_path, chosen, batch_rows=batch_rows):
        total += batch.num_rows
        for name in chosen:
            kind = reference.columns[name].kind
            col = column_from_arrow(batch.column(name), name, kind)
            if kind == "numeric":
                assert col.values is not None
                counters[name].add(col.values, n_rows=col.n_rows, n_null=col.n_null, n_infinite=col.n_infinite)
            else:
                rows[name] += col.n_rows
                nulls[name] += col.n_null
                for k, v in (col.counts or {}).items():
                    counts[name][k] = counts[name].get(k, 0) + v
    if total == 0:
        raise MlopsInputError(f"current {str(current_path)!r} has no rows")
    summaries: dict[str, ColumnCounts] = {}
    for name in chosen:
        if name in counters:
            summaries[name] = counters[name].to_counts()
        else:
            summaries[name] = ColumnCounts(n_rows=rows[name], n_null=nulls[name], categories=counts[name])
    return compare_summaries(reference, summaries, options=options, notes=notes)


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
