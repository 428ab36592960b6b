"""Deployment gate: the challenger in shadow, on the requests the champion served (no labels)."""

from __future__ import annotations

import pytest
from bc_example import LABEL
from bc_example.features import training_features


def test_challenger_agrees_with_champion_in_shadow(
    mlops_deployment, mlops_champion, mlops_challenger, mlops_current_data
):
    if mlops_champion is None:
        pytest.skip("no champion yet: nothing to shadow (first promotion)")
    requests = training_features(mlops_current_data.drop(columns=[LABEL]))
    mlops_deployment.shadow(mlops_champion, mlops_challenger, requests, max_disagreement=0.1)
