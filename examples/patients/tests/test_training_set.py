"""Continuous-training gates on the training set: point in time correct, and training reproduces."""

from __future__ import annotations

from typing import Any

import pandas as pd
from patients_example import data

from pytest_mlops.gates.featurestore import FeatureTable

FEATURES = ["heart_rate", "systolic_bp", "creatinine"]


def test_training_set_is_point_in_time_correct(mlops_point_in_time: Any, training_set: pd.DataFrame) -> None:
    tables = {name: FeatureTable(frame, ttl=data.TTL[name]) for name, frame in data.tables().items()}
    mlops_point_in_time(training_set, tables, entity="patient_id")


def train(seed: int) -> dict[str, Any]:
    from sklearn.ensemble import RandomForestClassifier

    frame = data.training_set().fillna(-1.0)
    fit, test = frame.iloc[:800], frame.iloc[800:]
    model = RandomForestClassifier(n_estimators=30, max_depth=4, random_state=seed)
    model.fit(fit[FEATURES], fit["readmitted"])
    return {
        "metrics": {"accuracy": float(model.score(test[FEATURES], test["readmitted"]))},
        "predictions": model.predict_proba(test[FEATURES])[:, 1],
    }


def test_training_is_reproducible(mlops_reproducible: Any) -> None:
    mlops_reproducible(train, seed=7, data={"vitals": data.vitals(), "labs": data.labs()})
