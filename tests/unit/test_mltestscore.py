"""The ML Test Score: rubric, rules, scoring, workflow detection."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_mlops.cli import main
from pytest_mlops.report.mltestscore import RUBRIC, SECTIONS, Workflows, score
from pytest_mlops.results import GateResult


def _gate(kind: str, check: str = "", **kw: object) -> GateResult:
    return GateResult(kind=kind, name=f"{kind}-{check}", passed=True, check=check, **kw)  # type: ignore[arg-type]


def test_rubric_has_28_tests_seven_per_section() -> None:
    assert len(RUBRIC) == 28
    assert len({t.id for t in RUBRIC}) == 28
    for section in SECTIONS:
        assert [t.id for t in RUBRIC if t.section == section] == [f"{section}-{i}" for i in range(1, 8)]


def test_empty_project_scores_zero() -> None:
    result = score([], Workflows())
    assert result.total == 0
    assert result.weakest() == list(SECTIONS)


def test_score_is_the_minimum_of_section_sums() -> None:
    gates = [
        _gate("schema", "schema"),
        _gate("feature", "expectations"),
        _gate("feature", "example_skew"),
        _gate("model", "baseline"),
        _gate("model", "slices", bound={"max_gap": 0.1}),
        _gate("model", "champion"),
        _gate("model", "latency"),
    ]
    flows = Workflows(pre_merge=True, training=True, promotion=True, rollback=True, scheduled_training=True)
    result = score(gates, flows, manual=["data-5", "infrastructure-1"])
    # data: 1 + 4 + 7 automated, 5 manual -> 3.5
    assert result.section("data") == 3.5
    # model: 1 (CI), 4 (champion), 5, 6, 7 -> 5
    assert result.section("model") == 5
    # infrastructure: 3, 4, 7 automated, 1 manual -> 3.5
    assert result.section("infrastructure") == 3.5
    # monitoring: 3 (example skew), 4 (scheduled CT), 6 (latency), 7 (champion) -> 4
    assert result.section("monitoring") == 4
    assert result.total == 3.5
    assert result.weakest() == ["data", "infrastructure"]
    lines = result.lines()
    assert lines[0] == "ML Test Score: 3.5 (strong automated testing and monitoring, fit for critical systems)"
    assert (
        "    data-2 All features are beneficial: a gate of your own with ml_test_score=['data-2'] (e.g. ablation)"
        in lines
    )


def test_a_slice_gate_without_gap_bound_does_not_cover_inclusion() -> None:
    assert score([_gate("model", "slices", bound={"at_least": 0.8})], Workflows()).points["model-7"] == 0
    assert score([_gate("model", "slices", bound={"max_gap": 0.1})], Workflows()).points["model-7"] == 1


def test_own_gates_can_claim_tests_and_automated_beats_manual() -> None:
    gates = [_gate("custom", details={"ml_test_score": ["data-2", "monitoring-5"]})]
    result = score(gates, Workflows(), manual=["data-2"])
    assert result.points["data-2"] == 1
    assert result.how["data-2"] == "automated"
    assert result.points["monitoring-5"] == 1


def test_failed_gates_still_count_as_tests() -> None:
    gate = GateResult(kind="schema", name="s", passed=False, check="schema")
    assert score([gate], Workflows()).points["data-1"] == 1


def test_workflow_scan(tmp_path: Path) -> None:
    flows = tmp_path / ".github" / "workflows"
    flows.mkdir(parents=True)
    (flows / "ci.yml").write_text(
        "on:\n  pull_request:\njobs:\n  t:\n    steps:\n      - run: pytest --mlops-stage ci\n"
    )
    (flows / "ct.yml").write_text(
        "on:\n  schedule:\n    - cron: '0 3 * * 1'\njobs:\n  ct:\n    steps:\n      - run: python train.py\n"
    )
    (flows / "cd.yml").write_text(
        "jobs:\n  cd:\n    steps:\n      - run: pytest-mlops promote --model m --report r.json\n"
    )
    (tmp_path / ".github" / "dependabot.yml").write_text("version: 2\n")
    found = Workflows.scan(tmp_path)
    seen = {name for name in ("pre_merge", "training", "scheduled_training", "promotion", "rollback", "canary",
                              "monitoring", "dependency_updates") if getattr(found, name)}  # fmt: skip
    assert seen == {"pre_merge", "training", "scheduled_training", "promotion", "dependency_updates"}
    assert found.files == ("cd.yml", "ci.yml", "ct.yml")


def test_score_in_a_session_and_from_a_saved_report(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    pytester.makepyfile(
        """
        from pytest_mlops import gate

        def test_own():
            gate("ablation gain", 0.02, at_least=0.0, details={"ml_test_score": ["data-2"]})
        """
    )
    result = pytester.runpytest("--mlops-score", "--mlops-manual-tests=data-5", "--mlops-report=r.json")
    result.stdout.fnmatch_lines(["ML Test Score: 0 (no tests: *)", "  sections (of 7): data 1.5, model 0, *"])
    capsys.readouterr()  # drop the in-process run's output
    assert main(["score", str(pytester.path / "r.json"), "--root", str(pytester.path), "--at-least", "1"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("ML Test Score: 0 ")
    assert main(["score", str(pytester.path / "r.json"), "--manual", "data-42"]) == 2


def test_docs_list_every_test_with_what_covers_it() -> None:
    text = (Path(__file__).parents[2] / "docs" / "ml-test-score.md").read_text("utf-8")
    for test in RUBRIC:
        assert f"| `{test.id}` | {test.title} | {test.covered_by} |" in text
