"""A real local Feast repository for the feature-store tests (the example's, in a temporary folder).

Every fixture that needs Feast calls ``skip_if_unavailable()`` first, so on the latest stack
(pandas 3, which Feast 0.67 refuses) these tests are skipped with the reason a user would see.
``scripts/test-feast.sh`` runs them for real in ``.venv-feast``: Parquet offline store, sqlite
online store, ``apply`` and ``materialize`` run here, no server.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_mlops.integrations.feast import skip_if_unavailable

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "patients"


@pytest.fixture(scope="session")
def example_path() -> Iterator[None]:
    sys.path.insert(0, str(EXAMPLE))
    yield
    sys.path.remove(str(EXAMPLE))


@pytest.fixture
def feature_repo(tmp_path: Path, example_path: None) -> Path:
    """The example's feature repository, applied and materialised up to the end of its data."""
    skip_if_unavailable()
    from patients_example import data, store

    repo = tmp_path / "feature_repo"
    shutil.copytree(EXAMPLE / "feature_repo", repo, ignore=shutil.ignore_patterns("data"))
    feature_store = store.apply(repo)
    store.materialize(feature_store, end_of_data())
    assert data.PATIENTS == 200
    return repo


def end_of_data() -> Any:
    from patients_example import data

    return (data.START + data.DAYS * data.TTL["vitals"]).to_pydatetime()
