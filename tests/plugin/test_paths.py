"""Relative paths resolve against the rootdir everywhere, never the cwd (#14.3), and the gates file
follows the run's data options (#14.4)."""

from __future__ import annotations

import json
from pathlib import Path

# Imported here so in-process pytester runs reuse them (numpy cannot be imported twice per process).
import pandas  # noqa: F401
import pandera.pandas  # noqa: F401
import pytest

from tests.plugin.conftest import read_json

SCHEMA = """
schema_type: dataframe
version: 0.20.0
columns:
  x: {dtype: int64, nullable: false}
"""

PY_TESTS = """
from pytest_mlops.integrations.loading import load_frame

def test_schema_by_relative_path(mlops_schema):
    mlops_schema.validate(load_frame("data/batch.csv"), "schemas/batch.yaml")

def test_baseline_by_relative_path(mlops_baseline):
    mlops_baseline.check("x", 1.0, path="baselines/explicit.json")
"""

GATES = """
gates:
  - name: batch schema
    kind: schema
    data: data/batch.csv
    schema: schemas/batch.yaml
"""


def _project(pytester: pytest.Pytester) -> Path:
    root = pytester.path
    pytester.makeini("[pytest]\ntestpaths = tests\n")
    (root / "data").mkdir()
    (root / "data" / "batch.csv").write_text("x\n1\n2\n")
    (root / "schemas").mkdir()
    (root / "schemas" / "batch.yaml").write_text(SCHEMA)
    (root / "baselines").mkdir()
    (root / "baselines" / "explicit.json").write_text(
        json.dumps({"format": "pytest-mlops-baseline/1", "name": "x", "value": 1.0, "direction": "higher"})
    )
    (root / "tests").mkdir()
    (root / "tests" / "test_paths.py").write_text(PY_TESTS)
    (root / "gates").mkdir()
    (root / "gates" / "mlops-gates.yaml").write_text(GATES)
    return root


@pytest.mark.parametrize("where", [".", "tests", "gates"])
def test_relative_paths_start_at_the_rootdir_from_any_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist_args: list[str], where: str
) -> None:
    root = _project(pytester)
    monkeypatch.chdir(root / where)
    result = pytester.runpytest(*xdist_args, str(root / "tests"), str(root / "gates"))
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["3 gates: 3 passed"])


def test_a_missing_file_names_the_resolved_path(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(pytester)
    (root / "schemas" / "batch.yaml").unlink()
    monkeypatch.chdir(root / "tests")
    result = pytester.runpytest("-k", "schema_by_relative_path")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"E   *schema file '{root / 'schemas' / 'batch.yaml'}' does not exist (relative paths start at "
            f"the rootdir '{root}');*"
        ]
    )


DRIFT = """
gates:
  - name: serving schema
    kind: schema
    schema: schemas/batch.yaml
  - name: serving drift
    kind: drift
    max_share: 0
  - name: pinned drift
    kind: drift
    reference: data/train.csv
    current: data/train.csv
  - name: named option
    kind: drift
    reference: $mlops_reference_data
    current: $mlops_current_data
"""


def test_the_gates_file_follows_the_data_options(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    root = pytester.path
    pytester.makeini("[pytest]\nmlops_reference_data = data/train.csv\nmlops_current_data = data/train.csv\n")
    (root / "data").mkdir()
    (root / "data" / "train.csv").write_text("x\n" + "\n".join(str(i % 10) for i in range(200)) + "\n")
    (root / "data" / "batch.csv").write_text("x\n" + "\n".join(str(50 + i % 10) for i in range(200)) + "\n")
    (root / "schemas").mkdir()
    (root / "schemas" / "batch.yaml").write_text(SCHEMA)
    (root / "mlops-gates.yaml").write_text(DRIFT)
    # the ini's current data: no drift
    result = pytester.runpytest(*xdist_args, "--mlops-report=report.json")
    result.assert_outcomes(passed=4)
    # a new batch on the command line: the entries that name no file (or name the option) follow it
    result = pytester.runpytest(*xdist_args, "--mlops-current-data=data/batch.csv", "--mlops-report=report.json")
    result.assert_outcomes(passed=2, failed=2)
    status = {g["name"]: g["status"] for g in read_json(root / "report.json")["gates"]}
    assert status == {
        "serving schema": "passed",
        "serving drift": "failed",
        "pinned drift": "passed",
        "named option": "failed",
    }


def test_a_data_key_left_out_without_the_option_is_a_clear_error(pytester: pytest.Pytester) -> None:
    (pytester.path / "mlops-gates.yaml").write_text(
        "gates:\n  - name: s\n    kind: drift\n    reference: x.csv\n  - name: t\n    kind: drift\n"
        "    current: $mlops_current_data\n"
    )
    (pytester.path / "x.csv").write_text("x\n1\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["mlops-gates.yaml:2: gate 's' (drift) needs 'current' (or --mlops-current-data / mlops_current_data)"]
    )
