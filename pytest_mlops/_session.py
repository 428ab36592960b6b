"""Session-level collection of gate results, on the controller (or in a plain run).

Results arrive through test reports' ``user_properties``, which pytest-xdist
forwards from workers, so serial and distributed runs produce the same report.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_mlops import markers
from pytest_mlops._options import Settings
from pytest_mlops.report import SessionReport, TestOutcome, iter_gate_properties
from pytest_mlops.results import GateResult


class GateCollector:
    """Gathers results from test reports; writes and prints the session report."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.report = SessionReport(stage=settings.stage)
        self.written: list[tuple[str, Path]] = []
        self.score_lines: list[str] = []
        self._kinds: dict[str, tuple[str, ...]] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        self._kinds.update({item.nodeid: tuple(sorted(markers.item_kinds(item))) for item in items})

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        outcome = None
        if report.when == "call":
            outcome = "passed" if report.passed else ("skipped" if report.skipped else "failed")
        elif report.failed:
            outcome = "error"
        elif report.when == "setup" and report.skipped:
            outcome = "skipped"
        if outcome is not None:
            self.report.tests[outcome] += 1
            if outcome != "passed":
                kinds = self._kinds.get(report.nodeid, ())
                self.report.not_passed.append(TestOutcome(report.nodeid, outcome, kinds))
        if report.when != "teardown":
            return  # user_properties are complete only in the teardown report
        for name, data in iter_gate_properties(report.user_properties):
            if name == "mlops_gate":
                self.report.add_gate(GateResult.from_dict(data))
            else:
                self.report.add_lineage(data)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        from pytest_mlops import __version__
        from pytest_mlops.lineage import environment, utc_now

        report = self.report
        report.sort()
        report.exitstatus = int(exitstatus)
        report.created_at = utc_now()
        report.tool_version = __version__
        s = self.settings
        if s.score:
            from pytest_mlops.mltestscore import score_report_data

            score, _ = score_report_data(report.gates, s.rootdir, s.manual_tests)
            report.ml_test_score = score.to_dict()
            self.score_lines = score.lines()
        if not (s.report or s.summary or s.html) and not report.gates and not s.score:
            return
        report.environment = environment(s.rootdir)
        if s.report:
            self.written.append(("JSON report", report.write_json(s.report)))
        if s.summary:
            github = s.summary == Path(os.environ.get("GITHUB_STEP_SUMMARY") or "\0")
            self.written.append(("Markdown summary", report.write_markdown(s.summary, append=github)))
        if s.html:
            self.written.append(("HTML report", report.write_html(s.html)))
        self.config.hook.pytest_mlops_session_report(config=self.config, report=report)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        report = self.report
        verbosity = self.config.get_verbosity()
        if not report.gates and not self.written and not self.score_lines:
            return
        if verbosity < 0:
            terminalreporter.write_line(f"mlops: {report.count_line()}" if report.gates else "mlops: no gate ran")
            if self.score_lines:
                terminalreporter.write_line(f"mlops: {self.score_lines[0]}")
            return
        terminalreporter.section("mlops gates")
        if report.gates:
            for line in report.terminal_lines(verbosity):
                markup = {"FAILED": {"red": True}, "WARNED": {"yellow": True}, "PASSED": {"green": True}}
                terminalreporter.write_line(line, **markup.get(line.split(" ", 1)[0], {}))
        else:
            terminalreporter.write_line("no gate ran")
        for line in self.score_lines:
            terminalreporter.write_line(line)
        for what, path in self.written:
            terminalreporter.write_line(f"{what}: {path}")
