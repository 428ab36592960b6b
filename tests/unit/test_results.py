"""The result model: JSON normalisation, bounds, messages."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_mlops.errors import GateFailure, MissingExtraError, MlopsInputError
from pytest_mlops.results import GateResult, check_bounds, fmt, to_json


def test_to_json_numpy_and_non_finite() -> None:
    data = to_json({"a": np.float64(0.5), "b": np.int64(3), "c": np.array([1.0, np.nan, np.inf]), "d": (1, 2)})
    assert data == {"a": 0.5, "b": 3, "c": [1.0, "nan", "inf"], "d": [1, 2]}
    json.dumps(data, allow_nan=False)
    assert to_json(float("-inf")) == "-inf"
    assert to_json({3, 1, 2}) == [1, 2, 3]


@pytest.mark.parametrize(
    ("value", "bounds", "expected"),
    [
        (0.8123, {"at_least": 0.85}, (False, "0.8123 < 0.85")),
        (0.91, {"at_least": 0.85}, (True, "0.91 >= 0.85")),
        (0.2, {"at_most": 0.1}, (False, "0.2 > 0.1")),
        (0.1, {"at_most": 0.1}, (True, "0.1 <= 0.1")),
        (0.5, {"at_least": 0.1, "at_most": 0.9}, (True, "0.5 in [0.1, 0.9]")),
        (1234567.0, {"at_most": 1000.0}, (False, "1.235e+06 > 1000")),
        (float("nan"), {"at_least": 0.0}, (False, "nan is not a number")),
    ],
)
def test_check_bounds(value: float, bounds: dict[str, float], expected: tuple[bool, str]) -> None:
    assert check_bounds(value, **bounds) == expected


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=False, allow_infinity=False),
)
def test_check_bounds_agrees_with_comparison(value: float, a: float, b: float) -> None:
    low, high = min(a, b), max(a, b)
    passed, _ = check_bounds(value, at_least=low, at_most=high)
    assert passed == (low <= value <= high)


def test_check_bounds_needs_a_bound() -> None:
    with pytest.raises(ValueError, match="give at least one bound"):
        check_bounds(1.0)


def test_message_caps_evidence_and_adds_hint() -> None:
    result = GateResult(
        kind="drift",
        name="orders",
        passed=False,
        summary="12 of 25 columns drifted",
        evidence=[f"col{i}: psi 0.{i} > 0.2" for i in range(12)],
        hint="retrain, or update the reference with pytest-mlops drift save",
    )
    lines = result.message.splitlines()
    assert lines[0] == "drift gate 'orders' failed: 12 of 25 columns drifted"
    assert lines[1] == "  col0: psi 0.0 > 0.2"
    assert lines[-2] == "  ... and 2 more"
    assert lines[-1] == "hint: retrain, or update the reference with pytest-mlops drift save"
    assert len(lines) == 1 + 10 + 1 + 1


def test_passed_message_has_no_hint() -> None:
    result = GateResult(kind="model", name="auc", passed=True, summary="0.9 >= 0.8", hint="never shown")
    assert result.message == "model gate 'auc' passed: 0.9 >= 0.8"


def test_round_trip_through_dict() -> None:
    result = GateResult(
        kind="model",
        name="auc",
        passed=False,
        severity="warn",
        observed=np.float32(0.5),
        bound={"at_least": 0.8},
        summary="0.5 < 0.8",
        details={"interval": {"low": 0.4, "high": math.inf}},
        nodeid="t.py::t",
    )
    data = result.to_dict()
    assert data["status"] == "warned"
    assert data["details"] == {"interval": {"low": 0.4, "high": "inf"}}
    assert GateResult.from_dict(json.loads(json.dumps(data))) == result


def test_bad_severity_is_rejected() -> None:
    with pytest.raises(ValueError, match="severity must be one of"):
        GateResult(kind="model", name="auc", passed=True, severity="loud")  # type: ignore[arg-type]


def test_exceptions_pickle() -> None:
    for exc in (
        GateFailure("model gate 'auc' failed: 0.5 < 0.8"),
        MlopsInputError("column 'age' is missing"),
        MissingExtraError.for_extra("mlflow", "mlflow"),
    ):
        again = pickle.loads(pickle.dumps(exc))
        assert type(again) is type(exc)
        assert str(again) == str(exc)
    assert "pip install 'pytest-mlops[mlflow]'" in str(MissingExtraError.for_extra("mlflow", "mlflow"))


def test_fmt() -> None:
    assert fmt(0.123456) == "0.1235"
    assert fmt(np.float64(2.0)) == "2"
    assert fmt(True) == "True"
    assert fmt(7) == "7"


def test_report_merges_one_file_attached_under_two_names() -> None:
    from pytest_mlops.report import SessionReport

    report = SessionReport()
    report.add_lineage({"role": "data", "name": "reference", "path": "/d/ref.csv", "sha256": "ab", "rows": 3})
    report.add_lineage({"role": "model", "name": "churn", "version": "3"})
    report.add_lineage({"role": "data", "name": "data", "path": "/d/ref.csv", "sha256": "ab", "rows": 3})
    report.add_lineage({"role": "data", "name": "current", "path": "/d/cur.csv", "sha256": "cd", "rows": 2})
    report.sort()
    data = [(e["name"], e["path"]) for e in report.lineage if e["role"] == "data"]
    assert sorted(data) == [("current", "/d/cur.csv"), ("data / reference", "/d/ref.csv")]
