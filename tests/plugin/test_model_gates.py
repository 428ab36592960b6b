"""Model gates as a user sees them: pass/fail/cold-start/warn texts, reports, bad inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Imported here so in-process pytester runs reuse them (numpy cannot be imported twice per process).
import numpy  # noqa: F401
import pytest
import sklearn.dummy
import sklearn.linear_model
import sklearn.metrics  # noqa: F401

import pytest_mlops.stats.bootstrap  # noqa: F401
from tests.plugin.conftest import given_name, read_json

DATA = """
import numpy as np
import pytest

Y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
CHALLENGER = np.array([0.1, 0.4, 0.35, 0.8, 0.7, 0.9, 0.2, 0.6])   # roc_auc 0.6875
CHAMPION = np.array([0.1, 0.4, 0.35, 0.5, 0.7, 0.9, 0.2, 0.6])     # roc_auc 0.8125

@pytest.fixture
def y():
    return Y

@pytest.fixture
def challenger():
    return CHALLENGER

@pytest.fixture
def champion():
    return CHAMPION
"""

METRIC_SUITE = """
import pytest

def test_auc_passes(mlops_model, y, challenger):
    mlops_model.metric("roc_auc", y, challenger, at_least=0.6)

def test_auc_fails(mlops_model, y, challenger):
    mlops_model.metric("roc_auc", y, challenger, at_least=0.9)

def test_accuracy_from_labels(mlops_model, y, challenger):
    mlops_model.metric("accuracy", y, (challenger > 0.5).astype(int), at_least=0.75, name="accuracy@0.5")

@pytest.mark.mlops_model(severity="warn")
def test_marker_makes_it_warn(mlops_model, y, challenger):
    mlops_model.metric("log_loss", y, challenger, at_most=0.3)
"""


def test_metric_gate_texts(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makeconftest(DATA)
    pytester.makepyfile(test_model=METRIC_SUITE)
    report = pytester.path / "report.json"
    result = pytester.runpytest(*xdist_args, "-rw", f"--mlops-report={report}")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: model gate 'roc_auc' failed: 0.6875 < 0.9",
            "*  roc_auc = 0.6875 on 8 rows",
            "*hint: roc_auc: higher is better; the model is on the wrong side of the bound",
        ]
    )
    result.stdout.fnmatch_lines(["*/test_model.py:14: GateWarning: model gate 'log_loss' warned: 0.6548 > 0.3"])
    result.stdout.fnmatch_lines(
        [
            "*= mlops gates =*",
            "FAILED  model 'roc_auc [test_auc_fails]': 0.6875 < 0.9",
            "WARNED  model 'log_loss': 0.6548 > 0.3",
            "PASSED  model 'accuracy@0.5': 0.75 >= 0.75",
            "PASSED  model 'roc_auc [test_auc_passes]': 0.6875 >= 0.6",
            "4 gates: 2 passed, 1 warned, 1 failed",
        ]
    )
    gates = read_json(report)["gates"]
    failed = next(g for g in gates if g["status"] == "failed")
    assert failed["details"] == {"metric": "roc_auc", "direction": "higher", "n": 8, "pos_label": 1}
    assert failed["bound"] == {"at_least": 0.9}
    assert failed["observed"] == 0.6875


COMPARE_SUITE = """
import pytest

def test_not_much_worse_fails(mlops_model, y, challenger, champion):
    mlops_model.compare("roc_auc", y, challenger=challenger, champion=champion, max_drop=0.1)

def test_relative_drop_fails(mlops_model, y, challenger, champion):
    mlops_model.compare("roc_auc", y, challenger=challenger, champion=champion, max_relative_drop=0.01,
                        name="relative")

def test_tolerance_below_champion_passes(mlops_model, y, challenger, champion):
    mlops_model.compare("roc_auc", y, challenger=challenger, champion=champion, max_drop=0.2, name="tolerant")

def test_improvement_required(mlops_model, y, challenger, champion):
    mlops_model.compare("roc_auc", y, challenger=champion, champion=challenger, min_gain=0.2, name="gain")

def test_cold_start_passes_with_a_note(mlops_model, y, challenger):
    mlops_model.compare("roc_auc", y, challenger=challenger, champion=None, max_drop=0.01, name="cold pass")

def test_cold_start_warns(mlops_model, y, challenger):
    mlops_model.compare("roc_auc", y, challenger=challenger, champion=None, on_cold_start="warn", name="cold warn")

def test_cold_start_fails(mlops_model, y, challenger):
    mlops_model.compare("roc_auc", y, challenger=challenger, champion=None, on_cold_start="fail", name="cold fail")
