"""Helpers for pytester-based plugin tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest


def _register_pandera_pandas_backend() -> None:
    """Let pandera register its pandas backend now, outside pytester's in-process runs.

    pandera does it on the first validation and adds a ``DataFrame.pandera`` accessor; a run
    that does it first drops those modules afterwards, and the next run re-registering the
    accessor warns (an error here). The schema gate's fast path often skips pandera entirely,
    so which run validates first would depend on test order.
    """
    try:
        import pandas as pd
        import pandera.pandas as pa
    except ImportError:
        return
    pa.DataFrameSchema({"x": pa.Column(int)}).validate(pd.DataFrame({"x": [1]}))


_register_pandera_pandas_backend()

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
