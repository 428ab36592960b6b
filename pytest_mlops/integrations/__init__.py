"""Adapters to third-party libraries (pandera, mlflow, polars, deepchecks, Spark...).

These are the only modules that import heavy libraries at module top: import them
inside functions from light modules (``plugin.py``, ``fixtures/*``, ``gates/*``).
"""

from __future__ import annotations

import sys
from typing import Any


def is_spark_frame(obj: Any) -> bool:
    """True for a ``pyspark.sql`` DataFrame (classic or Spark Connect), without importing pyspark."""
    cls = type(obj)
    return cls.__module__.startswith("pyspark.") and cls.__name__ == "DataFrame"


def quiet_pyspark_pandas() -> None:
    """Let ``import pyspark.pandas`` fail at once, silently, where it cannot work (pandas 3).

    pyspark.pandas does not import with pandas 3 (it needs ``DateOffset`` from
    ``pandas.tseries.frequencies``), but first warns ``FutureWarning``. pandera tries that
    import on every ``DataFrameModel`` schema build when pyspark is installed, so each
    build warned (an error under ``filterwarnings = error``) before the import failed. A
    ``None`` entry in ``sys.modules`` makes the import raise ``ImportError`` straight away,
    which pandera treats as "not installed". Nothing else changes: the import fails either way.
    """
    if "pyspark.pandas" in sys.modules:
        return
    import importlib.metadata
    import importlib.util

    # pyspark first: finding a package costs a fraction of a millisecond, reading a
    # distribution's version several (it scans sys.path), and this runs on every pytest start
    if importlib.util.find_spec("pyspark") is None:
        return
    try:
        major = int(importlib.metadata.version("pandas").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return
    if major >= 3:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment]
