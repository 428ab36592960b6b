"""Loading data files, fingerprinting frames, and checking that a frame is usable.

This module imports pandas at top: import it inside functions from light modules.

* :func:`load_frame` reads CSV or Parquet into a pandas DataFrame (``load_polars`` into a
  polars DataFrame) and remembers the file's sha256, so gates can attach lineage for free.
* :func:`fingerprint` is a sha256 of a frame's content (column names, dtypes, values).
* ``require_*`` helpers raise :class:`~pytest_mlops.errors.MlopsInputError` with one
  readable message naming the input and the fix.
"""

from __future__ import annotations

import csv
import hashlib
import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pytest_mlops.errors import MlopsInputError

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
    "Identity",
    "attach_lineage",
    "described",
    "fingerprint",
    "identity",
    "is_polars",
    "load_frame",
    "load_polars",
    "require_columns",
    "require_frame",
    "require_not_empty",
    "require_unique_columns",
]

CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".csv.zip", ".csv.bz2", ".csv.xz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Identity:
    """Where a loaded frame came from: the file, its sha256 and its shape."""

    path: str
    sha256: str
    rows: int
    columns: int


# id(frame) -> (weak reference, identity). Only the exact object load_frame returned is
# identified: a filtered or modified copy is different data and gets no file identity.
_IDENTITIES: dict[int, tuple[weakref.ref[Any], Identity]] = {}


def _remember(frame: Any, ident: Identity) -> None:
    key = id(frame)

    def forget(_: object, key: int = key) -> None:
        _IDENTITIES.pop(key, None)

    _IDENTITIES[key] = (weakref.ref(frame, forget), ident)


def identity(frame: Any) -> Identity | None:
    """The file identity of a frame returned by :func:`load_frame`/:func:`load_polars`, else None."""
    entry = _IDENTITIES.get(id(frame))
    if entry is None or entry[0]() is not frame:
        return None
    return entry[1]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_format(path: Path, what: str) -> str:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise MlopsInputError(
        f"{what} {str(path)!r}: unsupported file type; use CSV ({', '.join(CSV_SUFFIXES[:2])}) "
        f"or Parquet ({', '.join(PARQUET_SUFFIXES)})"
    )


def _check_path(path: str | Path, what: str) -> Path:
    if not isinstance(path, (str, Path)):
        raise MlopsInputError(f"{what}: expected a file path (str or pathlib.Path), got {type(path).__name__}")
    from pytest_mlops._io import resolve_path, where_relative

    p = resolve_path(path)
    if not p.exists():
        raise MlopsInputError(f"{what} {str(p)!r} does not exist; check the path{where_relative(path)}")
    if p.is_dir():
        raise MlopsInputError(f"{what} {str(p)!r} is a directory; give a CSV or Parquet file")
    return p


def _csv_header(path: Path, what: str) -> list[str]:
    """The header row, read with the csv module (pandas renames duplicate names to ``a.1``)."""
    if path.name.lower().endswith((".gz", ".zip", ".bz2", ".xz")):
        return []  # compressed: pandas decompresses; duplicate names are not detectable cheaply
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle, delimiter=delimiter), [])
    except (UnicodeDecodeError, csv.Error) as exc:
        raise MlopsInputError(f"{what} {str(path)!r} is not a readable UTF-8 CSV file: {exc}") from None


def _duplicates(names: Iterable[Any]) -> list[str]:
    seen: set[str] = set()
    dups: list[str] = []
    for name in names:
        key = str(name)
        if key in seen and key not in dups:
            dups.append(key)
        seen.add(key)
    return dups


def _short(exc: BaseException, path: Path | None = None) -> str:
    text = " ".join(str(exc).split())
    if path is not None:  # the message names the file already; keep the library's reason in view
        text = text.replace(str(path), path.name)
    return text if len(text) <= 200 else text[:197] + "..."


