"""Two-sample tests for deployment decisions: A/B tests, sample-ratio mismatch, canary verdicts.

Pure functions on numbers and arrays. The test statistics are computed here from their
formulas; scipy supplies only the distribution functions (``norm``, ``t``, ``chi2``).
Conventions: arm ``a`` is the control (the champion), arm ``b`` the treatment (the
challenger or canary); ``effect`` is always ``b - a``.

* :func:`two_proportion_ztest` - conversion-like metrics (pooled z statistic, unpooled
  Wald interval for the difference).
* :func:`welch_ttest` / :func:`welch_from_stats` - continuous metrics, unequal variances,
  Welch-Satterthwaite degrees of freedom.
* :func:`sample_ratio_mismatch` - chi-square goodness of fit of the traffic split.
* :func:`minimum_detectable_effect_*` and :func:`required_sample_size_*` - power.
* :func:`canary_verdict` - promote / wait / rollback with a stated rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from scipy import stats as st

from pytest_mlops.errors import MlopsInputError

__all__ = [
    "CanaryVerdict",
    "SrmResult",
    "TwoSampleResult",
    "canary_verdict",
    "minimum_detectable_effect_mean",
    "minimum_detectable_effect_proportion",
    "required_sample_size_mean",
    "required_sample_size_proportion",
    "sample_ratio_mismatch",
    "two_proportion_ztest",
    "welch_from_stats",
    "welch_ttest",
]

Alternative = Literal["two-sided", "greater", "less"]
ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class TwoSampleResult:
    """A two-sample test of ``b`` against ``a`` and the confidence interval of ``b - a``."""

    test: str  # "two-proportion z" or "Welch t"
    statistic: float
    p_value: float
    effect: float  # estimate_b - estimate_a
    ci_low: float
    ci_high: float
    confidence: float
    alternative: str
    estimate_a: float
    estimate_b: float
    n_a: int
    n_b: int
    se: float  # standard error of the effect used for the interval
    df: float | None = None  # degrees of freedom (Welch); None for z

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_alternative(alternative: str) -> None:
    if alternative not in ALTERNATIVES:
        raise MlopsInputError(f"alternative={alternative!r} is not valid; use one of {', '.join(ALTERNATIVES)}")


def _check_level(name: str, value: float) -> None:
    if not 0.0 < value < 1.0:
        raise MlopsInputError(f"{name}={value!r} must be strictly between 0 and 1, e.g. 0.95")


def _p_value(statistic: float, alternative: str, sf: Any, cdf: Any) -> float:
    if math.isnan(statistic):
        return 1.0
    if alternative == "greater":
        return float(sf(statistic))
    if alternative == "less":
        return float(cdf(statistic))
    return float(min(1.0, 2.0 * sf(abs(statistic))))


def _interval(effect: float, se: float, quantile: Any, confidence: float, alternative: str) -> tuple[float, float]:
    if alternative == "two-sided":
        q = float(quantile((1.0 + confidence) / 2.0))
        return effect - q * se, effect + q * se
    q = float(quantile(confidence))
    if alternative == "greater":
        return effect - q * se, math.inf
    return -math.inf, effect + q * se


def two_proportion_ztest(
    successes_a: int,
    n_a: int,
    successes_b: int,
    n_b: int,
    *,
    alternative: Alternative = "two-sided",
    confidence: float = 0.95,
) -> TwoSampleResult:
    """Two-proportion z-test of ``p_b`` against ``p_a``.

    ``z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b))`` with the pooled ``p``; the interval
    of ``p_b - p_a`` uses the unpooled standard error. ``alternative="greater"`` tests
    ``p_b > p_a``.
    """
    _check_alternative(alternative)
    _check_level("confidence", confidence)
    for label, x, n in (("a", successes_a, n_a), ("b", successes_b, n_b)):
        if int(n) != n or n <= 0 or int(x) != x or not 0 <= x <= n:
            raise MlopsInputError(
                f"arm {label}: {x!r} successes out of {n!r} is not valid; "
                "give whole counts with 0 <= successes <= n and n > 0"
            )
    pa, pb = successes_a / n_a, successes_b / n_b
    pooled = (successes_a + successes_b) / (n_a + n_b)
    se0 = math.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    effect = pb - pa
    z = effect / se0 if se0 > 0 else 0.0
    p = _p_value(z, alternative, st.norm.sf, st.norm.cdf)
    se1 = math.sqrt(pa * (1.0 - pa) / n_a + pb * (1.0 - pb) / n_b)
    low, high = _interval(effect, se1, st.norm.ppf, confidence, alternative)
    return TwoSampleResult(
        "two-proportion z", z, p, effect, low, high, confidence, alternative, pa, pb, int(n_a), int(n_b), se1
    )


def welch_from_stats(
    mean_a: float,
    sd_a: float,
    n_a: int,
    mean_b: float,
    sd_b: float,
    n_b: int,
    *,
    alternative: Alternative = "two-sided",
    confidence: float = 0.95,
) -> TwoSampleResult:
    """Welch's t-test of ``mean_b`` against ``mean_a`` from summary statistics (sample sd, ddof=1)."""
    _check_alternative(alternative)
    _check_level("confidence", confidence)
    if n_a < 2 or n_b < 2:
        raise MlopsInputError(f"Welch's t-test needs at least 2 values per arm, got n_a={n_a}, n_b={n_b}")
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    se = math.sqrt(va + vb)
    effect = mean_b - mean_a
    if se == 0.0:
        t = 0.0 if effect == 0 else math.copysign(math.inf, effect)
        df = float(n_a + n_b - 2)
    else:
        t = effect / se
        df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    p = _p_value(t, alternative, lambda x: st.t.sf(x, df), lambda x: st.t.cdf(x, df))
    low, high = _interval(effect, se, lambda q: st.t.ppf(q, df), confidence, alternative)
    return TwoSampleResult(
        "Welch t", t, p, effect, low, high, confidence, alternative, mean_a, mean_b, int(n_a), int(n_b), se, df
    )


