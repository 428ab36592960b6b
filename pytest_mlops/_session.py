"""Session-level collection of gate results, on the controller (or in a plain run).

Results arrive through test reports' ``user_properties``, which pytest-xdist
forwards from workers, so serial and distributed runs produce the same report.
A run in which no gate ran and no report was asked for never builds a
:class:`~pytest_mlops.report.SessionReport` (nor imports its module).
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pytest_mlops._options import Settings
from pytest_mlops.results import GateResult

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport


class GateCollector:
    """Gathers results from test reports; writes and prints the session report."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.written: list[tuple[str, Path]] = []
        self.score_lines: list[str] = []
        self.renamed: list[tuple[str, str, str]] = []
        self.unused_baselines: list[str] = []
        #: nodeid -> gate kinds of the tests that have any (the plugin sets it when collection ends)
        self.item_kinds: dict[str, tuple[str, ...]] = {}
        self._report: SessionReport | None = None
        self._tests: dict[str, int] = {}
        self._not_passed: list[tuple[str, str, tuple[str, ...]]] = []
        self._ran: set[str] = set()

    @property
    def report(self) -> SessionReport:
        """The session report, made when the first gate result arrives (or at the end)."""
        if self._report is None:
            from pytest_mlops.report import SessionReport

            self._report = SessionReport(stage=self.settings.stage)
        return self._report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        when = report.when
        if when == "call" or report.outcome != "passed":
            self._count(report, when)
        if when == "teardown" and report.user_properties:  # complete only in the teardown report
            self._add_properties(report.user_properties)

    def _count(self, report: pytest.TestReport, when: str) -> None:
        outcome: str | None = None
        if when == "call":
            outcome = report.outcome
        elif report.failed:
            outcome = "error"
        elif when == "setup" and report.skipped:
            outcome = "skipped"
        if when == "call" or (when == "setup" and not report.passed):
            self._ran.add(report.nodeid)
        if outcome is not None:
            self._tests[outcome] = self._tests.get(outcome, 0) + 1
            if outcome != "passed":
                self._not_passed.append((report.nodeid, outcome, self.item_kinds.get(report.nodeid, ())))

    def _add_properties(self, properties: list[tuple[str, object]]) -> None:
        from pytest_mlops.report import iter_gate_properties

        for name, data in iter_gate_properties(properties):
            if name == "mlops_gate":
                self.report.add_gate(GateResult.from_dict(data))
            else:
                self.report.add_lineage(data)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        s = self.settings
        self.unused_baselines = self._unused_baselines()
        if self._report is None and not (s.report or s.summary or s.html or s.score):
            return  # no gate ran and no file was asked for
        from pytest_mlops import __version__
        from pytest_mlops.lineage import environment, utc_now
        from pytest_mlops.report import TestOutcome

        report = self.report
        report.tests = Counter(self._tests)
        report.not_passed = [TestOutcome(*entry) for entry in self._not_passed]
        report.sort()
        report.gates, self.renamed = disambiguate(report.gates)
        report.exitstatus = int(exitstatus)
        report.created_at = utc_now()
        report.tool_version = __version__
        if s.score:
            from pytest_mlops.report.mltestscore import score_report_data

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

    def _unused_baselines(self) -> list[str]:
        if not (self.settings.rootdir / "baselines").is_dir():
            return []
        from pytest_mlops.gates.stored import CHECK, unused_baselines

        gates = self._report.gates if self._report is not None else []
        used = [str(g.details.get("baseline_file")) for g in gates if g.check == CHECK]
        opt = self.config.option
        complete = not (
            getattr(opt, "keyword", "")
            or getattr(opt, "markexpr", "")
            or getattr(opt, "deselect", None)
            or getattr(opt, "lf", False)
            or self.settings.stage
            or any("::" in str(arg) for arg in self.config.args)
        )
        return unused_baselines(self.settings.rootdir, used, self._ran, complete=complete)

    def failed_outside_gates(self) -> list[str]:
        """Tests that failed or errored with no failed gate of their own (a broken input, a plain
        ``assert``, a fixture error): the gate counts alone would read as all green."""
        with_failed_gate = {g.nodeid for g in self.report.gates if g.status == "failed"}
        return [
            t.nodeid
            for t in self.report.not_passed
            if t.outcome in ("failed", "error") and t.nodeid not in with_failed_gate
        ]

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        no_gates = self._report is None or not self._report.gates
        if no_gates and not self.written and not self.score_lines and not self.unused_baselines:
            return
        report = self.report
        verbosity = self.config.get_verbosity()
        outside = self.failed_outside_gates() if report.gates else []
        count = report.count_line() if report.gates else "no gate ran"
        if outside:
            count += f"; {_tests(len(outside))} failed outside the gates"
        if verbosity < 0:
            terminalreporter.write_line(f"mlops: {count}")
            if self.renamed:
                terminalreporter.write_line(f"mlops: warning: {_renamed_line(self.renamed)}", yellow=True)
            if self.unused_baselines:
                terminalreporter.write_line(f"mlops: warning: {_unused_line(self.unused_baselines)}", yellow=True)
            if self.score_lines:
                terminalreporter.write_line(f"mlops: {self.score_lines[0]}")
            return
        terminalreporter.section("mlops gates")
        if report.gates:
            lines = report.terminal_lines(verbosity)
            for line in lines[:-1]:
                markup = {"FAILED": {"red": True}, "WARNED": {"yellow": True}, "PASSED": {"green": True}}
                terminalreporter.write_line(line, **markup.get(line.split(" ", 1)[0], {}))
            terminalreporter.write_line(count, red=bool(outside))
            shown = outside if verbosity > 0 else outside[:5]
            for nodeid in shown:
                terminalreporter.write_line(f"  failed outside the gates: {nodeid}", red=True)
            if len(outside) > len(shown):
                terminalreporter.write_line(f"  ... and {len(outside) - len(shown)} more (-v shows all)")
        else:
            terminalreporter.write_line("no gate ran")
        if self.renamed:
            terminalreporter.write_line(f"warning: {_renamed_line(self.renamed)}", yellow=True)
            for kind, old, new in self.renamed if verbosity > 0 else self.renamed[:10]:
                terminalreporter.write_line(f"  {kind} {old!r} -> {new!r}")
        if self.unused_baselines:
            terminalreporter.write_line(f"warning: {_unused_line(self.unused_baselines)}", yellow=True)
            for unused in self.unused_baselines:
                terminalreporter.write_line(f"  unused baseline: {unused}")
        for line in self.score_lines:
            terminalreporter.write_line(line)
        for what, path in self.written:
            terminalreporter.write_line(f"{what}: {path}")


