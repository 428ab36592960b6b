"""The schema gate's fast path passes exactly the frames pandera passes.

``validate`` answers "conforms" without pandera for schemas made of dtypes, nullability,
uniqueness and built-in range/set checks; every other case, and every failure, goes to
pandera. These tests pin both halves: the fast path is taken where it should be, and it never
passes a frame that pandera fails.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_mlops.integrations.loading import fingerprint
from pytest_mlops.integrations.pandera import _conforms, validate, validate_with_pandera

LEVELS = ["a", "b", "c", "d"]


def _summary(failures: list) -> list[tuple]:
    return [(f.column, f.check, f.count, f.examples, f.rows) for f in failures]


def test_fast_path_is_taken_for_a_conforming_frame() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(0, 1, 1000), "n": rng.integers(0, 10, 1000), "s": rng.choice(LEVELS, 1000)})
    schema = pa.DataFrameSchema(
        {
            "x": pa.Column(float, pa.Check.in_range(-10, 10)),
            "n": pa.Column(int, [pa.Check.ge(0), pa.Check.lt(10)]),
            "s": pa.Column(str, pa.Check.isin(LEVELS), nullable=False),
        }
    )
    assert _conforms(frame, schema)
    assert validate(frame, schema) == []


@pytest.mark.parametrize(
    ("frame", "schema"),
    [
        (pd.DataFrame({"x": [1.0, float("nan")]}), pa.DataFrameSchema({"x": pa.Column(float, nullable=False)})),
        (pd.DataFrame({"x": [1, 1]}), pa.DataFrameSchema({"x": pa.Column(int, unique=True)})),
        (pd.DataFrame({"x": [1.0, 2.0]}), pa.DataFrameSchema({"x": pa.Column(int)})),
        (pd.DataFrame({"x": [1.0, math.inf]}), pa.DataFrameSchema({"x": pa.Column(float, pa.Check.le(5))})),
        (pd.DataFrame({"s": ["a", "z"]}), pa.DataFrameSchema({"s": pa.Column(str, pa.Check.isin(LEVELS))})),
        (pd.DataFrame({"s": ["a", "z"]}), pa.DataFrameSchema({"s": pa.Column(str, pa.Check.notin(["z"]))})),
        (pd.DataFrame({"x": [1.0]}), pa.DataFrameSchema({"x": pa.Column(float), "y": pa.Column(float)})),
        (pd.DataFrame({"x": [1.0], "y": [2]}), pa.DataFrameSchema({"x": pa.Column(float)}, strict=True)),
        (pd.DataFrame({"x": [0.0]}), pa.DataFrameSchema({"x": pa.Column(float, pa.Check.gt(0))})),
        (
            pd.DataFrame({"x": [5]}),
            pa.DataFrameSchema({"x": pa.Column(int, pa.Check.in_range(0, 5, include_max=False))}),
        ),
    ],
)
def test_failures_are_pandera_s_own(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> None:
    assert not _conforms(frame, schema)
    failures = validate(frame, schema)
    assert failures
    assert _summary(failures) == _summary(validate_with_pandera(frame, schema))


def test_unknown_checks_and_coercion_go_to_pandera() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0], "s": ["1", "2"]})
    custom = pa.DataFrameSchema({"x": pa.Column(float, pa.Check(lambda s: s > 0))})
    assert not _conforms(frame, custom)
    assert validate(frame, custom) == []
    coercing = pa.DataFrameSchema({"s": pa.Column(float)}, coerce=True)
    assert not _conforms(frame, coercing)
    assert validate(frame, coercing) == []


_floats = st.one_of(st.floats(-100, 100), st.just(float("nan")), st.just(float("inf")), st.just(-float("inf")))


@st.composite
def frames_and_schemas(draw: st.DrawFn) -> tuple[pd.DataFrame, pa.DataFrameSchema]:
    n = draw(st.integers(1, 12))
    x = draw(st.lists(_floats, min_size=n, max_size=n))
    k = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
    s = draw(st.lists(st.one_of(st.sampled_from([*LEVELS, "z"]), st.none()), min_size=n, max_size=n))
    frame = pd.DataFrame({"x": x, "k": k, "s": pd.Series(s, dtype="str")})

    def numeric_checks(lo: float, hi: float) -> list[pa.Check]:
        options = [
            pa.Check.ge(lo),
            pa.Check.gt(lo),
            pa.Check.le(hi),
            pa.Check.lt(hi),
            pa.Check.in_range(lo, hi, include_min=draw(st.booleans()), include_max=draw(st.booleans())),
            pa.Check.isin([-1, 0, 1, 2]),
        ]
        return draw(st.lists(st.sampled_from(options), max_size=2, unique_by=lambda c: c.name))

    lo = draw(st.integers(-6, 2))
    hi = lo + draw(st.integers(1, 8))
    columns = {
        "x": pa.Column(
            draw(st.sampled_from([float, int, None])),
            numeric_checks(lo, hi),
            nullable=draw(st.booleans()),
            unique=draw(st.booleans()),
        ),
        "k": pa.Column(
            draw(st.sampled_from([int, float, None])),
            numeric_checks(lo, hi),
            nullable=draw(st.booleans()),
            unique=draw(st.booleans()),
        ),
        "s": pa.Column(
            draw(st.sampled_from([str, None])),
            draw(
                st.lists(
                    st.sampled_from([pa.Check.isin(LEVELS), pa.Check.notin(["z"]), pa.Check.isin(["a", "z"])]),
                    max_size=1,
                )
            ),
            nullable=draw(st.booleans()),
        ),
    }
    if draw(st.booleans()):
        columns["missing"] = pa.Column(float, required=draw(st.booleans()))
    return frame, pa.DataFrameSchema(columns, strict=draw(st.booleans()))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames_and_schemas())
def test_fast_path_agrees_with_pandera(case: tuple[pd.DataFrame, pa.DataFrameSchema]) -> None:
    frame, schema = case
    reference = validate_with_pandera(frame, schema)
    if _conforms(frame, schema):
        assert reference == [], "the fast path passed a frame that pandera fails"
    assert _summary(validate(frame, schema)) == _summary(reference)


def test_fingerprint_follows_content_not_memory_layout() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=20_000),
            "s": pd.Series(rng.choice(LEVELS, 20_000), dtype="str"),
            "o": pd.Series(rng.choice(LEVELS, 20_000), dtype=object),
        }
    )
    base = fingerprint(frame)
    assert fingerprint(frame.copy()) == base
    # a sliced Arrow column hashes as its values, not its buffers
    assert fingerprint(frame.iloc[5:]) == fingerprint(frame.iloc[5:].copy())
    for column, value in (("x", 0.5), ("s", "zz"), ("o", "zz")):
        changed = frame.copy()
        changed.loc[123, column] = value
        assert fingerprint(changed) != base, column
    with_null = frame.copy()
    with_null.loc[7, "s"] = None
    assert fingerprint(with_null) != base
    assert fingerprint(frame.rename(columns={"x": "y"})) != base
