"""Helpers for the registry tests: real model versions, real gate reports, a gate run's tags.

The gate run of issue #5 (``--mlops-log-to-mlflow``) tags each evaluated version with
``mlops.report_*``; :func:`record_gate_run` writes the same tags with a plain
``MlflowClient`` so the promotion protocol can be tested on its own. The end-to-end test
uses the real plugin instead.

Run as ``python -m tests.integration.registry_helpers worker`` this module is a
long-lived worker process for the concurrency test: it imports MLflow once, then runs
one ``pytest-mlops`` command per JSON line read from stdin and answers with one JSON line.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_mlops.report import SessionReport, report_digest
from pytest_mlops.results import GateResult

TAGS = (
    "mlops.report_digest",
    "mlops.report_status",
    "mlops.report_commit",
    "mlops.report_run_id",
    "mlops.report_kinds",
)


def client_for(uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def bare_run(uri: str, artifacts: Path) -> str:
    """A run with no artifacts (one request): enough to register versions for the protocol tests."""
    client = client_for(uri)
    experiment = client.create_experiment(f"registry-tests-{artifacts.name}", artifact_location=artifacts.as_uri())
    return str(client.create_run(experiment).info.run_id)


def new_versions(uri: str, name: str, run_id: str, count: int) -> list[str]:
    """Register ``count`` new versions of ``name`` from one logged model (creates the model once)."""
    client = client_for(uri)
    try:
        client.get_registered_model(name)
    except Exception:
        client.create_registered_model(name)
    return [
        str(client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id).version) for _ in range(count)
    ]


def write_report(
    path: Path,
    name: str,
    version: str | Sequence[str],
    *,
    passed: bool = True,
    kinds: Sequence[str] = ("model",),
    commit: str = "0123456789abcdef0123456789abcdef01234567",
    alias: str = "challenger",
    champion: str | None = None,
    comparison: str | None = None,
    created_at: str = "2026-11-26T12:00:00Z",
) -> Path:
    """A gate report as the plugin writes it (the real :class:`SessionReport`), naming ``version``.

    ``champion`` adds the champion baseline to the lineage; ``comparison="cold"`` adds a
    champion-comparison gate that found no champion (a cold start), ``"champion"`` one that
    compared with ``champion``.
    """
    report = SessionReport(stage="cd")
    for i, kind in enumerate(kinds):
        ok = passed or i > 0
        report.add_gate(
            GateResult(
                kind=kind,
                name=f"{kind} check",
                passed=ok,
                observed=0.91 if ok else 0.71,
                bound={"at_least": 0.85},
                summary="0.91 >= 0.85" if ok else "0.71 < 0.85",
                nodeid=f"tests/test_gates.py::test_{kind}",
            )
        )
    if comparison is not None:
        cold = comparison == "cold"
        report.add_gate(
            GateResult(
                kind="model",
                name="roc_auc vs champion",
                passed=True,
                observed=0.91,
                bound={"max_drop": 0.01},
                summary="cold start: no champion to compare with" if cold else "drop 0 <= max_drop 0.01",
                nodeid="tests/test_gates.py::test_vs_champion",
                check="champion",
                details={"cold_start": cold, "champion": None if cold else 0.9, "challenger": 0.91},
            )
        )
    for v in [version] if isinstance(version, str) else version:
        report.add_lineage({"role": "model", "name": name, "version": str(v), "alias": alias})
    if champion is not None:
        report.add_lineage({"role": "model", "name": name, "version": str(champion), "alias": "champion"})
    report.tests["passed" if passed else "failed"] += len(kinds) + (comparison is not None)
    if not passed:
        from pytest_mlops.report import TestOutcome

        report.not_passed.append(TestOutcome(f"tests/test_gates.py::test_{kinds[0]}", "failed", (kinds[0],)))
    report.sort()
    report.exitstatus = 0 if passed else 1
    report.created_at = created_at
    report.tool_version = "0.1.0"
    report.environment = {"python": "3.12", "git": {"commit": commit, "branch": "main", "dirty": False}, "ci": None}
    report.write_json(path)
    return path


def record_gate_run(
    uri: str,
    name: str,
    version: str,
    report: Path,
    run_id: str,
    *,
    commit: str | None = None,
    status: str | None = None,
) -> None:
    """Tag ``version`` as the gate run does: digest, status, commit, run id, kinds of ``report``."""
    data = json.loads(report.read_text("utf-8"))
    values = {
        "mlops.report_digest": report_digest(report),
        "mlops.report_status": status or data["status"],
        "mlops.report_commit": commit if commit is not None else data["environment"]["git"]["commit"],
        "mlops.report_run_id": run_id,
        "mlops.report_kinds": ",".join(sorted(data["summary"]["by_kind"])),
    }
    client = client_for(uri)
    for key, value in values.items():
        client.set_model_version_tag(name, version, key, value)


def gated_version(uri: str, name: str, version: str, run_id: str, folder: Path, **report_kwargs: Any) -> Path:
    """Write a passing report for ``version`` and record it on the version; return the report path."""
    path = write_report(folder / f"report-{name}-v{version}.json", name, version, **report_kwargs)
    record_gate_run(uri, name, version, path, run_id)
    return path


def gated_versions_at_creation(uri: str, name: str, run_id: str, count: int, folder: Path) -> list[tuple[str, Path]]:
    """``count`` new versions, each created with the gate-run tags of its own passing report (one request each).

    The report must name the version before it exists, so the next numbers are predicted
    (versions are numbered max + 1; nothing else registers versions of ``name`` meanwhile).
    """
    client = client_for(uri)
    try:
        client.get_registered_model(name)
    except Exception:
        client.create_registered_model(name)
    start = max((int(v.version) for v in client.search_model_versions(f"name='{name}'")), default=0)
    made = []
    for number in range(start + 1, start + 1 + count):
        path = write_report(folder / f"report-{name}-v{number}.json", name, str(number))
        data = json.loads(path.read_text("utf-8"))
        tags = {
            "mlops.report_digest": report_digest(path),
            "mlops.report_status": data["status"],
            "mlops.report_commit": data["environment"]["git"]["commit"],
            "mlops.report_run_id": run_id,
            "mlops.report_kinds": ",".join(sorted(data["summary"]["by_kind"])),
        }
        version = client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id, tags=tags)
        assert str(version.version) == str(number), "another client registered versions meanwhile"
        made.append((str(number), path))
    return made


def aliases(uri: str, name: str) -> dict[str, str]:
    model = client_for(uri).get_registered_model(name)
    return {str(k): str(v) for k, v in model.aliases.items()}


def run_cli(args: Sequence[str]) -> dict[str, Any]:
    """Run ``pytest-mlops ARGS`` in this process; return code, stdout, stderr."""
    from pytest_mlops.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def _worker() -> None:
    import mlflow  # noqa: F401  - import once, before the first command arrives

    from pytest_mlops.registry import client, lock, promotion  # noqa: F401

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(json.dumps(run_cli(json.loads(line))), flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["worker"]:
        _worker()
