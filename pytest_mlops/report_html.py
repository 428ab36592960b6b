"""The self-contained HTML gate report (``--mlops-html PATH``).

One file, readable offline: CSS inline, charts drawn by :mod:`pytest_mlops._svg`
and embedded as ``<img src="data:image/svg+xml;base64,...">``, no JavaScript.
Sections (each a ``<section id=...>``): ``lineage``, ``summary``, ``drift``,
``model``, ``slices``, ``schema``, ``details``. ``lineage``, ``summary`` and
``details`` are always present; the others only when a gate produced their data
(see the ``details`` conventions in ``docs/architecture.md``).

Standard library only (no pandas/numpy); :meth:`SessionReport.to_html` imports
this module on first use, so importing the plugin stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import TYPE_CHECKING, Any

from pytest_mlops import _svg
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    from pytest_mlops.report import SessionReport

__all__ = ["CHART_CAP", "DRIFT_CHARTS_PER_GATE", "render_html"]

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
#: Slices drawn in one slice chart (the table lists them all, up to ROW_CAP).
SLICE_CHART_CAP = 24
#: Notes shown under a drift column's name.
NOTE_CAP = 2
#: Example values shown per schema failure.
EXAMPLE_CAP = 5

_STATUS_ORDER = ("failed", "warned", "passed")
_FAILED_AS = {"fail": "failed", "warn": "warned"}
_STATUS_MARK = {"failed": "✕", "warned": "!", "passed": "✓", "no-gates": "–", "skipped": "–"}


def render_html(report: SessionReport) -> str:
    """The report as one HTML page (see the module docstring for its sections)."""
    page = _Page(report)
    return page.render()


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
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _dict(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dicts(value: object) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _badge(status: str, text: str | None = None) -> str:
    return f"<span class='badge {_e(status)}'>{_STATUS_MARK.get(status, '')} {_e(text or status)}</span>"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]], *, cls: str = "") -> str:
    """A table from already-escaped cells."""
    thead = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    klass = f" class='{cls}'" if cls else ""
    return f"<div class='scroll'><table{klass}><thead><tr>{thead}</tr></thead><tbody>{body}</tbody></table></div>"


def _img(svg: str, alt: str) -> str:
    return f"<img class='chart' src='{_svg.data_uri(svg)}' alt='{_e(alt)}'>"


def _more(total: int, shown: int, noun: str) -> str:
    hidden = total - shown
    return f"<p class='note'>… and {hidden} more {_e(noun)} (the JSON report has all of them)</p>" if hidden > 0 else ""


def _slice_status(passed: object, severity: str) -> str:
    """``passed``; ``failed``/``warned`` (the gate's severity); ``skipped`` when not evaluated."""
    if passed is True:
        return "passed"
    return _FAILED_AS.get(severity, "failed") if passed is False else "skipped"


def _ranked(gates: Iterable[tuple[int, GateResult]]) -> list[tuple[int, GateResult]]:
    return sorted(gates, key=lambda pair: (_STATUS_ORDER.index(pair[1].status), pair[0]))


@dataclass(frozen=True)
class _MetricView:
    """What a model gate's chart draws, read from its ``bound`` and ``details``.

    * absolute bounds: ``at_least``/``at_most`` on the observed value;
    * champion comparison (``details["champion"]`` with ``max_drop``, ``max_relative_drop``,
      ``min_gain``, ``min_relative_gain``): the strictest of those, as a bound on the challenger;
    * non-inferiority (``bound["margin"]`` and ``details["difference"]``): challenger − champion
      with its interval against ``-margin`` (or ``+margin`` when lower is better), champion at 0;
    * a baseline comparison (``min_gain`` without a champion): the gain against ``min_gain``.
    """

    metric: str
    direction: str | None
    label: str
    point: float | None
    at_least: float | None
    at_most: float | None
    interval: _svg.Interval | None
    champion: float | None
    challenger: float | None
    difference: float | None

    @classmethod
    def of(cls, gate: GateResult) -> _MetricView:
        d, b = gate.details, gate.bound
        metric = str(d.get("metric") or gate.name)
        direction = str(d["direction"]) if d.get("direction") in ("higher", "lower") else None
        sign = -1.0 if direction == "lower" else 1.0
        raw = _dict(d.get("interval"))
        low, high = _num(raw.get("low")), _num(raw.get("high"))
        interval = _svg.Interval(low, high, _num(raw.get("level"))) if low is not None and high is not None else None
        observed = _num(gate.observed)
        at_least, at_most = _num(b.get("at_least")), _num(b.get("at_most"))
        champion = _num(d.get("champion"))
        challenger = _num(d.get("challenger"))
        margin, difference = _num(b.get("margin")), _num(d.get("difference"))
        if margin is not None and difference is not None:
            return cls(
                metric, direction, f"{metric}: challenger − champion", difference,
                -margin if sign > 0 else None, margin if sign < 0 else None,
                interval, 0.0, challenger, difference,
            )  # fmt: skip
        if champion is not None:
            scale = abs(champion)
            limits: list[float] = []
            for key, factor in (("max_drop", -1.0), ("max_relative_drop", -scale), ("min_gain", 1.0),
                                ("min_relative_gain", scale)):  # fmt: skip
                value = _num(b.get(key))
                if value is not None:
                    limits.append(champion + sign * factor * value)
            if limits and sign > 0:
                at_least = max([*limits, *([at_least] if at_least is not None else [])])
            elif limits:
                at_most = min([*limits, *([at_most] if at_most is not None else [])])
        elif at_least is None and _num(b.get("min_gain")) is not None:
            at_least = _num(b.get("min_gain"))
        label = f"{metric}: observed vs bound" if champion is None else f"{metric}: challenger vs champion"
        return cls(
            metric, direction, label, observed, at_least, at_most, interval, champion,
            challenger if challenger is not None else observed, None,
        )  # fmt: skip


# -- the page ----------------------------------------------------------------------------------


class _Page:
    def __init__(self, report: SessionReport) -> None:
        self.report = report
        self.gates = list(enumerate(report.gates))
        self.charts = 0
        self.charts_skipped = 0
        self.anchored: set[int] = set()

    def anchor(self, index: int) -> str:
        """`` id='gate-N'`` the first time a gate gets a card (the summary table links to it)."""
        if index in self.anchored:
            return ""
        self.anchored.add(index)
        return f" id='gate-{index}'"

    def chart(self, svg_factory: Callable[[], str], alt: str) -> str:
        """Draw a chart unless the page already holds :data:`CHART_CAP` of them."""
        if self.charts >= CHART_CAP:
            self.charts_skipped += 1
            return ""
        self.charts += 1
        return _img(svg_factory(), alt)

    def render(self) -> str:
        drift = [(i, g) for i, g in self.gates if g.kind == "drift"]
        model = [(i, g) for i, g in self.gates if g.kind == "model"]
        sliced = [(i, g) for i, g in self.gates if _dicts(g.details.get("slices"))]
        schema = [(i, g) for i, g in self.gates if _dicts(g.details.get("failures"))]
        sections: list[tuple[str, str, str]] = []  # (id, nav label, html)
        # Body sections first so the chart cap favours failures (they are ranked first).
        drift_html = self.drift_section(_ranked(drift)) if drift else ""
        model_html = self.model_section(_ranked(model)) if model else ""
        slices_html = self.slices_section(_ranked(sliced)) if sliced else ""
        schema_html = self.schema_section(_ranked(schema)) if schema else ""
        sections.append(("summary", "Summary", self.summary_section()))
        for sid, label, text in (
            ("drift", "Drift", drift_html),
            ("model", "Model", model_html),
            ("slices", "Slices", slices_html),
            ("schema", "Schema", schema_html),
        ):
            if text:
                sections.append((sid, label, text))
        sections.append(("details", "Failures & warnings", self.details_section()))
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
            + self.lineage_section()
            + f"<nav aria-label='sections'>{nav}</nav>"
            + "".join(text for _, _, text in sections)
            + cap_note
            + f"<footer>{footer}</footer></main></body></html>\n"
        )

    # -- lineage header ------------------------------------------------------------------------

    def lineage_section(self) -> str:
        r = self.report
        env = r.environment
        git = _dict(env.get("git"))
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
        ci = _dict(env.get("ci"))
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
        packages = _dict(env.get("packages"))
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
        return (
            "<header id='lineage'>"
            f"<div class='title'><h1>pytest-mlops gate report</h1>"
            f"<span class='status-pill {_e(status)}'>{_STATUS_MARK.get(status, '')} {_e(status)}</span></div>"
            f"<p class='countline'>{_e(r.count_line())}"
            + (f" · pytest exit status {_e(r.exitstatus)}" if r.exitstatus is not None else "")
            + "</p>"
            f"<dl class='facts'>{fact_html}</dl>"
            f"<div class='lineage-grid'>{''.join(blocks)}</div>{pkg_html}</header>"
        )

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
            rows = []
            for i, g in _ranked(self.gates):
                name = f"<a href='#gate-{i}'>{_e(g.name)}</a>" if i in self.anchored else _e(g.name)
                rows.append(
                    [_badge(g.status), _e(g.kind), f"<b>{name}</b>", _e(g.summary), f"<code>{_e(g.nodeid)}</code>"]
                )
            gate_table = "<h3>All gates</h3>" + _table(["Status", "Kind", "Gate", "Result", "Test"], rows, cls="gates")
        else:
            gate_table = "<p class='empty'>No gate ran in this session.</p>"
        return (
            "<section id='summary'><h2>Summary</h2>"
            f"<div class='summary-top'><div><div class='cards'>{cards}</div>{bar}{tests_html}</div>{kind_table}</div>"
            f"{gate_table}</section>"
        )

    # -- drift -----------------------------------------------------------------------------------

    def drift_section(self, gates: list[tuple[int, GateResult]]) -> str:
        return "<section id='drift'><h2>Drift</h2>" + "".join(self.drift_gate(i, g) for i, g in gates) + "</section>"

    def drift_gate(self, index: int, gate: GateResult) -> str:
        d = gate.details
        columns = _dicts(d.get("columns"))
        facts = []
        share = _num(d.get("share_drifted"))
        drifted = [c for c in columns if c.get("drifted") is True]
        if columns:
            facts.append(f"{len(drifted)} of {len(columns)} columns drifted")
        if share is not None:
            facts.append(f"share drifted {_e(fmt(share))}")
        sampling = _dict(d.get("sampling"))
        if sampling:
            facts.append(f"sampled {_fmt(sampling.get('rows'))} rows (seed {_fmt(sampling.get('seed'))})")
        else:
            facts.append("no sampling")
        if not columns:
            return self.card(index, gate, "<p class='empty'>This drift gate recorded no per-column data.</p>", facts)
        rows = []
        for c in columns[:ROW_CAP]:
            mark = _badge("failed", "drifted") if c.get("drifted") is True else "<span class='muted'>no</span>"
            raw_notes = c.get("notes")
            notes = [str(n) for n in raw_notes] if isinstance(raw_notes, list) else []
            note_html = ""
            if notes:
                more = f" (+{len(notes) - NOTE_CAP} more)" if len(notes) > NOTE_CAP else ""
                note_html = f"<span class='col-notes'>{_e('; '.join(notes[:NOTE_CAP]) + more)}</span>"
            rows.append(
                [
                    f"<b>{_e(c.get('column'))}</b>{note_html}",
                    _fmt(c.get("type")),
                    _fmt(c.get("method")),
                    _fmt(c.get("score")),
                    _fmt(c.get("threshold")),
                    _fmt(c.get("p_value")),
                    mark,
                    f"{_fmt(c.get('null_rate_reference'))} → {_fmt(c.get('null_rate_current'))}",
                    f"{_fmt(c.get('n_reference'))} / {_fmt(c.get('n_current'))}",
                ]
            )
        table = _table(
            [
                "Column",
                "Type",
                "Method",
                "Score",
                "Threshold",
                "p-value",
                "Drifted",
                "Null rate ref → cur",
                "n ref / cur",
            ],
            rows,
            cls="columns",
        ) + _more(len(columns), len(rows), "columns")
        charted = self.charted_columns(columns)
        charts = [self.histogram(c, gate.name) for c in charted]
        charts = [c for c in charts if c]
        uncharted = len(drifted) - sum(1 for c in charted if c.get("drifted") is True)
        note = (
            f"<p class='note'>{uncharted} more drifted columns are in the table but not charted.</p>"
            if uncharted > 0
            else ""
        )
        grid = f"<h4>Reference vs current</h4><div class='charts'>{''.join(charts)}</div>{note}" if charts else note
        return self.card(index, gate, grid + "<h4>All columns</h4>" + table, facts)

    @staticmethod
    def charted_columns(columns: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Drifted columns (worst first, as the gate listed them), then the top scores, capped."""
        drifted = [c for c in columns if c.get("drifted") is True]
        rest = [c for c in columns if c.get("drifted") is not True]
        rest.sort(key=lambda c: -(_num(c.get("score")) or 0.0))
        return (drifted + rest[:DRIFT_TOP_EXTRA])[:DRIFT_CHARTS_PER_GATE]

    def histogram(self, column: Mapping[str, Any], gate_name: str) -> str:
        hist = _dict(column.get("histogram"))
        ref = [_num(v) for v in column.get("reference") or []] if isinstance(column.get("reference"), list) else []
        cur = [_num(v) for v in column.get("current") or []] if isinstance(column.get("current"), list) else []
        if not ref or len(ref) != len(cur) or any(v is None for v in ref + cur):
            return ""
        reference = [float(v or 0.0) for v in ref]
        current = [float(v or 0.0) for v in cur]
        name = str(column.get("column"))
        drifted = column.get("drifted") is True
        title = f"{name} · {column.get('method') or 'score'} {fmt(column.get('score'))}" + (
            " · drifted" if drifted else ""
        )
        edges_raw = hist.get("edges")
        cats_raw = hist.get("categories")
        if isinstance(edges_raw, list) and len(edges_raw) == len(reference) + 1:
            edges = [_num(v) for v in edges_raw]
            if any(v is None for v in edges):
                return ""
            labels = [f"{fmt(edges[k])}–{fmt(edges[k + 1])}" for k in range(len(reference))]
            fixed_edges: list[float] | None = [float(v or 0.0) for v in edges]
        elif isinstance(cats_raw, list) and len(cats_raw) == len(reference):
            labels = [str(v) for v in cats_raw]
            fixed_edges = None
            if len(labels) > CATEGORY_CAP:
                order = sorted(range(len(labels)), key=lambda k: -max(reference[k], current[k]))
                keep, drop = sorted(order[: CATEGORY_CAP - 1]), order[CATEGORY_CAP - 1 :]
                labels = [labels[k] for k in keep] + [f"other ({len(drop)})"]
                reference = [reference[k] for k in keep] + [sum(reference[k] for k in drop)]
                current = [current[k] for k in keep] + [sum(current[k] for k in drop)]
        else:
            return ""
        alt = f"Histogram of {name} ({gate_name}): reference vs current shares"
        img = self.chart(lambda: _svg.histogram(labels, reference, current, title=title, edges=fixed_edges), alt)
        return f"<figure class='{'drifted' if drifted else ''}'>{img}</figure>" if img else ""

    # -- model -----------------------------------------------------------------------------------

    def model_section(self, gates: list[tuple[int, GateResult]]) -> str:
        return "<section id='model'><h2>Model</h2>" + "".join(self.model_gate(i, g) for i, g in gates) + "</section>"

    def model_gate(self, index: int, gate: GateResult) -> str:
        d = gate.details
        view = _MetricView.of(gate)
        rows = [("Metric", f"<code>{_e(view.metric)}</code>")]
        if view.direction in ("higher", "lower"):
            rows.append(("Better", _e(view.direction)))
        rows.append(("Observed", f"<b>{_fmt(gate.observed)}</b>"))
        shown_bounds = [(k, v) for k, v in gate.bound.items() if v is not None]
        if shown_bounds:
            rows.append(("Bound", _e(", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in shown_bounds))))
        if view.difference is not None:
            rows.append(("Challenger − champion", _e(fmt(view.difference))))
        if view.interval is not None:
            level = f"{view.interval.level * 100:.0f}% " if view.interval.level else ""
            of = " of the difference" if view.difference is not None else ""
            rows.append((f"{level}interval{of}", _e(f"[{fmt(view.interval.low)}, {fmt(view.interval.high)}]")))
        champion, challenger = _num(d.get("champion")), view.challenger
        if champion is not None:
            rows.append(("Champion", _e(fmt(champion))))
            if challenger is not None:
                if view.difference is not None:
                    rows.append(("Challenger", _e(fmt(challenger))))
                delta = challenger - champion
                better = (delta >= 0) if view.direction != "lower" else (delta <= 0)
                rows.append(
                    ("Δ vs champion", f"<span class='{'good' if better else 'bad'}'>{_e(f'{delta:+.4g}')}</span>")
                )
        elif d.get("cold_start") is True:
            rows.append(("Champion", "<span class='muted'>none yet (cold start)</span>"))
        facts_html = "<dl class='kv'>" + "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in rows) + "</dl>"
        chart = ""
        point = view.point
        if point is not None:
            factory = partial(
                _svg.metric_chart,
                label=view.label,
                observed=point,
                status=gate.status,
                at_least=view.at_least,
                at_most=view.at_most,
                interval=view.interval,
                champion=view.champion,
                point_label="difference" if view.difference is not None else "observed",
                champion_label="champion (0)" if view.difference is not None else None,
            )
            chart = self.chart(factory, f"{view.label}: {fmt(point)} against its bounds")
        body = f"<div class='model-row'>{facts_html}<div>{chart}</div></div>"
        if _dicts(d.get("slices")):
            body += "<p class='note'>Per-slice values: see <a href='#slices'>Slices</a>.</p>"
        return self.card(index, gate, body, [])

    # -- slices ----------------------------------------------------------------------------------

    def slices_section(self, gates: list[tuple[int, GateResult]]) -> str:
        parts = []
        for i, g in gates:
            slices = _dicts(g.details.get("slices"))
            order = {False: 0, True: 1, None: 2}  # failed, passed, not evaluated
            ranked = sorted(slices, key=lambda s: order.get(s.get("passed"), 2))
            shown = ranked[:ROW_CAP]
            rows = [
                [
                    f"<b>{_e(s.get('slice'))}</b>",
                    _fmt(s.get("n")),
                    _fmt(s.get("value")),
                    _badge(_slice_status(s.get("passed"), g.severity)),
                    _fmt(s.get("note") or None),
                ]
                for s in shown
            ]
            chart_rows = [
                (str(s.get("slice")), _num(s.get("value")), s.get("passed") is not False)
                for s in ranked[:SLICE_CHART_CAP]
            ]
            drawable = [(n, v if v is not None else math.nan, p) for n, v, p in chart_rows]
            chart = ""
            if any(v is not None for _, v, _ in chart_rows):
                metric = g.details.get("metric") or g.name
                factory = partial(
                    _svg.slice_chart,
                    drawable,
                    title=f"{metric} by slice",
                    at_least=_num(g.bound.get("at_least")),
                    at_most=_num(g.bound.get("at_most")),
                )
                chart = self.chart(factory, f"{g.name}: value per slice")
            failed = sum(1 for s in slices if s.get("passed") is False)
            head = (
                f"<div class='card-head'>{_badge(g.status)}<h3>{_e(g.name)}</h3>"
                f"<span class='muted'>{failed} of {len(slices)} slices failed</span></div>"
            )
            parts.append(
                f"<article class='gate'{self.anchor(i)}>{head}<div class='slice-row'>{chart}"
                + _table(["Slice", "n", "Value", "Result", "Note"], rows)
                + _more(len(slices), len(shown), "slices")
                + "</div></article>"
            )
        return "<section id='slices'><h2>Slices</h2>" + "".join(parts) + "</section>"

    # -- schema ----------------------------------------------------------------------------------

    def schema_section(self, gates: list[tuple[int, GateResult]]) -> str:
        parts = []
        for i, g in gates:
            failures = _dicts(g.details.get("failures"))
            shown = failures[:ROW_CAP]
            with_rows = any(isinstance(f.get("rows"), list) and f.get("rows") for f in shown)
            rows = []
            for f in shown:
                raw = f.get("examples")
                examples: list[Any] = raw if isinstance(raw, list) else []
                ex = ", ".join(f"<code>{_e(_compact(v, 40))}</code>" for v in examples[:EXAMPLE_CAP])
                if len(examples) > EXAMPLE_CAP:
                    ex += f" <span class='muted'>+{len(examples) - EXAMPLE_CAP} more</span>"
                column = f.get("column")
                row = [
                    f"<b>{_e(column)}</b>" if column is not None else "<span class='muted'>(whole table)</span>",
                    f"<code>{_e(f.get('check'))}</code>",
                    _fmt(f.get("count")),
                    ex or "–",
                ]
                if with_rows:
                    raw_rows = f.get("rows")
                    where: list[Any] = raw_rows if isinstance(raw_rows, list) else []
                    row.append(_e(", ".join(_compact(v, 20) for v in where[:EXAMPLE_CAP])) or "–")
                rows.append(row)
            head = (
                f"<div class='card-head'>{_badge(g.status)}<h3>{_e(g.name)}</h3>"
                f"<span class='kind'>{_e(g.kind)}</span><span class='muted'>{_e(g.summary)}</span></div>"
            )
            parts.append(
                f"<article class='gate'{self.anchor(i)}>{head}"
                + _table(["Column", "Check", "Failures", "Examples", *(["Rows"] if with_rows else [])], rows)
                + _more(len(failures), len(shown), "failures")
                + "</article>"
            )
        return "<section id='schema'><h2>Schema and feature checks</h2>" + "".join(parts) + "</section>"

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

    # -- shared ------------------------------------------------------------------------------------

    def card(self, index: int, gate: GateResult, body: str, facts: list[str]) -> str:
        if gate.nodeid:
            facts = [*facts, f"test <code>{_e(gate.nodeid)}</code>"]
        fact_html = "".join(f"<span>{f}</span>" for f in facts)
        return (
            f"<article class='gate'{self.anchor(index)}><div class='card-head'>{_badge(gate.status)}"
            f"<h3>{_e(gate.name)}</h3><span class='muted'>{_e(gate.summary)}</span></div>"
            + (f"<p class='facts-line'>{fact_html}</p>" if fact_html else "")
            + body
            + "</article>"
        )


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
