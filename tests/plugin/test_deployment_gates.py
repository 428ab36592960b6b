"""Deployment gates as a user sees them: shadow, A/B with sample-ratio check, canary, the fixture."""

from __future__ import annotations

# Imported here so in-process pytester runs reuse them (numpy cannot be imported twice per process).
import numpy
import pandas
import pytest
import scipy.stats
import sklearn.linear_model

from tests.plugin.conftest import given_name, read_json

# These tests call gate functions directly and expect the GateFailure they raise at once
# (the script behaviour), so they opt out of the end-of-test collection of failed gates.
pytestmark = pytest.mark.mlops_stop_at_first

SUITE = """
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(0)
X = pd.DataFrame({"age": rng.integers(18, 80, 400), "spend": rng.normal(50, 20, 400)})
y = (X["spend"] + rng.normal(0, 10, 400) > 50).astype(int)
champion = LogisticRegression().fit(X, y)
challenger = LogisticRegression().fit(X[["spend"]].assign(age=0)[["age", "spend"]], y)
logged = X.iloc[:200]

def test_shadow_same_model_passes(mlops_deployment):
    mlops_deployment.shadow(champion, champion, logged, max_disagreement=0.0, max_distance=0.0)

def test_shadow_regression_fails_with_rows(mlops_deployment):
    old = lambda frame: frame["spend"] * 2.0
    new = lambda frame: frame["spend"] * 2.0 + np.where(frame["age"] > 70, 25.0, 0.0)
    mlops_deployment.shadow(old, new, logged, max_disagreement=0.05, tolerance=1.0, top=3)

def test_ab_conversion_better(mlops_deployment):
    mlops_deployment.ab_proportions(4_800, 100_000, 5_300, 100_200, min_effect=0.003)

def test_ab_sample_ratio_mismatch(mlops_deployment):
    mlops_deployment.ab_proportions(4_800, 100_000, 5_300, 103_000, min_effect=0.003)

def test_ab_means_underpowered(mlops_deployment):
    control = np.random.default_rng(1).normal(10, 5, 300)
    mlops_deployment.ab_means(control, control[::-1] + 0.01, min_effect=0.2)

def test_canary_waits(mlops_deployment):
    mlops_deployment.canary([1, 0] * 50, [1, 0] * 500, max_drop=0.01, min_samples=200)

@pytest.mark.mlops_deployment(severity="warn")
def test_canary_rollback_only_warns(mlops_deployment):
    mlops_deployment.canary([1] * 300 + [0] * 700, [1] * 500 + [0] * 500, max_drop=0.01, min_samples=200)
"""


def test_deployment_gates(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_deploy=SUITE)
    report = pytester.path / "report.json"
    result = pytester.runpytest(*xdist_args, f"--mlops-report={report}", "-rw")
    result.assert_outcomes(passed=3, failed=4)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: deployment gate 'shadow' failed: disagreement rate 0.* > 0.05",
            "*rows disagree (Kolmogorov-Smirnov statistic *)",
            "*row *: champion * vs challenger * (|diff| 25)  ?age=*, spend=*?",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: deployment gate 'A/B conversion: sample ratio' failed: chi-square p = * < 0.001",
            "*observed split 0.49*, 0.50* (counts 100000, 103000) vs planned 0.5, 0.5",
            "*hint: the traffic split is off*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: deployment gate 'A/B mean' failed: p = * >= 0.05 (difference *; underpowered: *",
            "*hint: collect about * units per arm to detect 0.2",
        ]
    )
    result.stdout.fnmatch_lines(["*deployment gate 'canary' failed: verdict wait: not enough outcomes yet*"])
    result.stdout.fnmatch_lines(["*GateWarning: deployment gate 'canary' warned: verdict rollback*"])

    data = read_json(report)
    gates = {(g["nodeid"].split("::")[-1], given_name(g)): g for g in data["gates"]}
    shadow = gates[("test_shadow_regression_fails_with_rows", "shadow")]
    assert shadow["kind"] == "deployment"
    assert shadow["details"]["task"] == "regression"
    rows = shadow["details"]["rows"]
    assert len(rows) == 3
    assert all(row["inputs"]["age"] > 70 and row["difference"] == 25.0 for row in rows)
    same = gates[("test_shadow_same_model_passes", "shadow")]
    assert same["passed"]
    assert same["observed"] == {"disagreement_rate": 0.0, "distance": 0.0}
    ab = gates[("test_ab_conversion_better", "A/B conversion")]
    assert ab["passed"]
    assert ab["details"]["p_value"] < 0.05
    assert gates[("test_ab_conversion_better", "A/B conversion: sample ratio")]["passed"]
    # the sample-ratio failure stops the A/B test before it reads the (invalid) result
    assert ("test_ab_sample_ratio_mismatch", "A/B conversion") not in gates
    assert data["summary"]["by_kind"]["deployment"]["warned"] == 1


