"""The templates' steps, run in order against ``examples/breast_cancer`` with a local sqlite MLflow store.

The workflows are installed with ``pytest-mlops init`` into a fresh git repository holding a copy of
the example, then run by :mod:`tests.templates.chain` (the honest substitute for running them on
GitHub): CT trains and gates a challenger and CD promotes it; the monitor finds drift, dispatches CT
and records an issue; the dispatched CT promotes a second champion; the rollback workflow restores the
previous champion. Separately (so the two can run in parallel), a deliberately worse model fails its
gates and a CD run handed its report refuses it. The CI workflow runs its gates on the example's
sample data and comments on the pull request. A fake ``gh`` records the GitHub API calls
(``test_jobs.py`` covers repeated comments and issues).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from pytest_mlops.cli import main
from tests.templates.chain import Harness, StepRecord, WorkflowRun
from tests.templates.lint import REPO

EXAMPLE = REPO / "examples" / "breast_cancer"
WORKDIR = "examples/breast_cancer"
MODEL = "bc-classifier"
TRAIN = 'python -m bc_example.train --data data --model-name "$MLOPS_MODEL_NAME" --alias challenger'
MLFLOW_SECRETS = (
    "MLFLOW_TRACKING_URI",
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_PASSWORD",
    "MLFLOW_TRACKING_TOKEN",
)

pytestmark = [pytest.mark.slow]


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def install(root: Path, *, train: str = TRAIN, serving: str = "python -m bc_example.data --out data") -> None:
    """``pytest-mlops init --force`` with the example's commands (the install step only checks imports).

    ``serving`` is the monitor's data command: the example writes shifted current data with --drift.
    """
    code = main(
        [
            "init",
            "--root", str(root),
            "--working-directory", WORKDIR,
            "--model", MODEL,
            "--train-command", train,
            "--data-command", "python -m bc_example.data --out data",
            "--monitor-data-command", serving,
            "--install-command", "python -c 'import pytest_mlops, bc_example'",
            "--python-version", "3.12",
            "--default-branch", "main",
            "--force",
        ]
    )  # fmt: skip
    assert code == 0


def fake_gh(folder: Path) -> Path:
    """A ``bin`` directory whose ``gh`` is tests/templates/fake_gh.py."""
    folder.mkdir(parents=True)
    script = folder / "gh"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{Path(__file__).with_name("fake_gh.py")}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A git repository with a copy of the example and the workflows installed by ``init``."""
    if not (EXAMPLE / "pyproject.toml").exists():
        raise AssertionError(f"the example project {EXAMPLE} is missing (the chain test runs against it)")
    root = tmp_path / "repo"
    shutil.copytree(
        EXAMPLE,
        root / WORKDIR,
        ignore=shutil.ignore_patterns(
            "data", "reports", "mlruns", "mlartifacts", "*.db", "__pycache__", ".pytest_cache", "*.egg-info"
        ),
    )
    git(root, "init", "-q", "-b", "main")
    install(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "example with pytest-mlops workflows")
    return root


def harness_for(root: Path, tmp_path: Path) -> tuple[Harness, str, Path]:
    db = tmp_path / "registry" / "mlflow.db"
    db.parent.mkdir()
    uri = f"sqlite:///{db}"
    secrets = dict.fromkeys(MLFLOW_SECRETS, "") | {"MLFLOW_TRACKING_URI": uri}
    state = tmp_path / "gh-state.json"
    harness = Harness(
        root,
        github={"sha": git(root, "rev-parse", "HEAD")},
        environments={"mlops-training": secrets, "production": secrets, "mlops-monitoring": secrets},
        path=[fake_gh(tmp_path / "bin")],
        extra_env={"FAKE_GH_STATE": str(state)},
        runner_root=tmp_path / "runner",
    )
    return harness, uri, state


def aliases(uri: str) -> dict[str, str]:
    """The model's aliases, read with MLflow's own client (the registry is the source of truth)."""
    with warnings.catch_warnings():
        # MLflow's sqlite store uses SQLAlchemy APIs deprecated in 2.1; not ours to fix
        warnings.simplefilter("ignore", DeprecationWarning)
        from mlflow import MlflowClient

        model = MlflowClient(tracking_uri=uri, registry_uri=uri).get_registered_model(MODEL)
    return {alias: str(version) for alias, version in model.aliases.items()}


def step(run: WorkflowRun, name: str) -> StepRecord:
    found = [s for s in run.steps() if s.name == name]
    assert len(found) == 1, f"{name!r}: {[s.name for s in run.steps()]}"
    return found[0]


def explain(run: WorkflowRun) -> str:
    """The failed steps' output, for assertion messages."""
    return "\n".join(
        f"--- {s.workflow}/{s.job}/{s.name} ({s.outcome}, exit {s.returncode})\n{s.output[-4000:]}"
        for s in run.steps()
        if s.outcome == "failure"
    )


