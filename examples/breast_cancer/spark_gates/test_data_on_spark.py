"""The schema, feature and drift gates of ``tests/test_data.py`` and ``tests/test_drift.py``, on Spark frames."""

from __future__ import annotations

from bc_example import LABEL, SCHEMA


def test_training_data_schema(mlops_schema, mlops_reference_data) -> None:
    assert type(mlops_reference_data).__module__.startswith("pyspark."), "run with the lake directories (see conftest)"
    mlops_schema.validate(mlops_reference_data, SCHEMA, environment="training")


def test_serving_requests_schema(mlops_schema, mlops_current_data) -> None:
    requests = mlops_current_data.drop(LABEL)  # what the serving API receives
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


def test_serving_data_has_not_drifted(mlops_drift, mlops_reference_data, mlops_current_data) -> None:
    mlops_drift.data(mlops_reference_data, mlops_current_data, exclude=[LABEL], max_share=0.1)
