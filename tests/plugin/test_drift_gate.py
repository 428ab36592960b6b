"""The drift gates as a user sees them: messages, overrides, saved statistics, bad input."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import sklearn.ensemble
import sklearn.metrics
import sklearn.model_selection

# Import the engine's dependencies once here: modules first imported inside an in-process
# pytester run are unloaded after it, and numpy's C extensions cannot be loaded twice.
import pytest_mlops.stats.domain
import pytest_mlops.stats.driftset
from tests.plugin.conftest import given_name, read_json

del pytest_mlops, scipy, sklearn
_buffer = io.BytesIO()
pd.DataFrame({"a": [1.0], "b": ["x"]}).to_parquet(_buffer)  # loads pyarrow and pandas' Arrow extension types
pd.read_parquet(_buffer)

CONFTEST = """
import numpy as np
import pandas as pd
import pytest

CATS = np.array(["a", "b", "c"])


def frame(n, seed, drift=False):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(10, 0.5, n),
            "score": rng.normal(0, 1, n),
            "city": rng.choice(CATS, n, p=[0.5, 0.3, 0.2]),
        }
    )
    if drift:
        df["income"] = df["income"] * 1.8
        df["city"] = rng.choice(CATS, n, p=[0.2, 0.3, 0.5])
    return df


@pytest.fixture
def train():
    return frame(3000, 1)


@pytest.fixture
def serving():
    return frame(3000, 2, drift=True)


@pytest.fixture
def same():
    return frame(3000, 3)
"""

SUITE = """
import pytest
from pytest_mlops.gates.drift import data_drift


def test_no_drift(mlops_drift, train, same):
    mlops_drift.data(train, same)


def test_drift_fails(mlops_drift, train, serving):
    mlops_drift.data(train, serving)


@pytest.mark.mlops_drift(severity="warn")
def test_drift_warns_with_marker(mlops_drift, train, serving):
    mlops_drift.data(train, serving, name="serving drift")


def test_overrides_make_it_pass(mlops_drift, train, serving):
    mlops_drift.data(
        train, serving, thresholds={"income": 2.0}, methods={"income": "wasserstein", "city": "psi"}, max_share=0.25
    )


def test_plain_function(train, serving):
    data_drift(train, serving, columns=["age", "score"])
"""


def test_pass_fail_warn_messages(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_drift=SUITE)
    report = pytester.path / "report.json"
    result = pytester.runpytest(*xdist_args, "-rw", f"--mlops-report={report}")
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: drift gate 'data drift' failed: 2 of 4 columns drifted (share 0.5 > 0)",
            "*  *: * p_adj=* < 0.02, *",
            "*  *: * p_adj=* < 0.02, *",
            "*hint: if the change is expected, refresh the reference*thresholds={'*': ...}*",
        ]
    )
    result.stdout.fnmatch_lines(["*  income: ks p_adj=* < 0.02, D * >= 0.04"])
    result.stdout.fnmatch_lines(["*  city: chi2 p_adj=* < 0.02, total variation * >= 0.04"])
    result.stdout.fnmatch_lines(["*GateWarning: drift gate 'serving drift' warned: 2 of 4 columns drifted*"])
    out = result.stdout.str()
    assert "pytest_mlops/stats" not in out
    data = read_json(report)
    gates = {(given_name(g), g["nodeid"].split("::")[-1]): g for g in data["gates"]}
    failed = gates[("data drift", "test_drift_fails")]
    cols = failed["details"]["columns"]
    assert {c["column"] for c in cols[:2]} == {"income", "city"}
    assert failed["details"]["share_drifted"] == 0.5
    assert failed["details"]["sampling"] is None
    assert failed["details"]["seed"] == 0
    assert failed["details"]["correction"] == "bh"
    by_column = {c["column"]: c for c in cols}
    income = by_column["income"]
    assert income["type"] == "numeric"
    assert income["drifted"] is True
    assert len(income["histogram"]["edges"]) == len(income["reference"]) + 1 == len(income["current"]) + 1
    assert sum(income["reference"]) == pytest.approx(1.0)
    city = by_column["city"]
    assert city["histogram"]["categories"] == ["a", "b", "c"]
    assert city["current"] == pytest.approx([0.2, 0.3, 0.5], abs=0.03)
    overrides = gates[("data drift", "test_overrides_make_it_pass")]
    by_name = {c["column"]: c for c in overrides["details"]["columns"]}
    assert by_name["income"]["threshold"] == 2.0
    assert by_name["city"]["method"] == "psi"
    assert overrides["summary"] == "1 of 4 columns drifted (share 0.25 <= 0.25)"


def test_saved_statistics_via_ini_and_cli(pytester: pytest.Pytester) -> None:
    from pytest_mlops.cli import main

    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"x": rng.normal(0, 1, 20_000), "kind": rng.choice(np.array(["a", "b"]), 20_000)})
    ref.to_parquet(pytester.path / "ref.parquet")
    stats = pytester.path / "drift_stats.json"
    assert main(["drift", "save", str(pytester.path / "ref.parquet"), "-o", str(stats)]) == 0
    assert json.loads(stats.read_text())["format"] == "pytest-mlops-drift-stats/1"
    pytester.makeini("[pytest]\nmlops_drift_stats = drift_stats.json\n")
    pytester.makepyfile(
        test_stats="""
        import numpy as np, pandas as pd

        def cur(shift):
            rng = np.random.default_rng(5)
            return pd.DataFrame({"x": rng.normal(shift, 1, 8000), "kind": rng.choice(np.array(["a", "b"]), 8000)})

        def test_stable(mlops_drift):
            mlops_drift.data(current=cur(0.0))

        def test_shifted(mlops_drift):
            mlops_drift.data(current=cur(0.6))
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*drift gate 'data drift' failed: 1 of 2 columns drifted (share 0.5 > 0)",
            "*  x: ks p_adj=* < 0.02, D 0.2* >= 0.04",
            "*note: 1 numeric columns compared by bins (saved or streamed statistics): KS statistics within +0.00*",
        ]
    )


