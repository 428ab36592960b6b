"""The dataset drift gate's verdict does not depend on row order, column order or category names.

Each example builds a small reference and current frame (numbers with ties and nulls, two
categorical columns with nulls, one with many levels so that its chi-square p-value comes from
the seeded Monte Carlo null), then checks that the default gate gives the same verdict and, per
column, the same flags and p-values after the change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_mlops.integrations.frames import as_source
from pytest_mlops.stats.driftset import compare

LEVELS = [f"L{j}" for j in range(12)]
#: New names whose sort order differs from the old one (so ties between equal counts reorder).
RENAMES = ["zeta", "Alpha", "m", "10", "9", "_", "b2", "B1", "yy", "aa", "é", "0"]


@st.composite
def frame_pairs(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_ref = draw(st.integers(5, 80))
    n_cur = draw(st.integers(5, 80))
    seed = draw(st.integers(0, 2**32 - 1))
    shift = draw(st.sampled_from([0.0, 0.0, 0.3, 1.0]))
    levels = draw(st.integers(2, len(LEVELS)))
    null_ref = draw(st.sampled_from([0.0, 0.0, 0.1]))
    null_cur = draw(st.sampled_from([0.0, 0.1, 0.3]))
    decimals = draw(st.sampled_from([0, 1, 6]))  # 0 and 1: many ties
    as_category = draw(st.booleans())
    rng = np.random.default_rng(seed)

    def side(n: int, delta: float, null_share: float) -> pd.DataFrame:
        x = np.round(rng.normal(delta, 1.0, n), decimals)
        x[rng.random(n) < null_share] = np.nan
        w = rng.dirichlet(np.ones(levels))
        few = np.array(LEVELS[:3], dtype=object)[rng.choice(3, size=n, p=[0.5 + delta / 10, 0.3, 0.2 - delta / 10])]
        many = np.array(LEVELS[:levels], dtype=object)[rng.choice(levels, size=n, p=w)]
        few[rng.random(n) < null_share] = None
        frame = pd.DataFrame({"x": x, "k": rng.poisson(2 + delta, n).astype(np.int64), "few": few, "many": many})
        if as_category:
            for col in ("few", "many"):
                frame[col] = pd.Categorical(frame[col], categories=LEVELS)
        return frame

    return side(n_ref, 0.0, null_ref), side(n_cur, shift, null_cur)


def verdict(reference: pd.DataFrame, current: pd.DataFrame) -> tuple[bool, dict[str, Any], dict[str, float | None]]:
    """The default gate's verdict, per-column flags and p-values (exact), and effects (compared approximately)."""
    result = compare(as_source(reference, "reference"), as_source(current, "current"))
    per_column = {
        c.column: (
            c.drifted,
            c.distribution_drifted,
            c.null_drifted,
            c.method,
            c.p_method,
            c.p_value,
            c.p_adjusted,
            c.p_null,
            c.p_null_adjusted,
            c.n_reference,
            c.n_current,
        )
        for c in result.columns
    }
    effects = {c.column: c.effect for c in result.columns}
    return bool(result.drifted), per_column, effects


def assert_same(a: tuple[bool, dict[str, Any], dict[str, float | None]], b: Any) -> None:
    assert a[0] == b[0]
    assert a[1] == b[1]
    assert a[2].keys() == b[2].keys()
    for name, effect in a[2].items():
        assert effect == pytest.approx(b[2][name], rel=1e-12, abs=1e-15)


def _permuted(frame: pd.DataFrame, order: list[int]) -> pd.DataFrame:
    return frame.iloc[order].reset_index(drop=True)


@settings(deadline=None, max_examples=30)
@given(pair=frame_pairs(), data=st.data())
def test_verdict_is_invariant_to_row_order(pair: tuple[pd.DataFrame, pd.DataFrame], data: st.DataObject) -> None:
    reference, current = pair
    base = verdict(reference, current)
    ref_order = data.draw(st.permutations(range(len(reference))), label="reference order")
    cur_order = data.draw(st.permutations(range(len(current))), label="current order")
    which = data.draw(st.sampled_from(["reference", "current", "both"]), label="permuted")
    ref2 = _permuted(reference, ref_order) if which != "current" else reference
    cur2 = _permuted(current, cur_order) if which != "reference" else current
    assert_same(base, verdict(ref2, cur2))


def _relabel(frame: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    out = frame.copy()
    for col in ("few", "many"):
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].cat.rename_categories(mapping)
        else:
            out[col] = out[col].map(lambda v: None if pd.isna(v) else mapping[v]).astype(object)
    return out


@settings(deadline=None, max_examples=30)
@given(pair=frame_pairs(), names=st.permutations(RENAMES))
def test_verdict_is_invariant_to_renaming_categories(pair: tuple[pd.DataFrame, pd.DataFrame], names: list[str]) -> None:
    reference, current = pair
    mapping = dict(zip(LEVELS, names, strict=True))
    assert_same(verdict(reference, current), verdict(_relabel(reference, mapping), _relabel(current, mapping)))


@settings(deadline=None, max_examples=20)
@given(pair=frame_pairs(), data=st.data())
def test_verdict_is_invariant_to_column_order(pair: tuple[pd.DataFrame, pd.DataFrame], data: st.DataObject) -> None:
    reference, current = pair
    columns = data.draw(st.permutations(list(reference.columns)), label="column order")
    assert_same(verdict(reference, current), verdict(reference[columns], current[columns]))


def test_examples_reach_the_monte_carlo_null_and_drift() -> None:
    # the strategy is not vacuous: a sparse many-level table goes through the Monte Carlo null, and a
    # shifted current drifts
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"many": rng.choice(LEVELS, 30), "x": rng.normal(0, 1, 30)})
    cur = pd.DataFrame({"many": rng.choice(LEVELS, 30), "x": rng.normal(1.5, 1, 30)})
    drifted, per_column, _ = verdict(ref, cur)
    assert per_column["many"][4] == "monte carlo"
    assert drifted
    assert per_column["x"][0]


def test_categorical_dtype_reports_unseen_categories_like_strings() -> None:
    # a pandas Categorical lists every category in value_counts, present or not; absent ones are not "seen"
    levels = ["a", "b", "c", "d"]
    ref = pd.DataFrame({"c": pd.Categorical(["a"] * 30 + ["b"] * 30, categories=levels)})
    cur = pd.DataFrame({"c": pd.Categorical(["a"] * 30 + ["b"] * 20 + ["d"] * 10, categories=levels)})
    as_cat = compare(as_source(ref, "reference"), as_source(cur, "current")).columns[0]
    as_str = compare(as_source(ref.astype(object), "reference"), as_source(cur.astype(object), "current")).columns[0]
    assert as_cat.notes == as_str.notes == ["1 categories unseen in reference ('d'), 16.67% of current rows"]
    assert as_cat.histogram == as_str.histogram == {"categories": ["a", "b", "d"]}
    assert as_cat.p_value == as_str.p_value
