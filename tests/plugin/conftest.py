"""Helpers for pytester-based plugin tests."""

from __future__ import annotations

import json
import re
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


def given_name(gate: dict[str, Any]) -> str:
    """A report gate's name without what the session added to tell same-named gates apart
    (``'data drift [test_drift_fails]'``, ``'auc #2'``)."""
    name = str(gate["name"])
    test = str(gate.get("nodeid", ""))
    for suffix in (f" [{test.split('::', 1)[-1]}]", f" [{test}]"):
        if suffix in name:
            name = name.replace(suffix, "")
    return re.sub(r" #\d+$", "", name)
