"""Feature expectation gates: null rate, value range, allowed set, unseen categories,
uniqueness, cardinality and quantile bounds, per column, with ``warn`` or ``fail`` severity.

``expect(data, column, ...)`` gates one column (one result); ``expect_columns(data, spec)``
gates many columns in one call, grouping the failures of ``fail`` columns in one result and
those of ``warn`` columns in another, so a single run shows every broken expectation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops._recorder import clean_input_errors
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import number, require_order
from pytest_mlops.gates._summary import tally
from pytest_mlops.results import GateResult, JSONValue, fmt, to_json

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXPECTATIONS", "expect", "expect_columns"]

#: The keyword arguments :func:`expect` accepts (and the keys of an ``expect_columns`` spec).
EXPECTATIONS = (
    "null_rate_at_most",
    "at_least",
    "at_most",
    "allowed",
    "unseen_share_at_most",
    "unique",
    "cardinality_at_least",
    "cardinality_at_most",
    "quantiles",
)

#: The expectations ``mostly=`` relaxes: the ones judged value by value (Great Expectations'
#: "column map" expectations). The others are already shares or aggregates.
MOSTLY_CHECKS = ("range", "allowed", "unique")

HINT = "fix the data or the feature code; if the new values are expected, update the expectation"
_EXAMPLES = 3


@dataclass
class Outcome:
    """One expectation on one column."""

    column: str
    check: str
    passed: bool
    observed: JSONValue
    bound: dict[str, JSONValue]
    text: str
    count: int = 0
    examples: list[JSONValue] = field(default_factory=list)

    def failure(self) -> dict[str, JSONValue]:
        return {"column": self.column, "check": self.check, "count": self.count, "examples": list(self.examples)}

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "column": self.column,
            "check": self.check,
            "passed": self.passed,
            "observed": self.observed,
            "bound": dict(self.bound),
        }


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return value if value in ("nan", "inf", "-inf") else repr(value)
    return fmt(value)


def _number(name: str, value: Any, column: str) -> float:
    return number(name, value, gate=f"feature gate {column!r}")


def _mostly(value: Any, column: str, spec: Mapping[str, Any]) -> float:
    """``mostly=`` validated: a share in (0, 1], on a spec that has a value-by-value expectation."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise MlopsInputError(
            f"feature gate {column!r}: mostly={value!r} is not a share in (0, 1]; "
            "give the share of non-null values that must hold, e.g. mostly=0.95 (default 1.0: every value)"
        )
    if not any(
        spec.get(k) is not None and spec.get(k) is not False for k in ("at_least", "at_most", "allowed", "unique")
    ):
        raise MlopsInputError(
            f"feature gate {column!r}: mostly= applies to at_least/at_most, allowed and unique; "
            "give one of them, or drop mostly="
        )
    return float(value)


def _apply_mostly(outcome: Outcome, values: int, unexpected: int, mostly: float) -> Outcome:
    """``outcome`` judged by the share of ``values`` (non-null) that hold, as Great Expectations' ``mostly``.

    The unexpected count and examples stay; the expectation holds when at least ``mostly`` of the
    values hold (no values: it holds).
    """
    share = 1.0 - unexpected / values if values else 1.0
    ok = share >= mostly or math.isclose(share, mostly, rel_tol=1e-12)  # 19 of 20 is 0.95 exactly
    outcome.passed = ok
    outcome.bound = {**outcome.bound, "mostly": mostly}
    outcome.text += f"; {fmt(share)} of values hold {'>=' if ok else '<'} mostly {fmt(mostly)}"
    return outcome


def _what(data: Any) -> str:
    """How messages name the data: its path, or the file an in-memory frame was loaded from."""
    if isinstance(data, (str, Path)):
        return f"data file {str(data)!r}"
    from pytest_mlops.integrations import loading as data_mod

    return data_mod.described(data, "data")


def _frame(data: Any, what: str, columns: Sequence[str]) -> pd.DataFrame:
    """A pandas frame holding ``columns`` (polars data is converted column-wise)."""
    from pytest_mlops.integrations import is_spark_frame
    from pytest_mlops.integrations import loading as data_mod

    if is_spark_frame(data):  # a SparkFrame: len() is its row count; _evaluate aggregates in Spark
        from pytest_mlops.integrations.spark import require_frame

        return require_frame(data, what, columns)  # type: ignore[return-value]
    frame = data_mod.require_frame(data, what)
    what = data_mod.described(frame, what)
    data_mod.require_unique_columns(frame, what)
    data_mod.require_not_empty(frame, what)
    data_mod.require_columns(frame, columns, what)
    if data_mod.is_polars(frame):
        frame = frame.select(list(columns)).to_pandas()
    result: pd.DataFrame = frame
    return result


