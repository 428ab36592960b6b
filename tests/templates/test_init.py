"""``pytest-mlops init`` in a temporary git repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from pytest_mlops.cli import main
from pytest_mlops.commands.init import PLACEHOLDER
from tests.templates.lint import TEMPLATES, load, run_check_jsonschema, run_zizmor

TRAIN = 'python -m bc_example.train --data data --model-name "$MLOPS_MODEL_NAME" --alias challenger'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository with a project in ``ml/churn`` (the current directory)."""
    root = tmp_path / "repo"
    project = root / "ml" / "churn"
    project.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "trunk", str(root)], check=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'churn'\nversion = '0'\n", encoding="utf-8")
    monkeypatch.chdir(project)
    return root


def init(*args: str) -> int:
    return main(["init", "--model", "churn model", "--train-command", TRAIN, *args])


def generated(root: Path) -> dict[str, str]:
    base = root / ".github"
    return {p.relative_to(base).as_posix(): p.read_text(encoding="utf-8") for p in base.rglob("*") if p.is_file()}


def test_init_fills_in_the_templates(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init("--data-command", "python -m bc_example.data --out data", "--python-version", "3.12") == 0
    out = capsys.readouterr().out
    files = generated(repo)
    expected = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*") if p.is_file())
    assert sorted(files) == expected
    for name, text in files.items():
        assert not PLACEHOLDER.findall(text), f"{name}: placeholders left: {PLACEHOLDER.findall(text)}"
        assert f"create  .github/{name}" in out
    ct = load(repo / ".github" / "workflows" / "mlops-ct.yml")
    train = ct["jobs"]["train"]["with"]
    assert train["model-name"] == "churn model"
    assert train["working-directory"] == "ml/churn"  # the current directory, relative to the root
    assert train["python-version"] == "3.12"
    assert train["train-command"] == TRAIN  # quotes survive as YAML
    assert train["install-command"] == 'python -m pip install . "pytest-mlops[mlflow]==0.1.0"'
    assert ct["on"]["push"] == {"branches": ["trunk"], "paths": ["ml/churn/data/**", "ml/churn/params.yaml"]}
    assert ct["concurrency"]["group"] == "mlops-ct-churn-model"
    rollback = load(repo / ".github" / "workflows" / "mlops-rollback.yml")
    assert rollback["on"]["workflow_dispatch"]["inputs"]["model-name"]["default"] == "churn model"
    assert rollback["jobs"]["rollback"]["defaults"]["run"]["working-directory"] == "ml/churn"
    monitor = load(repo / ".github" / "workflows" / "mlops-monitor.yml")
    gates = next(step for step in monitor["jobs"]["drift"]["steps"] if step["name"] == "Run the drift gates")["with"]
    assert gates["data-command"] == "python -m bc_example.data --out data"  # defaults to --data-command
    assert "mlops-training" in out  # tells what to set up next


def test_generated_workflows_pass_the_linters(repo: Path) -> None:
    assert init("--data-path", "ml/churn/data/**", "--deploy-command", 'make deploy MODEL="$MLOPS_MODEL_NAME"') == 0
    workflows = sorted((repo / ".github" / "workflows").glob("*.yml"))
    actions = sorted((repo / ".github" / "actions").glob("*/action.yml"))
    proc = run_zizmor([*workflows, *actions])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout
    proc = run_check_jsonschema("vendor.github-workflows", workflows)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = run_check_jsonschema("vendor.github-actions", actions)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    cd = load(repo / ".github" / "workflows" / "mlops-ct.yml")["jobs"]["deliver"]["with"]
    assert cd["deploy-command"] == 'make deploy MODEL="$MLOPS_MODEL_NAME"'


def test_refuses_to_overwrite_unless_forced(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init() == 0
    ci = repo / ".github" / "workflows" / "mlops-ci.yml"
    ci.write_text(ci.read_text(encoding="utf-8") + "# my change\n", encoding="utf-8")
    before = generated(repo)
    capsys.readouterr()

    assert init() == 1
    captured = capsys.readouterr()
    assert "refused" in captured.err
    assert ".github/workflows/mlops-ci.yml" in captured.err
    assert re.search(r"exists\s+\.github/workflows/mlops-ci.yml", captured.out)
    assert re.search(r"unchanged\s+\.github/workflows/mlops-cd.yml", captured.out)
    assert generated(repo) == before  # nothing written, not even the unchanged files

    assert init("--force") == 0
    assert "# my change" not in ci.read_text(encoding="utf-8")


def test_dry_run_lists_and_writes_nothing(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert init("--dry-run") == 0
    out = capsys.readouterr().out
    assert "would write" in out
    assert "create  .github/workflows/mlops-ct.yml" in out
    assert "train-command: " in out
    assert not (repo / ".github").exists()

    assert init() == 0
    (repo / ".github" / "workflows" / "mlops-cd.yml").write_text("mine\n", encoding="utf-8")
    assert init("--dry-run") == 0
    out = capsys.readouterr().out
    assert "init would refuse without --force" in out
    assert (repo / ".github" / "workflows" / "mlops-cd.yml").read_text(encoding="utf-8") == "mine\n"


def test_rerun_with_the_same_settings_changes_nothing(repo: Path) -> None:
    assert init() == 0
    first = generated(repo)
    assert init() == 0
    assert generated(repo) == first


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--working-directory", "nope"], "--working-directory 'nope'"),
        (["--working-directory", "/etc"], "--working-directory"),
        (["--data-command", "echo ${{ secrets.X }}"], "GitHub would evaluate"),
        (["--python-version", "3.12 && rm"], "--python-version"),
        (["--require-kinds", ","], "names no gate kind"),
    ],
)
def test_bad_input_is_a_usage_error(
    repo: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert init(*args) == 2
    assert message in capsys.readouterr().err
    assert not (repo / ".github").exists()


def test_outside_a_git_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert init() == 2
    assert "not inside a git repository" in capsys.readouterr().err
    assert init("--root", str(tmp_path)) == 0
    assert (tmp_path / ".github" / "workflows" / "mlops-ct.yml").exists()


def test_oidc_audience_reaches_every_workflow_that_talks_to_mlflow(repo: Path) -> None:
    assert init("--mlflow-oidc-audience", "api://mlflow-prod") == 0
    ct = load(repo / ".github" / "workflows" / "mlops-ct.yml")["jobs"]
    assert ct["train"]["with"]["mlflow-oidc-audience"] == "api://mlflow-prod"
    assert ct["deliver"]["with"]["mlflow-oidc-audience"] == "api://mlflow-prod"
    monitor = load(repo / ".github" / "workflows" / "mlops-monitor.yml")
    assert monitor["jobs"]["drift"]["env"]["MLFLOW_OIDC_AUDIENCE"] == "api://mlflow-prod"
    rollback = load(repo / ".github" / "workflows" / "mlops-rollback.yml")
    assert rollback["jobs"]["rollback"]["env"]["MLFLOW_OIDC_AUDIENCE"] == "api://mlflow-prod"


def test_without_an_oidc_audience_the_secrets_are_used(repo: Path) -> None:
    assert init() == 0
    ct = load(repo / ".github" / "workflows" / "mlops-ct.yml")["jobs"]
    assert ct["train"]["with"]["mlflow-oidc-audience"] == ""
    monitor = load(repo / ".github" / "workflows" / "mlops-monitor.yml")
    assert monitor["jobs"]["drift"]["env"]["MLFLOW_OIDC_AUDIENCE"] == ""
