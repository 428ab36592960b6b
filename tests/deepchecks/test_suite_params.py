"""A suite as one pytest item per check, as a user runs it: ids, markers, -k, report, HTML artifact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_mlops.gates.deepchecks import skip_if_unavailable, suite_params

USER_TESTS = """
import numpy as np
import pandas as pd
import pytest

from pytest_mlops.gates.deepchecks import suite_params


@pytest.fixture(scope="session")
def frames():
    rng = np.random.default_rng(0)
    def frame(n, shift):
        return pd.DataFrame({
            "x": rng.normal(shift, 1.0, size=n),
            "z": rng.uniform(size=n),
            "plan": rng.choice(["free", "pro"], size=n),
            "y": rng.integers(0, 2, size=n),
        })
    return frame(400, 0.0), frame(300, 1.0)


@pytest.mark.parametrize("check", suite_params("train_test_validation"))
def test_train_test(mlops_deepchecks, frames, check):
    mlops_deepchecks.run(check, *frames, label="y", cat_features=["plan"], html=check.name == "Feature Drift")
"""


@pytest.fixture(scope="module")
def deepchecks_stack() -> None:
    """Import deepchecks (and numpy, pandas) before ``pytester`` snapshots ``sys.modules``.

    pytester drops the modules a test imported after its snapshot; numpy refuses to be
    imported a second time in one process.
    """
    skip_if_unavailable()


@pytest.fixture
def user_project(deepchecks_stack: None, pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_dc=USER_TESTS)
    return pytester


def test_one_item_per_check_named_and_marked_by_check(user_project: pytest.Pytester) -> None:
    collected = user_project.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    collected.stdout.fnmatch_lines(
        [
            "test_dc.py::test_train_test[datasets_size_comparison]",
            "test_dc.py::test_train_test[new_label_train_test]",
            "*",
            "test_dc.py::test_train_test[feature_drift]",
            "test_dc.py::test_train_test[label_drift]",
            "test_dc.py::test_train_test[multivariate_drift]",
        ]
    )
    leakage = user_project.runpytest("--collect-only", "-q", "-m", "mlops_feature", "-p", "no:cacheprovider")
    ids = sorted(line for line in leakage.stdout.lines if line.startswith("test_dc.py::"))
    assert ids == [
        "test_dc.py::test_train_test[date_train_test_leakage_duplicates]",
        "test_dc.py::test_train_test[date_train_test_leakage_overlap]",
        "test_dc.py::test_train_test[feature_label_correlation_change]",
        "test_dc.py::test_train_test[index_train_test_leakage]",
        "test_dc.py::test_train_test[train_test_samples_mix]",
    ]


def test_selected_checks_run_report_and_attach_deepchecks_html(user_project: pytest.Pytester) -> None:
    report = user_project.path / "out" / "report.json"
    result = user_project.runpytest(
        "-k",
        "feature_drift or label_drift or index_train_test_leakage",
        f"--mlops-report={report}",
        f"--mlops-html={report.with_suffix('.html')}",
        "-rfs",
        "-p",
        "no:cacheprovider",
    )
    result.assert_outcomes(passed=1, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: drift gate 'deepchecks: Feature Drift' failed: 1 of 1 conditions failed",
            "*FAIL: categorical drift score < 0.2 and numerical drift score < 0.2: *'x'*",
            "*hint: deepchecks' report with plots: *out/deepchecks/*feature_drift*.html",
        ]
    )
    result.stdout.fnmatch_lines(["SKIPPED *deepchecks: Index Train Test Leakage did not run (DatasetValidationError*"])
    assert any(line.startswith("FAILED test_dc.py::test_train_test[feature_drift] - ") for line in result.stdout.lines)
    data = json.loads(report.read_text("utf-8"))
    gates = {g["name"]: g for g in data["gates"]}
    assert {name: (g["kind"], g["status"]) for name, g in gates.items()} == {
        "deepchecks: Feature Drift": ("drift", "failed"),
        "deepchecks: Label Drift": ("drift", "passed"),
    }
    drift = gates["deepchecks: Feature Drift"]
    assert drift["nodeid"] == "test_dc.py::test_train_test[feature_drift]"
    assert drift["details"]["suite"] == "Train Test Validation Suite"
    assert drift["details"]["columns"][0]["column"] == "x"
    html = Path(drift["details"]["html"])
    assert html.parent == report.parent / "deepchecks"
    assert html.stat().st_size > 0
    page = report.with_suffix(".html").read_text("utf-8")
    assert "deepchecks: Feature Drift" in page
    assert "Kolmogorov-Smirnov" in page  # the per-column table of the drift section
    [artifact] = [e for e in data["lineage"] if e["role"] == "artifact"]
    assert artifact == {"role": "artifact", "name": "deepchecks: Feature Drift", "path": str(html), "format": "html"}


def test_checks_without_conditions_are_skipped_items() -> None:
    skip_if_unavailable()
    params = {p.id: p for p in suite_params("model_evaluation")}
    [skip] = [m for m in params["confusion_matrix_report"].marks if m.name == "skip"]
    assert skip.kwargs["reason"] == "deepchecks' 'Confusion Matrix Report' has no conditions here: nothing to gate"
    assert [m.name for m in params["roc_report"].marks] == ["mlops_model"]
