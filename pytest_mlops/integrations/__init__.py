"""Adapters to third-party libraries (pandera, mlflow, polars, deepchecks, Spark...).

These are the only modules that import heavy libraries at module top: import them
inside functions from light modules (``plugin.py``, ``fixtures/*``, ``gates/*``).
"""

from __future__ import annotations

from typing import Any


def is_spark_frame(obj: Any) -> bool:
    """True for a ``pyspark.sql`` DataFrame (classic or Spark Connect), without importing pyspark."""
    cls = type(obj)
    return cls.__module__.startswith("pyspark.") and cls.__name__ == "DataFrame"
