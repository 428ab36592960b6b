"""The generic gate: bound any number you compute yourself (a business KPI, a cost)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_mlops import _recorder
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import optional_number, require_bound, require_order
from pytest_mlops.results import GateResult, check_bounds

__all__ = ["check"]


def check(
    name: str,
    value: float,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    severity: str | None = None,
    kind: str = "custom",
    details: Mapping[str, Any] | None = None,
    hint: str | None = None,
) -> GateResult:
    """Gate ``value`` against inclusive bounds and record the result.

    Example::

        from pytest_mlops import gate

        def test_revenue_per_user(scored_orders):
            gate("revenue per user", scored_orders.revenue.mean(), at_least=3.0)

    Raises :class:`~pytest_mlops.errors.GateFailure` when a ``fail`` gate does not
    hold; a ``warn`` gate issues a :class:`~pytest_mlops.errors.GateWarning`.
    """
    __tracebackhide__ = True
    if not isinstance(name, str) or not name.strip():
        raise MlopsInputError(f"gate name must be a non-empty string, got {name!r}")
    where = f"gate {name!r}"
    require_bound(where, {"at_least": at_least, "at_most": at_most})
    low = optional_number("at_least", at_least, gate=where)
    high = optional_number("at_most", at_most, gate=where)
    require_order(at_least, at_most, gate=where)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MlopsInputError(f"gate {name!r}: value {value!r} is not a number") from None
    passed, summary = check_bounds(number, at_least=low, at_most=high)
    bound = {k: v for k, v in (("at_least", at_least), ("at_most", at_most)) if v is not None}
    result = GateResult(
        kind=kind,
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity(kind, severity),
        observed=number,
        bound=bound,
        summary=summary,
        hint=hint,
        details=details or {},
    )
    return _recorder.emit(result)
