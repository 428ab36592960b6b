"""Validation of the bounds and settings a user passes to a gate, shared by every gate module.

Each function checks one argument and raises :class:`~pytest_mlops.errors.MlopsInputError` with
one line naming the argument as typed, echoing its value (``!r``) and saying what is accepted:
``max_gap=-1 must be at least 0``, ``feature gate 'age': at_least='zero' is not a number``.
``gate`` is the message's prefix (``"shadow gate 'v2'"``); empty, the line starts with the argument.

Pure Python (no numpy), so the gate modules stay cheap to import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from pytest_mlops.errors import MlopsInputError

__all__ = ["Limits", "integer", "number", "optional_number", "require_bound", "require_order"]


def _prefix(gate: str) -> str:
    return f"{gate}: " if gate else ""


def _range(at_least: float | None, at_most: float | None) -> str:
    if at_least is not None and at_most is not None:
        return f"must be a number in [{at_least:g}, {at_most:g}]"
    if at_least is not None:
        return f"must be at least {at_least:g}"
    return f"must be at most {at_most:g}"


def number(
    label: str,
    value: Any,
    *,
    at_least: float | None = None,
    at_most: float | None = None,
    gate: str = "",
    note: str = "",
) -> float:
    """``value`` as a float: a real number (not a bool, not NaN) within the inclusive bounds given.

    ``note`` ends the message in brackets (what the value means, e.g. ``"0: no column may drift"``).

    Example::

        tol = number("tolerance", tolerance, at_least=0, gate=f"shadow gate {name!r}")
    """
    __tracebackhide__ = True
    end = f" ({note})" if note else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise MlopsInputError(f"{_prefix(gate)}{label}={value!r} is not a number{end}")
    if (at_least is not None and value < at_least) or (at_most is not None and value > at_most):
        raise MlopsInputError(f"{_prefix(gate)}{label}={value!r} {_range(at_least, at_most)}{end}")
    return float(value)


class Limits(TypedDict, total=False):
    """The keywords of :func:`number`, for the functions that pass them on."""

    at_least: float | None
    at_most: float | None
    gate: str
    note: str


def optional_number(label: str, value: Any, **limits: Unpack[Limits]) -> float | None:
    """:func:`number`, or ``None`` when the bound was not given (``None``)."""
    __tracebackhide__ = True
    if value is None:
        return None
    return number(label, value, **limits)


def integer(label: str, value: Any, *, at_least: int | None = None, gate: str = "") -> int:
    """``value`` as an int (not a bool, not a float), at least ``at_least`` when given.

    Example::

        bins = integer("bins", bins, at_least=2)  # bins=1 must be an integer of at least 2
    """
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, int) or (at_least is not None and value < at_least):
        wanted = "an integer" if at_least is None else f"an integer of at least {at_least}"
        raise MlopsInputError(f"{_prefix(gate)}{label}={value!r} must be {wanted}")
    return value


def require_bound(gate: str, bounds: Mapping[str, Any], *, note: str = "") -> None:
    """At least one of ``bounds`` (name -> value as given) is not ``None``.

    Example::

        require_bound("calibration gate", {"max_ece": max_ece, "min_brier_skill": skill})
        # calibration gate: give a bound, max_ece= and/or min_brier_skill=
    """
    __tracebackhide__ = True
    if any(v is not None for v in bounds.values()):
        return
    names = [f"{k}=" for k in bounds]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and/or {names[-1]}"
    raise MlopsInputError(f"{_prefix(gate)}give a bound, {listed}" + (f" ({note})" if note else ""))


def require_order(
    low: float | None,
    high: float | None,
    *,
    gate: str = "",
    low_label: str = "at_least",
    high_label: str = "at_most",
) -> None:
    """A lower bound is not above its upper bound (either may be ``None``)."""
    __tracebackhide__ = True
    if low is not None and high is not None and low > high:
        raise MlopsInputError(f"{_prefix(gate)}{low_label}={low!r} is above {high_label}={high!r}")
