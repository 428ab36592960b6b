"""The drift engine's fast paths give exactly what the plain numpy computation gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mlops.integrations.frames import as_source, compare_parquet
from pytest_mlops.stats.driftset import ColumnResult, compare
from pytest_mlops.stats.refstats import EdgeIndex, ReferenceProfile, _grid_from_sorted


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["normal", "rounded", "lognormal", "spike", "few"]))
def test_edge_index_equals_searchsorted(seed: int, shape: str) -> None:
    """Bin numbers from the lookup table equal np.searchsorted(edges, x, 'left'), ties and outliers included."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=5000) * rng.uniform(0.01, 1e4)
    if shape == "rounded":
        r = np.round(r)
    elif shape == "lognormal":
        r = rng.lognormal(0, 3, 5000)
    elif shape == "spike":  # most quantiles on one value: cells with many equal edges
        r = np.concatenate([np.zeros(4000), rng.normal(size=1000)])
    elif shape == "few":
        r = rng.integers(0, 5, 5000).astype(np.float64)
    edges, _, _ = _grid_from_sorted(np.sort(r), 1000)
    x = np.concatenate(
        [
            rng.choice(r, 3000),
            edges,
            np.nextafter(edges, np.inf),
            np.nextafter(edges, -np.inf),
            rng.normal(size=500) * 1e6,
            [1e308, -1e308, 0.0, -0.0, 5e-324],
        ]
    )
    index = EdgeIndex(edges)
    assert np.array_equal(index(x), np.searchsorted(edges, x, side="left"))


def test_edge_index_falls_back_on_degenerate_edges() -> None:
    """Equal, huge or few edges use the binary search and still agree with it."""
    x = np.array([-1e308, -1.0, 0.0, 1e-300, 1.0, 1e308] * 20)
    for edges in (np.zeros(999), np.full(999, 1e300) + np.arange(999) * 1e285, np.linspace(-1, 1, 5)):
        assert np.array_equal(EdgeIndex(edges)(x), np.searchsorted(edges, x, side="left"))


def test_streamed_check_does_not_depend_on_row_groups(tmp_path: Path) -> None:
    """One huge row group or many small ones, any batch size: the same counts, p-values and verdicts."""
    pytest.importorskip("pyarrow")
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(3)
    n = 40_000
    reference = pd.DataFrame({"x": rng.normal(size=n), "k": rng.choice(["a", "b", "c"], n)})
    current = pd.DataFrame({"x": rng.normal(0.05, 1.0, n), "k": rng.choice(["a", "b", "c"], n, p=[0.3, 0.3, 0.4])})
    source = as_source(reference, "reference")
    profile = ReferenceProfile.from_source(source, source.names, source.kinds())
    table = pa.Table.from_pandas(current, preserve_index=False)
    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"
    pq.write_table(table, one, row_group_size=n)
    pq.write_table(table, many, row_group_size=3_000)
    assert pq.ParquetFile(one).metadata.num_row_groups == 1
    results = [
        compare_parquet(profile, one),
        compare_parquet(profile, many),
        compare_parquet(profile, one, batch_rows=1_000),
    ]
    in_memory = compare(profile, as_source(current, "current"))
    want = {c.column: _exact_part(c) for c in in_memory.columns}
    for result in results:
        assert {c.column: _exact_part(c) for c in result.columns} == want
    assert "k" in [c.column for c in in_memory.drifted]  # the comparison has something to find


def _exact_part(c: ColumnResult) -> tuple[object, ...]:
    """What counting decides exactly (sums of floats, hence Wasserstein, may differ in the last bits)."""
    return (c.p_value, c.p_adjusted, c.drifted, c.reference, c.current, c.scores.get("ks_statistic"), c.histogram)
