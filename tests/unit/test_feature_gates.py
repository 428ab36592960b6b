"""Feature, skew and leakage gates called directly (inside a test, results go to its sink)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pytest_mlops import _recorder
from pytest_mlops.errors import GateFailure, GateWarning, MlopsInputError
from pytest_mlops.gates.feature import expect, expect_columns
from pytest_mlops.gates.leakage import leakage
from pytest_mlops.gates.skew import distribution_skew, example_skew

# These tests call gate functions directly and expect the GateFailure they raise at once
# (the script behaviour), so they opt out of the end-of-test collection of failed gates.
pytestmark = pytest.mark.mlops_stop_at_first


def recorded() -> list[str]:
    return [f"{r.name}:{r.status}" for r in _recorder.current().results]


def test_expect_passes_and_records_details() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, None]})
    result = expect(frame, "x", null_rate_at_most=0.25, at_least=1, at_most=3, quantiles={0.5: (1.5, 2.5)})
    assert result.passed
    assert result.summary == "all 3 expectations held on 1 columns"
    assert [c["check"] for c in result.details["checks"]] == ["null_rate", "range", "quantile(0.5)"]  # type: ignore[index,union-attr]


def test_inf_counts_as_out_of_range() -> None:
    with pytest.raises(GateFailure, match=r"1 of 3 values above 10 or infinite, e\.g\. inf \(min 1, max inf\)"):
        expect(pd.DataFrame({"x": [1.0, np.inf, 2.0]}), "x", at_most=10)


def test_expect_columns_records_warnings_before_failing() -> None:
    frame = pd.DataFrame({"a": [1, -1], "b": ["x", "zz"]})
    with (
        pytest.warns(GateWarning, match=r"column 'b': 1 value not in the allowed set, e\.g\. 'zz'"),
        pytest.raises(GateFailure, match=r"feature gate 'feature expectations' failed: column 'a': 1 of 2"),
    ):
        expect_columns(frame, {"a": {"at_least": 0}, "b": {"allowed": ["x"], "severity": "warn"}})
    assert recorded() == ["feature expectations (warn):warned", "feature expectations:failed"]


def test_polars_input() -> None:
    pl = pytest.importorskip("polars")
    result = expect(pl.DataFrame({"x": [1, 2, 2]}), "x", cardinality_at_most=2, allowed=[1, 2])
    assert result.passed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"give at least one expectation"),
        ({"at_least": 5, "at_most": 1}, r"at_least=5 is above at_most=1"),
        ({"unseen_share_at_most": 0.0}, r"needs reference data; pass reference=DATA"),
        ({"quantiles": {2: (0, 1)}}, r"quantile 2 is outside \[0, 1\]"),
        ({"allowed": "abc"}, r"allowed= must be a list or set"),
    ],
)
def test_expect_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(MlopsInputError, match=message):
        expect(pd.DataFrame({"x": [1]}), "x", **kwargs)  # type: ignore[arg-type]


def test_expect_columns_rejects_unknown_keys() -> None:
    with pytest.raises(MlopsInputError, match=r"feature gate 'x': unknown expectation 'bogus'"):
        expect_columns(pd.DataFrame({"x": [1]}), {"x": {"bogus": 1}})
    with pytest.raises(MlopsInputError, match=r"severity='loud' is not accepted"):
        expect_columns(pd.DataFrame({"x": [1]}), {"x": {"unique": True, "severity": "loud"}})


def test_example_skew_nan_equal_and_tolerance() -> None:
    a = pd.DataFrame({"x": [1.0, np.nan, 3.0], "s": ["a", None, "c"]})
    b = pd.DataFrame({"x": [1.0 + 1e-9, np.nan, 3.0], "s": ["a", None, "c"]})
    assert example_skew(a, b, atol=1e-6).passed
    with pytest.raises(GateFailure, match=r"column 'x': 1 of 3 rows differ, max \|diff\| inf at row 1"):
        example_skew(a, b.assign(x=[1.0, 5.0, 3.0]))


def test_example_skew_by_key_reports_missing_keys() -> None:
    a = pd.DataFrame({"id": [1, 2, 3], "x": [1.0, 2.0, 3.0]})
    b = pd.DataFrame({"id": [3, 2], "x": [3.0, 2.0]})
    with pytest.raises(GateFailure, match=r"1 keys missing from the serving features, e\.g\. 1"):
        example_skew(a, b, key="id")
    with pytest.raises(MlopsInputError, match=r"key 'id' is not unique in serving features"):
        example_skew(a, pd.DataFrame({"id": [1, 1], "x": [0.0, 0.0]}), key="id")


def test_distribution_skew_identical_is_zero() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b", 1], 500)})
    result = distribution_skew(frame, frame)
    assert result.passed
    assert {c["column"]: c["score"] for c in result.details["columns"]} == {"x": 0.0, "c": 0.0}  # type: ignore[index,union-attr]


def test_leakage_regression_and_multiclass() -> None:
    rng = np.random.default_rng(2)
    n = 400
    x = rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=n), "y": x * 2 + rng.normal(0, 0.01, n)})
    with pytest.raises(GateFailure, match=r"max single-feature r2 0\.9\d+ > 0\.9 \('x'; 1 of 2 features above\)"):
        leakage(frame, "y", at_most=0.9)
    classes = pd.DataFrame({"noise": rng.normal(size=n), "label": rng.choice(["a", "b", "c"], n)})
    assert leakage(classes, "label").passed
    with pytest.raises(MlopsInputError, match=r"label class 'z' of data has 1 rows"):
        leakage(pd.DataFrame({"f": range(7), "label": ["a"] * 3 + ["b"] * 3 + ["z"]}), "label")


# -- mostly (Great Expectations' share of values that must hold) --------------------------------


def _twenty(bad: int) -> pd.DataFrame:
    """20 non-null values, ``bad`` of them outside [0, 10] and not in {"ok"}, plus 5 nulls."""
    values = [5.0] * (20 - bad) + [99.0] * bad + [None] * 5
    return pd.DataFrame({"x": values, "c": ["ok" if v == 5.0 else ("zz" if v else None) for v in values]})


@pytest.mark.parametrize(
    ("bad", "mostly", "passed"),
    [
        (0, 1.0, True),
        (1, 1.0, False),  # the default: every value
        (1, 0.95, True),  # 19 of 20 = 0.95, the boundary holds (nulls are not counted)
        (2, 0.95, False),  # 18 of 20 = 0.9
        (2, 0.9, True),
        (20, 0.05, False),
    ],
)
def test_mostly_on_range_and_allowed(bad: int, mostly: float, passed: bool) -> None:
    frame = _twenty(bad)
    for kwargs in ({"at_least": 0, "at_most": 10}, {"allowed": ["ok"]}):
        column = "x" if "at_least" in kwargs else "c"
        if passed:
            assert expect(frame, column, mostly=mostly, name=column, **kwargs).passed  # type: ignore[arg-type]
        else:
            with pytest.raises(GateFailure):
                expect(frame, column, mostly=mostly, name=column, **kwargs)  # type: ignore[arg-type]
        result = _recorder.current().results[-1]
        assert result.passed is passed
        if mostly < 1:
            assert result.bound["mostly"] == mostly
            share = (20 - bad) / 20
            assert f"{share:.4g} of values hold {'>=' if passed else '<'} mostly {mostly:.4g}" in result.summary


def test_mostly_default_is_every_value() -> None:
    with pytest.raises(GateFailure):
        expect(_twenty(1), "x", at_most=10)
    assert expect(_twenty(0), "x", at_most=10, mostly=1.0).bound == {"at_most": 10}


def test_mostly_on_unique_counts_every_repeated_row() -> None:
    frame = pd.DataFrame({"id": [*range(18), 100, 100]})  # 2 of 20 rows share a value
    assert expect(frame, "id", unique=True, mostly=0.9).passed
    with pytest.raises(GateFailure, match=r"0\.9 of values hold < mostly 0\.95"):
        expect(frame, "id", unique=True, mostly=0.95)


def test_mostly_leaves_aggregate_expectations_alone() -> None:
    frame = pd.DataFrame({"x": [1.0, None, None, None]})
    with pytest.raises(GateFailure, match=r"null rate 0\.75 > 0\.5"):
        expect(frame, "x", null_rate_at_most=0.5, at_least=0, mostly=0.5)


def test_mostly_in_expect_columns_per_column() -> None:
    frame = _twenty(1)
    results = expect_columns(frame, {"x": {"at_most": 10, "mostly": 0.95}, "c": {"allowed": ["ok"], "mostly": 0.9}})
    assert [r.passed for r in results] == [True]


@pytest.mark.parametrize(
    ("mostly", "kwargs", "message"),
    [
        (0, {"at_most": 1}, r"mostly=0 is not a share in \(0, 1\]; give the share of non-null values"),
        (1.5, {"at_most": 1}, r"mostly=1\.5 is not a share in \(0, 1\]"),
        (-0.1, {"at_most": 1}, r"mostly=-0\.1 is not a share"),
        ("95%", {"at_most": 1}, r"mostly='95%' is not a share"),
        (True, {"at_most": 1}, r"mostly=True is not a share"),
        (float("nan"), {"at_most": 1}, r"mostly=nan is not a share"),
        (0.9, {"null_rate_at_most": 0.1}, r"mostly= applies to at_least/at_most, allowed and unique"),
    ],
)
def test_mostly_rejects_bad_values(mostly: object, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(MlopsInputError, match=message):
        expect(pd.DataFrame({"x": [1.0]}), "x", mostly=mostly, **kwargs)  # type: ignore[arg-type]
