"""deepchecks suites and checks as gates, for real, on a trained scikit-learn model.

Runs in ``.venv-deepchecks`` (``bash scripts/test-deepchecks.sh``); skipped with the install
advice on the latest stack. deepchecks' own warnings are recorded by the integration, so
these tests run under our ``filterwarnings = error`` without filters of their own.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops import GateFailure, GateWarning, MlopsInputError
from pytest_mlops.results import GateResult
from tests.deepchecks.conftest import LABEL, NUMERIC

# These tests call gate functions directly and expect the GateFailure they raise at once
# (the script behaviour), so they opt out of the end-of-test collection of failed gates.
pytestmark = pytest.mark.mlops_stop_at_first

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.gates.deepchecks import DeepchecksGates


def _recorded(request: pytest.FixtureRequest, name: str = "mlops_gate") -> list[dict[str, Any]]:
    return [json.loads(str(value)) for key, value in request.node.user_properties if key == name]


def test_clean_data_passes_the_data_integrity_suite(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, request: pytest.FixtureRequest
) -> None:
    results = mlops_deepchecks.run("data_integrity", train_df, label=LABEL, cat_features=["plan"])
    assert results
    assert all(r.passed for r in results), [r.message for r in results if not r.passed]
    by_name = {r.name: r for r in results}
    assert by_name["deepchecks: Data Duplicates"].kind == "schema"
    assert by_name["deepchecks: Feature Label Correlation"].kind == "feature"
    assert {r.kind for r in results} == {"schema", "feature"}
    duplicates = by_name["deepchecks: Data Duplicates"]
    assert duplicates.summary == "1 of 1 conditions passed"
    assert duplicates.details["suite"] == "Data Integrity Suite"
    assert duplicates.details["check"] == "DataDuplicates"
    assert duplicates.details["conditions"] == [
        {
            "name": "Duplicate data ratio is less or equal to 5%",
            "category": "PASS",
            "details": "Found 0% duplicate data",
        }
    ]
    assert len(_recorded(request)) == len(results)


def test_dirty_data_fails_listing_failed_conditions_and_records_every_check(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, request: pytest.FixtureRequest
) -> None:
    import pandas as pd

    dirty = pd.concat([train_df, train_df.iloc[:200]], ignore_index=True)  # 20% duplicated rows
    dirty["region"] = "eu"  # a column with one value
    with pytest.warns(GateWarning) as warned, pytest.raises(GateFailure) as failure:
        mlops_deepchecks.run("data_integrity", dirty, label=LABEL, cat_features=["plan", "region"])
    first, evidence, hint = str(failure.value).splitlines()
    assert first == "schema gate 'deepchecks: Single Value in Column' failed: 1 of 1 conditions failed"
    assert (
        evidence
        == "  FAIL: Does not contain only a single value: Found 1 out of 6 columns with a single value: ['region']"
    )
    assert hint == "hint: pass html=True to save deepchecks' report with plots"
    # the suite's duplicates condition is a WARN condition: a warned gate, not a failure
    [duplicates] = [str(w.message) for w in warned if issubclass(w.category, GateWarning)]
    assert duplicates.splitlines()[:2] == [
        "schema gate 'deepchecks: Data Duplicates' warned: 1 of 1 conditions warned",
        "  WARN: Duplicate data ratio is less or equal to 5%: Found 20% duplicate data",
    ]
    # every check was recorded before the failure was raised
    recorded = _recorded(request)
    assert len(recorded) == 10
    assert {g["name"]: g["status"] for g in recorded if g["status"] != "passed"} == {
        "deepchecks: Single Value in Column": "failed",
        "deepchecks: Data Duplicates": "warned",
    }


def test_several_failed_checks_are_listed_under_the_suite(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, drifted_df: pd.DataFrame
) -> None:
    from deepchecks.tabular import Suite
    from deepchecks.tabular.checks import FeatureDrift, LabelDrift, NewCategoryTrainTest

    current = drifted_df.assign(plan=drifted_df["plan"].where(drifted_df.index % 4 != 0, "enterprise"))
    suite = Suite(
        "release checks",
        FeatureDrift().add_condition_drift_score_less_than(),
        NewCategoryTrainTest().add_condition_new_category_ratio_less_or_equal(0),
        LabelDrift().add_condition_drift_score_less_than(),
    )
    with pytest.raises(GateFailure) as failure:
        mlops_deepchecks.run(suite, train_df, current, label=LABEL, cat_features=["plan"])
    lines = str(failure.value).splitlines()
    assert lines[0] == "deepchecks suite 'release checks' failed: 2 of 3 checks failed"
    assert "  drift gate 'deepchecks: Feature Drift' failed: 1 of 1 conditions failed" in lines
    assert "  drift gate 'deepchecks: New Category Train Test' failed: 1 of 1 conditions failed" in lines
    assert any(
        line.startswith("    FAIL: Ratio of samples with a new category is less or equal to 0%") for line in lines
    )


def test_feature_drift_is_a_drift_gate_with_per_column_scores(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, drifted_df: pd.DataFrame
) -> None:
    from deepchecks.tabular.checks import FeatureDrift

    with pytest.raises(GateFailure) as failure:
        mlops_deepchecks.run(
            FeatureDrift().add_condition_drift_score_less_than(),
            train_df,
            drifted_df,
            label=LABEL,
            cat_features=["plan"],
        )
    first, evidence, *_ = str(failure.value).splitlines()
    assert first == "drift gate 'deepchecks: Feature Drift' failed: 1 of 1 conditions failed"
    assert evidence.startswith("  FAIL: categorical drift score < 0.2 and numerical drift score < 0.2: ")
    assert "'spend'" in evidence


def test_severity_warn_turns_a_failed_check_into_a_warning(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, drifted_df: pd.DataFrame
) -> None:
    from deepchecks.tabular.checks import FeatureDrift

    with pytest.warns(GateWarning, match="drift gate 'deepchecks: Feature Drift' warned: 1 of 1 conditions failed"):
        [result] = mlops_deepchecks.run(
            FeatureDrift().add_condition_drift_score_less_than(),
            train_df,
            drifted_df,
            label=LABEL,
            cat_features=["plan"],
            severity="warn",
        )
    assert result.status == "warned"
    columns = result.details["columns"]
    assert isinstance(columns, list)
    worst = columns[0]
    assert isinstance(worst, dict)
    assert worst["column"] == "spend"
    assert worst["method"] == "Kolmogorov-Smirnov"
    assert worst["type"] == "numeric"
    assert isinstance(worst["score"], float)
    assert worst["score"] > 0.2


@pytest.mark.mlops_drift(severity="warn")
def test_the_tests_drift_marker_sets_the_severity(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, drifted_df: pd.DataFrame
) -> None:
    from deepchecks.tabular.checks import FeatureDrift

    with pytest.warns(GateWarning):
        [result] = mlops_deepchecks.run(
            FeatureDrift().add_condition_drift_score_less_than(),
            train_df,
            drifted_df,
            label=LABEL,
            cat_features=["plan"],
        )
    assert result.kind == "drift"
    assert result.severity == "warn"


def test_model_evaluation_on_a_trained_model(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, holdout_df: pd.DataFrame, model: Any
) -> None:
    columns = [*NUMERIC, LABEL]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GateWarning)
        results = mlops_deepchecks.run(
            "model_evaluation", train_df[columns], holdout_df[columns], model=model, label=LABEL, severity="warn"
        )
    names = {r.name for r in results}
    assert {r.kind for r in results} == {"model"}
    assert "deepchecks: ROC Report - Test Dataset" in names
    roc = next(r for r in results if r.name == "deepchecks: ROC Report - Test Dataset")
    assert roc.passed, roc.message
    # regression-only and boosting-only checks do not apply to a random forest classifier: no gate
    assert not any("Regression Error Distribution" in n or "Boosting Overfit" in n for n in names)
    # every result that did not pass was a warning (severity="warn"), one GateWarning each
    not_passed = [r for r in results if not r.passed]
    assert all(r.status == "warned" for r in not_passed)
    assert len([w for w in caught if issubclass(w.category, GateWarning)]) == len(not_passed)


def test_checks_that_do_not_apply_can_be_recorded_as_warnings(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, holdout_df: pd.DataFrame, model: Any
) -> None:
    from deepchecks.tabular.checks import BoostingOverfit

    columns = [*NUMERIC, LABEL]
    with pytest.warns(GateWarning, match="did not run: ModelValidationError: Check is relevant for Boosting models"):
        [result] = mlops_deepchecks.run(
            BoostingOverfit(), train_df[columns], holdout_df[columns], model=model, label=LABEL, not_run="warn"
        )
    assert result.kind == "model"
    assert result.status == "warned"
    assert isinstance(result.details["error"], str)


def test_a_check_that_does_not_apply_skips_the_test_when_nothing_else_ran(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, holdout_df: pd.DataFrame
) -> None:
    from deepchecks.tabular.checks import IndexTrainTestLeakage

    with pytest.raises(pytest.skip.Exception, match=r"Index Train Test Leakage did not run \(DatasetValidationError"):
        mlops_deepchecks.run(IndexTrainTestLeakage(), train_df, holdout_df, label=LABEL, cat_features=["plan"])


def test_a_check_that_crashes_is_a_failed_gate(mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame) -> None:
    from deepchecks.tabular import SingleDatasetCheck

    class Exploding(SingleDatasetCheck):  # type: ignore[misc]
        def run_logic(self, context: Any, dataset_kind: Any) -> Any:
            raise RuntimeError("the input broke the check")

    with pytest.raises(GateFailure) as failure:
        mlops_deepchecks.run(Exploding(), train_df, label=LABEL, cat_features=["plan"])
    first, hint = str(failure.value).splitlines()
    assert first == (
        "custom gate 'deepchecks: Exploding - Train Dataset' failed: "
        "did not run: RuntimeError: the input broke the check"
    )
    assert hint == "hint: fix the input or remove the check from the suite"


def test_html_report_is_saved_and_recorded(
    mlops_deepchecks: DeepchecksGates,
    train_df: pd.DataFrame,
    holdout_df: pd.DataFrame,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    from deepchecks.tabular.checks import LabelDrift

    target = tmp_path / "reports" / "label-drift.html"
    check = LabelDrift().add_condition_drift_score_less_than()
    [result] = mlops_deepchecks.run(check, train_df, holdout_df, label=LABEL, cat_features=["plan"], html=target)
    assert result.passed, result.message
    assert result.details["html"] == str(target)
    text = target.read_text("utf-8")
    assert "Label Drift" in text
    assert not list(target.parent.glob("*.tmp"))  # written atomically
    [lineage] = _recorded(request, "mlops_lineage")
    assert lineage == {"role": "artifact", "name": "deepchecks: Label Drift", "path": str(target), "format": "html"}


def test_gate_a_result_you_already_have(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, drifted_df: pd.DataFrame
) -> None:
    from deepchecks.tabular import Suite
    from deepchecks.tabular.checks import FeatureDrift, LabelDrift

    suite = Suite(
        "drift only",
        FeatureDrift().add_condition_drift_score_less_than(),
        LabelDrift().add_condition_drift_score_less_than(),
    )
    result = mlops_deepchecks.evaluate(suite, train_df, drifted_df, label=LABEL, cat_features=["plan"])
    [label] = mlops_deepchecks.gate(result, check="Label Drift")
    assert isinstance(label, GateResult)
    assert label.passed
    assert label.details["suite"] == "drift only"
    with pytest.raises(GateFailure, match="drift gate 'deepchecks: Feature Drift' failed"):
        mlops_deepchecks.gate(result, check=suite[0])


def test_a_check_without_conditions_is_an_input_error_not_a_silent_pass(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, drifted_df: pd.DataFrame
) -> None:
    from deepchecks.tabular.checks import FeatureDrift

    with pytest.raises(MlopsInputError, match="'Feature Drift' has no conditions, so there is nothing to gate"):
        mlops_deepchecks.run(FeatureDrift(), train_df, drifted_df, label=LABEL, cat_features=["plan"])


def test_a_suite_run_once_is_gated_check_by_check_with_suite_params(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame
) -> None:
    """The session-fixture pattern: suite_params made at collection, evaluate() run once."""
    from pytest_mlops.gates.deepchecks import evaluate, suite_params

    params = {p.id: p.values[0] for p in suite_params("data_integrity")}
    result = evaluate("data_integrity", train_df, label=LABEL, cat_features=["plan"])  # another Suite instance
    [duplicates] = mlops_deepchecks.gate(result, check=params["data_duplicates"])
    assert duplicates.name == "deepchecks: Data Duplicates"
    assert duplicates.kind == "schema"
    assert duplicates.details["suite"] == "Data Integrity Suite"
    [correlation] = mlops_deepchecks.gate(result, check=params["feature_label_correlation"])
    assert correlation.kind == "feature"