def _numeric(series: pd.Series, column: str, what: str, purpose: str) -> pd.Series:
    """The non-null values of a numeric column, or a clear error for text / mixed types."""
    import pandas as pd

    values = series.dropna()
    if pd.api.types.is_bool_dtype(series.dtype):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return values
    if series.dtype == object:
        kinds = sorted({type(v).__name__ for v in values.tolist()})
        numeric_kinds = {"int", "float", "bool", "int64", "float64", "int32", "float32"}
        if kinds and set(kinds) <= numeric_kinds:
            return values.astype(float)
        if len(kinds) > 1:
            raise MlopsInputError(
                f"{what} column {column!r} holds mixed types ({', '.join(kinds)}); {purpose} needs numbers: "
                "convert the column to one numeric dtype"
            )
    hint = ""
    if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
        parsed = pd.to_numeric(values, errors="coerce")
        if len(values) and parsed.notna().all():
            hint = " (its values are numbers stored as text: convert it with pandas.to_numeric or fix the file)"
    raise MlopsInputError(
        f"{what} column {column!r} is not numeric (dtype {series.dtype}); {purpose} needs numbers{hint}"
    )


def range_outcome(
    column: str,
    low: float | None,
    high: float | None,
    count: int,
    n: int,
    examples: list[JSONValue],
    minimum: float,
    maximum: float,
    *,
    infinite: bool = False,
) -> Outcome:
    """The ``range`` outcome: ``count`` of ``n`` values outside [low, high] (either may be None).

    ``minimum``/``maximum`` are shown when values fail; ``infinite`` says some failing value is ±inf,
    which is outside any range, also a one-sided one. Shared by the pandas and Spark paths.
    """
    lo = low if low is not None else -math.inf
    hi = high if high is not None else math.inf
    if low is None:
        rng = f"above {fmt(hi)}"
    elif high is None:
        rng = f"below {fmt(lo)}"
    else:
        rng = f"outside [{fmt(lo)}, {fmt(hi)}]"
    if (low is None or high is None) and infinite:
        rng += " or infinite"
    if count:
        text = (
            f"{count} of {n} values {rng}, e.g. {', '.join(map(_show, examples))} "
            f"(min {fmt(minimum)}, max {fmt(maximum)})"
        )
    else:
        text = f"all {n} values within bounds (none {rng})"
    bound_d: dict[str, JSONValue] = {}
    if low is not None:
        bound_d["at_least"] = lo
    if high is not None:
        bound_d["at_most"] = hi
    return Outcome(column, "range", count == 0, count, bound_d, text, count, examples)


def _top_values(series: pd.Series, limit: int = _EXAMPLES) -> list[JSONValue]:
    counts = series.value_counts(dropna=True)
    return [to_json(v) for v in counts.index[:limit].tolist()]


