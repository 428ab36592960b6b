"""Point-in-time and reproducibility gates through pytest: what they catch, what they pass, exact text."""

from __future__ import annotations

# Heavy imports before pytester's in-process runs (they restore sys.modules afterwards).
import numpy  # noqa: F401
import pandas  # noqa: F401
import pytest
import sklearn.ensemble  # noqa: F401

from tests.plugin.conftest import read_json

QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")

PIT_TESTS = """
import numpy as np
import pandas as pd
import pytest

BASE = pd.Timestamp("2026-01-01", tz="UTC")
rng = np.random.default_rng(3)
# vitals every 6 hours for 50 patients
VITALS = pd.DataFrame({
    "patient_id": np.repeat(np.arange(50), 8),
    "event_timestamp": np.tile([BASE + pd.Timedelta(hours=6 * i) for i in range(8)], 50),
})
VITALS["heart_rate"] = rng.normal(70, 8, len(VITALS)).round(1)
VITALS["systolic_bp"] = rng.normal(120, 12, len(VITALS)).round(0)
EVENTS = pd.DataFrame({
    "patient_id": rng.integers(0, 50, 300),
    "event_timestamp": BASE + pd.to_timedelta(rng.integers(0, 48 * 3600, 300), unit="s"),
})
EVENTS["label"] = rng.integers(0, 2, 300)

def asof(events, ttl=None):
    out = pd.merge_asof(events.sort_values("event_timestamp"), VITALS.sort_values("event_timestamp"),
                        on="event_timestamp", by="patient_id", tolerance=ttl)
    return out.reset_index(drop=True)

def test_correct_asof_join_passes(mlops_point_in_time):
    result = mlops_point_in_time(asof(EVENTS, pd.Timedelta("12h")), {"vitals": VITALS},
                                 entity="patient_id", ttl="12h")
    assert result.observed == 0

def test_polars_training_set_passes(mlops_point_in_time):
    pl = pytest.importorskip("polars")
    naive = lambda df: pl.from_pandas(df.assign(event_timestamp=df["event_timestamp"].dt.tz_convert(None)))
    mlops_point_in_time(naive(asof(EVENTS)), {"vitals": naive(VITALS)}, entity="patient_id")

def test_one_second_future_leak(mlops_point_in_time):
    training = asof(EVENTS)
    # one row's event happens one second before the vitals it was joined with
    row = training.index[training["event_timestamp"] > BASE + pd.Timedelta(hours=12)][0]
    joined_at = VITALS.loc[(VITALS.patient_id == training.at[row, "patient_id"])
                           & (VITALS.event_timestamp <= training.at[row, "event_timestamp"]), "event_timestamp"].max()
    training.loc[row, "event_timestamp"] = joined_at - pd.Timedelta(seconds=1)
    mlops_point_in_time(training, {"vitals": VITALS}, entity="patient_id")

def test_ttl_violation(mlops_point_in_time):
    mlops_point_in_time(asof(EVENTS), {"vitals": VITALS}, entity="patient_id", ttl="1h")
"""


def test_point_in_time_gate_catches_leaks_and_passes_asof(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_pit=PIT_TESTS)
    result = pytester.runpytest(*xdist_args, *QUIET, "--mlops-report=report.json")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*feature gate 'point-in-time correctness' failed: 1 of 300 rows joined a value the as-of join does "
            "not give (1 > 0 allowed); 2 of 2 feature columns wrong",
            "*  column 'heart_rate' (table 'vitals'): 1 row wrong: 1 from the future (up to 1s ahead); e.g. "
            "patient_id=* at * joined * from *, as-of value *",
            "*hint: build the training set with a point-in-time join*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*feature gate 'point-in-time correctness' failed: * of 300 rows joined a value the as-of join does "
            "not give (* > 0 allowed); 2 of 2 feature columns wrong",
            "*  column 'heart_rate' (table 'vitals'): * rows wrong: * older than ttl 1 h (up to 5.999 h old)*",
            "*hint: values older than the TTL must be null in the training set*",
        ]
    )
    gates = read_json(pytester.path / "report.json")["gates"]
    by_test = {g["nodeid"].split("::")[-1]: g for g in gates}
    assert {g["check"] for g in gates} == {"point_in_time"}
    assert by_test["test_one_second_future_leak"]["details"]["columns"][0]["max_ahead_seconds"] == 1.0
    assert by_test["test_ttl_violation"]["details"]["columns"][0]["future"] == 0


