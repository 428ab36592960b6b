"""Reference statistics for drift: computed once, saved as a small JSON file, compared against later.

A :class:`ReferenceProfile` holds, per numeric column, a grid of ``GRID`` reference
quantiles with the exact count and sum of reference values in each grid bin (plus n,
nulls, min, max, mean, standard deviation); per categorical column, the count per
category. Current data are counted into the same bins (in memory or batch by batch),
so PSI, Jensen–Shannon, Hellinger and every categorical measure are exact; the KS
statistic and the Wasserstein distance are known within a computed error bound (see
:func:`pytest_mlops.stats.drift.compare_binned`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.drift import CategoricalComparison, NumericComparison, compare_binned, compare_counts

__all__ = ["FORMAT", "GRID", "BinnedCounter", "ColumnProfile", "ReferenceProfile", "profile_column"]

FORMAT = "pytest-mlops-drift-stats/1"
#: Quantile levels k/GRID of the reference define the bins of a saved profile.
GRID = 1000
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class ColumnProfile:
    """Saved statistics of one reference column."""

    name: str
    kind: str
    dtype: str
    n_rows: int
    n_null: int
    n_infinite: int = 0
    # numeric
    edges: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    sums: list[float] = field(default_factory=list)
    low: float = 0.0
    high: float = 0.0
    mean: float = 0.0
    std: float = 0.0
    # categorical
    categories: dict[str, int] = field(default_factory=dict)

    @property
    def n_valid(self) -> int:
        return int(sum(self.counts)) if self.kind == "numeric" else int(sum(self.categories.values()))

    def to_json(self) -> dict[str, Any]:
        base: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "dtype": self.dtype,
            "n_rows": self.n_rows,
            "n_null": self.n_null,
        }
        if self.kind == "numeric":
            base.update(
                n_infinite=self.n_infinite,
                low=self.low,
                high=self.high,
                mean=self.mean,
                std=self.std,
                edges=[float(repr_float(e)) for e in self.edges],
                counts=[int(c) for c in self.counts],
                sums=[float(s) for s in self.sums],
            )
        else:
            base["categories"] = dict(self.categories)
        return base

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ColumnProfile:
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            dtype=str(data.get("dtype", "")),
            n_rows=int(data["n_rows"]),
            n_null=int(data["n_null"]),
            n_infinite=int(data.get("n_infinite", 0)),
            edges=[float(e) for e in data.get("edges", [])],
            counts=[int(c) for c in data.get("counts", [])],
            sums=[float(s) for s in data.get("sums", [])],
            low=float(data.get("low", 0.0)),
            high=float(data.get("high", 0.0)),
            mean=float(data.get("mean", 0.0)),
            std=float(data.get("std", 0.0)),
            categories={str(k): int(v) for k, v in (data.get("categories") or {}).items()},
        )


def repr_float(x: float) -> float:
    return float(x)


def psi_index(bins: int, grid: int = GRID) -> IntArray:
    """Indices (into the interior grid edges) of the edges at levels j/bins."""
    if grid % bins:
        raise MlopsInputError(f"bins={bins} must divide the saved grid of {grid} quantiles (e.g. 5, 10, 20, 25)")
    step = grid // bins
    return np.array([j * step - 1 for j in range(1, bins)], dtype=np.int64)


def _grid_from_sorted(x: FloatArray, grid: int) -> tuple[FloatArray, IntArray, FloatArray]:
    n = x.size
    ranks = np.array([math.ceil(k * n / grid) - 1 for k in range(1, grid)], dtype=np.int64)
    edges = x[ranks].astype(np.float64)
    le = np.searchsorted(x, edges, side="right")
    bounds = np.concatenate(([0], le, [n]))
    counts = np.diff(bounds).astype(np.int64)
    csum = np.concatenate(([0.0], np.cumsum(x)))
    sums = csum[bounds[1:]] - csum[bounds[:-1]]
    return edges, counts, sums


def profile_column(col: Any, grid: int = GRID) -> ColumnProfile:
    """A :class:`ColumnProfile` from a :class:`~pytest_mlops.integrations.streaming.ColumnData`."""
    if col.kind == "categorical":
        return ColumnProfile(col.name, "categorical", col.dtype, col.n_rows, col.n_null, categories=dict(col.counts))
    x = np.sort(col.values)
    if x.size == 0:
        return ColumnProfile(col.name, "numeric", col.dtype, col.n_rows, col.n_null, col.n_infinite, counts=[0] * grid)
    edges, counts, sums = _grid_from_sorted(x, grid)
    return ColumnProfile(
        col.name,
        "numeric",
        col.dtype,
        col.n_rows,
        col.n_null,
        col.n_infinite,
        edges=edges.tolist(),
        counts=counts.tolist(),
        sums=sums.tolist(),
        low=float(x[0]),
        high=float(x[-1]),
        mean=float(np.mean(x)),
        std=float(np.std(x)),
    )


class BinnedCounter:
    """Counts (and sums) numeric values into a profile's bins, batch by batch; exact."""

    def __init__(self, edges: Sequence[float] | FloatArray) -> None:
        self.edges = np.asarray(edges, dtype=np.float64)
        size = self.edges.size + 1
        self.counts = np.zeros(size, dtype=np.int64)
        self.sums = np.zeros(size, dtype=np.float64)
        self.low = math.inf
        self.high = -math.inf
        self.total = 0.0
        self.total_sq = 0.0
        self.n_rows = 0
        self.n_null = 0
        self.n_infinite = 0

    def add(self, values: FloatArray, *, n_rows: int, n_null: int, n_infinite: int = 0) -> None:
        self.n_rows += n_rows
        self.n_null += n_null
        self.n_infinite += n_infinite
        if values.size == 0:
            return
        idx = np.searchsorted(self.edges, values, side="left")  # bin i holds (e[i-1], e[i]]
        self.counts += np.bincount(idx, minlength=self.counts.size)
        self.sums += np.bincount(idx, weights=values, minlength=self.counts.size)
        self.low = min(self.low, float(values.min()))
        self.high = max(self.high, float(values.max()))
        self.total += float(values.sum())
        self.total_sq += float(np.dot(values, values))

    @property
    def n_valid(self) -> int:
        return int(self.counts.sum())

    def std(self) -> float:
        n = self.n_valid
        if n == 0:
            return 0.0
        mean = self.total / n
        return math.sqrt(max(self.total_sq / n - mean * mean, 0.0))

    def compare(self, ref: ColumnProfile, bins: int) -> NumericComparison:
        return compare_binned(
            np.asarray(ref.edges, dtype=np.float64),
            np.asarray(ref.counts, dtype=np.int64),
            np.asarray(ref.sums, dtype=np.float64),
            self.counts,
            self.sums,
            ref_low=ref.low,
            ref_high=ref.high,
            cur_low=self.low,
            cur_high=self.high,
            std_reference=ref.std,
            std_current=self.std(),
            psi_edges_index=psi_index(bins, len(ref.edges) + 1),
        )


