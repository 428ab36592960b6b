"""The canary verdict rule: wait / promote / rollback, its bounds cross-checked against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.abtest import canary_verdict


def _binary(successes: int, n: int) -> np.ndarray:
    return np.r_[np.ones(successes), np.zeros(n - successes)]


def test_wait_below_minimum_sample() -> None:
    verdict = canary_verdict(_binary(10, 150), _binary(100, 1500), max_drop=0.01, min_samples=200)
    assert verdict.decision == "wait"
    assert "150 canary" in verdict.reason
    assert verdict.lower is None


def test_promote_when_lower_bound_clears_the_tolerated_drop() -> None:
    canary, champion = _binary(1_010, 10_000), _binary(1_000, 10_000)
    verdict = canary_verdict(canary, champion, max_drop=0.01, min_samples=1_000, confidence=0.95)
    assert verdict.decision == "promote"
    assert verdict.metric == "proportion"
    pc, ph = 0.101, 0.1
    se = np.sqrt(pc * (1 - pc) / 10_000 + ph * (1 - ph) / 10_000)
    assert verdict.lower == pytest.approx(pc - ph - stats.norm.ppf(0.95) * se, rel=1e-10)
    assert verdict.lower > -0.01
    # one-sided p-value of H0 "canary worse by >= max_drop"
    assert verdict.p_value == pytest.approx(stats.norm.sf((pc - ph + 0.01) / se), rel=1e-10)
    assert verdict.p_value < 0.05


def test_rollback_when_upper_bound_is_below_the_tolerated_drop() -> None:
    verdict = canary_verdict(_binary(700, 10_000), _binary(1_000, 10_000), max_drop=0.01, min_samples=1_000)
    assert verdict.decision == "rollback"
    assert verdict.upper is not None
    assert verdict.upper < -0.01
    assert "worse than tolerated" in verdict.reason


def test_inconclusive_waits_then_rolls_back_at_max_samples() -> None:
    canary, champion = _binary(95, 1_000), _binary(100, 1_000)  # -0.5 points, interval about +-2.2 points
    verdict = canary_verdict(canary, champion, max_drop=0.01, min_samples=500)
    assert verdict.decision == "wait"
    assert verdict.lower is not None
    assert verdict.upper is not None
    assert verdict.lower < -0.01 < verdict.upper
    capped = canary_verdict(canary, champion, max_drop=0.01, min_samples=500, max_samples=1_000)
    assert capped.decision == "rollback"
    assert "inconclusive" in capped.reason


def test_continuous_outcomes_use_welch_bounds() -> None:
    rng = np.random.default_rng(7)
    champion = rng.normal(100.0, 15.0, 800)  # latency in ms: lower is better
    canary = rng.normal(98.0, 12.0, 600)
    verdict = canary_verdict(canary, champion, max_drop=1.0, min_samples=300, higher_is_better=False, confidence=0.9)
    assert verdict.metric == "mean"
    ref = stats.ttest_ind(champion, canary, equal_var=False, alternative="greater")  # advantage = champion - canary
    ci = ref.confidence_interval(0.9)
    assert verdict.effect == pytest.approx(champion.mean() - canary.mean())
    assert verdict.lower == pytest.approx(ci.low, rel=1e-9)
    assert verdict.decision == ("promote" if ci.low > -1.0 else "wait")


def test_direction_flips_the_decision() -> None:
    errors_canary, errors_champion = _binary(700, 10_000), _binary(1_000, 10_000)  # canary makes fewer errors
    assert canary_verdict(errors_canary, errors_champion, max_drop=0.0, higher_is_better=False).decision == "promote"
    assert canary_verdict(errors_canary, errors_champion, max_drop=0.0, higher_is_better=True).decision == "rollback"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_drop": -0.1}, "max_drop"),
        ({"confidence": 1.5}, "confidence"),
        ({"min_samples": 1}, "min_samples"),
        ({"min_samples": 100, "max_samples": 50}, "max_samples"),
    ],
)
def test_bad_settings(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(MlopsInputError, match=match):
        canary_verdict([1.0, 0.0], [1.0, 0.0], **kwargs)  # type: ignore[arg-type]
