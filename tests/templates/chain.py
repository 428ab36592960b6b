"""Run GitHub Actions workflows locally, step by step: the honest substitute for running them on GitHub.

Workflows cannot run on GitHub from the test machines and ``act`` needs Docker, so this harness
executes what a runner would execute, in order, on the local file system:

* jobs in ``needs:`` order, with job ``if:`` conditions, ``outputs:`` and results;
* a job that calls a reusable workflow (``uses: $/.github/workflows/x.yml``) runs that workflow with
  its ``with:`` values as ``inputs`` (defaults and required inputs checked) and returns its
  ``on.workflow_call.outputs``;
* ``run:`` steps with bash (``bash -e {0}`` by default, ``bash --noprofile --norc -eo pipefail {0}``
  for ``shell: bash``) in the step's working directory, with ``env:`` resolved from the workflow, job
  and step levels and the files ``GITHUB_OUTPUT``, ``GITHUB_ENV``, ``GITHUB_PATH`` and
  ``GITHUB_STEP_SUMMARY`` read back after each step;
* local composite actions (``uses: $/.github/actions/x``) are expanded and run step by step;
* ``actions/checkout`` and ``actions/setup-python`` are recorded only (the workspace is already the
  checked-out repository; Python is the test's interpreter, first on ``PATH``);
  ``actions/upload-artifact`` / ``actions/download-artifact`` copy files to and from a per-run
  artifact store (least-common-ancestor root, as upload-artifact v4 does);
* a job with ``environment:`` gets that environment's secrets, and the environment must be configured
  (GitHub would otherwise create it unprotected; the harness refuses).

Every ``${{ }}`` is resolved from the context the test provides (see :mod:`tests.templates.expressions`);
an expression naming something absent fails loudly with :class:`~tests.templates.expressions.UnresolvedError`.
Any other remote action, ``strategy:``/``matrix`` or ``services:`` raises :class:`HarnessError`.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.templates.expressions import evaluate_condition, interpolate, to_text

__all__ = ["Harness", "HarnessError", "JobResult", "StepRecord", "WorkflowRun", "load_yaml"]

SELF_PREFIXES = ("$/", "./")
RECORDED_ACTIONS = ("actions/checkout", "actions/setup-python")
STEP_TIMEOUT = 600


class HarnessError(RuntimeError):
    """The workflow uses something the harness does not emulate, or is inconsistent."""


def load_yaml(path: Path) -> dict[str, Any]:
    """Load a workflow or action file; PyYAML reads the key ``on`` as ``True``: put it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise HarnessError(f"{path}: not a mapping")
    if True in data:
        data["on"] = data.pop(True)
    return data


@dataclass
class StepRecord:
    """What happened to one step (composite inner steps are recorded too, with ``parent``)."""

    workflow: str
    job: str
    name: str
    id: str | None
    kind: str  # "run", "composite", "recorded", "artifact", "skipped"
    uses: str | None
    outcome: str  # success, failure, skipped
    returncode: int | None = None
    output: str = ""
    parent: str | None = None
    seconds: float = 0.0  # wall time, for diagnostics only
    cpu_seconds: float = 0.0  # CPU time of the step's processes, for diagnostics only


@dataclass
class JobResult:
    workflow: str
    job: str
    result: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepRecord] = field(default_factory=list)
    summary: str = ""
    environment: str | None = None
    concurrency: str | None = None
    called: WorkflowRun | None = None  # for a job that calls a reusable workflow


@dataclass
class WorkflowRun:
    workflow: str
    run_id: int
    jobs: dict[str, JobResult]
    outputs: dict[str, str]
    artifacts: Path

    @property
    def result(self) -> str:
        results = {job.result for job in self.jobs.values()}
        return "failure" if "failure" in results else "success"

    def all_jobs(self) -> list[JobResult]:
        """This run's jobs and, recursively, those of the workflows it called."""
        out: list[JobResult] = []
        for job in self.jobs.values():
            out.append(job)
            if job.called is not None:
                out.extend(job.called.all_jobs())
        return out

    def steps(self) -> list[StepRecord]:
        return [step for job in self.all_jobs() for step in job.steps]

    def summary(self) -> str:
        return "".join(job.summary for job in self.all_jobs())


