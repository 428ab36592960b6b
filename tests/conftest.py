"""Shared test configuration."""

from __future__ import annotations

import os

# MLflow must never sit in a minutes-long retry loop in our tests.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "10")
