"""Spark results equal the pandas path's on the same data.

Schema and feature checks: the same failures, counts and observed values. Drift: binned
measures (PSI, Jensen–Shannon, Hellinger, every categorical measure, the histograms)
exactly; KS and Wasserstein within the bound the Spark path reports.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates import feature
from pytest_mlops.integrations import pandera as pa_adapter
from pytest_mlops.integrations import spark as spark_adapter
from pytest_mlops.integrations.frames import as_source
from pytest_mlops.integrations.spark_drift import SAMPLE, compare_drift
from pytest_mlops.stats.driftset import DriftOptions, DriftResult, compare

SLOW = settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def to_spark(spark: Any, frame: pd.DataFrame, tmp: Path) -> Any:
    """Through Parquet, as real data arrives (and fast at a million rows)."""
    path = tmp / f"frame-{id(frame)}.parquet"
    frame.to_parquet(path, index=False)
    return spark.read.parquet(str(path))


SCHEMA = pa.DataFrameSchema(
    {
        "amount": pa.Column("float64", [pa.Check.ge(0), pa.Check.le(100)], nullable=False),
        "qty": pa.Column("int64", pa.Check.isin([1, 2, 3]), unique=True),
        "code": pa.Column(str, [pa.Check.str_matches(r"^x"), pa.Check.notin(["xz"])], nullable=True),
        "share": pa.Column("float64", pa.Check.in_range(0, 1)),
        "missing_col": pa.Column("int64", required=True),
        "label": pa.Column("int64", pa.Check.gt(0)),
    },
    strict=True,
)

BAD = pd.DataFrame(
    {
        "amount": [1.0, -1.0, None, 200.0, -3.0, 5.0],
        "qty": [1, 1, 4, 2, 5, 3],
        "code": ["xa", "yb", None, "xz", "q", "xb"],
        "share": [0.5, 2.0, 3.0, 0.1, -1.0, 0.2],
        "label": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # float, the schema says int64
        "extra": [1, 2, 3, 4, 5, 6],
    }
)


def test_schema_failures_equal_the_pandas_path(mlops_spark: Any, tmp_path: Path) -> None:
    expected = pa_adapter.validate(BAD, SCHEMA, max_examples=100)
    frame = spark_adapter.require_frame(to_spark(mlops_spark, BAD, tmp_path), "data")
    got = spark_adapter.validate_schema(frame, SCHEMA, max_examples=3)
    assert {(f.column, f.check, f.count) for f in got} == {(f.column, f.check, f.count) for f in expected}
    assert len(got) == 11
    every = {(f.column, f.check): Counter(map(str, f.examples)) for f in expected}
    for f in got:
        assert f.rows == []  # Spark frames have no row labels
        assert len(f.examples) <= 3
        assert not Counter(map(str, f.examples)) - every[(f.column, f.check)], f  # examples are real failure cases
    lines = {f.line() for f in got}
    assert "column 'label': expected dtype('int64'), found float64" in lines
    assert "column 'amount': not_nullable failed for 1 value" in lines
    assert "column 'share': in_range(0, 1) failed for 3 values, e.g. 2, 3, -1" in lines


def test_schema_passes_where_pandas_passes(mlops_spark: Any, tmp_path: Path) -> None:
    good = BAD.iloc[[0, 5]].drop(columns=["extra"]).assign(label=[1, 2], missing_col=[7, 8])
    assert pa_adapter.validate(good, SCHEMA) == []
    frame = spark_adapter.require_frame(to_spark(mlops_spark, good, tmp_path), "data")
    assert spark_adapter.validate_schema(frame, SCHEMA) == []


def test_custom_checks_are_refused_with_the_fix(mlops_spark: Any, tmp_path: Path) -> None:
    schema = pa.DataFrameSchema({"amount": pa.Column("float64", pa.Check(lambda s: s > 0, name="positive"))})
    frame = spark_adapter.require_frame(to_spark(mlops_spark, BAD, tmp_path), "data")
    with pytest.raises(MlopsInputError, match=r"'positive' on column 'amount' cannot run on a Spark DataFrame"):
        spark_adapter.validate_schema(frame, schema)


SPEC: dict[str, dict[str, Any]] = {
    "amount": {"null_rate_at_most": 0.1, "at_least": 0, "at_most": 100, "quantiles": {0.5: (2, 3), 0.9: (0, 500)}},
    "qty": {"unique": True, "allowed": [1, 2], "cardinality_at_most": 3},
    "code": {"unseen_share_at_most": 0.0, "cardinality_at_least": 2},
}


def _outcomes_pandas(frame: pd.DataFrame, ref: pd.DataFrame) -> list[Any]:
    return [o for c, s in SPEC.items() for o in feature._evaluate(frame, c, s, ref, "data")]


def _outcomes_spark(spark: Any, frame: pd.DataFrame, ref: pd.DataFrame, tmp: Path) -> list[Any]:
    cur = spark_adapter.require_frame(to_spark(spark, frame, tmp), "data")
    reference = spark_adapter.require_frame(to_spark(spark, ref, tmp), "reference data")
    return [o for c, s in SPEC.items() for o in spark_adapter.evaluate_expectations(cur, c, s, reference, "data")]


def test_feature_outcomes_equal_the_pandas_path(mlops_spark: Any, tmp_path: Path) -> None:
    frame = BAD.drop(columns=["label", "extra"])
    ref = frame.assign(code=["xa"] * 6)
    expected = _outcomes_pandas(frame, ref)
    got = _outcomes_spark(mlops_spark, frame, ref, tmp_path)
    assert [(o.column, o.check, o.passed, o.observed, o.count) for o in got] == [
        (o.column, o.check, o.passed, o.observed, o.count) for o in expected
    ]
    texts = {o.check: o.text for o in got}
    assert texts["range"] == "3 of 5 values outside [0, 100], e.g. 200, -3, -1 (min -3, max 200)"
    assert texts["null_rate"] == "null rate 0.1667 > 0.1 (1 of 6 rows)"
    assert texts["quantile(0.5)"] == "quantile 0.5 = 1 < 2"
    assert [o.text for o in got] == [o.text for o in expected]  # ties in examples: first seen first, as pandas


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ({"at_least": 0}, "2 of 4 values below 0 or infinite, e.g. inf, -inf (min -inf, max inf)"),
        ({"at_most": 10}, "2 of 4 values above 10 or infinite, e.g. inf, -inf (min -inf, max inf)"),
        ({"at_least": 0, "at_most": 10}, "2 of 4 values outside [0, 10], e.g. inf, -inf (min -inf, max inf)"),
    ],
)
def test_inf_is_outside_a_one_sided_range_as_on_pandas(
    mlops_spark: Any, tmp_path: Path, spec: dict[str, Any], text: str
) -> None:
    frame = pd.DataFrame({"x": [1.0, np.inf, 2.0, -np.inf]})
    expected = feature._evaluate(frame, "x", spec, None, "data")
    got = spark_adapter.evaluate_expectations(
        spark_adapter.require_frame(to_spark(mlops_spark, frame, tmp_path), "data"), "x", spec, None, "data"
    )
    assert [(o.passed, o.count, o.text) for o in got] == [(o.passed, o.count, o.text) for o in expected]
    assert got[0].text == text


@SLOW
@given(
    values=st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=40),
    low=st.integers(-6, 2),
    width=st.integers(0, 8),
)
def test_feature_expectations_property(
    mlops_spark: Any, tmp_path: Path, values: list[Any], low: int, width: int
) -> None:
    frame = pd.DataFrame({"x": pd.array(values, dtype="Float64").astype("float64"), "k": [str(v) for v in values]})
    spec = {
        "x": {
            "null_rate_at_most": 0.2,
            "at_least": low,
            "at_most": low + width,
            "unique": True,
            "cardinality_at_most": 4,
            "quantiles": {0.25: (None, 0), 0.75: (0, None)},
        },
        "k": {"allowed": ["1", "2", "None"], "unseen_share_at_most": 0.1},
    }
    ref = frame.iloc[: max(1, len(frame) // 2)]
    cur = spark_adapter.require_frame(to_spark(mlops_spark, frame, tmp_path), "data")
    reference = spark_adapter.require_frame(to_spark(mlops_spark, ref, tmp_path), "reference data")
    try:
        expected = [o for c, s in spec.items() for o in feature._evaluate(frame, c, s, ref, "data")]
    except MlopsInputError as exc:  # the same refusal, word for word
        with pytest.raises(MlopsInputError, match=re.escape(str(exc))):
            [spark_adapter.evaluate_expectations(cur, c, s, reference, "data") for c, s in spec.items()]
        return
    got = [o for c, s in spec.items() for o in spark_adapter.evaluate_expectations(cur, c, s, reference, "data")]
    for e, g in zip(expected, got, strict=True):
        assert (g.check, g.passed, g.count) == (e.check, e.passed, e.count)
        if isinstance(e.observed, float) and math.isnan(e.observed):
            continue
        assert g.observed == pytest.approx(e.observed, rel=1e-12, abs=1e-12), g.check


# --------------------------------------------------------------------------------------------
# drift


BINNED = ("psi", "jensenshannon", "hellinger")


def assert_same_drift(pandas_result: DriftResult, spark_result: DriftResult) -> None:
    expected = {c.column: c for c in pandas_result.columns}
    got = {c.column: c for c in spark_result.columns}
    assert set(got) == set(expected)
    for name, e in expected.items():
        g = got[name]
        assert (g.type, g.n_reference, g.n_current) == (e.type, e.n_reference, e.n_current), name
        assert g.null_rate_reference == e.null_rate_reference
        assert g.null_rate_current == e.null_rate_current
        if e.score is None:
            assert g.score is None
            continue
        assert g.histogram == e.histogram, name
        assert g.reference == pytest.approx(e.reference, abs=1e-15)
        assert g.current == pytest.approx(e.current, abs=1e-15)
        if e.type == "categorical":
            assert g.scores == e.scores, name
            continue
        for key in BINNED:
            assert g.scores[key] == pytest.approx(e.scores[key], rel=1e-12, abs=1e-15), (name, key)
        ks, ks_true = g.scores["ks_statistic"], e.scores["ks_statistic"]
        assert ks - 1e-12 <= ks_true <= ks + g.ks_error + 1e-12, (name, ks, g.ks_error, ks_true)
        w, w_true = g.scores["wasserstein_raw"], e.scores["wasserstein_raw"]
        tol = 1e-9 * max(1.0, abs(w_true))
        assert w - tol <= w_true <= w + g.wasserstein_error + tol, (name, w, g.wasserstein_error, w_true)


def both(spark: Any, ref: pd.DataFrame, cur: pd.DataFrame, tmp: Path, **kw: Any) -> tuple[DriftResult, DriftResult]:
    options = DriftOptions(**kw)
    expected = compare(as_source(ref, "reference"), as_source(cur, "current"), options=options)
    got = compare_drift(
        to_spark(spark, ref, tmp), to_spark(spark, cur, tmp), columns=None, exclude=(), categorical=(), options=options
    )
    return expected, got


def _frame(rng: np.random.Generator, n: int, shift: float) -> pd.DataFrame:
    x = rng.normal(shift, 1.0, n)
    x[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "x": x,
            "count": rng.poisson(3 + shift, n).astype(np.int64),
            "plan": rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
            "flag": rng.random(n) < 0.3 + shift / 10,
        }
    )


@SLOW
@given(n=st.integers(1, 400), m=st.integers(1, 400), shift=st.floats(0, 1), seed=st.integers(0, 2**16))
def test_drift_small_frames_property(mlops_spark: Any, tmp_path: Path, n: int, m: int, shift: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    expected, got = both(mlops_spark, _frame(rng, n, 0.0), _frame(rng, m, shift), tmp_path)
    assert_same_drift(expected, got)


def test_drift_from_a_sample_keeps_binned_measures_exact(mlops_spark: Any, tmp_path: Path) -> None:
    """Above SAMPLE rows the grid comes from a sample, but the 1/bins quantile edges are exact."""
    rng = np.random.default_rng(3)
    n = SAMPLE * 2 + 17
    ref, cur = _frame(rng, n, 0.0), _frame(rng, n - 101, 0.3)
    ref.loc[:50, "x"] = np.inf  # infinities are left out and counted
    for bins in (10, 20):
        expected, got = both(mlops_spark, ref, cur, tmp_path, bins=bins)
        assert_same_drift(expected, got)
        assert any("exact order statistics" in note for note in got.notes)
        x = next(c for c in got.columns if c.column == "x")
        assert not x.exact
        assert 0 < x.ks_error < 0.01
        assert any("infinite values left out: 51 in reference" in note for note in x.notes)


def test_a_number_column_compared_as_categories(mlops_spark: Any, tmp_path: Path) -> None:
    """Counted by a groupBy of its own (keys are the driver's str() of each value), as on pandas."""
    rng = np.random.default_rng(11)
    ref, cur = _frame(rng, 300, 0.0), _frame(rng, 250, 0.8)
    options = DriftOptions()
    expected = compare(as_source(ref, "reference"), as_source(cur, "current"), categorical=["count"], options=options)
    got = compare_drift(
        to_spark(mlops_spark, ref, tmp_path),
        to_spark(mlops_spark, cur, tmp_path),
        columns=None,
        exclude=(),
        categorical=("count",),
        options=options,
    )
    assert_same_drift(expected, got)
    assert next(c for c in got.columns if c.column == "count").type == "categorical"
