"""``--mlops-html PATH`` end to end: every gate check run for real becomes the HTML report.

A pytester project runs a passing and a failing case of every check (``tests/every_gate.py``);
its HTML page is checked for what issue 14 asked of it, then rendered by headless Chromium
(``--dump-dom`` for the elements, ``--screenshot`` for a page that is not blank).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from html import escape
from pathlib import Path
from typing import Any

import pytest

from tests import every_gate
from tests.unit.test_report_html import card, chart_texts, check_html, images, section

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "screenshot_report.py"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
INSTALL = "apt-get update && apt-get install -y chromium"
SVG_NS = "{http://www.w3.org/2000/svg}"

PROJECT_TESTS = """
import pytest
import every_gate

CASES = [(check, passes) for check in every_gate.CHECKS for passes in (False, True)]


@pytest.mark.parametrize(
    ("check", "passes"), CASES, ids=[f"{c or 'generic'}-{'pass' if p else 'fail'}" for c, p in CASES]
)
def test_gate(check, passes, tmp_path):
    every_gate.run(check, passes, tmp_path)


def test_broken_outside_gates():
    raise RuntimeError("a test that fails without a gate")
"""


@pytest.fixture(scope="module")
def every_check_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real run of every check, failing and passing: its JSON, HTML and Markdown reports."""
    project = tmp_path_factory.mktemp("every-check")
    shutil.copy(ROOT / "tests" / "every_gate.py", project / "every_gate.py")
    (project / "test_every_check.py").write_text(PROJECT_TESTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_XDIST_WORKER")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly", "-q",
         "-W", "ignore::pytest_mlops.GateWarning", "--mlops-report=r.json", "--mlops-html=r.html",
         "--mlops-summary=r.md"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    return {
        "dir": project,
        "json": json.loads((project / "r.json").read_text("utf-8")),
        "html": (project / "r.html").read_text("utf-8"),
        "markdown": (project / "r.md").read_text("utf-8"),
    }


def test_the_page_opens_on_every_failed_gate_and_lists_every_gate(every_check_report: dict[str, Any]) -> None:
    page, report = every_check_report["html"], every_check_report["json"]
    checker = check_html(page)
    gates = report["gates"]
    failed = [i for i, g in enumerate(gates) if g["status"] == "failed"]
    assert {g["check"] for g in gates} == set(every_gate.CHECKS)
    assert len(failed) == len(every_gate.CHECKS)  # one failing case per check
    # the first section is the failed one; it links to every failed gate's card
    assert re.search(r"</nav><section id='failed'>", page)
    top = section(page, "failed")
    assert top.startswith(f"<h2>{len(failed)} gates failed</h2>")
    assert sorted(int(i) for i in re.findall(r"<a href='#gate-(\d+)'>", top)) == failed
    assert "1 failed test recorded no gate" in top
    # every gate has one card, failed cards before the summary and before any passing card
    assert {f"gate-{i}" for i in range(len(gates))} <= set(checker.ids)
    cards = re.findall(r"<article class='gate (\w+)' id='gate-(\d+)'>", page)
    assert len(cards) == len(gates)
    statuses = [status for status, _ in cards]
    assert statuses == sorted(statuses, key=("failed", "warned", "passed").index)
    assert page.index("<section id='summary'>") > page.rindex("<article class='gate failed'")
    # the summary table lists every gate, passed or failed, each linking to its card
    summary = section(page, "summary")
    assert sorted(int(i) for i in re.findall(r"href='#gate-(\d+)'", summary)) == list(range(len(gates)))
    for g in gates:
        assert f">{escape(g['name'], quote=True)}</a>" in summary


def test_every_check_gets_the_card_of_its_check(every_check_report: dict[str, Any]) -> None:
    page = every_check_report["html"]
    for g in every_check_report["json"]["gates"]:
        html = card(page, escape(g["name"], quote=True))
        assert "no details contract" not in html, g["check"]
        assert "is missing or not" not in html, g["check"]


def test_latency_and_size_cards_draw_their_bounds(every_check_report: dict[str, Any]) -> None:
    page = every_check_report["html"]
    for name, bound in (("latency True", "250"), ("model size True", "50")):
        [root] = images(card(page, name))
        ticks = [float(t.text) for t in root.iter(f"{SVG_NS}text") if t.text and re.fullmatch(r"[\d.]+", t.text)]
        assert max(ticks) >= float(bound), (name, ticks)
        assert f"at most {bound}" in " ".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def test_a_bh_corrected_drift_gate_shows_adjusted_p_values(every_check_report: dict[str, Any]) -> None:
    html = card(every_check_report["html"], "data drift False")
    assert "<th>p adjusted (bh)</th>" in html
    assert "p-values adjusted (bh)" in html
    texts = chart_texts(html)
    assert any(" · ks p_adj " in t for t in texts), texts


def test_an_integer_column_is_labelled_by_its_values(every_check_report: dict[str, Any]) -> None:
    html = card(every_check_report["html"], "data drift False")
    [year] = [root for root in images(html) if "".join(root.itertext()).startswith("year")]
    labels = [t.text for t in year.iter(f"{SVG_NS}text") if t.text and re.search(r"\d{4}", t.text)]
    assert labels == ["≤2007", "2008", "2009", "≥2010"]


def test_multivariate_and_shadow_cards_show_their_evidence(every_check_report: dict[str, Any]) -> None:
    page = every_check_report["html"]
    multivariate = card(page, "multivariate False")
    assert "no per-column data" not in multivariate
    for column in ("year", "amount", "plan"):
        assert f"<tr><td><b>{column}</b></td>" in multivariate
    assert any(t.startswith("AUC of each column alone") for t in chart_texts(multivariate))
    shadow = card(page, "shadow False")
    assert "Rows where they disagree most" in shadow
    assert any("at most 0.05" in t for t in chart_texts(shadow))


def test_model_check_cards_draw_reliability_group_bars_and_flipped_rows(every_check_report: dict[str, Any]) -> None:
    page = every_check_report["html"]
    calibration = card(page, "calibration False")
    [diagram] = images(calibration)
    words = " ".join("".join(t.itertext()) for t in diagram.iter(f"{SVG_NS}text"))
    assert "Reliability diagram (10 equal-width bins)" in words
    assert "mean predicted probability" in words
    assert len(list(diagram.iter(f"{SVG_NS}circle"))) >= 3  # one point per filled bin
    assert "ECE" in calibration
    assert "Brier skill" in calibration
    fairness = card(page, "fairness False")
    [bars] = images(fairness)
    assert "selection_rate by sensitive" in "".join(bars.itertext())
    assert len(list(bars.iter(f"{SVG_NS}rect"))) >= 3  # background + one bar per group
    assert "<th>Selection rate</th>" in fairness
    assert "equalized odds difference" in fairness
    for name in ("invariance False", "directional False"):
        html = card(page, name)
        assert "<h4>Example rows</h4>" in html, name
        assert any("at most 0.05" in t for t in chart_texts(html)), name


def test_the_markdown_summary_lists_every_gate_failed_first(every_check_report: dict[str, Any]) -> None:
    text, gates = every_check_report["markdown"], every_check_report["json"]["gates"]
    rows = [line for line in text.splitlines() if line.startswith("| ✅") or line.startswith("| ❌")]
    assert len(rows) == len(gates)
    marks = [row[2] for row in rows]
    assert marks == sorted(marks, key="❌✅".index)


def test_mlops_html_without_gates_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_plain():\n    assert True\n")
    result = pytester.runpytest("--mlops-html=report.html", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    page = (pytester.path / "report.html").read_text("utf-8")
    checker = check_html(page)
    assert set(checker.ids) == {"top", "summary", "lineage", "details"}
    assert "No gate ran in this session." in page


def test_mlops_html_under_xdist(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    pytester.makepyfile(
        test_gates="from pytest_mlops import gate\n\n"
        "def test_kpi():\n    gate('revenue per user', 3.2, at_least=3.0)\n\n"
        "def test_cost():\n    gate('cost per order', 1.4, at_most=1.0)\n"
    )
    result = pytester.runpytest("--mlops-html=out/report.html", "-p", "no:cacheprovider", *xdist_args)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*mlops gates*", "HTML report: *report.html"])
    page = (pytester.path / "out" / "report.html").read_text("utf-8")
    check_html(page)
    assert (
        page.index("<h3>cost per order</h3>")
        < page.index("<section id='summary'>")
        < page.index("<h3>revenue per user</h3>")
    )


def test_sample_report_of_the_screenshot_script_is_valid(tmp_path: Path) -> None:
    html = tmp_path / "sample.html"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--html", str(html), "--no-screenshot"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    page = html.read_text("utf-8")
    checker = check_html(page)
    assert {"top", "failed", "summary", "lineage", "model", "data", "deployment", "details"} <= set(checker.ids)
    assert "no details contract" not in page
    assert "is missing or not" not in page
    assert len(checker.images) >= 10
    assert html.stat().st_size < 500_000


# -- headless Chromium ---------------------------------------------------------------------------------------


def _chromium() -> str:
    found = next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Chromium is required in CI for the HTML screenshot test: {INSTALL}")
        pytest.skip(f"Chromium is not installed; {INSTALL} (scripts/test.sh does)")
    return found


def _run_chromium(browser: str, url: str, *flags: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="mlops-chromium-") as profile:
        command = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={profile}", *flags, url,
        ]  # fmt: skip
        return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


def _png_rows(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and raw (unfiltered) pixel rows of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color = struct.unpack(">IIBB", data[16:26])
    assert depth == 8
    assert color in (2, 6), color
    channels = 3 if color == 2 else 4
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            chunks.append(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def test_chromium_renders_the_failing_report_with_every_element(
    every_check_report: dict[str, Any], tmp_path: Path
) -> None:
    browser = _chromium()
    html_path = every_check_report["dir"] / "r.html"
    gates = every_check_report["json"]["gates"]
    done = _run_chromium(browser, html_path.as_uri(), "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert dom.lstrip().startswith("<!DOCTYPE html>")
    # the browser's DOM holds what the page promises, in order
    sections = re.findall(r"<section id=\"(\w+)\">", dom)
    assert sections[:3] == ["failed", "summary", "lineage"]
    assert sections[-1] == "details"
    assert len(re.findall(r"<article class=\"gate (?:failed|passed|warned)\" id=\"gate-\d+\">", dom)) == len(gates)
    assert len(re.findall(r"<img class=\"chart\" src=\"data:image/svg\+xml;base64,", dom)) >= 40
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", dom, re.S)
    assert nav
    assert re.findall(r"href=\"#(\w+)\"", nav.group(1))[0] == "failed"

    png = tmp_path / "report.png"
    done = _run_chromium(browser, html_path.as_uri(), f"--screenshot={png}", "--window-size=1280,1600")
    assert done.returncode == 0, done.stderr[-2000:]
    width, height, rows = _png_rows(png.read_bytes())
    assert (width, height) == (1280, 1600)
    # not blank: many distinct colours, and the failure red of the badges and charts among them
    sample = {row[x : x + 3] for row in rows[::8] for x in range(0, len(row) - 3, 24)}
    assert len(sample) > 50
    reds = [c for c in sample if c[0] > 150 and c[1] < 90 and c[2] < 90]
    assert reds, "no failure red in the screenshot"


def test_screenshot_script_renders_a_png_with_chromium(tmp_path: Path) -> None:
    _chromium()
    png = tmp_path / "report.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--png", str(png), "--window-size", "800,600"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    width, height, _ = _png_rows(png.read_bytes())
    assert (width, height) == (800, 600)
