"""The drift engine's fast paths give exactly what the plain numpy computation gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mlops.stats.refstats import EdgeIndex, _grid_from_sorted


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
