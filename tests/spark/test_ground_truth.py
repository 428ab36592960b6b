"""A million rows with known drift: Spark finds the same drifted columns as the pandas path, with equal scores.

20 numeric and 5 categorical columns; drift is injected into three of them (a half-sd mean
shift, a 1.5x scale, a changed category mix). Both paths must flag exactly those three, the
binned measures must be equal and KS/Wasserstein must lie within Spark's reported bounds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.integrations.frames import as_source
from pytest_mlops.integrations.spark_drift import compare_drift
from pytest_mlops.stats.driftset import DriftOptions, compare
from tests.spark.test_parity import assert_same_drift

ROWS = 1_000_000
DRIFTED = {"num_0", "num_5", "cat_1"}
CATS = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta"])


def make(n: int, seed: int, *, drift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {}
    for i in range(20):
        kind = i % 4
        if kind == 0:
            cols[f"num_{i}"] = rng.normal(i, 1 + i / 10, n)
        elif kind == 1:
            cols[f"num_{i}"] = rng.lognormal(0, 0.6, n)
        elif kind == 2:
            cols[f"num_{i}"] = rng.exponential(2.0, n)
        else:
            cols[f"num_{i}"] = rng.gamma(2.0, 3.0, n)
    for j in range(5):
        cols[f"cat_{j}"] = rng.choice(CATS, n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    frame = pd.DataFrame(cols)
    if drift:
        frame["num_0"] = frame["num_0"] + 0.5
        frame["num_5"] = frame["num_5"] * 1.5
        frame["cat_1"] = rng.choice(CATS, n, p=[0.15, 0.25, 0.2, 0.12, 0.08, 0.2])
    return frame


@pytest.mark.slow
def test_a_million_rows_with_known_drift(mlops_spark: Any, tmp_path: Path) -> None:
    ref, cur = make(ROWS, 1, drift=False), make(ROWS, 2, drift=True)
    ref.to_parquet(tmp_path / "ref.parquet", index=False)
    cur.to_parquet(tmp_path / "cur.parquet", index=False)
    options = DriftOptions()
    expected = compare(as_source(ref, "reference"), as_source(cur, "current"), options=options)
    got = compare_drift(
        mlops_spark.read.parquet(str(tmp_path / "ref.parquet")),
        mlops_spark.read.parquet(str(tmp_path / "cur.parquet")),
        columns=None,
        exclude=(),
        categorical=(),
        options=options,
    )
    assert {c.column for c in expected.drifted} == DRIFTED
    assert {c.column for c in got.drifted} == DRIFTED
    assert_same_drift(expected, got)
    worst = max(c.ks_error for c in got.columns if c.type == "numeric")
    assert 0 < worst < 0.01  # a grid of 1000 bins: KS known to within a percent
