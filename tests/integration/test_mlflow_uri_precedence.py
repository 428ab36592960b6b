"""Which store the plugin talks to: explicit URI, then $MLFLOW_TRACKING_URI, then the sqlite default."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mlops.integrations.mlflow import connect


def test_env_is_used_when_no_uri_is_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'from-env.db'}")
    assert connect(None, rootdir=tmp_path).tracking_uri == f"sqlite:///{tmp_path / 'from-env.db'}"


def test_explicit_uri_beats_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'from-env.db'}")
    explicit = f"sqlite:///{tmp_path / 'explicit.db'}"
    assert connect(explicit, rootdir=tmp_path).tracking_uri == explicit


def test_default_is_the_rootdir_sqlite_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert connect(None, rootdir=tmp_path).tracking_uri == f"sqlite:///{(tmp_path / 'mlflow.db').resolve()}"
