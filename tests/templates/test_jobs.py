"""Single jobs of the installed templates, run by the harness with their ``needs`` assumed (fast).

The full chains against the example project are in ``test_chain.py``; these pin down the GitHub API
side of the monitor and the CI comment with the fake ``gh``, including repeated runs.
"""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_mlops.cli import main
from tests.templates.chain import Harness, HarnessError

MODEL = "churn"


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    root = tmp_path / "repo"
    root.mkdir()
    assert (
        main(["init", "--root", str(root), "--model", MODEL, "--train-command", "true", "--default-branch", "main"])
        == 0
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).with_name("fake_gh.py")}" "$@"\n')
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    return Harness(
        root, path=[bin_dir], extra_env={"FAKE_GH_STATE": str(tmp_path / "gh.json")}, runner_root=tmp_path / "r"
    )


def state(harness: Harness) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(harness.extra_env["FAKE_GH_STATE"]).read_text(encoding="utf-8"))
    return data


def artifact(store: Path, name: str, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (store / name / rel).parent.mkdir(parents=True, exist_ok=True)
        (store / name / rel).write_text(text, encoding="utf-8")
    return store


def test_monitor_dispatches_ct_and_keeps_one_drift_issue(harness: Harness, tmp_path: Path) -> None:
    drifted = {"drift": ("success", {"status": "failed"})}
    for attempt in (1, 2):
        store = artifact(
            tmp_path / f"run{attempt}", "mlops-monitor-report", {"monitor.md": f"3 columns drifted #{attempt}"}
        )
        run = harness.run_workflow(
            "mlops-monitor.yml", event_name="schedule", only="retrain", assume=drifted, artifacts=store
        )
        assert run.jobs["retrain"].result == "success", [s.output for s in run.steps()]
        assert f"3 columns drifted #{attempt}" in run.summary()
    gh = state(harness)
    assert [d["workflow"] for d in gh["dispatches"]] == ["mlops-ct.yml", "mlops-ct.yml"]
    assert {d["ref"] for d in gh["dispatches"]} == {"main"}
    [issue] = gh["issues"]  # the second drift comments on the open issue instead of opening another
    assert issue["title"] == f"Drift detected: {MODEL}"
    assert "3 columns drifted #1" in issue["body"]
    [comment] = gh["comments"][str(issue["number"])]
    assert "3 columns drifted #2" in comment["body"]


def test_monitor_without_drift_starts_nothing(harness: Harness) -> None:
    run = harness.run_workflow(
        "mlops-monitor.yml", event_name="schedule", only="retrain", assume={"drift": ("success", {"status": "passed"})}
    )
    assert run.jobs["retrain"].result == "skipped"
    assert not Path(harness.extra_env["FAKE_GH_STATE"]).exists()  # gh was never called


def test_monitor_error_does_not_retrain(harness: Harness) -> None:
    run = harness.run_workflow(
        "mlops-monitor.yml", event_name="schedule", only="retrain", assume={"drift": ("failure", {"status": "error"})}
    )
    assert run.jobs["retrain"].result == "skipped"


def test_ci_comment_is_created_once_then_updated(harness: Harness, tmp_path: Path) -> None:
    event = {"pull_request": {"number": 12, "head": {"repo": {"full_name": "acme/models"}}}}
    ids = []
    for attempt, status in ((1, "failed"), (2, "passed")):
        store = artifact(tmp_path / f"ci{attempt}", "mlops-ci-summary", {"ci.md": f"| gate | {status} |"})
        run = harness.run_workflow(
            "mlops-ci.yml",
            event_name="pull_request",
            event=event,
            only="comment",
            assume={"gates": ("success" if status == "passed" else "failure", {"status": status})},
            artifacts=store,
        )
        assert run.jobs["comment"].result == "success", [s.output for s in run.steps()]
        comments = state(harness)["comments"]["12"]
        assert len(comments) == 1
        ids.append(comments[0]["id"])
        assert f"### pytest-mlops CI gates: {status}" in comments[0]["body"]
        assert f"| gate | {status} |" in comments[0]["body"]
    assert ids[0] == ids[1]


def test_ci_comment_is_skipped_for_forks(harness: Harness) -> None:
    event = {"pull_request": {"number": 13, "head": {"repo": {"full_name": "someone/fork"}}}}
    run = harness.run_workflow(
        "mlops-ci.yml", event_name="pull_request", event=event, only="comment", assume={"gates": ("success", {})}
    )
    assert run.jobs["comment"].result == "skipped"


def test_assumed_needs_must_be_complete(harness: Harness) -> None:
    with pytest.raises(HarnessError, match="needs"):
        harness.run_workflow("mlops-monitor.yml", event_name="schedule", only="retrain")
