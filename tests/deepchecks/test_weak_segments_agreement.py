"""Our weak-segment gate and deepchecks' WeakSegmentsPerformance find the same worst segment.

Same data, same model: labels follow the numeric features except on one plan (a tenth of the
rows), where 40% of them are flipped. deepchecks (its defaults: accuracy, segments of at least
5% of the rows) and our gate (accuracy, corrected intervals) must both name that plan as the
worst segment, with the same size and the same accuracy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops.gates.deepchecks import skip_if_unavailable

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.gates.deepchecks import DeepchecksGates

FEATURES = ["plan", "tenure", "spend", "tickets"]


def _frame(n: int, seed: int) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "plan": rng.choice([0, 1, 2, 3], n, p=[0.4, 0.3, 0.2, 0.1]),
            "tenure": rng.gamma(2.0, 12.0, n),
            "spend": rng.normal(50.0, 10.0, n),
            "tickets": rng.poisson(1.5, n).astype(float),
        }
    )
    y = (X["spend"] + 0.2 * X["tenure"] > 55).astype(int).to_numpy()
    flipped = (X["plan"] == 3).to_numpy() & (rng.uniform(size=n) < 0.4)
    return X.assign(label=np.where(flipped, 1 - y, y))


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, Any]:
    skip_if_unavailable()
    from sklearn.ensemble import RandomForestClassifier

    train, test = _frame(3000, 1), _frame(4000, 2)
    model = RandomForestClassifier(n_estimators=50, max_depth=6, random_state=0).fit(train[FEATURES], train["label"])
    return test, model


@pytest.mark.mlops_stop_at_first
def test_worst_segment_agrees_with_weak_segments_performance(
    mlops_deepchecks: DeepchecksGates, data: tuple[pd.DataFrame, Any]
) -> None:
    from deepchecks.tabular.checks import WeakSegmentsPerformance

    from pytest_mlops import _recorder
    from pytest_mlops.errors import GateFailure
    from pytest_mlops.gates.segments import check_weak_segments

    test, model = data
    result = mlops_deepchecks.evaluate(WeakSegmentsPerformance(), test, model=model, label="label",
                                       cat_features=["plan"])  # fmt: skip
    [check] = result.results
    theirs = check.value["weak_segments_list"].iloc[0]
    sink = _recorder.Sink(nodeid="private")
    _recorder.push(sink)
    try:
        with pytest.raises(GateFailure, match=r"worst plan = 3 \(n=\d+\)"):
            check_weak_segments("accuracy", test["label"], model=model, X=test[FEATURES], max_gap=0.05)
    finally:
        _recorder.pop(sink)
    ours = sink.results[-1].details["segments"][0]
    assert {theirs["Feature1"], theirs["Feature2"]} - {None, ""} == set(ours["features"]) == {"plan"}
    assert list(theirs["Feature1 Range"]) == [3]
    assert theirs["% of Data"] == pytest.approx(100 * ours["n"] / len(test), abs=0.01)
    assert theirs["Accuracy Score"] == pytest.approx(ours["value"])
