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
    import importlib.util

    # This runs on every pytest start: pyspark first (finding a package is cheap), then
    # pandas' version from its installed folder's name (importlib.metadata.version parses the
    # METADATA file: about 16 M instructions, an eighth of the plugin's start-up, measured).
    if importlib.util.find_spec("pyspark") is None:
        return
    major = _installed_major_version("pandas")
    if major is not None and major >= 3:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment]


def _installed_major_version(package: str) -> int | None:
    """The major version of an installed package, without importing it (None: not installed)."""
    import importlib.metadata
    import importlib.util
    import os

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    folder = os.path.dirname(os.path.dirname(spec.origin))  # site-packages/<package>/__init__.py
    prefix = f"{package}-"
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith(prefix) and entry.name.endswith(".dist-info"):
                head = entry.name[len(prefix) :].split(".", 1)[0]
                if head.isdigit():
                    return int(head)
    try:  # not a plain wheel install (an editable or a source checkout): read the metadata
        return int(importlib.metadata.version(package).split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