class _Status:
    """success()/failure()/always()/cancelled() for one job or composite."""

    def __init__(self, failed: bool = False) -> None:
        self.failed = failed

    def __call__(self, name: str) -> bool:
        return {"success": not self.failed, "failure": self.failed, "always": True, "cancelled": False}[name]


def _parse_kv_file(path: Path) -> dict[str, str]:
    """Parse ``GITHUB_OUTPUT`` / ``GITHUB_ENV``: ``name=value`` lines and ``name<<DELIM`` blocks."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            block: list[str] = []
            while i < len(lines) and lines[i] != delim:
                block.append(lines[i])
                i += 1
            if i >= len(lines):
                raise HarnessError(f"{path.name}: delimiter {delim!r} of {name!r} never closed")
            i += 1
            values[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        else:
            raise HarnessError(f"{path.name}: malformed line {line!r}")
    return values


class Harness:
    """Runs workflows found in ``workspace/.github/workflows`` against ``workspace``.

    ``github``: the ``github`` context (``repository``, ``sha``, ``ref``, ...; ``event_name`` and
    ``event`` are set per run). ``vars``: repository variables. ``secrets``: repository secrets.
    ``environments``: environment name -> its secrets (jobs may only use configured environments).
    ``path``: directories put first on ``PATH`` (e.g. a fake ``gh``); the interpreter running the
    tests comes right after them. ``extra_env``: more variables for every process.
    """

    def __init__(
        self,
        workspace: Path,
        *,
        github: Mapping[str, Any] | None = None,
        vars: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        environments: Mapping[str, Mapping[str, str]] | None = None,
        path: list[Path] | None = None,
        extra_env: Mapping[str, str] | None = None,
        runner_root: Path | None = None,
    ) -> None:
        self.workspace = workspace.resolve()
        if runner_root is None:
            runner_root = Path(tempfile.mkdtemp(prefix="_runner-", dir=self.workspace.parent))
        self.root = runner_root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.github: dict[str, Any] = {
            "repository": "acme/models",
            "repository_owner": "acme",
            "server_url": "https://github.com",
            "sha": "0" * 40,
            "ref": "refs/heads/main",
            "ref_name": "main",
            "actor": "octocat",
            "token": "ghs_fake_token_for_tests",
            "workspace": str(self.workspace),
            **(github or {}),
        }
        self.vars = dict(vars or {})
        self.secrets = dict(secrets or {})
        self.environments = {name: dict(values) for name, values in (environments or {}).items()}
        self.path = [p.resolve() for p in (path or [])]
        self.extra_env = dict(extra_env or {})
        self._run_ids = iter(range(1000, 10**9))
        self._counter = 0

    # -- workflows -------------------------------------------------------------------------------------
    def run_workflow(
        self,
        workflow: str | Path,
        *,
        event_name: str,
        event: Mapping[str, Any] | None = None,
        inputs: Mapping[str, Any] | None = None,
        artifacts: Path | None = None,
        secrets: Mapping[str, str] | None = None,
        only: str | None = None,
        assume: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
        _run_id: int | None = None,
        _github: Mapping[str, Any] | None = None,
    ) -> WorkflowRun:
        """Run every job of a workflow file (a path, or a file name under ``.github/workflows``).

        ``only``: run just this job, with the jobs it needs taken from ``assume``
        (job id -> (result, outputs)) instead of running them.
        """
        path = Path(workflow)
        if not path.is_absolute():
            path = self.workspace / ".github" / "workflows" / path
        doc = load_yaml(path)
        name = path.name
        triggers = doc.get("on")
        if isinstance(triggers, str):
            triggers = {triggers: None}
        elif isinstance(triggers, list):
            triggers = dict.fromkeys(triggers)
        if not isinstance(triggers, dict) or event_name not in triggers:
            raise HarnessError(f"{name} is not triggered by {event_name!r} (on: {sorted(triggers or {})})")
        run_id = _run_id if _run_id is not None else next(self._run_ids)
        store = artifacts if artifacts is not None else self.root / f"artifacts-{run_id}"
        store.mkdir(parents=True, exist_ok=True)
        github = {**self.github, **(_github or {}), "event_name": event_name, "event": dict(event or {})}
        github["run_id"] = str(run_id)
        resolved_inputs = self._inputs(name, self._declared(triggers, event_name), inputs or {})
        # Inputs declared for another trigger exist but are null (e.g. a dispatch input on a push).
        for other in ("workflow_dispatch", "workflow_call"):
            for key in self._declared(triggers, other):
                resolved_inputs.setdefault(key, None)
        if event_name == "workflow_dispatch":
            github["event"].setdefault("inputs", dict(resolved_inputs))
        run_secrets = dict(self.secrets if secrets is None else secrets)
        run_secrets.setdefault("GITHUB_TOKEN", self.github["token"])
        base = {"github": github, "inputs": resolved_inputs, "vars": self.vars, "secrets": run_secrets}
        workflow_env = {k: to_text(interpolate(v, base)) for k, v in (doc.get("env") or {}).items()}
        jobs_spec: dict[str, Any] = doc.get("jobs") or {}
        results: dict[str, JobResult] = {}
        order = self._job_order(name, jobs_spec)
        if only is not None:
            if only not in jobs_spec:
                raise HarnessError(f"{name} has no job {only!r}")
            order = [only]
            results = {job: JobResult(name, job, result, dict(out)) for job, (result, out) in (assume or {}).items()}
        for job_id in order:
            spec = jobs_spec[job_id]
            needs = [spec["needs"]] if isinstance(spec.get("needs"), str) else list(spec.get("needs") or [])
            missing = [n for n in needs if n not in results]
            if missing:
                raise HarnessError(f"{name}: job {job_id} needs {missing}; pass them in assume=")
            needs_ctx = {n: {"result": results[n].result, "outputs": results[n].outputs} for n in needs}
            status = _Status(failed=any(results[n].result != "success" for n in needs))
            ctx = {**base, "needs": needs_ctx}
            if not evaluate_condition(spec.get("if"), ctx, status):
                results[job_id] = JobResult(name, job_id, "skipped")
                continue
            for unsupported in ("strategy", "services", "container"):
                if unsupported in spec:
                    raise HarnessError(f"{name}: job {job_id}: {unsupported}: is not emulated")
            if "uses" in spec:
                results[job_id] = self._call(name, job_id, spec, ctx, store, run_id, github, run_secrets)
            else:
                results[job_id] = self._job(name, job_id, spec, ctx, workflow_env, store)
        outputs: dict[str, str] = {}
        if event_name == "workflow_call":
            jobs_ctx = {j: {"result": r.result, "outputs": r.outputs} for j, r in results.items()}
            call = triggers["workflow_call"] if isinstance(triggers["workflow_call"], dict) else {}
            for key, spec in (call.get("outputs") or {}).items():
                outputs[key] = to_text(interpolate(spec["value"], {**base, "jobs": jobs_ctx}))
        return WorkflowRun(name, run_id, results, outputs, store)

    @staticmethod
    def _declared(triggers: Mapping[str, Any], event_name: str) -> dict[str, Any]:
        spec = triggers.get(event_name)
        return dict(spec.get("inputs") or {}) if isinstance(spec, dict) else {}

    @staticmethod
    def _inputs(workflow: str, declared: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(given) - set(declared))
        if unknown:
            raise HarnessError(f"{workflow}: undeclared inputs {unknown}")
        values: dict[str, Any] = {}
        for key, spec in declared.items():
            spec = spec or {}
            if key in given:
                value = given[key]
            elif "default" in spec:
                value = spec["default"]
            elif spec.get("required"):
                raise HarnessError(f"{workflow}: required input {key!r} missing")
            else:
                value = "" if spec.get("type", "string") == "string" else None
            if spec.get("type") == "boolean" and isinstance(value, str):
                value = value.strip().lower() == "true"
            values[key] = value
        return values

    @staticmethod
    def _job_order(workflow: str, jobs: Mapping[str, Any]) -> list[str]:
        order: list[str] = []
        visiting: set[str] = set()

        def visit(job: str) -> None:
            if job in order:
                return
            if job not in jobs:
                raise HarnessError(f"{workflow}: needs: names unknown job {job!r}")
            if job in visiting:
                raise HarnessError(f"{workflow}: needs: cycle through {job!r}")
            visiting.add(job)
            needs = jobs[job].get("needs") or []
            for need in [needs] if isinstance(needs, str) else needs:
                visit(need)
            visiting.discard(job)
            order.append(job)

        for job in jobs:
            visit(job)
        return order

    def _call(
        self,
        workflow: str,
        job_id: str,
        spec: Mapping[str, Any],
        ctx: Mapping[str, Any],
        store: Path,
        run_id: int,
        github: Mapping[str, Any],
        run_secrets: Mapping[str, str],
    ) -> JobResult:
        target = self._local_path(str(spec["uses"]), workflow)
        with_values = {k: interpolate(v, ctx) for k, v in (spec.get("with") or {}).items()}
        passed = spec.get("secrets")
        if passed == "inherit":
            secrets = dict(run_secrets)
        else:
            secrets = {k: to_text(interpolate(v, ctx)) for k, v in (passed or {}).items()}
        called = self.run_workflow(
            target,
            event_name="workflow_call",
            inputs=with_values,
            artifacts=store,
            secrets=secrets,
            _run_id=run_id,
            _github={k: v for k, v in github.items() if k not in ("event_name", "event")},
        )
        return JobResult(workflow, job_id, called.result, dict(called.outputs), called=called)

    def _local_path(self, uses: str, where: str) -> Path:
        for prefix in SELF_PREFIXES:
            if uses.startswith(prefix):
                path = self.workspace / uses[len(prefix) :]
                if not path.exists():
                    raise HarnessError(f"{where}: {uses} does not exist in the workspace")
                return path
        raise HarnessError(f"{where}: {uses!r} is not a local reference")

    # -- jobs ----------------------------------------------------------------------------------------
    def _job(
        self,
        workflow: str,
        job_id: str,
        spec: Mapping[str, Any],
        ctx: Mapping[str, Any],
        workflow_env: Mapping[str, str],
        store: Path,
    ) -> JobResult:
        self._counter += 1
        job_dir = self.root / f"job-{self._counter}-{job_id}"
        temp = job_dir / "temp"
        temp.mkdir(parents=True)
        ctx = {**ctx, "runner": {"temp": str(temp), "os": "Linux", "arch": "X64", "name": "harness"}}
        environment = spec.get("environment")
        env_name = None
        secrets = dict(ctx["secrets"])
        if environment is not None:
            env_name = to_text(interpolate(environment["name"] if isinstance(environment, dict) else environment, ctx))
            if env_name not in self.environments:
                raise HarnessError(f"{workflow}: job {job_id} needs environment {env_name!r}, which is not configured")
            secrets.update(self.environments[env_name])
        ctx = {**ctx, "secrets": secrets}
        concurrency = spec.get("concurrency")
        group = None
        if concurrency is not None:
            group = to_text(interpolate(concurrency["group"] if isinstance(concurrency, dict) else concurrency, ctx))
        job_env = dict(workflow_env)
        job_env.update(
            {k: to_text(interpolate(v, {**ctx, "env": job_env})) for k, v in (spec.get("env") or {}).items()}
        )
        defaults = ((spec.get("defaults") or {}).get("run") or {}) if isinstance(spec.get("defaults"), dict) else {}
        default_dir = defaults.get("working-directory")
        default_shell = defaults.get("shell")
        result = JobResult(workflow, job_id, "success", environment=env_name, concurrency=group)
        state = _JobState(
            harness=self,
            workflow=workflow,
            job=job_id,
            ctx=ctx,
            env=job_env,
            store=store,
            job_dir=job_dir,
            status=_Status(),
            result=result,
        )
        for index, step in enumerate(spec.get("steps") or []):
            state.run_step(step, index, default_dir=default_dir, default_shell=default_shell)
        if state.status.failed:
            result.result = "failure"
        out_ctx = {**ctx, "steps": state.steps_ctx, "env": state.env}
        for key, expr in (spec.get("outputs") or {}).items():
            result.outputs[key] = to_text(interpolate(expr, out_ctx))
        return result

    def process_env(self, extra: Mapping[str, str]) -> dict[str, str]:
        """The environment of a step's process: a clean copy of ours plus the GitHub variables."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "RUNNER_", "PYTEST_", "MLFLOW_TRACKING", "MLFLOW_REGISTRY", "GH_", "COV_"))
        }
        env.update(self.extra_env)
        path = [str(p) for p in self.path] + [str(Path(sys.executable).parent), env.get("PATH", "")]
        env["PATH"] = os.pathsep.join(path)
        env.update(extra)
        return env


