"""Hooks pytest-mlops calls, for other plugins (and our own integrations) to implement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport


@pytest.hookspec
def pytest_mlops_session_report(config: pytest.Config, report: SessionReport) -> None:
    """Called once on the controller after the session report is complete and its files are written.

    Integrations use it to publish the report elsewhere (e.g. to an MLflow run).
    """
