"""The feature-store gates on a real Feast store: consistency, freshness, point in time via a service."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.feast.conftest import EXAMPLE

QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning", "-p", "no:cacheprovider")

INNER = f"""
import sys
from datetime import timedelta

import pandas as pd
import pytest

sys.path.insert(0, {str(EXAMPLE)!r})
from patients_example import data
from pytest_mlops.integrations.feast import point_in_time_service

NOW = (data.START + data.DAYS * data.TTL["vitals"]).to_pydatetime()
"""

CONSISTENCY = (
    INNER
    + """
def test_online_equals_offline(mlops_store_consistency):
    result = mlops_store_consistency(now=NOW)
    assert result.details["values"] == 100 * 3

def test_one_changed_online_value(mlops_feature_store, mlops_store_consistency):
    latest = data.vitals().groupby("patient_id").tail(1)
    row = latest[latest.patient_id == 7].copy()
    row["heart_rate"] = row["heart_rate"] + 0.5
    mlops_feature_store.write_to_online_store("patient_vitals", row)
    mlops_store_consistency("patient_vitals", sample=500, now=NOW)
"""
)


# ``feature_repo`` comes before ``pytester`` in every test: pytester snapshots sys.modules when it is
# set up and restores it after the test, and the Feast imports that applying the repository makes
# (pandas' Arrow extension types, dask) cannot be made twice in one process.


def _run(pytester: pytest.Pytester, repo: Path, source: str) -> pytest.RunResult:
    pytester.makeini(f"[pytest]\nmlops_feature_repo = {repo}\n")
    pytester.makepyfile(test_store=source)
    # in a subprocess: Feast imports (dask, pyarrow extension types) do not survive pytester's in-process
    # restore of sys.modules
    return pytester.runpytest_subprocess(*QUIET, "--mlops-report=report.json")


def test_consistency_gate_catches_one_changed_online_value(feature_repo: Path, pytester: pytest.Pytester) -> None:
    result = _run(pytester, feature_repo, CONSISTENCY)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*featurestore gate 'online/offline consistency' failed: 1 of 400 online values differ from the "
            "offline as-of-now values (1 > 0)",
            "*  patient_vitals:heart_rate: 1 of 200 entities differ; e.g. patient_id=7: online *, offline *",
            "*hint: materialise again*",
        ]
    )


FRESHNESS = (
    INNER
    + """
def test_fresh_an_hour_later(mlops_store_freshness):
    mlops_store_freshness(now=NOW + timedelta(hours=1))

def test_stale_two_days_later(mlops_store_freshness):
    mlops_store_freshness(now=NOW + timedelta(days=2))

def test_bound_given(mlops_store_freshness):
    mlops_store_freshness("patient_labs", max_age="6h", now=NOW + timedelta(hours=7))
"""
)


def test_freshness_gate_fails_when_time_passes_without_materialisation(
    feature_repo: Path, pytester: pytest.Pytester
) -> None:
    result = _run(pytester, feature_repo, FRESHNESS)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*featurestore gate 'feature freshness' failed: 1 of 2 feature views stale: "
            "'patient_vitals' 2 days > 1 day*",
            "*  feature view 'patient_vitals': materialised until 2026-03-08T00:00:00+00:00, 2 days old > 1 day*",
            "*hint: materialisation has stopped or fallen behind*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*featurestore gate 'feature freshness' failed: 1 of 1 feature views stale: 'patient_labs' 7 h > 6 h"]
    )


SERVICE = (
    INNER
    + """
def test_point_in_time_training_set(mlops_feature_store):
    point_in_time_service(mlops_feature_store, data.training_set(), "readmission_model")

def test_leaky_training_set(mlops_feature_store):
    point_in_time_service(mlops_feature_store, data.training_set(leaky=True), "readmission_model")

def test_feast_built_training_set(mlops_feature_store):
    events = data.admissions()[["patient_id", "event_timestamp"]]
    service = mlops_feature_store.get_feature_service("readmission_model")
    training = mlops_feature_store.get_historical_features(entity_df=events, features=service).to_df()
    point_in_time_service(mlops_feature_store, training, "readmission_model")
"""
)


def test_point_in_time_gate_reads_a_feature_service(feature_repo: Path, pytester: pytest.Pytester) -> None:
    result = _run(pytester, feature_repo, SERVICE)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*feature gate 'point-in-time correctness (readmission_model)' failed: * of 1000 rows joined a value the "
            "as-of join does not give*",
            "*  column '*' (table 'patient_*'): * rows wrong: * from the future*",
        ]
    )
