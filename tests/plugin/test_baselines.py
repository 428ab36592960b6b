"""Versioned baselines: fail (missing) -> update -> pass -> change -> fail, for gates files and tests."""

from __future__ import annotations

import io
import json
from pathlib import Path

# Import the heavy libraries here, before pytester's in-process runs: those restore sys.modules
# afterwards, and numpy cannot be imported twice in one process.
import numpy as np
import pandas as pd
import pyarrow  # noqa: F401
import pytest
import scipy.stats  # noqa: F401
import sklearn.metrics  # noqa: F401

import pytest_mlops.stats.driftset
import pytest_mlops.stats.metrics  # noqa: F401
from pytest_mlops.errors import GateFailure, MlopsInputError
from pytest_mlops.gates.stored import FORMAT, check_against_baseline, read_baseline, update_reference_stats
from pytest_mlops.stats.refstats import ReferenceProfile

# These tests call gate functions directly and expect the GateFailure they raise at once
# (the script behaviour), so they opt out of the end-of-test collection of failed gates.
pytestmark = pytest.mark.mlops_stop_at_first

pytest.importorskip("xdist")
_buffer = io.BytesIO()
pd.DataFrame({"a": [1.0], "b": ["x"]}).to_parquet(_buffer)  # loads pyarrow and pandas' Arrow extension types
pd.read_parquet(_buffer)

GATES = """\
gates:
  - name: revenue per user
    kind: custom
    source: metrics.json
    key: business.revenue_per_user
    baseline: baselines/revenue.json
    max_drop: 0.1
  - name: auc
    kind: model
    metric: roc_auc
    data: data/scored.csv
    label: churned
    prediction: score
    baseline: baselines/auc.json
    max_drop: 0.01
  - name: orders drift
    kind: drift
    reference: data/train.csv
    current: data/current.csv
    baseline: baselines/train-stats.json
"""


def scored(seed: int, noise: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    churned = rng.integers(0, 2, 2000)
    score = np.clip(churned * 0.5 + rng.normal(0.25, noise, 2000), 0, 1)
    return pd.DataFrame({"churned": churned, "score": score})


def orders(seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.normal(40 + shift, 10, 2000), "plan": rng.choice(["free", "pro"], 2000)})


def make_project(pytester: pytest.Pytester) -> Path:
    root = pytester.path
    (root / "data").mkdir()
    scored(1, 0.2).to_csv(root / "data" / "scored.csv", index=False)
    orders(1).to_csv(root / "data" / "train.csv", index=False)
    orders(2).to_csv(root / "data" / "current.csv", index=False)
    (root / "metrics.json").write_text(json.dumps({"business": {"revenue_per_user": 3.4}}))
    (root / "mlops-gates.yaml").write_text(GATES)
    return root


