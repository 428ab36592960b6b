"""Schema and feature gates on the training, serving and holdout data."""

from __future__ import annotations

import pandas as pd
from bc_example import LABEL, SCHEMA
from bc_example.features import serving_batch, training_features


def test_training_data_schema(mlops_schema, mlops_reference_data: pd.DataFrame) -> None:
    mlops_schema.validate(mlops_reference_data, SCHEMA, environment="training")


def test_serving_requests_schema(mlops_schema, mlops_current_data: pd.DataFrame) -> None:
    requests = mlops_current_data.drop(columns=[LABEL])  # what the serving API receives
    mlops_schema.validate(requests, SCHEMA, environment="serving")


def test_feature_expectations(mlops_features, mlops_current_data, mlops_reference_data) -> None:
    mlops_features.expect_columns(
        mlops_current_data,
        {
            "mean_radius": {"null_rate_at_most": 0.0, "at_least": 0.0},
            "mean_area": {"null_rate_at_most": 0.0, "quantiles": {0.5: (300, 1500)}},
            LABEL: {"allowed": [0, 1]},
            "site": {"unseen_share_at_most": 0.05, "cardinality_at_most": 10, "severity": "warn"},
        },
        reference=mlops_reference_data,
    )


def test_feature_code_has_no_skew(mlops_features, mlops_current_data) -> None:
    mlops_features.feature_code_skew(mlops_current_data, training_features, serving_batch, atol=1e-9, rtol=1e-9)


def test_no_feature_leaks_the_label(mlops_features, mlops_reference_data) -> None:
    mlops_features.leakage(mlops_reference_data.drop(columns=["site"]), at_most=0.995)