"""


def test_champion_comparison_and_cold_start_texts(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DATA)
    pytester.makepyfile(test_compare=COMPARE_SUITE)
    report = pytester.path / "report.json"
    result = pytester.runpytest("-rw", f"--mlops-report={report}")
    result.assert_outcomes(passed=3, failed=4)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: model gate 'roc_auc vs champion' failed: drop 0.125 > max_drop 0.1 "
            "(challenger 0.6875, champion 0.8125)",
            "*  roc_auc: challenger 0.6875, champion 0.8125 on 8 rows (higher is better)",
            "*hint: the challenger is worse than the champion allows; keep the champion serving",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*model gate 'relative' failed: relative drop 15.38% > max_relative_drop 1% "
            "(challenger 0.6875, champion 0.8125)"
        ]
    )
    result.stdout.fnmatch_lines(
        ["*model gate 'gain' failed: gain 0.125 < min_gain 0.2 (challenger 0.8125, champion 0.6875)"]
    )
    result.stdout.fnmatch_lines(
        [
            "*model gate 'cold fail' failed: cold start: no champion to compare with (on_cold_start='fail'); "
            "challenger roc_auc 0.6875",
            "*hint: promote a first champion, or use on_cold_start='pass' for the first model",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*GateWarning: model gate 'cold warn' warned: cold start: no champion to compare with (on_cold_start='warn')*"]
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED  model 'cold pass': cold start: no champion to compare with (on_cold_start='pass'); "
            "challenger roc_auc 0.6875",
        ]
    )
    result.stdout.fnmatch_lines(
        ["PASSED  model 'tolerant': drop 0.125 <= max_drop 0.2 (challenger 0.6875, champion 0.8125)"]
    )
    gates = {given_name(g): g for g in read_json(report)["gates"]}
    assert gates["cold pass"]["status"] == "passed"
    assert gates["cold pass"]["details"]["cold_start"] is True
    assert gates["cold pass"]["details"]["on_cold_start"] == "pass"
    assert gates["cold warn"]["status"] == "warned"
    assert gates["tolerant"]["details"]["champion"] == 0.8125
    assert gates["tolerant"]["details"]["cold_start"] is False
    assert gates["tolerant"]["details"]["gain"] == pytest.approx(-0.125)


NONINF_SUITE = """
import numpy as np

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 2, 600)
CHAMP = np.clip(0.4 * Y + 0.6 * RNG.random(600), 0, 1)
CLOSE = np.clip(CHAMP + RNG.normal(0, 0.01, 600), 0, 1)
WORSE = np.clip(0.2 * Y + 0.8 * RNG.random(600), 0, 1)

def test_close_challenger_is_non_inferior(mlops_model):
    mlops_model.non_inferior("roc_auc", Y, challenger=CLOSE, champion=CHAMP, margin=0.02, seed=7, n_resamples=300)

def test_worse_challenger_is_not(mlops_model):
    mlops_model.non_inferior("roc_auc", Y, challenger=WORSE, champion=CHAMP, margin=0.02, seed=7, n_resamples=300)

def test_lower_is_better_metric(mlops_model):
    mlops_model.non_inferior("brier", Y, challenger=CLOSE, champion=CHAMP, margin=0.01, seed=7, n_resamples=300)
"""


def test_non_inferiority_texts_and_reproducible_interval(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_noninf=NONINF_SUITE)
    intervals = []
    for run in ("a", "b"):
        report = pytester.path / f"report-{run}.json"
        result = pytester.runpytest(f"--mlops-report={report}")
        result.assert_outcomes(passed=2, failed=1)
        gates = {g["nodeid"].rsplit("::", 1)[1]: g for g in read_json(report)["gates"]}
        intervals.append({k: g["details"]["interval"] for k, g in gates.items()})
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: model gate 'roc_auc non-inferior to champion' failed: lower bound -0.* <= -0.02 (margin): "
            "95% interval of roc_auc challenger − champion is [[]-0.*, -0.*]",
            "*  roc_auc: challenger 0.*, champion 0.*, difference -0.* on 600 rows (higher is better)",
            "*  300 paired resamples, seed 7",
            "*hint: the data cannot rule out that the challenger is worse than the margin*",
        ]
    )
    result.stdout.fnmatch_lines(["PASSED  model 'brier non-inferior to champion': upper bound 0.* < 0.01 (margin): *"])
    assert intervals[0] == intervals[1]
    close = intervals[0]["test_close_challenger_is_non_inferior"]
    assert set(close) == {"low", "high", "level"}
    assert close["level"] == 0.95
    assert -0.02 < close["low"] < close["high"]


SLICE_SUITE = """
import numpy as np