def test_predictions_labels_and_multivariate(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(
        test_outputs="""
        import numpy as np

        def test_predictions_stable(mlops_drift):
            rng = np.random.default_rng(0)
            mlops_drift.predictions(rng.beta(2, 5, 4000), rng.beta(2, 5, 4000))

        def test_predictions_shifted(mlops_drift):
            rng = np.random.default_rng(1)
            mlops_drift.predictions(rng.beta(2, 5, 4000), rng.beta(5, 2, 4000))

        def test_label_shift(mlops_drift):
            mlops_drift.labels([0] * 900 + [1] * 100, [0] * 700 + [1] * 300, categorical=True)

        def test_multivariate_same(mlops_drift, train, same):
            mlops_drift.multivariate(train, same)

        def test_multivariate_drift(mlops_drift, train, serving):
            mlops_drift.multivariate(train, serving, seed=3)
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*drift gate 'prediction drift' failed: 1 of 1 column drifted (share 1 > 0)",
            "*  prediction: ks p_adj=* < 0.02, D * >= 0.04",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*drift gate 'label drift' failed: 1 of 1 column drifted*",
            "*  label: chi2 p_adj=* < 0.02, total variation 0.2 >= 0.04",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*drift gate 'multivariate drift' failed: domain classifier score * > 0.1 (AUC *)",
            "*  income: alone separates with AUC *",
        ]
    )


BAD = """
import numpy as np
import pandas as pd
import pytest


def test_missing_column(mlops_drift, train):
    mlops_drift.data(train, train.drop(columns="age"))


def test_dtype_mismatch(mlops_drift, train):
    mlops_drift.data(train, train.assign(age=train["age"].astype(str)))


def test_empty_current(mlops_drift, train):
    mlops_drift.data(train, train.iloc[:0])


def test_unknown_method(mlops_drift, train):
    mlops_drift.data(train, train, methods={"age": "energy"})


def test_unknown_correction(mlops_drift, train):
    mlops_drift.data(train, train, correction="sidak")


def test_no_reference(mlops_drift, train):
    mlops_drift.data(current=train)


def test_missing_stats_file(mlops_drift, train):
    mlops_drift.data("nope.json", train)


def test_bad_max_share(mlops_drift, train):
    mlops_drift.data(train, train, max_share=2)
"""

BAD_EXPECTED = {
    "test_missing_column": "current lacks column(s) ['age'] present in reference; add them, or leave them out "
    "with exclude=['age']",
    "test_dtype_mismatch": "column 'age' is numeric in reference (float64) but categorical in current (*); "
    "cast one side*categorical=['age']",
    "test_empty_current": "current has no rows; drift needs data on both sides",
    "test_unknown_method": "methods['age']='energy' is not known; use one of ['chi2', *]",
    "test_unknown_correction": "correction='sidak' is not known; use None, 'bonferroni', 'holm', 'bh' or 'by'",
    "test_no_reference": "data drift: no reference given; pass reference data or saved statistics, or set "
    "mlops_drift_stats*",
    "test_missing_stats_file": "drift statistics '*/nope.json' do not exist (relative paths start at the "
    "rootdir '*'); create them with "
    "'pytest-mlops drift save REFERENCE -o nope.json'",
    "test_bad_max_share": "max_share=2 must be a number in [0, 1]*",
}


def test_bad_input_gives_one_clear_message(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_bad=BAD)
    result = pytester.runpytest("--tb=short", "-p", "no:randomly")
    result.assert_outcomes(failed=len(BAD_EXPECTED))
    for name, message in BAD_EXPECTED.items():
        pattern = message.translate(str.maketrans({"[": "[[]", "]": "[]]"}))  # fnmatch brackets
        result.stdout.fnmatch_lines([f"_*_ {name} _*_", "*", f"E   pytest_mlops.errors.MlopsInputError: {pattern}"])
    out = result.stdout.str()
    assert "pytest_mlops/" not in out
    assert "site-packages/pandas" not in out


def test_tiny_samples_and_constant_columns_explain_themselves(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_tiny="""
        import pandas as pd
        from pytest_mlops.gates.drift import data_drift

        def test_tiny():
            ref = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "k": [7.0] * 5})
            cur = pd.DataFrame({"a": [1.5, 2.5, 3.5, 9.0], "k": [7.0, 7.0, 8.0, 7.0]})
            data_drift(ref, cur, name="tiny", max_share=1.0)
        """
    )
    result = pytester.runpytest(f"--mlops-report={pytester.path / 'r.json'}")
    result.assert_outcomes(passed=1)
    gate = read_json(pytester.path / "r.json")["gates"][0]
    notes = {c["column"]: c["notes"] for c in gate["details"]["columns"]}
    assert any("low statistical power" in n and "D >= 0.90" in n for n in notes["a"])
    assert "reference is constant: wasserstein normalised by the current standard deviation" in notes["k"]
    assert any(e.startswith("note: a: only 5 reference and 4 current values") for e in gate["evidence"])


def test_drift_cli_save_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_mlops.cli import main

    assert main(["drift", "save", str(tmp_path / "missing.parquet"), "-o", str(tmp_path / "s.json")]) == 2
    assert "does not exist" in capsys.readouterr().err
    rng = np.random.default_rng(4)
    pd.DataFrame({"v": rng.normal(0, 1, 5000), "k": rng.integers(0, 4, 5000)}).to_csv(tmp_path / "ref.csv", index=False)
    for name, shift in (("same", 0.0), ("moved", 1.0)):
        pd.DataFrame({"v": rng.normal(shift, 1, 4000), "k": rng.integers(0, 4, 4000)}).to_parquet(
            tmp_path / f"{name}.parquet"
        )
    stats = tmp_path / "s.json"
    assert main(["drift", "save", str(tmp_path / "ref.csv"), "-o", str(stats), "--categorical", "k"]) == 0
    assert "saved statistics of 2 columns, 5000 rows" in capsys.readouterr().out
    assert json.loads(stats.read_text())["columns"][1]["kind"] == "categorical"
    assert main(["drift", "check", str(stats), str(tmp_path / "same.parquet")]) == 0
    assert "drift gate 'drift of same.parquet' passed: 0 of 2 columns drifted" in capsys.readouterr().out
    assert main(["drift", "check", str(stats), str(tmp_path / "moved.parquet")]) == 1
    out = capsys.readouterr().out
    assert "drift gate 'drift of moved.parquet' failed: 1 of 2 columns drifted (share 0.5 > 0)" in out
    assert re.search(r"^  v: ks p_adj=\S+ < 0\.02, D 0\.3\d+ >= 0\.04$", out, re.MULTILINE)