def _evaluate(
    frame: pd.DataFrame, column: str, spec: Mapping[str, Any], reference: pd.DataFrame | None, what: str
) -> list[Outcome]:
    import numpy as np

    mostly = spec.get("mostly")
    share = 1.0 if mostly is None else _mostly(mostly, column, spec)
    if getattr(frame, "is_spark", False):
        if share < 1:
            raise MlopsInputError(
                f"feature gate {column!r}: mostly= is not supported on Spark frames yet; "
                "use a pandas or polars frame, or bound the share with null_rate_at_most / unseen_share_at_most"
            )
        from pytest_mlops.integrations.spark import evaluate_expectations

        return evaluate_expectations(frame, column, spec, reference, what)  # type: ignore[arg-type]
    series = frame[column]
    rows = len(series)
    out: list[Outcome] = []
    nulls = int(series.isna().sum())

    if spec.get("null_rate_at_most") is not None:
        bound = _number("null_rate_at_most", spec["null_rate_at_most"], column)
        rate = nulls / rows
        ok = rate <= bound
        op = "<=" if ok else ">"
        out.append(
            Outcome(
                column,
                "null_rate",
                ok,
                rate,
                {"at_most": bound},
                f"null rate {fmt(rate)} {op} {fmt(bound)} ({nulls} of {rows} rows)",
                nulls,
            )
        )

    low, high = spec.get("at_least"), spec.get("at_most")
    if low is not None or high is not None:
        lo = _number("at_least", low, column) if low is not None else -math.inf
        hi = _number("at_most", high, column) if high is not None else math.inf
        require_order(low, high, gate=f"feature gate {column!r}")
        values = _numeric(series, column, what, "a value range")
        arr = values.to_numpy(dtype=float)
        # inf is outside any range, also a one-sided one (at_least=0 alone must not admit +inf)
        outside = (arr < lo) | (arr > hi) | np.isinf(arr)
        count = int(outside.sum())
        bad = values[outside]
        # worst first: furthest beyond the nearer bound
        bad_arr = bad.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            distance = np.where(np.isinf(bad_arr), np.inf, np.maximum(lo - bad_arr, bad_arr - hi))
        worst = bad.iloc[np.argsort(-distance, kind="stable")]
        examples = [to_json(v) for v in worst.drop_duplicates().iloc[:_EXAMPLES].tolist()]
        infinite = bool(np.isinf(bad_arr).any())
        minimum, maximum = (float(arr.min()), float(arr.max())) if count else (0.0, 0.0)
        given_lo, given_hi = (lo if low is not None else None), (hi if high is not None else None)
        outcome = range_outcome(
            column, given_lo, given_hi, count, len(arr), examples, minimum, maximum, infinite=infinite
        )
        out.append(outcome if share == 1 else _apply_mostly(outcome, len(arr), count, share))

    if spec.get("allowed") is not None:
        allowed = spec["allowed"]
        if isinstance(allowed, (str, bytes)) or not hasattr(allowed, "__iter__"):
            raise MlopsInputError(f"feature gate {column!r}: allowed= must be a list or set of values, got {allowed!r}")
        allowed_list = list(allowed)
        values = series.dropna()
        bad = values[~values.isin(allowed_list)]
        count = len(bad)
        examples = _top_values(bad)
        text = (
            f"{count} value{'' if count == 1 else 's'} not in the allowed set, e.g. {', '.join(map(_show, examples))}"
            if count
            else f"all {len(values)} values in the allowed set"
        )
        outcome = Outcome(
            column, "allowed", count == 0, count, {"allowed": to_json(allowed_list)}, text, count, examples
        )
        out.append(outcome if share == 1 else _apply_mostly(outcome, len(values), count, share))

    if spec.get("unseen_share_at_most") is not None:
        bound = _number("unseen_share_at_most", spec["unseen_share_at_most"], column)
        if reference is None:
            raise MlopsInputError(
                f"feature gate {column!r}: unseen_share_at_most needs reference data; pass reference=DATA"
            )
        ref_values = set(reference[column].dropna().unique().tolist())
        values = series.dropna()
        unseen_mask = ~values.isin(list(ref_values))
        count = int(unseen_mask.sum())
        share = count / rows
        categories = _top_values(values[unseen_mask])
        n_categories = int(values[unseen_mask].nunique())
        ok = share <= bound
        text = (
            f"{n_categories} unseen categories in {count} rows (share {fmt(share)} {'<=' if ok else '>'} "
            f"{fmt(bound)})" + (f", e.g. {', '.join(map(_show, categories))}" if categories else "")
        )
        out.append(Outcome(column, "unseen_categories", ok, share, {"at_most": bound}, text, count, categories))

    if spec.get("unique"):
        values = series.dropna()
        dup_mask = values.duplicated(keep=False)
        count = int(values.duplicated().sum())
        examples = _top_values(values[dup_mask])
        text = (
            f"{count} duplicated value{'' if count == 1 else 's'}, e.g. {', '.join(map(_show, examples))}"
            if count
            else f"all {len(values)} values unique"
        )
        outcome = Outcome(column, "unique", count == 0, count, {"at_most": 0}, text, count, examples)
        # the share that holds counts every row of a repeated value as unexpected, as Great Expectations does
        out.append(outcome if share == 1 else _apply_mostly(outcome, len(values), int(dup_mask.sum()), share))

    clo, chi = spec.get("cardinality_at_least"), spec.get("cardinality_at_most")
    if clo is not None or chi is not None:
        from pytest_mlops.results import check_bounds

        distinct = int(series.nunique(dropna=True))
        lo_c = _number("cardinality_at_least", clo, column) if clo is not None else None
        hi_c = _number("cardinality_at_most", chi, column) if chi is not None else None
        try:
            ok, summary = check_bounds(distinct, at_least=lo_c, at_most=hi_c)
        except ValueError as exc:
            raise MlopsInputError(f"feature gate {column!r}: {exc}") from None
        bound_c = {k: v for k, v in (("at_least", lo_c), ("at_most", hi_c)) if v is not None}
        out.append(Outcome(column, "cardinality", ok, distinct, dict(bound_c), f"cardinality {summary}"))

    quantiles = spec.get("quantiles")
    if quantiles is not None:
        if not isinstance(quantiles, Mapping) or not quantiles:
            raise MlopsInputError(
                f"feature gate {column!r}: quantiles= must map a quantile to (low, high), e.g. {{0.5: (10, 20)}}"
            )
        values = _numeric(series, column, what, "a quantile bound")
        if values.empty:
            raise MlopsInputError(f"{what} column {column!r} has only nulls; a quantile bound needs values")
        for q, bounds in quantiles.items():
            qf = _number("quantile", q, column)
            if not 0 <= qf <= 1:
                raise MlopsInputError(f"feature gate {column!r}: quantile {q!r} is outside [0, 1]")
            if not isinstance(bounds, Sequence) or len(bounds) != 2:
                raise MlopsInputError(f"feature gate {column!r}: quantile {q!r} needs (low, high), got {bounds!r}")
            qlo = None if bounds[0] is None else _number("quantile low", bounds[0], column)
            qhi = None if bounds[1] is None else _number("quantile high", bounds[1], column)
            value = float(values.quantile(qf))
            from pytest_mlops.results import check_bounds

            try:
                ok, summary = check_bounds(value, at_least=qlo, at_most=qhi)
            except ValueError as exc:
                raise MlopsInputError(f"feature gate {column!r}: quantile {q!r}: {exc}") from None
            bound_q = {k: v for k, v in (("at_least", qlo), ("at_most", qhi)) if v is not None}
            out.append(
                Outcome(column, f"quantile({fmt(qf)})", ok, value, dict(bound_q), f"quantile {fmt(qf)} = {summary}")
            )
    return out


