"""Plain unit tests of the feature code (stage 'ci' runs them as 'code')."""

from __future__ import annotations

import math

import pandas as pd
from bc_example.features import serving_features, training_features


def test_ratio_and_log_area() -> None:
    record = {"mean_radius": 10.0, "worst_radius": 15.0, "mean_area": math.e, "malignant": 1, "site": "north"}
    features = serving_features(record)
    assert features["radius_ratio"] == 1.5
    assert features["log_area"] == 1.0
    assert "malignant" not in features
    assert "site" not in features


def test_training_features_drop_label_and_site() -> None:
    frame = pd.DataFrame({"mean_radius": [10.0], "worst_radius": [12.0], "mean_area": [100.0], "malignant": [0],
                          "site": ["east"]})  # fmt: skip
    assert sorted(training_features(frame)) == ["log_area", "mean_area", "mean_radius", "radius_ratio", "worst_radius"]
