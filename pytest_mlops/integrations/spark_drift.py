"""Drift on Spark: per-column summaries computed in Spark, compared by the saved-statistics engine.

Long because: the reference profile (sample, counting pass, exact-quantile brackets) and the
comparison of a current frame share the counting pass and its merged bin types.

This module imports pyspark and numpy at top; light modules import it inside functions.

Only summaries reach the driver (kilobytes per column, whatever the number of rows):

* A reference Spark frame becomes a :class:`~pytest_mlops.stats.refstats.ReferenceProfile`
  (the structure ``pytest-mlops drift save`` writes): per numeric column a grid of
  ``refstats.GRID`` bins with the exact count and sum of the values in each bin, plus rows,
  nulls, infinities, min, max, mean and standard deviation; per categorical column the
  count of every category (a Spark ``groupBy``).
* Bin edges: a seeded Bernoulli sample (about ``SAMPLE`` values per column, a Spark
  ``sample``) places the grid; then the edges at the quantiles ``j / bins`` (the bins of
  PSI, Jensen–Shannon and Hellinger) are made **exact order statistics**: the sample points
  around each such quantile become extra cut points, one counting pass finds the bracket
  holding the exact rank, and the few values inside the bracket (about ``rows / SAMPLE``,
  capped at ``BRACKET_CAP``) are collected to pick the value. Those edges equal the pandas
  path's reference quantiles, so the binned measures equal the pandas path's exactly.
  Frames of at most ``SAMPLE`` rows are profiled from all their values (every edge exact).
* Counting is a ``mapInArrow`` pass (:mod:`._spark_worker`, numpy on Arrow batches on the
  executors) whose per-partition bin counts Spark sums with a ``groupBy``.
* The current frame is counted into the reference's bins the same way; KS and Wasserstein
  then come from bins, with the error bound :func:`pytest_mlops.stats.drift.compare_binned`
  reports (``ks_error``, ``wasserstein_error``; the gate prints the worst one).
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations import _spark_worker, is_spark_frame
from pytest_mlops.integrations.frames import ColumnData
from pytest_mlops.integrations.spark import _q, pandas_dtype
from pytest_mlops.stats import _edgeindex
from pytest_mlops.stats.refstats import GRID, BinnedCounter, ColumnProfile, ReferenceProfile, profile_column
from pytest_mlops.stats.significance import column_rng

__all__ = ["BRACKET_CAP", "SAMPLE", "compare_drift", "kinds_of", "reference_profile"]

FloatArray = npt.NDArray[np.float64]

#: Expected sample size per numeric column that places the bin grid.
SAMPLE = 50_000
#: Largest bracket (values) collected to make one quantile edge exact; above it the edge stays the sample's.
BRACKET_CAP = 50_000
#: Edges made exact in a profile saved from Spark (``drift save``): the quantiles j/20, so bins 2, 4, 5, 10, 20.
SAVED_EXACT_BINS = 20
_SIGMAS = 3.5


def kinds_of(df: DataFrame) -> dict[str, str]:
    """``numeric`` (numbers, dates, timestamps), ``categorical`` (strings, booleans) or ``other`` per column."""
    out = {}
    for field in df.schema.fields:
        t = field.dataType
        if isinstance(t, (T.BooleanType, T.StringType)):
            out[field.name] = "categorical"
        elif isinstance(t, (T.NumericType, T.DateType, T.TimestampType, T.TimestampNTZType)):
            out[field.name] = "numeric"
        else:
            out[field.name] = "other"
    return out


def _as_double(name: str, dtype: T.DataType) -> Column:
    """Numbers as float64; dates and timestamps as seconds since the epoch (as the pandas path)."""
    if isinstance(dtype, T.DateType):
        return _q(name).cast("timestamp").cast("double")
    return _q(name).cast("double")


def _finite(x: Column) -> Column:
    return x.isNotNull() & ~F.isnan(x) & (F.abs(x) != F.lit(math.inf))


@dataclass
class _Binned:
    counts: npt.NDArray[np.int64]
    sums: FloatArray
    low: float
    high: float
    total: float
    squares: float
    rows: int
    nulls: int
    infs: int

    @property
    def n(self) -> int:
        return int(self.counts.sum())

    def counter(self, edges: Sequence[float]) -> BinnedCounter:
        c = BinnedCounter(edges)
        c.counts, c.sums = self.counts.copy(), self.sums.copy()
        c.low, c.high, c.total, c.total_sq = self.low, self.high, self.total, self.squares
        c.n_rows, c.n_null, c.n_infinite = self.rows, self.nulls, self.infs
        return c


@dataclass
class _Counted:
    """What one counting pass returns: per numeric column its bins, and the frame's rows."""

    binned: list[_Binned]
    rows: int


