"""Calibration of binary probabilities: reliability bins, expected calibration error, Brier skill.

Binning is equal-width on [0, 1]: ``n_bins`` bins ``[k/n, (k+1)/n)``, the last one closed
(a probability of exactly 1 falls in it). Per bin: its row count, the mean predicted
probability and the observed share of positives.

* **ECE** (expected calibration error) = Σ_bins (rows in bin / all rows) × |share of
  positives − mean predicted probability|; empty bins weigh 0.
* **Brier score** = mean of (p − y)²; the **reference** is the Brier score of a model that
  always predicts the base rate ``b`` (the share of positives in ``y``), which is b(1 − b).
* **Brier skill score** = 1 − Brier / reference: 1 is perfect, 0 is no better than the base
  rate, negative is worse than it.

Pure functions on arrays; no pytest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pytest_mlops.details.model import ReliabilityBin  # the report's contract: one definition
from pytest_mlops.errors import MlopsInputError

__all__ = ["Calibration", "ReliabilityBin", "calibration"]


@dataclass(frozen=True)
class Calibration:
    """Calibration of ``n`` binary probabilities against their outcomes."""

    n: int
    n_bins: int
    bins: tuple[ReliabilityBin, ...]
    ece: float
    brier: float
    brier_reference: float
    brier_skill: float
    base_rate: float


def calibration(outcome: NDArray[np.bool_], probability: NDArray[np.floating], n_bins: int = 10) -> Calibration:
    """Reliability bins, ECE, Brier score and Brier skill of ``probability`` for ``outcome`` (True = positive).

    Both are 1-D and of the same length; ``probability`` is finite and in [0, 1] (the gate
    checks that). Raises :class:`MlopsInputError` when ``outcome`` holds one class only (the
    base-rate model is then perfect and the skill score is undefined).
    """
    y = np.asarray(outcome, dtype=float)
    p = np.asarray(probability, dtype=float)
    n = len(y)
    if n == 0:
        raise MlopsInputError("no rows to measure calibration on")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise MlopsInputError(f"n_bins={n_bins!r} must be a positive integer")
    base = float(y.mean())
    reference = base * (1.0 - base)
    if reference == 0.0:
        raise MlopsInputError(
            f"y_true holds one class only ({n} rows): the Brier skill score is undefined; "
            "evaluate on data with both classes"
        )
    # equal-width bins with edges k / n_bins (so 0.57 is in [0.57, 0.58) for 100 bins, which
    # floor(p * n_bins) would miss); p == 1 goes to the last bin
    edges = np.arange(n_bins + 1) / n_bins
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, n_bins - 1)
    counts = np.bincount(index, minlength=n_bins)
    sum_p = np.bincount(index, weights=p, minlength=n_bins)
    sum_y = np.bincount(index, weights=y, minlength=n_bins)
    bins: list[ReliabilityBin] = []
    ece = 0.0
    for k in range(n_bins):
        count = int(counts[k])
        if count:
            mean_p, share = float(sum_p[k] / count), float(sum_y[k] / count)
            ece += count / n * abs(share - mean_p)
            bins.append(ReliabilityBin(k / n_bins, (k + 1) / n_bins, count, mean_p, share))
        else:
            bins.append(ReliabilityBin(k / n_bins, (k + 1) / n_bins, 0, None, None))
    brier = float(np.mean((p - y) ** 2))
    return Calibration(
        n=n,
        n_bins=n_bins,
        bins=tuple(bins),
        ece=float(ece),
        brier=brier,
        brier_reference=reference,
        brier_skill=1.0 - brier / reference,
        base_rate=base,
    )
