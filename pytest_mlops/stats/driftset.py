"""Column-by-column drift of a dataset: pick methods, compare, correct p-values, decide.

Long because: one pipeline (options, method choice, per-column compare, p-value correction,
decision) over three kinds of input (frames, saved profiles, summaries) that must decide alike.

Pure numeric code over :class:`~pytest_mlops.stats.columns.ColumnSource` inputs, a saved
:class:`~pytest_mlops.stats.refstats.ReferenceProfile`, or per-column summaries (bin and
category counts, :func:`compare_summaries`); the gates in ``pytest_mlops.gates.drift`` turn a
:class:`DriftResult` into a ``GateResult``. The default decision is calibrated: see
:mod:`pytest_mlops.stats.significance`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.stats.columns import ColumnData, ColumnSource
from pytest_mlops.stats.drift import (
    CATEGORICAL_METHODS,
    DEFAULT_THRESHOLDS,
    NUMERIC_METHODS,
    P_VALUE_METHODS,
    CategoricalComparison,
    NumericComparison,
    compare_counts,
    compare_numeric,
    default_method,
)
from pytest_mlops.stats.refstats import BinnedCounter, ColumnCounts, ColumnProfile, ReferenceProfile
from pytest_mlops.stats.significance import (
    ALPHA,
    CORRECTIONS,
    KS_EXACT_MAX,
    MC_DRAWS,
    MIN_EFFECT,
    adjust_p_values,
    column_rng,
    ks_critical_value,
    mean_shift_for_ks,
    null_rate_changed,
    null_rate_p_value,
)

__all__ = ["ColumnResult", "DriftOptions", "DriftResult", "compare", "compare_summaries"]

FrameSource = ColumnSource  # the name older callers used

#: Below this many non-null rows (smaller side) a column gets a note on statistical power.
TINY_SAMPLE = 30
#: Categories kept in the report per column (the rest are summed into one "(other)" entry).
CATEGORY_CAP = 50


@dataclass(frozen=True)
class DriftOptions:
    """What to compare and how (validated by :meth:`check`)."""

    method: str | None = None
    methods: Mapping[str, str] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=dict)
    correction: str | None = "bh"
    null_rate_shift: float = 0.05
    null_rate_ratio: float | None = 2.0
    min_effect: float = MIN_EFFECT
    seed: int = 0
    bins: int = 10
    workers: int | None = None

    def check(self, columns: Sequence[str]) -> None:
        known = set(NUMERIC_METHODS) | set(CATEGORICAL_METHODS)
        if self.method is not None and self.method not in known:
            raise MlopsInputError(f"method={self.method!r} is not known; use one of {sorted(known)}")
        for col, m in self.methods.items():
            if col not in columns:
                raise MlopsInputError(
                    f"methods={{{col!r}: ...}} names a column that is not compared; columns: {list(columns)[:20]!r}"
                )
            if m not in known:
                raise MlopsInputError(f"methods[{col!r}]={m!r} is not known; use one of {sorted(known)}")
        for col, t in self.thresholds.items():
            if col not in columns:
                raise MlopsInputError(f"thresholds={{{col!r}: ...}} names a column that is not compared")
            if not isinstance(t, (int, float)) or isinstance(t, bool) or not math.isfinite(t) or t < 0:
                raise MlopsInputError(f"thresholds[{col!r}]={t!r} must be a non-negative number")
        if self.correction not in CORRECTIONS:
            raise MlopsInputError(
                f"correction={self.correction!r} is not known; use None, 'bonferroni', 'holm', 'bh' or 'by'"
            )
        if not 0 <= self.null_rate_shift <= 1:
            raise MlopsInputError(f"null_rate_shift={self.null_rate_shift!r} must be in [0, 1]")
        if self.null_rate_ratio is not None and not (
            isinstance(self.null_rate_ratio, (int, float)) and self.null_rate_ratio > 1
        ):
            raise MlopsInputError(f"null_rate_ratio={self.null_rate_ratio!r} must be a number > 1, or None")
        if not isinstance(self.min_effect, (int, float)) or not 0 <= self.min_effect <= 1:
            raise MlopsInputError(f"min_effect={self.min_effect!r} must be in [0, 1] (0: the test alone decides)")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool):
            raise MlopsInputError(f"seed={self.seed!r} must be an integer")
        if not isinstance(self.bins, int) or self.bins < 2:
            raise MlopsInputError(f"bins={self.bins!r} must be an integer >= 2")


@dataclass
class ColumnResult:
    column: str
    type: str
    method: str
    score: float | None
    threshold: float
    drifted: bool
    p_value: float | None
    n_reference: int
    n_current: int
    null_rate_reference: float
    null_rate_current: float
    null_drifted: bool = False
    distribution_drifted: bool = False
    p_adjusted: float | None = None
    scores: dict[str, float] = field(default_factory=dict)
    histogram: dict[str, Any] = field(default_factory=dict)
    reference: list[float] = field(default_factory=list)
    current: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    exact: bool = True
    ks_error: float = 0.0
    wasserstein_error: float = 0.0
    #: p-value methods: the size of the change (KS D, total variation) and the floor it must reach
    effect: float | None = None
    min_effect: float = 0.0
    #: Fisher's exact test of the null shares (None: neither side has nulls) and its adjusted value
    p_null: float | None = None
    p_null_adjusted: float | None = None
    #: KS columns: the smallest mean shift (sigma of normal data) this test at this n flags half the time
    mde_sigma: float | None = None
    ks_critical: float | None = None
    p_method: str | None = None

    @property
    def severity(self) -> float:
        """How far past its threshold (>1 drifted); comparable across methods for ordering."""
        if self.score is None:
            return 0.0
        if self.method in P_VALUE_METHODS:
            p = self.p_adjusted if self.p_adjusted is not None else self.score
            return self.threshold / max(p, 1e-300)
        return self.score / self.threshold if self.threshold > 0 else math.inf

    def evidence(self) -> str:
        parts = []
        if self.distribution_drifted and self.score is not None:
            if self.method in P_VALUE_METHODS:
                p = self.p_adjusted if self.p_adjusted is not None else self.score
                label = "p_adj" if self.p_adjusted is not None else "p"
                effect = "D" if self.method == "ks" else "total variation"
                parts.append(
                    f"{self.method} {label}={p:.3g} < {self.threshold:.4g}, {effect} {self.effect or 0.0:.3g} "
                    f">= {self.min_effect:.3g}"
                )
            else:
                parts.append(f"{self.method} {self.score:.4g} > {self.threshold:.4g}")
        if self.null_drifted:
            p_null = self.p_null_adjusted if self.p_null_adjusted is not None else self.p_null
            shown = f" (Fisher p={p_null:.3g})" if p_null is not None else ""
            parts.append(f"null rate {self.null_rate_reference:.3g} -> {self.null_rate_current:.3g}{shown}")
        return f"{self.column}: " + "; ".join(parts)

    def to_details(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "type": self.type,
            "method": self.method,
            "score": self.score,
            "threshold": self.threshold,
            "drifted": self.drifted,
            "p_value": self.p_value,
            "p_adjusted": self.p_adjusted,
            "null_rate_reference": self.null_rate_reference,
            "null_rate_current": self.null_rate_current,
            "null_drifted": self.null_drifted,
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "scores": self.scores,
            "histogram": self.histogram,
            "reference": self.reference,
            "current": self.current,
            "exact": self.exact,
            "ks_error": self.ks_error,
            "wasserstein_error": self.wasserstein_error,
            "effect": self.effect,
            "min_effect": self.min_effect,
            "p_null": self.p_null,
            "p_null_adjusted": self.p_null_adjusted,
            "mde_sigma": self.mde_sigma,
            "ks_critical": self.ks_critical,
            "p_method": self.p_method,
            "notes": self.notes,
        }


@dataclass
class DriftResult:
    columns: list[ColumnResult]
    correction: str | None
    sampling: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    #: the seed of the Monte Carlo nulls, and how many tests the correction ran over
    seed: int = 0
    family_size: int = 0

    @property
    def drifted(self) -> list[ColumnResult]:
        return [c for c in self.columns if c.drifted]

    @property
    def share_drifted(self) -> float:
        return len(self.drifted) / len(self.columns) if self.columns else 0.0


# --------------------------------------------------------------------------------------------


def _null_rate(n_null: int, n_rows: int) -> float:
    return n_null / n_rows if n_rows else 0.0


def _numeric_scores(c: NumericComparison) -> dict[str, float]:
    scores = {
        "ks_statistic": c.ks_statistic,
        "psi": c.psi,
        "wasserstein": c.wasserstein_normed,
        "wasserstein_raw": c.wasserstein,
        "jensenshannon": c.jensenshannon,
        "hellinger": c.hellinger,
    }
    scores["ks_p_value"] = c.ks_p_value
    return scores


def _categorical_scores(c: CategoricalComparison) -> dict[str, float]:
    return {
        "chi2_statistic": c.chi2_statistic,
        "chi2_p_value": c.chi2_p_value,
        "psi": c.psi,
        "jensenshannon": c.jensenshannon,
        "linf": c.linf,
        "cramers_v": c.cramers_v,
        "total_variation": c.total_variation,
    }


def _pick_method(name: str, kind: str, n_min: int, options: DriftOptions) -> str:
    allowed = NUMERIC_METHODS if kind == "numeric" else CATEGORICAL_METHODS
    chosen = options.methods.get(name)
    if chosen is not None:
        if chosen not in allowed:
            raise MlopsInputError(
                f"methods[{name!r}]={chosen!r} does not apply to {kind} column {name!r}; use one of {list(allowed)}"
            )
        return chosen
    if options.method is not None and options.method in allowed:
        return options.method
    return default_method(kind, n_min)


def _column_result(
    name: str,
    kind: str,
    ref_rows: int,
    ref_null: int,
    cur_rows: int,
    cur_null: int,
    comp: NumericComparison | CategoricalComparison | None,
    options: DriftOptions,
    extra_notes: list[str],
) -> ColumnResult:
    nr_r, nr_c = _null_rate(ref_null, ref_rows), _null_rate(cur_null, cur_rows)
    p_null = null_rate_p_value(ref_null, ref_rows, cur_null, cur_rows)
    notes = list(extra_notes)
    if comp is None:
        n_ref = ref_rows - ref_null
        n_cur = cur_rows - cur_null
        side = "reference" if n_ref == 0 else "current"
        notes.append(f"no non-null values in {side}: only the null rate is compared")
        return ColumnResult(
            name,
            kind,
            "null_rate",
            None,
            options.null_rate_shift,
            False,
            None,
            n_ref,
            n_cur,
            nr_r,
            nr_c,
            notes=notes,
            p_null=p_null,
        )
    method = _pick_method(name, kind, min(comp.n_reference, comp.n_current), options)
    threshold = float(options.thresholds.get(name, DEFAULT_THRESHOLDS[method]))
    score = float(comp.score(method))
    notes.extend(comp.notes)
    if isinstance(comp, NumericComparison):
        scores = _numeric_scores(comp)
        edges = [comp.low, *comp.edges, comp.high]
        histogram: dict[str, Any] = {"edges": edges}
        ref_shares, cur_shares = comp.reference_shares, comp.current_shares
        p_value = comp.ks_p_value if method == "ks" else None
        exact = comp.ks_error == 0 and comp.wasserstein_error == 0
    else:
        scores = _categorical_scores(comp)
        cats = [str(c) for c in comp.categories]
        rc = np.asarray(comp.reference_counts, dtype=np.float64)
        cc = np.asarray(comp.current_counts, dtype=np.float64)
        ref_sh = rc / rc.sum() if rc.sum() else rc
        cur_sh = cc / cc.sum() if cc.sum() else cc
        if len(cats) > CATEGORY_CAP:
            keep = CATEGORY_CAP - 1
            cats = [*cats[:keep], f"(other {len(cats) - keep})"]
            ref_sh = np.concatenate([ref_sh[:keep], [ref_sh[keep:].sum()]])
            cur_sh = np.concatenate([cur_sh[:keep], [cur_sh[keep:].sum()]])
        histogram = {"categories": cats}
        ref_shares, cur_shares = [float(v) for v in ref_sh], [float(v) for v in cur_sh]
        p_value = comp.chi2_p_value if method == "chi2" else None
        exact = True
    n_min = min(comp.n_reference, comp.n_current)
    if n_min < TINY_SAMPLE:
        crit = ks_critical_value(comp.n_reference, comp.n_current, ALPHA)
        notes.append(
            f"only {comp.n_reference} reference and {comp.n_current} current values: low statistical power "
            f"(a KS test at {ALPHA:g} flags only differences in distribution of D >= {crit:.2f})"
        )
    effect: float | None = None
    p_method: str | None = None
    if method == "ks":
        assert isinstance(comp, NumericComparison)
        effect = comp.ks_statistic
        exact_p = max(comp.n_reference, comp.n_current) <= KS_EXACT_MAX and comp.ks_error == 0
        p_method = "exact" if exact_p else "asymptotic"
    elif method == "chi2":
        assert isinstance(comp, CategoricalComparison)
        effect = comp.total_variation
        p_method = comp.chi2_method
        if comp.chi2_method == "monte carlo":
            notes.append(f"sparse table: chi2 p-value from {MC_DRAWS} seeded Monte Carlo draws (seed {options.seed})")
    return ColumnResult(
        column=name,
        type=kind,
        method=method,
        score=score,
        threshold=threshold,
        drifted=False,
        p_value=p_value,
        n_reference=comp.n_reference,
        n_current=comp.n_current,
        null_rate_reference=nr_r,
        null_rate_current=nr_c,
        scores=scores,
        histogram=histogram,
        reference=ref_shares,
        current=cur_shares,
        notes=notes,
        exact=exact,
        ks_error=comp.ks_error if isinstance(comp, NumericComparison) else 0.0,
        wasserstein_error=comp.wasserstein_error if isinstance(comp, NumericComparison) else 0.0,
        effect=effect,
        min_effect=float(options.min_effect) if method in P_VALUE_METHODS else 0.0,
        p_null=p_null,
        p_method=p_method,
    )


def _inf_note(ref_inf: int, cur_inf: int) -> list[str]:
    if ref_inf or cur_inf:
        return [f"infinite values left out: {ref_inf} in reference, {cur_inf} in current"]
    return []


def _compare_columns(ref: ColumnData, cur: ColumnData, options: DriftOptions) -> ColumnResult:
    comp: NumericComparison | CategoricalComparison | None
    if ref.kind == "numeric":
        assert ref.values is not None
        assert cur.values is not None
        comp = (
            compare_numeric(ref.values, cur.values, bins=options.bins) if ref.values.size and cur.values.size else None
        )
        notes = _inf_note(ref.n_infinite, cur.n_infinite)
    else:
        assert ref.counts is not None
        assert cur.counts is not None
        rng = column_rng(options.seed, ref.name)
        comp = compare_counts(ref.counts, cur.counts, rng=rng) if ref.counts and cur.counts else None
        notes = []
    return _column_result(ref.name, ref.kind, ref.n_rows, ref.n_null, cur.n_rows, cur.n_null, comp, options, notes)


def _compare_profile(ref: ColumnProfile, cur: ColumnData, options: DriftOptions) -> ColumnResult:
    comp: NumericComparison | CategoricalComparison | None
    notes: list[str] = []
    if ref.kind == "numeric":
        assert cur.values is not None
        if ref.n_valid == 0 or cur.values.size == 0:
            comp = None
        else:
            counter = BinnedCounter(ref.edges)
            counter.add(cur.values, n_rows=cur.n_rows, n_null=cur.n_null, n_infinite=cur.n_infinite)
            comp = counter.compare(ref, options.bins)
        notes = _inf_note(ref.n_infinite, cur.n_infinite)
    else:
        assert cur.counts is not None
        rng = column_rng(options.seed, ref.name)
        comp = compare_counts(dict(ref.categories), cur.counts, rng=rng) if ref.categories and cur.counts else None
    return _column_result(ref.name, ref.kind, ref.n_rows, ref.n_null, cur.n_rows, cur.n_null, comp, options, notes)


def _profile_job(
    prof: ColumnProfile, current: FrameSource, name: str, kind: str, options: DriftOptions
) -> ColumnResult:
    return _compare_profile(prof, current.column(name, kind), options)


def _frame_job(
    reference: FrameSource, current: FrameSource, name: str, kind: str, options: DriftOptions
) -> ColumnResult:
    return _compare_columns(reference.column(name, kind), current.column(name, kind), options)


def _decide(results: list[ColumnResult], options: DriftOptions) -> tuple[list[ColumnResult], int]:
    """Adjust every p-value of the gate as one family, then decide each column; returns (sorted, family size)."""
    family: list[tuple[ColumnResult, str, float]] = []
    for r in results:
        if r.score is not None and r.method in P_VALUE_METHODS:
            family.append((r, "distribution", r.score))
        if r.p_null is not None:
            family.append((r, "null", r.p_null))
    adjusted = adjust_p_values([p for _, _, p in family], options.correction)
    for (r, what, _), p in zip(family, adjusted, strict=True):
        if options.correction is None:
            continue
        if what == "distribution":
            r.p_adjusted = p
        else:
            r.p_null_adjusted = p
    size = max(len(family), 1)
    level = ALPHA / size if options.correction is not None else ALPHA
    for r in results:
        if r.score is not None:
            if r.method in P_VALUE_METHODS:
                p = r.p_adjusted if r.p_adjusted is not None else r.score
                r.distribution_drifted = p < r.threshold and (r.effect or 0.0) >= r.min_effect
            else:
                r.distribution_drifted = r.score > r.threshold
        if r.p_null is not None:
            p_null = r.p_null_adjusted if r.p_null_adjusted is not None else r.p_null
            changed = null_rate_changed(
                r.null_rate_reference,
                r.null_rate_current,
                shift=options.null_rate_shift,
                ratio=options.null_rate_ratio,
            )
            r.null_drifted = p_null < ALPHA and changed
        r.drifted = r.distribution_drifted or r.null_drifted
        if r.method == "ks" and r.n_reference and r.n_current:
            # a change alone among the gate's tests is flagged when p <= alpha / size (the first BH step)
            crit = max(ks_critical_value(r.n_reference, r.n_current, level), r.min_effect)
            r.ks_critical = crit
            r.mde_sigma = mean_shift_for_ks(crit)
    ordered = sorted(results, key=lambda r: (not r.drifted, -r.severity, r.column))
    return ordered, len(family)


#: Below this many rows (reference + current), threads cost more than they save.
THREADS_FROM_ROWS = 1_000_000


def _run(jobs: list[Callable[[], ColumnResult]], workers: int | None, rows: int) -> list[ColumnResult]:
    """Run the column jobs; by default on 2 threads for big inputs (numpy releases the GIL)."""
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if rows >= THREADS_FROM_ROWS else 1
    count = workers
    if count <= 1 or len(jobs) <= 1:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda job: job(), jobs))


def resolve_columns(
    ref_names: Sequence[str],
    cur_names: Sequence[str],
    columns: Sequence[str] | None,
    exclude: Sequence[str],
    ref_label: str,
    cur_label: str,
) -> tuple[list[str], list[str]]:
    """The columns to compare and a list of notes; raises on missing columns."""
    notes: list[str] = []
    if columns is not None:
        if isinstance(columns, str):
            raise MlopsInputError(f"columns={columns!r} must be a list of column names, e.g. columns=[{columns!r}]")
        chosen = list(columns)
        missing_ref = [c for c in chosen if c not in ref_names]
        if missing_ref:
            raise MlopsInputError(f"{ref_label} has no column(s) {missing_ref!r}; it has {list(ref_names)[:20]!r}")
    else:
        chosen = [c for c in ref_names if c not in set(exclude)]
    missing = [c for c in chosen if c not in cur_names]
    if missing:
        raise MlopsInputError(
            f"{cur_label} lacks column(s) {missing!r} present in {ref_label}; add them, or leave them out "
            f"with exclude={missing!r}"
        )
    extra = [c for c in cur_names if c not in ref_names and c not in set(exclude)]
    if extra and columns is None:
        notes.append(f"{len(extra)} column(s) only in {cur_label}, not compared: {extra[:5]!r}")
    if not chosen:
        raise MlopsInputError(f"no columns to compare between {ref_label} and {cur_label}; check columns= and exclude=")
    return chosen, notes


def compare(
    reference: FrameSource | ReferenceProfile,
    current: FrameSource,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    categorical: Sequence[str] = (),
    options: DriftOptions | None = None,
    ref_label: str = "reference",
    cur_label: str = "current",
) -> DriftResult:
    """Compare ``current`` with ``reference`` column by column and decide which columns drifted."""
    options = options or DriftOptions()
    if current.n_rows == 0:
        raise MlopsInputError(f"{cur_label} has no rows; drift needs data on both sides")
    if isinstance(reference, ReferenceProfile):
        ref_names = list(reference.columns)
        if reference.n_rows == 0:
            raise MlopsInputError(f"{ref_label} has no rows")
    else:
        ref_names = reference.names
        if reference.n_rows == 0:
            raise MlopsInputError(f"{ref_label} has no rows; drift needs data on both sides")
    chosen, notes = resolve_columns(ref_names, current.names, columns, exclude, ref_label, cur_label)
    if isinstance(reference, ReferenceProfile):
        notes.extend(reference.notes())
    options.check(chosen)
    unknown_cat = [c for c in categorical if c not in chosen]
    if unknown_cat:
        raise MlopsInputError(f"categorical={unknown_cat!r} names column(s) that are not compared")
    kinds: dict[str, str] = {}
    for name in chosen:
        k_cur = current.kind(name)
        if isinstance(reference, ReferenceProfile):
            k_ref = reference.columns[name].kind
            if name in categorical and k_ref != "categorical":
                raise MlopsInputError(
                    f"column {name!r} was saved as numeric in {ref_label}; re-save the statistics with "
                    f"--categorical {name} to compare it as categories"
                )
        else:
            k_ref = reference.kind(name)
        if name in categorical:
            kinds[name] = "categorical"
            continue
        if k_ref != k_cur:
            ref_dtype = (
                reference.columns[name].dtype if isinstance(reference, ReferenceProfile) else reference.dtype(name)
            )
            raise MlopsInputError(
                f"column {name!r} is {k_ref} in {ref_label} ({ref_dtype}) but {k_cur} in {cur_label} "
                f"({current.dtype(name)}); cast one side (e.g. pd.to_numeric) or compare it as categories with "
                f"categorical=[{name!r}]"
            )
        kinds[name] = k_ref
    jobs: list[Callable[[], ColumnResult]] = []
    for name in chosen:
        kind = kinds[name]
        if isinstance(reference, ReferenceProfile):
            prof = reference.columns[name]
            jobs.append(partial(_profile_job, prof, current, name, kind, options))
        else:
            jobs.append(partial(_frame_job, reference, current, name, kind, options))
    rows = current.n_rows + reference.n_rows
    results = _run(jobs, options.workers, rows)
    ordered, size = _decide(results, options)
    return DriftResult(ordered, options.correction, None, notes, options.seed, size)


def compare_summaries(
    reference: ReferenceProfile,
    current: Mapping[str, ColumnCounts],
    *,
    options: DriftOptions | None = None,
    notes: Sequence[str] = (),
) -> DriftResult:
    """Drift from summaries only: the reference's saved statistics and, per column, current counts.

    ``current[name]`` is a :class:`~pytest_mlops.stats.refstats.ColumnCounts`: for a numeric
    column the counts (and, if known, sums, min, max, standard deviation) of the current values
    in the reference's bins (``reference.columns[name].edges``, right-closed), for a categorical
    column the count per category; rows and nulls for both. Any engine that can count (pyarrow
    batches, Spark ``groupBy``) gets the same calibrated verdict as in-memory data.
    """
    options = options or DriftOptions()
    chosen = list(current)
    missing = [c for c in chosen if c not in reference.columns]
    if missing:
        raise MlopsInputError(f"the reference statistics have no column(s) {missing!r}")
    if not chosen:
        raise MlopsInputError("no columns to compare; pass the current counts of at least one column")
    options.check(chosen)
    results = []
    for name in chosen:
        prof = reference.columns[name]
        counts = current[name]
        comp: NumericComparison | CategoricalComparison | None
        if prof.kind == "numeric":
            if counts.categories is not None:
                raise MlopsInputError(f"column {name!r} is numeric in the reference; pass bin counts, not categories")
            comp = counts.compare_numeric(prof, options.bins) if counts.n_valid and prof.n_valid else None
            extra = _inf_note(prof.n_infinite, counts.n_infinite)
        else:
            cats = dict(counts.categories or {})
            rng = column_rng(options.seed, name)
            comp = compare_counts(dict(prof.categories), cats, rng=rng) if prof.categories and cats else None
            extra = []
        results.append(
            _column_result(
                name, prof.kind, prof.n_rows, prof.n_null, counts.n_rows, counts.n_null, comp, options, extra
            )
        )
    ordered, size = _decide(results, options)
    return DriftResult(ordered, options.correction, None, [*notes, *reference.notes()], options.seed, size)