def _values(values: Any, what: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    try:
        array: np.ndarray[Any, np.dtype[np.float64]] = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise MlopsInputError(f"{what}: values must be numbers") from None
    array = array[~np.isnan(array)]
    if array.size == 0:
        raise MlopsInputError(f"{what}: no values (after dropping NaN)")
    return array


def welch_ttest(
    a: Sequence[float] | Any,
    b: Sequence[float] | Any,
    *,
    alternative: Alternative = "two-sided",
    confidence: float = 0.95,
) -> TwoSampleResult:
    """Welch's t-test of the mean of ``b`` against the mean of ``a`` (NaN values dropped)."""
    xa, xb = _values(a, "arm a"), _values(b, "arm b")
    sd_a = float(np.std(xa, ddof=1)) if xa.size > 1 else 0.0
    sd_b = float(np.std(xb, ddof=1)) if xb.size > 1 else 0.0
    return welch_from_stats(
        float(np.mean(xa)),
        sd_a,
        int(xa.size),
        float(np.mean(xb)),
        sd_b,
        int(xb.size),
        alternative=alternative,
        confidence=confidence,
    )


@dataclass(frozen=True)
class SrmResult:
    """Chi-square goodness of fit of observed traffic counts to the planned split."""

    statistic: float
    p_value: float
    df: int
    observed: tuple[int, ...]
    expected: tuple[float, ...]
    shares: tuple[float, ...]
    planned_shares: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def sample_ratio_mismatch(counts: Sequence[int], planned: Sequence[float] | None = None) -> SrmResult:
    """Chi-square test that ``counts`` (units per arm) follow the ``planned`` split (default: equal)."""
    observed = [int(c) for c in counts]
    if len(observed) < 2 or any(c < 0 for c in observed) or sum(observed) == 0:
        raise MlopsInputError(f"traffic counts {list(counts)!r} are not valid; give 2 or more non-negative counts")
    weights = [float(w) for w in (planned if planned is not None else [1.0] * len(observed))]
    if len(weights) != len(observed) or any(not w > 0 for w in weights):
        raise MlopsInputError(
            f"planned split {list(weights)!r} does not fit {len(observed)} arms; give one positive weight per arm"
        )
    total, wsum = sum(observed), sum(weights)
    expected = [total * w / wsum for w in weights]
    chi2 = float(sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True)))
    df = len(observed) - 1
    return SrmResult(
        chi2,
        float(st.chi2.sf(chi2, df)),
        df,
        tuple(observed),
        tuple(expected),
        tuple(o / total for o in observed),
        tuple(w / wsum for w in weights),
    )


