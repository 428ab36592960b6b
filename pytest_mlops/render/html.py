"""The self-contained HTML gate report (``--mlops-html PATH``).

One file, readable offline: CSS inline, charts drawn by :mod:`pytest_mlops.render.svg` and
embedded as ``<img src="data:image/svg+xml;base64,...">``, no JavaScript.

The page opens on what needs attention. In order (each a ``<section id=...>``):

* ``header#top``: status, counts, commit, stage, CI run;
* ``failed`` (only when a gate failed or warned): a list of the failed and warned gates with
  links to their cards, then those cards, failed first;
* ``summary``: counts per kind and every gate in one table (each links to its card);
* ``lineage``: model versions, data fingerprints, packages;
* the passing gates' cards by family: ``drift``, ``model``, ``data`` (schema and feature),
  ``deployment``, ``other``;
* ``details``: every failure and warning message, and the tests that did not pass.

Every gate gets one card (``id='gate-N'``, N its position in the report). What a card draws
is chosen by the gate's ``check`` from :data:`CARDS`, reading the details contract of that
check (:mod:`pytest_mlops.details`); a check without a card, or data that does not follow
its contract, gets a plain card listing its values.

Standard library only (no pandas/numpy); :meth:`SessionReport.to_html` imports this module
on first use, so importing the plugin stays cheap.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport

__all__ = ["CARDS", "CHART_CAP", "DRIFT_CHARTS_PER_GATE", "FAMILIES", "render_html"]

#: Histograms drawn per drift gate: drifted columns first, then the top scores.
DRIFT_CHARTS_PER_GATE = 12
#: Non-drifted columns charted after the drifted ones (still within the cap above).
DRIFT_TOP_EXTRA = 4
#: Charts in the whole page; beyond it, tables only (keeps the file small).
CHART_CAP = 150
#: Rows of one table (columns of a drift gate, failures of a schema gate, slices).
ROW_CAP = 300
#: Categories drawn in a categorical histogram; the rest are summed as "other".
CATEGORY_CAP = 15
#: Bars drawn in one bar chart (slices, per-column scores); the table lists them all.
BAR_CAP = 24
#: Notes shown under a drift column's name.
NOTE_CAP = 2
#: Example values shown per schema failure.
EXAMPLE_CAP = 5

#: Sections of passing gates, by gate kind: (section id, title, kinds); the rest go to "other".
FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("drift", "Drift", ("drift",)),
    ("model", "Model", ("model",)),
    ("data", "Schema and features", ("schema", "feature")),
    ("deployment", "Deployment", ("deployment",)),
    ("other", "Other gates", ()),
)

_STATUS_ORDER = ("failed", "warned", "passed")
_FAILED_AS = {"fail": "failed", "warn": "warned"}
_STATUS_MARK = {"failed": "✕", "warned": "!", "passed": "✓", "no-gates": "–", "skipped": "–"}
#: drift methods whose score is a p-value (drift when p < threshold); see pytest_mlops.stats.drift
_P_VALUE_METHODS = ("ks", "chi2")


def render_html(report: SessionReport) -> str:
    """The report as one HTML page (see the module docstring for its sections)."""
    return _Page(report).render()


# -- small helpers -----------------------------------------------------------------------------


def _e(value: object) -> str:
    """Escaped text; ``None`` becomes an en dash."""
    return "–" if value is None else escape(str(value), quote=True)


def _num(value: object) -> float | None:
    """A finite number, or None (bools, strings such as ``"nan"`` and junk are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fmt(value: object) -> str:
    """A table cell for a JSON value: numbers as ``:.4g``, bools as yes/no, escaped."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return _e(fmt(value))
    if isinstance(value, (list, dict)):
        return _e(_compact(value))
    return _e(value)


def _compact(value: object, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _example(value: object) -> str:
    """A failing value; a row that differs between training and serving as ``row 3: 1.5 → 2``."""
    if isinstance(value, dict) and {"row", "training", "serving"} <= set(value):
        return _compact(f"row {_compact(value['row'], 20)}: {_compact(value['training'], 24)} → "
                        f"{_compact(value['serving'], 24)}", 72)  # fmt: skip
    return _compact(value, 40)


def _badge(status: str, text: str | None = None) -> str:
    return f"<span class='badge {_e(status)}'>{_STATUS_MARK.get(status, '')} {_e(text or status)}</span>"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """A table from already-escaped cells."""
    thead = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    klass = f" class='{cls}'" if cls else ""
    return f"<div class='scroll'><table{klass}><thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table></div>"


def _kv(rows: Sequence[tuple[str, str]]) -> str:
    """A key/value grid from already-escaped values."""
    return "<dl class='kv'>" + "".join(f"<div><dt>{_e(k)}</dt><dd>{v}</dd></div>" for k, v in rows) + "</dl>"


def _img(svg: str, alt: str) -> str:
    return f"<img class='chart' src='{_svg.data_uri(svg)}' alt='{_e(alt)}'>"


def _more(total: int, shown: int, noun: str) -> str:
    hidden = total - shown
    return f"<p class='note'>… and {hidden} more {_e(noun)} (the JSON report has all of them)</p>" if hidden > 0 else ""


def _slice_status(passed: bool | None, severity: str) -> str:
    """``passed``; ``failed``/``warned`` (the gate's severity); ``skipped`` when not evaluated."""
    if passed is True:
        return "passed"
    return _FAILED_AS.get(severity, "failed") if passed is False else "skipped"


def _ranked(gates: Iterable[tuple[int, GateResult]]) -> list[tuple[int, GateResult]]:
    return sorted(gates, key=lambda pair: (_STATUS_ORDER.index(pair[1].status), pair[0]))


def _interval(low: float | None, high: float | None, level: float | None = None) -> _svg.Interval | None:
    """A drawable interval: both ends finite (a one-sided bound's infinite end is not drawn)."""
    lo, hi = dc.finite(low), dc.finite(high)
    return _svg.Interval(lo, hi, level) if lo is not None and hi is not None else None


def _int_text(value: float) -> str:
    return str(int(value)) if abs(value) < 1e15 else fmt(value)


def numeric_bins(
    edges: Sequence[float], reference: Sequence[float], current: Sequence[float]
) -> tuple[list[str], list[float], list[float], list[float] | None]:
    """Labels, shares and axis edges (None: label each bar instead) of a numeric histogram.

    ``edges`` are the reference minimum, the interior quantile cut points and the maximum
    (the ends are infinite when a gate records cut points only); bins are right-closed, so
    tied cut points (a discrete column such as a year) make empty bins: those are left out.
    When edges tie and every finite edge is a whole number, the column is read as integer
    valued and each bar is labelled with the integers it holds (``≤2007``, ``2008``,
    ``2009–2011``, ``≥2012``) instead of an axis of repeated edge values.
    """
    bins = len(reference)
    keep = [
        k for k in range(bins) if not (k > 0 and edges[k] == edges[k + 1] and reference[k] == 0 and current[k] == 0)
    ]
    ref = [reference[k] for k in keep]
    cur = [current[k] for k in keep]
    finite = [float(e) for e in edges if math.isfinite(e)]
    open_ended = len(finite) < len(edges)
    discrete = len(set(finite)) < len(finite) and all(e.is_integer() for e in finite)
    if not keep or not (open_ended or discrete):
        axis = [float(edges[keep[0]])] + [float(edges[k + 1]) for k in keep] if keep else []
        return [f"{fmt(axis[i])}–{fmt(axis[i + 1])}" for i in range(len(keep))], ref, cur, axis
    integer = all(e.is_integer() for e in finite)
    text = _int_text if integer else fmt
    labels = []
    for position, k in enumerate(keep):
        low, high = edges[k], edges[k + 1]
        if position == 0 and len(keep) > 1:
            labels.append(f"≤{text(high)}")
        elif position == len(keep) - 1 and len(keep) > 1:
            labels.append(f"≥{text(low + 1)}" if integer else f">{text(low)}")
        elif not integer:
            labels.append(f"{text(low)}–{text(high)}")
        elif low + 1 >= high:
            labels.append(text(high))
        else:
            labels.append(f"{text(low + 1)}–{text(high)}")
    return labels, ref, cur, None


def _closeness(column: dc.DriftColumn) -> float:
    """How close a column came to drifting (1: at its threshold), comparable across methods:
    a p-value method drifts when p falls below the threshold, a distance when it rises above."""
    score = dc.finite(column.p_adjusted if column.p_adjusted is not None else column.score)
    if score is None or column.threshold <= 0:
        return 0.0
    if column.method in _P_VALUE_METHODS:
        return column.threshold / max(score, 1e-300)
    return score / column.threshold


def _p_text(column: dc.DriftColumn) -> str:
    """What decided a column: ``ks p_adj 0.012`` (corrected p-value), ``ks p 0.003`` or ``psi 0.31``."""
    if column.method in _P_VALUE_METHODS:
        if column.p_adjusted is not None:
            return f"{column.method} p_adj {fmt(column.p_adjusted)}"
        p = column.p_value if column.p_value is not None else column.score
        return f"{column.method} p {fmt(p)}"
    return f"{column.method} {fmt(column.score)}"


# -- the page ----------------------------------------------------------------------------------


class _Page:
    def __init__(self, report: SessionReport) -> None:
        self.report = report
        self.gates = list(enumerate(report.gates))
        self.charts = 0
        self.charts_skipped = 0

    def chart(self, svg_factory: Callable[[], str], alt: str) -> str:
        """Draw a chart unless the page already holds :data:`CHART_CAP` of them."""
        if self.charts >= CHART_CAP:
            self.charts_skipped += 1
            return ""
        self.charts += 1
        return _img(svg_factory(), alt)

    def render(self) -> str:
        # Cards first, failed ones first, so the chart cap favours failures.
        problems = [(i, g) for i, g in _ranked(self.gates) if g.status != "passed"]
        problem_cards = "".join(self.card(i, g) for i, g in problems)
        family_html: list[tuple[str, str, str]] = []
        passing = [(i, g) for i, g in self.gates if g.status == "passed"]
        known = {kind for _, _, kinds in FAMILIES for kind in kinds}
        for sid, title, kinds in FAMILIES:
            members = [(i, g) for i, g in passing if (g.kind in kinds if kinds else g.kind not in known)]
            if members:
                cards = "".join(self.card(i, g) for i, g in members)
                family_html.append((sid, title, f"<section id='{sid}'><h2>{_e(title)} · passed</h2>{cards}</section>"))
        sections: list[tuple[str, str, str]] = []  # (id, nav label, html)
        if problems:
            sections.append(("failed", f"Failed ({len(problems)})", self.failed_section(problems, problem_cards)))
        sections.append(("summary", "Summary", self.summary_section()))
        sections.append(("lineage", "Lineage", self.lineage_section()))
        sections += family_html
        sections.append(("details", "Messages", self.details_section()))
        nav = "".join(f"<a href='#{sid}'>{_e(label)}</a>" for sid, label, _ in sections)
        status = self.report.status
        cap_note = (
            f"<p class='note'>{self.charts_skipped} further charts were left out to keep this file small.</p>"
            if self.charts_skipped
            else ""
        )
        footer = (
            f"Generated by pytest-mlops {_e(self.report.tool_version or '')} · report schema v1 · "
            "self-contained: no network, no JavaScript"
        )
        return (
            "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>pytest-mlops gate report: {_e(status)}</title><style>{_CSS}</style></head>"
            f"<body class='status-{_e(status)}'><main>"
            + self.header()
            + f"<nav aria-label='sections'>{nav}</nav>"
            + "".join(text for _, _, text in sections)
            + cap_note
            + f"<footer>{footer}</footer></main></body></html>\n"
        )

    # -- header ------------------------------------------------------------------------------------

    def header(self) -> str:
        r = self.report
        env = r.environment
        git = env.get("git") if isinstance(env.get("git"), dict) else {}
        assert isinstance(git, dict)
        status = r.status
        commit = git.get("commit")
        if commit:
            dirty = git.get("dirty")
            if dirty is True:
                flag = "<span class='flag warn'>uncommitted changes</span>"
            elif dirty is False:
                flag = "<span class='flag ok'>clean</span>"
            else:
                flag = "<span class='flag'>dirty state unknown</span>"
            commit_html = (
                f"<code title='{_e(commit)}'>{_e(str(commit)[:12])}</code>"
                + (f" on <code>{_e(git.get('branch'))}</code>" if git.get("branch") else "")
                + f" {flag}"
            )
        else:
            commit_html = "<span class='muted'>not in a git repository</span>"
        facts = [
            ("Commit", commit_html),
            ("Created", _e(r.created_at or "–")),
            ("Stage", f"<code>{_e(r.stage)}</code>" if r.stage else "<span class='muted'>all gates</span>"),
        ]
        if env.get("python"):
            facts.append(
                ("Python", _e(f"{env.get('python')} ({env.get('implementation', '')}) · {env.get('platform', '')}"))
            )
        ci = env.get("ci") if isinstance(env.get("ci"), dict) else {}
        assert isinstance(ci, dict)
        if ci:
            repo, run = ci.get("GITHUB_REPOSITORY"), ci.get("GITHUB_RUN_ID")
            text = _e(
                " · ".join(str(ci[k]) for k in ("GITHUB_WORKFLOW", "GITHUB_REF", "GITHUB_EVENT_NAME") if ci.get(k))
            )
            if repo and run:
                url = f"https://github.com/{repo}/actions/runs/{run}"
                text += f" · <a href='{_e(url)}'>run {_e(run)}</a>"
            facts.append(("CI", text or "–"))
        fact_html = "".join(
            f"<div{' class=wide' if k == 'CI' else ''}><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts
        )
        return (
            "<header id='top'>"
            f"<div class='title'><h1>pytest-mlops gate report</h1>"
            f"<span class='status-pill {_e(status)}'>{_STATUS_MARK.get(status, '')} {_e(status)}</span></div>"
            f"<p class='countline'>{_e(r.count_line())}"
            + (f" · pytest exit status {_e(r.exitstatus)}" if r.exitstatus is not None else "")
            + "</p>"
            f"<dl class='facts'>{fact_html}</dl></header>"
        )

    # -- failed gates first ---------------------------------------------------------------------------

    def failed_section(self, problems: list[tuple[int, GateResult]], cards: str) -> str:
        failed = sum(1 for _, g in problems if g.status == "failed")
        warned = len(problems) - failed
        words = [f"{failed} gate{'s' if failed != 1 else ''} failed"] if failed else []
        if warned:
            words.append(f"{warned} warned")
        rows = [
            [
                _badge(g.status),
                _e(g.kind),
                f"<a href='#gate-{i}'><b>{_e(g.name)}</b></a>",
                _e(g.summary),
                f"<code>{_e(g.nodeid)}</code>",
            ]
            for i, g in problems
        ]
        with_gates = {g.nodeid for _, g in self.gates}
        outside = [t for t in self.report.not_passed if t.outcome in ("failed", "error") and t.nodeid not in with_gates]
        note = (
            f"<p class='note'>{len(outside)} failed test{'s' if len(outside) != 1 else ''} recorded no gate: "
            "see <a href='#details'>Messages</a>.</p>"
            if outside
            else ""
        )
        return (
            f"<section id='failed'><h2>{_e(', '.join(words))}</h2>"
            + _table(["Status", "Kind", "Gate", "Result", "Test"], rows, cls="gates")
            + note
            + cards
            + "</section>"
        )

    # -- lineage -------------------------------------------------------------------------------------

    def lineage_section(self) -> str:
        r = self.report
        packages = r.environment.get("packages") if isinstance(r.environment.get("packages"), dict) else {}
        assert isinstance(packages, dict)
        pkg_html = (
            "<div class='packages'><h3>Packages</h3><p>"
            + " ".join(f"<span class='pkg'>{_e(n)} <b>{_e(v)}</b></span>" for n, v in packages.items())
            + "</p></div>"
            if packages
            else ""
        )
        models = [e for e in r.lineage if e.get("role") == "model"]
        data = [e for e in r.lineage if e.get("role") == "data"]
        other = [e for e in r.lineage if e.get("role") not in ("model", "data")]
        blocks = []
        if models:
            blocks.append(
                "<div><h3>Model versions</h3>"
                + _table(
                    ["Model", "Version", "Alias", "Run", "URI"],
                    (
                        [
                            f"<b>{_e(m.get('name'))}</b>",
                            _fmt(m.get("version")),
                            _fmt(m.get("alias")),
                            f"<code>{_e(str(m.get('run_id') or '–')[:12])}</code>",
                            f"<code>{_e(m.get('uri'))}</code>",
                        ]
                        for m in models
                    ),
                )
                + "</div>"
            )
        if data:
            blocks.append(
                "<div><h3>Data fingerprints</h3>"
                + _table(
                    ["Data", "SHA-256", "Rows", "Path"],
                    (
                        [
                            f"<b>{_e(d.get('name'))}</b>",
                            f"<code title='{_e(d.get('sha256'))}'>{_e(str(d.get('sha256') or '–')[:16])}</code>",
                            _fmt(d.get("rows")),
                            f"<code>{_e(d.get('path'))}</code>",
                        ]
                        for d in data
                    ),
                )
                + "</div>"
            )
        if other:
            blocks.append(
                "<div><h3>Other lineage</h3>"
                + _table(
                    ["Role", "Name", "Identifiers"],
                    (
                        [
                            _e(o.get("role")),
                            f"<b>{_e(o.get('name'))}</b>",
                            _e(", ".join(f"{k}={v}" for k, v in o.items() if k not in ("role", "name"))),
                        ]
                        for o in other
                    ),
                )
                + "</div>"
            )
        if not (models or data or other):
            blocks.append("<p class='muted'>No model versions or data fingerprints were attached.</p>")
        grid = f"<div class='lineage-grid'>{''.join(blocks)}</div>"
        return f"<section id='lineage'><h2>Lineage</h2>{grid}{pkg_html}</section>"

    # -- summary ---------------------------------------------------------------------------------

    def summary_section(self) -> str:
        r = self.report
        c = r.counts()
        cards = "".join(
            f"<div class='card {cls}'><span class='big'>{c[key]}</span><span>{label}</span></div>"
            for key, label, cls in (
                ("gates", "gates", "total"),
                ("passed", "passed", "passed"),
                ("warned", "warned", "warned"),
                ("failed", "failed", "failed"),
            )
        )
        bar = ""
        if c["gates"]:
            bar = (
                "<div class='stack' role='img' aria-label='gate outcomes'>"
                + "".join(
                    f"<span class='{s}' style='width:{100 * c[s] / c['gates']:.3f}%' title='{c[s]} {s}'></span>"
                    for s in ("passed", "warned", "failed")
                    if c[s]
                )
                + "</div>"
            )
        kinds = r.by_kind()
        kind_table = (
            _table(
                ["Kind", "Passed", "Warned", "Failed"],
                ([f"<b>{_e(k)}</b>", str(v["passed"]), str(v["warned"]), str(v["failed"])] for k, v in kinds.items()),
                cls="compact",
            )
            if kinds
            else ""
        )
        tests = ", ".join(f"{n} {_e(k)}" for k, n in sorted(r.tests.items()) if n)
        tests_html = f"<p class='muted tests'>Tests: {tests}</p>" if tests else ""
        if self.gates:
            rows = [
                [
                    _badge(g.status),
                    _e(g.kind),
                    f"<b><a href='#gate-{i}'>{_e(g.name)}</a></b>",
                    _e(g.summary),
                    f"<code>{_e(g.nodeid)}</code>",
                ]
                for i, g in _ranked(self.gates)
            ]
            gate_table = "<h3>All gates</h3>" + _table(["Status", "Kind", "Gate", "Result", "Test"], rows, cls="gates")
        else:
            gate_table = "<p class='empty'>No gate ran in this session.</p>"
        return (
            "<section id='summary'><h2>Summary</h2>"
            f"<div class='summary-top'><div><div class='cards'>{cards}</div>{bar}{tests_html}</div>{kind_table}</div>"
            f"{gate_table}</section>"
        )

    # -- details -----------------------------------------------------------------------------------

    def details_section(self) -> str:
        problems = [g for _, g in _ranked(self.gates) if g.status != "passed"]
        if not problems:
            body = "<p class='empty'>No gate failed or warned.</p>"
        else:
            body = "".join(
                f"<div class='message {_e(g.status)}'><pre>{_e(g.message)}</pre>"
                + (f"<p class='muted'>from <code>{_e(g.nodeid)}</code></p>" if g.nodeid else "")
                + "</div>"
                for g in problems
            )
        return f"<section id='details'><h2>Failures and warnings</h2>{body}{self.not_passed()}</section>"

    def not_passed(self) -> str:
        """Tests that failed, errored or were skipped: a gate may not have run at all."""
        tests = self.report.not_passed
        if not tests:
            return ""
        rows = [
            [
                f"<code>{_e(t.nodeid)}</code>",
                _badge("failed", t.outcome) if t.outcome in ("failed", "error") else _e(t.outcome),
                _e(", ".join(t.kinds) or "–"),
            ]
            for t in tests[:ROW_CAP]
        ]
        return (
            "<h3>Tests that did not pass</h3>"
            + _table(["Test", "Outcome", "Gate kinds"], rows)
            + _more(len(tests), len(rows), "tests")
        )

    # -- one card per gate ---------------------------------------------------------------------------

    def card(self, index: int, gate: GateResult) -> str:
        """The gate's card: drawn by the card of its check, from the check's details contract."""
        note = ""
        try:
            contract = dc.parse(gate)
        except dc.DetailsError as exc:
            contract, note = None, str(exc)
        draw = CARDS.get(gate.check) if contract is not None else None
        if draw is None or contract is None:
            facts, body = _plain_card(self, gate, note)
        else:
            facts, body = draw(self, gate, contract)
        if gate.nodeid:
            facts = [*facts, f"test <code>{_e(gate.nodeid)}</code>"]
        fact_html = "".join(f"<span>{f}</span>" for f in facts)
        check = f"<span class='kind'>{_e(gate.kind)}{' · ' + _e(gate.check) if gate.check else ''}</span>"
        return (
            f"<article class='gate {_e(gate.status)}' id='gate-{index}'><div class='card-head'>{_badge(gate.status)}"
            f"<h3>{_e(gate.name)}</h3>{check}<span class='muted'>{_e(gate.summary)}</span></div>"
            + (f"<p class='facts-line'>{fact_html}</p>" if fact_html else "")
            + body
            + "</article>"
        )

    # -- drawing helpers shared by cards -------------------------------------------------------------

    def number_line(
        self,
        gate: GateResult,
        label: str,
        value: float | None,
        *,
        at_least: float | None = None,
        at_most: float | None = None,
        interval: _svg.Interval | None = None,
        reference: float | None = None,
        reference_label: str | None = None,
        point_label: str = "observed",
    ) -> str:
        """``value`` on a number line whose axis holds its bounds, interval and reference point."""
        point = dc.finite(value)
        if point is None:
            return ""
        factory = partial(
            _svg.metric_chart,
            label=label,
            observed=point,
            status=gate.status,
            at_least=dc.finite(at_least),
            at_most=dc.finite(at_most),
            interval=interval,
            champion=dc.finite(reference),
            point_label=point_label,
            champion_label=reference_label,
        )
        return self.chart(factory, f"{label}: {fmt(point)} against its bounds")

    def bars(
        self,
        gate: GateResult,
        title: str,
        rows: Sequence[tuple[str, float | None, bool]],
        *,
        at_least: float | None = None,
        at_most: float | None = None,
        color: str | None = None,
    ) -> str:
        shown = [(name, v if v is not None and math.isfinite(v) else math.nan, ok) for name, v, ok in rows[:BAR_CAP]]
        if not any(math.isfinite(v) for _, v, _ in shown):
            return ""
        factory = partial(
            _svg.slice_chart, shown, title=title, at_least=dc.finite(at_least), at_most=dc.finite(at_most), color=color
        )
        return self.chart(factory, f"{gate.name}: {title}")

    def histogram(self, column: dc.DriftColumn, gate_name: str) -> str:
        reference, current = list(column.reference), list(column.current)
        if not reference or len(reference) != len(current) or not all(map(math.isfinite, reference + current)):
            return ""
        title = f"{column.column} · {_p_text(column)}" + (" · drifted" if column.drifted else "")
        fixed_edges: list[float] | None = None
        if column.edges is not None and len(column.edges) == len(reference) + 1:
            if any(math.isnan(e) for e in column.edges):
                return ""
            labels, reference, current, fixed_edges = numeric_bins(column.edges, reference, current)
        elif column.categories is not None and len(column.categories) == len(reference):
            labels = list(column.categories)
            if len(labels) > CATEGORY_CAP:
                order = sorted(range(len(labels)), key=lambda k: -max(reference[k], current[k]))
                keep, drop = sorted(order[: CATEGORY_CAP - 1]), order[CATEGORY_CAP - 1 :]
                labels = [labels[k] for k in keep] + [f"other ({len(drop)})"]
                reference = [reference[k] for k in keep] + [sum(reference[k] for k in drop)]
                current = [current[k] for k in keep] + [sum(current[k] for k in drop)]
        else:
            return ""
        alt = f"Histogram of {column.column} ({gate_name}): reference vs current shares"
        img = self.chart(lambda: _svg.histogram(labels, reference, current, title=title, edges=fixed_edges), alt)
        return f"<figure class='{'drifted' if column.drifted else ''}'>{img}</figure>" if img else ""

    def columns_block(self, gate: GateResult, columns: Sequence[dc.DriftColumn], *, correction: str | None) -> str:
        """The per-column table and the histograms of a drift or distribution-skew gate."""
        adjusted = correction is not None or any(c.p_adjusted is not None for c in columns)
        rows = []
        for c in columns[:ROW_CAP]:
            mark = _badge("failed", "drifted") if c.drifted else "<span class='muted'>no</span>"
            note_html = ""
            if c.notes:
                more = f" (+{len(c.notes) - NOTE_CAP} more)" if len(c.notes) > NOTE_CAP else ""
                note_html = f"<span class='col-notes'>{_e('; '.join(c.notes[:NOTE_CAP]) + more)}</span>"
            row = [
                f"<b>{_e(c.column)}</b>{note_html}",
                _e(c.type),
                _e(c.method),
                _fmt(c.score),
                _fmt(c.threshold),
                _fmt(c.p_value),
            ]
            if adjusted:
                row.append(f"<b>{_fmt(c.p_adjusted)}</b>" if c.p_adjusted is not None else "–")
            row += [
                mark,
                f"{_fmt(c.null_rate_reference)} → {_fmt(c.null_rate_current)}",
                f"{_fmt(c.n_reference)} / {_fmt(c.n_current)}",
            ]
            rows.append(row)
        head = ["Column", "Type", "Method", "Score", "Threshold", "p-value"]
        if adjusted:
            head.append(f"p adjusted ({_e(correction)})" if correction else "p adjusted")
        head += ["Drifted", "Null rate ref → cur", "n ref / cur"]
        table = _table(head, rows, cls="columns") + _more(len(columns), len(rows), "columns")
        drifted = [c for c in columns if c.drifted]
        rest = sorted((c for c in columns if not c.drifted), key=lambda c: -_closeness(c))
        charted = (drifted + rest[:DRIFT_TOP_EXTRA])[:DRIFT_CHARTS_PER_GATE]
        charts = [h for h in (self.histogram(c, gate.name) for c in charted) if h]
        uncharted = len(drifted) - sum(1 for c in charted if c.drifted)
        note = (
            f"<p class='note'>{uncharted} more drifted columns are in the table but not charted.</p>"
            if uncharted > 0
            else ""
        )
        grid = f"<h4>Reference vs current</h4><div class='charts'>{''.join(charts)}</div>{note}" if charts else note
        return grid + "<h4>All columns</h4>" + table

    @staticmethod
    def failures_table(gate: GateResult, failures: Sequence[dc.Failure]) -> str:
        shown = failures[:ROW_CAP]
        with_rows = any(f.rows for f in shown)
        rows = []
        for f in shown:
            ex = ", ".join(f"<code>{_e(_example(v))}</code>" for v in f.examples[:EXAMPLE_CAP])
            if len(f.examples) > EXAMPLE_CAP:
                ex += f" <span class='muted'>+{len(f.examples) - EXAMPLE_CAP} more</span>"
            row = [
                f"<b>{_e(f.column)}</b>" if f.column is not None else "<span class='muted'>(whole table)</span>",
                f"<code>{_e(f.check)}</code>",
                _fmt(f.count),
                ex or "–",
            ]
            if with_rows:
                row.append(_e(", ".join(_compact(v, 20) for v in f.rows[:EXAMPLE_CAP])) or "–")
            rows.append(row)
        if not rows:
            return "<p class='empty'>No failing check.</p>"
        return _table(["Column", "Check", "Failures", "Examples", *(["Rows"] if with_rows else [])], rows) + _more(
            len(failures), len(shown), "failures"
        )


# -- cards, one per check ------------------------------------------------------------------------------

#: (facts shown under the card's title, already escaped; the card's body)
_Card = tuple[list[str], str]


def _model_row(facts: Sequence[tuple[str, str]], chart: str) -> str:
    return f"<div class='model-row'>{_kv(facts)}<div>{chart}</div></div>"


def _bounds_text(gate: GateResult) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in gate.bound.items() if v is not None)


def _delta(challenger: float, champion: float, direction: str) -> str:
    delta = challenger - champion
    better = (delta >= 0) if direction != "lower" else (delta <= 0)
    return f"<span class='{'good' if better else 'bad'}'>{_e(f'{delta:+.4g}')}</span>"


def _drift_card(page: _Page, gate: GateResult, d: dc.DriftDetails) -> _Card:
    facts = []
    drifted = [c for c in d.columns if c.drifted]
    if d.columns:
        facts.append(f"{len(drifted)} of {len(d.columns)} columns drifted")
    if d.share_drifted is not None:
        facts.append(
            f"share drifted {_e(fmt(d.share_drifted))}"
            + (f" (at most {_e(fmt(d.max_share))})" if d.max_share is not None else "")
        )
    if d.correction:
        facts.append(f"p-values adjusted ({_e(d.correction)})")
    facts.append(
        f"sampled {_fmt(d.sampling.rows)} rows (seed {_fmt(d.sampling.seed)})" if d.sampling else "no sampling"
    )
    if d.baseline_file is not None and not d.columns:
        what = "written" if d.updated else "missing"
        return [], f"<p class='empty'>Baseline statistics {what}: <code>{_e(d.baseline_file)}</code></p>"
    if not d.columns:
        return facts, "<p class='empty'>This drift gate recorded no per-column data.</p>"
    return facts, page.columns_block(gate, d.columns, correction=d.correction)


def _distribution_skew_card(page: _Page, gate: GateResult, d: dc.DistributionSkewDetails) -> _Card:
    skewed = sum(1 for c in d.columns if c.drifted)
    return [f"{skewed} of {len(d.columns)} columns skewed"], page.columns_block(gate, d.columns, correction=None)


def _multivariate_card(page: _Page, gate: GateResult, d: dc.MultivariateDetails) -> _Card:
    facts = [f"AUC {_e(fmt(d.auc))}", f"{d.n_reference} reference / {d.n_current} current rows"]
    facts.append(
        f"sampled {_fmt(d.sampling.rows)} rows (seed {_fmt(d.sampling.seed)})" if d.sampling else "no sampling"
    )
    score = page.number_line(
        gate, "domain classifier score (2·AUC − 1)", d.score, at_most=d.threshold, point_label="score"
    )
    ranked = sorted(d.feature_auc, key=lambda c: -c.auc)
    per_column = page.bars(
        gate,
        "AUC of each column alone (0.5: no signal)",
        [(c.column, c.auc, True) for c in ranked],
        color=_svg.COLORS["current"],
    )
    rows = [[f"<b>{_e(c.column)}</b>", _fmt(c.auc)] for c in ranked[:ROW_CAP]]
    body = (
        _model_row(
            [("Score", f"<b>{_fmt(d.score)}</b>"), ("Threshold", _fmt(d.threshold)), ("AUC", _fmt(d.auc))], score
        )
        + "<h4>Per column</h4><div class='slice-row'>"
        + per_column
        + _table(["Column", "AUC alone"], rows)
        + "</div>"
        + _more(len(ranked), len(rows), "columns")
    )
    return facts, body


def _metric_card(page: _Page, gate: GateResult, d: dc.MetricDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Better", _e(d.direction)),
        ("Observed", f"<b>{_fmt(d.value)}</b>"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    interval = _interval(d.interval.low, d.interval.high, d.interval.level) if d.interval else None
    if d.interval is not None:
        level = f"{d.interval.level * 100:.0f}% " if d.interval.level else ""
        facts.append((f"{level}interval", _e(f"[{fmt(d.interval.low)}, {fmt(d.interval.high)}]")))
    if d.n is not None:
        facts.append(("Rows", _fmt(d.n)))
    chart = page.number_line(
        gate, f"{d.metric}: observed vs bound", d.value, at_least=d.at_least, at_most=d.at_most, interval=interval
    )
    return [], _model_row(facts, chart)


def _champion_card(page: _Page, gate: GateResult, d: dc.ChampionDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Better", _e(d.direction)),
        ("Challenger", f"<b>{_fmt(d.challenger)}</b>"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    if d.champion is None:
        facts.append(("Champion", "<span class='muted'>none yet (cold start)</span>"))
        chart = page.number_line(
            gate, f"{d.metric}: challenger (no champion yet)", d.challenger, point_label="challenger"
        )
        return [], _model_row(facts, chart)
    facts += [("Champion", _fmt(d.champion)), ("Δ vs champion", _delta(d.challenger, d.champion, d.direction))]
    limit = d.limit()
    lower_better = d.direction == "lower"
    chart = page.number_line(
        gate,
        f"{d.metric}: challenger vs champion",
        d.challenger,
        at_least=None if lower_better else limit,
        at_most=limit if lower_better else None,
        reference=d.champion,
        point_label="challenger",
    )
    return [], _model_row(facts, chart)


def _non_inferiority_card(page: _Page, gate: GateResult, d: dc.NonInferiorityDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Better", _e(d.direction)),
        ("Challenger", f"<b>{_fmt(d.challenger)}</b>"),
        ("Margin", _fmt(d.margin)),
    ]
    if d.champion is None or d.difference is None:
        facts.append(("Champion", "<span class='muted'>none yet (cold start)</span>"))
        return [], _kv(facts)
    facts += [("Champion", _fmt(d.champion)), ("Challenger − champion", _fmt(d.difference))]
    interval = _interval(d.interval.low, d.interval.high, d.interval.level) if d.interval else None
    if d.interval is not None:
        level = f"{d.interval.level * 100:.0f}% " if d.interval.level else ""
        facts.append((f"{level}interval of the difference", _e(f"[{fmt(d.interval.low)}, {fmt(d.interval.high)}]")))
    facts.append(("Δ vs champion", _delta(d.challenger, d.champion, d.direction)))
    lower_better = d.direction == "lower"
    chart = page.number_line(
        gate,
        f"{d.metric}: challenger − champion",
        d.difference,
        at_least=None if lower_better else -d.margin,
        at_most=d.margin if lower_better else None,
        interval=interval,
        reference=0.0,
        reference_label="champion (0)",
        point_label="difference",
    )
    return [], _model_row(facts, chart)


def _baseline_card(page: _Page, gate: GateResult, d: dc.BaselineDetails) -> _Card:
    facts = [
        ("Metric", f"<code>{_e(d.metric)}</code>"),
        ("Model", f"<b>{_fmt(d.model)}</b>"),
        ("Baseline", f"{_fmt(d.baseline)} ({_e(d.baseline_kind)})"),
        ("Gain", _fmt(d.gain)),
        ("Bound", _e(_bounds_text(gate) or "gain > 0")),
    ]
    sign = -1.0 if d.direction == "lower" else 1.0
    limits = [d.baseline + sign * (d.min_gain or 0.0)]
    if d.min_relative_gain is not None:
        limits.append(d.baseline + sign * d.min_relative_gain * abs(d.baseline))
    limit = max(limits) if sign > 0 else min(limits)
    chart = page.number_line(
        gate,
        f"{d.metric}: model vs baseline '{d.baseline_kind}'",
        d.model,
        at_least=limit if sign > 0 else None,
        at_most=limit if sign < 0 else None,
        reference=d.baseline,
        reference_label=f"baseline {fmt(d.baseline)}",
        point_label="model",
    )
    return [], _model_row(facts, chart)


def _slices_card(page: _Page, gate: GateResult, d: dc.SlicesDetails) -> _Card:
    order = {False: 0, True: 1, None: 2}  # failed, passed, not evaluated
    ranked = sorted(d.slices, key=lambda s: order[s.passed])
    shown = ranked[:ROW_CAP]
    rows = [
        [
            f"<b>{_e(s.slice)}</b>",
            _fmt(s.n),
            _fmt(s.value),
            _badge(_slice_status(s.passed, gate.severity)),
            _fmt(s.note or None),
        ]
        for s in shown
    ]
    chart = page.bars(
        gate,
        f"{d.metric} by slice",
        [(s.slice, s.value, s.passed is not False) for s in ranked],
        at_least=d.at_least,
        at_most=d.at_most,
    )
    failed = sum(1 for s in d.slices if s.passed is False)
    facts = [f"{failed} of {len(d.slices)} slices failed"]
    if d.gap is not None:
        facts.append(f"gap {_e(fmt(d.gap))}" + (f" (max {_e(fmt(d.max_gap))})" if d.max_gap is not None else ""))
    body = (
        f"<div class='slice-row'>{chart}"
        + _table(["Slice", "n", "Value", "Result", "Note"], rows)
        + "</div>"
        + _more(len(d.slices), len(shown), "slices")
    )
    return facts, body


def _latency_card(page: _Page, gate: GateResult, d: dc.LatencyDetails) -> _Card:
    facts = [f"{d.batches} calls of {d.batch_size} row{'s' if d.batch_size != 1 else ''} to {_e(d.method)}()"]
    kv = [
        ("p50", f"{_fmt(d.p50_ms)} ms"),
        ("p95", f"{_fmt(d.p95_ms)} ms"),
        ("Max", f"{_fmt(d.max_ms)} ms"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    charts = [
        page.number_line(gate, f"{label} latency, ms per row", value, at_most=bound, point_label=label)
        for label, value, bound in (("p95", d.p95_ms, d.p95_ms_at_most), ("p50", d.p50_ms, d.p50_ms_at_most))
        if bound is not None
    ]
    return facts, _model_row(kv, "".join(charts))


def _model_size_card(page: _Page, gate: GateResult, d: dc.ModelSizeDetails) -> _Card:
    kv = [
        ("Size", f"<b>{_fmt(d.mb)} MB</b>"),
        ("Bytes", _fmt(d.bytes)),
        ("Measured as", _e(d.method)),
        ("Bound", f"at most {_fmt(d.mb_at_most)} MB"),
    ]
    chart = page.number_line(gate, "model size, MB", d.mb, at_most=d.mb_at_most, point_label="size")
    return [], _model_row(kv, chart)


def _shadow_card(page: _Page, gate: GateResult, d: dc.ShadowDetails) -> _Card:
    facts = [f"{d.disagreements} of {d.n} rows disagree", f"{_e(d.task)}"]
    kv = [
        ("Disagreement rate", f"<b>{_fmt(d.disagreement_rate)}</b>"),
        (f"Distance ({d.distance_method})", _fmt(d.distance)),
        ("Bound", _e(_bounds_text(gate))),
    ]
    charts = []
    if d.max_disagreement is not None or d.max_distance is None:
        charts.append(
            page.number_line(
                gate,
                "share of rows where champion and challenger disagree",
                d.disagreement_rate,
                at_most=d.max_disagreement,
                point_label="disagreement rate",
            )
        )
    if d.max_distance is not None:
        charts.append(
            page.number_line(
                gate,
                f"prediction distance ({d.distance_method})",
                d.distance,
                at_most=d.max_distance,
                point_label="distance",
            )
        )
    body = _model_row(kv, "".join(charts))
    if d.rows:
        names = list(dict.fromkeys(k for r in d.rows for k in r.inputs))[:6]
        rows = [
            [
                _fmt(r.row),
                _fmt(r.champion),
                _fmt(r.challenger),
                _fmt(r.difference),
                *(_fmt(r.inputs.get(n)) for n in names),
            ]
            for r in d.rows[:ROW_CAP]
        ]
        body += "<h4>Rows where they disagree most</h4>" + _table(
            ["Row", "Champion", "Challenger", "|diff|", *(_e(n) for n in names)], rows
        )
    return facts, body


def _canary_card(page: _Page, gate: GateResult, d: dc.CanaryDetails) -> _Card:
    facts = [f"verdict <b>{_e(d.decision)}</b>", _e(d.metric)]
    kv = [
        ("Canary", f"{_fmt(d.canary)} (n={d.n_canary})"),
        ("Champion", f"{_fmt(d.champion)} (n={d.n_champion})"),
        ("Canary advantage", _fmt(d.effect)),
        ("Max drop", _fmt(d.max_drop)),
        ("Rule", _e(d.rule)),
    ]
    chart = page.number_line(
        gate,
        "canary advantage (positive: canary better)",
        d.effect,
        at_least=-d.max_drop,
        interval=_interval(d.lower, d.upper, d.confidence),
        reference=0.0,
        reference_label="champion (0)",
        point_label="advantage",
    )
    return facts, _model_row(kv, chart) + f"<p class='note'>{_e(d.reason)}</p>"


def _ab_card(page: _Page, gate: GateResult, d: dc.ABTestDetails) -> _Card:
    """The decisive number is the worst case: the one-sided bound of the oriented difference,
    against 0 (``require="better"``, same as p < alpha) or ``-min_effect`` (``"not_worse"``)."""
    sign = 1.0 if d.higher_is_better else -1.0
    worst = min(sign * d.ci_low, sign * d.ci_high)
    bound = 0.0 if d.require == "better" else -d.min_effect
    facts = [f"{_e(d.test)} test", f"require {_e(d.require)}"]
    if d.underpowered:
        facts.append("<span class='bad'>underpowered</span>")
    kv = [
        ("Control", f"{_fmt(d.estimate_a)} (n={d.n_a})"),
        ("Treatment", f"{_fmt(d.estimate_b)} (n={d.n_b})"),
        ("Difference", _e(f"{d.effect:+.4g}")),
        ("p-value", f"<b>{_fmt(d.p_value)}</b> (alpha {_fmt(d.alpha)})"),
        (f"Worst case ({1 - d.alpha:.0%} bound)", _e(f"{worst:+.4g}")),
        ("Detectable effect", f"{_fmt(d.mde)} (of interest {_fmt(d.min_effect)})"),
    ]
    if d.required_per_arm is not None:
        kv.append(("Units per arm needed", _fmt(d.required_per_arm)))
    chart = page.number_line(
        gate,
        "treatment − control, worst case (positive: better)",
        worst,
        at_least=bound,
        reference=sign * d.effect,
        reference_label=f"estimate {sign * d.effect:+.4g}",
        point_label=f"worst case, {1 - d.alpha:.0%} bound",
    )
    return facts, _model_row(kv, chart)


def _sample_ratio_card(page: _Page, gate: GateResult, d: dc.SampleRatioDetails) -> _Card:
    kv = [
        ("p-value", f"<b>{_fmt(d.p_value)}</b>"),
        ("Alpha", _fmt(d.srm_alpha)),
        ("Chi-square", f"{_fmt(d.statistic)} (df {d.df})"),
        ("Units", _e(", ".join(_int_text(v) for v in d.observed))),
    ]
    labels = [f"arm {i + 1}" for i in range(len(d.shares))]
    chart = ""
    if len(d.planned_shares) == len(d.shares):
        chart = (
            "<div class='narrow'>"
            + page.chart(
                lambda: _svg.histogram(
                    labels,
                    d.planned_shares,
                    d.shares,
                    title="traffic split: planned vs observed",
                    series=("planned", "observed"),
                ),
                f"{gate.name}: planned vs observed traffic split",
            )
            + "</div>"
        )
    return [], _model_row(kv, chart)


def _stored_baseline_card(page: _Page, gate: GateResult, d: dc.StoredBaselineDetails) -> _Card:
    kv = [
        ("Value", f"<b>{_fmt(d.value)}</b>"),
        ("Baseline", _fmt(d.baseline)),
        ("Better", _e(d.direction)),
        ("File", f"<code>{_e(d.baseline_file)}</code>"),
        ("Bound", _e(_bounds_text(gate))),
    ]
    if d.updated:
        return ["baseline written"], _kv(kv)
    limit = d.limit()
    higher = d.direction == "higher"
    chart = page.number_line(
        gate,
        f"{gate.name}: value vs stored baseline",
        d.value,
        at_least=limit if higher else None,
        at_most=None if higher else limit,
        reference=d.baseline,
        reference_label=None if d.baseline is None else f"baseline {fmt(d.baseline)}",
        point_label="value",
    )
    return [], _model_row(kv, chart)


def _schema_card(page: _Page, gate: GateResult, d: dc.SchemaDetails) -> _Card:
    facts = []
    if d.rows is not None:
        facts.append(f"{d.rows} rows")
    if d.columns_checked is not None:
        facts.append(f"{d.columns_checked} columns checked")
    if d.environment:
        facts.append(f"environment <code>{_e(d.environment)}</code>")
    if d.schema:
        facts.append(f"schema <code>{_e(_compact(d.schema, 60))}</code>")
    return facts, page.failures_table(gate, d.failures)


def _expectations_card(page: _Page, gate: GateResult, d: dc.ExpectationsDetails) -> _Card:
    rows = [
        [
            f"<b>{_e(x.column)}</b>",
            f"<code>{_e(x.check)}</code>",
            _fmt(x.observed),
            _e(", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in x.bound.items())) or "–",
            _badge("passed" if x.passed else _FAILED_AS[gate.severity]),
        ]
        for x in sorted(d.expectations, key=lambda x: x.passed)[:ROW_CAP]
    ]
    body = _table(["Column", "Expectation", "Observed", "Bound", "Result"], rows)
    if d.failures:
        body += "<h4>Failing values</h4>" + page.failures_table(gate, d.failures)
    return ([f"{d.rows} rows"] if d.rows is not None else []), body


def _example_skew_card(page: _Page, gate: GateResult, d: dc.ExampleSkewDetails) -> _Card:
    rows = [
        [f"<b>{_e(c.column)}</b>", _fmt(c.mismatches), _fmt(c.max_abs_diff)]
        for c in sorted(d.columns, key=lambda c: -c.mismatches)[:ROW_CAP]
    ]
    body = _table(["Column", "Rows that differ", "Max |diff|"], rows) if rows else ""
    if d.failures:
        body += "<h4>Differences</h4>" + page.failures_table(gate, d.failures)
    facts = [f"{d.rows} rows"] if d.rows is not None else []
    if d.key is not None:
        facts.append(f"matched by key <code>{_e(d.key)}</code>")
    return facts, body


def _leakage_card(page: _Page, gate: GateResult, d: dc.LeakageDetails) -> _Card:
    ranked = sorted(d.scores, key=lambda s: -(dc.finite(s.score) or -math.inf))
    chart = page.bars(
        gate,
        f"{d.metric} of each feature alone",
        [(s.column, s.score, not (s.score or 0) > d.at_most) for s in ranked],
        at_most=d.at_most,
    )
    rows = [[f"<b>{_e(s.column)}</b>", _fmt(s.score)] for s in ranked[:ROW_CAP]]
    facts = [f"label <code>{_e(d.label)}</code>"] + ([f"{d.rows} rows"] if d.rows is not None else [])
    return facts, f"<div class='slice-row'>{chart}" + _table(["Feature", d.metric], rows) + "</div>"


def _deepchecks_card(page: _Page, gate: GateResult, d: dc.DeepchecksDetails) -> _Card:
    facts = [f"suite <code>{_e(d.suite)}</code>"] if d.suite else []
    if d.html:
        facts.append(f"deepchecks report <code>{_e(d.html)}</code>")
    if d.error:
        return facts, f"<p class='empty'>Did not run: {_e(d.error)}</p>"
    rank = {"FAIL": 0, "ERROR": 0, "WARN": 1, "PASS": 2}
    status = {"FAIL": "failed", "ERROR": "failed", "WARN": "warned", "PASS": "passed"}
    rows = [
        [_badge(status.get(c.category, "skipped"), c.category.lower()), _e(c.name), _e(c.details)]
        for c in sorted(d.conditions, key=lambda c: rank.get(c.category, 3))[:ROW_CAP]
    ]
    return facts, _table(["Result", "Condition", "Details"], rows)


def _generic_card(page: _Page, gate: GateResult, d: dc.GenericDetails) -> _Card:
    kv = [("Observed", f"<b>{_fmt(gate.observed)}</b>"), ("Bound", _e(_bounds_text(gate)) or "–")]
    kv += [(k, _fmt(v)) for k, v in list(d.extra.items())[:12] if not isinstance(v, (list, dict))]
    chart = ""
    if d.at_least is not None or d.at_most is not None:
        chart = page.number_line(
            gate, f"{gate.name}: observed vs bound", d.value, at_least=d.at_least, at_most=d.at_most
        )
    return [], _model_row(kv, chart)


def _plain_card(page: _Page, gate: GateResult, note: str) -> _Card:
    """A check without a card of its own (or data off its contract): its values, as a table."""
    kv = [("Observed", _fmt(gate.observed)), ("Bound", _e(_bounds_text(gate)) or "–")]
    kv += [(k, _fmt(v)) for k, v in list(gate.details.items())[:16]]
    body = _kv(kv)
    if note:
        body = f"<p class='note'>{_e(note)}</p>" + body
    return [], body


#: check -> the card that draws it (from the check's contract in pytest_mlops.details).
CARDS: Mapping[str, Callable[[_Page, GateResult, Any], _Card]] = {
    "schema": _schema_card,
    "expectations": _expectations_card,
    "example_skew": _example_skew_card,
    "distribution_skew": _distribution_skew_card,
    "leakage": _leakage_card,
    "metric": _metric_card,
    "champion": _champion_card,
    "non_inferiority": _non_inferiority_card,
    "slices": _slices_card,
    "baseline": _baseline_card,
    "latency": _latency_card,
    "model_size": _model_size_card,
    "data_drift": _drift_card,
    "prediction_drift": _drift_card,
    "label_drift": _drift_card,
    "multivariate_drift": _multivariate_card,
    "shadow": _shadow_card,
    "canary": _canary_card,
    "ab_proportions": _ab_card,
    "ab_means": _ab_card,
    "sample_ratio": _sample_ratio_card,
    "stored_baseline": _stored_baseline_card,
    "deepchecks": _deepchecks_card,
    "": _generic_card,
}


_CSS = """
:root{--text:#1e293b;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--pass:#15803d;--pass-bg:#dcfce7;
--fail:#b91c1c;--fail-bg:#fee2e2;--warn:#b45309;--warn-bg:#fef3c7;--accent:#4338ca}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--text);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1320px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:24px;margin:0}
h2{font-size:19px;margin:0 0 14px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:0}
h4{font-size:13px;margin:16px 0 8px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f1f5f9;padding:1px 4px;
border-radius:4px}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.muted{color:var(--muted)}
.note{color:var(--muted);font-size:12.5px;margin:6px 0}
.empty{color:var(--muted);font-style:italic}
header{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px 24px;
margin-bottom:14px;border-top:5px solid var(--muted)}
body.status-passed header{border-top-color:var(--pass)}
body.status-failed header{border-top-color:var(--fail)}
.title{display:flex;align-items:center;gap:14px;flex-wrap:wrap}
.status-pill{font-weight:700;font-size:13px;text-transform:uppercase;letter-spacing:.05em;padding:3px 12px;
border-radius:99px;background:#e2e8f0;color:var(--muted)}
.status-pill.passed{background:var(--pass-bg);color:var(--pass)}
.status-pill.failed{background:var(--fail-bg);color:var(--fail)}
.countline{margin:6px 0 12px;color:var(--muted);font-size:15px}
dl{margin:0}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px 20px;margin-bottom:14px}
.facts .wide{grid-column:span 2}
.facts dt,.kv dt{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.facts dd,.kv dd{margin:0}
.flag{font-size:11.5px;padding:1px 7px;border-radius:99px;background:#e2e8f0;color:var(--muted)}
.flag.ok{background:var(--pass-bg);color:var(--pass)}
.flag.warn{background:var(--warn-bg);color:var(--warn)}
.lineage-grid{display:grid;grid-template-columns:1fr;gap:10px}
.lineage-grid td{white-space:nowrap}
.lineage-grid h3,.packages h3{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);
margin:4px 0 6px}
.packages p{margin:0;display:flex;flex-wrap:wrap;gap:6px}
.pkg{font-size:12px;background:#f1f5f9;border:1px solid var(--line);border-radius:6px;padding:1px 8px;
color:var(--muted)}
.pkg b{color:var(--text);font-weight:600}
nav{position:sticky;top:0;z-index:2;background:rgba(248,250,252,.95);padding:8px 0;margin-bottom:8px;
display:flex;gap:6px;flex-wrap:wrap;border-bottom:1px solid var(--line)}
nav a{padding:4px 12px;border-radius:6px;background:var(--card);border:1px solid var(--line);
color:var(--text);font-size:13px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 24px;
margin:14px 0}
.summary-top{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap;margin-bottom:12px}
.cards{display:flex;gap:10px;flex-wrap:wrap}
.summary-top>div:first-child{flex:1 1 420px}
.summary-top .scroll{flex:0 1 auto}
.tests{margin:0}
.card{min-width:104px;padding:10px 16px;border-radius:8px;border:1px solid var(--line);display:flex;
flex-direction:column}
.card .big{font-size:26px;font-weight:700;line-height:1.1}
.card span:last-child{color:var(--muted);font-size:12px}
.card.passed .big{color:var(--pass)}
.card.failed .big{color:var(--fail)}
.card.warned .big{color:var(--warn)}
.stack{display:flex;height:10px;border-radius:99px;overflow:hidden;background:var(--line);margin:4px 0 10px}
.stack span{display:block}
.stack .passed{background:var(--pass)}
.stack .warned{background:#f59e0b}
.stack .failed{background:var(--fail)}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th{text-align:left;font-size:11px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);
font-weight:600;border-bottom:2px solid var(--line);padding:6px 10px;white-space:nowrap}
td{border-bottom:1px solid var(--line);padding:6px 10px;vertical-align:top}
tbody tr:nth-child(even){background:#fbfdff}
table.compact{width:auto}
table.compact td,table.compact th{padding:3px 10px;text-align:right}
table.compact td:first-child,table.compact th:first-child{text-align:left}
table.columns td:nth-child(n+4):nth-child(-n+6){font-variant-numeric:tabular-nums}
.badge{display:inline-block;font-size:11.5px;font-weight:700;padding:1px 8px;border-radius:99px;
white-space:nowrap;text-transform:uppercase;letter-spacing:.03em}
.badge.passed{background:var(--pass-bg);color:var(--pass)}
.badge.failed{background:var(--fail-bg);color:var(--fail)}
.badge.warned{background:var(--warn-bg);color:var(--warn)}
.badge.skipped{background:#e2e8f0;color:var(--muted)}
.col-notes{display:block;font-size:11.5px;color:var(--muted);font-weight:400;max-width:320px}
article.gate{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:12px 0}
section h3{margin:18px 0 8px}
section .card-head h3{margin:0}
.card-head{display:flex;align-items:center;gap:10px;flex-wrap:wrap;margin-bottom:6px}
.kind{font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:4px;padding:0 6px}
.facts-line{margin:2px 0 8px;color:var(--muted);font-size:13px}
table.gates td:nth-child(3){min-width:210px}
table.gates td:nth-child(4){min-width:250px}
table.gates code{font-size:11.5px}
.facts-line span+span:before{content:" · "}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:10px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:4px;background:#fff}
figure.drifted{border-color:#fdba74}
img.chart{display:block;width:100%;max-width:680px;height:auto}
.narrow img.chart{max-width:400px}
.model-row{display:grid;grid-template-columns:minmax(220px,300px) 1fr;gap:18px;align-items:center}
.kv{display:grid;grid-template-columns:1fr 1fr;gap:6px 14px}
.good{color:var(--pass);font-weight:600}
.bad{color:var(--fail);font-weight:600}
.slice-row{display:grid;grid-template-columns:minmax(0,540px) 1fr;gap:18px;align-items:start}
.message{border-left:4px solid var(--fail);background:#fff7f7;border-radius:4px;padding:2px 12px;
margin:10px 0}
.message.warned{border-left-color:#f59e0b;background:#fffbeb}
.message pre{margin:8px 0;white-space:pre-wrap;word-break:break-word;
font:12.5px/1.5 ui-monospace,Menlo,Consolas,monospace}
.message p{margin:0 0 8px;font-size:12px}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media (max-width:800px){.model-row,.slice-row{grid-template-columns:1fr}
}
@media print{
body{background:#fff;font-size:12px}
main{max-width:none;padding:0}
nav{display:none}
header,section,article.gate{border-color:#cbd5e1;box-shadow:none}
section{break-inside:auto;padding:8px 0;border:none}
article.gate,figure,tr,.message{break-inside:avoid}
h2{break-after:avoid}
a{color:inherit}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"""
