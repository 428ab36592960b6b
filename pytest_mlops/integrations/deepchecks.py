"""deepchecks adapter: run tabular checks and suites, turn their results into plain data.

This module imports deepchecks at its top (≈ 4–5 s), so light modules import it inside
functions only, after :func:`pytest_mlops.gates.deepchecks.unavailable_reason` said it
imports. deepchecks 0.19.1 needs ``numpy<2``, ``pandas<3``, ``scikit-learn==1.7.2``,
``scipy<1.15`` and ``pyarrow<24`` (the ``deepchecks`` extra).

Nothing deepchecks-specific leaves this module: :func:`outcomes` converts check results to
:class:`CheckOutcome` records (strings and JSON data) that the gate module turns into
:class:`~pytest_mlops.results.GateResult` objects.

deepchecks' own noise is contained here: the warnings its checks raise (pandas and
scikit-learn deprecations, mostly) are caught instead of reaching the caller, whose
``filterwarnings = error`` would otherwise turn them into check failures, and its progress
bars are switched off.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

with warnings.catch_warnings():
    # deepchecks and its dependencies warn at import time (deprecations); under
    # filterwarnings=error that would read as "deepchecks does not import".
    warnings.simplefilter("ignore")
    import deepchecks
    import pandas as pd
    from deepchecks.core import ConditionCategory
    from deepchecks.core.check_result import CheckFailure, CheckResult
    from deepchecks.core.checks import BaseCheck
    from deepchecks.core.errors import (
        DatasetValidationError,
        DeepchecksNotSupportedError,
        ModelValidationError,
        NotEnoughSamplesError,
    )
    from deepchecks.core.suite import SuiteResult
    from deepchecks.tabular import Dataset, Suite
    from deepchecks.tabular import suites as tabular_suites

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import JSONValue, to_json

__all__ = [
    "SUITES",
    "VERSION",
    "CheckOutcome",
    "as_dataset",
    "as_suite",
    "check_kind",
    "evaluate",
    "has_conditions",
    "outcomes",
    "quiet",
    "save_html",
    "suite_checks",
]

VERSION: str = str(deepchecks.__version__)

#: The tabular suites by the name our API accepts.
SUITES = {
    "data_integrity": tabular_suites.data_integrity,
    "train_test_validation": tabular_suites.train_test_validation,
    "model_evaluation": tabular_suites.model_evaluation,
}

#: deepchecks' package of a built-in check -> our gate kind.
_KIND_BY_PACKAGE = {
    "data_integrity": "schema",
    "train_test_validation": "drift",
    "model_evaluation": "model",
}

#: Built-in checks about leakage and feature/label relations: ``feature`` gates, whatever
#: their package (our ``feature`` kind covers leakage and training-serving skew).
_FEATURE_CHECKS = frozenset(
    {
        "FeatureLabelCorrelation",
        "FeatureFeatureCorrelation",
        "IdentifierLabelCorrelation",
        "FeatureLabelCorrelationChange",
        "TrainTestSamplesMix",
        "DateTrainTestLeakageDuplicates",
        "DateTrainTestLeakageOverlap",
        "IndexTrainTestLeakage",
    }
)

#: A check that raises one of these simply does not apply to the data or model given
#: (no datetime column, a classification-only check on a regressor...): it "did not run".
_NOT_APPLICABLE = (DatasetValidationError, ModelValidationError, DeepchecksNotSupportedError, NotEnoughSamplesError)

#: Longest condition detail kept in a message line (deepchecks' details can be paragraphs).
_DETAIL_CAP = 300


@dataclass(frozen=True)
class ConditionOutcome:
    """One deepchecks condition: its name, ``PASS``/``WARN``/``FAIL``/``ERROR``, and its text."""

    name: str
    category: str
    details: str

    def to_dict(self) -> dict[str, JSONValue]:
        return {"name": self.name, "category": self.category, "details": self.details}


@dataclass(frozen=True)
class CheckOutcome:
    """What one check produced, as plain data (one per deepchecks result)."""

    header: str
    check: str
    kind: str
    conditions: tuple[ConditionOutcome, ...] = ()
    #: ``"TypeName: message"`` when the check raised
    error: str | None = None
    #: the check raised because it does not apply to this data or model
    not_applicable: bool = False
    scores: JSONValue = None
    columns: list[dict[str, JSONValue]] = field(default_factory=list)


def check_kind(check: Any) -> str:
    """Our gate kind for a deepchecks check (see ``docs/deepchecks.md``).

    Leakage and correlation checks are ``feature``; otherwise the deepchecks package of the
    check (or of the built-in check it subclasses) decides: ``data_integrity`` is
    ``schema``, ``train_test_validation`` is ``drift``, ``model_evaluation`` is ``model``.
    A check of your own that subclasses none of them is ``custom``.
    """
    for cls in type(check).__mro__:
        if cls.__name__ in _FEATURE_CHECKS and cls.__module__.startswith("deepchecks."):
            return "feature"
        parts = cls.__module__.split(".")
        if parts[0] == "deepchecks":
            for package, kind in _KIND_BY_PACKAGE.items():
                if package in parts:
                    return kind
    return "custom"


@contextmanager
def quiet() -> Iterator[list[warnings.WarningMessage]]:
    """Run deepchecks code without its progress bars, its warnings caught (yielded) rather than raised."""
    logger = logging.getLogger("deepchecks")
    level = logger.level
    if logger.getEffectiveLevel() < logging.WARNING:
        logger.setLevel(logging.WARNING)  # deepchecks disables tqdm at WARNING and above
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield caught
    finally:
        logger.setLevel(level)


def as_dataset(data: Any, role: str, *, label: str | None, cat_features: Sequence[str] | None) -> Any:
    """A deepchecks ``Dataset`` from a DataFrame (or the ``Dataset`` itself); ``None`` stays ``None``."""
    if data is None or isinstance(data, Dataset):
        return data
    if not isinstance(data, pd.DataFrame):
        raise MlopsInputError(
            f"deepchecks gate: {role} must be a pandas DataFrame or a deepchecks Dataset, got {type(data).__name__}"
        )
    if label is not None and label not in data.columns:
        raise MlopsInputError(f"deepchecks gate: label={label!r} is not a column of {role}; columns: {list(data)[:10]}")
    with quiet():
        return Dataset(data, label=label, cat_features=list(cat_features) if cat_features is not None else None)


def as_suite(checks: Any, **suite_options: Any) -> Any:
    """A deepchecks ``Suite``: a suite name, a ``Suite``, a check, or checks to run as one suite."""
    if isinstance(checks, str):
        factory = SUITES.get(checks)
        if factory is None:
            raise MlopsInputError(f"deepchecks gate: unknown suite {checks!r}; use one of {sorted(SUITES)}")
        with quiet():
            return factory(**suite_options)
    if suite_options:
        raise MlopsInputError(
            f"deepchecks gate: options {sorted(suite_options)} apply to a suite given by name only, e.g. "
            "'train_test_validation'; configure your own Suite or check objects directly"
        )
    if isinstance(checks, Suite):
        return checks
    if isinstance(checks, BaseCheck):
        return Suite(checks.name(), checks)
    if isinstance(checks, (list, tuple)) and checks and all(isinstance(c, BaseCheck) for c in checks):
        return Suite("deepchecks checks", *checks)
    raise MlopsInputError(
        f"deepchecks gate: cannot run {type(checks).__name__}; pass a suite name ({', '.join(sorted(SUITES))}), "
        "a deepchecks Suite, or one or more deepchecks tabular checks"
    )


def has_conditions(check: Any) -> bool:
    """Whether the check has conditions (a check made by hand has none until ``add_condition_*``)."""
    return bool(getattr(check, "_conditions", None))


def suite_checks(checks: Any, **suite_options: Any) -> tuple[str, list[Any]]:
    """The suite's name and its checks, in the suite's order."""
    suite = as_suite(checks, **suite_options)
    return str(suite.name), list(suite.checks.values())


def evaluate(
    checks: Any,
    train: Any = None,
    test: Any = None,
    *,
    label: str | None = None,
    cat_features: Sequence[str] | None = None,
    suite_options: Mapping[str, Any] | None = None,
    **run_options: Any,
) -> Any:
    """Run ``checks`` (see :func:`as_suite`) on the data and return deepchecks' ``SuiteResult``."""
    suite = as_suite(checks, **dict(suite_options or {}))
    train_ds = as_dataset(train, "train", label=label, cat_features=cat_features)
    test_ds = as_dataset(test, "test", label=label, cat_features=cat_features)
    if train_ds is None and test_ds is None and run_options.get("model") is None:
        raise MlopsInputError("deepchecks gate: give data to check (train=, and test= for train-test checks)")
    run_options.setdefault("with_display", False)
    with quiet():
        return suite.run(train_dataset=train_ds, test_dataset=test_ds, **run_options)


