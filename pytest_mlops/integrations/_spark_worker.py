"""The one piece of pytest-mlops that runs on Spark executors: count values into bins, per partition.

It needs only numpy and pyarrow (which PySpark's Arrow UDFs need anyway) and imports no
other pytest-mlops module, so it is pickled by value: a cluster does not need pytest-mlops
installed. Each partition emits, per numeric column, one row per non-empty bin (count and
sum of its values) and one summary row (``bin = -1``: rows, nulls, infinities, finite
count, min, max, sum, sum of squares); per categorical column one row per category
(``bin = -2``, the category in ``cat``) and a summary row with its rows. Spark then sums
those rows over partitions, so the driver receives at most ``columns x (bins + 1)`` rows
(plus the categories) whatever the size of the data.

Bins are right-closed, as :class:`pytest_mlops.stats.refstats.BinnedCounter`: bin ``i``
holds ``(edges[i-1], edges[i]]``: each batch's values are sorted, and the values up to edge
``i`` are those before ``numpy.searchsorted(sorted, edges[i], side="right")``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

SCHEMA = (
    "col int, bin int, count long, sum double, low double, high double, sq double, rows long, nulls long, infs long, "
    "cat string"
)
#: ``bin`` of a numeric column's summary row, and of a categorical column's category rows.
SUMMARY, CATEGORY = -1, -2


def bin_batches(batches: Iterator[Any], edges: Sequence[Sequence[float]]) -> Iterator[Any]:
    """``mapInArrow`` body: column ``j`` of every batch is counted into the bins of ``edges[j]``;
    the columns after ``len(edges)`` are categorical: their values are counted."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    width = len(edges)
    found: dict[int, list[Any]] = {}  # categorical column -> per-batch value_counts
    seen: dict[int, int] = {}  # categorical column -> rows
    cuts = [np.asarray(e, dtype=np.float64) for e in edges]
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
        for j in range(width, batch.num_columns):
            counted = pc.value_counts(batch.column(j).drop_null())
            found.setdefault(j, []).append(counted)
            seen[j] = seen.get(j, 0) + batch.num_rows
        for j in range(width):
            array = batch.column(j)
            x = array.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
            if array.null_count:
                x = np.where(np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool), np.nan, x)
            rows[j] += x.size
            finite = np.isfinite(x)
            if not finite.all():
                n_nan = int(np.isnan(x).sum())
                nulls[j] += n_nan
                infs[j] += int(x.size - finite.sum()) - n_nan
                x = x[finite]
            if x.size == 0:
                continue
            # sort the batch and place the edges in it: about twice as fast as placing every value
            # among the edges (np.searchsorted over values), whatever the number of edges
            x = np.sort(x)
            ends = np.concatenate((np.searchsorted(x, cuts[j], side="right"), [x.size]))
            n = np.diff(ends, prepend=0)
            filled = np.flatnonzero(n)
            counts[j] += n
            sums[j][filled] += np.add.reduceat(x, ends[filled] - n[filled])
            low[j] = min(low[j], float(x[0]))
            high[j] = max(high[j], float(x[-1]))
            total[j] += float(x.sum())
            squares[j] += float(np.dot(x, x))
    out: dict[str, list[Any]] = {k: [] for k in ("col", "bin", "count", "sum", "low", "high", "sq")}
    out.update(rows=[], nulls=[], infs=[], cat=[])
    for j in range(width):
        nonzero = np.flatnonzero(counts[j])
        size = nonzero.size + 1
        out["col"].extend([j] * size)
        out["bin"].extend([-1, *nonzero.tolist()])
        out["count"].extend([int(counts[j].sum()), *counts[j][nonzero].tolist()])
        out["sum"].extend([float(total[j]), *sums[j][nonzero].tolist()])
        none = [None] * (size - 1)
        valid = bool(counts[j].sum())
        out["low"].extend([float(low[j]) if valid else None, *none])
        out["high"].extend([float(high[j]) if valid else None, *none])
        out["sq"].extend([float(squares[j]), *none])
        out["rows"].extend([int(rows[j]), *none])
        out["nulls"].extend([int(nulls[j]), *none])
        out["infs"].extend([int(infs[j]), *none])
        out["cat"].extend([None] * size)
    for j, rows_j in seen.items():
        keys, counts_j = _merge_counts(found[j])
        size = len(keys) + 1
        out["col"].extend([j] * size)
        out["bin"].extend([SUMMARY, *[CATEGORY] * len(keys)])
        out["count"].extend([sum(counts_j), *counts_j])
        out["rows"].extend([rows_j, *[None] * len(keys)])
        out["cat"].extend([None, *keys])
        for k in ("sum", "low", "high", "sq", "nulls", "infs"):
            out[k].extend([None] * size)
    types = {
        "col": pa.int32(),
        "bin": pa.int32(),
        "count": pa.int64(),
        "sum": pa.float64(),
        "low": pa.float64(),
        "high": pa.float64(),
        "sq": pa.float64(),
        "rows": pa.int64(),
        "nulls": pa.int64(),
        "infs": pa.int64(),
        "cat": pa.string(),
    }
    yield pa.RecordBatch.from_arrays([pa.array(out[k], type=t) for k, t in types.items()], names=list(types))


def _merge_counts(parts: list[Any]) -> tuple[list[str], list[int]]:
    """The categories (as ``str`` of their Python value, as the driver keys them) and their counts."""
    import pyarrow as pa

    merged: dict[str, int] = {}
    for counted in parts:
        values = counted.field("values")
        if pa.types.is_boolean(values.type):
            keys = [str(v) for v in values.to_pylist()]
        else:
            keys = values.cast(pa.string()).to_pylist()
        for key, n in zip(keys, counted.field("counts").to_pylist(), strict=True):
            merged[key] = merged.get(key, 0) + n
    return list(merged), list(merged.values())


VALUES_SCHEMA = "key int, values array<double>"


def _finite_values(array: Any) -> Any:
    import numpy as np

    x = array.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    if array.null_count:
        x = np.where(np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool), np.nan, x)
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
    plans: dict[int, tuple[list[int], Any]] = {}  # column -> (its ranges by lo, their bounds lo0 hi0 lo1 hi1 ...)
    for q, (j, _, _) in enumerate(ranges):
        plans.setdefault(j, ([], None))[0].append(q)
    for j, (qs, _) in list(plans.items()):
        qs.sort(key=lambda q: ranges[q][1])
        plans[j] = (qs, np.array([b for q in qs for b in ranges[q][1:]], dtype=np.float64))
    for batch in batches:
        for j, (qs, bounds) in plans.items():
            x = _finite_values(batch.column(j))
            idx = np.searchsorted(bounds, x, side="left")  # odd: lo < x <= hi of range idx // 2
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
