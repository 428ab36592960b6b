"""The terminal section of a report: failed gates first, then warned, then passed."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport

__all__ = ["STATUSES", "count_line", "terminal_lines"]

STATUSES = ("failed", "warned", "passed")


def count_line(report: SessionReport) -> str:
    """``12 gates: 9 passed, 1 warned, 2 failed``."""
    c = report.counts()
    noun = "gate" if c["gates"] == 1 else "gates"
    parts = [f"{c[s]} {s}" for s in ("passed", "warned", "failed") if c[s]]
    return f"{c['gates']} {noun}: {', '.join(parts)}"


def terminal_lines(report: SessionReport, verbosity: int = 0, limit: int = 30) -> list[str]:
    """One line per gate (capped at ``limit`` below ``-v``), then the count line."""
    ranked = sorted(report.gates, key=lambda r: STATUSES.index(r.status))
    shown = ranked if verbosity > 0 else ranked[:limit]
    width = max((len(r.kind) for r in shown), default=0)
    lines = [f"{r.status.upper():<7} {r.kind:<{width}} {r.name!r}: {r.summary}" for r in shown]
    if len(ranked) > len(shown):
        lines.append(f"... and {len(ranked) - len(shown)} more (-v shows all, --mlops-report keeps all)")
    lines.append(count_line(report))
    return lines
