"""deepchecks checks and suites as gates: one gate result per check, its conditions as evidence.

deepchecks 0.19.1 (its latest release) imports only with ``numpy<2``, ``pandas<3``,
``scikit-learn==1.7.2``, ``scipy<1.15`` and ``pyarrow<24``: install the ``deepchecks`` extra
in an environment of its own. Where it does not import, :func:`unavailable_reason` says why
(cheaply, once per process) and the ``mlops_deepchecks`` fixture skips the test with it.

How a check's conditions map onto a gate result (``docs/deepchecks.md``):

* every condition ``PASS`` -> the gate passed;
* the worst is ``WARN`` -> the gate warned (severity ``warn``; ``fail_if_warning=True`` makes it fail);
* any ``FAIL`` or ``ERROR`` -> the gate failed with the test's severity for its kind
  (``fail`` unless ``severity=`` or ``@pytest.mark.mlops_<kind>(severity="warn")`` says ``warn``);
* a check that raised because it does not apply (no datetime column, a classification-only
  check on a regressor) records no gate (``not_run="warn"``/``"fail"`` records one), and a
  check that raised anything else is a failed gate; when nothing else ran in the test, the
  test is skipped with deepchecks' reason;
* a check without conditions asserts nothing and records no gate (deepchecks' suites add
  default conditions; a check made by hand has none until ``add_condition_*``: gating only
  such checks is an input error, so a forgotten condition never passes silently).

This module is light: deepchecks, pandas and numpy are imported inside functions.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from pytest_mlops import _recorder
from pytest_mlops.errors import GateFailure, MissingExtraError, MlopsInputError
from pytest_mlops.markers import marker_name
from pytest_mlops.results import KINDS, GateResult

if TYPE_CHECKING:
    from pytest_mlops.integrations.deepchecks import CheckOutcome

__all__ = [
    "WORKS_WITH",
    "DeepchecksGates",
    "SuiteCheck",
    "evaluate",
    "gate",
    "run",
    "skip_if_unavailable",
    "suite_params",
    "unavailable_reason",
]

#: What deepchecks 0.19.1 needs; the ``deepchecks`` extra in pyproject.toml lists the same pins.
WORKS_WITH: tuple[str, ...] = (
    "deepchecks==0.19.1",
    "numpy<2",
    "pandas<3",
    "scikit-learn==1.7.2",
    "scipy<1.15",
    "pyarrow<24",
)
_INSTALL = "pip install 'pytest-mlops[deepchecks]'"
_STACK = ("numpy", "pandas", "scikit-learn", "scipy", "pyarrow")
NotRun = Literal["skip", "warn", "fail"]
_CATEGORY_RANK = {"ERROR": 0, "FAIL": 1, "WARN": 2, "PASS": 3}


# -- availability ---------------------------------------------------------------------------


def _installed(dist: str) -> str | None:
    try:
        return version(dist)
    except PackageNotFoundError:
        return None


@functools.cache
def unavailable_reason() -> str | None:
    """``None`` when deepchecks imports here; else one line saying why, what works, how to install.

    Computed once per process, on first use only (importing deepchecks takes ≈ 4–5 s).
    """
    pins = ", ".join(WORKS_WITH[1:])
    advice = f"deepchecks 0.19.1 works only with {pins}: {_INSTALL} in a separate environment (the extra pins them)"
    if importlib.util.find_spec("deepchecks") is None:
        return f"deepchecks is not installed; {advice}"
    try:
        import_module("pytest_mlops.integrations.deepchecks")
    except Exception as exc:  # ImportError, AttributeError (np.Inf on numpy 2), sklearn scorer errors...
        first = (str(exc).strip().splitlines() or [""])[0][:200]
        found = ", ".join(f"{d} {v}" for d in _STACK if (v := _installed(d)))
        dc_version = _installed("deepchecks") or "?"
        return (
            f"deepchecks {dc_version} is installed but does not import with {found or 'this environment'} "
            f"({type(exc).__name__}: {first}); {advice}"
        )
    return None


def skip_if_unavailable() -> None:
    """``pytest.skip`` with :func:`unavailable_reason` when deepchecks does not import (for your own fixtures)."""
    __tracebackhide__ = True
    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


def _require() -> None:
    reason = unavailable_reason()
    if reason is not None:
        raise MissingExtraError(f"{reason}\nhint: {_INSTALL}")


# -- per-check parametrization ----------------------------------------------------------------


@dataclass(frozen=True)
class SuiteCheck:
    """One check of a suite, as a ``pytest.param`` value made by :func:`suite_params`."""

    suite: str
    index: int
    name: str
    kind: str
    check: Any = field(repr=False, compare=False)

    def __str__(self) -> str:
        return f"{self.suite}[{self.index}] {self.name}"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower() or "check"


def suite_params(checks: Any = "train_test_validation", **suite_options: Any) -> list[pytest.ParameterSet]:
    """One ``pytest.param`` per check of a suite, for ``@pytest.mark.parametrize``.

    Each param's id is the check's name (``feature_drift``), so ``-k`` selects checks and the
    terminal names the one that failed; each carries the ``mlops_<kind>`` marker of its check
    (so ``--mlops-stage`` and ``-m mlops_drift`` select it). Where deepchecks does not
    import, it returns one param skipped with the reason. Example::

        from pytest_mlops.gates.deepchecks import suite_params

        @pytest.mark.parametrize("check", suite_params("train_test_validation"))
        def test_train_test(mlops_deepchecks, check, train_df, test_df):
            mlops_deepchecks.run(check, train_df, test_df, label="churned")
    """
    reason = unavailable_reason()
    if reason is not None:
        return [pytest.param(None, id="deepchecks", marks=pytest.mark.skip(reason=reason))]
    from pytest_mlops.integrations import deepchecks as dc

    suite_name, suite_checks = dc.suite_checks(checks, **suite_options)
    params = []
    for index, check in enumerate(suite_checks):
        kind = dc.check_kind(check)
        value = SuiteCheck(suite=suite_name, index=index, name=str(check.name()), kind=kind, check=check)
        marks = [getattr(pytest.mark, marker_name(kind))] if kind in KINDS else []
        if not dc.has_conditions(check):
            marks.append(pytest.mark.skip(reason=f"deepchecks' {value.name!r} has no conditions here: nothing to gate"))
        params.append(pytest.param(value, id=_slug(value.name), marks=marks))
    return params


# -- results -> gates -----------------------------------------------------------------------


def _gate_result(
    outcome: CheckOutcome,
    *,
    suite: str | None,
    kind: str | None,
    severity: str | None,
    fail_if_warning: bool,
    not_run: NotRun,
    html: str | None,
    version_: str,
) -> GateResult | None:
    gate_kind = kind or outcome.kind
    details: dict[str, Any] = {
        "source": "deepchecks",
        "deepchecks_version": version_,
        "suite": suite,
        "check": outcome.check,
        "header": outcome.header,
        "html": html,
    }
    name = f"deepchecks: {outcome.header}"
    hint = f"deepchecks' report with plots: {html}" if html else "pass html=True to save deepchecks' report with plots"
    if outcome.error is not None:
        if outcome.not_applicable and not_run == "skip":
            return None
        resolved = (
            ("fail" if not_run == "fail" else "warn")
            if outcome.not_applicable
            else _recorder.resolve_severity(gate_kind, severity)
        )
        details["error"] = outcome.error
        return GateResult(
            kind=gate_kind,
            check="deepchecks",
            name=name,
            passed=False,
            severity=resolved,
            observed=None,
            bound={},
            summary=f"did not run: {outcome.error}",
            hint=None if outcome.not_applicable else "fix the input or remove the check from the suite",
            details=details,
        )
    if not outcome.conditions:
        return None
    ranked = sorted(outcome.conditions, key=lambda c: _CATEGORY_RANK.get(c.category, 0))
    counts = {cat: sum(1 for c in ranked if c.category == cat) for cat in _CATEGORY_RANK}
    total = len(ranked)
    failing = counts["FAIL"] + counts["ERROR"]
    not_passed = total - counts["PASS"]
    if failing:
        resolved = _recorder.resolve_severity(gate_kind, severity)
        words = [f"{failing} of {total} conditions failed"]
        if counts["WARN"]:
            words.append(f"{counts['WARN']} warned")
        summary = ", ".join(words)
    elif counts["WARN"]:
        resolved = _recorder.resolve_severity(gate_kind, severity) if fail_if_warning else "warn"
        summary = f"{counts['WARN']} of {total} conditions warned"
    else:
        resolved = _recorder.resolve_severity(gate_kind, severity)
        summary = f"{total} of {total} conditions passed"
    evidence = [f"{c.category}: {c.name}: {c.details}".rstrip(": ") for c in ranked if c.category != "PASS"]
    details["conditions"] = [c.to_dict() for c in ranked]
    if outcome.scores is not None:
        details["scores"] = outcome.scores
    if outcome.columns:
        details["columns"] = outcome.columns
    return GateResult(
        kind=gate_kind,
        check="deepchecks",
        name=name,
        passed=not_passed == 0,
        severity=resolved,
        observed=not_passed,
        bound={"at_most": 0},
        summary=summary,
        evidence=evidence,
        hint=hint,
        details=details,
    )


def _check_arguments(kind: str | None, severity: str | None, not_run: str) -> None:
    if kind is not None and (not isinstance(kind, str) or not kind.strip()):
        raise MlopsInputError(f"deepchecks gate: kind={kind!r} must be a gate kind such as 'drift' or 'model'")
    if severity is not None and severity not in ("fail", "warn"):
        raise MlopsInputError(f"deepchecks gate: severity={severity!r} is not accepted; use 'fail' or 'warn'")
    if not_run not in ("skip", "warn", "fail"):
        raise MlopsInputError(f"deepchecks gate: not_run={not_run!r} is not accepted; use 'skip', 'warn' or 'fail'")


def _suite_name(result: Any) -> str | None:
    name = getattr(result, "name", None)
    return str(name) if name and hasattr(result, "results") else None


def gate(
    result: Any,
    *,
    check: Any = None,
    kind: str | None = None,
    severity: str | None = None,
    fail_if_warning: bool = False,
    not_run: NotRun = "skip",
    html: str | Path | None = None,
) -> list[GateResult]:
    """Record a gate result for each check in a deepchecks result you already have.

    ``result`` is a deepchecks ``SuiteResult`` or one check's ``CheckResult``; ``check``
    keeps the results of one check only (a :class:`SuiteCheck` from :func:`suite_params`,
    a check object, or a check name like ``"Feature Drift"``). ``kind`` overrides the kind
    of every check (default: per check, see ``docs/deepchecks.md``). ``html`` is the path of
    deepchecks' own report, recorded in each result's details. Every result is recorded
    before a failure is raised; the failure lists every failed check with its conditions.
    Example::

        results = gate(suite_result, check="Feature Drift", severity="warn")
    """
    __tracebackhide__ = True
    _check_arguments(kind, severity, not_run)
    _require()
    from pytest_mlops.integrations import deepchecks as dc

    select = check.check if isinstance(check, SuiteCheck) else check
    found = dc.outcomes(result, select=select)
    if select is not None and not found:
        raise MlopsInputError(f"deepchecks gate: no result for check {getattr(check, 'name', check)!r} in this result")
    suite = check.suite if isinstance(check, SuiteCheck) else _suite_name(result)
    html_text = str(html) if html is not None else None
    gates = [
        g
        for o in found
        if (
            g := _gate_result(
                o,
                suite=suite,
                kind=kind,
                severity=severity,
                fail_if_warning=fail_if_warning,
                not_run=not_run,
                html=html_text,
                version_=dc.VERSION,
            )
        )
        is not None
    ]
    if not gates:
        skipped = [o for o in found if o.not_applicable]
        if skipped and _recorder.current().nodeid:
            pytest.skip("deepchecks: " + "; ".join(f"{o.header} did not run ({o.error})" for o in skipped))
        bare = sorted({o.header for o in found if o.error is None and not o.conditions})
        if bare:
            raise MlopsInputError(
                f"deepchecks gate: {', '.join(map(repr, bare))} has no conditions, so there is nothing to gate; "
                "add one (e.g. FeatureDrift().add_condition_drift_score_less_than(0.2)) or take the check from a "
                "suite, which adds deepchecks' default conditions"
            )
        return []
    return _emit_all(gates, suite)


def _emit_all(gates: Sequence[GateResult], suite: str | None) -> list[GateResult]:
    """Emit every result; then raise one failure listing all failed checks."""
    __tracebackhide__ = True
    recorded: list[GateResult] = []
    failures: list[str] = []
    for result in gates:
        try:
            recorded.append(_recorder.emit(result))
        except GateFailure as exc:
            recorded.append(result)
            failures.append(str(exc))
    if len(failures) == 1:
        raise GateFailure(failures[0])
    if failures:
        what = f"deepchecks suite {suite!r}" if suite else "deepchecks checks"
        head = f"{what} failed: {len(failures)} of {len(gates)} checks failed"
        body = ["  " + line for message in failures for line in message.splitlines()]
        raise GateFailure("\n".join([head, *body]))
    return recorded


# -- running --------------------------------------------------------------------------------


def evaluate(
    checks: Any,
    train: Any = None,
    test: Any = None,
    *,
    model: Any = None,
    label: str | None = None,
    cat_features: Sequence[str] | None = None,
    suite_options: Mapping[str, Any] | None = None,
    **run_options: Any,
) -> Any:
    """Run a suite or checks and return deepchecks' ``SuiteResult`` without gating it.

    Use it to run a suite once (in a session fixture) and gate each check in its own test
    with :func:`gate`. ``checks``: ``"data_integrity"``, ``"train_test_validation"``,
    ``"model_evaluation"``, a deepchecks ``Suite``, a check or a list of checks, or a
    :class:`SuiteCheck`. ``train``/``test``: DataFrames (with ``label=``/``cat_features=``)
    or deepchecks ``Dataset`` objects. ``suite_options`` go to the named suite's factory
    (e.g. ``{"columns": [...]}``); other keywords go to ``Suite.run`` (``feature_importance=``,
    ``y_pred_test=``...). Example::

        result = evaluate("data_integrity", train_df, label="churned")
    """
    _require()
    from pytest_mlops.integrations import deepchecks as dc

    target = checks.check if isinstance(checks, SuiteCheck) else checks
    return dc.evaluate(
        target,
        train,
        test,
        label=label,
        cat_features=cat_features,
        suite_options=suite_options,
        model=model,
        **run_options,
    )


def run(
    checks: Any,
    train: Any = None,
    test: Any = None,
    *,
    model: Any = None,
    label: str | None = None,
    cat_features: Sequence[str] | None = None,
    kind: str | None = None,
    severity: str | None = None,
    fail_if_warning: bool = False,
    not_run: NotRun = "skip",
    html: bool | str | Path = False,
    suite_options: Mapping[str, Any] | None = None,
    **run_options: Any,
) -> list[GateResult]:
    """Run deepchecks checks or a suite and gate every check (see :func:`evaluate` and :func:`gate`).

    ``html=True`` saves deepchecks' own report (with plots) as ``deepchecks-<suite>.html``
    in the current directory (the ``mlops_deepchecks`` fixture saves it beside the gate
    report); a path saves it there. Example::

        run("train_test_validation", train_df, test_df, label="churned", html="reports/dc.html")
    """
    __tracebackhide__ = True
    return DeepchecksGates().run(
        checks,
        train,
        test,
        model=model,
        label=label,
        cat_features=cat_features,
        kind=kind,
        severity=severity,
        fail_if_warning=fail_if_warning,
        not_run=not_run,
        html=html,
        suite_options=suite_options,
        **run_options,
    )


@dataclass
class DeepchecksGates:
    """What the ``mlops_deepchecks`` fixture returns: :meth:`run`, :meth:`gate`, :meth:`evaluate`.

    ``artifact_dir`` is where ``html=True`` saves deepchecks' HTML; ``stem`` starts its file
    names (the fixture uses the test's node id).
    """

    artifact_dir: Path = Path(".")
    stem: str = "deepchecks"
    saved: list[Path] = field(default_factory=list)

    def evaluate(self, checks: Any, train: Any = None, test: Any = None, **options: Any) -> Any:
        """Run without gating; see :func:`evaluate`."""
        return evaluate(checks, train, test, **options)

    def gate(self, result: Any, **options: Any) -> list[GateResult]:
        """Gate a result you already have; see :func:`gate`."""
        __tracebackhide__ = True
        return gate(result, **options)

    def save_html(self, result: Any, path: str | Path | None = None, *, connected: bool = False) -> Path:
        """Save deepchecks' own HTML for ``result`` (default: in :attr:`artifact_dir`) and attach it as lineage.

        Self-contained by default (≈ 10 MB: plotly inlined); ``connected=True`` loads plotly
        from a CDN and keeps the file small.
        """
        _require()
        from pytest_mlops.integrations import deepchecks as dc

        if path is None:
            label = _suite_name(result) or getattr(result, "get_header", lambda: "check")()
            path = self.artifact_dir / f"{self.stem}-{_slug(str(label))}.html"
        saved = dc.save_html(result, Path(path), connected=connected)
        self.saved.append(saved)
        _recorder.attach("artifact", f"deepchecks: {_suite_name(result) or 'check'}", path=str(saved), format="html")
        return saved

    def run(
        self,
        checks: Any,
        train: Any = None,
        test: Any = None,
        *,
        model: Any = None,
        label: str | None = None,
        cat_features: Sequence[str] | None = None,
        kind: str | None = None,
        severity: str | None = None,
        fail_if_warning: bool = False,
        not_run: NotRun = "skip",
        html: bool | str | Path = False,
        suite_options: Mapping[str, Any] | None = None,
        **run_options: Any,
    ) -> list[GateResult]:
        """Run a suite (by name), a ``Suite``, checks, or one :class:`SuiteCheck`, and gate each check.

        Example::

            mlops_deepchecks.run("data_integrity", train_df, label="churned", html=True)
        """
        __tracebackhide__ = True
        _check_arguments(kind, severity, not_run)
        if html is not False and html is not None:
            run_options.setdefault("with_display", True)
        result = evaluate(
            checks,
            train,
            test,
            model=model,
            label=label,
            cat_features=cat_features,
            suite_options=suite_options,
            **run_options,
        )
        saved: Path | None = None
        if html is True:
            saved = self.save_html(result)
        elif html:
            saved = self.save_html(result, Path(html))
        return gate(
            result,
            check=checks if isinstance(checks, SuiteCheck) else None,
            kind=kind,
            severity=severity,
            fail_if_warning=fail_if_warning,
            not_run=not_run,
            html=saved,
        )
