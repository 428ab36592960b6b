"""From the per-check outcomes of one gate to the words of its :class:`~pytest_mlops.results.GateResult`.

A gate that judges several bounds at once (``max_drop`` and ``min_relative_gain``, ``p50`` and
``p95``...) collects ``(passed, text)`` pairs, one per bound, and lets :func:`summarize` decide
the result and its summary: what failed, or, when everything held, every check.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Check", "summarize", "tally"]

#: one bound judged: (held, "<observed> <op> <bound>" in words)
Check = tuple[bool, str]


def summarize(checks: Sequence[Check], *, every: bool = False) -> tuple[bool, str]:
    """``(passed, summary)`` of ``checks``: all must hold.

    The summary joins with ``"; "`` the texts of the failed checks, or of all checks when none
    failed; with ``every=True`` it shows every check, failed ones first.

    Example::

        summarize([(False, "p95 9.1 ms > 5 ms per row"), (True, "p50 2 ms <= 3 ms per row")])
        # (False, "p95 9.1 ms > 5 ms per row")
    """
    if not checks:
        raise ValueError("summarize needs at least one check")
    passed = all(ok for ok, _ in checks)
    failed = [text for ok, text in checks if not ok]
    held = [text for ok, text in checks if ok]
    shown = failed + held if every else failed or held
    return passed, "; ".join(shown)


def tally(count: int, total: int, noun: str, verb: str) -> str:
    """``"3 of 25 slices failed"``: ``count`` of ``total`` things (the noun in the plural unless ``total`` is 1)."""
    return f"{count} of {total} {noun if total == 1 else noun + 's'} {verb}"