Y = np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0,   1, 0, 1, 0, 1, 0, 1, 0,   1, 0, 1])
P = np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 1,   1, 0, 0, 1, 0, 0, 1, 0,   0, 0, 1])
COUNTRY = np.array(["FR"] * 10 + ["DE"] * 8 + ["LU"] * 3)

def test_slices_fail_and_small_slice_is_reported(mlops_model):
    mlops_model.slices("accuracy", Y, P, slices=COUNTRY, at_least=0.8, max_gap=0.1, min_size=5)

def test_slices_pass_without_the_weak_one(mlops_model):
    keep = COUNTRY != "DE"
    mlops_model.slices("accuracy", Y[keep], P[keep], slices=COUNTRY[keep], at_least=0.8, min_size=5)

def test_small_slice_can_fail(mlops_model):
    keep = COUNTRY != "DE"
    mlops_model.slices("accuracy", Y[keep], P[keep], slices=COUNTRY[keep], at_least=0.8, min_size=5,
                       on_small_slice="fail", name="strict")

def test_single_class_slice_is_undefined_not_a_crash(mlops_model):
    y = np.array([1, 1, 1, 1, 1, 0, 1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.9, 0.1, 0.8, 0.3, 0.6, 0.4])
    mlops_model.slices("roc_auc", y, s, slices=np.array(["A"] * 5 + ["B"] * 5), at_least=0.5, min_size=2)
"""


def test_slice_gate_texts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_slices=SLICE_SUITE)
    report = pytester.path / "report.json"
    result = pytester.runpytest(f"--mlops-report={report}", "-rw")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*GateFailure: model gate 'accuracy per slice' failed: 1 of 2 slices failed, worst DE 0.625 < 0.8; "
            "gap 0.275 > max_gap 0.1 (best FR 0.9, worst DE 0.625); 1 slice skipped: LU (n=3)",
            "*  DE: 0.625 < 0.8 (n=8)",
            "*  gap 0.275 > max_gap 0.1 (best FR 0.9, worst DE 0.625)",
            "*  LU: skipped, too small: 3 rows < min_size 5",
            "*  FR: 0.9 >= 0.8 (n=10)",
            "*hint: the model underperforms on some slices; inspect them before promoting",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*model gate 'strict' failed: 1 slice could not be evaluated (on_small_slice='fail'); "
            "1 slice skipped: LU (n=3)",
            "*hint: lower min_size or gather more rows for the small slices",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "PASSED  model 'accuracy per slice [test_slices_pass_without_the_weak_one]': 1 slices, worst FR 0.9 "
            ">= 0.8; 1 slice skipped: LU (n=3)"
        ]
    )
    gates = {g["nodeid"].rsplit("::", 1)[1]: g for g in read_json(report)["gates"]}
    slices = gates["test_slices_fail_and_small_slice_is_reported"]["details"]["slices"]
    assert slices == [
        {"slice": "DE", "n": 8, "value": 0.625, "passed": False, "note": "below bound"},
        {"slice": "FR", "n": 10, "value": 0.9, "passed": True, "note": "ok"},
        {"slice": "LU", "n": 3, "value": None, "passed": None, "note": "too small: 3 rows < min_size 5"},
    ]
    single = gates["test_single_class_slice_is_undefined_not_a_crash"]["details"]["slices"]
    assert single[-1]["slice"] == "A"
    assert single[-1]["note"].startswith("undefined: roc_auc is undefined when y_true holds a single class (1, 5 rows)")


BASELINE_AND_BUDGETS = """
import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

RNG = np.random.default_rng(3)
X = RNG.normal(size=(400, 4))
Y = (X[:, 0] + 0.5 * X[:, 1] + RNG.normal(0, 0.5, 400) > 0).astype(int)
CLF = LogisticRegression().fit(X[:200], Y[:200])

def test_beats_prior_baseline(mlops_model):
    mlops_model.baseline("roc_auc", Y[200:], model=CLF, X=X[200:], y_train=Y[:200], min_gain=0.2)

def test_does_not_beat_baseline_by_much(mlops_model):
    mlops_model.baseline("accuracy", Y[200:], model=CLF, X=X[200:], min_gain=0.9)

def test_latency_budget(mlops_model):
    mlops_model.latency(CLF, X, p95_ms_at_most=10_000, batches=20)

def test_latency_budget_too_tight(mlops_model):
    mlops_model.latency(CLF, X, p50_ms_at_most=1e-9, batch_size=10, batches=10)

def test_size_budget(mlops_model):
    mlops_model.size(CLF, mb_at_most=1)

def test_size_budget_too_tight(mlops_model):
    mlops_model.size(CLF, mb_at_most=1e-6)