def load_frame(path: str | Path, *, columns: Sequence[str] | None = None, what: str = "data file") -> pd.DataFrame:
    """Read a CSV or Parquet file into a pandas DataFrame.

    The file's sha256 is remembered for this frame object, so gates given the frame attach
    ``data`` lineage (path, sha256, rows) to the report. Every problem (missing file, empty
    or corrupt file, duplicate column names, missing ``columns``) raises
    :class:`~pytest_mlops.errors.MlopsInputError` naming the file.

    Example::

        frame = load_frame("data/orders.parquet", columns=["amount", "country"])
    """
    __tracebackhide__ = True
    p = _check_path(path, what)
    kind = _file_format(p, what)
    cols = list(columns) if columns is not None else None
    try:
        if kind == "parquet":
            frame = pd.read_parquet(p, columns=cols)
        else:
            header = _csv_header(p, what)
            dups = _duplicates(header)
            if dups:
                raise MlopsInputError(
                    f"{what} {str(p)!r} has duplicate column names: {', '.join(map(repr, dups))}; rename them"
                )
            sep = "\t" if p.name.lower().endswith((".tsv", ".tsv.gz")) else ","
            frame = pd.read_csv(p, usecols=cols, sep=sep)
    except MlopsInputError:
        raise
    except pd.errors.EmptyDataError:
        raise MlopsInputError(f"{what} {str(p)!r} is empty (no header row); write the column names first") from None
    except ImportError as exc:
        raise MlopsInputError(
            f"{what} {str(p)!r}: reading Parquet needs pyarrow ({_short(exc, p)}); pip install 'pytest-mlops[parquet]'"
        ) from None
    except (ValueError, KeyError) as exc:
        if cols is not None and ("usecols" in str(exc).lower() or "not in" in str(exc) or "No match" in str(exc)):
            raise MlopsInputError(
                f"{what} {str(p)!r}: some of the requested columns are missing: {_short(exc, p)}"
            ) from None
        raise MlopsInputError(f"{what} {str(p)!r} could not be read as {kind.upper()}: {_short(exc, p)}") from None
    except Exception as exc:  # pyarrow.ArrowInvalid, OSError, parser errors...
        raise MlopsInputError(
            f"{what} {str(p)!r} could not be read as {kind.upper()} (corrupt or not a {kind.upper()} file): "
            f"{_short(exc, p)}"
        ) from None
    if kind == "parquet":
        dups = _duplicates(frame.columns)
        if dups:
            raise MlopsInputError(
                f"{what} {str(p)!r} has duplicate column names: {', '.join(map(repr, dups))}; rename them"
            )
    _remember(frame, Identity(str(p), file_sha256(p), len(frame), frame.shape[1]))
    return frame


def load_polars(path: str | Path, *, columns: Sequence[str] | None = None, what: str = "data file") -> pl.DataFrame:
    """Read a CSV or Parquet file into an eager polars DataFrame (needs the ``polars`` extra).

    Same checks and messages as :func:`load_frame`.
    """
    __tracebackhide__ = True
    try:
        import polars as pl
    except ImportError:
        from pytest_mlops.errors import MissingExtraError

        raise MissingExtraError.for_extra("polars", "polars") from None
    p = _check_path(path, what)
    kind = _file_format(p, what)
    cols = list(columns) if columns is not None else None
    if kind == "csv":
        dups = _duplicates(_csv_header(p, what))
        if dups:
            raise MlopsInputError(
                f"{what} {str(p)!r} has duplicate column names: {', '.join(map(repr, dups))}; rename them"
            )
    try:
        if kind == "parquet":
            frame = pl.read_parquet(p, columns=cols)
        else:
            frame = pl.read_csv(p, columns=cols, separator="\t" if p.name.lower().endswith(".tsv") else ",")
    except pl.exceptions.NoDataError:
        raise MlopsInputError(f"{what} {str(p)!r} is empty (no header row); write the column names first") from None
    except pl.exceptions.ColumnNotFoundError as exc:
        raise MlopsInputError(
            f"{what} {str(p)!r}: some of the requested columns are missing: {_short(exc, p)}"
        ) from None
    except Exception as exc:
        raise MlopsInputError(
            f"{what} {str(p)!r} could not be read as {kind.upper()} (corrupt or not a {kind.upper()} file): "
            f"{_short(exc, p)}"
        ) from None
    _remember(frame, Identity(str(p), file_sha256(p), frame.height, frame.width))
    return frame


