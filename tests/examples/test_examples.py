"""The example project's own test suite and the demo story run here, so they cannot rot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_report_html import check_html, section

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "breast_cancer"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("examples")]


def _env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "MLFLOW_TRACKING_URI": f"sqlite:///{workdir / 'mlflow.db'}",
            "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
            "PYTHONPATH": str(workdir),
        }
    )
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER"):
        env.pop(name, None)
    return env


def _copy_example(tmp_path: Path) -> Path:
    workdir = tmp_path / "breast_cancer"
    shutil.copytree(
        EXAMPLE, workdir, ignore=shutil.ignore_patterns("__pycache__", "data", "reports", "mlflow.db", "mlartifacts")
    )
    return workdir


def test_example_suite_pre_merge_stage(tmp_path: Path) -> None:
    """What the CI (pre-merge) workflow runs: code tests plus schema and feature gates."""
    workdir = _copy_example(tmp_path)
    env = _env(workdir)
    subprocess.run([sys.executable, "-m", "bc_example.data", "--out", "data"], cwd=workdir, env=env, check=True)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--mlops-stage=ci", "--mlops-report=r.json"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    report = json.loads((workdir / "r.json").read_text())
    assert report["status"] == "passed"
    assert set(report["summary"]["by_kind"]) == {"schema", "feature"}
    assert report["tests"]["counts"]["passed"] == 7  # 2 code tests + 5 data tests
    assert not (ROOT / "examples" / "breast_cancer" / "mlflow.db").exists()

    # the declarative variant of the same data gates, collected from the gates file
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "gates/mlops-gates.yaml"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert "gates/mlops-gates.yaml::serving data drift PASSED" in done.stdout
    assert "4 gates: 4 passed" in done.stdout

    # the monitor workflow: the same gates file on a new (drifted) batch, from another folder
    subprocess.run(
        [sys.executable, "-m", "bc_example.data", "--out", "incoming", "--drift"], cwd=workdir, env=env, check=True
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-v", "../gates/mlops-gates.yaml",
         "--mlops-current-data=../incoming/current.csv"],
        cwd=workdir / "tests",
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-4000:]
    assert "gates/mlops-gates.yaml::training data schema PASSED" in done.stdout
    assert "gates/mlops-gates.yaml::serving data drift FAILED" in done.stdout


def test_demo_story(tmp_path: Path) -> None:
    """The README's main job: CT -> gates -> promote, drift caught, retrain, refusal, rollback."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "demo.py"), "--workdir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "GITHUB_STEP_SUMMARY")},
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-6000:]
    assert "promoted 'challenger' (version 2) of model 'bc-classifier' to 'champion'" in out
    assert "refused: report 'reports/4-ct-v3.json' did not pass (model gate 'roc_auc': " in out
    assert "rolled back model 'bc-classifier': 'champion' version 2 -> version 1" in out
    assert "drift gate 'data drift' failed" in out
    assert "The story ran as expected." in out
    reports = tmp_path / "demo" / "reports"
    for name in ("1-ct-v1", "2-monitor", "3-ct-v2", "4-ct-v3"):
        assert (reports / f"{name}.json").exists()
        assert (reports / f"{name}.html").read_text().startswith("<!DOCTYPE html>")
    v3 = json.loads((reports / "4-ct-v3.json").read_text())
    assert v3["status"] == "failed"
    # the refused report holds every gate the CT tests define, not only those before a first failure
    v2 = json.loads((reports / "3-ct-v2.json").read_text())
    [weak] = [g for g in v2["gates"] if g["check"] == "weak_segments"]  # the CT tests search for weak segments
    assert weak["status"] == "passed"
    assert "site" in weak["details"]["features"]
    assert sorted((g["kind"], g["name"]) for g in v3["gates"]) == sorted((g["kind"], g["name"]) for g in v2["gates"])
    failed = [g["name"] for g in v3["gates"] if g["status"] == "failed"]
    assert len(failed) >= 2
    refusal = out[out.index("refused: report 'reports/4-ct-v3.json'") :].splitlines()[0]
    assert all(repr(name) in refusal for name in failed[:5]), (refusal, failed)
    assert {e["version"] for e in v3["lineage"] if e["role"] == "model"} >= {"3"}
    # its HTML page opens on the failed gates and has a card for every gate, passed or failed
    page = (reports / "4-ct-v3.html").read_text()
    ids = set(check_html(page).ids)
    failed = [i for i, g in enumerate(v3["gates"]) if g["status"] == "failed"]
    assert failed
    assert re.search(r"</nav><section id='failed'>", page)
    assert sorted(int(i) for i in re.findall(r"<a href='#gate-(\d+)'>", section(page, "failed"))) == failed
    assert {f"gate-{i}" for i in range(len(v3["gates"]))} <= ids
    assert "no details contract" not in page
    assert "is missing or not" not in page


@pytest.mark.spark
@pytest.mark.xdist_group("spark")  # one Java at a time on the 2 cores: the worker that runs tests/spark
def test_example_data_gates_on_spark(tmp_path: Path) -> None:
    """The Spark variant of the example's data gates: the same data as a Parquet lake, read by Spark."""
    workdir = _copy_example(tmp_path)
    env = _env(workdir)
    subprocess.run([sys.executable, "-m", "bc_example.data", "--out", "data"], cwd=workdir, env=env, check=True)
    lake = ["--mlops-reference-data=data/lake/reference", "--mlops-current-data=data/lake/current"]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "spark_gates", *lake, "--mlops-report=r.json"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    report = json.loads((workdir / "r.json").read_text())
    assert report["status"] == "passed"
    assert set(report["summary"]["by_kind"]) == {"schema", "feature", "drift"}
    assert (workdir / "data" / "lake" / "reference" / "site=north").is_dir()  # partitioned by site
    assert "0 failed checks over 32 columns and 341 rows" in done.stdout
