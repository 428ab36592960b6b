"""Spark sources and the executor-side worker.

Delta is not tested end to end (its jars come from Maven at session start, which the test
machines cannot reach); what is tested is that a Delta directory goes to ``format("delta")``
and that a session without Delta fails with one line naming the directory.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations import _spark_worker
from pytest_mlops.integrations.spark import read_source


def test_a_delta_directory_without_a_delta_session_fails_with_its_name(mlops_spark: Any, tmp_path: Path) -> None:
    table = tmp_path / "orders"
    (table / "_delta_log").mkdir(parents=True)
    pd.DataFrame({"x": [1.0, 2.0]}).to_parquet(table / "part-0.parquet", index=False)
    with pytest.raises(MlopsInputError) as caught:
        read_source(mlops_spark, str(table), "current data")
    message = str(caught.value)
    assert message.startswith(f"current data {str(table)!r} could not be read with Spark: ")
    assert "delta" in message.lower()
    assert "\n" not in message
    # the same directory without _delta_log is a Parquet dataset
    (table / "_delta_log").rmdir()
    assert read_source(mlops_spark, str(table), "current data").count() == 2


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(-5, 5), st.sampled_from([np.inf, np.nan])), max_size=60),
    cuts=st.lists(st.floats(-6, 6), min_size=2, max_size=10, unique=True),
    batch=st.integers(1, 7),
)
def test_bracket_values_equal_a_plain_filter(values: list[Any], cuts: list[float], batch: int) -> None:
    cuts = sorted(cuts)
    # disjoint ranges of column 0 (every other gap, two of them touching) and one of column 1
    ranges = [(0, cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]
    if len(cuts) > 2:
        ranges.append((0, cuts[1], cuts[2]))  # shares a bound with the first one
    ranges.append((1, -np.inf, 0.0))
    ranges = list(dict.fromkeys(ranges))
    column = pa.array(values, type=pa.float64())
    table = pa.table({"c0": column, "c1": column})
    batches = table.to_batches(max_chunksize=batch) if len(values) else []
    out = next(_spark_worker.range_batches(iter(batches), ranges))
    got = {k: sorted(v) for k, v in zip(out.column(0).to_pylist(), out.column(1).to_pylist(), strict=True)}
    finite = np.array([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    for q, (_, lo, hi) in enumerate(ranges):
        assert got[q] == sorted(finite[(finite > lo) & (finite <= hi)].tolist()), (q, lo, hi)


def test_counting_pass_counts_bins_nulls_and_infinities() -> None:
    numbers = pa.array([1.0, None, 3.0, np.inf, np.nan, -np.inf], type=pa.float64())
    batch = pa.RecordBatch.from_arrays([numbers], names=["c0"])
    (row,) = next(_spark_worker.bin_batches(iter([batch, batch]), edges=[[2.0]])).to_pylist()
    assert (row["rows"], row["nulls"], row["infs"], row["low"], row["high"]) == (12, 4, 4, 1.0, 3.0)
    assert (row["counts"], row["sums"]) == ([2, 2], [2.0, 6.0])  # bins (-inf, 2] and (2, inf)
    assert (row["total"], row["sq"]) == (8.0, 20.0)


def test_categories_are_counted_in_spark_and_keyed_as_the_driver_keys_them(mlops_spark: Any) -> None:
    from pytest_mlops.integrations.spark_drift import categories_of

    frame = mlops_spark.createDataFrame(
        [("a", True, 1), (None, False, 2), ("b", None, 1), ("a", True, None)], "s string, f boolean, n int"
    )
    counts, rows = categories_of(frame, ["s", "f", "n"])
    assert rows == 4
    assert counts == {"s": {"a": 2, "b": 1}, "f": {"True": 2, "False": 1}, "n": {"1": 2, "2": 1}}
    assert categories_of(frame.limit(0), ["s"]) == ({"s": {}}, 0)


def test_the_executor_code_runs_where_pytest_mlops_is_not_installed(tmp_path: Path) -> None:
    """What a cluster receives: the counting pass pickled by value, unpickled and run in an interpreter
    in which ``import pytest_mlops`` fails."""
    from pyspark import cloudpickle

    from pytest_mlops.integrations.spark_drift import ship_by_value

    ship_by_value()
    edges = np.linspace(-2, 2, 41)  # enough edges for the lookup table (not the plain binary search)
    payload = tmp_path / "task.pickle"
    payload.write_bytes(cloudpickle.dumps(functools.partial(_spark_worker.bin_batches, edges=[edges.tolist()])))
    values = np.random.default_rng(3).normal(size=500)
    script = (
        "import sys, pickle, pyarrow as pa\n"
        "sys.modules['pytest_mlops'] = None  # any import of it fails\n"
        f"body = pickle.loads(open({str(payload)!r}, 'rb').read())\n"
        f"batch = pa.RecordBatch.from_arrays([pa.array({values.tolist()!r})], names=['c0'])\n"
        "print(next(body(iter([batch]))).column('counts').to_pylist()[0])\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    counts = [int(v) for v in done.stdout.strip().strip("[]").split(",")]
    assert counts == np.bincount(np.searchsorted(edges, values, side="left"), minlength=42).tolist()