def is_polars(obj: Any) -> bool:
    """True for a polars DataFrame or LazyFrame (without importing polars)."""
    return type(obj).__module__.startswith("polars") and type(obj).__name__ in ("DataFrame", "LazyFrame")


def is_polars_lazy(obj: Any) -> bool:
    return type(obj).__module__.startswith("polars") and type(obj).__name__ == "LazyFrame"


def require_frame(obj: Any, what: str = "data", *, allow_polars: bool = True) -> Any:
    """Return ``obj`` if it is a pandas (or polars) DataFrame; load it if it is a path.

    A polars LazyFrame is collected, because pandera skips data-level checks on lazy frames.
    """
    if isinstance(obj, (str, Path)):
        return load_frame(obj)
    if isinstance(obj, pd.DataFrame):
        return obj
    if allow_polars and is_polars(obj):
        if is_polars_lazy(obj):
            try:
                return obj.collect()
            except Exception as exc:
                raise MlopsInputError(f"{what}: collecting the polars LazyFrame failed: {_short(exc)}") from None
        return obj
    accepted = "a pandas DataFrame" + (", a polars DataFrame/LazyFrame" if allow_polars else "")
    raise MlopsInputError(f"{what}: expected {accepted} or a CSV/Parquet path, got {type(obj).__name__}")


def columns_of(frame: Any) -> list[Any]:
    return list(frame.columns)


def n_rows(frame: Any) -> int:
    return int(frame.height) if is_polars(frame) else len(frame)


def described(frame: Any, what: str) -> str:
    """``what``, naming the file the frame was loaded from when it was (and ``what`` does not yet)."""
    ident = identity(frame)
    if ident is None or ident.path in what or Path(ident.path).name in what:
        return what
    return f"{what} (from {ident.path!r})"


def require_not_empty(frame: Any, what: str = "data") -> None:
    what = described(frame, what)
    if not columns_of(frame):
        raise MlopsInputError(f"{what} has no columns; check that the right file or frame was passed")
    if n_rows(frame) == 0:
        raise MlopsInputError(
            f"{what} has no rows (0 rows, {len(columns_of(frame))} columns); gates need data to check"
        )


def require_unique_columns(frame: Any, what: str = "data") -> None:
    what = described(frame, what)
    dups = _duplicates(columns_of(frame))
    if dups:
        raise MlopsInputError(f"{what} has duplicate column names: {', '.join(map(repr, dups))}; rename them")


def require_columns(frame: Any, columns: Iterable[Any], what: str = "data") -> None:
    what = described(frame, what)
    present = set(map(str, columns_of(frame)))
    missing = [c for c in columns if str(c) not in present]
    if missing:
        shown = ", ".join(map(repr, columns_of(frame)[:10]))
        more = " ..." if len(columns_of(frame)) > 10 else ""
        raise MlopsInputError(f"{what} has no column {', '.join(map(repr, missing))}; its columns are: {shown}{more}")


def fingerprint(frame: Any) -> str:
    """sha256 of a frame's content: column names, dtypes and values (index ignored).

    Accepts a pandas DataFrame or Series, a polars DataFrame (a LazyFrame is collected), a
    numpy array, or a file path (then the file's bytes are hashed). Two frames with the same
    columns, dtypes and values in the same order have the same fingerprint. Cost is one
    vectorised hash pass over the data (≈ 0.2 s per million rows × 25 columns).
    """
    if isinstance(frame, (str, Path)):
        return file_sha256(_check_path(frame, "data file"))
    ident = identity(frame)
    if ident is not None:
        return ident.sha256
    digest = hashlib.sha256()
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if isinstance(frame, pd.DataFrame):
        digest.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
        for column_digest in _column_digests(frame):
            digest.update(column_digest)
        digest.update(str(len(frame)).encode())
        return digest.hexdigest()
    if is_polars(frame):
        eager = frame.collect() if is_polars_lazy(frame) else frame
        digest.update(repr([(str(c), str(t)) for c, t in eager.schema.items()]).encode())
        if eager.height and eager.width:
            digest.update(eager.hash_rows(seed=0).to_numpy().tobytes())
        digest.update(str(eager.height).encode())
        return digest.hexdigest()
    tobytes = getattr(frame, "tobytes", None)
    if callable(tobytes):
        digest.update(str(getattr(frame, "dtype", "")).encode() + str(getattr(frame, "shape", "")).encode())
        digest.update(tobytes())
        return digest.hexdigest()
    raise MlopsInputError(f"cannot fingerprint a {type(frame).__name__}; pass a DataFrame, array or file path")