def test_baseline_cycle_in_a_gates_file(pytester: pytest.Pytester) -> None:
    root = make_project(pytester)
    baselines = root / "baselines"

    # 1. no baseline yet: every gate fails and says how to create it
    result = pytester.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "mlops-gates.yaml:2: custom gate 'revenue per user' failed: no baseline file baselines/revenue.json "
            "(current value 3.4)",
            "hint: run pytest with --mlops-update-baselines to create it, then review and commit it",
            "mlops-gates.yaml:8: model gate 'auc' failed: no baseline file baselines/auc.json (current value 0.9*)",
            "mlops-gates.yaml:16: drift gate 'orders drift' failed: no baseline statistics file "
            "baselines/train-stats.json",
            "hint: run pytest with --mlops-update-baselines to create it from data/train.csv, "
            "then review and commit it",
        ]
    )
    assert not baselines.exists()

    # 2. --mlops-update-baselines writes them, and fails once saying what was written
    result = pytester.runpytest("--mlops-update-baselines")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "mlops-gates.yaml:2: custom gate 'revenue per user' failed: baseline created: none -> 3.4 "
            "(baselines/revenue.json)",
            "hint: review and commit baselines/revenue.json; the next run without --mlops-update-baselines "
            "compares with it",
            "mlops-gates.yaml:8: model gate 'auc' failed: baseline created: none -> 0.9* (baselines/auc.json)",
            "mlops-gates.yaml:16: drift gate 'orders drift' failed: baseline statistics created: "
            "baselines/train-stats.json",
            "  created from ../data/train.csv (2 columns, 2000 rows)",
        ]
    )
    revenue = json.loads((baselines / "revenue.json").read_text())
    assert revenue["format"] == FORMAT
    assert revenue["value"] == 3.4
    assert revenue["direction"] == "higher"
    assert revenue["updated"]
    assert read_baseline(baselines / "auc.json").direction == "higher"  # type: ignore[union-attr]
    stats = ReferenceProfile.load(baselines / "train-stats.json")  # the 'pytest-mlops drift save' format
    assert stats.n_rows == 2000
    assert sorted(stats.columns) == ["age", "plan"]

    # 3. the baselines now hold: everything passes, with or without the flag (nothing rewritten)
    written = {p.name: p.read_bytes() for p in baselines.iterdir()}
    pytester.runpytest().assert_outcomes(passed=3)
    pytester.runpytest("--mlops-update-baselines").assert_outcomes(passed=3)
    assert {p.name: p.read_bytes() for p in baselines.iterdir()} == written

    # 4. the numbers move beyond the bounds: the gates fail against the committed baselines
    (root / "metrics.json").write_text(json.dumps({"business": {"revenue_per_user": 3.2}}))
    scored(1, 0.45).to_csv(root / "data" / "scored.csv", index=False)
    orders(2, shift=8.0).to_csv(root / "data" / "current.csv", index=False)
    result = pytester.runpytest()
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "mlops-gates.yaml:2: custom gate 'revenue per user' failed: drop 0.2 > max_drop 0.1 "
            "(now 3.2, baseline 3.4; higher is better)",
            "  baseline 3.4 from baselines/revenue.json",
            "hint: if the change is intended, run pytest with --mlops-update-baselines and commit the new "
            "baselines/revenue.json",
            "mlops-gates.yaml:8: model gate 'auc' failed: drop * > max_drop 0.01 (now *, baseline 0.9*; "
            "higher is better)",
            "mlops-gates.yaml:16: drift gate 'orders drift' failed: 1 of 2 columns drifted*",
            "  age: *",
        ]
    )

    # 5. accepting the change is an update (old -> new), which fails once, then passes
    result = pytester.runpytest("--mlops-update-baselines", "-m", "not mlops_drift")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["mlops-gates.yaml:2: custom gate 'revenue per user' failed: baseline updated: 3.4 -> 3.2 *"]
    )
    pytester.runpytest("-m", "not mlops_drift").assert_outcomes(passed=2)


def test_drift_stats_update_reports_what_changed(pytester: pytest.Pytester) -> None:
    root = make_project(pytester)
    stats = root / "baselines" / "train-stats.json"
    pytester.runpytest("--mlops-update-baselines", "-m", "mlops_drift").assert_outcomes(failed=1)
    frame = orders(3)
    frame["city"] = "x"
    frame.to_csv(root / "data" / "train.csv", index=False)
    result = pytester.runpytest("--mlops-update-baselines", "-m", "mlops_drift")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "mlops-gates.yaml:16: drift gate 'orders drift' failed: baseline statistics updated: "
            "baselines/train-stats.json",
            "  columns added: city",
            "  statistics changed: age, plan",
        ]
    )
    lines = stats.read_text().splitlines()
    assert len(lines) == 5  # header, one line per column (reviewable diffs), closing line
    assert sorted(ReferenceProfile.load(stats).columns) == ["age", "city", "plan"]


FIXTURE_TESTS = """
from pathlib import Path

def test_accuracy(mlops_baseline):
    mlops_baseline.check("accuracy", float(Path("value.txt").read_text()), max_drop=0.02, kind="model")

def test_latency(mlops_baseline):
    mlops_baseline.check("p95 latency ms", float(Path("latency.txt").read_text()), direction="lower",
                         max_relative_drop=0.1, path="perf/latency.json")
"""