@dataclass
class _JobState:
    harness: Harness
    workflow: str
    job: str
    ctx: dict[str, Any]
    env: dict[str, str]
    store: Path
    job_dir: Path
    status: _Status
    result: JobResult
    steps_ctx: dict[str, Any] = field(default_factory=dict)
    extra_path: list[str] = field(default_factory=list)

    def github_env(self, files: Mapping[str, Path]) -> dict[str, str]:
        gh = self.ctx["github"]
        return {
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(self.harness.workspace),
            "GITHUB_REPOSITORY": to_text(gh.get("repository")),
            "GITHUB_REPOSITORY_OWNER": to_text(gh.get("repository_owner")),
            "GITHUB_RUN_ID": to_text(gh.get("run_id")),
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_SHA": to_text(gh.get("sha")),
            "GITHUB_REF": to_text(gh.get("ref")),
            "GITHUB_REF_NAME": to_text(gh.get("ref_name")),
            "GITHUB_EVENT_NAME": to_text(gh.get("event_name")),
            "GITHUB_ACTOR": to_text(gh.get("actor")),
            "GITHUB_SERVER_URL": to_text(gh.get("server_url")),
            "GITHUB_WORKFLOW": self.workflow,
            "GITHUB_JOB": self.job,
            "RUNNER_TEMP": self.ctx["runner"]["temp"],
            "RUNNER_OS": "Linux",
            "GITHUB_OUTPUT": str(files["output"]),
            "GITHUB_ENV": str(files["env"]),
            "GITHUB_PATH": str(files["path"]),
            "GITHUB_STEP_SUMMARY": str(files["summary"]),
        }

    # -- one step ------------------------------------------------------------------------------------
    def run_step(
        self,
        step: Mapping[str, Any],
        index: int,
        *,
        default_dir: str | None,
        default_shell: str | None,
        inputs: Mapping[str, Any] | None = None,
        composite: str | None = None,
        steps_ctx: dict[str, Any] | None = None,
        status: _Status | None = None,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        steps_ctx = self.steps_ctx if steps_ctx is None else steps_ctx
        status = self.status if status is None else status
        ctx: dict[str, Any] = {**self.ctx, "steps": steps_ctx, "env": {**self.env, **(extra_env or {})}}
        if inputs is not None:
            ctx["inputs"] = inputs
        step_id = step.get("id")
        raw_name = step.get("name") or step.get("uses") or f"step {index + 1}"
        name = to_text(interpolate(raw_name, ctx))
        record = StepRecord(
            self.workflow, self.job, name, step_id, "skipped", step.get("uses"), "skipped", parent=composite
        )
        self.result.steps.append(record)
        if not evaluate_condition(step.get("if"), ctx, status):
            if step_id:
                steps_ctx[step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            return
        step_env = {**(extra_env or {})}
        for key, value in (step.get("env") or {}).items():
            step_env[key] = to_text(interpolate(value, {**ctx, "env": {**self.env, **step_env}}))
        outputs: dict[str, str] = {}
        if "run" in step:
            outcome = self._run(step, ctx, step_env, record, default_dir, default_shell, outputs, composite)
        elif "uses" in step:
            outcome = self._uses(step, ctx, step_env, record, outputs)
        else:
            raise HarnessError(f"{self.workflow}: job {self.job}: step {name!r} has neither run nor uses")
        record.outcome = outcome
        conclusion = outcome
        if outcome == "failure" and step.get("continue-on-error") in (True, "true"):
            conclusion = "success"
        if conclusion == "failure":
            status.failed = True
        if step_id:
            steps_ctx[step_id] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}

    def _files(self) -> dict[str, Path]:
        self.harness._counter += 1
        folder = self.job_dir / f"step-{self.harness._counter}"
        folder.mkdir()
        files = {key: folder / key for key in ("output", "env", "path", "summary")}
        for path in files.values():
            path.touch()
        return files

    def _run(
        self,
        step: Mapping[str, Any],
        ctx: Mapping[str, Any],
        step_env: Mapping[str, str],
        record: StepRecord,
        default_dir: str | None,
        default_shell: str | None,
        outputs: dict[str, str],
        composite: str | None,
    ) -> str:
        record.kind = "run"
        script = to_text(interpolate(step["run"], ctx))
        shell = step.get("shell") or default_shell
        if composite is not None and not shell:
            raise HarnessError(f"composite {composite}: run steps need shell:")
        if shell in (None, ""):
            argv = ["bash", "-e"]
        elif shell == "bash":
            argv = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
        else:
            raise HarnessError(f"{self.workflow}: shell {shell!r} is not emulated")
        workdir_value = step.get("working-directory") or default_dir
        workdir = self.harness.workspace
        if workdir_value:
            workdir = self.harness.workspace / to_text(interpolate(workdir_value, ctx))
        if not workdir.is_dir():
            raise HarnessError(f"{self.workflow}: working directory {workdir} does not exist")
        files = self._files()
        script_path = files["output"].parent / "script.sh"
        script_path.write_text(script, encoding="utf-8")
        env = self.harness.process_env({**self.env, **step_env, **self.github_env(files)})
        if self.extra_path:
            env["PATH"] = os.pathsep.join([*self.extra_path, env["PATH"]])
        started = time.monotonic()
        cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(
            [*argv, str(script_path)],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=STEP_TIMEOUT,
            check=False,
        )
        record.seconds = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        record.cpu_seconds = (after.ru_utime - cpu.ru_utime) + (after.ru_stime - cpu.ru_stime)
        record.returncode = proc.returncode
        record.output = proc.stdout
        self._collect(files, outputs)
        return "success" if proc.returncode == 0 else "failure"

    def _collect(self, files: Mapping[str, Path], outputs: dict[str, str]) -> None:
        outputs.update(_parse_kv_file(files["output"]))
        self.env.update(_parse_kv_file(files["env"]))
        added = [line.strip() for line in files["path"].read_text(encoding="utf-8").splitlines() if line.strip()]
        self.extra_path = added[::-1] + self.extra_path
        self.result.summary += files["summary"].read_text(encoding="utf-8")

    # -- uses: ---------------------------------------------------------------------------------------
    def _uses(
        self,
        step: Mapping[str, Any],
        ctx: Mapping[str, Any],
        step_env: Mapping[str, str],
        record: StepRecord,
        outputs: dict[str, str],
    ) -> str:
        uses = str(step["uses"])
        with_values = {k: interpolate(v, ctx) for k, v in (step.get("with") or {}).items()}
        if uses.startswith(SELF_PREFIXES):
            record.kind = "composite"
            return self._composite(uses, with_values, step_env, record, outputs)
        action = uses.split("@", 1)[0]
        if action in RECORDED_ACTIONS:
            record.kind = "recorded"
            return "success"
        if action == "actions/upload-artifact":
            record.kind = "artifact"
            return self._upload(with_values, record)
        if action == "actions/download-artifact":
            record.kind = "artifact"
            return self._download(with_values, record)
        raise HarnessError(f"{self.workflow}: job {self.job}: action {uses!r} is not emulated")

    def _composite(
        self,
        uses: str,
        with_values: Mapping[str, Any],
        step_env: Mapping[str, str],
        record: StepRecord,
        outputs: dict[str, str],
    ) -> str:
        folder = self.harness._local_path(uses, self.workflow)
        action_file = folder / "action.yml" if (folder / "action.yml").exists() else folder / "action.yaml"
        action = load_yaml(action_file)
        runs = action.get("runs") or {}
        if runs.get("using") != "composite":
            raise HarnessError(f"{uses}: only composite actions are emulated")
        declared: dict[str, Any] = action.get("inputs") or {}
        unknown = sorted(set(with_values) - set(declared))
        if unknown:
            raise HarnessError(f"{uses}: undeclared inputs {unknown}")
        inputs: dict[str, Any] = {}
        for key, spec in declared.items():
            spec = spec or {}
            if key in with_values:
                inputs[key] = to_text(with_values[key])
            elif spec.get("required") and "default" not in spec:
                raise HarnessError(f"{uses}: required input {key!r} missing")
            else:
                inputs[key] = to_text(spec.get("default", ""))
        inner_steps: dict[str, Any] = {}
        status = _Status()
        for index, inner in enumerate(runs.get("steps") or []):
            self.run_step(
                inner,
                index,
                default_dir=None,
                default_shell=None,
                inputs=inputs,
                composite=uses,
                steps_ctx=inner_steps,
                status=status,
                extra_env=step_env,
            )
        out_ctx = {**self.ctx, "inputs": inputs, "steps": inner_steps, "env": self.env}
        for key, spec in (action.get("outputs") or {}).items():
            outputs[key] = to_text(interpolate(spec["value"], out_ctx))
        return "failure" if status.failed else "success"

    def _resolve(self, raw: str) -> Path:
        path = Path(raw)
        return path if path.is_absolute() else self.harness.workspace / path

    def _upload(self, with_values: Mapping[str, Any], record: StepRecord) -> str:
        name = to_text(with_values.get("name") or "artifact")
        patterns = [line.strip() for line in to_text(with_values.get("path")).splitlines() if line.strip()]
        if not patterns:
            raise HarnessError(f"{self.workflow}: upload-artifact without path")
        files: list[Path] = []
        roots: list[Path] = []
        for pattern in patterns:
            if pattern.startswith("!"):
                raise HarnessError("exclusion patterns are not emulated")
            path = self._resolve(pattern)
            roots.append(path if path.is_dir() else path.parent)
            if path.is_file():
                files.append(path)
            elif path.is_dir():
                files.extend(p for p in path.rglob("*") if p.is_file())
        target = self.store / name
        if not files:
            policy = to_text(with_values.get("if-no-files-found") or "warn")
            record.output = f"no files found for {patterns}"
            return "failure" if policy == "error" else "success"
        if target.exists():
            record.output = f"an artifact named {name!r} already exists in this run"
            return "failure"
        root = Path(os.path.commonpath([str(r) for r in roots]))
        for file in files:
            dest = target / file.relative_to(root)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(file, dest)
        record.output = f"uploaded {len(files)} file(s) as {name!r}"
        return "success"

    def _download(self, with_values: Mapping[str, Any], record: StepRecord) -> str:
        name = to_text(with_values.get("name"))
        if not name:
            raise HarnessError("download-artifact without name is not emulated")
        source = self.store / name
        if not source.is_dir():
            record.output = f"artifact {name!r} not found"
            return "failure"
        dest = self._resolve(to_text(with_values.get("path") or "."))
        shutil.copytree(source, dest, dirs_exist_ok=True)
        record.output = f"downloaded {name!r} to {dest}"
        return "success"