"""


def test_baseline_latency_and_size_texts(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_budgets=BASELINE_AND_BUDGETS)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*model gate 'accuracy vs baseline' failed: gain 0.* < min_gain 0.9 over baseline 'prior' "
            "(model 0.*, baseline 0.*)"
        ]
    )
    result.stdout.fnmatch_lines(
        ["*model gate 'prediction latency' failed: p50 * ms > 1e-09 ms per row (10 calls of 10 rows)"]
    )
    result.stdout.fnmatch_lines(["*model gate 'model size' failed: 0.000* > 1e-06 MB (pickle)", "*  * bytes (pickle)"])
    result.stdout.fnmatch_lines(
        [
            "PASSED  model 'roc_auc vs baseline': gain 0.* >= min_gain 0.2 over baseline 'prior' "
            "(model 0.*, baseline 0.5)"
        ]
    )


BAD_INPUTS = """
import math
import numpy as np
from pytest_mlops.gates.model import check_metric, compare_to_champion

def test_length_mismatch():
    check_metric("accuracy", [0, 1, 1], [0, 1], at_least=0.5)

def test_nan_predictions():
    check_metric("roc_auc", [0, 1, 1], [0.3, math.nan, 0.8], at_least=0.5)

def test_labels_for_a_probability_metric():
    check_metric("roc_auc", [0, 1, 1, 0], [0, 1, 1, 1], at_least=0.5)

def test_single_class():
    check_metric("f1", [1, 1, 1], [1, 0, 1], at_least=0.5)

def test_unknown_metric():
    check_metric("acuracy", [0, 1], [0, 1], at_least=0.5)

def test_no_bound():
    check_metric("accuracy", [0, 1], [0, 1])

def test_bad_cold_start_policy():
    compare_to_champion("accuracy", [0, 1], challenger=[0, 1], champion=None, on_cold_start="ignore")
"""


def test_bad_inputs_are_one_clear_message_without_internal_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_bad=BAD_INPUTS)
    result = pytester.runpytest("-W", "ignore::pytest.PytestAssertRewriteWarning")  # pytest-internal, in-process only
    result.assert_outcomes(failed=7)
    result.stdout.fnmatch_lines(
        [
            "E *pytest_mlops.errors.MlopsInputError: y_true has 3 rows but y_pred has 2: labels and predictions must "
            "come from the same rows",
            "E *pytest_mlops.errors.MlopsInputError: y_pred has 1 NaN or infinite value (first at row 1); *",
            "E *pytest_mlops.errors.MlopsInputError: roc_auc needs predicted probabilities or scores, "
            "but y_pred holds only class labels [[]0, 1]; *",
            "E *pytest_mlops.errors.MlopsInputError: f1 is undefined when y_true holds a single class (1, 3 rows); *",
            "E *pytest_mlops.errors.MlopsInputError: unknown metric 'acuracy'; did you mean 'accuracy'? *",
            "E *pytest_mlops.errors.MlopsInputError: model gate 'accuracy': give a bound, at_least= and/or at_most=",
            "E *pytest_mlops.errors.MlopsInputError: on_cold_start='ignore' is not valid; use one of "
            "('pass', 'warn', 'fail')",
        ],
        consecutive=False,
    )
    text = result.stdout.str()
    assert "site-packages" not in text
    assert "pytest_mlops/stats" not in text
    assert "pytest_mlops/gates" not in text


def test_model_fixture_gets_the_marker_and_stage(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(DATA)
    pytester.makepyfile(test_model=METRIC_SUITE, test_other="def test_plain():\n    pass\n")
    result = pytester.runpytest("-m", "mlops_model")
    result.assert_outcomes(passed=3, failed=1, deselected=1)
    result = pytester.runpytest("--mlops-stage=ci")
    result.assert_outcomes(passed=1, deselected=4)


def test_session_without_log_to_mlflow_never_imports_mlflow(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        DATA + "\nimport json, sys\n"
        "def pytest_unconfigure(config):\n"
        "    (config.rootpath / 'mods.json').write_text(json.dumps('mlflow' in sys.modules))\n"
    )
    pytester.makepyfile(test_model=METRIC_SUITE)
    result = pytester.runpytest_subprocess(f"--mlops-report={pytester.path / 'r.json'}")
    result.assert_outcomes(passed=3, failed=1)
    assert json.loads((pytester.path / "mods.json").read_text()) is False


def test_model_modules_are_light_to_import() -> None:
    probe = (
        "import json, sys\n"
        "import pytest_mlops.fixtures.model, pytest_mlops.gates.model\n"
        "print(json.dumps(sorted(m for m in ('numpy', 'pandas', 'sklearn', 'scipy', 'mlflow') if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=Path.cwd())
    assert json.loads(done.stdout) == []