def test_point_in_time_bad_input_is_one_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        import pandas as pd

        def test_string_timestamps(mlops_point_in_time):
            training = pd.DataFrame({"patient_id": [1], "event_timestamp": ["2026-01-01"], "hr": [1.0]})
            table = pd.DataFrame({"patient_id": [1], "event_timestamp": pd.to_datetime(["2026-01-01"]), "hr": [1.0]})
            mlops_point_in_time(training, {"vitals": table}, entity="patient_id")

        def test_no_shared_feature(mlops_point_in_time):
            training = pd.DataFrame({"patient_id": [1], "event_timestamp": pd.to_datetime(["2026-01-01"])})
            table = pd.DataFrame({"patient_id": [1], "event_timestamp": pd.to_datetime(["2026-01-01"]), "hr": [1.0]})
            mlops_point_in_time(training, {"vitals": table}, entity="patient_id", ttl="soon")
        """
    )
    result = pytester.runpytest(*QUIET)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "E   *MlopsInputError: training set: column 'event_timestamp' is *, not a timestamp; "
            "convert it with pandas.to_datetime",
            "E   *MlopsInputError: point-in-time gate: ttl='soon' is not a duration; use seconds, a timedelta or "
            "a string like '1d' or '6h'",
        ]
    )
    assert "Traceback" not in result.stdout.str()


REPRO_TESTS = """
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier

X, y = make_classification(n_samples=300, n_features=8, random_state=0)

def seeded(seed):
    model = RandomForestClassifier(n_estimators=20, max_features=2, random_state=seed).fit(X[:200], y[:200])
    return {"metrics": {"accuracy": model.score(X[200:], y[200:])}, "predictions": model.predict_proba(X[200:])[:, 1]}

def unseeded(seed):
    model = RandomForestClassifier(n_estimators=20, max_features=2).fit(X[:200], y[:200])
    return {"metrics": {"accuracy": model.score(X[200:], y[200:])}, "predictions": model.predict_proba(X[200:])[:, 1]}

def test_seeded_model_reproduces(mlops_reproducible):
    mlops_reproducible(seeded, seed=11, data={"X": X, "y": y})

def test_unseeded_model_does_not(mlops_reproducible):
    mlops_reproducible(unseeded, seed=11, data={"X": X, "y": y})

def test_command_reproduces(mlops_reproducible, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import json, os\\n"
        "import numpy as np\\n"
        "rng = np.random.default_rng(int(os.environ['MLOPS_SEED']))\\n"
        "json.dump({'metrics': {'loss': float(rng.random())}, 'predictions': rng.random(5).tolist()},\\n"
        "          open(os.environ['MLOPS_OUTPUT'], 'w'))\\n"
    )
    import sys
    mlops_reproducible([sys.executable, str(script)], seed=3, code=[script])
"""


def test_reproducibility_gate_fails_unseeded_and_passes_seeded(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    pytester.makepyfile(test_repro=REPRO_TESTS)
    result = pytester.runpytest(*xdist_args, *QUIET, "--mlops-report=report.json", "--mlops-score")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*model gate 'reproducible training' failed: 2 runs with seed 11 disagree: max |diff| * > 0 (atol)",
            "*  predictions: * of 100 differ between run 1 and run 2 (max |diff| *)",
            "*hint: seed every random source from the seed the gate passes*",
        ]
    )
    report = read_json(pytester.path / "report.json")
    lineage = {(e["role"], e["name"]): e for e in report["lineage"]}
    assert {"X", "y"} <= {name for role, name in lineage if role == "data"}
    assert any(role == "code" and name.endswith("train.py") for role, name in lineage)
    assert all(len(e["sha256"]) == 64 for e in lineage.values())
    score = {t["id"]: t for t in report["ml_test_score"]["tests"]}
    assert score["infrastructure-1"]["how"] == "automated"
