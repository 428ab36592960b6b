"""The one piece of pytest-mlops that runs on Spark executors: count values into bins, per partition.

It needs only numpy and pyarrow (which PySpark's Arrow UDFs need anyway) and imports no
other pytest-mlops module, so it is pickled by value: a cluster does not need pytest-mlops
installed. Each partition emits, per column, one row per non-empty bin (count and sum of
its values) and one summary row (``bin = -1``: rows, nulls, infinities, finite count,
min, max, sum, sum of squares); Spark then sums those rows over partitions, so the driver
receives at most ``columns x (bins + 1)`` rows whatever the size of the data.

Bins are right-closed, as :class:`pytest_mlops.stats.refstats.BinnedCounter`: bin ``i``
holds ``(edges[i-1], edges[i]]`` (``numpy.searchsorted(..., side="left")``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

SCHEMA = (
    "col int, bin int, count long, sum double, low double, high double, sq double, rows long, nulls long, infs long"
)


def bin_batches(batches: Iterator[Any], edges: Sequence[Sequence[float]]) -> Iterator[Any]:
    """``mapInArrow`` body: column ``j`` of every batch is counted into the bins of ``edges[j]``."""
    import numpy as np
    import pyarrow as pa

    width = len(edges)
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
            idx = np.searchsorted(cuts[j], x, side="left")
            counts[j] += np.bincount(idx, minlength=counts[j].size)
            sums[j] += np.bincount(idx, weights=x, minlength=counts[j].size)
            low[j] = min(low[j], float(x.min()))
            high[j] = max(high[j], float(x.max()))
            total[j] += float(x.sum())
            squares[j] += float(np.dot(x, x))
    out: dict[str, list[Any]] = {k: [] for k in ("col", "bin", "count", "sum", "low", "high", "sq")}
    out.update(rows=[], nulls=[], infs=[])
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
    }
    yield pa.RecordBatch.from_arrays([pa.array(out[k], type=t) for k, t in types.items()], names=list(types))


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


def sample_batches(batches: Iterator[Any], fraction: float, seed: int) -> Iterator[Any]:
    """``mapInArrow`` body: a Bernoulli sample (``fraction``) of every column's finite values.

    Seeded by ``seed`` and the partition number, so a rerun over the same partitions draws the same sample.
    """
    import numpy as np
    from pyspark import TaskContext

    context = TaskContext.get()
    part = context.partitionId() if context is not None else 0
    rng = np.random.default_rng([seed, part])
    chunks: list[list[Any]] = []
    for batch in batches:
        if not chunks:
            chunks = [[] for _ in range(batch.num_columns)]
        for j in range(batch.num_columns):
            x = _finite_values(batch.column(j))
            chunks[j].append(x[rng.random(x.size) < fraction])
    yield _values_batch(list(range(len(chunks))), chunks)


def range_batches(batches: Iterator[Any], ranges: Sequence[tuple[int, float, float]]) -> Iterator[Any]:
    """``mapInArrow`` body: for each ``(column, lo, hi)``, the finite values of that column in ``(lo, hi]``."""
    chunks: list[list[Any]] = [[] for _ in ranges]
    for batch in batches:
        for q, (j, lo, hi) in enumerate(ranges):
            x = _finite_values(batch.column(j))
            chunks[q].append(x[(x > lo) & (x <= hi)])
    yield _values_batch(list(range(len(ranges))), chunks)