def _check_spec(column: str, spec: Mapping[str, Any]) -> None:
    unknown = sorted(set(spec) - set(EXPECTATIONS) - {"severity", "mostly"})
    if unknown:
        raise MlopsInputError(
            f"feature gate {column!r}: unknown expectation {unknown[0]!r}; "
            f"use: {', '.join(EXPECTATIONS)}, mostly, severity"
        )
    if not any(spec.get(k) is not None and spec.get(k) is not False for k in EXPECTATIONS):
        raise MlopsInputError(f"feature gate {column!r}: give at least one expectation ({', '.join(EXPECTATIONS)})")


def _reference(reference: Any, columns: Sequence[str]) -> pd.DataFrame | None:
    if reference is None:
        return None
    what = repr(str(reference)) if isinstance(reference, (str, Path)) else "reference data"
    return _frame(reference, what, columns)


def _result(name: str, outcomes: list[Outcome], severity: str, columns: Sequence[str], rows: int) -> GateResult:
    failed = [o for o in outcomes if not o.passed]
    if len(outcomes) == 1:
        summary = outcomes[0].text
    elif failed:
        summary = f"{tally(len(failed), len(outcomes), 'expectation', 'failed')} > 0"
    else:
        summary = f"all {len(outcomes)} expectations held on {len(columns)} columns"
    observed: JSONValue = outcomes[0].observed if len(outcomes) == 1 else len(failed)
    bound: dict[str, JSONValue] = dict(outcomes[0].bound) if len(outcomes) == 1 else {"at_most": 0}
    failed.sort(key=lambda o: -o.count)
    return GateResult(
        kind="feature",
        check="expectations",
        name=name,
        passed=not failed,
        severity=severity,  # type: ignore[arg-type]
        observed=observed,
        bound=bound,
        summary=summary,
        evidence=[f"column {o.column!r}: {o.text}" for o in failed] if len(outcomes) > 1 else [],
        hint=HINT,
        details={
            "failures": [o.failure() for o in failed],
            "checks": [o.to_dict() for o in outcomes],
            "rows": rows,
        },
    )