def test_baseline_cycle_with_the_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_quality=FIXTURE_TESTS)
    (pytester.path / "value.txt").write_text("0.91")
    (pytester.path / "latency.txt").write_text("20")
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        ["*no baseline file baselines/test_quality/test_accuracy/accuracy.json (current value 0.91)*"]
    )
    pytester.runpytest("--mlops-update-baselines").assert_outcomes(failed=2)
    stored = read_baseline(pytester.path / "baselines" / "test_quality" / "test_accuracy" / "accuracy.json")
    assert stored is not None
    assert stored.value == 0.91
    assert stored.test == "test_quality.py::test_accuracy"
    assert read_baseline(pytester.path / "perf" / "latency.json").direction == "lower"  # type: ignore[union-attr]
    pytester.runpytest().assert_outcomes(passed=2)
    (pytester.path / "value.txt").write_text("0.9")  # within max_drop
    (pytester.path / "latency.txt").write_text("23")  # 15% slower, above 10%
    result = pytester.runpytest("--mlops-report=report.json", "-n", "2")  # results travel from xdist workers
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*custom gate 'p95 latency ms' failed: relative drop 15% > 10% (now 23, baseline 20; lower is better)*",
        ]
    )
    report = json.loads((pytester.path / "report.json").read_text())
    accuracy = next(g for g in report["gates"] if g["name"] == "accuracy")
    assert accuracy["kind"] == "model"
    assert accuracy["check"] == "stored_baseline"
    assert accuracy["details"]["baseline"] == 0.91


# -- the function itself ---------------------------------------------------------------------------


def test_missing_baseline_fails_even_for_a_warn_gate(tmp_path: Path) -> None:
    with pytest.raises(GateFailure, match=r"no baseline file .*auc\.json \(current value 0\.8\)"):
        check_against_baseline("auc", 0.8, tmp_path / "auc.json", severity="warn")


def test_improvement_passes_and_does_not_move_the_baseline(tmp_path: Path) -> None:
    path = tmp_path / "auc.json"
    with pytest.raises(GateFailure, match=r"baseline created: none -> 0\.8"):
        check_against_baseline("auc", 0.8, path, update=True)
    assert check_against_baseline("auc", 0.8, path).summary.startswith("drop 0 <= max_drop 0 (now 0.8,")
    result = check_against_baseline("auc", 0.85, path)
    assert result.passed
    assert result.summary == "drop 0 <= max_drop 0 (now 0.85, baseline 0.8; higher is better)"
    assert read_baseline(path).value == 0.8  # type: ignore[union-attr]


def test_lower_is_better(tmp_path: Path) -> None:
    path = tmp_path / "rmse.json"
    with pytest.raises(GateFailure):
        check_against_baseline("rmse", 10.0, path, direction="lower", update=True)
    assert check_against_baseline("rmse", 10.4, path, direction="lower", max_drop=0.5).passed
    with pytest.raises(GateFailure, match=r"drop 0\.6 > max_drop 0\.5 \(now 10\.6, baseline 10; lower is better\)"):
        check_against_baseline("rmse", 10.6, path, direction="lower", max_drop=0.5)
    with pytest.raises(MlopsInputError, match="says 'lower' is better but the gate says 'higher'"):
        check_against_baseline("rmse", 10.0, path, direction="higher")


