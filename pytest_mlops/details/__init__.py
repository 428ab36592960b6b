"""What each gate's result holds: one typed contract per :attr:`GateResult.check`.

Gates keep writing plain JSON data (``observed``, ``bound``, ``details``), because that is
what travels through pytest-xdist, JUnit and the JSON report. This package says, per check,
which of those keys exist and what they mean, as frozen dataclasses; :func:`parse` reads a
:class:`~pytest_mlops.results.GateResult` into the contract of its check and raises
:class:`DetailsError` when the data does not follow it. The renderers draw from the parsed
contract, so a chart is chosen by the check, never by which keys a dict happens to hold.

The table :data:`CONTRACTS` maps every canonical check name (``docs/architecture.md``) to its
contract. Each contract's ``from_gate`` reads the keys the gate writes; keys marked optional
are absent in some real results (a cold start, saved statistics, an older report).

One module per kind: :mod:`~pytest_mlops.details.data` (schema, feature, feature store),
:mod:`~pytest_mlops.details.model`, :mod:`~pytest_mlops.details.drift`,
:mod:`~pytest_mlops.details.deployment`, and :mod:`~pytest_mlops.details.generic` (stored
baselines, deepchecks, the generic gate), on the reader and shared rows of
:mod:`~pytest_mlops.details._base`. Every name is importable from this package.

Standard library only, so the renderers that use it stay light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pytest_mlops.details._base import (
    Contract,
    DetailsError,
    DriftColumn,
    Failure,
    Interval,
    Sampling,
    finite,
)
from pytest_mlops.details.data import (
    DistributionSkewDetails,
    ExampleSkewDetails,
    Expectation,
    ExpectationsDetails,
    FeatureScore,
    FreshnessDetails,
    LeakageDetails,
    MismatchColumn,
    OnlineOfflineDetails,
    PointInTimeDetails,
    SchemaDetails,
)
from pytest_mlops.details.deployment import (
    ABTestDetails,
    CanaryDetails,
    SampleRatioDetails,
    ShadowDetails,
    ShadowRow,
)
from pytest_mlops.details.drift import (
    DriftDetails,
    FeatureAuc,
    MultivariateDetails,
)
from pytest_mlops.details.generic import (
    Condition,
    DeepchecksDetails,
    GenericDetails,
    StoredBaselineDetails,
)
from pytest_mlops.details.model import (
    CalibrationDetails,
    ChampionDetails,
    DummyModelDetails,
    FairnessDetails,
    FairnessGroup,
    LatencyDetails,
    MetricDetails,
    ModelSizeDetails,
    NonInferiorityDetails,
    ReliabilityBin,
    ReproducibilityDetails,
    RobustnessDetails,
    RobustnessExample,
    Slice,
    SlicesDetails,
    WeakSegment,
    WeakSegmentsDetails,
)
from pytest_mlops.results import GateResult

__all__ = [
    "CONTRACTS",
    "ABTestDetails",
    "CalibrationDetails",
    "CanaryDetails",
    "ChampionDetails",
    "Condition",
    "Contract",
    "DeepchecksDetails",
    "DetailsError",
    "DistributionSkewDetails",
    "DriftColumn",
    "DriftDetails",
    "DummyModelDetails",
    "ExampleSkewDetails",
    "Expectation",
    "ExpectationsDetails",
    "Failure",
    "FairnessDetails",
    "FairnessGroup",
    "FeatureAuc",
    "FeatureScore",
    "FreshnessDetails",
    "GenericDetails",
    "Interval",
    "LatencyDetails",
    "LeakageDetails",
    "MetricDetails",
    "MismatchColumn",
    "ModelSizeDetails",
    "MultivariateDetails",
    "NonInferiorityDetails",
    "OnlineOfflineDetails",
    "PointInTimeDetails",
    "ReliabilityBin",
    "ReproducibilityDetails",
    "RobustnessDetails",
    "RobustnessExample",
    "SampleRatioDetails",
    "Sampling",
    "SchemaDetails",
    "ShadowDetails",
    "ShadowRow",
    "Slice",
    "SlicesDetails",
    "StoredBaselineDetails",
    "WeakSegment",
    "WeakSegmentsDetails",
    "finite",
    "parse",
]

_ALL: Sequence[type[Contract]] = (
    SchemaDetails, ExpectationsDetails, ExampleSkewDetails, DistributionSkewDetails, LeakageDetails,
    MetricDetails, ChampionDetails, NonInferiorityDetails, SlicesDetails, WeakSegmentsDetails, DummyModelDetails,
    CalibrationDetails, FairnessDetails, RobustnessDetails, LatencyDetails,
    ModelSizeDetails, DriftDetails, MultivariateDetails, ShadowDetails, CanaryDetails, ABTestDetails,
    SampleRatioDetails, StoredBaselineDetails, DeepchecksDetails, GenericDetails, PointInTimeDetails,
    ReproducibilityDetails, OnlineOfflineDetails, FreshnessDetails,
)  # fmt: skip

#: check name -> its contract (every canonical name in docs/architecture.md).
CONTRACTS: Mapping[str, type[Contract]] = {check: c for c in _ALL for check in c.checks}


def parse(gate: GateResult) -> Contract:
    """The contract of ``gate.check`` read from the result; :class:`DetailsError` when the check
    is unknown or its data does not follow the contract."""
    contract = CONTRACTS.get(gate.check)
    if contract is None:
        raise DetailsError(f"{gate.kind} gate {gate.name!r}: no details contract for check {gate.check!r}")
    return contract.from_gate(gate)