def _results(result: Any) -> list[Any]:
    if isinstance(result, SuiteResult):
        return list(result.results)
    if isinstance(result, (CheckResult, CheckFailure)):
        return [result]
    raise MlopsInputError(
        f"deepchecks gate: expected a deepchecks SuiteResult or CheckResult, got {type(result).__name__}"
    )


def _one_line(text: str) -> str:
    flat = re.sub(r"\s*\n\s*", "; ", str(text)).strip()
    return flat if len(flat) <= _DETAIL_CAP else flat[: _DETAIL_CAP - 3] + "..."


def _scores(check: Any, result: Any) -> JSONValue:
    reduce = getattr(check, "reduce_output", None)
    if not callable(reduce):
        return None
    try:
        with quiet():
            return to_json(dict(reduce(result)))
    except Exception:  # a reduce that fails on this result only costs the summary numbers
        return None


def _columns(check: Any, value: Any) -> list[dict[str, JSONValue]]:
    """Per-column drift scores of FeatureDrift-like checks, in our drift ``details`` shape."""
    if not isinstance(value, Mapping) or not value:
        return []
    rows: list[dict[str, JSONValue]] = []
    for column, info in value.items():
        if not isinstance(info, Mapping) or "Drift score" not in info:
            return []
        method = str(info.get("Method", ""))
        numeric = method in ("Kolmogorov-Smirnov", "Earth Mover's Distance")
        rows.append(
            {
                "column": str(column),
                "type": "numeric" if numeric else "categorical",
                "method": method,
                "score": to_json(info["Drift score"]),
                "importance": to_json(info.get("Importance")),
            }
        )
    rows.sort(key=lambda r: -(r["score"] if isinstance(r["score"], (int, float)) else 0.0))
    return rows