def gh_state(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return data


def test_ct_cd_monitor_retrain_and_rollback(project: Path, tmp_path: Path) -> None:
    harness, uri, state = harness_for(project, tmp_path)

    # 1. CT by hand: cold start, the challenger is gated and promoted (after the production approval)
    first = harness.run_workflow("mlops-ct.yml", event_name="workflow_dispatch", inputs={"reason": "first model"})
    assert first.result == "success", explain(first)
    train = first.jobs["train"].called
    deliver = first.jobs["deliver"].called
    assert train is not None
    assert deliver is not None
    assert train.jobs["train"].environment == "mlops-training"
    assert train.jobs["train"].outputs["gates-status"] == "passed"
    promote_job = deliver.jobs["promote"]
    assert promote_job.environment == "production"
    assert promote_job.concurrency == f"mlops-registry-{MODEL}"
    assert promote_job.outputs == {"promoted": "true", "version": "1"}
    assert aliases(uri) == {"champion": "1", "challenger": "1"}
    assert "Reason: first model" in first.summary()
    assert f"## Promotion history: {MODEL}" in first.summary()
    recorded = {s.uses.split("@")[0] for s in first.steps() if s.kind == "recorded" and s.uses}
    assert recorded == {"actions/checkout", "actions/setup-python"}
    assert (train.artifacts / "mlops-ct-report" / "ct.json").is_file()

    # 2. the monitor on shifted serving data: drift -> CT dispatched, issue opened
    install(project, serving="python -m bc_example.data --out data --drift")
    drift = harness.run_workflow("mlops-monitor.yml", event_name="schedule")
    assert drift.result == "success", explain(drift)
    assert drift.jobs["drift"].outputs["status"] == "failed"
    assert drift.jobs["retrain"].result == "success"
    gh = gh_state(state)
    assert gh["dispatches"] == [
        {
            "workflow": "mlops-ct.yml",
            "repo": "acme/models",
            "ref": "main",
            "inputs": {"reason": f"drift found by mlops-monitor run {drift.run_id}"},
        }
    ]
    assert gh["labels"] == ["mlops-drift"]
    [issue] = gh["issues"]
    assert issue["title"] == f"Drift detected: {MODEL}"
    assert issue["labels"] == ["mlops-drift"]
    assert "retraining was started" in issue["body"]
    assert "pytest-mlops gates: failed" in issue["body"]  # the monitor's drift summary, for the record
    assert "retraining was started" in drift.summary()

    # 3. the dispatched CT run: a new challenger, gated against the champion, promoted
    dispatch = gh["dispatches"][0]
    second = harness.run_workflow("mlops-ct.yml", event_name="workflow_dispatch", inputs=dispatch["inputs"])
    assert second.result == "success", explain(second)
    assert aliases(uri) == {"champion": "2", "challenger": "2", "previous-champion": "1"}

    # 4. the manual rollback workflow restores the previous champion
    back = harness.run_workflow(
        "mlops-rollback.yml", event_name="workflow_dispatch", inputs={"model-name": MODEL, "reason": "v2 misbehaves"}
    )
    assert back.result == "success", explain(back)
    assert back.jobs["rollback"].environment == "production"
    assert back.jobs["rollback"].concurrency == f"mlops-registry-{MODEL}"
    assert aliases(uri)["champion"] == "1"
    assert f"## Rollback of {MODEL}" in back.summary()
    assert "v2 misbehaves" in back.summary()


def test_worse_model_fails_its_gates_and_cd_refuses_its_report(project: Path, tmp_path: Path) -> None:
    harness, uri, _ = harness_for(project, tmp_path)
    install(project, train=TRAIN + " --worse")  # the training code got worse

    worse = harness.run_workflow("mlops-ct.yml", event_name="schedule")
    assert worse.result == "failure"
    assert worse.jobs["train"].outputs["gates-status"] == "failed"
    assert worse.jobs["deliver"].result == "skipped"  # CD never starts
    assert aliases(uri) == {"challenger": "1"}
    report = worse.artifacts / "mlops-ct-report" / "ct.json"
    assert json.loads(report.read_text(encoding="utf-8"))["status"] == "failed"  # the evidence is uploaded

    # a CD run handed its report (say, started by hand) refuses it and changes nothing
    cd_inputs = {
        "model-name": MODEL,
        "working-directory": WORKDIR,
        "python-version": "3.12",
        "install-command": "python -c 'import pytest_mlops, bc_example'",
        "report-artifact": "mlops-ct-report",
    }
    refused = harness.run_workflow(
        "mlops-cd.yml", event_name="workflow_call", inputs=cd_inputs, artifacts=worse.artifacts
    )
    assert refused.result == "failure"
    assert refused.outputs == {"promoted": "false", "version": ""}
    promote = step(refused, "Promote")
    assert promote.outcome == "failure"
    assert promote.returncode == 1
    assert "refused" in promote.output
    assert step(refused, "Roll back after a failed rollout").outcome == "skipped"
    assert aliases(uri) == {"challenger": "1"}


def test_ci_gates_on_sample_data_with_a_pull_request_comment(project: Path, tmp_path: Path) -> None:
    harness, _, state = harness_for(project, tmp_path)
    pull_request = {"number": 5, "head": {"repo": {"full_name": "acme/models"}}}

    first = harness.run_workflow("mlops-ci.yml", event_name="pull_request", event={"pull_request": pull_request})
    assert first.result == "success", explain(first)
    assert first.jobs["gates"].outputs["status"] == "passed"
    [comment] = gh_state(state)["comments"]["5"]
    assert comment["body"].startswith("<!-- pytest-mlops:ci -->\n### pytest-mlops CI gates: passed")
    assert f"/actions/runs/{first.run_id}" in comment["body"]
    assert "pytest-mlops gates: passed" in first.jobs["gates"].summary  # the gate summary, in the step summary
