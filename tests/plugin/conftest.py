"""Helpers for pytester-based plugin tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: Every acceptance test runs serially and under pytest-xdist (results must travel from workers).
XDIST_MODES = [pytest.param([], id="serial"), pytest.param(["-n", "2"], id="xdist")]


@pytest.fixture(params=XDIST_MODES)
def xdist_args(request: pytest.FixtureRequest) -> list[str]:
    return list(request.param)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))
