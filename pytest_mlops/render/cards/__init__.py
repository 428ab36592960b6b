"""The card of each check: what the HTML page draws for one gate.

A card reads the gate through the details contract of its check (:mod:`pytest_mlops.details`)
and is chosen from :data:`CARDS` by ``GateResult.check``, never by which keys the details
hold. Each returns the facts shown under the card's title and the card's body; the page
(:mod:`pytest_mlops.render.html`) wraps them in an ``<article id='gate-N'>``.

One module per kind (``data``, ``model``, ``drift``, ``deployment``, ``generic``: the checks of
no one kind) on the :class:`Canvas` of ``_canvas``; this package holds the table and
:func:`draw_card`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pytest_mlops import details as dc
from pytest_mlops.render.cards._canvas import Canvas, _Card, _plain_card
from pytest_mlops.render.cards.data import _example_skew_card, _expectations_card, _leakage_card, _schema_card
from pytest_mlops.render.cards.deployment import _ab_card, _canary_card, _sample_ratio_card, _shadow_card
from pytest_mlops.render.cards.drift import _distribution_skew_card, _drift_card, _multivariate_card
from pytest_mlops.render.cards.generic import _deepchecks_card, _generic_card, _stored_baseline_card
from pytest_mlops.render.cards.model import (
    _calibration_card,
    _champion_card,
    _dummy_model_card,
    _fairness_card,
    _latency_card,
    _metric_card,
    _model_size_card,
    _non_inferiority_card,
    _robustness_card,
    _slices_card,
    _weak_segments_card,
)
from pytest_mlops.results import GateResult

__all__ = ["CARDS", "Canvas", "draw_card"]

#: check -> the card that draws it (from the check's contract in pytest_mlops.details).
CARDS: Mapping[str, Callable[[Canvas, GateResult, Any], _Card]] = {
    "schema": _schema_card,
    "expectations": _expectations_card,
    "example_skew": _example_skew_card,
    "distribution_skew": _distribution_skew_card,
    "leakage": _leakage_card,
    "metric": _metric_card,
    "champion": _champion_card,
    "non_inferiority": _non_inferiority_card,
    "slices": _slices_card,
    "weak_segments": _weak_segments_card,
    "baseline": _dummy_model_card,
    "calibration": _calibration_card,
    "fairness": _fairness_card,
    "invariance": _robustness_card,
    "directional": _robustness_card,
    "latency": _latency_card,
    "model_size": _model_size_card,
    "data_drift": _drift_card,
    "prediction_drift": _drift_card,
    "label_drift": _drift_card,
    "multivariate_drift": _multivariate_card,
    "shadow": _shadow_card,
    "canary": _canary_card,
    "ab_proportions": _ab_card,
    "ab_means": _ab_card,
    "sample_ratio": _sample_ratio_card,
    "stored_baseline": _stored_baseline_card,
    "deepchecks": _deepchecks_card,
    "": _generic_card,
}


def draw_card(canvas: Canvas, gate: GateResult) -> _Card:
    """Facts and body of the gate's card: drawn by the card of its check, from the check's
    details contract; a plain card (saying why) when the check has none or the data is off it."""
    try:
        contract = dc.parse(gate)
    except dc.DetailsError as exc:
        return _plain_card(canvas, gate, str(exc))
    draw = CARDS.get(gate.check)
    return _plain_card(canvas, gate, "") if draw is None else draw(canvas, gate, contract)
