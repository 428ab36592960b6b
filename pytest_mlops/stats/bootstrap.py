"""Seeded bootstrap intervals for one metric and for a paired challenger − champion difference.

Percentile intervals from resampled rows: the paired version draws the *same* rows for both
models in every resample, so the interval reflects the difference on shared evaluation data
(much narrower than two independent intervals). The same seed gives the same interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.metrics import Evaluator

__all__ = ["Interval", "bootstrap_interval", "paired_difference_interval"]


@dataclass(frozen=True)
class Interval:
    """A two-sided percentile interval.

    Attributes:
        estimate: the value on all rows (for a difference: challenger − champion).
        low, high: the interval bounds.
        level: the confidence level, e.g. 0.95.
        n_resamples: resamples drawn; ``n_invalid`` of them gave no value (a class missing).
        seed: the random seed used.
    """

    estimate: float
    low: float
    high: float
    level: float
    n_resamples: int
    seed: int | None
    n_invalid: int = 0

    def as_details(self) -> dict[str, float]:
        """The ``details["interval"]`` shape of the report: ``{"low", "high", "level"}``."""
        return {"low": self.low, "high": self.high, "level": self.level}


def _check(level: float, n_resamples: int) -> None:
    __tracebackhide__ = True
    if not (isinstance(level, (int, float)) and 0.0 < float(level) < 1.0):
        raise MlopsInputError(f"level={level!r} must be a confidence level between 0 and 1, e.g. 0.95")
    if not isinstance(n_resamples, int) or isinstance(n_resamples, bool) or n_resamples < 50:
        raise MlopsInputError(f"n_resamples={n_resamples!r} must be an integer of at least 50 (1000 is usual)")


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float, int]:
    __tracebackhide__ = True
    finite = values[np.isfinite(values)]
    invalid = len(values) - len(finite)
    if invalid > 0.1 * len(values):  # a class is missing from many resamples: the interval would be biased
        raise MlopsInputError(
            f"the metric was undefined on {invalid} of {len(values)} bootstrap resamples "
            "(too few rows of a class); evaluate on more data"
        )
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return float(low), float(high), invalid


def bootstrap_interval(
    evaluator: Evaluator, *, level: float = 0.95, n_resamples: int = 1000, seed: int | None = 0
) -> Interval:
    """Percentile bootstrap interval of one metric on one model's predictions."""
    __tracebackhide__ = True
    _check(level, n_resamples)
    rng = np.random.default_rng(seed)
    n = evaluator.n
    values = np.empty(n_resamples)
    for b in range(n_resamples):
        values[b] = evaluator.resample(rng.integers(0, n, n))
    low, high, invalid = _percentiles(values, float(level))
    return Interval(evaluator.value(), low, high, float(level), n_resamples, seed, invalid)


def paired_difference_interval(
    challenger: Evaluator,
    champion: Evaluator,
    *,
    level: float = 0.95,
    n_resamples: int = 1000,
    seed: int | None = 0,
) -> Interval:
    """Percentile interval of ``metric(challenger) − metric(champion)`` over paired resamples.

    Both evaluators must hold the same rows (same ``y_true``); each resample draws one set of
    row indices and evaluates both models on it.
    """
    __tracebackhide__ = True
    _check(level, n_resamples)
    if challenger.n != champion.n:
        raise MlopsInputError(
            f"challenger was evaluated on {challenger.n} rows and champion on {champion.n}: "
            "a paired comparison needs the same evaluation rows"
        )
    if challenger.metric.name != champion.metric.name:
        raise MlopsInputError(f"cannot pair {challenger.metric.name!r} with {champion.metric.name!r}")
    same = np.array_equal(challenger.y_true, champion.y_true)
    if not same:
        raise MlopsInputError("challenger and champion were evaluated on different labels: pass the same y_true")
    rng = np.random.default_rng(seed)
    n = challenger.n
    diffs = np.empty(n_resamples)
    for b in range(n_resamples):
        idx = rng.integers(0, n, n)
        a = challenger.resample(idx)
        c = champion.resample(idx)
        diffs[b] = a - c if math.isfinite(a) and math.isfinite(c) else math.nan
    low, high, invalid = _percentiles(diffs, float(level))
    estimate = challenger.value() - champion.value()
    return Interval(estimate, low, high, float(level), n_resamples, seed, invalid)
