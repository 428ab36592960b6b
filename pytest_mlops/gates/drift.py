"""Drift gates: reference vs current data, predictions, labels, and a multivariate domain classifier.

Every gate compares column by column with the engine in :mod:`pytest_mlops.stats.driftset`
(methods and default thresholds in ``docs/drift.md``), fails when the share of drifted
columns is above ``max_share`` (default 0: any drifted column), and records every column's
scores, histograms and null rates in ``details["columns"]`` for the report.

Heavy libraries (numpy, pandas, scipy, scikit-learn) are imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import number
from pytest_mlops.gates._summary import tally
from pytest_mlops.integrations import is_spark_frame
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.stats.driftset import DriftResult
    from pytest_mlops.stats.refstats import ReferenceProfile

__all__ = ["data_drift", "label_drift", "load_reference", "multivariate_drift", "prediction_drift"]


_HINT = (
    "if the change is expected, refresh the reference ('pytest-mlops drift save NEW_REFERENCE -o STATS') "
    "or tolerate it with thresholds={{{example}: ...}} / max_share=; otherwise investigate the columns above"
)


def _is_stats_path(obj: Any) -> bool:
    return isinstance(obj, (str, Path)) and str(obj).lower().endswith(".json")


def _is_parquet_path(obj: Any) -> bool:
    return isinstance(obj, (str, Path)) and str(obj).lower().endswith((".parquet", ".pq", ".parq"))


def load_reference(path: str | Path) -> ReferenceProfile:
    """Load reference statistics saved by ``pytest-mlops drift save``."""
    from pytest_mlops.stats.refstats import ReferenceProfile

    return ReferenceProfile.load(path)


def _attach(obj: Any, role: str) -> None:
    try:
        from pytest_mlops.integrations.loading import attach_lineage
    except ImportError:  # pragma: no cover - data module always ships
        return
    if not isinstance(obj, (str, Path, list, tuple)) and hasattr(obj, "columns"):
        attach_lineage(obj, role)


def _compute(
    reference: Any,
    current: Any,
    *,
    what: str,
    series_name: str,
    columns: Sequence[str] | None,
    exclude: Sequence[str],
    categorical: Sequence[str],
    options: Any,
) -> DriftResult:
    from pytest_mlops.integrations.frames import as_source, compare_parquet, profile_parquet
    from pytest_mlops.stats.driftset import compare
    from pytest_mlops.stats.refstats import ReferenceProfile

    if reference is None:
        raise MlopsInputError(
            f"{what}: no reference given; pass reference data or saved statistics, or set mlops_drift_stats "
            "(made by 'pytest-mlops drift save')"
        )
    if current is None:
        raise MlopsInputError(f"{what}: no current data given")
    if is_spark_frame(reference) or is_spark_frame(current):  # summaries computed in Spark
        from pytest_mlops.integrations.spark_drift import compare_drift

        spark_result: DriftResult = compare_drift(
            reference, current, columns=columns, exclude=exclude, categorical=categorical, options=options
        )
        return spark_result
    ref: Any
    if isinstance(reference, ReferenceProfile):
        ref = reference
    elif _is_stats_path(reference):
        ref = ReferenceProfile.load(reference)
    elif _is_parquet_path(reference) and _is_parquet_path(current):
        ref = profile_parquet(reference, columns, categorical=categorical)
    else:
        ref = as_source(reference, "reference", name=series_name)
    if isinstance(ref, ReferenceProfile) and _is_parquet_path(current):
        return compare_parquet(ref, current, columns=columns, exclude=exclude, options=options)
    cur = as_source(current, "current", name=series_name)
    return compare(ref, cur, columns=columns, exclude=exclude, categorical=categorical, options=options)


def _gate(
    result: DriftResult,
    *,
    name: str,
    max_share: float,
    severity: str | None,
    noun: str,
    extra_details: Mapping[str, Any],
    check: str,
) -> GateResult:
    __tracebackhide__ = True
    total = len(result.columns)
    drifted = result.drifted
    share = result.share_drifted
    passed = share <= max_share
    op = "<=" if passed else ">"
    summary = f"{tally(len(drifted), total, noun, 'drifted')} (share {fmt(share)} {op} {fmt(max_share)})"
    evidence = [c.evidence() for c in drifted]
    for c in result.columns:
        evidence.extend(f"note: {c.column}: {n}" for n in c.notes)
    evidence.extend(f"note: {n}" for n in result.notes)
    binned = [c for c in result.columns if not c.exact]
    if binned:
        worst = max(c.ks_error for c in binned)
        evidence.append(
            f"note: {len(binned)} numeric columns compared by bins (saved or streamed statistics): KS statistics "
            f"within +{worst:.2g}, Wasserstein scores are lower bounds (per-column bounds in the report)"
        )
    hint = _HINT.format(example=repr(drifted[0].column) if drifted else "'column'")
    blind = _blind_spot(result)
    if passed and blind is not None:
        evidence.insert(0, blind["text"])
        # the one line every renderer shows for a passing gate says what it could not see
        summary += f"; at n={blind['n']} a mean shift below {blind['mean_shift_sigma']:.2g} sigma could go unnoticed"
    details: dict[str, Any] = {
        "columns": [c.to_details() for c in result.columns],
        "share_drifted": share,
        "n_drifted": len(drifted),
        "max_share": max_share,
        "correction": result.correction,
        "sampling": result.sampling,
        "seed": result.seed,
        "family_size": result.family_size,
        "undetectable": blind,
    }
    details.update(extra_details)
    gate = GateResult(
        kind="drift",
        check=check,
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity("drift", severity),
        observed=share,
        bound={"at_most": max_share},
        summary=summary,
        evidence=evidence,
        hint=hint,
        details=details,
    )
    return _recorder.emit(gate)


#: A passing gate says what it could have missed when a mean shift of this many sigma could go unnoticed.
BLIND_SPOT_SIGMA = 0.2


def _blind_spot(result: DriftResult) -> dict[str, Any] | None:
    """The KS column with the largest undetectable mean shift, and a sentence saying so (None: small)."""
    candidates = [c for c in result.columns if c.mde_sigma is not None and c.ks_critical is not None]
    if not candidates:
        return None
    worst = max(candidates, key=lambda c: (c.mde_sigma or 0.0, c.column))
    mde = float(worst.mde_sigma or 0.0)
    if mde < BLIND_SPOT_SIGMA:
        return None
    n = min(worst.n_reference, worst.n_current)
    text = (
        f"note: at n={n} ({worst.column}) a mean shift below {mde:.2g} sigma would likely go unnoticed "
        f"(normal data; this gate's KS test flags D >= {float(worst.ks_critical or 0.0):.2g})"
    )
    return {"column": worst.column, "n": n, "mean_shift_sigma": mde, "ks_critical": worst.ks_critical, "text": text}


def _options(
    method: str | None,
    methods: Mapping[str, str] | None,
    thresholds: Mapping[str, float] | None,
    correction: str | None,
    null_rate_shift: float,
    bins: int,
    *,
    null_rate_ratio: float | None = 2.0,
    min_effect: float | None = None,
    seed: int = 0,
) -> Any:
    from pytest_mlops.stats.driftset import DriftOptions
    from pytest_mlops.stats.significance import MIN_EFFECT

    return DriftOptions(
        method=method,
        methods=dict(methods or {}),
        thresholds=dict(thresholds or {}),
        correction=correction,
        null_rate_shift=null_rate_shift,
        null_rate_ratio=null_rate_ratio,
        min_effect=MIN_EFFECT if min_effect is None else min_effect,
        seed=seed,
        bins=bins,
    )


def _check_share(max_share: float) -> None:
    __tracebackhide__ = True
    number("max_share", max_share, at_least=0, at_most=1, note="0: no column may drift")


@_recorder.clean_input_errors
def data_drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    categorical: Sequence[str] = (),
    method: str | None = None,
    methods: Mapping[str, str] | None = None,
    thresholds: Mapping[str, float] | None = None,
    max_share: float = 0.0,
    correction: str | None = "bh",
    null_rate_shift: float = 0.05,
    null_rate_ratio: float | None = 2.0,
    min_effect: float | None = None,
    seed: int = 0,
    bins: int = 10,
    name: str = "data drift",
    severity: str | None = None,
) -> GateResult:
    """Gate column-by-column drift of ``current`` against ``reference``.

    ``reference``: a pandas/polars DataFrame, a CSV/Parquet path, saved statistics (a
    ``.json`` path or a :class:`~pytest_mlops.stats.refstats.ReferenceProfile`).
    ``current``: a DataFrame or a path (a Parquet path is streamed in batches when the
    reference is saved statistics or Parquet). By default every column gets a calibrated test
    (KS for numbers, chi-square for categories, Fisher's exact test for null shares), the
    p-values of the gate are adjusted together (``correction="bh"``; also ``"bonferroni"``,
    ``"holm"``, ``"by"``, ``None``), and a column drifts when its adjusted p-value is below
    0.02 *and* at least ``min_effect`` (default 0.04) of the probability mass moved (KS D, total
    variation). A null share drifts when the change is significant and at least
    ``null_rate_shift`` (absolute), or at least 0.01 and by a factor ``null_rate_ratio``.
    ``seed`` seeds the Monte Carlo null of sparse categorical tables (reported in the details).
    ``method`` applies to every column it fits; ``methods``/``thresholds`` override per
    column (for ``ks``/``chi2`` the threshold is the significance level); ``max_share`` is the
    share of drifted columns allowed.

    Example::

        from pytest_mlops.gates.drift import data_drift

        def test_no_drift(train_df, serving_df):
            data_drift(train_df, serving_df, exclude=["id"], thresholds={"income": 0.2})
    """
    __tracebackhide__ = True
    _check_share(max_share)
    options = _options(
        method,
        methods,
        thresholds,
        correction,
        null_rate_shift,
        bins,
        null_rate_ratio=null_rate_ratio,
        min_effect=min_effect,
        seed=seed,
    )
    result = _compute(
        reference,
        current,
        what=name,
        series_name="value",
        columns=columns,
        exclude=exclude,
        categorical=categorical,
        options=options,
    )
    _attach(reference, "reference")
    _attach(current, "current")
    return _gate(
        result, name=name, max_share=max_share, severity=severity, noun="column", extra_details={}, check="data_drift"
    )


@_recorder.clean_input_errors
def prediction_drift(
    reference: Any,
    current: Any,
    *,
    categorical: bool | None = None,
    method: str | None = None,
    threshold: float | None = None,
    max_share: float = 0.0,
    correction: str | None = "bh",
    null_rate_shift: float = 0.05,
    null_rate_ratio: float | None = 2.0,
    min_effect: float | None = None,
    seed: int = 0,
    name: str = "prediction drift",
    severity: str | None = None,
    _series: str = "prediction",
) -> GateResult:
    """Gate drift of model outputs (scores, probabilities, classes, regression values).

    1-D data (array, list, Series) is one column named ``prediction``; 2-D probabilities
    give ``prediction[0]``, ``prediction[1]``... ``categorical=True`` compares classes as
    categories (default: by dtype). ``correction``, ``null_rate_shift``, ``null_rate_ratio``,
    ``min_effect`` and ``seed`` are those of :func:`data_drift`, with the same defaults.

    Example::

        def test_scores_stable(mlops_drift, model, train_X, live_X):
            mlops_drift.predictions(model.predict_proba(train_X)[:, 1], model.predict_proba(live_X)[:, 1])
    """
    __tracebackhide__ = True
    _check_share(max_share)
    from pytest_mlops.integrations.frames import as_source
    from pytest_mlops.stats.driftset import compare

    ref = as_source(reference, f"reference {_series}s", name=_series)
    cur = as_source(current, f"current {_series}s", name=_series)
    names = list(ref.names)
    if categorical is None and _series == "label":
        # class labels (few distinct integers) are compared as categories
        categorical = all(ref.is_class_like(c) for c in names if c in cur.names)
    cats = names if categorical else []
    thresholds = dict.fromkeys(names, threshold) if threshold is not None else None
    methods = dict.fromkeys(names, method) if method is not None else None
    options = _options(
        None,
        methods,
        thresholds,
        correction,
        null_rate_shift,
        10,
        null_rate_ratio=null_rate_ratio,
        min_effect=min_effect,
        seed=seed,
    )
    result = compare(
        ref, cur, categorical=cats, options=options, ref_label=f"reference {_series}s", cur_label=f"current {_series}s"
    )
    return _gate(
        result,
        name=name,
        max_share=max_share,
        severity=severity,
        noun="column",
        extra_details={"target": _series},
        check=f"{_series}_drift",
    )


@_recorder.clean_input_errors
def label_drift(
    reference: Any,
    current: Any,
    *,
    categorical: bool | None = None,
    method: str | None = None,
    threshold: float | None = None,
    correction: str | None = "bh",
    null_rate_shift: float = 0.05,
    null_rate_ratio: float | None = 2.0,
    min_effect: float | None = None,
    seed: int = 0,
    name: str = "label drift",
    severity: str | None = None,
) -> GateResult:
    """Gate drift of the target (label) distribution: classes as categories, regression targets as numbers.

    By default labels holding at most 20 distinct integer values (or strings, booleans) are
    classes and compared as categories; pass ``categorical=False`` to compare them as numbers.
    The other options are those of :func:`prediction_drift`.

    Example::

        def test_label_shift(mlops_drift, train_df, recent_df):
            mlops_drift.labels(train_df["churned"], recent_df["churned"], categorical=True)
    """
    __tracebackhide__ = True
    return prediction_drift(
        reference,
        current,
        categorical=categorical,
        method=method,
        threshold=threshold,
        correction=correction,
        null_rate_shift=null_rate_shift,
        null_rate_ratio=null_rate_ratio,
        min_effect=min_effect,
        seed=seed,
        name=name,
        severity=severity,
        _series="label",
    )


@_recorder.clean_input_errors
def multivariate_drift(
    reference: Any,
    current: Any,
    *,
    columns: Sequence[str] | None = None,
    threshold: float = 0.1,
    max_rows: int = 20_000,
    seed: int = 0,
    name: str = "multivariate drift",
    severity: str | None = None,
) -> GateResult:
    """Gate joint drift with a domain classifier: can a model tell reference rows from current rows?

    A gradient-boosting classifier (scikit-learn, seeded) is trained on a stratified 70%
    of up to ``max_rows`` rows per side (seeded sample, reported) and scored on the other
    30%. The score is ``2 * AUC - 1`` (0: indistinguishable, 1: fully separable); the gate
    fails when it is above ``threshold``. Evidence lists the columns that separate best alone.

    Example::

        def test_joint_drift(mlops_drift, train_df, serving_df):
            mlops_drift.multivariate(train_df, serving_df, threshold=0.1)
    """
    __tracebackhide__ = True
    from pytest_mlops.integrations.frames import as_source
    from pytest_mlops.stats.domain import domain_classifier

    if not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise MlopsInputError(f"threshold={threshold!r} must be in [0, 1] (score = 2*AUC - 1)")
    if not isinstance(max_rows, int) or max_rows < 50:
        raise MlopsInputError(f"max_rows={max_rows!r} must be an integer >= 50")
    out = domain_classifier(
        as_source(reference, "reference"), as_source(current, "current"), columns=columns, max_rows=max_rows, seed=seed
    )
    score = float(out["score"])
    passed = not score > threshold
    op = "<=" if passed else ">"
    summary = f"domain classifier score {fmt(score)} {op} {fmt(threshold)} (AUC {fmt(float(out['auc']))})"
    evidence = [
        f"{c['column']}: alone separates with AUC {fmt(float(c['auc']))}" for c in out["columns"][:5] if c["auc"] > 0.55
    ]
    gate = GateResult(
        kind="drift",
        check="multivariate_drift",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity("drift", severity),
        observed=score,
        bound={"at_most": threshold},
        summary=summary,
        evidence=evidence if not passed else [],
        hint="the joint distribution changed: look at the columns above and at their interactions; "
        "refresh the reference if the change is expected",
        details={
            "auc": out["auc"],
            "score": score,
            "threshold": threshold,
            "sampling": out["sampling"],
            "feature_auc": out["columns"],
            "n_reference": out["n_reference"],
            "n_current": out["n_current"],
        },
    )
    return _recorder.emit(gate)