def outcomes(result: Any, *, select: Any = None) -> list[CheckOutcome]:
    """Each deepchecks result in ``result`` (a SuiteResult or one check's result) as a :class:`CheckOutcome`.

    ``select`` keeps only the results of one check: a check object (matched by identity,
    else by class and name), or a check name such as ``"Feature Drift"``.
    """
    items = _results(result)
    if select is not None:
        items = _select(items, select)
    found: list[CheckOutcome] = []
    for item in items:
        check = item.check
        header = str(item.get_header())
        check_name, kind = type(check).__name__, check_kind(check)
        if isinstance(item, CheckFailure):
            exc = item.exception
            found.append(
                CheckOutcome(
                    header=header,
                    check=check_name,
                    kind=kind,
                    error=_one_line(f"{type(exc).__name__}: {exc}"),
                    not_applicable=isinstance(exc, _NOT_APPLICABLE),
                )
            )
            continue
        conditions = tuple(
            ConditionOutcome(
                name=str(c.name),
                category=c.category.value if isinstance(c.category, ConditionCategory) else str(c.category),
                details=_one_line(c.details),
            )
            for c in item.conditions_results
        )
        found.append(
            CheckOutcome(
                header=header,
                check=check_name,
                kind=kind,
                conditions=conditions,
                scores=_scores(check, item),
                columns=_columns(check, item.value),
            )
        )
    return found


def _select(items: list[Any], select: Any) -> list[Any]:
    if isinstance(select, str):
        wanted = select.strip().lower()
        return [i for i in items if i.check.name().lower() == wanted or str(i.get_header()).lower() == wanted]
    same = [i for i in items if i.check is select]
    if same:
        return same
    return [i for i in items if type(i.check) is type(select) and i.check.name() == select.name()]


def save_html(result: Any, path: Path, *, connected: bool = False) -> Path:
    """Write deepchecks' own HTML for ``result`` to ``path`` atomically.

    Offline by default: plotly's script is inlined (≈ 10 MB a file); ``connected=True``
    loads it from a CDN instead (a few hundred kB).
    """
    from pytest_mlops._io import create_temp

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = create_temp(path.parent, path.name)  # its mode follows the umask
    try:
        # A file object, not a name: given a name that exists, deepchecks picks another one.
        # as_widget=False: the widget output needs anywidget, which deepchecks does not install.
        with os.fdopen(fd, "w", encoding="utf-8") as out, quiet():
            result.save_as_html(out, as_widget=False, connected=connected)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
