"""Feature code, twice: the batch version used in training and the per-record version the
serving API runs. The training-serving skew gate checks they agree."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from bc_example import LABEL


def training_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorised features for training and batch scoring."""
    features = frame.drop(columns=[LABEL, "site"], errors="ignore").copy()
    features["radius_ratio"] = frame["worst_radius"] / frame["mean_radius"]
    features["log_area"] = frame["mean_area"].map(math.log)
    return features


def serving_features(record: Mapping[str, Any]) -> dict[str, float]:
    """The same features for one request, as the serving API computes them."""
    features = {k: float(v) for k, v in record.items() if k not in (LABEL, "site")}
    features["radius_ratio"] = float(record["worst_radius"]) / float(record["mean_radius"])
    features["log_area"] = math.log(float(record["mean_area"]))
    return features


def serving_batch(frame: pd.DataFrame) -> pd.DataFrame:
    """Run the serving code record by record (what production does)."""
    return pd.DataFrame([serving_features(row) for row in frame.to_dict("records")], index=frame.index)