@pytest.mark.parametrize(
    "content", ["not json", json.dumps({"format": "other"}), json.dumps({"format": FORMAT, "value": "x"})]
)
def test_a_broken_baseline_file_is_an_input_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "auc.json"
    path.write_text(content)
    with pytest.raises(MlopsInputError, match="re-create it with --mlops-update-baselines"):
        check_against_baseline("auc", 0.8, path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"direction": "up"}, "direction='up'; use 'higher' or 'lower'"),
        ({"max_drop": -1}, "baseline gate: max_drop=-1 must be at least 0"),
        ({"value": float("nan")}, "is not a finite number"),
        ({"value": "high"}, "value 'high' is not a number"),
    ],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"value": 0.8, **kwargs}
    value = args.pop("value")
    with pytest.raises(MlopsInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_against_baseline("auc", value, tmp_path / "auc.json", **args)  # type: ignore[arg-type]


def test_unchanged_reference_stats_are_not_rewritten(tmp_path: Path) -> None:
    data = tmp_path / "train.csv"
    orders(1).to_csv(data, index=False)
    stats = tmp_path / "stats" / "train.json"
    assert update_reference_stats(data, stats, exclude=["plan"]) == ["created from ../train.csv (1 columns, 2000 rows)"]
    before = stats.stat().st_mtime_ns, stats.read_bytes()
    assert update_reference_stats(data, stats, exclude=["plan"]) is None
    assert (stats.stat().st_mtime_ns, stats.read_bytes()) == before


def test_reference_stats_from_parquet(tmp_path: Path) -> None:
    data = tmp_path / "train.parquet"
    orders(1).to_parquet(data)
    stats = tmp_path / "train-stats.json"
    assert update_reference_stats(data, stats, exclude=["plan"]) == [
        "created from train.parquet (1 columns, 2000 rows)"
    ]
    profile = ReferenceProfile.load(stats)
    assert list(profile.columns) == ["age"]
    assert profile.source == "train.parquet"
    assert update_reference_stats(data, stats, exclude=["plan"]) is None


PER_TEST = """
def test_train(mlops_baseline):
    mlops_baseline.check("roc_auc", 0.90)

def test_holdout(mlops_baseline):
    mlops_baseline.check("roc_auc", 0.80)
"""


def test_two_tests_bounding_one_metric_keep_separate_baselines(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_auc=PER_TEST)
    pytester.runpytest("--mlops-update-baselines", "-n", "2").assert_outcomes(failed=2)
    folder = pytester.path / "baselines" / "test_auc"
    train = read_baseline(folder / "test_train" / "roc_auc.json")
    holdout = read_baseline(folder / "test_holdout" / "roc_auc.json")
    assert train is not None
    assert holdout is not None
    assert (train.value, train.test) == (0.90, "test_auc.py::test_train")
    assert (holdout.value, holdout.test) == (0.80, "test_auc.py::test_holdout")
    pytester.runpytest().assert_outcomes(passed=2)  # each compares with its own


def test_an_unused_baseline_is_reported(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_auc=PER_TEST)
    pytester.runpytest("--mlops-update-baselines").assert_outcomes(failed=2)
    # the metric of one test is renamed, the other test is deleted
    pytester.makepyfile(
        test_auc="""
        def test_train(mlops_baseline):
            mlops_baseline.check("auc", 0.90)

        def test_other():
            pass
        """
    )
    pytester.runpytest("--mlops-update-baselines").assert_outcomes(passed=1, failed=1)
    result = pytester.runpytest(*xdist_args)
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "warning: 2 baseline files are no longer used by the tests that wrote them*",
            "  unused baseline: baselines/test_auc/test_holdout/roc_auc.json",
            "  unused baseline: baselines/test_auc/test_train/roc_auc.json",
        ]
    )
    # a selection that skips a test does not call its baseline unused
    result = pytester.runpytest(*xdist_args, "-k", "other", "-q")
    result.stdout.no_fnmatch_line("*test_holdout/roc_auc.json*")


def test_an_old_layout_baseline_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_auc="def test_train(mlops_baseline):\n    mlops_baseline.check('roc_auc', 0.9)\n")
    (pytester.path / "baselines").mkdir()
    (pytester.path / "baselines" / "roc_auc.json").write_text(
        json.dumps({"format": FORMAT, "name": "roc_auc", "value": 0.9, "direction": "higher"})
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *MlopsInputError: baseline 'roc_auc': baselines/roc_auc.json is in the old layout (one file per "
            "metric, shared by every test); baselines are now kept per test, and this test's is "
            "baselines/test_auc/test_train/roc_auc.json. Move it: mkdir -p baselines/test_auc/test_train && "
            "git mv baselines/roc_auc.json baselines/test_auc/test_train/roc_auc.json (or re-create it with "
            "--mlops-update-baselines, then delete baselines/roc_auc.json)"
        ]
    )