def test_fixture_marks_tests_and_documents_itself(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_sel="""
        def test_uses_fixture(mlops_deployment):
            mlops_deployment.sample_ratio([5000, 5000])

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest("-m", "mlops_deployment", "-v")
    result.assert_outcomes(passed=1, deselected=1)
    result.stdout.fnmatch_lines(["*test_uses_fixture PASSED*"])
    fixtures = pytester.runpytest("--fixtures", "-v")
    fixtures.stdout.fnmatch_lines(["mlops_deployment -- *", "*Deployment gates*", "*Example::*"])


def test_shadow_bad_input_is_one_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
        def test_lengths(mlops_deployment):
            mlops_deployment.shadow([1, 2, 3], [1, 2], max_disagreement=0.1)

        def test_no_bound(mlops_deployment):
            mlops_deployment.shadow([1, 2], [1, 2])
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*MlopsInputError: shadow gate 'shadow': champion gave 3 predictions, challenger 2; score the same rows",
        ]
    )
    result.stdout.fnmatch_lines(["*MlopsInputError: shadow gate 'shadow': give a bound*"])


def test_shadow_classifiers_rank_rows_by_probability_gap() -> None:
    from pytest_mlops.errors import GateFailure
    from pytest_mlops.gates.deployment import shadow

    rng = numpy.random.default_rng(3)
    X = pandas.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (X["a"] + 0.3 * X["b"] > 0).astype(int)
    champion = sklearn.linear_model.LogisticRegression().fit(X, y)
    challenger = sklearn.linear_model.LogisticRegression(C=0.01).fit(X[["a"]].assign(b=0.0), y)
    with pytest.raises(GateFailure) as failure:
        shadow(champion, challenger, X, max_disagreement=0.0, top=5)
    message = str(failure.value)
    assert message.startswith("deployment gate 'shadow' failed: disagreement rate ")
    gaps = numpy.abs(champion.predict_proba(X) - challenger.predict_proba(X)).sum(axis=1) / 2
    disagree = champion.predict(X) != challenger.predict(X)
    expected = sorted(numpy.flatnonzero(disagree), key=lambda i: (-gaps[i], i))[:5]
    shown = [int(line.split(":")[0].split()[-1]) for line in message.splitlines() if line.startswith("  row ")]
    assert shown == expected


def test_ab_not_worse_uses_the_margin() -> None:
    from pytest_mlops.errors import GateFailure
    from pytest_mlops.gates.deployment import ab_proportions

    ok = ab_proportions(5_000, 100_000, 4_950, 100_000, min_effect=0.005, require="not_worse")
    assert ok.passed
    assert ok.summary.startswith("worst case ")
    with pytest.raises(GateFailure, match=r"worst case -0\.0\d+ <= -0\.001"):
        ab_proportions(5_000, 100_000, 4_950, 100_000, min_effect=0.001, require="not_worse")


def test_shadow_regression_distance_is_scipys_ks_statistic() -> None:
    """One KS implementation (stats.significance) serves the drift and the deployment gates."""
    from pytest_mlops.gates.deployment import shadow

    rng = numpy.random.default_rng(5)
    a, b = rng.normal(size=400), rng.normal(0.2, 1.0, size=400)  # logged predictions of both models
    result = shadow(a, b, max_distance=1.0, max_disagreement=1.0, task="regression")
    expected = scipy.stats.ks_2samp(a, b).statistic
    assert result.observed["distance"] == pytest.approx(expected, abs=1e-12)