def _tests(n: int) -> str:
    return f"{n} test" + ("" if n == 1 else "s")


def _unused_line(paths: list[str]) -> str:
    one = len(paths) == 1
    return (
        f"{len(paths)} baseline {'file is' if one else 'files are'} no longer used by the "
        f"{'test that wrote it' if one else 'tests that wrote them'} (a renamed metric or test?); "
        f"delete or move {'it' if one else 'them'}"
    )


def _renamed_line(renamed: list[tuple[str, str, str]]) -> str:
    return (
        f"{len(renamed)} gates shared a kind and a name with another gate, so each now carries its test's id; "
        "give them distinct names (name=...) to choose your own"
    )


def disambiguate(gates: list[GateResult]) -> tuple[list[GateResult], list[tuple[str, str, str]]]:
    """Tell apart gates of one kind that share a name, so no report merges or confuses them.

    Gates from different tests get their test id appended (``'penguins [test_data.py::test_serving]'``,
    shortened to the part after the file when that is unique); several from one test are
    numbered (``'auc #2'``). Returns the gates (in order) and ``(kind, old name, new name)`` for
    each renamed one.
    """
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, gate in enumerate(gates):
        groups[(gate.kind, gate.name)].append(index)
    names = [g.name for g in gates]
    for (_, name), members in groups.items():
        if len(members) < 2:
            continue
        nodeids = list(dict.fromkeys(gates[i].nodeid for i in members))
        if len(nodeids) > 1:
            short = {n: n.split("::", 1)[-1] for n in nodeids}
            if len(set(short.values())) < len(nodeids) or name in short.values():
                short = {n: n for n in nodeids}
            for i in members:
                names[i] = f"{name} [{short[gates[i].nodeid] or 'outside a test'}]"
        seen: dict[str, int] = defaultdict(int)
        for i in members:
            seen[names[i]] += 1
            if seen[names[i]] > 1:
                names[i] = f"{names[i]} #{seen[names[i]]}"
    renamed = [(g.kind, g.name, new) for g, new in zip(gates, names, strict=True) if new != g.name]
    out = [g if new == g.name else replace(g, name=new) for g, new in zip(gates, names, strict=True)]
    return out, renamed
