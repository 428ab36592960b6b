"""Deployment gates: shadow comparison, canary verdict, A/B test, sample-ratio mismatch.

Gates of kind ``deployment`` (marker ``mlops_deployment``). Heavy libraries are imported
inside the functions; the numbers come from :mod:`pytest_mlops.stats.abtest`.

* :func:`shadow` - champion and challenger scored on the same logged production inputs
  (no labels): disagreement rate and prediction-distribution distance, with the rows where
  they disagree most as evidence.
* :func:`ab_proportions` / :func:`ab_means` - two-proportion z-test / Welch t-test with a
  minimum effect of interest, preceded by a sample-ratio-mismatch check.
* :func:`sample_ratio` - the chi-square sample-ratio-mismatch check alone.
* :func:`canary` - the canary verdict as a gate (passes only on ``promote``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import number, optional_number, require_bound
from pytest_mlops.gates._summary import Check, summarize
from pytest_mlops.results import GateResult, fmt, to_json

if TYPE_CHECKING:
    import numpy as np

    from pytest_mlops.stats.abtest import TwoSampleResult

__all__ = ["DeploymentGates", "ab_means", "ab_proportions", "canary", "sample_ratio", "shadow"]

KIND = "deployment"
#: how many input columns a shadow evidence row shows
INPUT_COLUMNS_SHOWN = 8


# -- shadow --------------------------------------------------------------------------------------------


def _predictions(model: Any, inputs: Any, role: str) -> np.ndarray[Any, Any]:
    import numpy as np

    if hasattr(model, "predict"):
        if inputs is None:
            raise MlopsInputError(f"shadow gate: the {role} is a model but no inputs were given; pass inputs=")
        try:
            out = model.predict(inputs)
        except Exception as exc:
            raise MlopsInputError(
                f"shadow gate: the {role} model could not score the inputs ({type(exc).__name__}: {exc})"
            ) from None
    elif callable(model):
        if inputs is None:
            raise MlopsInputError(f"shadow gate: the {role} is a function but no inputs were given; pass inputs=")
        out = model(inputs)
    else:
        out = model
    array = np.asarray(getattr(out, "to_numpy", lambda: out)())
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise MlopsInputError(
            f"shadow gate: the {role} gave predictions of shape {array.shape}; expected one prediction per row"
        )
    return array


def _probabilities(model: Any, inputs: Any) -> np.ndarray[Any, Any] | None:
    import numpy as np

    proba = getattr(model, "predict_proba", None)
    if proba is None or inputs is None:
        return None
    try:
        out = np.asarray(proba(inputs), dtype=float)
    except Exception:
        return None
    return out if out.ndim == 2 else None


def _is_regression(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> bool:
    import numpy as np

    for array in (a, b):
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.bool_):
            return False
    floats = [x for x in (a, b) if np.issubdtype(x.dtype, np.floating)]
    return any(not np.all(np.equal(np.mod(x[np.isfinite(x)], 1), 0)) for x in floats)


def _total_variation(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    from collections import Counter

    ca, cb = Counter(a.tolist()), Counter(b.tolist())
    return 0.5 * sum(abs(ca[k] / a.size - cb[k] / b.size) for k in set(ca) | set(cb))


def _input_row(inputs: Any, position: int) -> tuple[Any, dict[str, Any]]:
    """(row label, first columns) of row ``position`` of ``inputs`` (DataFrame, array or None)."""
    if inputs is None:
        return position, {}
    iloc = getattr(inputs, "iloc", None)
    if iloc is not None:
        row = iloc[position]
        label = inputs.index[position]
        items = list(row.items())[:INPUT_COLUMNS_SHOWN] if hasattr(row, "items") else [("value", row)]
        return to_json(label), {str(k): to_json(v) for k, v in items}
    try:
        row = inputs[position]
    except (TypeError, IndexError, KeyError):
        return position, {}
    values = list(row) if hasattr(row, "__iter__") and not isinstance(row, str) else [row]
    return position, {f"x{i}": to_json(v) for i, v in enumerate(values[:INPUT_COLUMNS_SHOWN])}


def shadow(
    champion: Any,
    challenger: Any,
    inputs: Any = None,
    *,
    max_disagreement: float | None = None,
    max_distance: float | None = None,
    tolerance: float = 0.0,
    task: Literal["auto", "classification", "regression"] = "auto",
    top: int = 10,
    name: str = "shadow",
    severity: str | None = None,
) -> GateResult:
    """Score champion and challenger on the same production inputs and gate on how they differ.

    ``champion``/``challenger`` are models (``.predict``), functions of the inputs, or
    predictions already made. No labels are needed.

    * disagreement rate: share of rows where the predicted labels differ (classification) or
      where ``|champion - challenger| > tolerance`` (regression); bounded by ``max_disagreement``;
    * distance of the prediction distributions: total variation distance of the label
      shares (classification) or the Kolmogorov-Smirnov statistic (regression), both in
      [0, 1]; bounded by ``max_distance``.

    The evidence lists the ``top`` rows where they disagree most (largest ``|difference|``;
    for classifiers with ``predict_proba``, the largest difference of probabilities).

    Example::

        from pytest_mlops.gates.deployment import shadow

        def test_challenger_in_shadow(champion_model, challenger_model, logged_requests):
            shadow(champion_model, challenger_model, logged_requests, max_disagreement=0.05, max_distance=0.1)
    """
    __tracebackhide__ = True
    import numpy as np

    where = f"shadow gate {name!r}"
    require_bound(where, {"max_disagreement": max_disagreement, "max_distance": max_distance})
    max_disagreement = optional_number("max_disagreement", max_disagreement, at_least=0, at_most=1, gate=where)
    max_distance = optional_number("max_distance", max_distance, at_least=0, at_most=1, gate=where)
    tolerance = number("tolerance", tolerance, at_least=0, gate=where)
    if task not in ("auto", "classification", "regression"):
        raise MlopsInputError(
            f"shadow gate {name!r}: task={task!r} is not valid; use auto, classification or regression"
        )
    a = _predictions(champion, inputs, "champion")
    b = _predictions(challenger, inputs, "challenger")
    if a.size != b.size:
        raise MlopsInputError(
            f"shadow gate {name!r}: champion gave {a.size} predictions, challenger {b.size}; score the same rows"
        )
    if a.size == 0:
        raise MlopsInputError(f"shadow gate {name!r}: no rows to compare; log some production inputs first")
    regression = _is_regression(a, b) if task == "auto" else task == "regression"
    if regression:
        try:
            fa, fb = a.astype(float), b.astype(float)
        except (TypeError, ValueError):
            raise MlopsInputError(f"shadow gate {name!r}: task='regression' needs numeric predictions") from None
        gap = np.abs(fa - fb)
        gap = np.where(np.isnan(gap), np.inf, gap)
        disagree = gap > tolerance
        from pytest_mlops.stats.significance import ks_statistic

        distance, method = ks_statistic(fa, fb), "Kolmogorov-Smirnov statistic"
        order = np.argsort(-gap, kind="stable")
        score = gap
    else:
        disagree = a != b
        distance, method = _total_variation(a, b), "total variation distance"
        pa, pb = _probabilities(champion, inputs), _probabilities(challenger, inputs)
        if pa is not None and pb is not None and pa.shape == pb.shape:
            score = np.abs(pa - pb).sum(axis=1) / 2.0
        else:
            score = disagree.astype(float)
        order = np.lexsort((np.arange(a.size), -score, ~disagree))  # disagreeing rows first, largest gap first
    rate = float(disagree.mean())
    n_disagree = int(disagree.sum())

    checks: list[Check] = []
    if max_disagreement is not None:
        ok = rate <= max_disagreement
        checks.append((ok, f"disagreement rate {fmt(rate)} {'<=' if ok else '>'} {fmt(max_disagreement)}"))
    if max_distance is not None:
        ok = distance <= max_distance
        checks.append((ok, f"prediction distance {fmt(distance)} {'<=' if ok else '>'} {fmt(max_distance)}"))
    passed, summary = summarize(checks, every=True)

    rows: list[dict[str, Any]] = []
    evidence: list[str] = [f"{n_disagree} of {a.size} rows disagree ({method} {fmt(distance)})"]
    for position in order[: max(0, int(top))]:
        if not disagree[position]:
            break
        label, shown = _input_row(inputs, int(position))
        entry = {
            "row": label,
            "champion": to_json(a[position]),
            "challenger": to_json(b[position]),
            "difference": to_json(float(score[position])),
        }
        if shown:
            entry["inputs"] = shown
        rows.append(entry)
        where = ", ".join(f"{k}={fmt(v)}" for k, v in shown.items())
        gap_text = f" (|diff| {fmt(float(score[position]))})" if regression or score[position] not in (0.0, 1.0) else ""
        evidence.append(
            f"row {label}: champion {fmt(to_json(a[position]))} vs challenger {fmt(to_json(b[position]))}{gap_text}"
            + (f"  [{where}]" if where else "")
        )
    result = GateResult(
        kind=KIND,
        check="shadow",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity(KIND, severity),
        observed={"disagreement_rate": rate, "distance": distance},
        bound={
            k: v for k, v in (("max_disagreement", max_disagreement), ("max_distance", max_distance)) if v is not None
        },
        summary=summary,
        evidence=evidence,
        hint=None if passed else "inspect the rows listed (details['rows'] in the JSON report) before promoting",
        details={
            "n": int(a.size),
            "task": "regression" if regression else "classification",
            "disagreement_rate": rate,
            "disagreements": n_disagree,
            "distance": distance,
            "distance_method": method,
            "tolerance": tolerance,
            "rows": to_json(rows),
        },
    )
    return _recorder.emit(result)


# -- sample ratio mismatch ---------------------------------------------------------------------------------


def _srm_result(
    counts: Sequence[int], planned: Sequence[float] | None, alpha: float, name: str, severity: str | None
) -> GateResult:
    from pytest_mlops.stats.abtest import sample_ratio_mismatch

    if not 0 < alpha < 1:
        raise MlopsInputError(f"sample ratio gate {name!r}: srm_alpha={alpha!r} must be between 0 and 1, e.g. 0.001")
    srm = sample_ratio_mismatch(counts, planned)
    passed = srm.p_value >= alpha
    shares = ", ".join(f"{fmt(s)}" for s in srm.shares)
    plan = ", ".join(f"{fmt(s)}" for s in srm.planned_shares)
    summary = f"chi-square p = {fmt(srm.p_value)} {'>=' if passed else '<'} {fmt(alpha)}"
    evidence = [
        f"observed split {shares} (counts {', '.join(str(c) for c in srm.observed)}) vs planned {plan}",
        f"chi-square {fmt(srm.statistic)} with {srm.df} degree(s) of freedom",
    ]
    return GateResult(
        kind=KIND,
        check="sample_ratio",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity(KIND, severity),
        observed=srm.p_value,
        bound={"srm_alpha": alpha},
        summary=summary,
        evidence=evidence,
        hint=None
        if passed
        else "the traffic split is off: fix the assignment (bots, redirects, logging loss) before reading the results",
        details=srm.to_dict(),
    )


def sample_ratio(
    counts: Sequence[int],
    planned: Sequence[float] | None = None,
    *,
    alpha: float = 0.001,
    name: str = "sample ratio",
    severity: str | None = None,
) -> GateResult:
    """Fail when the traffic split differs from the plan (chi-square goodness of fit, p < ``alpha``).

    Example::

        sample_ratio([50_410, 49_590], planned=[1, 1])   # 50/50 split planned
    """
    __tracebackhide__ = True
    return _recorder.emit(_srm_result(counts, planned, alpha, name, severity))


# -- A/B tests ---------------------------------------------------------------------------------------------


def _ab_result(
    test: TwoSampleResult,
    *,
    name: str,
    require: str,
    min_effect: float,
    alpha: float,
    power: float,
    higher_is_better: bool,
    mde: float,
    needed: int | None,
    severity: str | None,
    check: str,
) -> GateResult:
    sign = 1.0 if higher_is_better else -1.0
    lift = test.effect
    level = f"{1 - alpha:.0%}"
    interval = f"{level} one-sided CI [{fmt(test.ci_low)}, {fmt(test.ci_high)}]"
    evidence = [
        f"control {fmt(test.estimate_a)} (n={test.n_a}), treatment {fmt(test.estimate_b)} (n={test.n_b}), "
        f"difference {lift:+.4g}, {interval}",
        f"{test.test} statistic {fmt(test.statistic)}" + (f", df {fmt(test.df)}" if test.df is not None else ""),
        f"minimum detectable effect at these sizes: {fmt(mde)} (alpha {fmt(alpha)}, power {fmt(power)}); "
        f"minimum effect of interest {fmt(min_effect)}",
    ]
    underpowered = mde > min_effect
    hint = None
    if require == "better":
        passed = test.p_value < alpha
        if passed:
            summary = f"p = {fmt(test.p_value)} < {fmt(alpha)} (difference {lift:+.4g})"
        else:
            why = (
                f"underpowered: detectable effect {fmt(mde)} > {fmt(min_effect)}"
                if underpowered
                else f"powered for {fmt(min_effect)}, no significant improvement"
            )
            summary = f"p = {fmt(test.p_value)} >= {fmt(alpha)} (difference {lift:+.4g}; {why})"
            if underpowered and needed:
                hint = f"collect about {needed} units per arm to detect {fmt(min_effect)}"
    else:  # not_worse: non-inferiority with margin min_effect
        bound = sign * (test.ci_low if higher_is_better else test.ci_high)
        passed = bound > -min_effect
        summary = (
            f"worst case {bound:+.4g} {'>' if passed else '<='} -{fmt(min_effect)} "
            f"(difference {lift:+.4g}, {level} bound)"
        )
        if not passed and underpowered and needed:
            hint = f"inconclusive or worse; about {needed} units per arm would settle a {fmt(min_effect)} margin"
    return GateResult(
        kind=KIND,
        check=check,
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity(KIND, severity),
        observed={"p_value": test.p_value, "difference": lift},
        bound={"alpha": alpha, "min_effect": min_effect, "require": require},
        summary=summary,
        evidence=evidence,
        hint=hint,
        details={
            **test.to_dict(),
            "mde": mde,
            "required_per_arm": needed,
            "power": power,
            "require": require,
            "higher_is_better": higher_is_better,
            "underpowered": underpowered,
        },
    )


def _check_ab(name: str, min_effect: float, alpha: float, power: float, require: str) -> None:
    if not (isinstance(min_effect, (int, float)) and min_effect > 0 and math.isfinite(min_effect)):
        raise MlopsInputError(f"A/B gate {name!r}: min_effect={min_effect!r} must be a positive absolute difference")
    for label, value in (("alpha", alpha), ("power", power)):
        if not 0 < value < 1:
            raise MlopsInputError(f"A/B gate {name!r}: {label}={value!r} must be between 0 and 1")
    if require not in ("better", "not_worse"):
        raise MlopsInputError(f"A/B gate {name!r}: require={require!r} is not valid; use 'better' or 'not_worse'")


def ab_proportions(
    conversions_a: int,
    n_a: int,
    conversions_b: int,
    n_b: int,
    *,
    min_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    require: Literal["better", "not_worse"] = "better",
    higher_is_better: bool = True,
    planned_split: Sequence[float] = (1.0, 1.0),
    srm_alpha: float = 0.001,
    name: str = "A/B conversion",
    severity: str | None = None,
) -> GateResult:
    """A/B gate for a conversion-like metric: arm ``a`` control, ``b`` treatment.

    First the sample-ratio check (``n_a``, ``n_b`` against ``planned_split``, chi-square,
    fails when p < ``srm_alpha``); then the one-sided two-proportion z-test. A failed sample-ratio
    check invalidates the experiment, so no A/B verdict is drawn: its result is returned instead.
    ``require="better"``: the treatment must be significantly better (p < ``alpha``);
    ``require="not_worse"``: the ``1 - alpha`` bound of the difference must stay above
    ``-min_effect`` (non-inferiority). ``min_effect`` is the smallest absolute difference
    that matters; the result says whether the test was powered to detect it.

    Example::

        ab_proportions(480, 10_000, 560, 10_020, min_effect=0.005)
    """
    __tracebackhide__ = True
    from pytest_mlops.stats.abtest import (
        minimum_detectable_effect_proportion,
        required_sample_size_proportion,
        two_proportion_ztest,
    )

    _check_ab(name, min_effect, alpha, power, require)
    srm = _recorder.emit(_srm_result([n_a, n_b], planned_split, srm_alpha, f"{name}: sample ratio", severity))
    if srm.status == "failed":  # a broken split invalidates the experiment: no A/B verdict on it
        return srm
    alternative: Any = "greater" if higher_is_better else "less"
    test = two_proportion_ztest(conversions_a, n_a, conversions_b, n_b, alternative=alternative, confidence=1 - alpha)
    baseline = min(max(test.estimate_a, 1e-9), 1 - 1e-9)
    mde = minimum_detectable_effect_proportion(baseline, n_a, n_b, alpha=alpha, power=power)
    needed = required_sample_size_proportion(baseline, min_effect, alpha=alpha, power=power)
    return _recorder.emit(
        _ab_result(
            test,
            check="ab_proportions",
            name=name,
            require=require,
            min_effect=min_effect,
            alpha=alpha,
            power=power,
            higher_is_better=higher_is_better,
            mde=mde,
            needed=needed,
            severity=severity,
        )
    )


def ab_means(
    control: Sequence[float] | Any,
    treatment: Sequence[float] | Any,
    *,
    min_effect: float,
    alpha: float = 0.05,
    power: float = 0.8,
    require: Literal["better", "not_worse"] = "better",
    higher_is_better: bool = True,
    planned_split: Sequence[float] = (1.0, 1.0),
    srm_alpha: float = 0.001,
    name: str = "A/B mean",
    severity: str | None = None,
) -> GateResult:
    """A/B gate for a continuous metric (revenue per user, latency): Welch's t-test.

    Same rules as :func:`ab_proportions`, on per-unit values of the control and the treatment.

    Example::

        ab_means(control_revenue, treatment_revenue, min_effect=0.10)   # at least +0.10 per user
    """
    __tracebackhide__ = True
    import numpy as np

    from pytest_mlops.stats.abtest import minimum_detectable_effect_mean, required_sample_size_mean, welch_ttest

    _check_ab(name, min_effect, alpha, power, require)
    a = np.asarray(control, dtype=float).ravel()
    b = np.asarray(treatment, dtype=float).ravel()
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    srm = _recorder.emit(_srm_result([a.size, b.size], planned_split, srm_alpha, f"{name}: sample ratio", severity))
    if srm.status == "failed":  # a broken split invalidates the experiment: no A/B verdict on it
        return srm
    alternative: Any = "greater" if higher_is_better else "less"
    test = welch_ttest(a, b, alternative=alternative, confidence=1 - alpha)
    sd_a, sd_b = float(np.std(a, ddof=1)), float(np.std(b, ddof=1))
    mde = minimum_detectable_effect_mean(sd_a, sd_b, a.size, b.size, alpha=alpha, power=power)
    needed = required_sample_size_mean(sd_a, sd_b, min_effect, alpha=alpha, power=power) if sd_a + sd_b > 0 else None
    return _recorder.emit(
        _ab_result(
            test,
            check="ab_means",
            name=name,
            require=require,
            min_effect=min_effect,
            alpha=alpha,
            power=power,
            higher_is_better=higher_is_better,
            mde=mde,
            needed=needed,
            severity=severity,
        )
    )


# -- canary -----------------------------------------------------------------------------------------------


def canary(
    canary_outcomes: Sequence[float] | Any,
    champion_outcomes: Sequence[float] | Any,
    *,
    max_drop: float = 0.0,
    min_samples: int = 200,
    confidence: float = 0.95,
    higher_is_better: bool = True,
    max_samples: int | None = None,
    name: str = "canary",
    severity: str | None = None,
) -> GateResult:
    """Gate on the canary verdict (:func:`pytest_mlops.stats.abtest.canary_verdict`): passes only on ``promote``.

    Example::

        canary(outcomes[outcomes.group == "canary"].converted,
               outcomes[outcomes.group == "champion"].converted, max_drop=0.01, min_samples=1000)
    """
    __tracebackhide__ = True
    from pytest_mlops.stats.abtest import canary_verdict

    verdict = canary_verdict(
        canary_outcomes,
        champion_outcomes,
        max_drop=max_drop,
        min_samples=min_samples,
        confidence=confidence,
        higher_is_better=higher_is_better,
        max_samples=max_samples,
    )
    passed = verdict.decision == "promote"
    evidence = [
        f"canary {fmt(verdict.canary)} (n={verdict.n_canary}) "
        f"vs champion {fmt(verdict.champion)} (n={verdict.n_champion})",
        f"rule: {verdict.rule}",
    ]
    result = GateResult(
        kind=KIND,
        check="canary",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity(KIND, severity),
        observed=verdict.decision,
        bound={"max_drop": max_drop, "confidence": confidence, "min_samples": min_samples},
        summary=f"verdict {verdict.decision}: {verdict.reason}",
        evidence=evidence,
        hint=None if passed else ("wait for more outcomes" if verdict.decision == "wait" else "roll the canary back"),
        details=verdict.to_dict(),
    )
    return _recorder.emit(result)


class DeploymentGates:
    """The deployment gates, as methods (what the ``mlops_deployment`` fixture returns)."""

    shadow = staticmethod(shadow)
    canary = staticmethod(canary)
    ab_proportions = staticmethod(ab_proportions)
    ab_means = staticmethod(ab_means)
    sample_ratio = staticmethod(sample_ratio)

    def __repr__(self) -> str:
        return "<mlops_deployment gates: shadow, canary, ab_proportions, ab_means, sample_ratio>"
