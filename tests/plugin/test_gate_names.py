"""Names that tell gates apart (#14.2), and a terminal summary that counts every failed test (#14.3)."""

from __future__ import annotations

import pytest

from tests.plugin.conftest import read_json

SUITE = """
import pandas as pd
from pytest_mlops import MlopsInputError, gate

FRAME = pd.DataFrame({"island": ["a", "a", "b", "b"], "sex": ["f", "m", "f", "m"]})
Y = [1, 0, 1, 0]

def test_training_schema(mlops_schema):
    mlops_schema.validate(FRAME.assign(species=Y), "schema.yaml", environment="training")

def test_serving_schema(mlops_schema):
    mlops_schema.validate(FRAME, "schema.yaml", environment="serving")

def test_slices(mlops_model):
    mlops_model.slices("accuracy", Y, Y, slices="island", X=FRAME, at_least=0.5, min_size=1)
    mlops_model.slices("accuracy", Y, Y, slices="sex", X=FRAME, at_least=0.5, min_size=1)

def test_auc_train():
    gate("auc", 0.9, at_least=0.8, kind="model")

def test_auc_holdout():
    gate("auc", 0.7, at_least=0.8, kind="model")
"""

SCHEMA = """
schema_type: dataframe
version: 0.20.0
columns:
  island: {dtype: str, nullable: false}
  sex: {dtype: str, nullable: false}
  species: {dtype: int64, nullable: false}
environments:
  training: {}
  serving: {absent: [species]}
"""


def test_default_names_carry_the_distinguishing_argument(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_names=SUITE)
    pytester.makefile(".yaml", schema=SCHEMA)
    result = pytester.runpytest(*xdist_args, "--mlops-report=report.json", "--mlops-html=report.html")
    result.assert_outcomes(passed=4, failed=1)
    names = sorted((g["kind"], g["name"]) for g in read_json(pytester.path / "report.json")["gates"])
    assert names == [
        ("model", "accuracy per island"),
        ("model", "accuracy per sex"),
        ("model", "auc [test_auc_holdout]"),
        ("model", "auc [test_auc_train]"),
        ("schema", "schema (serving)"),
        ("schema", "schema (training)"),
    ]
    result.stdout.fnmatch_lines(
        [
            "FAILED  model  'auc [test_auc_holdout]': 0.7 < 0.8",
            "*",
            "warning: 2 gates shared a kind and a name with another gate, so each now carries its test's id;*",
            "  model 'auc' -> 'auc [test_auc_holdout]'",
            "  model 'auc' -> 'auc [test_auc_train]'",
        ]
    )
    html = (pytester.path / "report.html").read_text("utf-8")
    assert "auc [test_auc_holdout]" in html
    assert "auc [test_auc_train]" in html


def test_same_name_twice_in_one_test_is_numbered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_loop="""
        from pytest_mlops import gate

        def test_loop():
            for value in (0.9, 0.95):
                gate("auc", value, at_least=0.8)
        """
    )
    result = pytester.runpytest("--mlops-report=report.json", "-q")
    result.assert_outcomes(passed=1)
    assert [g["name"] for g in read_json(pytester.path / "report.json")["gates"]] == ["auc", "auc #2"]
    result.stdout.fnmatch_lines(["mlops: 2 gates: 2 passed", "mlops: warning: 1 gates shared a kind and a name*"])


def test_promote_refusal_names_every_failed_gate(pytester: pytest.Pytester) -> None:
    from pytest_mlops.registry.promotion import PromotionRefused, check_report

    pytester.makepyfile(
        test_two="""
        from pytest_mlops import gate

        def test_a():
            gate("auc", 0.7, at_least=0.8, kind="model")
            gate("recall", 0.5, at_least=0.8, kind="model")

        def test_b():
            gate("auc", 0.6, at_least=0.8, kind="model")
        """
    )
    pytester.runpytest("--mlops-report=report.json").assert_outcomes(failed=2)
    with pytest.raises(PromotionRefused) as refused:
        check_report(pytester.path / "report.json")
    problems = str(refused.value)
    assert "model gate 'auc [test_a]'" in problems
    assert "model gate 'recall'" in problems
    assert "model gate 'auc [test_b]'" in problems


COUNTED = """
from pytest_mlops import MlopsInputError, gate

def test_gate_passes():
    gate("auc", 0.9, at_least=0.8)

def test_broken_input():
    raise MlopsInputError("schema file 'schemas/penguins.yaml' does not exist")

def test_plain_assert():
    gate("f1", 0.9, at_least=0.8)
    assert False
"""


def test_terminal_summary_counts_tests_that_failed_outside_gates(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    pytester.makepyfile(test_counted=COUNTED)
    result = pytester.runpytest(*xdist_args)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "2 gates: 2 passed; 2 tests failed outside the gates",
            "  failed outside the gates: test_counted.py::test_broken_input",
            "  failed outside the gates: test_counted.py::test_plain_assert",
        ]
    )
    quiet = pytester.runpytest(*xdist_args, "-q")
    quiet.stdout.fnmatch_lines(["mlops: 2 gates: 2 passed; 2 tests failed outside the gates"])
