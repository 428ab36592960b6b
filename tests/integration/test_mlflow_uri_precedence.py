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


def test_the_commands_and_the_plugin_resolve_the_same_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One rule (the adapter's): the command line's default store is the plugin's with rootdir = cwd."""
    from pytest_mlops.errors import MlopsInputError
    from pytest_mlops.integrations.mlflow import resolve_tracking_uri
    from pytest_mlops.registry.client import Registry

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    expected = f"sqlite:///{(tmp_path / 'mlflow.db').resolve()}"
    assert resolve_tracking_uri(None) == resolve_tracking_uri(None, rootdir=tmp_path) == expected
    with pytest.raises(MlopsInputError, match="does not exist") as missing:
        Registry(None)
    assert repr(expected) in str(missing.value)
    assert connect(None, rootdir=tmp_path).tracking_uri == expected


def test_mlflow_and_urllib3_log_records_are_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import logging

    from pytest_mlops.integrations.mlflow import configure_http

    seen = io.StringIO()
    for name in ("mlflow", "urllib3.connectionpool"):
        handler = logging.StreamHandler(seen)
        logger = logging.getLogger(name)
        monkeypatch.setattr(logger, "handlers", [*logger.handlers, handler])
    configure_http(5)
    logging.getLogger("mlflow.utils.rest_utils").warning("API request to %s failed", "http://al:s3cret@h:1/api")
    logging.getLogger("urllib3.connectionpool").warning("Retrying after https://al:s3cret@h/x")
    text = seen.getvalue()
    assert "s3cret" not in text
    assert "http://al:***@h:1/api" in text
    assert "https://al:***@h/x" in text