def _column_digests(frame: pd.DataFrame) -> list[bytes]:
    """One sha256 per column, hashed from the column's memory where it can be.

    Numeric, boolean and datetime columns hash their values' bytes, Arrow-backed columns (pandas
    3 strings) their offsets, data and null mask; anything else (Python objects, categoricals)
    goes through ``pandas.util.hash_pandas_object``. hashlib releases the GIL on large buffers,
    so columns are hashed on a few threads: ≈ 0.05 s for 1M rows x 25 columns on 2 cores, where
    hashing every row with pandas took ≈ 1.3 s.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    columns = [frame.iloc[:, i] for i in range(frame.shape[1])]
    if len(columns) < 2 or len(frame) < 10_000:
        return [_column_digest(c) for c in columns]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1, len(columns))) as pool:
        return list(pool.map(_column_digest, columns))


def _column_digest(series: pd.Series) -> bytes:
    import numpy as np

    digest = hashlib.sha256()
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufcmM":
        digest.update(np.ascontiguousarray(series.to_numpy()).view(np.uint8).data)
        return digest.digest()
    to_arrow = getattr(series.array, "__arrow_array__", None)
    if to_arrow is not None and not isinstance(dtype, pd.CategoricalDtype):
        try:
            chunked = to_arrow()
        except Exception:
            chunked = None
        if chunked is not None and _hash_arrow(chunked, digest):
            return digest.digest()
        digest = hashlib.sha256()
    try:
        hashed = pd.util.hash_pandas_object(series, index=False)
    except TypeError:  # unhashable cells (lists, dicts): fall back to their repr
        hashed = pd.util.hash_pandas_object(series.map(repr), index=False)
    digest.update(hashed.to_numpy().tobytes())
    return digest.digest()


def _hash_arrow(chunked: Any, digest: Any) -> bool:
    """Hash an Arrow string/binary or fixed-width column by content; False for other layouts."""
    import numpy as np
    import pyarrow as pa

    kind = chunked.type
    for chunk in chunked.chunks:
        nulls = chunk.is_null().to_numpy(zero_copy_only=False)
        digest.update(np.packbits(nulls).data)
        if pa.types.is_large_string(kind) or pa.types.is_large_binary(kind):
            offset_type: Any = np.int64
        elif pa.types.is_string(kind) or pa.types.is_binary(kind):
            offset_type = np.int32
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            values = chunk.to_numpy(zero_copy_only=False)
            digest.update(np.ascontiguousarray(values).view(np.uint8).data)
            continue
        else:
            return False
        buffers = chunk.buffers()
        offsets = np.frombuffer(buffers[1], dtype=offset_type)[chunk.offset : chunk.offset + len(chunk) + 1]
        start, end = (int(offsets[0]), int(offsets[-1])) if len(offsets) else (0, 0)
        digest.update((offsets - start).data)
        if buffers[2] is not None:
            digest.update(memoryview(buffers[2])[start:end])
    return True


def attach_lineage(frame: Any, name: str, *, compute: bool = False) -> None:
    """Attach ``data`` lineage for ``frame`` when it is identified (loaded from a file).

    With ``compute=True`` an in-memory frame is fingerprinted too (one hash pass over it).
    """
    from pytest_mlops._recorder import attach

    ident = identity(frame)
    if ident is not None:
        attach("data", name, path=ident.path, sha256=ident.sha256, rows=ident.rows, columns=ident.columns)
    elif compute:
        attach("data", name, sha256=fingerprint(frame), rows=n_rows(frame), columns=len(columns_of(frame)))


def is_finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