def _bin(df: DataFrame, names: Sequence[str], edges: Sequence[FloatArray]) -> _Counted:
    """One pass: counts and sums of every numeric column's finite values in the right-closed bins of its
    ``edges``, with rows, nulls, infinities, min, max, sum and sum of squares."""
    types = {f.name: f.dataType for f in df.schema.fields}
    body = functools.partial(_spark_worker.bin_batches, edges=[e.tolist() for e in edges])
    columns = [_as_double(n, types[n]).alias(f"c{i}") for i, n in enumerate(names)]
    mapped = _arrow_map(_few_tasks(df.select(*columns)), body, _spark_worker.SCHEMA)
    table = _arrow_table(_merge(mapped))
    out = [
        _Binned(np.zeros(e.size + 1, dtype=np.int64), np.zeros(e.size + 1), math.inf, -math.inf, 0.0, 0.0, 0, 0, 0)
        for e in edges
    ]
    rows = 0
    for r in table.to_pylist():
        b = out[int(r["col"])]
        b.counts = np.asarray(r["counts"], dtype=np.int64)
        b.sums = np.asarray(r["sums"], dtype=np.float64)
        b.rows, b.nulls, b.infs = int(r["rows"] or 0), int(r["nulls"] or 0), int(r["infs"] or 0)
        b.total, b.squares = float(r["total"] or 0.0), float(r["sq"] or 0.0)
        if r["low"] is not None:
            b.low, b.high = float(r["low"]), float(r["high"])
        rows = b.rows
    return _Counted(out, rows)


def _merge(mapped: DataFrame) -> DataFrame:
    """The counting pass's rows added up over partitions: bin arrays element by element, in Spark."""

    def add(name: str) -> Column:
        parts = F.collect_list(name)
        first = F.element_at(parts, 1)
        return F.aggregate(
            F.slice(parts, 2, F.greatest(F.size(parts), F.lit(1))),
            first,
            lambda acc, x: F.zip_with(acc, x, lambda a, b: a + b),
        ).alias(name)

    return mapped.groupBy("col").agg(
        add("counts"),
        add("sums"),
        F.min("low").alias("low"),
        F.max("high").alias("high"),
        F.sum("total").alias("total"),
        F.sum("sq").alias("sq"),
        F.sum("rows").alias("rows"),
        F.sum("nulls").alias("nulls"),
        F.sum("infs").alias("infs"),
    )


def _few_tasks(df: DataFrame) -> DataFrame:
    """``df`` read by at most as many tasks as the session runs at once (``defaultParallelism``):
    each counting task emits its bin arrays once, so fewer, longer tasks ship fewer of them,
    with every core still busy. Unchanged where that number is unknown (Spark Connect)."""
    try:
        slots = int(df.sparkSession.sparkContext.defaultParallelism)
        partitions = df.rdd.getNumPartitions()
    except Exception:  # Spark Connect has no SparkContext and no RDDs
        return df
    return df.coalesce(slots) if partitions > slots else df


