"""The HTML gate report: strict validity, sections, embedded SVG charts, escaping, caps.

Validity is checked with :class:`StrictHTMLChecker` (standard library ``html.parser``
plus a balanced-tag, nesting and unique-id check); every embedded image is decoded
and parsed as XML, so a chart that a browser would refuse fails here.
"""

from __future__ import annotations

import base64
import itertools
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any, cast

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from pytest_mlops.render import svg as _svg
from pytest_mlops.render._parts import CHART_CAP, DRIFT_CHARTS_PER_GATE, DRIFT_TOP_EXTRA, numeric_bins
from pytest_mlops.render.html import render_html
from pytest_mlops.report import SessionReport
from pytest_mlops.report import TestOutcome as Outcome  # not collected as a test class
from pytest_mlops.results import GateResult

SVG_NS = "{http://www.w3.org/2000/svg}"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
#: Elements that may not appear inside <p> (a browser would close the paragraph early).
BLOCK = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "fieldset", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
}  # fmt: skip
EVIL = "<script>alert('x')</script> & \"quoted\""


class StrictHTMLChecker(HTMLParser):
    """Collects what a strict reader would reject: unbalanced or misnested tags, duplicate
    ids or attributes, self-closed non-void elements, block elements inside ``<p>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: Counter[str] = Counter()
        self.doctype: str | None = None
        self.images: list[dict[str, str | None]] = []
        self.tags: Counter[str] = Counter()
        self.text: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.errors.append(f"duplicate attribute in <{tag} {names}>")
        values = dict(attrs)
        if values.get("id"):
            self.ids[str(values["id"])] += 1
        if tag == "img":
            self.images.append(values)
        if tag in BLOCK and "p" in self.stack:
            self.errors.append(f"<{tag}> inside <p> (at {'/'.join(self.stack)})")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.errors.append(f"self-closing non-void <{tag}/>")
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"end tag for void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            if tag in self.stack:  # resynchronise to report further problems sensibly
                while self.stack.pop() != tag:
                    pass
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] not in ("style", "title"):
            self.text.append(data)

    def check(self, page: str) -> StrictHTMLChecker:
        self.feed(page)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed at end: {self.stack}")
        self.errors += [f"duplicate id {i!r}" for i, n in self.ids.items() if n > 1]
        if (self.doctype or "").lower() != "doctype html":
            self.errors.append(f"doctype is {self.doctype!r}")
        return self


def check_html(page: str) -> StrictHTMLChecker:
    """Parse ``page`` strictly and assert it has no problems (used by the plugin tests too)."""
    checker = StrictHTMLChecker().check(page)
    assert checker.errors == [], checker.errors
    return checker


def decode_svg(src: str | None) -> ET.Element:
    prefix = "data:image/svg+xml;base64,"
    assert src is not None
    assert src.startswith(prefix), src[:60]
    root = ET.fromstring(base64.b64decode(src[len(prefix) :]).decode("utf-8"))
    assert root.tag == f"{SVG_NS}svg"
    return root


def svg_text(root: ET.Element) -> str:
    return " ".join("".join(el.itertext()) for el in root.iter() if el.tag in (f"{SVG_NS}text", f"{SVG_NS}title"))


def section(page: str, sid: str) -> str:
    """The HTML of ``<section id=sid>`` (or the ``<header id='top'>``)."""
    tag = "header" if sid == "top" else "section"
    match = re.search(rf"<{tag} id='{sid}'>(.*?)</{tag}>", page, re.S)
    assert match, f"no {tag} id={sid}"
    return match.group(1)


# -- fixtures: realistic gate results, built by hand per docs/architecture.md ---------------------


def numeric_column(name: str, score: float, threshold: float = 0.1, *, shift: float = 0.0) -> dict[str, Any]:
    ref = [0.05, 0.15, 0.3, 0.3, 0.15, 0.05]
    cur = [max(0.0, r + shift * (i - 2.5) / 10) for i, r in enumerate(ref)]
    total = sum(cur)
    return {
        "column": name,
        "type": "numeric",
        "method": "ks_stat",  # a distance: drift when above the threshold
        "score": score,
        "threshold": threshold,
        "drifted": score > threshold,
        "p_value": 0.001 if score > threshold else 0.4,
        "null_rate_reference": 0.0,
        "null_rate_current": 0.01,
        "n_reference": 5000,
        "n_current": 1200,
        "histogram": {"edges": [0, 10, 20, 30, 40, 50, 60]},
        "reference": ref,
        "current": [c / total for c in cur],
    }


def categorical_column(name: str, score: float, categories: list[str]) -> dict[str, Any]:
    n = len(categories)
    return {
        "column": name,
        "type": "categorical",
        "method": "psi",
        "score": score,
        "threshold": 0.2,
        "drifted": score > 0.2,
        "p_value": None,
        "null_rate_reference": 0.0,
        "null_rate_current": 0.0,
        "n_reference": 5000,
        "n_current": 1200,
        "histogram": {"categories": categories},
        "reference": [1 / n] * n,
        "current": [(2 if i == 0 else 1) / (n + 1) for i in range(n)],
    }


def drift_gate(columns: list[dict[str, Any]], name: str = "features drift", passed: bool = False) -> GateResult:
    drifted = sum(1 for c in columns if c["drifted"])
    details: dict[str, Any] = {
        "columns": columns,
        "share_drifted": drifted / len(columns),
        "sampling": {"rows": 10000, "seed": 7},
    }
    return GateResult(
        kind="drift",
        check="data_drift",
        name=name,
        passed=passed,
        observed=drifted / len(columns),
        bound={"at_most": 0.1},
        summary=f"{drifted} of {len(columns)} columns drifted",
        evidence=[f"{c['column']}: {c['method']} {c['score']} > {c['threshold']}" for c in columns if c["drifted"]],
        hint="retrain on recent data",
        details=details,
        nodeid="tests/test_drift.py::test_drift",
    )


def model_gate(**overrides: Any) -> GateResult:
    fields: dict[str, Any] = {
        "kind": "model",
        "check": "metric",
        "name": "roc_auc",
        "passed": True,
        "observed": 0.9121,
        "bound": {"at_least": 0.85},
        "summary": "0.9121 >= 0.85",
        "details": {
            "metric": "roc_auc",
            "direction": "higher",
            "interval": {"low": 0.8974, "high": 0.9262, "level": 0.95},
            "champion": 0.9056,
        },
        "nodeid": "tests/test_model.py::test_auc",
    }
    fields.update(overrides)
    return GateResult(**fields)


def slices_gate() -> GateResult:
    return GateResult(
        kind="model",
        check="slices",
        name="roc_auc by region",
        passed=False,
        observed=0.8312,
        bound={"at_least": 0.85},
        summary="1 of 3 slices below bound",
        evidence=["region=unknown: 0.8312 < 0.85"],
        details={
            "metric": "roc_auc",
            "direction": "higher",
            "slices": [
                {"slice": "region=north", "n": 3512, "value": 0.9204, "passed": True, "note": None},
                {"slice": "region=south", "n": 3298, "value": 0.9083, "passed": True, "note": None},
                {"slice": "region=unknown", "n": 412, "value": 0.8312, "passed": False, "note": "small slice"},
            ],
        },
        nodeid="tests/test_model.py::test_slices",
    )


def schema_gate() -> GateResult:
    return GateResult(
        kind="schema",
        check="schema",
        name="serving batch",
        passed=False,
        observed=2,
        bound={"at_most": 0},
        summary="2 checks failed on 43 rows",
        evidence=["tenure: greater_than_or_equal_to(0) failed on 37 rows", "plan: isin failed on 6 rows"],
        hint="fix the upstream export",
        details={
            "failures": [
                {"column": "tenure", "check": "greater_than_or_equal_to(0)", "count": 37,
                 "examples": [-1, -3, -12, -1, -2, -7]},
                {"column": "plan", "check": "isin(['basic', 'pro'])", "count": 6, "examples": ["Pro ", None]},
            ]
        },
        nodeid="tests/test_data.py::test_schema",
    )  # fmt: skip


def full_report(**overrides: Any) -> SessionReport:
    columns = [
        numeric_column("tenure_months", 0.31, shift=0.4),
        categorical_column("plan", 0.24, ["basic", "plus", "pro"]),
        numeric_column("monthly_charges", 0.06),
        numeric_column("age", 0.02),
    ]
    report = SessionReport(
        gates=[
            drift_gate(columns),
            model_gate(),
            model_gate(
                name="recall vs champion",
                check="champion",
                passed=False,
                severity="warn",
                observed=0.694,
                bound={"max_drop": 0.01},
                summary="0.694 < 0.702",
                details={"metric": "recall", "direction": "higher", "champion": 0.712, "challenger": 0.694},
            ),
            slices_gate(),
            schema_gate(),
            GateResult(kind="custom", name="revenue per user", passed=True, observed=3.4, bound={"at_least": 3.0},
                       summary="3.4 >= 3", nodeid="tests/test_kpi.py::test_revenue"),
        ],
        lineage=[
            {"role": "model", "name": "churn", "version": 14, "alias": "challenger", "run_id": "8d1f0c2b7a9e4c55",
             "uri": "models:/churn@challenger"},
            {"role": "data", "name": "reference", "rows": 5000, "sha256": "9b2e4f7c1a0d3e5f" + "0" * 48,
             "path": "data/train.parquet"},
            {"role": "feature-store", "name": "online", "snapshot": "2026-11-25"},
        ],
        tests=Counter({"passed": 4, "failed": 2}),
        not_passed=[Outcome("tests/test_data.py::test_schema", "failed", ("schema",))],
        environment={
            "python": "3.11.7",
            "implementation": "cpython",
            "platform": "Linux",
            "packages": {"pytest-mlops": "0.1.0", "pytest": "9.2.0", "pandas": "2.3.3"},
            "git": {"commit": "3f9c2a1e8b7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b", "branch": "main", "dirty": True},
            "ci": {"GITHUB_REPOSITORY": "acme/churn", "GITHUB_RUN_ID": "42", "GITHUB_WORKFLOW": "gates"},
        },
        created_at="2026-11-26T20:41:07Z",
        stage="release",
        exitstatus=1,
        tool_version="0.1.0",
    )  # fmt: skip
    for key, value in overrides.items():
        setattr(report, key, value)
    return report


# -- the checker itself must be able to fail ----------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ("<!DOCTYPE html><html><body><div></body></html>", "closes div"),
        ("<!DOCTYPE html><html><body><p><div>x</div></p></body></html>", "<div> inside <p>"),
        ("<!DOCTYPE html><html><body><i id='a'></i><b id='a'></b></body></html>", "duplicate id 'a'"),
        ("<!DOCTYPE html><html><body><span/></body></html>", "self-closing non-void"),
        ("<!DOCTYPE html><html><body><section>", "unclosed at end"),
        ("<html><body></body></html>", "doctype is None"),
    ],
)
def test_the_checker_rejects_invalid_html(page: str, problem: str) -> None:
    errors = StrictHTMLChecker().check(page).errors
    assert any(problem in e for e in errors), errors


# -- validity, sections, images ----------------------------------------------------------------------


def card(page: str, name: str) -> str:
    """The HTML of the card (``<article>``) of the gate called ``name``."""
    cards = [c.split("</article>")[0] for c in page.split("<article ")[1:]]
    found = [c for c in cards if f"<h3>{name}</h3>" in c]
    assert len(found) == 1, (name, len(found))
    return found[0]


def images(html: str) -> list[ET.Element]:
    return [decode_svg(src) for src in re.findall(r"src='([^']+)'", html)]


def chart_texts(html: str) -> list[str]:
    return [svg_text(root) for root in images(html)]


def test_the_full_report_is_valid_self_contained_html() -> None:
    page = render_html(full_report())
    checker = check_html(page)
    assert page.startswith("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>")
    # offline: no scripts, no stylesheets or images fetched from anywhere
    assert checker.tags["script"] == 0
    assert checker.tags["link"] == 0
    assert "@import" not in page
    assert "url(" not in page
    assert all(str(img["src"]).startswith("data:image/svg+xml;base64,") for img in checker.images)
    assert all(img.get("alt") for img in checker.images)
    assert "@media print" in page


def test_a_failing_page_opens_on_the_failed_gates_with_links_to_their_cards() -> None:
    page = render_html(full_report())
    checker = check_html(page)
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S)
    assert nav
    assert re.findall(r"href='#(\w+)'", nav.group(1)) == ["failed", "summary", "lineage", "model", "other", "details"]
    assert "Failed (3) · Warned (1)" in nav.group(1)  # the page's header counts them the same way
    # the first section after the header is the failed one, and it lists failed, then warned gates
    assert re.search(r"</header><nav[^>]*>.*?</nav><section id='failed'>", page, re.S)
    failed = section(page, "failed")
    assert failed.startswith("<h2>3 gates failed, 1 warned</h2>")
    listed = re.findall(r"<a href='#(gate-\d+)'><b>([^<]+)</b></a>", failed)
    assert [name for _, name in listed] == ["features drift", "roc_auc by region", "serving batch",
                                            "recall vs champion"]  # fmt: skip
    for anchor, _ in listed:
        assert checker.ids[anchor] == 1
    # every failed card comes before any passing card
    positions = {name: page.index(f"<h3>{name}</h3>") for name in
                 ("features drift", "serving batch", "recall vs champion", "roc_auc", "revenue per user")}  # fmt: skip
    assert max(positions[n] for n in ("features drift", "serving batch", "recall vs champion")) < min(
        positions["roc_auc"], positions["revenue per user"]
    )
    assert positions["recall vs champion"] < page.index("<section id='summary'>")
    assert (
        page.index("<section id='summary'>") < page.index("<section id='lineage'>") < page.index("<section id='model'>")
    )


def test_every_gate_has_one_anchored_card_and_the_summary_links_them_all() -> None:
    report = full_report()
    page = render_html(report)
    checker = check_html(page)
    assert {f"gate-{i}" for i in range(len(report.gates))} <= set(checker.ids)
    assert page.count("<article class='gate") == len(report.gates)
    summary = section(page, "summary")
    assert sorted(re.findall(r"href='#gate-(\d+)'", summary), key=int) == [str(i) for i in range(len(report.gates))]


def test_a_passing_page_has_no_failed_section() -> None:
    page = render_html(SessionReport(gates=[model_gate()]))
    checker = check_html(page)
    assert set(checker.ids) == {"top", "summary", "lineage", "model", "details", "gate-0"}
    assert "No gate failed or warned." in section(page, "details")


def test_every_embedded_image_is_a_well_formed_svg() -> None:
    checker = check_html(render_html(full_report()))
    roots = [decode_svg(img["src"]) for img in checker.images]
    # 4 drift histograms (1 drifted + 3 top columns), a chart per model gate (metric, champion, slices) and
    # one for the generic gate
    assert len(roots) == 4 + 3 + 1
    for root in roots:
        assert root.get("viewBox")
        assert root.find(f"{SVG_NS}title") is not None


def test_header_and_lineage_show_commit_versions_and_fingerprints() -> None:
    page = render_html(full_report())
    header = section(page, "top")
    assert "3f9c2a1e8b7d" in header
    assert "title='3f9c2a1e8b7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b'" in header
    assert "<code>main</code>" in header
    assert "uncommitted changes" in header
    assert "2026-11-26T20:41:07Z" in header
    assert "<code>release</code>" in header
    assert "https://github.com/acme/churn/actions/runs/42" in header
    lineage = section(page, "lineage")
    assert "pandas <b>2.3.3</b>" in lineage
    assert "Model versions" in lineage
    assert re.search(r"<b>churn</b></td><td>14</td><td>challenger</td>", lineage)
    assert "models:/churn@challenger" in lineage
    assert "Data fingerprints" in lineage
    assert ">9b2e4f7c1a0d3e5f<" in lineage  # the first 16 hex digits shown, the full digest in the title
    assert "<td>5000</td>" in lineage
    assert "snapshot=2026-11-25" in lineage  # other lineage roles are listed too


def test_clean_and_unknown_dirty_flags_and_no_git() -> None:
    env = {"git": {"commit": "abc", "branch": None, "dirty": False}}
    assert "clean" in section(render_html(full_report(environment=env)), "top")
    env = {"git": {"commit": "abc", "branch": None, "dirty": None}}
    assert "dirty state unknown" in section(render_html(full_report(environment=env)), "top")
    page = render_html(full_report(environment={}, lineage=[]))
    assert "not in a git repository" in section(page, "top")
    assert "No model versions or data fingerprints were attached." in section(page, "lineage")


def test_summary_counts_and_gates_failed_first() -> None:
    page = render_html(full_report())
    summary = section(page, "summary")
    cards = re.findall(r"<span class='big'>(\d+)</span><span>(\w+)</span>", summary)
    assert cards == [("6", "gates"), ("2", "passed"), ("1", "warned"), ("3", "failed")]
    statuses = re.findall(r"<span class='badge (\w+)'>", summary.split("<h3>All gates</h3>")[1].split("</table>")[0])
    assert statuses == ["failed", "failed", "failed", "warned", "passed", "passed"]
    kinds = re.findall(r"<tr><td><b>(\w+)</b></td><td>(\d)</td><td>(\d)</td><td>(\d)</td></tr>", summary)
    assert kinds == [
        ("custom", "1", "0", "0"),
        ("drift", "0", "0", "1"),
        ("model", "1", "1", "1"),
        ("schema", "0", "0", "1"),
    ]
    assert "Tests: 2 failed, 4 passed" in summary
    assert "<a href='#gate-0'>features drift</a>" in summary
    assert "<a href='#gate-5'>revenue per user</a>" in summary  # the generic gate has a card too


def test_drift_table_lists_all_columns_and_charts_drifted_then_top() -> None:
    columns = [numeric_column(f"d{i:02d}", 0.5 - i / 100) for i in range(20)]  # 20 drifted
    columns += [numeric_column(f"s{i:02d}", 0.05 - i / 1000) for i in range(20)]  # 20 not drifted
    page = render_html(SessionReport(gates=[drift_gate(columns)]))
    drift = card(page, "features drift")
    assert len(re.findall(r"<tr><td><b>[ds]\d\d</b>", drift)) == 40
    checker = check_html(page)
    assert len(checker.images) == DRIFT_CHARTS_PER_GATE
    titles = [decode_svg(img["src"]).findtext(f"{SVG_NS}title") for img in checker.images]
    assert [t.split(" ")[0] for t in titles if t] == [f"d{i:02d}" for i in range(DRIFT_CHARTS_PER_GATE)]
    assert "8 more drifted columns are in the table but not charted." in drift
    assert "20 of 40 columns drifted" in drift
    assert "sampled 10000 rows (seed 7)" in drift


def test_drift_charts_top_columns_when_few_drifted() -> None:
    columns = [numeric_column("hot", 0.4)] + [numeric_column(f"c{i}", 0.01 * i) for i in range(10)]
    checker = check_html(render_html(SessionReport(gates=[drift_gate(columns)])))
    titles = [decode_svg(img["src"]).findtext(f"{SVG_NS}title") or "" for img in checker.images]
    assert [t.split(" ")[0] for t in titles] == ["hot", "c9", "c8", "c7", "c6"][: 1 + DRIFT_TOP_EXTRA]


def test_numeric_histogram_has_both_series_and_edge_labels() -> None:
    page = render_html(SessionReport(gates=[drift_gate([numeric_column("tenure", 0.3)])]))
    root = decode_svg(check_html(page).images[0]["src"])
    bars = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    assert len(bars) == 12  # 6 bins x (reference, current)
    fills = Counter(r.get("fill") for r in bars)
    assert fills == {_svg.COLORS["reference"]: 6, _svg.COLORS["current"]: 6}
    text = svg_text(root)
    assert "tenure · ks_stat 0.3 · drifted" in text
    for edge in ("0", "30", "60"):
        assert re.search(rf"(^| ){edge}( |$)", text), edge
    assert "0–10: reference 5%" in text


def test_categorical_histogram_groups_rare_categories() -> None:
    categories = [f"cat{i:02d}" for i in range(30)]
    page = render_html(SessionReport(gates=[drift_gate([categorical_column("city", 0.5, categories)])]))
    text = svg_text(decode_svg(check_html(page).images[0]["src"]))
    assert "other (16)" in text
    assert "cat00" in text  # the biggest category is kept


def test_model_chart_shows_bound_interval_and_champion() -> None:
    page = render_html(full_report())
    auc_card = card(page, "roc_auc")
    assert "95% interval" in auc_card
    assert "[0.8974, 0.9262]" in auc_card
    [auc] = chart_texts(auc_card)
    assert "at least 0.85" in auc
    assert "95% interval 0.8974 to 0.9262" in auc
    assert "observed 0.9121" in auc
    recall_card = card(page, "recall vs champion")
    assert "Δ vs champion" in recall_card
    assert "-0.018" in recall_card
    [recall] = chart_texts(recall_card)
    assert recall.startswith("recall: challenger vs champion")
    assert "at least 0.702" in recall  # max_drop below the champion, drawn as the bound
    assert "champion 0.712" in recall


def test_lower_is_better_metric_uses_at_most() -> None:
    gate = model_gate(
        name="brier", check="champion", observed=0.2, passed=False, bound={"max_drop": 0.0}, summary="0.2 > 0.1",
        details={"metric": "brier", "direction": "lower", "champion": 0.1, "challenger": 0.2},
    )  # fmt: skip
    html = card(render_html(SessionReport(gates=[gate])), "brier")
    assert "<span class='bad'>+0.1</span>" in html
    [text] = chart_texts(html)
    assert "at most 0.1" in text
    assert "interval" not in text


def test_slices_table_lists_failing_slices_first_with_a_chart() -> None:
    html = card(render_html(full_report()), "roc_auc by region")
    rows = re.findall(r"<tr><td><b>(region=\w+)</b>", html)
    assert rows == ["region=unknown", "region=north", "region=south"]
    assert "1 of 3 slices failed" in html
    assert "small slice" in html
    [text] = chart_texts(html)
    assert "roc_auc by slice" in text
    assert "region=unknown: 0.8312" in text


def test_schema_failures_table_caps_examples() -> None:
    schema = card(render_html(full_report()), "serving batch")
    assert "<code>greater_than_or_equal_to(0)</code>" in schema
    assert "<td>37</td>" in schema
    assert schema.count("<code>-1</code>") == 2
    assert "+1 more" in schema  # 6 examples, 5 shown
    assert "<code>null</code>" in schema  # JSON values as JSON
    assert "<code>Pro </code>" in schema


def test_details_section_shows_house_messages_failures_first() -> None:
    details = section(render_html(full_report()), "details")
    messages = re.findall(r"<pre>(.*?)</pre>", details, re.S)
    assert len(messages) == 4
    assert messages[0].startswith("drift gate &#x27;features drift&#x27; failed: 2 of 4 columns drifted")
    assert (
        "\n  tenure_months: ks_stat 0.31 &gt; 0.1\n  plan: psi 0.24 &gt; 0.2\nhint: retrain on recent data"
        in messages[0]
    )
    assert messages[-1].startswith("model gate &#x27;recall vs champion&#x27; warned")
    assert "Tests that did not pass" in details
    assert "<td><code>tests/test_data.py::test_schema</code></td><td><span class='badge failed'>" in details


# -- item 7 of issue 14: what each card draws ---------------------------------------------------------------


def test_latency_and_size_charts_draw_their_bound_on_the_axis() -> None:
    latency = GateResult(
        kind="model", check="latency", name="prediction latency", passed=True, observed=42.98,
        bound={"p95_ms_at_most": 250.0}, summary="p95 42.98 ms <= 250 ms per row",
        details={"metric": "latency_ms_per_row", "direction": "lower", "p50_ms": 41.2, "p95_ms": 42.98,
                 "mean_ms": 41.9, "max_ms": 44.9, "batch_size": 1, "batches": 200, "warmup": 3, "method": "predict"},
    )  # fmt: skip
    size = GateResult(
        kind="model", check="model_size", name="model size", passed=True, observed=3.2, bound={"mb_at_most": 50.0},
        summary="3.2 <= 50 MB (pickle)", details={"metric": "size_mb", "direction": "lower", "bytes": 3_200_000,
                                                  "method": "pickle"},
    )  # fmt: skip
    page = render_html(SessionReport(gates=[latency, size]))
    for name, bound in (("prediction latency", 250), ("model size", 50)):
        [root] = images(card(page, name))
        text = svg_text(root)
        assert f"at most {bound}" in text
        ticks = [float(t.text) for t in root.iter(f"{SVG_NS}text") if t.text and re.fullmatch(r"[\d.]+", t.text)]
        assert max(ticks) >= bound, ticks  # the axis reaches the bound
        dashed = [ln for ln in root.iter(f"{SVG_NS}line") if ln.get("stroke-dasharray")]
        assert len(dashed) == 1


def _adjusted_drift() -> GateResult:
    column = numeric_column("income", 0.01, threshold=0.05)
    column.update(method="ks", score=0.01, p_value=0.01, p_adjusted=0.08, drifted=False)
    return GateResult(
        kind="drift", check="data_drift", name="income drift", passed=True, observed=0.0, bound={"at_most": 0.0},
        summary="0 of 1 columns drifted", details={"columns": [column], "share_drifted": 0.0, "correction": "bh"},
    )  # fmt: skip


def test_a_corrected_drift_gate_shows_adjusted_p_values() -> None:
    html = card(render_html(SessionReport(gates=[_adjusted_drift()])), "income drift")
    assert "<th>p adjusted (bh)</th>" in html
    assert "<b>0.08</b>" in html
    assert "p-values adjusted (bh)" in html
    [text] = chart_texts(html)
    assert text.startswith("income · ks p_adj 0.08")


def test_an_integer_column_histogram_labels_each_value_once() -> None:
    # a year column: the reference quantiles tie, so most interior edges repeat
    edges = [2007, 2007, 2007, 2007, 2008, 2008, 2008, 2009, 2009, 2009, 2009]
    reference = [0.3, 0.0, 0.0, 0.35, 0.0, 0.0, 0.35, 0.0, 0.0, 0.0]
    current = [0.1, 0.0, 0.0, 0.3, 0.0, 0.0, 0.4, 0.0, 0.0, 0.2]
    labels, ref, cur, axis = numeric_bins(edges, reference, current)
    assert labels == ["≤2007", "2008", "2009", "≥2010"]
    assert (ref, cur, axis) == ([0.3, 0.35, 0.35, 0.0], [0.1, 0.3, 0.4, 0.2], None)
    column = numeric_column("year", 0.3)
    column.update(histogram={"edges": edges}, reference=reference, current=current)
    [root] = images(render_html(SessionReport(gates=[drift_gate([column])])))
    axis_labels = [t.text for t in root.iter(f"{SVG_NS}text") if t.text and re.search(r"\d{4}", t.text)]
    assert axis_labels == ["≤2007", "2008", "2009", "≥2010"]


def test_numeric_bins_keep_float_edges_and_spans_of_integers() -> None:
    labels, _, _, axis = numeric_bins([0.5, 1.5, 1.5, 2.5], [0.5, 0.0, 0.5], [0.4, 0.0, 0.6])
    assert axis == [0.5, 1.5, 2.5]
    assert labels == ["0.5–1.5", "1.5–2.5"]
    labels, _, _, axis = numeric_bins([0, 10, 20, 30], [0.3, 0.3, 0.4], [0.3, 0.3, 0.4])  # no ties: an axis
    assert axis == [0, 10, 20, 30]
    labels, *_ = numeric_bins([0, 10, 10, 20, 30], [0.3, 0.0, 0.3, 0.4], [0.3, 0.0, 0.3, 0.4])
    assert labels == ["≤10", "11–20", "≥21"]
    labels, *_ = numeric_bins([-math.inf, 0.25, math.inf], [0.5, 0.5], [0.5, 0.5])  # cut points only
    assert labels == ["≤0.25", ">0.25"]


def test_the_multivariate_card_draws_each_columns_auc() -> None:
    gate = GateResult(
        kind="drift", check="multivariate_drift", name="multivariate drift", passed=False, observed=0.42,
        bound={"at_most": 0.1}, summary="domain classifier score 0.42 > 0.1 (AUC 0.71)",
        details={"auc": 0.71, "score": 0.42, "threshold": 0.1, "sampling": None, "n_reference": 500,
                 "n_current": 500, "feature_auc": [{"column": "income", "auc": 0.69}, {"column": "age", "auc": 0.51}]},
    )  # fmt: skip
    html = card(render_html(SessionReport(gates=[gate])), "multivariate drift")
    assert "no per-column data" not in html
    assert re.findall(r"<tr><td><b>(\w+)</b></td><td>([\d.]+)</td></tr>", html) == [("income", "0.69"), ("age", "0.51")]
    score, per_column = chart_texts(html)
    assert "at most 0.1" in score
    assert "income: 0.69" in per_column
    assert "age: 0.51" in per_column


def test_the_shadow_gate_has_a_card() -> None:
    gate = GateResult(
        kind="deployment", check="shadow", name="shadow", passed=False,
        observed={"disagreement_rate": 0.2, "distance": 0.05}, bound={"max_disagreement": 0.1},
        summary="disagreement rate 0.2 > 0.1",
        details={"n": 50, "task": "classification", "disagreement_rate": 0.2, "disagreements": 10, "distance": 0.05,
                 "distance_method": "total variation distance", "tolerance": 0.0,
                 "rows": [{"row": 7, "champion": 0, "challenger": 1, "difference": 1.0, "inputs": {"age": 41}}]},
    )  # fmt: skip
    html = card(render_html(SessionReport(gates=[gate])), "shadow")
    assert "10 of 50 rows disagree" in html
    assert "Rows where they disagree most" in html
    assert "<td>7</td><td>0</td><td>1</td><td>1</td><td>41</td>" in html
    [text] = chart_texts(html)
    assert "at most 0.1" in text
    assert "disagreement rate 0.2" in text


def test_charts_are_chosen_by_check_not_by_the_keys_details_hold() -> None:
    # a user's own gate whose details happen to look like a drift gate's: no histogram for it
    lookalike = replace(drift_gate([numeric_column("tenure", 0.3)]), check="", kind="custom", name="my gate")
    html = card(render_html(SessionReport(gates=[lookalike])), "my gate")
    assert "Reference vs current" not in html
    [text] = chart_texts(html)
    assert text.startswith("my gate: observed vs bound")


# -- empty and odd input ---------------------------------------------------------------------------------


def test_a_session_without_gates_renders_the_always_present_sections_only() -> None:
    page = render_html(SessionReport(created_at="2026-11-26T00:00:00Z"))
    checker = check_html(page)
    assert set(checker.ids) == {"top", "summary", "lineage", "details"}
    assert "No gate ran in this session." in page
    assert "No gate failed or warned." in page
    assert "status-pill no-gates" in page
    assert checker.images == []


def test_malformed_details_never_break_the_page() -> None:
    broken_columns: list[Any] = [
        {"column": "no_hist", "drifted": True, "score": "nan"},
        {"column": "bad_lengths", "drifted": True, "histogram": {"edges": [0, 1]}, "reference": [1.0], "current": []},
        "not a dict",
    ]  # fmt: skip
    gates = [
        GateResult(kind="drift", check="data_drift", name="odd drift", passed=False,
                   details={"columns": broken_columns}),
        GateResult(kind="drift", check="data_drift", name="no columns", passed=True,
                   details={"columns": "everything"}),
        GateResult(kind="model", check="metric", name="nan metric", passed=False, observed=float("nan"),
                   details={"metric": "auc", "direction": "higher", "interval": {"low": 1}}),
        GateResult(kind="model", name="dict metric", passed=True, observed={"a": 1}, bound={"at_least": "x"}),
        GateResult(kind="schema", check="schema", name="odd schema", passed=False,
                   details={"failures": [{"examples": "x"}, 3]}),
        GateResult(kind="model", check="slices", name="odd slices", passed=False,
                   details={"slices": [{"slice": "s", "value": None}]}),
        GateResult(kind="model", check="brand_new_check", name="future gate", passed=True, observed=1.0),
    ]  # fmt: skip
    page = render_html(SessionReport(gates=gates))
    checker = check_html(page)
    assert checker.images == []  # nothing drawable, nothing drawn
    assert page.count("<article class='gate") == len(gates)
    odd = card(page, "odd drift")
    assert "check &#x27;data_drift&#x27;) details[&#x27;columns&#x27;][0][&#x27;type&#x27;] is missing" in odd
    assert "no details contract for check &#x27;brand_new_check&#x27;" in card(page, "future gate")


def test_user_supplied_names_are_escaped_everywhere() -> None:
    column = numeric_column(EVIL, 0.5)
    gates = [
        drift_gate([column, categorical_column("city", 0.5, [EVIL, "b"])], name=EVIL),
        model_gate(name=EVIL, details={"metric": EVIL, "direction": "higher"}),
        GateResult(kind="schema", check="schema", name="s", passed=False, summary=EVIL, hint=EVIL,
                   details={"failures": [{"column": EVIL, "check": EVIL, "count": 1, "examples": [EVIL]}]}),
        GateResult(kind="model", check="slices", name="m", passed=False, bound={"at_least": 0.6},
                   details={"metric": EVIL, "direction": "higher",
                            "slices": [{"slice": EVIL, "n": 40, "value": 0.5, "passed": False, "note": EVIL}]}),
    ]  # fmt: skip
    report = SessionReport(
        gates=gates,
        lineage=[{"role": "model", "name": EVIL, "version": EVIL}, {"role": EVIL, "name": EVIL, EVIL: EVIL}],
        environment={"git": {"commit": EVIL, "branch": EVIL, "dirty": False}, "packages": {EVIL: EVIL}},
        stage=EVIL,
        created_at=EVIL,
    )
    page = render_html(report)
    checker = check_html(page)
    assert "<script" not in page
    assert checker.tags["script"] == 0
    assert EVIL not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in page
    texts = [svg_text(decode_svg(img["src"])) for img in checker.images]  # still well-formed XML
    assert len(texts) >= 3
    assert any("<script>" in t for t in texts)  # shown as text, after XML unescaping


def test_chart_cap_keeps_the_file_small() -> None:
    gates = [drift_gate([numeric_column(f"c{i}", 0.5) for i in range(14)], name=f"drift {g}") for g in range(20)]
    page = render_html(SessionReport(gates=gates))
    checker = check_html(page)
    assert len(checker.images) == CHART_CAP
    assert f"{20 * DRIFT_CHARTS_PER_GATE - CHART_CAP} further charts were left out" in page
    assert len(page.encode()) < 3_000_000


def test_rendering_is_deterministic_and_survives_the_json_round_trip() -> None:
    report = full_report()
    again = SessionReport.from_dict(report.to_dict())
    assert render_html(again) == render_html(report)


def test_to_html_delegates_to_the_renderer() -> None:
    report = full_report()
    assert report.to_html() == render_html(report)


def test_write_html_writes_the_page(tmp_path: Any) -> None:
    path = full_report().write_html(tmp_path / "out" / "report.html")
    check_html(path.read_text("utf-8"))


def test_the_renderer_is_light_and_loaded_only_on_use() -> None:
    code = (
        "import sys, pytest_mlops.plugin\n"
        "assert 'pytest_mlops.render.html' not in sys.modules\n"
        "import pytest_mlops.render.html\n"
        "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'sklearn', 'pandera', 'mlflow') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


# -- SVG helpers ----------------------------------------------------------------------------------------


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(1e-6, 1e6, allow_nan=False),
    st.integers(2, 10),
)
def test_nice_ticks_are_round_evenly_spaced_and_inside_the_range(low: float, span: float, count: int) -> None:
    assume(span > abs(low) * 1e-6)  # charts never zoom past float precision
    high = low + span
    ticks = _svg.nice_ticks(low, high, count)
    assert ticks, (low, high)
    assert all(low - span * 1e-6 <= t <= high + span * 1e-6 for t in ticks)
    steps = [b - a for a, b in itertools.pairwise(ticks)]
    if steps:
        assert max(steps) - min(steps) <= 1e-6 * max(abs(s) for s in steps) + 1e-9
        mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
        assert any(abs(mantissa - m) < 1e-6 for m in (1, 2, 2.5, 5, 10))
    assert len(ticks) <= 2 * count + 1


def test_nice_ticks_examples() -> None:
    assert _svg.nice_ticks(0, 1, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert _svg.nice_ticks(0.83, 0.85, 4) == [0.83, 0.835, 0.84, 0.845, 0.85]
    assert _svg.nice_ticks(3, 3) == [3]
    assert _svg.nice_ticks(0, float("inf")) == []


def test_metric_chart_zones_follow_the_bounds() -> None:
    svg = _svg.metric_chart(label="auc", observed=0.8, status="failed", at_least=0.85)
    root = ET.fromstring(svg)
    zones = {r.get("fill"): r for r in root.iter(f"{SVG_NS}rect")}
    assert _svg.COLORS["fail_zone"] in zones
    assert _svg.COLORS["pass_zone"] in zones
    circle = root.find(f"{SVG_NS}circle")
    assert circle is not None
    assert circle.get("fill") == _svg.COLORS["failed"]
    pass_zone = zones[_svg.COLORS["pass_zone"]]
    assert float(circle.get("cx", 0)) < float(pass_zone.get("x", 0))  # the failing value sits left of the pass zone


def test_data_uri_round_trips() -> None:
    svg = _svg.histogram(["a"], [0.5], [0.25], title="t & <u>")
    root = decode_svg(_svg.data_uri(svg))
    assert root.findtext(f"{SVG_NS}title") == "t & <u>"


# -- the shapes the real gates write (pytest_mlops.gates.model, stats.driftset, integrations.pandera) ---


def test_champion_comparison_draws_the_strictest_champion_relative_bound() -> None:
    gate = model_gate(
        name="roc_auc vs champion",
        check="champion",
        passed=False,
        observed=0.88,
        bound={"max_drop": 0.01, "max_relative_drop": 0.05},
        summary="drop 0.02 > max_drop 0.01 (challenger 0.88, champion 0.9)",
        details={"metric": "roc_auc", "direction": "higher", "champion": 0.9, "challenger": 0.88, "change": -0.02},
    )
    html = card(render_html(SessionReport(gates=[gate])), "roc_auc vs champion")
    [text] = chart_texts(html)
    assert text.startswith("roc_auc: challenger vs champion")
    assert "at least 0.89" in text  # max(0.9 - 0.01, 0.9 * (1 - 0.05))
    assert "champion 0.9" in text
    assert "max drop 0.01, max relative drop 0.05" in html
    assert "<span class='bad'>-0.02</span>" in html


def test_lower_is_better_min_gain_is_an_upper_bound_below_the_champion() -> None:
    gate = model_gate(
        name="log loss vs champion",
        check="champion",
        observed=0.085,
        bound={"min_gain": 0.01},
        summary="gain 0.015 >= min_gain 0.01",
        details={"metric": "log_loss", "direction": "lower", "champion": 0.1, "challenger": 0.085},
    )
    [text] = chart_texts(card(render_html(SessionReport(gates=[gate])), "log loss vs champion"))
    assert "at most 0.09" in text
    assert "at least" not in text


def test_non_inferiority_charts_the_difference_against_the_margin() -> None:
    gate = model_gate(
        name="roc_auc non-inferior to champion",
        check="non_inferiority",
        observed=-0.004,
        bound={"margin": 0.01, "level": 0.95},
        summary="lower bound -0.004 > -0.01 (margin)",
        details={
            "metric": "roc_auc",
            "direction": "higher",
            "champion": 0.9,
            "challenger": 0.903,
            "difference": 0.003,
            "interval": {"low": -0.004, "high": 0.01, "level": 0.95},
            "margin": 0.01,
        },
    )
    html = card(render_html(SessionReport(gates=[gate])), "roc_auc non-inferior to champion")
    [text] = chart_texts(html)
    assert text.startswith("roc_auc: challenger − champion")
    assert "at least -0.01" in text
    assert "difference 0.003" in text
    assert "champion (0)" in text
    assert "95% interval -0.004 to 0.01" in text
    assert "95% interval of the difference" in html
    assert "<span class='good'>+0.003</span>" in html  # challenger vs champion, not the interval bound


def test_dummy_model_gain_and_cold_start() -> None:
    baseline = model_gate(
        name="roc_auc vs baseline", check="baseline", observed=0.2, bound={"min_gain": 0.05},
        summary="gain 0.2 >= 0.05",
        details={"metric": "roc_auc", "direction": "higher", "model": 0.7, "baseline": 0.5, "baseline_kind": "prior",
                 "gain": 0.2},
    )  # fmt: skip
    cold = model_gate(
        name="f1 vs champion", check="champion", observed=0.7, bound={"max_drop": 0.0}, summary="cold start",
        details={"metric": "f1", "direction": "higher", "champion": None, "challenger": 0.7, "cold_start": True},
    )  # fmt: skip
    page = render_html(SessionReport(gates=[baseline, cold]))
    [text] = chart_texts(card(page, "roc_auc vs baseline"))
    assert "at least 0.55" in text
    assert "dummy 0.5" in text  # the dummy model, not a stored baseline
    cold_card = card(page, "f1 vs champion")
    assert "champion" not in chart_texts(cold_card)[0].split(":", 1)[1].replace("no champion yet", "")
    assert "none yet (cold start)" in cold_card


def test_skipped_slices_come_last_and_are_not_drawn_as_bars() -> None:
    gate = slices_gate()
    tiny = {"slice": "region=tiny", "n": 3, "value": None, "passed": None, "note": "too small: 3 rows < min_size 30"}
    slices = [*cast(list[Any], gate.details["slices"]), tiny]
    page = render_html(SessionReport(gates=[replace(gate, details={**gate.details, "slices": slices})]))
    html = card(page, "roc_auc by region")
    assert re.findall(r"<tr><td><b>(region=\w+)</b>", html)[-1] == "region=tiny"
    assert "<span class='badge skipped'>– skipped</span>" in html
    assert "too small: 3 rows &lt; min_size 30" in html
    [text] = chart_texts(html)
    assert "n/a" in text


def test_null_rate_only_drift_column_shows_notes_and_no_chart() -> None:
    column: dict[str, Any] = {
        "column": "coupon", "type": "categorical", "method": "null_rate", "score": None, "threshold": 0.1,
        "drifted": True, "p_value": None, "null_rate_reference": 0.0, "null_rate_current": 1.0, "n_reference": 50,
        "n_current": 0, "histogram": {}, "reference": [], "current": [],
        "notes": ["no non-null values in current: only the null rate is compared", "second", "third"],
    }  # fmt: skip
    page = render_html(SessionReport(gates=[drift_gate([column])]))
    drift = card(page, "features drift")
    assert "no non-null values in current: only the null rate is compared; second (+1 more)" in drift
    assert "Reference vs current" not in drift
    assert check_html(page).images == []


def test_table_level_schema_failures_and_row_indexes() -> None:
    gate = GateResult(
        kind="schema",
        check="schema",
        name="orders",
        passed=False,
        observed=1,
        summary="1 failed check > 0",
        details={"failures": [{"column": None, "check": "unique(['id'])", "count": 2, "examples": [7, 7],
                               "rows": [10, 11]}]},
    )  # fmt: skip
    schema = card(render_html(SessionReport(gates=[gate])), "orders")
    assert "(whole table)" in schema
    assert "<th>Rows</th>" in schema
    assert "<td>10, 11</td>" in schema


def test_columns_closest_to_drifting_are_charted_first_whatever_their_method() -> None:
    # a p-value method's score is a p-value: the smallest one is the closest to drifting
    columns = []
    for name, p in (("calm", 0.9), ("close", 0.06), ("middle", 0.4)):
        column = numeric_column(name, p, threshold=0.05)
        column.update(method="ks", p_value=p, drifted=False)
        columns.append(column)
    columns.append(numeric_column("distance", 0.09, threshold=0.1))  # ks_stat 0.09 of 0.1: closeness 0.9
    checker = check_html(render_html(SessionReport(gates=[drift_gate(columns, passed=True)])))
    titles = [(decode_svg(img["src"]).findtext(f"{SVG_NS}title") or "").split(" ")[0] for img in checker.images]
    assert titles == ["distance", "close", "middle", "calm"]


def test_a_declarative_drift_gate_without_its_baseline_file_says_so() -> None:
    gate = GateResult(
        kind="drift", check="data_drift", name="serving data drift", passed=False,
        summary="no baseline statistics file baselines/serving.json",
        details={"baseline_file": "baselines/serving.json"},
    )  # fmt: skip
    html = card(render_html(SessionReport(gates=[gate])), "serving data drift")
    assert "Baseline statistics missing: <code>baselines/serving.json</code>" in html