def _z_sum(alpha: float, power: float, alternative: str) -> float:
    _check_level("alpha", alpha)
    _check_level("power", power)
    _check_alternative(alternative)
    z_alpha = st.norm.ppf(1.0 - alpha / 2.0) if alternative == "two-sided" else st.norm.ppf(1.0 - alpha)
    return float(z_alpha + st.norm.ppf(power))


def minimum_detectable_effect_proportion(
    baseline: float,
    n_a: int,
    n_b: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: Alternative = "greater",
) -> float:
    """Smallest absolute difference of proportions detectable with these arm sizes (normal approximation)."""
    if not 0.0 < baseline < 1.0:
        raise MlopsInputError(f"baseline rate {baseline!r} must be strictly between 0 and 1")
    return _z_sum(alpha, power, alternative) * math.sqrt(baseline * (1.0 - baseline) * (1.0 / n_a + 1.0 / n_b))


def minimum_detectable_effect_mean(
    sd_a: float,
    sd_b: float,
    n_a: int,
    n_b: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: Alternative = "greater",
) -> float:
    """Smallest absolute difference of means detectable with these arm sizes (normal approximation)."""
    return _z_sum(alpha, power, alternative) * math.sqrt(sd_a**2 / n_a + sd_b**2 / n_b)


def required_sample_size_proportion(
    baseline: float, effect: float, *, alpha: float = 0.05, power: float = 0.8, alternative: Alternative = "greater"
) -> int:
    """Units per arm (equal split) to detect an absolute lift ``effect`` over ``baseline``."""
    if not effect > 0:
        raise MlopsInputError(f"minimum effect {effect!r} must be a positive absolute difference, e.g. 0.01")
    if not 0.0 < baseline < 1.0:
        raise MlopsInputError(f"baseline rate {baseline!r} must be strictly between 0 and 1")
    z = _z_sum(alpha, power, alternative)
    return math.ceil(z**2 * 2.0 * baseline * (1.0 - baseline) / effect**2)


def required_sample_size_mean(
    sd_a: float,
    sd_b: float,
    effect: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    alternative: Alternative = "greater",
) -> int:
    """Units per arm (equal split) to detect a difference of means ``effect``."""
    if not effect > 0:
        raise MlopsInputError(f"minimum effect {effect!r} must be a positive absolute difference")
    z = _z_sum(alpha, power, alternative)
    return math.ceil(z**2 * (sd_a**2 + sd_b**2) / effect**2)