def _arrow_table(df: DataFrame) -> pa.Table:
    """A small, aggregated frame on the driver as an Arrow table: through Arrow where PySpark has it
    (>= 4), which is several times faster and smaller than ``Row`` objects for the ~10,000 bins per
    column a counting pass returns."""
    if hasattr(df, "toArrow"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            got: pa.Table = df.toArrow()
        return got
    rows = [r.asDict() for r in df.collect()]
    return pa.Table.from_pylist(rows, schema=pa.schema([(f.name, _arrow_type(f.dataType)) for f in df.schema]))


def _arrow_type(dtype: T.DataType) -> Any:
    if isinstance(dtype, T.ArrayType):
        return pa.list_(_arrow_type(dtype.elementType))
    return _ARROW[type(dtype)]


_ARROW: dict[type, Any] = {
    T.IntegerType: pa.int32(),
    T.LongType: pa.int64(),
    T.DoubleType: pa.float64(),
    T.StringType: pa.string(),
}


def ship_by_value() -> None:
    """Pickle the executor code by value: executors need numpy and pyarrow, not pytest-mlops."""
    from pyspark import cloudpickle

    for module in (_spark_worker, _edgeindex):
        cloudpickle.register_pickle_by_value(module)  # type: ignore[no-untyped-call]


def _arrow_map(selected: DataFrame, body: Any, schema: str) -> DataFrame:
    ship_by_value()
    with warnings.catch_warnings():  # PySpark warns that pandas 3 is new to it; Arrow UDFs do not use pandas
        warnings.simplefilter("ignore", FutureWarning)
        return selected.mapInArrow(body, schema)


def _doubles(df: DataFrame, names: Sequence[str]) -> DataFrame:
    types = {f.name: f.dataType for f in df.schema.fields}
    return df.select(*[_as_double(n, types[n]).alias(f"c{i}") for i, n in enumerate(names)])


def _values(selected: DataFrame, body: Any, size: int) -> list[FloatArray]:
    """Per key, the values the worker ``body`` emitted over every partition (sorted)."""
    mapped = _arrow_map(selected, body, _spark_worker.VALUES_SCHEMA)
    merged = mapped.groupBy("key").agg(F.flatten(F.collect_list("values")).alias("values")).collect()
    out = [np.empty(0) for _ in range(size)]
    for r in merged:
        out[int(r["key"])] = np.sort(np.asarray(r["values"], dtype=np.float64))
    return out


def _sample(df: DataFrame, names: Sequence[str], fraction: float, seed: int) -> list[FloatArray]:
    """A seeded Bernoulli sample of the rows (Spark's ``sample``), as each column's sorted finite values.

    Only the sampled rows reach the driver (about ``SAMPLE`` of them, through Arrow where the
    session has it), whatever the size of the frame.
    """
    picked = _doubles(df, names).sample(withReplacement=False, fraction=min(fraction, 1.0), seed=seed)
    if hasattr(picked, "toArrow"):  # PySpark >= 4: columnar, no Row objects
        table = picked.toArrow()
        arrays = [table.column(i).to_numpy() for i in range(len(names))]
    else:
        got = picked.collect()
        arrays = [np.array([r[i] for r in got], dtype=np.float64) for i in range(len(names))]
    out = []
    for a in arrays:
        x = np.asarray(a, dtype=np.float64)
        out.append(np.sort(x[np.isfinite(x)]))
    return out


def category_counts(df: DataFrame, name: str) -> dict[str, int]:
    """``str(category) -> count`` of a column, nulls left out (keys as the pandas path writes them)."""
    out: dict[str, int] = {}
    for r in df.groupBy(_q(name).alias("v")).count().filter(F.col("v").isNotNull()).collect():
        key = str(r["v"])
        out[key] = out.get(key, 0) + int(r["count"])
    return out


def categories_of(df: DataFrame, names: Sequence[str]) -> tuple[dict[str, dict[str, int]], int]:
    """The category counts of every column in ``names`` (as :func:`category_counts`) and the frame's
    rows, in one Spark aggregation: a ``groupingSets`` of one set per column plus the empty set.

    Counted in Spark rather than in the Arrow counting pass: turning strings into Arrow costs
    the JVM about as much as twenty numeric columns, a hash aggregation about half of that.
    (PySpark < 4 has no ``groupingSets``: one ``groupBy`` per column there.)
    """
    if not names:
        return {}, int(df.count())
    if not hasattr(df, "groupingSets"):
        return {n: category_counts(df, n) for n in names}, int(df.count())
    keys = [f"v{i}" for i in range(len(names))]
    picked = df.select(*[_q(n).alias(k) for n, k in zip(names, keys, strict=True)])
    grouped = picked.groupingSets([[k] for k in keys] + [[]], *keys)
    found = grouped.agg(F.count(F.lit(1)).alias("n"), *[F.grouping(k).alias(f"g{k}") for k in keys]).collect()
    out: dict[str, dict[str, int]] = {n: {} for n in names}
    rows = 0
    for r in found:
        mine = [i for i, k in enumerate(keys) if r[f"g{k}"] == 0]  # the column this row's set groups by
        if not mine:  # the empty set: every row
            rows = int(r["n"])
        elif r[keys[mine[0]]] is not None:
            counts = out[names[mine[0]]]
            key = str(r[keys[mine[0]]])
            counts[key] = counts.get(key, 0) + int(r["n"])
    return out, rows


def _grid_ranks(size: int, grid: int) -> npt.NDArray[np.int64]:
    return np.array([math.ceil(k * size / grid) - 1 for k in range(1, grid)], dtype=np.int64)


def _std(b: _Binned) -> float:
    n = b.n
    if n == 0:
        return 0.0
    mean = b.total / n
    return math.sqrt(max(b.squares / n - mean * mean, 0.0))


def reference_profile(
    df: DataFrame,
    names: Sequence[str],
    kinds: Mapping[str, str],
    *,
    exact_bins: int = SAVED_EXACT_BINS,
    sample: int = SAMPLE,
    seed: int = 0,
    label: str = "",
) -> ReferenceProfile:
    """Reference statistics of a Spark frame: the structure ``drift save`` writes (see the module docs).

    ``exact_bins``: the edges at the quantiles ``j / exact_bins`` are exact order statistics.
    """
    types = {f.name: f.dataType for f in df.schema.fields}
    numeric = [n for n in names if kinds[n] == "numeric"]
    categorical = [n for n in names if kinds[n] == "categorical"]
    rows = int(df.count())
    profiles: dict[str, ColumnProfile] = {}
    edge_sample: dict[str, int] | None = None
    if numeric and rows > sample:  # one sample, one counting pass, a few brackets
        profiles.update(_sampled_profiles(df, numeric, types, rows, exact_bins, sample, seed))
        edge_sample = {"rows": sample, "seed": seed}
    else:
        if numeric:  # small: every finite value, profiled exactly as the pandas path does
            aggs = []
            for i, n in enumerate(numeric):
                x = _as_double(n, types[n])
                aggs += [
                    F.collect_list(F.when(_finite(x), x)).alias(f"v{i}"),
                    F.count_if(x.isNull() | F.isnan(x)).alias(f"n{i}"),
                    F.count_if(x.isNotNull() & (F.abs(x) == F.lit(math.inf))).alias(f"i{i}"),
                ]
            got = df.agg(*aggs).first()
            assert got is not None
            for i, n in enumerate(numeric):
                values = np.asarray(got[f"v{i}"], dtype=np.float64)
                nulls, infs = int(got[f"n{i}"]), int(got[f"i{i}"])
                col = ColumnData(n, "numeric", pandas_dtype(types[n]), rows, nulls, values, infs)
                profiles[n] = profile_column(col)
    for n, counts in (categories_of(df, categorical)[0] if categorical else {}).items():
        profiles[n] = ColumnProfile(n, "categorical", pandas_dtype(types[n]), rows, rows - sum(counts.values()))
        profiles[n].categories = counts
    ordered = {n: profiles[n] for n in names}
    return ReferenceProfile(ordered, rows, label, GRID, edge_sample)


def _sampled_profiles(
    df: DataFrame,
    numeric: Sequence[str],
    types: Mapping[str, T.DataType],
    rows: int,
    exact_bins: int,
    sample: int,
    seed: int,
) -> dict[str, ColumnProfile]:
    samples = _sample(df, numeric, sample / rows, seed)
    if GRID % exact_bins:
        raise MlopsInputError(f"bins={exact_bins} must divide the grid of {GRID} quantiles (e.g. 5, 10, 20, 25)")
    levels = [j / exact_bins for j in range(1, exact_bins)]
    grids: list[FloatArray] = []
    candidates: list[FloatArray] = []
    for i, _ in enumerate(numeric):
        s = samples[i]
        m = s.size
        if m == 0:
            grids.append(np.empty(0))
            candidates.append(np.empty(0))
            continue
        grid = s[_grid_ranks(m, GRID)]
        extra = [grid]
        for p in levels:
            half = _SIGMAS * math.sqrt(m * p * (1 - p)) + 2
            first, last = max(0, math.floor(p * m - half)), min(m - 1, math.ceil(p * m + half))
            extra.append(s[first : last + 1])
        grids.append(grid)
        candidates.append(np.unique(np.concatenate(extra)))
    binned = _bin(df, numeric, candidates).binned
    # brackets (lo, hi] holding each exact rank; collect their values in one more aggregation
    requests: list[tuple[int, int, float, float]] = []  # (column index, level index, lo, hi)
    plans: dict[tuple[int, int], tuple[int, int, float | None]] = {}  # -> (rank, bin, value if already known)
    for i, b in enumerate(binned):
        n, cand = b.n, candidates[i]
        if n == 0 or cand.size == 0:
            continue
        cum = np.cumsum(b.counts)
        for j in range(1, exact_bins):
            r = math.ceil(j * n / exact_bins) - 1
            k = int(np.searchsorted(cum, r, side="right"))
            lo = float(cand[k - 1]) if k > 0 else -math.inf
            hi = float(cand[k]) if k < cand.size else math.inf
            if k < cand.size and b.sums[k] == b.counts[k] * hi:  # every value of the bracket equals its top
                plans[(i, j)] = (r, k, hi)
            elif b.counts[k] <= BRACKET_CAP:
                plans[(i, j)] = (r, k, None)
                requests.append((i, j, lo, hi))
    collected: dict[tuple[int, int], FloatArray] = {}
    if requests:
        ranges = list(dict.fromkeys((i, lo, hi) for i, _, lo, hi in requests))  # two levels can share a bracket
        body = functools.partial(_spark_worker.range_batches, ranges=ranges)
        found = _values(_doubles(df, numeric), body, len(ranges))
        for i, j, lo, hi in requests:
            collected[(i, j)] = found[ranges.index((i, lo, hi))]
    out: dict[str, ColumnProfile] = {}
    for i, name in enumerate(numeric):
        b, cand = binned[i], candidates[i]
        dtype = pandas_dtype(types[name])
        if b.n == 0:
            out[name] = ColumnProfile(name, "numeric", dtype, b.rows, b.nulls, b.infs, counts=[0] * GRID)
            continue
        cum = np.concatenate(([0], np.cumsum(b.counts)))
        csum = np.concatenate(([0.0], np.cumsum(b.sums)))
        # value -> (count <= value, sum of values <= value) for the exact edges
        exact: dict[int, tuple[float, int, float]] = {}
        for j in range(1, exact_bins):
            plan = plans.get((i, j))
            if plan is None:
                continue
            r, k, known = plan
            below, below_sum = int(cum[k]), float(csum[k])
            if known is not None:
                exact[j] = (known, int(cum[k + 1]), float(csum[k + 1]))
                continue
            values = collected[(i, j)]
            value = float(values[r - below])
            upto = int(np.searchsorted(values, value, side="right"))
            exact[j] = (value, below + upto, below_sum + float(values[:upto].sum()))
        step = GRID // exact_bins
        edges = grids[i].copy()
        fixed = {j * step - 1: exact[j] for j in exact}
        bounds = sorted(fixed)
        for pos in range(edges.size):
            if pos in fixed:
                edges[pos] = fixed[pos][0]
                continue
            before = [fixed[p][0] for p in bounds if p < pos]
            after = [fixed[p][0] for p in bounds if p > pos]
            if before:
                edges[pos] = max(edges[pos], before[-1])
            if after:
                edges[pos] = min(edges[pos], after[0])
        le = np.empty(edges.size, dtype=np.int64)
        ls = np.empty(edges.size)
        by_value = {v[0]: (v[1], v[2]) for v in exact.values()}
        for pos, t in enumerate(edges):
            if float(t) in by_value:
                le[pos], ls[pos] = by_value[float(t)]
            else:
                idx = int(np.searchsorted(cand, t))
                le[pos], ls[pos] = cum[idx + 1], csum[idx + 1]
        counts = np.diff(np.concatenate(([0], le, [b.n])))
        sums = np.diff(np.concatenate(([0.0], ls, [csum[-1]])))
        out[name] = ColumnProfile(
            name,
            "numeric",
            dtype,
            b.rows,
            b.nulls,
            b.infs,
            edges=edges.tolist(),
            counts=counts.astype(np.int64).tolist(),
            sums=sums.tolist(),
            low=b.low,
            high=b.high,
            mean=b.total / b.n,
            std=_std(b),
        )
    return out


def _spark_note(profile: ReferenceProfile, bins: int) -> list[str]:
    if not profile.edge_sample:
        return []
    return [
        f"Spark: reference bin edges at the 1/{bins} quantiles are exact order statistics; the finer grid "
        "(KS, Wasserstein) is placed from the seeded sample"
    ]


def compare_drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None,
    exclude: Sequence[str],
    categorical: Sequence[str],
    options: Any,
) -> Any:
    """The drift engine's :class:`~pytest_mlops.stats.driftset.DriftResult` when either side is a Spark frame.

    ``reference``: a Spark frame, saved statistics (a ``.json`` path or a ReferenceProfile) or
    anything the pandas path accepts; ``current``: a Spark frame (or, with a Spark reference,
    anything the pandas path accepts).
    """
    from pytest_mlops.integrations.frames import as_source
    from pytest_mlops.stats import driftset
    from pytest_mlops.stats.drift import compare_counts

    ref_label, cur_label = "reference", "current"
    if is_spark_frame(current):
        cur_kinds = kinds_of(current)
        cur_names = list(current.columns)
    else:
        cur_source = as_source(current, cur_label)
        cur_names = list(cur_source.names)
    ref_kinds: dict[str, str]
    if isinstance(reference, ReferenceProfile):
        profile: ReferenceProfile | None = reference
    elif isinstance(reference, (str, Path)) and str(reference).lower().endswith(".json"):
        profile = ReferenceProfile.load(reference)
    else:
        profile = None
    if profile is not None:
        ref_names = list(profile.columns)
        ref_kinds = {n: c.kind for n, c in profile.columns.items()}
    elif is_spark_frame(reference):
        ref_names = list(reference.columns)
        ref_kinds = kinds_of(reference)
    else:
        ref_source = as_source(reference, ref_label)
        ref_names = list(ref_source.names)
        ref_kinds = ref_source.kinds()
    if len(set(ref_names)) != len(ref_names) or len(set(cur_names)) != len(cur_names):
        raise MlopsInputError("drift: duplicate column names; rename them before comparing")
    chosen, notes = driftset.resolve_columns(ref_names, cur_names, columns, exclude, ref_label, cur_label)
    options.check(chosen)
    unknown_cat = [c for c in categorical if c not in chosen]
    if unknown_cat:
        raise MlopsInputError(f"categorical={unknown_cat!r} names column(s) that are not compared")
    kinds: dict[str, str] = {}
    for name in chosen:
        k = "categorical" if name in categorical else ref_kinds[name]
        if k == "other":
            raise MlopsInputError(f"column {name!r} of {ref_label} is neither numeric nor categorical; exclude it")
        if profile is not None and name in categorical and ref_kinds[name] != "categorical":
            raise MlopsInputError(
                f"column {name!r} was saved as numeric in {ref_label}; re-save the statistics with "
                f"--categorical {name} to compare it as categories"
            )
        kinds[name] = k
    if is_spark_frame(current):
        for name in chosen:
            if name not in categorical and cur_kinds[name] != kinds[name]:
                raise MlopsInputError(
                    f"column {name!r} is {kinds[name]} in {ref_label} but {cur_kinds[name]} in {cur_label}; cast one "
                    f"side or compare it as categories with categorical=[{name!r}]"
                )
    if profile is None:
        if is_spark_frame(reference):
            profile = reference_profile(reference, chosen, kinds, exact_bins=options.bins, label=ref_label)
        else:
            profile = ReferenceProfile.from_source(ref_source, chosen, kinds, label=ref_label)
    if profile.n_rows == 0:
        raise MlopsInputError(f"{ref_label} has no rows; drift needs data on both sides")
    if not is_spark_frame(current):
        result = driftset.compare(
            profile, cur_source, columns=chosen, categorical=[c for c in categorical if c in chosen], options=options
        )
        result.notes.extend(_spark_note(profile, options.bins))
        return result
    notes.extend(profile.notes())
    notes.extend(_spark_note(profile, options.bins))
    numeric = [n for n in chosen if kinds[n] == "numeric"]
    categorical_cols = [n for n in chosen if kinds[n] == "categorical"]
    binned: dict[str, _Binned] = {}
    cur_rows = -1
    if numeric:
        counted = _bin(current, numeric, [np.asarray(profile.columns[n].edges) for n in numeric])
        binned = dict(zip(numeric, counted.binned, strict=True))
        cur_rows = counted.rows
    cur_counts: dict[str, dict[str, int]] = {}
    if categorical_cols or not numeric:
        cur_counts, cur_rows = categories_of(current, categorical_cols)
    if cur_rows == 0:
        raise MlopsInputError(f"{cur_label} has no rows; drift needs data on both sides")
    results = []
    for name in chosen:
        prof = profile.columns[name]
        if kinds[name] == "numeric":
            b = binned[name]
            counter = b.counter(prof.edges)
            comp = counter.compare(prof, options.bins) if b.n and prof.n_valid else None
            extra = driftset._inf_note(prof.n_infinite, b.infs)
            results.append(
                driftset._column_result(
                    name, "numeric", prof.n_rows, prof.n_null, b.rows, b.nulls, comp, options, extra
                )
            )
        else:
            counts = cur_counts[name]
            rng = column_rng(options.seed, name)
            cat = compare_counts(dict(prof.categories), counts, rng=rng) if prof.categories and counts else None
            nulls = cur_rows - sum(counts.values())
            results.append(
                driftset._column_result(
                    name, "categorical", prof.n_rows, prof.n_null, cur_rows, nulls, cat, options, []
                )
            )
    ordered, size = driftset._decide(results, options)
    return driftset.DriftResult(ordered, options.correction, None, notes, options.seed, size)


