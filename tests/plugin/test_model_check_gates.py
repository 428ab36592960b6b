"""Calibration, fairness and robustness gates as a user sees them: pass and fail texts, the JSON
report, the HTML charts, and the one-line error without fairlearn."""

from __future__ import annotations

import base64
import re

# Imported here so in-process pytester runs reuse them (numpy cannot be imported twice per process).
import fairlearn.metrics  # noqa: F401
import numpy  # noqa: F401
import pandas  # noqa: F401
import pytest
import sklearn.linear_model  # noqa: F401

from tests.plugin.conftest import given_name, read_json

DATA = """
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression


@pytest.fixture(scope="session")
def data():
    rng = np.random.default_rng(0)
    n = 600
    X = pd.DataFrame({
        "income": rng.normal(50, 10, n),
        "age": rng.normal(40, 12, n),
        "sex": rng.choice(["f", "m"], n),
        "city": rng.choice(["NYC", "LA"], n),
    })
    y = (0.1 * (X["income"] - 50) + rng.normal(size=n) > 0).astype(int)

    class Model:
        fit_ = LogisticRegression().fit(X[["income", "age"]], y)
        classes_ = fit_.classes_

        def predict(self, X):
            return self.fit_.predict(X[["income", "age"]])

        def predict_proba(self, X):
            return self.fit_.predict_proba(X[["income", "age"]])

    return X, y, Model()
"""

SUITE = """
import numpy as np

def test_calibration_passes(mlops_model, data):
    X, y, model = data
    mlops_model.calibration(y, model=model, X=X, max_ece=0.1, min_brier_skill=0.1)

def test_calibration_fails(mlops_model, data):
    X, y, model = data
    overconfident = np.clip((model.predict_proba(X)[:, 1] - 0.5) * 5 + 0.5, 0, 1)
    mlops_model.calibration(y, overconfident, max_ece=0.05, name="overconfident")

def test_fairness_passes(mlops_model, data):
    X, y, model = data
    mlops_model.fairness(y, model=model, X=X, sensitive="sex", metric="recall", max_difference=0.2,
                         max_equalized_odds_difference=0.2)

def test_fairness_fails(mlops_model, data):
    X, y, model = data
    biased = np.where(X["sex"] == "f", 0, model.predict(X))
    mlops_model.fairness(y, biased, X=X, sensitive="sex", max_demographic_parity_difference=0.1, name="biased")

def test_invariance_passes(mlops_model, data):
    X, y, model = data
    mlops_model.invariance(model, X, {"kind": "relabel", "column": "city", "mapping": {"NYC": "New York"}})

def test_invariance_fails(mlops_model, data):
    X, y, model = data
    mlops_model.invariance(model, X, {"kind": "noise", "column": "income", "std": 5.0, "seed": 1},
                           max_flip_rate=0.01, name="noisy income")

def test_directional_passes(mlops_model, data):
    X, y, model = data
    mlops_model.directional(model, X, "income", delta=1.0, monotone="increasing")

def test_directional_fails(mlops_model, data):
    X, y, model = data
    mlops_model.directional(model, X, "income", delta=1.0, monotone="decreasing", max_flip_rate=0.05,
                            name="income lowers")
"""


def test_model_check_gates_pass_and_fail(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makeconftest(DATA)
    pytester.makepyfile(test_checks=SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider", "--mlops-report=r.json", "--mlops-html=r.html", *xdist_args)
    result.assert_outcomes(passed=4, failed=4)
    for line in (  # under xdist the tests finish in any order
        "*model gate 'overconfident' failed: ECE * > max_ece 0.05 (10 equal-width bins, 600 rows)",
        "*model gate 'biased' failed: demographic parity difference * > max_demographic_parity_difference 0.1*",
        "*model gate 'noisy income' failed: flip rate * > max_flip_rate 0.01 (* of 600 rows flipped under "
        "noise('income', std=5.0, seed=1))",
        "*model gate 'income lowers' failed: flip rate 1 > max_flip_rate 0.05 (600 of 600 rows moved the wrong way*",
    ):
        result.stdout.fnmatch_lines([line])
    gates = read_json(pytester.path / "r.json")["gates"]
    by_check = {(g["check"], g["status"]) for g in gates}
    for check in ("calibration", "fairness", "invariance", "directional"):
        assert (check, "passed") in by_check
        assert (check, "failed") in by_check
    names = {given_name(g) for g in gates}
    assert {"overconfident", "biased", "noisy income", "income lowers", "recall by sex", "calibration"} <= names
    page = (pytester.path / "r.html").read_text("utf-8")
    charts = [
        base64.b64decode(b).decode("utf-8") for b in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page)
    ]
    assert any("<title>Reliability diagram (10 equal-width bins)</title>" in svg for svg in charts)
    assert any("<title>selection_rate by sex</title>" in svg for svg in charts)  # the per-group bars
    assert any("<title>recall by sex</title>" in svg for svg in charts)
    assert page.count("<h4>Example rows</h4>") >= 2


def test_fairness_without_fairlearn_says_which_extra_to_install(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_nofair="""
import sys

def test_gate(mlops_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "fairlearn", None)
    monkeypatch.setitem(sys.modules, "fairlearn.metrics", None)
    mlops_model.fairness([0, 1], [0, 1], sensitive=["a", "b"], max_difference=0.1)
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E *MissingExtraError: the fairness gate needs fairlearn, which is not installed: "
            "pip install 'pytest-mlops[[]fairness[]]'"
        ]
    )


def test_bad_inputs_are_one_line(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DATA)
    pytester.makepyfile(
        test_bad="""
def test_missing_column(mlops_model, data):
    X, y, model = data
    mlops_model.fairness(y, model=model, X=X, sensitive="gender", max_difference=0.1)

def test_unknown_perturbation(mlops_model, data):
    X, y, model = data
    mlops_model.invariance(model, X, {"kind": "shuffle", "column": "income"})

def test_probabilities_outside(mlops_model, data):
    X, y, model = data
    mlops_model.calibration(y, model.predict_proba(X)[:, 1] * 2, max_ece=0.1)
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "E *MlopsInputError: sensitive='gender' names a column, but X has no such column*",
            "E *MlopsInputError: unknown perturbation 'shuffle'; use one of noise, scale, relabel, typos*",
            "E *MlopsInputError: y_prob has * value(s) outside [[]0, 1[]] *",
        ]
    )
