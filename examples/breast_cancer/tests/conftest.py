"""Shared fixtures: features and labels of the holdout and current data."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
import pytest
from bc_example import LABEL
from bc_example.features import training_features


class Labelled(NamedTuple):
    X: pd.DataFrame
    y: pd.Series
    site: pd.Series

    def __repr__(self) -> str:  # short, for tracebacks
        return f"Labelled({len(self.y)} rows, {self.X.shape[1]} features)"


def _split(frame: pd.DataFrame) -> Labelled:
    return Labelled(training_features(frame), frame[LABEL], frame["site"])


@pytest.fixture(scope="session")
def holdout(mlops_holdout_data: pd.DataFrame) -> Labelled:
    return _split(mlops_holdout_data)


@pytest.fixture(scope="session")
def current(mlops_current_data: pd.DataFrame) -> Labelled:
    return _split(mlops_current_data)


@pytest.fixture(scope="session")
def reference(mlops_reference_data: pd.DataFrame) -> Labelled:
    return _split(mlops_reference_data)


@pytest.fixture
def serving_model(mlops_champion, mlops_challenger):
    """The model serving traffic: the champion, or the challenger before the first promotion."""
    return mlops_champion if mlops_champion is not None else mlops_challenger
