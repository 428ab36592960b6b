"""The shared validation of gate bounds (gates/_bounds.py) and the checks-to-summary helper (gates/_summary.py)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number, optional_number, require_bound, require_order
from pytest_mlops.gates._summary import summarize, tally


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: number("max_gap", -1, at_least=0), "max_gap=-1 must be at least 0"),
        (
            lambda: number("rate", 1.5, at_least=0, at_most=1, gate="typos"),
            "typos: rate=1.5 must be a number in [0, 1]",
        ),
        (lambda: number("at_most", 2, at_most=1, gate="leakage gate"), "leakage gate: at_most=2 must be at most 1"),
        (lambda: number("atol", "0.1", gate="skew gate 'x'"), "skew gate 'x': atol='0.1' is not a number"),
        (lambda: number("tolerance", math.nan), "tolerance=nan is not a number"),
        (lambda: number("margin", None), "margin=None is not a number"),
        (lambda: number("max_share", True), "max_share=True is not a number"),
        (
            lambda: number("max_share", 2, at_least=0, at_most=1, note="0: no column may drift"),
            "max_share=2 must be a number in [0, 1] (0: no column may drift)",
        ),
        (lambda: integer("bins", 1, at_least=2), "bins=1 must be an integer of at least 2"),
        (lambda: integer("bins", 2.0, at_least=2), "bins=2.0 must be an integer of at least 2"),
        (
            lambda: integer("seed", False, gate="reproducibility gate"),
            "reproducibility gate: seed=False must be an integer",
        ),
        (
            lambda: require_bound("latency gate", {"p50_ms_at_most": None, "p95_ms_at_most": None}, note="ms per row"),
            "latency gate: give a bound, p50_ms_at_most= and/or p95_ms_at_most= (ms per row)",
        ),
        (
            lambda: require_bound("slice gate 'f1'", {"at_least": None, "at_most": None, "max_gap": None}),
            "slice gate 'f1': give a bound, at_least=, at_most= and/or max_gap=",
        ),
        (lambda: require_order(5, 1, gate="feature gate 'age'"), "feature gate 'age': at_least=5 is above at_most=1"),
    ],
)
def test_a_bad_argument_is_one_line_naming_it(call: Any, message: str) -> None:
    with pytest.raises(MlopsInputError) as info:
        call()
    assert str(info.value) == message


def test_good_arguments_come_back_as_numbers() -> None:
    assert number("x", 3, at_least=0, at_most=3) == 3.0
    assert isinstance(number("x", 3), float)
    assert optional_number("x", None, at_least=0) is None
    assert integer("bins", 2, at_least=2) == 2
    require_bound("gate", {"at_least": None, "at_most": 0.0})  # 0 is a bound
    require_order(1, 1)
    require_order(None, 1)


def test_summary_shows_what_failed_or_everything_when_all_held() -> None:
    checks = [(True, "p50 1 ms <= 2 ms"), (False, "p95 9 ms > 5 ms"), (False, "max 20 ms > 10 ms")]
    assert summarize(checks) == (False, "p95 9 ms > 5 ms; max 20 ms > 10 ms")
    assert summarize(checks, every=True) == (False, "p95 9 ms > 5 ms; max 20 ms > 10 ms; p50 1 ms <= 2 ms")
    assert summarize([(True, "a"), (True, "b")]) == (True, "a; b")
    with pytest.raises(ValueError, match="at least one check"):
        summarize([])


def test_tally_counts_in_the_plural_unless_one() -> None:
    assert tally(3, 25, "slice", "failed") == "3 of 25 slices failed"
    assert tally(1, 1, "column", "drifted") == "1 of 1 column drifted"