def open_source(text: str, what: str) -> tuple[DataFrame, Callable[[], None]]:
    """The Spark frame ``text`` names (``table:NAME`` or a directory) and a function that ends
    the session if this call started it (the command line's own local session)."""
    from pytest_mlops.integrations.spark import read_source, session

    spark, started = session()
    try:
        frame = read_source(spark, text, what)
    except MlopsInputError:
        if started:
            spark.stop()
        raise
    return frame, (spark.stop if started else (lambda: None))


def profile_source(
    text: str, *, columns: Sequence[str] | None, exclude: Sequence[str], categorical: Sequence[str], seed: int
) -> ReferenceProfile:
    """``drift save`` from a Spark table or a Parquet/Delta directory (edges at the 1/20 quantiles exact)."""
    from pytest_mlops.stats.driftset import resolve_columns

    frame, stop = open_source(text, "reference")
    try:
        found = kinds_of(frame)
        names, _ = resolve_columns(frame.columns, frame.columns, columns, exclude, "reference", "reference")
        unknown = [c for c in categorical if c not in names]
        if unknown:
            raise MlopsInputError(f"--categorical names column(s) that are not saved: {unknown!r}")
        kinds = {n: "categorical" if n in categorical else found[n] for n in names}
        other = [n for n in names if kinds[n] == "other"]
        if other:
            raise MlopsInputError(
                f"reference {text!r}: column(s) {other!r} are neither numeric nor categorical; leave them out "
                f"with --exclude {' '.join(other)}"
            )
        return reference_profile(frame, names, kinds, exact_bins=SAVED_EXACT_BINS, seed=seed, label=text)
    finally:
        stop()