def compare_categorical_profile(ref: ColumnProfile, current: Mapping[str, int]) -> CategoricalComparison:
    return compare_counts(dict(ref.categories), dict(current))


@dataclass
class ReferenceProfile:
    """Saved reference statistics for every column of a reference dataset."""

    columns: dict[str, ColumnProfile]
    n_rows: int
    source: str = ""
    grid: int = GRID
    #: ``{"rows", "seed"}`` when bin edges were placed from a seeded sample (streamed Parquet)
    edge_sample: dict[str, int] | None = None

    def notes(self) -> list[str]:
        if not self.edge_sample:
            return []
        return [
            f"reference bin edges placed from a seeded sample of {self.edge_sample['rows']} values per column "
            f"(seed {self.edge_sample['seed']}); all counts are exact"
        ]

    def save(self, path: str | Path) -> Path:
        from pytest_mlops._io import write_atomic

        data = {
            "format": FORMAT,
            "source": self.source,
            "n_rows": self.n_rows,
            "grid": self.grid,
            "edge_sample": self.edge_sample,
            "columns": [c.to_json() for c in self.columns.values()],
        }
        target = Path(path)
        write_atomic(target, json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n")
        return target

    @classmethod
    def load(cls, path: str | Path) -> ReferenceProfile:
        from pytest_mlops._io import resolve_path, where_relative

        p = resolve_path(path)
        if not p.exists():
            raise MlopsInputError(
                f"drift statistics {str(p)!r} do not exist{where_relative(path)}; "
                f"create them with 'pytest-mlops drift save REFERENCE -o {p.name}'"
            )
        try:
            data = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise MlopsInputError(f"drift statistics {str(p)!r} could not be read: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise MlopsInputError(
                f"drift statistics {str(p)!r} are not a {FORMAT!r} file; re-create them with 'pytest-mlops drift save'"
            )
        cols = [ColumnProfile.from_json(c) for c in data["columns"]]
        sample = data.get("edge_sample")
        return cls(
            {c.name: c for c in cols},
            int(data["n_rows"]),
            str(data.get("source", "")),
            int(data.get("grid", GRID)),
            {str(k): int(v) for k, v in sample.items()} if isinstance(sample, dict) else None,
        )

    @classmethod
    def from_source(
        cls, source: Any, columns: Iterable[str], kinds: Mapping[str, str], *, label: str = ""
    ) -> ReferenceProfile:
        cols = {}
        for name in columns:
            cols[name] = profile_column(source.column(name, kinds[name]))
        return cls(cols, source.n_rows, label)

    @classmethod
    def from_parquet(
        cls,
        path: str | Path,
        columns: Sequence[str] | None = None,
        *,
        categorical: Sequence[str] = (),
        batch_rows: int = 262_144,
        sample: int = 200_000,
        seed: int = 0,
    ) -> ReferenceProfile:
        """Two passes over a Parquet file larger than memory.

        Pass 1 keeps a seeded uniform sample of ``sample`` values per numeric column, whose
        quantiles become the bin edges (edges are only cut points: the counts are exact).
        Pass 2 counts every value into those bins.
        """
        from pytest_mlops.integrations.streaming import column_from_arrow, iter_parquet_batches, parquet_schema

        schema = parquet_schema(path)
        names = list(columns) if columns is not None else list(schema)
        missing = [c for c in names if c not in schema]
        if missing:
            raise MlopsInputError(f"reference {str(path)!r} has no column(s) {missing!r}")
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
        return cls(out, n_rows, str(path), GRID, {"rows": sample, "seed": seed})
