"""The as-of engine of the point-in-time gate agrees with pandas.merge_asof, row for row."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mlops.gates.featurestore import asof_positions, duration_text, parse_ttl


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_left=st.integers(1, 60),
    n_right=st.integers(1, 60),
    entities=st.integers(1, 6),
    span=st.integers(1, 20),  # few distinct timestamps: ties on both sides
)
def test_asof_positions_match_merge_asof(seed: int, n_left: int, n_right: int, entities: int, span: int) -> None:
    rng = np.random.default_rng(seed)
    left = pd.DataFrame({"k": rng.integers(0, entities, n_left), "t": rng.integers(0, span, n_left)})
    right = pd.DataFrame({"k": rng.integers(0, entities, n_right), "t": rng.integers(0, span, n_right)})
    right["row"] = np.arange(n_right)
    order, pos = asof_positions(
        left["k"].to_numpy(np.int64),
        left["t"].to_numpy(np.int64),
        right["k"].to_numpy(np.int64),
        right["t"].to_numpy(np.int64),
    )
    ours = np.where(pos >= 0, order[np.maximum(pos, 0)], -1)
    left["i"] = np.arange(n_left)
    joined = pd.merge_asof(
        left.sort_values("t", kind="stable"), right.sort_values("t", kind="stable"), on="t", by="k"
    ).sort_values("i")
    theirs = joined["row"].fillna(-1).to_numpy(np.int64)
    assert ours.tolist() == theirs.tolist()


def test_ttl_and_duration_words() -> None:
    assert parse_ttl("1d") == 86_400
    assert parse_ttl(0) is None
    assert parse_ttl(None) is None
    assert duration_text(86_400) == "1 day"
    assert duration_text(3600) == "1 h"
    assert duration_text(1.0) == "1s"
    assert duration_text(5400) == "90 min"
