"""Serving and monitoring gates on the Feast store (skipped, saying why, where Feast is not installed).

They read the store of ``feature_repo`` (ini ``mlops_feature_repo``) after it was applied and
materialised: ``python -m patients_example.store --until 2026-03-08T00:00:00+00:00``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def test_online_store_serves_the_offline_values(mlops_store_consistency: Any, now: dt.datetime) -> None:
    mlops_store_consistency(sample=50, now=now)


def test_features_are_fresh(mlops_store_freshness: Any, now: dt.datetime) -> None:
    mlops_store_freshness(now=now)
