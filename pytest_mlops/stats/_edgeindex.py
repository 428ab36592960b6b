"""Which bin each value falls in, without a binary search per value: :class:`EdgeIndex`.

It needs only numpy and imports no other pytest-mlops module, so the Spark counting pass
(:mod:`pytest_mlops.integrations._spark_worker`) ships it to executors by value, as it
ships itself: the same code places values in bins on the driver and on a cluster.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["EdgeIndex"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Cells of the lookup grid per edge in :class:`EdgeIndex`, and the most edges a cell may hold
#: before its values go to a binary search.
_CELLS_PER_EDGE = 8
_MAX_PER_CELL = 3


class EdgeIndex:
    """``np.searchsorted(edges, x, side="left")`` for many ``x`` at once, by a lookup table.

    A binary search into 999 edges costs about ten dependent, cache-missing steps per value
    (it was the hot spot of streamed drift checks). Instead each value's cell on a uniform grid over
    ``[edges[0], edges[-1]]`` is computed (a monotone function of the value), the table gives
    the number of edges in earlier cells, and the value is compared with the few edges of its
    own cell (every edge past the cell is larger, so comparing with it adds nothing). Values
    in a cell holding more than ``_MAX_PER_CELL`` edges (ties: many equal quantiles) are
    binary-searched. The result equals ``searchsorted`` exactly, for every finite input.
    """

    def __init__(self, edges: FloatArray) -> None:
        self.edges = edges
        self.table: IntArray | None = None
        k = edges.size
        if k < 16 or not np.all(np.isfinite(edges)):
            return
        low, high = float(edges[0]), float(edges[-1])
        cells = _CELLS_PER_EDGE * k
        scale = cells / (high - low) if high > low else math.inf
        if not math.isfinite(scale) or scale <= 0:
            return
        offset = 1.0 - low * scale  # cell of edges[0] is 1: below it, 0
        if not math.isfinite(offset):
            return
        self.scale, self.cells, self.offset = scale, cells, offset
        edge_cells = self._cells(edges)
        # table[c]: the number of edges in cells before cell c (cells numbered 0 .. cells + 1)
        grid = np.arange(cells + 2, dtype=np.int64)
        self.table = np.searchsorted(edge_cells, grid, side="left").astype(np.int64)
        per_cell = np.diff(np.append(self.table, k))
        self.heavy = per_cell > _MAX_PER_CELL
        self.any_heavy = bool(self.heavy.any())
        self.depth = int(min(per_cell.max(), _MAX_PER_CELL))
        self.padded = np.concatenate([edges, np.full(self.depth, np.inf)])

    def _cells(self, x: FloatArray) -> IntArray:
        """Cell numbers 0 .. cells + 1, non-decreasing in ``x`` (all correctness rests on that)."""
        with np.errstate(over="ignore"):  # far outliers overflow to +-inf and are clipped
            t = x * self.scale
        t += self.offset
        np.clip(t, 0.0, float(self.cells + 1), out=t)
        return t.astype(np.int64)  # truncation toward zero: monotone

    def __call__(self, x: FloatArray) -> IntArray:
        if self.table is None or x.size < 64:
            return np.searchsorted(self.edges, x, side="left").astype(np.int64)
        start = self.table[self._cells(x)]
        idx = start + (self.padded[start] < x)
        for j in range(1, self.depth):
            idx += self.padded[start + j] < x
        if self.any_heavy:
            slow = self.heavy[self._cells(x)]
            if slow.any():
                idx[slow] = np.searchsorted(self.edges, x[slow], side="left")
        return idx