@clean_input_errors
def expect(
    data: Any,
    column: str,
    *,
    null_rate_at_most: float | None = None,
    at_least: float | None = None,
    at_most: float | None = None,
    allowed: Sequence[Any] | set[Any] | None = None,
    reference: Any = None,
    unseen_share_at_most: float | None = None,
    unique: bool = False,
    cardinality_at_least: int | None = None,
    cardinality_at_most: int | None = None,
    quantiles: Mapping[float, tuple[float | None, float | None]] | None = None,
    mostly: float | None = None,
    severity: str | None = None,
    name: str | None = None,
) -> GateResult:
    """Gate one column against any of the expectations; one result for the column.

    Example::

        from pytest_mlops.gates.feature import expect

        def test_amount(orders, reference_orders):
            expect(orders, "amount", null_rate_at_most=0.01, at_least=0, quantiles={0.5: (20, 60)})
            expect(orders, "country", reference=reference_orders, unseen_share_at_most=0.001)
            expect(orders, "order_id", unique=True, severity="warn")

    ``at_least``/``at_most`` bound every non-null value (``inf`` counts as outside);
    ``unseen_share_at_most`` bounds the share of rows whose category never occurs in
    ``reference``; ``quantiles`` maps a quantile to inclusive ``(low, high)`` bounds.

    ``mostly`` (Great Expectations' word) relaxes the value-by-value expectations
    (``at_least``/``at_most``, ``allowed``, ``unique``): they hold when at least that share of
    the non-null values satisfies them, e.g. ``mostly=0.95``. Default 1.0: every value.
    """
    __tracebackhide__ = True
    spec = {
        "null_rate_at_most": null_rate_at_most,
        "at_least": at_least,
        "at_most": at_most,
        "allowed": allowed,
        "unseen_share_at_most": unseen_share_at_most,
        "unique": unique,
        "cardinality_at_least": cardinality_at_least,
        "cardinality_at_most": cardinality_at_most,
        "quantiles": quantiles,
        "mostly": mostly,
    }
    _check_spec(column, spec)
    resolved = _recorder.resolve_severity("feature", severity)
    what = _what(data)
    frame = _frame(data, what, [column])
    ref = _reference(reference, [column]) if unseen_share_at_most is not None else None
    outcomes = _evaluate(frame, column, spec, ref, what)
    result = _result(name or column, outcomes, resolved, [column], len(frame))
    return _recorder.emit(result)


@clean_input_errors
def expect_columns(
    data: Any,
    spec: Mapping[str, Mapping[str, Any]],
    *,
    reference: Any = None,
    severity: str | None = None,
    name: str = "feature expectations",
) -> list[GateResult]:
    """Gate many columns at once; ``spec`` maps a column to its expectations.

    Each column may set its own ``"severity": "warn"`` (default: ``severity=``, else the
    test's marker, else ``fail``). Columns are grouped by severity into at most two results
    (``name`` and ``name + " (warn)"``), so one run reports every failing expectation.

    Example::

        expect_columns(current, {
            "age": {"null_rate_at_most": 0.0, "at_least": 0, "at_most": 120},
            "plan": {"allowed": ["free", "pro"], "severity": "warn"},
            "country": {"unseen_share_at_most": 0.01},
            "zip": {"allowed": known_zips, "mostly": 0.98},
        }, reference=reference)
    """
    __tracebackhide__ = True
    if not isinstance(spec, Mapping) or not spec:
        raise MlopsInputError("feature gate: spec must map column names to expectations, e.g. {'age': {'at_least': 0}}")
    default = _recorder.resolve_severity("feature", severity)
    groups: dict[str, list[tuple[str, Mapping[str, Any]]]] = {"fail": [], "warn": []}
    for column, col_spec in spec.items():
        if not isinstance(col_spec, Mapping):
            raise MlopsInputError(f"feature gate {column!r}: expectations must be a mapping, got {col_spec!r}")
        _check_spec(column, col_spec)
        col_severity = col_spec.get("severity", default)
        if col_severity not in ("fail", "warn"):
            raise MlopsInputError(
                f"feature gate {column!r}: severity={col_severity!r} is not accepted; use 'fail' or 'warn'"
            )
        groups[col_severity].append((column, col_spec))
    what = _what(data)
    frame = _frame(data, what, list(spec))
    needs_ref = [c for c, s in spec.items() if s.get("unseen_share_at_most") is not None]
    ref = _reference(reference, needs_ref) if needs_ref else None
    results: list[GateResult] = []
    # warn first: a failing fail group raises, and the warn results must be recorded by then
    for sev in ("warn", "fail"):
        entries = groups[sev]
        if not entries:
            continue
        outcomes: list[Outcome] = []
        for column, col_spec in entries:
            outcomes.extend(_evaluate(frame, column, col_spec, ref, what))
        label = name if sev == "fail" else f"{name} (warn)"
        result = _result(label, outcomes, sev, [c for c, _ in entries], len(frame))
        if len(outcomes) == 1 and not result.passed:
            result = _result_with_column(result, outcomes[0])
        results.append(_recorder.emit(result))
    return results


def _result_with_column(result: GateResult, outcome: Outcome) -> GateResult:
    from dataclasses import replace

    return replace(result, summary=f"column {outcome.column!r}: {outcome.text}")
