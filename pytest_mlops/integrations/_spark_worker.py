"""The one piece of pytest-mlops that runs on Spark executors: count values into bins, per partition.

It needs only numpy and pyarrow (which PySpark's Arrow UDFs need anyway) and imports one
other pytest-mlops module, :mod:`pytest_mlops.stats._edgeindex` (numpy only); both are
pickled by value, so a cluster does not need pytest-mlops installed. Each partition
emits, per numeric column, one row: the count and the sum of its values in every bin (two
arrays of ``len(edges) + 1``), with its rows, nulls, infinities, min, max, sum and sum of
squares. Spark adds those rows up over partitions, element by element, so the driver
receives one row per column whatever the size of the data. (Categories are counted by
Spark itself: see ``spark_drift.categories_of``.)

Bins are right-closed, as :class:`pytest_mlops.stats.refstats.BinnedCounter`: bin ``i``
holds ``(edges[i-1], edges[i]]``, i.e. a value's bin is ``searchsorted(edges, value,
side="left")``, which :class:`~pytest_mlops.stats._edgeindex.EdgeIndex` gives by a lookup
table (a few times faster than sorting each batch, and than a binary search per value).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pytest_mlops.stats._edgeindex import EdgeIndex

SCHEMA = (
    "col int, counts array<bigint>, sums array<double>, low double, high double, total double, "
    "sq double, rows long, nulls long, infs long"
)


def bin_batches(batches: Iterator[Any], edges: Sequence[Sequence[float]]) -> Iterator[Any]:
    """``mapInArrow`` body: column ``j`` of every batch is counted into the bins of ``edges[j]``."""
    import numpy as np
    import pyarrow as pa

    types = _arrow_types()
    width = len(edges)
    cuts = [np.asarray(e, dtype=np.float64) for e in edges]
    index = [EdgeIndex(c) for c in cuts]
    counts = [np.zeros(c.size + 1, dtype=np.int64) for c in cuts]
    sums = [np.zeros(c.size + 1, dtype=np.float64) for c in cuts]
    low = np.full(width, np.inf)
    high = np.full(width, -np.inf)
    total = np.zeros(width)
    squares = np.zeros(width)
    rows = np.zeros(width, dtype=np.int64)
    nulls = np.zeros(width, dtype=np.int64)
    infs = np.zeros(width, dtype=np.int64)
    for batch in batches:
        for j in range(width):
            x = _floats(batch.column(j))
            rows[j] += x.size
            finite = np.isfinite(x)
            if not finite.all():
                n_nan = int(np.isnan(x).sum())
                nulls[j] += n_nan
                infs[j] += int(x.size - finite.sum()) - n_nan
                x = x[finite]
            if x.size == 0:
                continue
            b = index[j](x)
            counts[j] += np.bincount(b, minlength=counts[j].size)
            sums[j] += np.bincount(b, weights=x, minlength=sums[j].size)
            low[j] = min(low[j], float(x.min()))
            high[j] = max(high[j], float(x.max()))
            total[j] += float(x.sum())
            squares[j] += float(np.einsum("i,i->", x, x))
    out: dict[str, list[Any]] = {k: [] for k in types}
    for j in range(width):
        valid = bool(counts[j].sum())
        row: dict[str, Any] = {"col": j, "counts": counts[j], "sums": sums[j], "total": float(total[j])}
        row.update(sq=float(squares[j]), rows=int(rows[j]), nulls=int(nulls[j]), infs=int(infs[j]))
        row.update(low=float(low[j]) if valid else None, high=float(high[j]) if valid else None)
        for key in types:
            out[key].append(row.get(key))
    yield pa.RecordBatch.from_arrays([_column(out[k], t) for k, t in types.items()], names=list(types))


def _column(values: list[Any], kind: Any) -> Any:
    """An Arrow array of ``values``: numpy arrays (the bins) become list entries without a Python loop."""
    import numpy as np
    import pyarrow as pa

    if not pa.types.is_list(kind):
        return pa.array(values, type=kind)
    parts = [np.asarray(v, dtype=kind.value_type.to_pandas_dtype()) for v in values]
    offsets = np.concatenate(([0], np.cumsum([p.size for p in parts]))).astype(np.int32)
    flat = np.concatenate(parts) if parts else np.empty(0, dtype=kind.value_type.to_pandas_dtype())
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), pa.array(flat, type=kind.value_type))


def _arrow_types() -> dict[str, Any]:
    import pyarrow as pa

    return {
        "col": pa.int32(),
        "counts": pa.list_(pa.int64()),
        "sums": pa.list_(pa.float64()),
        "low": pa.float64(),
        "high": pa.float64(),
        "total": pa.float64(),
        "sq": pa.float64(),
        "rows": pa.int64(),
        "nulls": pa.int64(),
        "infs": pa.int64(),
    }


VALUES_SCHEMA = "key int, values array<double>"


def _floats(array: Any) -> Any:
    """An Arrow column as float64 numpy values, nulls as NaN."""
    import numpy as np

    x = array.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    if array.null_count:
        x = np.where(np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool), np.nan, x)
    return x


def _finite_values(array: Any) -> Any:
    import numpy as np

    x = _floats(array)
    return x[np.isfinite(x)]


def _values_batch(keys: list[int], chunks: list[list[Any]]) -> Any:
    import numpy as np
    import pyarrow as pa

    merged = [np.concatenate(c).tolist() if c else [] for c in chunks]
    return pa.RecordBatch.from_arrays(
        [pa.array(keys, type=pa.int32()), pa.array(merged, type=pa.list_(pa.float64()))], names=["key", "values"]
    )


def range_batches(batches: Iterator[Any], ranges: Sequence[tuple[int, float, float]]) -> Iterator[Any]:
    """``mapInArrow`` body: for each ``(column, lo, hi)``, the finite values of that column in ``(lo, hi]``.

    The ranges of one column must not overlap; each column is searched once per batch.
    """
    import numpy as np

    chunks: list[list[Any]] = [[] for _ in ranges]
    plans: dict[int, tuple[list[int], Any]] = {}  # column -> (its ranges by lo, an index of lo0 hi0 lo1 hi1 ...)
    for q, (j, _, _) in enumerate(ranges):
        plans.setdefault(j, ([], None))[0].append(q)
    for j, (qs, _) in list(plans.items()):
        qs.sort(key=lambda q: ranges[q][1])
        plans[j] = (qs, EdgeIndex(np.array([b for q in qs for b in ranges[q][1:]], dtype=np.float64)))
    for batch in batches:
        for j, (qs, bounds) in plans.items():
            x = _finite_values(batch.column(j))
            idx = bounds(x)  # searchsorted(bounds, x, "left"), odd: lo < x <= hi of range idx // 2
            inside = (idx % 2).astype(bool)
            if not inside.any():
                continue
            which = idx[inside] // 2
            order = np.argsort(which, kind="stable")
            picked, which = x[inside][order], which[order]
            cuts = np.searchsorted(which, np.arange(len(qs) + 1), side="left")
            for t, q in enumerate(qs):
                if cuts[t + 1] > cuts[t]:
                    chunks[q].append(picked[cuts[t] : cuts[t + 1]])
    yield _values_batch(list(range(len(ranges))), chunks)
