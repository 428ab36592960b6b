"""Every file pytest-mlops writes follows the user's umask, as ``open()`` would (#14.9)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_mlops._io import write_atomic


@pytest.fixture
def umask_027() -> Iterator[int]:
    old = os.umask(0o027)
    try:
        yield 0o640
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_follows_the_umask(tmp_path: Path, umask_027: int) -> None:
    target = tmp_path / "report.json"
    write_atomic(target, "{}")
    assert _mode(target) == umask_027
    write_atomic(target, "more", append=True)
    assert _mode(target) == umask_027
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_reports_and_baselines_follow_the_umask(
    pytester: pytest.Pytester, xdist_args: list[str], umask_027: int
) -> None:
    pytester.makepyfile(
        test_files="""
        def test_baseline(mlops_baseline):
            mlops_baseline.check("auc", 0.9)
        """
    )
    result = pytester.runpytest(
        *xdist_args,
        "--mlops-report=out/report.json",
        "--mlops-html=out/report.html",
        "--mlops-summary=out/summary.md",
        "--mlops-update-baselines",
    )
    result.assert_outcomes(failed=1)  # a created baseline fails once
    written = [pytester.path / "out" / n for n in ("report.json", "report.html", "summary.md")]
    written += list((pytester.path / "baselines").rglob("*.json"))
    assert len(written) == 4
    assert {str(p.relative_to(pytester.path)): _mode(p) for p in written} == {
        str(p.relative_to(pytester.path)): umask_027 for p in written
    }
