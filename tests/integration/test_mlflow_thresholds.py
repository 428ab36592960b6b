"""``check_mlflow_thresholds`` agrees with ``mlflow.validate_evaluation_results`` on the same numbers."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_mlops import _recorder
from pytest_mlops.errors import GateFailure, MlopsInputError
from pytest_mlops.gates.model import check_mlflow_thresholds

mlflow = pytest.importorskip("mlflow")
from mlflow.models import MetricThreshold  # noqa: E402
from mlflow.models.evaluation import EvaluationResult  # noqa: E402
from mlflow.models.evaluation.validation import ModelValidationFailedException  # noqa: E402

# These tests call the gate directly and read the results it records (a failed gate raises at once).
pytestmark = pytest.mark.mlops_stop_at_first


@pytest.fixture
def sink() -> Iterator[_recorder.Sink]:
    own = _recorder.Sink(nodeid="private")
    _recorder.push(own)
    yield own
    _recorder.pop(own)


def _mlflow_passes(thresholds: dict[str, Any], candidate: dict[str, float], baseline: dict[str, float] | None) -> bool:
    cand = EvaluationResult(metrics=candidate, artifacts={})
    base = None if baseline is None else EvaluationResult(metrics=baseline, artifacts={})
    try:
        mlflow.validate_evaluation_results(thresholds, cand, base)
    except ModelValidationFailedException:
        return False
    return True


def _ours_passes(sink: _recorder.Sink, thresholds: dict[str, Any], candidate: Any, baseline: Any) -> bool:
    before = len(sink.results)
    with contextlib.suppress(GateFailure):
        check_mlflow_thresholds(thresholds, candidate, baseline)
    return all(r.passed for r in sink.results[before:])


RULES = [
    {"threshold": 0.8},
    {"min_absolute_change": 0.05},
    {"min_relative_change": 0.05},
    {"threshold": 0.8, "min_absolute_change": 0.01, "min_relative_change": 0.02},
]
# values on, just off and far from each boundary (0.8; baseline + 0.05; baseline * 1.05; negative baselines)
CANDIDATES = [0.7, 0.79, 0.8, 0.8000001, 0.85, 0.8505, 0.9, -0.2, 0.0, 1e-11]
BASELINES = [0.8, 0.75, 0.81, -0.3, 0.0, None]


@pytest.mark.parametrize("greater_is_better", [True, False])
@pytest.mark.parametrize("rule", RULES, ids=lambda r: "+".join(r))
def test_pass_and_fail_agree_with_mlflow(sink: _recorder.Sink, rule: dict[str, float], greater_is_better: bool) -> None:
    threshold = MetricThreshold(greater_is_better=greater_is_better, **rule)
    disagreements = []
    for value, base in itertools.product(CANDIDATES, BASELINES):
        thresholds = {"score": threshold}
        candidate = {"score": value}
        baseline = None if base is None else {"score": base}
        theirs = _mlflow_passes(thresholds, candidate, baseline)
        ours = _ours_passes(sink, thresholds, EvaluationResult(metrics=candidate, artifacts={}), baseline)
        if theirs != ours:
            disagreements.append((value, base, theirs, ours))
    assert not disagreements
    assert any(r.passed for r in sink.results)
    assert any(not r.passed for r in sink.results)  # both outcomes were exercised


def test_several_metrics_one_result_each_with_the_champion_contract(sink: _recorder.Sink) -> None:
    from pytest_mlops import details

    thresholds = {
        "accuracy_score": MetricThreshold(threshold=0.8, min_absolute_change=0.01, greater_is_better=True),
        "log_loss": MetricThreshold(threshold=0.5, greater_is_better=False),
    }
    candidate = EvaluationResult(metrics={"accuracy_score": 0.86, "log_loss": 0.62, "other": 1.0}, artifacts={})
    baseline = EvaluationResult(metrics={"accuracy_score": 0.84, "log_loss": 0.4}, artifacts={})
    with pytest.raises(GateFailure):
        check_mlflow_thresholds(thresholds, candidate, baseline)
    acc, loss = sink.results
    assert acc.passed
    assert not loss.passed
    assert loss.summary == "log_loss 0.62 > threshold 0.5 (candidate 0.62, baseline 0.4)"
    assert acc.bound == {"at_least": 0.8, "min_gain": 0.01}
    assert not _mlflow_passes(thresholds, dict(candidate.metrics), dict(baseline.metrics))
    parsed = details.parse(acc)
    assert isinstance(parsed, details.ChampionDetails)
    assert (parsed.challenger, parsed.champion, parsed.direction) == (0.86, 0.84, "higher")


def test_plain_mappings_such_as_run_metrics_work(sink: _recorder.Sink) -> None:
    thresholds = {"rmse": MetricThreshold(min_relative_change=0.1, greater_is_better=False)}
    (result,) = check_mlflow_thresholds(thresholds, {"rmse": 8.9}, {"rmse": 10.0})
    assert result.passed
    assert "relative gain 11% >= min_relative_change 10%" in result.summary


@pytest.mark.parametrize(
    ("thresholds", "candidate", "message"),
    [
        ({}, {"a": 1.0}, r"thresholds must map metric names to mlflow\.models\.MetricThreshold"),
        ({"a": 0.8}, {"a": 1.0}, r"thresholds\['a'\] is float, not a MetricThreshold"),
        (
            {"auc": MetricThreshold(threshold=0.8, greater_is_better=True)},
            {"roc_auc": 0.9},
            r"the candidate has no metric 'auc' \(it has: roc_auc\)",
        ),
        ({"a": MetricThreshold(threshold=0.8, greater_is_better=True)}, 0.9, r"candidate=float has no metrics"),
    ],
)
def test_bad_input_is_one_line(sink: _recorder.Sink, thresholds: Any, candidate: Any, message: str) -> None:
    with pytest.raises(MlopsInputError, match=message):
        check_mlflow_thresholds(thresholds, candidate)
