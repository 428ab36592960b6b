"""Session-wide real MLflow back ends for integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.mlflow_env import MlflowServer, fresh_store, migrated_template, server_fixture


@pytest.fixture(scope="session")
def mlflow_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated sqlite store per session (migrating takes seconds; copying takes a millisecond)."""
    return migrated_template(tmp_path_factory.mktemp("mlflow-template"))


@pytest.fixture
def sqlite_tracking_uri(mlflow_template_db: Path, tmp_path: Path) -> str:
    """A fresh, migrated sqlite tracking/registry URI private to the test."""
    return fresh_store(mlflow_template_db, tmp_path / "store")


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real `mlflow server` on 127.0.0.1 for the whole session, stopped by its process group."""
    yield from server_fixture(tmp_path_factory.mktemp("mlflow-server"))
