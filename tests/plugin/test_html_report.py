"""``--mlops-html PATH`` end to end: gates in a real pytest run become the HTML report.

Also renders the sample report of ``scripts/screenshot_report.py`` and, when Chromium is
installed, screenshots it the way ``docs/img/html-report.png`` was made.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_report_html import check_html, decode_svg, section, svg_text

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshot_report.py"

TEST_FILE = """
from pytest_mlops import attach, gate

def shares(k):
    return [round(1 / k, 6)] * k

COLUMNS = [
    {"column": "tenure", "type": "numeric", "method": "ks", "score": 0.31, "threshold": 0.1, "drifted": True,
     "p_value": 0.0001, "null_rate_reference": 0.0, "null_rate_current": 0.0, "n_reference": 500, "n_current": 200,
     "histogram": {"edges": [0, 12, 24, 36, 48]}, "reference": [0.1, 0.4, 0.4, 0.1], "current": [0.4, 0.4, 0.1, 0.1]},
    {"column": "plan <pro>", "type": "categorical", "method": "psi", "score": 0.05, "threshold": 0.2,
     "drifted": False, "p_value": None, "null_rate_reference": 0.0, "null_rate_current": 0.0, "n_reference": 500,
     "n_current": 200, "histogram": {"categories": ["basic", "pro"]}, "reference": [0.6, 0.4], "current": [0.55, 0.45]},
]

def test_model_quality():
    attach("model", "churn", version=3, alias="challenger", run_id="abc123", uri="models:/churn@challenger")
    gate("roc_auc", 0.912, at_least=0.85, kind="model",
         details={"metric": "roc_auc", "direction": "higher",
                  "interval": {"low": 0.897, "high": 0.926, "level": 0.95}, "champion": 0.905})

def test_feature_drift():
    attach("data", "current batch", sha256="ab" * 32, rows=200, path="data/current.csv")
    gate("share of drifted columns", 0.5, at_most=0.2, kind="drift",
         details={"columns": COLUMNS, "share_drifted": 0.5}, hint="retrain on recent data")

def test_revenue():
    gate("revenue per user", 3.2, at_least=3.0)
"""


def test_mlops_html_writes_a_valid_report_with_charts(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(test_gates=TEST_FILE)
    result = pytester.runpytest("--mlops-html=out/report.html", "-p", "no:cacheprovider", *xdist_args)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*mlops gates*", "HTML report: *report.html"])
    page = (pytester.path / "out" / "report.html").read_text("utf-8")
    checker = check_html(page)
    assert {"lineage", "summary", "drift", "model", "details"} <= set(checker.ids)
    assert "slices" not in checker.ids
    assert "schema" not in checker.ids

    header = section(page, "lineage")
    assert "<b>churn</b>" in header
    assert "models:/churn@challenger" in header
    assert "current batch" in header
    assert "abababababababab" in header
    assert "pytest <b>" in header  # package versions from the real environment

    summary = section(page, "summary")
    assert "3 gates: 2 passed, 1 failed" in page
    assert summary.index("share of drifted columns") < summary.index("roc_auc") < summary.index("revenue per user")
    assert "test_gates.py::test_feature_drift" in summary

    texts = [svg_text(decode_svg(img["src"])) for img in checker.images]
    assert len(texts) == 3  # two histograms, one metric chart
    assert any(t.startswith("tenure · ks 0.31 · drifted") for t in texts)
    assert any(t.startswith("plan <pro> · psi 0.05") for t in texts)
    metric = next(t for t in texts if t.startswith("roc_auc: challenger vs champion"))
    assert "95% interval 0.897 to 0.926" in metric
    assert "champion 0.905" in metric
    assert "plan &lt;pro&gt;" in section(page, "drift")

    details = section(page, "details")
    assert "drift gate &#x27;share of drifted columns&#x27; failed: 0.5 &gt; 0.2" in details
    assert "hint: retrain on recent data" in details


def test_mlops_html_without_gates_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest("--mlops-html=report.html", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    page = (pytester.path / "report.html").read_text("utf-8")
    checker = check_html(page)
    assert set(checker.ids) == {"lineage", "summary", "details"}
    assert "No gate ran in this session." in page


def test_sample_report_of_the_screenshot_script_is_valid(tmp_path: Path) -> None:
    html = tmp_path / "sample.html"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--html", str(html), "--no-screenshot"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    checker = check_html(html.read_text("utf-8"))
    assert {"lineage", "summary", "drift", "model", "slices", "schema", "details"} <= set(checker.ids)
    assert len(checker.images) >= 10
    assert html.stat().st_size < 500_000


@pytest.mark.skipif(
    not any(shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")),
    reason="Chromium is not installed (apt-get install -y chromium); it only renders the README screenshot",
)
def test_screenshot_script_renders_a_png_with_chromium(tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--png", str(png), "--window-size", "800,600"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (800, 600)
