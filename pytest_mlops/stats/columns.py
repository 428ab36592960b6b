"""The neutral column type the drift engine reads: no pandas, no pyarrow.

Readers (``pytest_mlops.integrations.frames`` for pandas, polars and Parquet; a Spark
reader elsewhere) turn their columns into :class:`ColumnData`; the engine only sees these and
a :class:`ColumnSource` that hands them out one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["ColumnData", "ColumnSource"]

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


class ColumnSource(Protocol):
    """What the engine needs from an input: names, row count, and each column on demand."""

    names: list[str]
    n_rows: int

    def kind(self, name: str) -> str: ...

    def dtype(self, name: str) -> str: ...

    def column(self, name: str, kind: str) -> ColumnData: ...
