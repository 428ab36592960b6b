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
from pytest_mlops.stats._edgeindex import EdgeIndex
from pytest_mlops.stats.drift import CategoricalComparison, NumericComparison, compare_binned, compare_counts

__all__ = [
    "FORMAT",
    "GRID",
    "BinnedCounter",
    "ColumnCounts",
    "ColumnProfile",
    "ReferenceProfile",
    "profile_column",
]

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
    """A :class:`ColumnProfile` from a :class:`~pytest_mlops.integrations.frames.ColumnData`."""
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


@dataclass
class ColumnCounts:
    """The current side of one column as counts only (what a Spark job or a batch reader produces).

    Numeric: ``counts[i]`` values in bin ``i`` of the reference's interior ``edges`` (right-closed:
    ``(-inf, e0], (e0, e1], ..., (e_last, inf)``, so ``len(counts) == len(edges) + 1``), with
    optional per-bin ``sums``, ``low``/``high`` (min/max) and ``std`` (ddof 0) for the
    Wasserstein distance. Categorical: ``categories`` maps ``str(category)`` to its count.
    ``n_rows`` counts every row, ``n_null`` the nulls among them (NaN, None, NaT).
    """

    n_rows: int
    n_null: int
    counts: Sequence[int] = ()
    sums: Sequence[float] | None = None
    low: float | None = None
    high: float | None = None
    std: float | None = None
    n_infinite: int = 0
    categories: Mapping[str, int] | None = None

    @property
    def n_valid(self) -> int:
        if self.categories is not None:
            return int(sum(self.categories.values()))
        return int(sum(self.counts))

    def compare_numeric(self, ref: ColumnProfile, bins: int) -> NumericComparison:
        """Compare these counts with the saved reference column (same bins)."""
        edges = np.asarray(ref.edges, dtype=np.float64)
        counts = np.asarray(self.counts, dtype=np.int64)
        if counts.size != edges.size + 1:
            raise MlopsInputError(
                f"column {ref.name!r}: {counts.size} bin counts for {edges.size} reference edges; "
                f"count the current values into the reference's {edges.size + 1} bins"
            )
        full = np.concatenate(([ref.low], edges, [ref.high]))
        if self.sums is not None:
            sums = np.asarray(self.sums, dtype=np.float64)
        else:  # unknown sums: each bin's values at its midpoint (the KS bound stays valid)
            sums = counts * (full[:-1] + full[1:]) / 2.0
        low = float(self.low) if self.low is not None else float(ref.low)
        high = float(self.high) if self.high is not None else float(ref.high)
        return compare_binned(
            edges,
            np.asarray(ref.counts, dtype=np.int64),
            np.asarray(ref.sums, dtype=np.float64),
            counts,
            sums,
            ref_low=ref.low,
            ref_high=ref.high,
            cur_low=low,
            cur_high=high,
            std_reference=ref.std,
            std_current=float(self.std) if self.std is not None else ref.std,
            psi_edges_index=psi_index(bins, len(ref.edges) + 1),
        )


class BinnedCounter:
    """Counts (and sums) numeric values into a profile's bins, batch by batch; exact."""

    def __init__(self, edges: Sequence[float] | FloatArray) -> None:
        self.edges = np.asarray(edges, dtype=np.float64)
        self.index = EdgeIndex(self.edges)
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
        idx = self.index(values)  # np.searchsorted(edges, values, "left"): bin i holds (e[i-1], e[i]]
        self.counts += np.bincount(idx, minlength=self.counts.size)
        self.sums += np.bincount(idx, weights=values, minlength=self.counts.size)
        self.low = min(self.low, float(values.min()))
        self.high = max(self.high, float(values.max()))
        self.total += float(values.sum())
        # not np.dot: a BLAS call that may wake (and spin) a thread pool for every small batch
        self.total_sq += float(np.einsum("i,i->", values, values))

    @property
    def n_valid(self) -> int:
        return int(self.counts.sum())

    def std(self) -> float:
        n = self.n_valid
        if n == 0:
            return 0.0
        mean = self.total / n
        return math.sqrt(max(self.total_sq / n - mean * mean, 0.0))

    def to_counts(self) -> ColumnCounts:
        """The counts gathered so far, as :class:`ColumnCounts`."""
        n = self.n_valid
        return ColumnCounts(
            n_rows=self.n_rows,
            n_null=self.n_null,
            counts=self.counts.tolist(),
            sums=self.sums.tolist(),
            low=self.low if n else None,
            high=self.high if n else None,
            std=self.std(),
            n_infinite=self.n_infinite,
        )

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
