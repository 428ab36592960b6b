"""Cards of the drift checks (and distribution skew, drawn like drift): per-column tables and histograms."""

from __future__ import annotations

from pytest_mlops import details as dc
from pytest_mlops.render import svg as _svg
from pytest_mlops.render._parts import (
    ROW_CAP,
    _e,
    _fmt,
    _more,
    _table,
)
from pytest_mlops.render.cards._canvas import Canvas, _Card, _model_row
from pytest_mlops.results import GateResult, fmt


def _drift_card(page: Canvas, gate: GateResult, d: dc.DriftDetails) -> _Card:
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


def _distribution_skew_card(page: Canvas, gate: GateResult, d: dc.DistributionSkewDetails) -> _Card:
    skewed = sum(1 for c in d.columns if c.drifted)
    return [f"{skewed} of {len(d.columns)} columns skewed"], page.columns_block(gate, d.columns, correction=None)


def _multivariate_card(page: Canvas, gate: GateResult, d: dc.MultivariateDetails) -> _Card:
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
