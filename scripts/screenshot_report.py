"""Render a sample HTML gate report with realistic data and screenshot it with headless Chromium.

Usage::

    python scripts/screenshot_report.py                      # writes docs/img/html-report.png
    python scripts/screenshot_report.py --html /tmp/r.html --png /tmp/r.png --window-size 1280,1800

Chromium comes from Debian packages (``apt-get install -y chromium``); the script
runs it with a fresh, empty profile and networking features off, so the page
must render from the file alone.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from pytest_mlops.report import SessionReport, TestOutcome
from pytest_mlops.results import GateResult

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PNG = ROOT / "docs" / "img" / "html-report.png"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def _normal_shares(edges: list[float], mean: float, sd: float) -> list[float]:
    cdf = [0.5 * (1 + math.erf((e - mean) / (sd * math.sqrt(2)))) for e in edges]
    shares = [cdf[i + 1] - cdf[i] for i in range(len(edges) - 1)]
    total = sum(shares)
    return [round(s / total, 4) for s in shares]


def _numeric(
    column: str,
    method: str,
    score: float,
    threshold: float,
    ref: tuple[float, float],
    cur: tuple[float, float],
    lo: float,
    hi: float,
    *,
    p_value: float | None = None,
    nulls: tuple[float, float] = (0.0, 0.0),
) -> dict[str, Any]:
    edges = [round(lo + (hi - lo) * i / 10, 4) for i in range(11)]
    return {
        "column": column,
        "type": "numeric",
        "method": method,
        "score": score,
        "threshold": threshold,
        # a p-value method's score is its p-value: drift when it is below the threshold
        "drifted": score < threshold if method == "ks" else score > threshold,
        "p_value": p_value,
        "null_rate_reference": nulls[0],
        "null_rate_current": nulls[1],
        "n_reference": 48_210,
        "n_current": 12_904,
        "histogram": {"edges": edges},
        "reference": _normal_shares(edges, *ref),
        "current": _normal_shares(edges, *cur),
    }


def _categorical(
    column: str, score: float, threshold: float, categories: list[str], ref: list[float], cur: list[float]
) -> dict[str, Any]:
    return {
        "column": column,
        "type": "categorical",
        "method": "psi",
        "score": score,
        "threshold": threshold,
        "drifted": score > threshold,
        "p_value": None,
        "null_rate_reference": 0.0,
        "null_rate_current": 0.002,
        "n_reference": 48_210,
        "n_current": 12_904,
        "histogram": {"categories": categories},
        "reference": ref,
        "current": cur,
    }


def sample_report() -> SessionReport:
    """A failed churn-model release check: drift in three features, one schema and one slice failure."""
    columns: list[Any] = [
        _numeric("tenure_months", "wasserstein", 0.31, 0.1, (30, 14), (19, 11), 0, 72, nulls=(0.0, 0.004)),
        _categorical(
            "plan",
            0.24,
            0.2,
            ["basic", "plus", "pro", "family", "student"],
            [0.41, 0.27, 0.17, 0.1, 0.05],
            [0.29, 0.24, 0.18, 0.11, 0.18],
        ),
        _numeric(
            "monthly_charges", "ks", 1.2e-9, 0.05, (64, 18), (71, 20), 10, 130, p_value=1.2e-9, nulls=(0.01, 0.03)
        ),
        _numeric("support_calls_90d", "ks", 0.09, 0.05, (2.1, 1.4), (2.4, 1.5), 0, 8, p_value=0.09),
        _categorical(
            "region", 0.048, 0.2, ["north", "south", "east", "west"], [0.28, 0.25, 0.24, 0.23], [0.26, 0.27, 0.22, 0.25]
        ),
        _numeric("data_gb_30d", "wasserstein", 0.044, 0.1, (21, 9), (22, 9.5), 0, 60),
        _numeric("age", "ks", 0.41, 0.05, (41, 12), (41.5, 12), 18, 90, p_value=0.41),
    ]
    columns += [
        _numeric(
            f"usage_feature_{i:02d}", "ks", round(0.6 - i * 0.01, 4), 0.05, (50, 10), (50, 10), 0, 100, p_value=0.6
        )
        for i in range(1, 8)
    ]
    drift = GateResult(
        kind="drift",
        check="data_drift",
        name="serving vs training features",
        passed=False,
        observed=3 / 14,
        bound={"at_most": 0.2},
        summary="3 of 14 columns drifted (share 0.2143 > 0.2)",
        evidence=(
            "tenure_months: wasserstein 0.31 > 0.1",
            "plan: psi 0.24 > 0.2",
            "monthly_charges: ks p=1.2e-09 < 0.05",
        ),
        hint="retrain on recent data or raise --mlops-drift-share if the shift is expected",
        details={
            "columns": columns,
            "share_drifted": 3 / 14,
            "max_share": 0.2,
            "correction": None,
            "sampling": {"rows": 50_000, "seed": 0},
        },
        nodeid="tests/test_release.py::test_feature_drift",
    )
    auc = GateResult(
        kind="model",
        check="metric",
        name="roc_auc",
        passed=True,
        observed=0.9121,
        bound={"at_least": 0.85},
        summary="0.9121 >= 0.85",
        details={
            "metric": "roc_auc",
            "direction": "higher",
            "interval": {"low": 0.8974, "high": 0.9262, "level": 0.95},
            "n": 12_904,
        },
        nodeid="tests/test_release.py::test_challenger_quality",
    )
    vs_champion = GateResult(
        kind="model",
        check="champion",
        name="recall vs champion",
        passed=False,
        severity="warn",
        observed=0.694,
        bound={"max_drop": 0.01},
        summary="drop 0.018 > max_drop 0.01 (challenger 0.694, champion 0.712)",
        details={
            "metric": "recall",
            "direction": "higher",
            "champion": 0.712,
            "challenger": 0.694,
            "change": -0.018,
        },
        nodeid="tests/test_release.py::test_challenger_vs_champion",
    )
    brier = GateResult(
        kind="model",
        check="metric",
        name="brier score",
        passed=True,
        observed=0.0912,
        bound={"at_most": 0.12},
        summary="0.0912 <= 0.12",
        details={"metric": "brier", "direction": "lower", "interval": {"low": 0.086, "high": 0.0967, "level": 0.95}},
        nodeid="tests/test_release.py::test_challenger_quality",
    )
    non_inferior = GateResult(
        kind="model",
        check="non_inferiority",
        name="roc_auc non-inferior to champion",
        passed=True,
        observed=-0.0021,
        bound={"margin": 0.01, "level": 0.95},
        summary=(
            "lower bound -0.0021 > -0.01 (margin): 95% interval of roc_auc challenger − champion is [-0.0021, 0.0151]"
        ),
        details={
            "metric": "roc_auc",
            "direction": "higher",
            "champion": 0.9056,
            "challenger": 0.9121,
            "difference": 0.0065,
            "interval": {"low": -0.0021, "high": 0.0151, "level": 0.95},
            "margin": 0.01,
            "method": "paired percentile bootstrap",
            "n_resamples": 1000,
            "seed": 7,
        },
        nodeid="tests/test_release.py::test_challenger_vs_champion",
    )
    slices = GateResult(
        kind="model",
        check="slices",
        name="roc_auc by region",
        passed=False,
        observed=0.8312,
        bound={"at_least": 0.85, "min_size": 30},
        summary="1 of 5 slices failed, worst region=unknown 0.8312 < 0.85; 1 slice skipped (see evidence)",
        evidence=("region=unknown: 0.8312 < 0.85 (n=412)",),
        hint="inspect the 'unknown' region rows; add --mlops-min-slice-size to ignore tiny slices",
        details={
            "metric": "roc_auc",
            "direction": "higher",
            "slices": [
                {"slice": "region=north", "n": 3512, "value": 0.9204, "passed": True, "note": "ok"},
                {"slice": "region=south", "n": 3298, "value": 0.9083, "passed": True, "note": "ok"},
                {"slice": "region=east", "n": 2977, "value": 0.9151, "passed": True, "note": "ok"},
                {"slice": "region=west", "n": 2705, "value": 0.8967, "passed": True, "note": "ok"},
                {"slice": "region=unknown", "n": 412, "value": 0.8312, "passed": False, "note": "below bound"},
                {
                    "slice": "region=<missing>",
                    "n": 12,
                    "value": None,
                    "passed": None,
                    "note": "too small: 12 rows < min_size 30",
                },
            ],
        },
        nodeid="tests/test_release.py::test_fairness_by_region",
    )
    schema_ok = GateResult(
        kind="schema",
        check="schema",
        name="training data schema",
        passed=True,
        observed=0,
        bound={"at_most": 0},
        summary="0 failing checks",
        details={"failures": []},
        nodeid="tests/test_data.py::test_training_schema",
    )
    schema_bad = GateResult(
        kind="schema",
        check="schema",
        name="serving batch 2026-11-25",
        passed=False,
        observed=3,
        bound={"at_most": 0},
        summary="3 checks failed on 154 rows",
        evidence=(
            "monthly_charges: not_nullable failed on 112 rows",
            "tenure_months: greater_than_or_equal_to(0) failed on 37 rows",
            "plan: isin(['basic', 'plus', 'pro', 'family', 'student']) failed on 5 rows",
        ),
        hint="fix the upstream export or pass lazy=True to see every failing row",
        details={
            "failures": [
                {"column": "monthly_charges", "check": "not_nullable", "count": 112, "examples": [None]},
                {
                    "column": "tenure_months",
                    "check": "greater_than_or_equal_to(0)",
                    "count": 37,
                    "examples": [-1, -3, -12, -1, -2, -7],
                },
                {
                    "column": "plan",
                    "check": "isin(['basic', 'plus', 'pro', 'family', 'student'])",
                    "count": 5,
                    "examples": ["Pro ", "trial", "<unknown>"],
                },
            ]
        },
        nodeid="tests/test_data.py::test_serving_schema",
    )
    latency = GateResult(
        kind="model",
        check="latency",
        name="prediction latency",
        passed=True,
        observed=42.98,
        bound={"p95_ms_at_most": 250.0},
        summary="p95 42.98 ms <= 250 ms per row (200 calls of 1 row)",
        details={
            "metric": "latency_ms_per_row",
            "direction": "lower",
            "p50_ms": 38.1,
            "p95_ms": 42.98,
            "mean_ms": 39.4,
            "max_ms": 61.7,
            "batch_size": 1,
            "batches": 200,
            "warmup": 3,
            "method": "predict_proba",
        },
        nodeid="tests/test_deploy.py::test_latency",
    )
    shadow = GateResult(
        kind="deployment",
        check="shadow",
        name="challenger in shadow",
        passed=True,
        observed={"disagreement_rate": 0.031, "distance": 0.012},
        bound={"max_disagreement": 0.05},
        summary="disagreement rate 0.031 <= 0.05",
        evidence=("62 of 2000 rows disagree (total variation distance 0.012)",),
        details={
            "n": 2000,
            "task": "classification",
            "disagreement_rate": 0.031,
            "disagreements": 62,
            "distance": 0.012,
            "distance_method": "total variation distance",
            "tolerance": 0.0,
            "rows": [],
        },
        nodeid="tests/test_deploy.py::test_shadow",
    )
    revenue = GateResult(
        kind="custom",
        check="",
        name="revenue per retained user",
        passed=True,
        observed=3.42,
        bound={"at_least": 3.0},
        summary="3.42 >= 3",
        nodeid="tests/test_business.py::test_revenue",
    )
    report = SessionReport(
        gates=[drift, auc, vs_champion, non_inferior, brier, slices, schema_ok, schema_bad, latency, shadow, revenue],
        lineage=[
            {
                "role": "model",
                "name": "churn-classifier",
                "version": 14,
                "alias": "challenger",
                "run_id": "8d1f0c2b7a9e4c55b1f3a0d2e6c7b891",
                "uri": "models:/churn-classifier@challenger",
            },
            {
                "role": "model",
                "name": "churn-classifier",
                "version": 12,
                "alias": "champion",
                "run_id": "41aa93c0de7b4f0e8c2d5b6a7f8e9d10",
                "uri": "models:/churn-classifier@champion",
            },
            {
                "role": "data",
                "name": "reference: train 2026-10",
                "rows": 48210,
                "sha256": "9b2e4f7c1a0d3e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b",
                "path": "data/train_2026-10.parquet",
            },
            {
                "role": "data",
                "name": "current: serving 2026-11-25",
                "rows": 12904,
                "sha256": "e3b7c1d09f2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e",
                "path": "s3://ml-data/serving/2026-11-25.parquet",
            },
        ],
        tests=Counter({"passed": 8, "failed": 3}),
        not_passed=[
            TestOutcome("tests/test_data.py::test_serving_schema", "failed", ("schema",)),
            TestOutcome("tests/test_release.py::test_fairness_by_region", "failed", ("model",)),
            TestOutcome("tests/test_release.py::test_feature_drift", "failed", ("drift",)),
        ],
        environment={
            "python": "3.11.7",
            "implementation": "cpython",
            "platform": "Linux-6.8-x86_64",
            "packages": {
                "pytest-mlops": "0.1.0",
                "pytest": "9.2.0",
                "numpy": "2.3.4",
                "pandas": "2.3.3",
                "scikit-learn": "1.7.2",
                "mlflow": "3.5.1",
            },
            "git": {"commit": "3f9c2a1e8b7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b", "branch": "release/2026-11", "dirty": False},
            "ci": {
                "GITHUB_REPOSITORY": "acme/churn-model",
                "GITHUB_RUN_ID": "11893402211",
                "GITHUB_WORKFLOW": "release gates",
                "GITHUB_REF": "refs/heads/release/2026-11",
                "GITHUB_EVENT_NAME": "push",
            },
        },
        created_at="2026-11-26T20:41:07Z",
        stage="release",
        exitstatus=1,
        tool_version="0.1.0",
    )
    report.sort()
    return report


def find_chromium() -> str | None:
    """The first Chromium-family browser on PATH, or None."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(html: Path, png: Path, *, window: str = "1280,1800", browser: str | None = None) -> Path:
    """Screenshot ``html`` to ``png`` with headless Chromium (fresh profile, no network features)."""
    browser = browser or find_chromium()
    if browser is None:
        raise SystemExit("chromium is not installed: apt-get update && apt-get install -y chromium")
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlops-chromium-") as profile:
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png}",
            f"--window-size={window}",
            html.resolve().as_uri(),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0 or not png.exists():
        raise SystemExit(f"chromium failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--html", type=Path, help="where to write the sample HTML report (default: a temp file)")
    parser.add_argument("--png", type=Path, default=DEFAULT_PNG, help=f"screenshot path (default: {DEFAULT_PNG})")
    parser.add_argument("--window-size", default="1280,1800", help="browser window WIDTH,HEIGHT (default: 1280,1800)")
    parser.add_argument("--no-screenshot", action="store_true", help="only write the HTML report")
    parser.add_argument(
        "--from-report", type=Path, metavar="JSON", help="render this saved JSON report instead of the sample"
    )
    args = parser.parse_args(argv)
    if args.from_report:
        from pytest_mlops.report import load_report

        report = load_report(args.from_report)
    else:
        report = sample_report()
    with tempfile.TemporaryDirectory(prefix="mlops-report-") as tmp:
        html = args.html or Path(tmp) / "report.html"
        report.write_html(html)
        print(f"HTML report: {html} ({html.stat().st_size / 1024:.0f} KiB)")
        if not args.no_screenshot:
            png = screenshot(html, args.png, window=args.window_size)
            print(f"screenshot: {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
