"""The declarative weak-segment gate: a ``weak_segments`` entry of a gates file, run for real."""

from __future__ import annotations

# Import the heavy libraries before pytester's in-process runs (numpy cannot be imported twice).
import numpy as np
import pandas as pd
import pytest
import sklearn.metrics  # noqa: F401

import pytest_mlops.stats.metrics
import pytest_mlops.stats.segments  # noqa: F401
from tests.plugin.conftest import read_json

GATES = """\
gates:
  - name: no weak plan
    kind: weak_segments
    metric: accuracy
    data: data/holdout.csv
    label: churned
    prediction: predicted
    segment_by: [plan, tenure]
    max_gap: {max_gap}
    min_size: 100
"""


def make_project(pytester: pytest.Pytester, max_gap: float) -> None:
    rng = np.random.default_rng(4)
    n = 4000
    plan = rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1])
    churned = rng.integers(0, 2, n)
    correct = rng.uniform(size=n) < np.where(plan == "team", 0.6, 0.95)
    frame = pd.DataFrame(
        {"plan": plan, "tenure": rng.gamma(2.0, 12.0, n), "churned": churned,
         "predicted": np.where(correct, churned, 1 - churned)}
    )  # fmt: skip
    (pytester.path / "data").mkdir()
    frame.to_csv(pytester.path / "data" / "holdout.csv", index=False)
    (pytester.path / "mlops-gates.yaml").write_text(GATES.format(max_gap=max_gap))


def test_a_weak_segment_fails_the_entry(pytester: pytest.Pytester) -> None:
    make_project(pytester, max_gap=0.05)
    result = pytester.runpytest("--mlops-report=report.json", "-m", "mlops_model")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*mlops-gates.yaml:2: model gate 'no weak plan' failed: * weak segment*; worst plan = team (n=*"]
    )
    [gate] = read_json(pytester.path / "report.json")["gates"]
    assert gate["check"] == "weak_segments"
    assert gate["details"]["features"] == ["plan", "tenure"]
    assert gate["details"]["segments"][0]["segment"] == "plan = team"


def test_a_loose_bound_passes(pytester: pytest.Pytester) -> None:
    make_project(pytester, max_gap=0.6)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
