"""JSON, Markdown, JUnit and lineage outputs of a session."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from pytest_mlops.report import report_schema
from tests.plugin.conftest import read_json

SUITE = """
import pytest
from pytest_mlops import attach, gate

def test_model(mlops_lineage):
    mlops_lineage("model", "churn", version=3, alias="challenger")
    gate("auc", 0.91, at_least=0.85, kind="model", details={"metric": "roc_auc", "direction": "higher"})

def test_data():
    attach("data", "orders", sha256="abc123", rows=1000)
    gate("null share", 0.2, at_most=0.1, kind="feature", severity="warn")

def test_fails():
    gate("revenue", 1.5, at_least=2)

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass
"""


def _validate(data: object) -> None:
    jsonschema.Draft202012Validator.check_schema(report_schema())
    jsonschema.validate(data, report_schema(), cls=jsonschema.Draft202012Validator)


def test_json_report_content(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest(*xdist_args, "--mlops-report=out/report.json")
    result.assert_outcomes(passed=2, failed=1, skipped=1)
    result.stdout.fnmatch_lines(["JSON report: */out/report.json"])
    data = read_json(pytester.path / "out" / "report.json")
    _validate(data)
    assert data["schema_version"] == 1
    assert data["status"] == "failed"
    assert data["pytest_exitstatus"] == 1
    assert data["summary"] == {
        "gates": 3,
        "passed": 1,
        "failed": 1,
        "warned": 1,
        "by_kind": {
            "custom": {"passed": 0, "failed": 1, "warned": 0},
            "feature": {"passed": 0, "failed": 0, "warned": 1},
            "model": {"passed": 1, "failed": 0, "warned": 0},
        },
    }
    assert data["tests"]["counts"] == {"failed": 1, "passed": 2, "skipped": 1}
    assert [t["nodeid"] for t in data["tests"]["not_passed"]] == [
        "test_suite.py::test_fails",
        "test_suite.py::test_skipped",
    ]
    by_name = {g["name"]: g for g in data["gates"]}
    assert by_name["auc"] == {
        "kind": "model",
        "check": "",
        "name": "auc",
        "status": "passed",
        "passed": True,
        "severity": "fail",
        "observed": 0.91,
        "bound": {"at_least": 0.85},
        "summary": "0.91 >= 0.85",
        "evidence": [],
        "hint": None,
        "details": {"metric": "roc_auc", "direction": "higher"},
        "nodeid": "test_suite.py::test_model",
    }
    assert by_name["null share"]["status"] == "warned"
    assert data["lineage"] == [
        {"name": "churn", "role": "model", "alias": "challenger", "version": 3},
        {"name": "orders", "role": "data", "rows": 1000, "sha256": "abc123"},
    ] or sorted(map(str, data["lineage"])) == sorted(
        map(str, [{"alias": "challenger", "name": "churn", "role": "model", "version": 3},
                  {"name": "orders", "role": "data", "rows": 1000, "sha256": "abc123"}])
    )  # fmt: skip
    env = data["environment"]
    assert env["packages"]["pytest-mlops"] == "0.1.0"
    assert "pytest" in env["packages"]


def test_serial_and_xdist_reports_agree(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest("--mlops-report=serial.json")
    pytester.runpytest("-n", "2", "--mlops-report=xdist.json")
    serial, xdist = read_json(pytester.path / "serial.json"), read_json(pytester.path / "xdist.json")
    for key in ("gates", "lineage", "summary", "tests", "status"):
        assert serial[key] == xdist[key], key


def test_report_records_git_commit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite="from pytest_mlops import gate\ndef test_a():\n    gate('k', 1, at_least=0)\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=pytester.path, check=True)
    subprocess.run([*git, "add", "."], cwd=pytester.path, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=pytester.path, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=pytester.path, capture_output=True, text=True
    ).stdout.strip()
    pytester.runpytest("--mlops-report=r.json")
    git_info = read_json(pytester.path / "r.json")["environment"]["git"]
    assert git_info["commit"] == head
    assert git_info["dirty"] is False


def test_markdown_summary_to_path_and_github(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist_args: list[str]
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest(*xdist_args, "--mlops-summary=summary.md")
    text = (pytester.path / "summary.md").read_text("utf-8")
    assert text.startswith("## ❌ pytest-mlops gates: failed\n")
    assert "**3 gates: 1 passed, 1 warned, 1 failed**" in text
    assert "| ❌ | custom | revenue | 1.5 < 2 | `test_suite.py::test_fails` |" in text
    assert "| ✅ | model | auc | 0.91 >= 0.85 | `test_suite.py::test_model` |" in text
    assert "custom gate 'revenue' failed: 1.5 < 2" in text
    assert "- model: `churn` alias=challenger, version=3" in text

    step_summary = pytester.path / "step_summary.md"
    step_summary.write_text("earlier step\n", "utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(step_summary))
    pytester.runpytest(*xdist_args, "--mlops-summary")
    written = step_summary.read_text("utf-8")
    assert written.startswith("earlier step\n## ❌ pytest-mlops gates: failed")


def test_summary_from_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    pytester.makeini("[pytest]\nmlops_summary = reports/summary.md\nmlops_report = reports/report.json\n")
    pytester.runpytest()
    assert (pytester.path / "reports" / "summary.md").exists()
    assert read_json(pytester.path / "reports" / "report.json")["summary"]["gates"] == 3


def test_junit_properties(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest(*xdist_args, "--junitxml=junit.xml")
    tree = ET.parse(pytester.path / "junit.xml")
    props = {
        case.get("name"): [(p.get("name"), p.get("value")) for p in case.iter("property")]
        for case in tree.iter("testcase")
    }
    import json

    gates = [json.loads(value or "") for name, value in props["test_model"] if name == "mlops_gate"]
    assert [g["summary"] for g in gates] == ["0.91 >= 0.85"]
    assert ("mlops_lineage", '{"name": "orders", "role": "data", "rows": 1000, "sha256": "abc123"}') in props[
        "test_data"
    ]


def test_report_is_written_when_no_gate_ran(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    pass\n")
    result = pytester.runpytest("--mlops-report=r.json")
    result.stdout.fnmatch_lines(["no gate ran", "JSON report: *r.json"])
    data = read_json(pytester.path / "r.json")
    _validate(data)
    assert data["status"] == "no-gates"


def test_existing_report_is_replaced_whole(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    target = pytester.path / "r.json"
    target.write_text("x" * 100_000, "utf-8")
    pytester.runpytest("--mlops-report=r.json")
    _validate(read_json(target))
    assert not [p for p in pytester.path.iterdir() if p.name.startswith(".r.json")]


def test_cli_report_show_and_validate(pytester: pytest.Pytester, tmp_path: Path) -> None:
    from pytest_mlops.cli import main

    pytester.makepyfile(test_suite=SUITE)
    pytester.runpytest("--mlops-report=r.json")
    report = pytester.path / "r.json"
    assert main(["report", str(report), "--format", "markdown", "-o", str(tmp_path / "s.md")]) == 1
    assert (tmp_path / "s.md").read_text("utf-8").startswith("## ❌ pytest-mlops gates: failed")
    bad = tmp_path / "bad.json"
    data = read_json(report)
    data["gates"][0]["status"] = "maybe"
    import json

    bad.write_text(json.dumps(data), "utf-8")
    assert main(["report", str(bad)]) == 2
    assert main(["report", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "notjson.json").write_text("{", "utf-8")
    assert main(["report", str(tmp_path / "notjson.json")]) == 2
