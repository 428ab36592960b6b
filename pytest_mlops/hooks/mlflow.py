"""``--mlops-log-to-mlflow``: the ``pytest_mlops_session_report`` hook that publishes the report.

It logs the session's gate results to an MLflow run and tags the evaluated model versions
(:func:`pytest_mlops.integrations.mlflow.log_session_report`); MLflow is imported only when the
option is on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_mlops.errors import MlopsError

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport


def pytest_mlops_session_report(config: pytest.Config, report: SessionReport) -> None:
    """With ``--mlops-log-to-mlflow``: log the results to an MLflow run, tag evaluated model versions."""
    from pytest_mlops.plugin import SETTINGS_KEY

    settings = config.stash[SETTINGS_KEY]
    if not settings.log_to_mlflow:
        return
    terminal = config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str, **markup: bool) -> None:
        if terminal is not None:
            terminal.write_line(line, **markup)

    from pytest_mlops.integrations.mlflow import log_session_report

    try:
        logged = log_session_report(report, settings)
    except MlopsError as exc:
        say(f"mlops: logging gate results to MLflow failed: {exc}", red=True)
        return
    tagged = ", ".join(f"{name} v{version}" for name, version in logged["versions"]) or "none in the lineage"
    say(f"mlops: gate results logged to MLflow run {logged['run_id']}; tagged model versions: {tagged}")
    if not logged["digest"]:
        say("mlops: no --mlops-report file, so the model versions carry no report digest to promote with", yellow=True)
