"""Drift gates: serving data, predictions and labels against the training reference."""

from __future__ import annotations

from bc_example import LABEL


def test_serving_data_has_not_drifted(mlops_drift, mlops_reference_data, mlops_current_data) -> None:
    mlops_drift.data(mlops_reference_data, mlops_current_data, exclude=[LABEL], max_share=0.1)


def test_predictions_have_not_drifted(mlops_drift, serving_model, reference, current) -> None:
    mlops_drift.predictions(
        serving_model.predict_proba(reference.X)[:, 1], serving_model.predict_proba(current.X)[:, 1]
    )


def test_labels_have_not_drifted(mlops_drift, reference, current) -> None:
    mlops_drift.labels(reference.y, current.y)
