"""Spark tests: one real local Spark session (``mlops_spark``) per test session, on one xdist worker.

Every test here is marked ``spark`` (``-m "not spark"`` leaves them out) and grouped with
``xdist_group("spark")``, so under ``-n 2 --dist loadgroup`` a single worker starts Java once.
pytester runs are in-process: their ``mlops_spark`` finds this session active and reuses it.
"""

from __future__ import annotations

from pathlib import Path

import pandas.core.arrays.arrow.extension_types  # noqa: F401
import pytest
import scipy.stats  # noqa: F401

# Imported here, before any pytester run: an in-process run drops the modules it imported
# first, and these register global state (pyarrow extension types) that a re-import repeats.
import pytest_mlops.integrations.spark
import pytest_mlops.integrations.spark_drift
import pytest_mlops.stats.driftset  # noqa: F401

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.spark)
            item.add_marker(pytest.mark.xdist_group("spark"))
