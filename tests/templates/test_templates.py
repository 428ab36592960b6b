"""Static checks of the GitHub Actions templates: linters, pins, references, flags, security rules."""

from __future__ import annotations

import argparse
import itertools
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from pytest_mlops import __version__
from pytest_mlops._options import OPTIONS
from pytest_mlops.cli import build_parser
from pytest_mlops.commands.init import template_files
from tests.templates.lint import (
    ACTIONS,
    REPO,
    TEMPLATES,
    USES_LINE,
    VERIFIED_PINS,
    WORKFLOWS,
    load,
    run_check_jsonschema,
    run_zizmor,
    walk,
)

ALL_FILES = [*WORKFLOWS, *ACTIONS]
SECRETS = {"MLFLOW_TRACKING_URI", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"}
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
REF = re.compile(r"(?<![\w.-])(inputs|steps|needs|jobs|env|secrets|vars|github|runner)\.([A-Za-z_][\w-]*)")


def ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(TEMPLATES).as_posix() for p in paths]


def test_the_expected_templates_exist() -> None:
    assert ids(WORKFLOWS) == [
        "workflows/mlops-cd.yml",
        "workflows/mlops-ci.yml",
        "workflows/mlops-ct.yml",
        "workflows/mlops-monitor.yml",
        "workflows/mlops-rollback.yml",
        "workflows/mlops-train.yml",
    ]
    assert ids(ACTIONS) == ["actions/mlflow-oidc-token/action.yml", "actions/run-gates/action.yml"]


