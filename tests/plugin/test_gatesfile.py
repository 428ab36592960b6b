"""Declarative gates files as a user sees them: items, node ids, markers, selection, results, errors."""

from __future__ import annotations

import fnmatch
import io
import json
import shutil
from pathlib import Path

# Import the heavy libraries here, before pytester's in-process runs: those restore sys.modules
# afterwards, and numpy cannot be imported twice in one process.
import numpy as np
import pandas as pd
import pandera.pandas  # noqa: F401
import pyarrow  # noqa: F401
import pytest
import scipy.stats  # noqa: F401
import sklearn.metrics  # noqa: F401

import pytest_mlops.stats.driftset
import pytest_mlops.stats.metrics  # noqa: F401
from tests.plugin.conftest import read_json

pytest.importorskip("xdist")
_buffer = io.BytesIO()
pd.DataFrame({"a": [1.0], "b": ["x"]}).to_parquet(_buffer)  # loads pyarrow and pandas' Arrow extension types
pd.read_parquet(_buffer)

SCHEMA_YAML = """\
schema_type: dataframe
api: pandas
columns:
  age:
    dtype: int64
    greater_than_or_equal_to: 0
    less_than_or_equal_to: 120
  plan:
    dtype: str
    isin: [free, pro]
  churned:
    dtype: int64
  score:
    dtype: float64
coerce: true
environments:
  training: {}
  serving:
    absent: [churned]
"""

GATES = """\
gates:
  - name: orders schema
    kind: schema
    data: data/current.csv
    schema: schemas/orders.yaml
  - name: order features
    kind: feature
    data: data/current.csv
    reference: data/train.csv
    columns:
      age: {null_rate_at_most: 0.0, at_least: 0, at_most: 120}
      plan: {allowed: [free, pro], unseen_share_at_most: 0.0}
  - name: orders drift
    kind: drift
    reference: data/train.csv
    current: data/current.csv
    exclude: [churned]
    max_share: 0.0
  - name: auc
    kind: model
    metric: roc_auc
    data: data/current.csv
    label: churned
    prediction: score
    at_least: 0.7
  - name: revenue per user
    kind: custom
    source: metrics.json
    key: business.revenue_per_user
    at_least: 3.0
"""


def frame(n: int, seed: int, *, drift: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    churned = rng.integers(0, 2, n)
    df = pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "plan": rng.choice(["free", "pro"], n, p=[0.7, 0.3]),
            "churned": churned,
            "score": np.clip(churned * 0.5 + rng.normal(0.25, 0.2, n), 0, 1),
        }
    )
    if drift:
        df["age"] = rng.integers(50, 130, n)
        df["plan"] = rng.choice(["free", "pro"], n, p=[0.2, 0.8])
    return df


def make_project(pytester: pytest.Pytester, gates: str = GATES, *, drift: bool = False) -> Path:
    root = pytester.path
    (root / "data").mkdir(exist_ok=True)
    (root / "schemas").mkdir(exist_ok=True)
    frame(2000, 1).to_csv(root / "data" / "train.csv", index=False)
    frame(2000, 2, drift=drift).to_csv(root / "data" / "current.csv", index=False)
    (root / "schemas" / "orders.yaml").write_text(SCHEMA_YAML)
    (root / "metrics.json").write_text(json.dumps({"business": {"revenue_per_user": 3.4}}))
    (root / "mlops-gates.yaml").write_text(gates)
    pytester.makepyfile(test_unit="def test_unit():\n    pass\n")
    return root


NODE_IDS = [
    "mlops-gates.yaml::orders schema",
    "mlops-gates.yaml::order features",
    "mlops-gates.yaml::orders drift",
    "mlops-gates.yaml::auc",
    "mlops-gates.yaml::revenue per user",
    "test_unit.py::test_unit",
]


