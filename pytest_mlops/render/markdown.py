"""The Markdown summary of a report (``--mlops-summary``, ``$GITHUB_STEP_SUMMARY``).

Every gate gets a row, failed first; the messages of failed and warned gates follow in a
folded block. GitHub caps a step summary at 1 MiB, so the text is cut at :data:`MARKDOWN_CAP`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_mlops.render.terminal import STATUSES, count_line

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport

__all__ = ["MARKDOWN_CAP", "to_markdown"]

#: GitHub caps a step summary at 1 MiB; stay well below.
MARKDOWN_CAP = 900_000
_ICON = {"passed": "✅", "failed": "❌", "warned": "⚠️"}


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: SessionReport) -> str:
    """The summary page: status, counts, one row per gate (failed first), messages, lineage."""
    c = report.counts()
    icon = {"passed": "✅", "failed": "❌", "no-gates": "➖"}[report.status]
    head = [f"## {icon} pytest-mlops gates: {report.status}", ""]
    facts = [f"**{count_line(report)}**"]
    if report.stage:
        facts.append(f"stage `{report.stage}`")
    git = report.environment.get("git")
    if isinstance(git, dict) and git.get("commit"):
        facts.append(f"commit `{str(git['commit'])[:12]}`")
    head += [" · ".join(facts), ""]
    rows = ["| | Kind | Gate | Result | Test |", "|---|---|---|---|---|"]
    for r in sorted(report.gates, key=lambda r: STATUSES.index(r.status)):
        rows.append(f"| {_ICON[r.status]} | {r.kind} | {_md(r.name)} | {_md(r.summary)} | `{_md(r.nodeid)}` |")
    body = head + (rows if c["gates"] else ["No gate ran."])
    problems = sorted((r for r in report.gates if r.status != "passed"), key=lambda r: STATUSES.index(r.status))
    if problems:
        body += ["", "<details><summary>Failure and warning details</summary>", "", "```text"]
        body += [r.message for r in problems]
        body += ["```", "", "</details>"]
    if report.lineage:
        body += ["", "**Lineage**", ""]
        for entry in report.lineage:
            extra = ", ".join(f"{k}={v}" for k, v in entry.items() if k not in ("role", "name"))
            body.append(f"- {entry.get('role')}: `{_md(str(entry.get('name')))}` {extra}".rstrip())
    text = "\n".join(body) + "\n"
    if len(text.encode("utf-8")) > MARKDOWN_CAP:
        keep = text.encode("utf-8")[:MARKDOWN_CAP].decode("utf-8", errors="ignore")
        text = keep.rsplit("\n", 1)[0] + "\n\n_Summary cut to fit GitHub's step summary limit; see the JSON report._\n"
    return text