def test_ci_templates_is_the_one_tracked_source() -> None:
    """The package carries no tracked copy: a wheel gets one from ``setup.py`` (checked by
    ``scripts/check-build.sh``), and ``pytest-mlops init`` in a checkout reads ``ci-templates/``."""
    if (REPO / ".git").exists():  # a git checkout (an unpacked sdist has no history to ask)
        tracked = subprocess.run(
            ["git", "ls-files", "pytest_mlops/templates"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        assert tracked == "", f"a tracked copy of the templates: {tracked.split()}; ci-templates/ is the source"
    source = {p.relative_to(TEMPLATES).as_posix(): p.read_text("utf-8") for p in TEMPLATES.rglob("*.yml")}
    assert template_files() == source


# -- the offline linters -------------------------------------------------------------------------------


def test_zizmor_pedantic_finds_nothing() -> None:
    proc = run_zizmor([*ALL_FILES, REPO / ".pre-commit-hooks.yaml"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout, proc.stdout


def test_workflows_match_the_github_workflow_schema() -> None:
    proc = run_check_jsonschema("vendor.github-workflows", WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_composite_action_matches_the_github_action_schema() -> None:
    proc = run_check_jsonschema("vendor.github-actions", ACTIONS)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_reports_a_planted_injection(tmp_path: Path) -> None:
    """The lint is live: the same command flags an expression inside run: and an unpinned action."""
    bad = tmp_path / "planted.yml"
    source = (TEMPLATES / "workflows" / "mlops-ci.yml").read_text(encoding="utf-8")
    source = source.replace('echo "created the gate comment"', 'echo "${{ github.event.pull_request.title }}"')
    source = re.sub(r"actions/checkout@[0-9a-f]{40} # v[\d.]+", "actions/checkout@v5", source)
    bad.write_text(source, encoding="utf-8")
    proc = run_zizmor([bad])
    assert proc.returncode != 0
    assert "template-injection" in proc.stdout
    assert "unpinned-uses" in proc.stdout


# -- action pins ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_FILES, ids=ids(ALL_FILES))
def test_every_action_is_local_or_pinned_to_a_verified_sha(path: Path) -> None:
    seen = 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if "uses:" not in line.split("#", 1)[0]:
            continue
        match = USES_LINE.match(line)
        assert match, f"{path.name}:{number}: cannot read {line.strip()!r}"
        seen += 1
        ref = match["ref"]
        if ref.startswith("$/"):
            target = TEMPLATES / ref[len("$/.github/") :]
            assert ref.startswith("$/.github/"), f"{path.name}:{number}: {ref}"
            assert target.exists(), f"{path.name}:{number}: {ref} is not among the templates"
            continue
        action, _, sha = ref.partition("@")
        assert re.fullmatch(r"[0-9a-f]{40}", sha), f"{path.name}:{number}: {ref} is not pinned to a full SHA"
        assert re.fullmatch(r"v\d+\.\d+\.\d+", match["comment"] or ""), (
            f"{path.name}:{number}: {ref} needs a '# vX.Y.Z' version comment"
        )
        assert action in VERIFIED_PINS, f"{path.name}:{number}: {action} has no verified pin"
        assert (sha, match["comment"]) == VERIFIED_PINS[action], f"{path.name}:{number}: unverified pin {ref}"
    if path in WORKFLOWS:  # an action may be shell steps only
        assert seen, f"{path.name} uses no action at all?"


# -- structure and references ------------------------------------------------------------------------------


def triggers(doc: dict[str, Any]) -> dict[str, Any]:
    on = doc["on"]
    return on if isinstance(on, dict) else dict.fromkeys([on] if isinstance(on, str) else on)


def declared_inputs(doc: dict[str, Any]) -> set[str]:
    if "runs" in doc:
        return set(doc.get("inputs") or {})
    names: set[str] = set()
    for event in ("workflow_call", "workflow_dispatch"):
        names |= set(((triggers(doc).get(event) or {}).get("inputs")) or {})
    return names


def expressions(value: Any, key: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    found = [m.group(1) for m in EXPR.finditer(value)]
    if key == "if" and not found:
        found = [value]
    return found


def references(doc: dict[str, Any]) -> list[tuple[tuple[Any, ...], str, str]]:
    """(yaml path, context, name) for every context reference in the document's expressions."""
    refs: list[tuple[tuple[Any, ...], str, str]] = []
    for path, value in walk(doc):
        for expr in expressions(value, path[-1] if path else None):
            refs.extend((path, m.group(1), m.group(2)) for m in REF.finditer(expr))
    return refs


@pytest.mark.parametrize("path", ALL_FILES, ids=ids(ALL_FILES))
def test_every_reference_resolves(path: Path) -> None:
    doc = load(path)
    inputs = declared_inputs(doc)
    jobs: dict[str, Any] = doc.get("jobs") or {}
    problems = []
    for where, context, name in references(doc):
        place = "/".join(map(str, where))
        job = jobs.get(where[1]) if len(where) > 1 and where[0] == "jobs" else None
        if context == "inputs" and name not in inputs:
            problems.append(f"{place}: inputs.{name} is not declared")
        elif context == "steps":
            steps = doc["runs"]["steps"] if "runs" in doc else (job or {}).get("steps") or []
            if name not in {s.get("id") for s in steps}:
                problems.append(f"{place}: no step with id {name!r}")
        elif context == "needs":
            needs = (job or {}).get("needs") or []
            if name not in ([needs] if isinstance(needs, str) else needs):
                problems.append(f"{place}: needs.{name} is not in the job's needs")
        elif context == "jobs" and name not in jobs:
            problems.append(f"{place}: no job {name!r}")
        elif context == "vars":
            problems.append(f"{place}: vars.{name}: the templates take settings as inputs, not variables")
        elif context == "secrets" and name not in SECRETS:
            problems.append(f"{place}: secret {name} is not documented")
        elif context == "env":
            defined = set(doc.get("env") or {}) | set((job or {}).get("env") or {})
            if name not in defined:
                problems.append(f"{place}: env.{name} is not defined at the workflow or job level")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", WORKFLOWS, ids=ids(WORKFLOWS))
def test_needs_name_existing_jobs(path: Path) -> None:
    jobs = load(path)["jobs"]
    for job_id, job in jobs.items():
        needs = job.get("needs") or []
        for need in [needs] if isinstance(needs, str) else needs:
            assert need in jobs, f"{path.name}: job {job_id} needs unknown job {need!r}"
            assert need != job_id


@pytest.mark.parametrize("path", WORKFLOWS, ids=ids(WORKFLOWS))
def test_permissions_are_empty_at_the_top_and_granted_per_job(path: Path) -> None:
    doc = load(path)
    assert doc["permissions"] == {}, f"{path.name}: top-level permissions must be {{}}"
    for job_id, job in doc["jobs"].items():
        assert isinstance(job.get("permissions"), dict), f"{path.name}: job {job_id} grants no explicit permissions"
        assert set(job["permissions"].values()) <= {"read", "write", "none"}


@pytest.mark.parametrize("path", ALL_FILES, ids=ids(ALL_FILES))
def test_no_expression_inside_run_and_checkout_drops_credentials(path: Path) -> None:
    for where, value in walk(load(path)):
        if where and where[-1] == "run" and isinstance(value, str):
            assert "${{" not in value, f"{path.name}: {'/'.join(map(str, where))}: pass values through env:"
        if isinstance(value, dict) and str(value.get("uses", "")).startswith("actions/checkout@"):
            assert (value.get("with") or {}).get("persist-credentials") is False, f"{path.name}: {where}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=ids(WORKFLOWS))
def test_secrets_only_in_environment_jobs_that_fail_fast(path: Path) -> None:
    for job_id, job in load(path)["jobs"].items():
        used = {name for _, context, name in references({"job": job}) if context == "secrets"}
        if not used:
            continue
        assert "environment" in job, f"{path.name}: job {job_id} reads secrets {used} outside an environment"
        env = job.get("env") or {}
        assert "MLFLOW_HTTP_REQUEST_MAX_RETRIES" in env, f"{path.name}: {job_id} must fail fast"
        assert "MLFLOW_HTTP_REQUEST_TIMEOUT" in env, f"{path.name}: {job_id} must fail fast"
        assert set(env) & SECRETS == set(), f"{path.name}: {job_id}: secrets belong in the steps that need them"


def workflow_inputs(path: Path) -> dict[str, Any]:
    return (triggers(load(path)).get("workflow_call") or {}).get("inputs") or {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=ids(WORKFLOWS))
def test_calls_pass_declared_and_required_inputs(path: Path) -> None:
    for job_id, job in load(path)["jobs"].items():
        calls = [(job_id, job["uses"], job.get("with") or {})] if "uses" in job else []
        calls += [(job_id, s["uses"], s.get("with") or {}) for s in job.get("steps") or [] if "uses" in s]
        for where, uses, given in calls:
            if not uses.startswith("$/"):
                continue
            target = TEMPLATES / uses[len("$/.github/") :]
            declared = workflow_inputs(target) if target.suffix == ".yml" else load(target / "action.yml")["inputs"]
            unknown = set(given) - set(declared)
            assert not unknown, f"{path.name}: {where} passes undeclared inputs {unknown} to {uses}"
            for name, spec in declared.items():
                if spec.get("required") and "default" not in spec:
                    assert name in given, f"{path.name}: {where} misses required input {name} of {uses}"


def test_promotions_and_rollbacks_share_one_serialized_group_in_protected_environments() -> None:
    cd = load(TEMPLATES / "workflows" / "mlops-cd.yml")["jobs"]["promote"]
    rollback = load(TEMPLATES / "workflows" / "mlops-rollback.yml")["jobs"]["rollback"]
    assert (
        cd["concurrency"]
        == rollback["concurrency"]
        == {
            "group": "mlops-registry-${{ inputs.model-name }}",
            "cancel-in-progress": False,
        }
    )
    assert cd["environment"] == {"name": "${{ inputs.environment }}"}
    assert workflow_inputs(TEMPLATES / "workflows" / "mlops-cd.yml")["environment"]["default"] == "production"
    assert rollback["environment"] == {"name": "production"}
    ct = load(TEMPLATES / "workflows" / "mlops-ct.yml")["jobs"]
    assert ct["deliver"]["with"]["environment"] == "production"
    assert ct["train"]["with"]["environment"] == "mlops-training"


def test_ct_triggers_cover_schedule_data_changes_and_dispatch() -> None:
    on = triggers(load(TEMPLATES / "workflows" / "mlops-ct.yml"))
    assert set(on) == {"schedule", "push", "workflow_dispatch", "repository_dispatch"}
    assert on["push"]["paths"] == ["__DATA_PATHS__"]
    assert on["repository_dispatch"]["types"] == ["mlops-retrain"]
    assert set(triggers(load(TEMPLATES / "workflows" / "mlops-monitor.yml"))) == {"schedule", "workflow_dispatch"}
    assert set(triggers(load(TEMPLATES / "workflows" / "mlops-ci.yml"))) == {"pull_request"}


# -- flags and commands exist -------------------------------------------------------------------------------


def all_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in ALL_FILES)


def run_scripts() -> list[tuple[str, str]]:
    scripts = []
    for path in ALL_FILES:
        for where, value in walk(load(path)):
            if where and where[-1] == "run" and isinstance(value, str):
                scripts.append((f"{path.name}:{'/'.join(map(str, where))}", value.replace("\\\n", " ")))
    return scripts


def test_every_mlops_flag_exists() -> None:
    known = {opt.flag for opt in OPTIONS}
    used = set(re.findall(r"--mlops-[a-z0-9-]+", all_text()))
    assert used, "the templates pass no --mlops-* flag?"
    assert used <= known, f"unknown flags: {sorted(used - known)}"


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the CLI has no subcommands")


def test_every_pytest_mlops_command_and_flag_exists() -> None:
    commands = subparsers()
    calls = []
    for where, script in run_scripts():
        for line in script.splitlines():
            # a command: at the start of the line, or after &&, ||, |, ; or $(
            for match in re.finditer(r"(?:^\s*|[;&|]\s*|\$\(\s*)pytest-mlops\s+([a-z-]+)(.*)", line):
                lexer = shlex.shlex(match.group(2), posix=True, punctuation_chars=True)
                lexer.whitespace_split = True
                args = list(itertools.takewhile(lambda t: not set(t) <= set("|&;()<>"), lexer))
                calls.append((where, match.group(1), args))
    assert {c[1] for c in calls} >= {"promote", "rollback", "history", "canary"}
    for where, command, args in calls:
        assert command in commands, f"{where}: pytest-mlops {command} does not exist"
        parser = commands[command]
        options = parser._option_string_actions
        flags = [a.split("=", 1)[0] for a in args if a.startswith("--")]
        unknown = [f for f in flags if f not in options]
        assert not unknown, f"{where}: pytest-mlops {command} has no {unknown}"
        for action in parser._actions:
            if action.required and action.option_strings:
                assert set(action.option_strings) & set(flags), f"{where}: {command} needs {action.option_strings}"


# -- pre-commit hooks --------------------------------------------------------------------------------------

#: the keys pre-commit 4.x accepts in a hooks manifest (pre_commit/clientlib.py MANIFEST_HOOK_DICT)
PRE_COMMIT_KEYS = {
    "id", "name", "entry", "language", "alias", "files", "exclude", "types", "types_or", "exclude_types",
    "additional_dependencies", "args", "always_run", "fail_fast", "pass_filenames", "description",
    "language_version", "log_file", "require_serial", "stages", "verbose", "minimum_pre_commit_version",
}  # fmt: skip


def hooks_manifest() -> Any:
    return yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def test_pre_commit_hooks_manifest() -> None:
    hooks = hooks_manifest()
    assert isinstance(hooks, list)
    assert [h["id"] for h in hooks] == ["mlops-fast-gates", "mlops-fast-gates-system"]
    for hook in hooks:
        assert set(hook) <= PRE_COMMIT_KEYS, set(hook) - PRE_COMMIT_KEYS
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["pass_filenames"] is False
    assert [h["language"] for h in hooks] == ["python", "system"]


def test_pre_commit_entry_selects_only_schema_and_feature_tests(tmp_path: Path) -> None:
    """Run the hook's entry as pre-commit would (shlex-split, no file names) in a small project."""
    entry = hooks_manifest()[0]["entry"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = ["--strict-markers"]\n', encoding="utf-8"
    )
    (tmp_path / "test_project.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.mlops_schema\ndef test_schema():\n    pass\n\n"
        "@pytest.mark.mlops_feature\ndef test_feature():\n    pass\n\n"
        "@pytest.mark.mlops_model\ndef test_model():\n    raise AssertionError('slow model gate ran')\n\n"
        "def test_code():\n    raise AssertionError('unit test ran')\n",
        encoding="utf-8",
    )
    argv = shlex.split(entry)
    assert argv[0] == "pytest"
    proc = subprocess.run(
        [sys.executable, "-m", *argv], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed, 2 deselected" in proc.stdout


def test_docs_name_every_secret_environment_and_file() -> None:
    docs = (REPO / "docs" / "ci-templates.md").read_text(encoding="utf-8")
    for word in [*SECRETS, "mlops-training", "production", "mlops-monitoring", "mlops-drift", ".pre-commit-hooks.yaml"]:
        assert word in docs, word
    for path in ALL_FILES:
        assert path.relative_to(TEMPLATES).as_posix() in docs, path.name
    for action, (sha, version) in VERIFIED_PINS.items():
        assert f"{action}@{sha}" in all_text()
        assert sha in docs, action
        assert version in docs, action


def test_install_is_one_input_with_a_documented_default(tmp_path: Path) -> None:
    from pytest_mlops.commands.init import _default_install

    reusable = [p for p in WORKFLOWS if "workflow_call" in triggers(load(p))]
    assert reusable
    for path in reusable:
        spec = workflow_inputs(path)["install-command"]
        assert spec["type"] == "string"
        assert spec.get("default"), f"{path.name}: install-command needs a default"
        steps = [s for job in load(path)["jobs"].values() for s in job.get("steps") or [] if s.get("name") == "Install"]
        assert steps, f"{path.name}: no Install step"
        assert all(s["env"]["INSTALL_COMMAND"] == "${{ inputs.install-command }}" for s in steps), path.name
    docs = (REPO / "docs" / "ci-templates.md").read_text(encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    documented = _default_install(tmp_path).replace(__version__, "<this version>")
    assert f"`{documented}`" in docs
    assert "not yet on a public package index" in docs
    assert "@ git+https://github.com/" in docs  # installing from the repository is shown


def test_cd_workflow_is_callable_at_a_version_from_another_repository() -> None:
    """``uses: <org>/pytest-mlops/.github/workflows/mlops-cd.yml@<tag>`` needs a self-contained file there."""
    published = REPO / ".github" / "workflows" / "mlops-cd.yml"
    template = TEMPLATES / "workflows" / "mlops-cd.yml"
    assert published.read_text(encoding="utf-8") == template.read_text(encoding="utf-8")
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"__[A-Z_]+__", text), "a placeholder would reach the callers unfilled"
    uses = [m["ref"] for line in text.splitlines() if (m := USES_LINE.match(line))]
    assert uses
    assert all(re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref) for ref in uses), uses  # no local references
    inputs = workflow_inputs(template)
    assert {"model-name", "install-command", "mlflow-oidc-audience"} <= set(inputs)
    docs = (REPO / "docs" / "ci-templates.md").read_text(encoding="utf-8")
    assert "uses: <org>/pytest-mlops/.github/workflows/mlops-cd.yml@<tag>" in docs
    assert "id-token: write" in docs