def test_each_entry_is_an_item_with_its_node_id(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines([*NODE_IDS, "6 tests collected*"])
    assert result.ret == 0


def test_every_kind_runs_and_reports(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    make_project(pytester)
    result = pytester.runpytest("--mlops-report=report.json", "-rA", *xdist_args)
    result.assert_outcomes(passed=6)
    report = read_json(pytester.path / "report.json")
    by_node = {g["nodeid"]: g for g in report["gates"]}
    assert set(by_node) == set(NODE_IDS[:-1])
    assert by_node["mlops-gates.yaml::orders schema"]["kind"] == "schema"
    assert by_node["mlops-gates.yaml::order features"]["kind"] == "feature"
    assert by_node["mlops-gates.yaml::orders drift"]["check"] == "data_drift"
    assert by_node["mlops-gates.yaml::auc"]["check"] == "metric"
    assert by_node["mlops-gates.yaml::revenue per user"]["kind"] == "custom"
    assert by_node["mlops-gates.yaml::revenue per user"]["observed"] == 3.4


@pytest.mark.parametrize(
    ("args", "selected"),
    [
        pytest.param(["-m", "mlops_drift"], ["mlops-gates.yaml::orders drift"], id="m-drift"),
        pytest.param(["-m", "mlops_model"], ["mlops-gates.yaml::auc"], id="m-model"),
        # ci = code schema feature: custom gates carry no gate marker, so they count as code
        pytest.param(
            ["--mlops-stage", "ci"],
            [
                "mlops-gates.yaml::orders schema",
                "mlops-gates.yaml::order features",
                "mlops-gates.yaml::revenue per user",
                "test_unit.py::test_unit",
            ],
            id="stage-ci",
        ),
        pytest.param(
            ["--mlops-stage", "cd"], ["mlops-gates.yaml::orders drift", "mlops-gates.yaml::auc"], id="stage-cd"
        ),
    ],
)
def test_items_carry_their_kind_marker(pytester: pytest.Pytester, args: list[str], selected: list[str]) -> None:
    make_project(pytester)
    result = pytester.runpytest("--collect-only", "-q", *args)
    lines = [line for line in result.stdout.lines if line.startswith(("mlops-gates.yaml::", "test_unit.py::"))]
    assert lines == selected


def test_failures_point_at_the_entry(pytester: pytest.Pytester) -> None:
    make_project(pytester, drift=True)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*_ schema gate 'orders schema' _*",
            "mlops-gates.yaml:2: schema gate 'orders schema' failed: *",
            "*_ feature gate 'order features' _*",
            "mlops-gates.yaml:6: feature gate 'order features' failed: *",
            "*_ drift gate 'orders drift' _*",
            "mlops-gates.yaml:13: drift gate 'orders drift' failed: 2 of 3 columns drifted*",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED mlops-gates.yaml::order features - mlops-gates.yaml:6: feature gate*"])
    assert "Traceback" not in result.stdout.str()
    assert "pytest_mlops/gatesfile" not in result.stdout.str()


def test_severity_warn_makes_the_gate_warn(pytester: pytest.Pytester) -> None:
    gates = GATES.replace("    kind: drift\n", "    kind: drift\n    severity: warn\n")
    make_project(pytester, gates, drift=True)
    result = pytester.runpytest("-m", "mlops_drift", "-W", "default::pytest_mlops.GateWarning")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*GateWarning: drift gate 'orders drift' warned: 2 of 3 columns drifted*"])


def test_bad_data_is_a_clean_failure(pytester: pytest.Pytester) -> None:
    gates = GATES.replace("label: churned", "label: churn")
    make_project(pytester, gates)
    result = pytester.runpytest("-m", "mlops_model")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["mlops-gates.yaml:19: 'current.csv' has no column 'churn'; its columns are: 'age', 'plan', 'churned', 'score'"]
    )
    assert "Traceback" not in result.stdout.str()


def test_files_named_in_mlops_gates_files_are_collected(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    (pytester.path / "mlops-gates.yaml").rename(pytester.path / "quality.yaml")
    result = pytester.runpytest("--collect-only", "-q", "-o", "mlops_gates_files=quality.yaml")
    result.stdout.fnmatch_lines(["quality.yaml::orders schema", "*6 tests collected*"])
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*1 test collected*"])


ENTRY = """\
gates:
  - name: orders drift
    kind: drift
    reference: data/train.csv
    current: data/current.csv
"""


ERRORS = {
    "unknown-key": (
        ENTRY + "    treshold: 0.2\n",
        "unknown-key/mlops-gates.yaml:6: unknown key 'treshold' in gate 'orders drift' (did you mean 'thresholds'?); *",
    ),
    "wrong-kind": (
        ENTRY.replace("kind: drift", "kind: drfit"),
        "wrong-kind/mlops-gates.yaml:3: gate 'orders drift': unknown kind 'drfit' (did you mean 'drift'?); *",
    ),
    "missing-data": (
        ENTRY.replace("data/current.csv", "data/missing.csv"),
        "missing-data/mlops-gates.yaml:5: 'current' in gate 'orders drift': file 'data/missing.csv' does not exist*",
    ),
    "missing-schema": (
        "gates:\n  - name: s\n    kind: schema\n    data: data/current.csv\n    schema: schemas/nope.yaml\n",
        "missing-schema/mlops-gates.yaml:5: 'schema' in gate 's': file 'schemas/nope.yaml' does not exist*",
    ),
    "malformed-yaml": (ENTRY + "    exclude: [churned\n", "malformed-yaml/mlops-gates.yaml:7: invalid YAML: *"),
    "missing-name": (
        ENTRY.replace("  - name: orders drift\n    kind: drift\n", "  - kind: drift\n"),
        "missing-name/mlops-gates.yaml:2: gate #1 has no 'name' (it names the test: mlops-gates.yaml::<name>)",
    ),
    "duplicate-name": (
        ENTRY + ENTRY.replace("gates:\n", ""),
        "duplicate-name/mlops-gates.yaml:6: duplicate gate name 'orders drift' (first on line 2)",
    ),
}


def test_gates_file_errors_are_one_clean_collection_error_each(pytester: pytest.Pytester) -> None:
    root = make_project(pytester)
    (root / "mlops-gates.yaml").unlink()
    for folder, (gates, _) in ERRORS.items():
        (root / folder).mkdir()
        shutil.copytree(root / "data", root / folder / "data")
        (root / folder / "mlops-gates.yaml").write_text(gates)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    lines = result.stdout.lines
    for folder, (_, message) in ERRORS.items():
        # each error: the pytest header, then exactly one line, the message
        header = next(i for i, line in enumerate(lines) if f" ERROR collecting {folder}/mlops-gates.yaml " in line)
        assert fnmatch.fnmatchcase(lines[header + 1], message), lines[header + 1]
        assert lines[header + 2].startswith(("___", "===")), lines[header + 2]
    result.stdout.fnmatch_lines([f"ERROR {folder}/mlops-gates.yaml" for folder in sorted(ERRORS)])
    output = result.stdout.str()
    assert "Traceback" not in output
    assert "pytest_mlops/gatesfile" not in output
    assert "CollectError" not in output


def test_a_gates_file_in_a_sub_folder_names_itself(pytester: pytest.Pytester) -> None:
    make_project(pytester, ENTRY + "    treshold: 0.2\n")
    sub = pytester.path / "gates"
    sub.mkdir()
    (pytester.path / "mlops-gates.yaml").rename(sub / "mlops-gates.yaml")
    result = pytester.runpytest("gates")
    result.stdout.fnmatch_lines(["gates/mlops-gates.yaml:6: unknown key 'treshold'*"])


def test_collecting_a_gates_file_imports_no_heavy_library(pytester: pytest.Pytester) -> None:
    make_project(pytester)
    heavy = ("pandas", "numpy", "scipy", "sklearn", "pandera", "mlflow", "polars", "pyarrow")
    pytester.makeconftest(
        "import json, sys\n"
        "def pytest_collection_finish(session):\n"
        f"    heavy = sorted(m for m in {heavy!r} if m in sys.modules)\n"
        "    (session.config.rootpath / 'heavy.json').write_text(json.dumps(heavy))\n"
    )
    result = pytester.runpytest_subprocess("--collect-only", "-q")
    result.stdout.fnmatch_lines(["*6 tests collected*"])
    assert json.loads((pytester.path / "heavy.json").read_text()) == []


SCORED_GATES = """\
gates:
  - name: calibrated
    kind: calibration
    data: scored.csv
    label: y
    probability: p
    max_ece: 0.1
  - name: fair
    kind: fairness
    data: scored.csv
    label: y
    prediction: yhat
    sensitive: [sex, region]
    max_demographic_parity_difference: 0.1
    min_group_size: 20
"""


def test_calibration_and_fairness_entries_run_on_scored_data(pytester: pytest.Pytester) -> None:
    import fairlearn.metrics  # noqa: F401

    rng = np.random.default_rng(1)
    n = 400
    p = rng.uniform(size=n)
    y = (rng.uniform(size=n) < p).astype(int)  # calibrated by construction
    sex = rng.choice(["f", "m"], n)
    yhat = np.where(sex == "f", 0, (p > 0.5).astype(int))  # region is fair, sex is not
    pd.DataFrame({"y": y, "p": p, "yhat": yhat, "sex": sex, "region": rng.choice(["n", "s"], n)}).to_csv(
        pytester.path / "scored.csv", index=False
    )
    (pytester.path / "mlops-gates.yaml").write_text(SCORED_GATES)
    result = pytester.runpytest("-m", "mlops_model", "--mlops-report=r.json")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["mlops-gates.yaml:8: model gate 'fair [[]sex[]]' failed: demographic parity difference * > "
         "max_demographic_parity_difference 0.1 across 2 groups of 'sex'"]
    )  # fmt: skip
    gates = {g["name"]: g for g in read_json(pytester.path / "r.json")["gates"]}
    assert gates["calibrated"]["status"] == "passed"
    assert gates["fair [region]"]["status"] == "passed"
    assert gates["fair [sex]"]["details"]["feature"] == "sex"


def test_feature_columns_take_mostly(pytester: pytest.Pytester) -> None:
    # age holds values up to ~120: at_most 30 fails for most rows; mostly 0.0001 lets it pass, 0.99 not
    strict = GATES.replace(
        "age: {null_rate_at_most: 0.0, at_least: 0, at_most: 120}", "age: {at_least: 0, at_most: 30, mostly: 0.99}"
    )
    make_project(pytester, strict)
    result = pytester.runpytest("-m", "mlops_feature")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*of values hold < mostly 0.99*"])
    loose = strict.replace("mostly: 0.99", "mostly: 0.0001")
    (pytester.path / "mlops-gates.yaml").write_text(loose)
    pytester.runpytest("-m", "mlops_feature").assert_outcomes(passed=1)