# -- canary ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CanaryVerdict:
    """The decision on a canary and the numbers behind it.

    ``effect``, ``lower`` and ``upper`` are oriented so that positive means the canary is
    better (``canary - champion`` when higher is better, ``champion - canary`` otherwise);
    ``lower``/``upper`` are one-sided bounds, each holding with probability ``confidence``.
    """

    decision: Literal["promote", "wait", "rollback"]
    reason: str
    rule: str
    metric: str  # "proportion" or "mean"
    n_canary: int
    n_champion: int
    canary: float
    champion: float
    effect: float | None
    lower: float | None
    upper: float | None
    confidence: float
    max_drop: float
    p_value: float | None  # one-sided p of H0: canary worse by max_drop or more

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def canary_verdict(
    canary: Sequence[float] | Any,
    champion: Sequence[float] | Any,
    *,
    max_drop: float = 0.0,
    min_samples: int = 200,
    confidence: float = 0.95,
    higher_is_better: bool = True,
    max_samples: int | None = None,
    metric: Literal["auto", "proportion", "mean"] = "auto",
) -> CanaryVerdict:
    """Decide on a canary from per-request outcomes of the canary and of the champion traffic.

    The rule, with ``d`` = the canary's advantage (oriented, see :class:`CanaryVerdict`) and
    one-sided ``confidence`` bounds ``lower <= d <= upper``:

    1. fewer than ``min_samples`` outcomes in either arm: **wait**;
    2. ``lower > -max_drop`` (confidently no worse than the tolerated drop): **promote**;
    3. ``upper < -max_drop`` (confidently worse than the tolerated drop): **rollback**;
    4. otherwise **wait**, except that once both arms hold ``max_samples`` outcomes the
       result is still inconclusive and the canary is **rolled back** (never promoted on doubt).

    Outcomes of 0/1 use the difference of proportions (normal interval); other values the
    difference of means (Welch). The rule is a fixed-horizon test: evaluating it again and
    again as data arrives raises the error rates, so set ``min_samples`` to the planned
    sample size or use a stricter ``confidence`` when polling often.
    """
    _check_level("confidence", confidence)
    if not max_drop >= 0:
        raise MlopsInputError(f"max_drop={max_drop!r} must be >= 0 (the tolerated loss of the canary, e.g. 0.01)")
    if int(min_samples) != min_samples or min_samples < 2:
        raise MlopsInputError(f"min_samples={min_samples!r} must be a whole number >= 2")
    if max_samples is not None and max_samples < min_samples:
        raise MlopsInputError(f"max_samples={max_samples!r} is below min_samples={min_samples!r}")
    xc, xh = _values(canary, "canary outcomes"), _values(champion, "champion outcomes")
    if metric == "auto":
        binary = bool(np.isin(xc, (0.0, 1.0)).all() and np.isin(xh, (0.0, 1.0)).all())
        metric = "proportion" if binary else "mean"
    if metric not in ("proportion", "mean"):
        raise MlopsInputError(f"metric={metric!r} is not valid; use 'auto', 'proportion' or 'mean'")
    better = "higher" if higher_is_better else "lower"
    rule = (
        f"n >= {min_samples} per arm; promote if the {confidence:.0%} lower bound of the canary's advantage "
        f"> -{max_drop:g}; roll back if its {confidence:.0%} upper bound < -{max_drop:g}"
        + (f"; roll back if still undecided at {max_samples} per arm" if max_samples else "")
        + f" ({better} is better)"
    )
    nc, nh = int(xc.size), int(xh.size)
    mc, mh = float(np.mean(xc)), float(np.mean(xh))
    if nc < min_samples or nh < min_samples:
        return CanaryVerdict(
            "wait",
            f"not enough outcomes yet: {nc} canary, {nh} champion (need {min_samples} each)",
            rule,
            metric,
            nc,
            nh,
            mc,
            mh,
            None,
            None,
            None,
            confidence,
            max_drop,
            None,
        )
    sign = 1.0 if higher_is_better else -1.0
    if metric == "proportion":
        result = two_proportion_ztest(int(xh.sum()), nh, int(xc.sum()), nc, confidence=confidence)
        q = float(st.norm.ppf(confidence))
        sf: Any = st.norm.sf
    else:
        result = welch_ttest(xh, xc, confidence=confidence)
        df = result.df if result.df is not None else float(nc + nh - 2)
        q = float(st.t.ppf(confidence, df))

        def sf(x: float) -> float:
            return float(st.t.sf(x, df))

    effect = sign * result.effect
    lower, upper = effect - q * result.se, effect + q * result.se
    p_value = float(sf((effect + max_drop) / result.se)) if result.se > 0 else (0.0 if effect > -max_drop else 1.0)
    level = f"{confidence:.0%}"
    if lower > -max_drop:
        decision: Literal["promote", "wait", "rollback"] = "promote"
        reason = f"{level} lower bound of the canary's advantage {lower:.4g} > -{max_drop:g}"
    elif upper < -max_drop:
        decision = "rollback"
        reason = f"{level} upper bound of the canary's advantage {upper:.4g} < -{max_drop:g}: worse than tolerated"
    elif max_samples is not None and nc >= max_samples and nh >= max_samples:
        decision = "rollback"
        reason = (
            f"still inconclusive at {nc} canary / {nh} champion outcomes (max {max_samples}): "
            f"advantage in [{lower:.4g}, {upper:.4g}]"
        )
    else:
        decision = "wait"
        reason = f"inconclusive: advantage in [{lower:.4g}, {upper:.4g}] straddles -{max_drop:g}"
    return CanaryVerdict(
        decision, reason, rule, metric, nc, nh, mc, mh, effect, lower, upper, confidence, max_drop, p_value
    )
