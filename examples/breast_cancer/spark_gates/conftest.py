"""The Spark variant of the data gates: the same data, read by Spark from a Parquet lake.

Run with the Parquet directories as the data sources (the ini keeps the CSV files)::

    pytest spark_gates --mlops-reference-data=data/lake/reference --mlops-current-data=data/lake/current

A directory (or ``table:NAME``) makes ``mlops_reference_data`` a Spark DataFrame; the gates
then compute in Spark and only per-column summaries reach this process.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="session", autouse=True)
def lake(mlops_spark) -> Path:
    """The example's CSV data as a Parquet lake partitioned by site, as a Spark pipeline would write it."""
    root = DATA / "lake"
    for name in ("reference", "current"):
        target = root / name
        if not target.exists():  # through Parquet: the dtypes of the CSV as pandas reads it
            staged = root / f"{name}.staging.parquet"
            root.mkdir(parents=True, exist_ok=True)
            pd.read_csv(DATA / f"{name}.csv").to_parquet(staged, index=False)
            mlops_spark.read.parquet(str(staged)).write.partitionBy("site").parquet(str(target))
    return root
