"""The training set under test and the clock the monitoring gates judge at."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
from patients_example import data


@pytest.fixture
def training_set() -> pd.DataFrame:
    """The training set the pipeline built; ``PATIENTS_TRAINING_SET=leaky`` gives the leaky build."""
    return data.training_set(leaky=os.environ.get("PATIENTS_TRAINING_SET") == "leaky")


@pytest.fixture
def now() -> dt.datetime:
    """When the monitor runs: ``$PATIENTS_NOW`` (ISO time; the demo sets it), else the current time."""
    raw = os.environ.get("PATIENTS_NOW")
    return dt.datetime.fromisoformat(raw) if raw else dt.datetime.now(dt.UTC)
