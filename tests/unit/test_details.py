"""Every gate's real output follows the details contract of its check (pytest_mlops.details)."""

from __future__ import annotations

import contextlib
import re
import warnings
from pathlib import Path

import pytest

from pytest_mlops import _recorder, details
from pytest_mlops.errors import GateFailure
from pytest_mlops.results import GateResult
from tests import every_gate

ROOT = Path(__file__).resolve().parents[2]


def _run(check: str, passes: bool, tmp_path: Path) -> list[GateResult]:
    sink = _recorder.Sink(nodeid=f"contract::{check}")
    _recorder.push(sink)
    try:
        with contextlib.suppress(GateFailure), warnings.catch_warnings():
            warnings.simplefilter("ignore", _recorder.GateWarning)
            every_gate.run(check, passes, tmp_path)
    finally:
        _recorder.pop(sink)
    return sink.results


@pytest.mark.parametrize("passes", [True, False], ids=["passing", "failing"])
@pytest.mark.parametrize("check", sorted(every_gate.CHECKS))
def test_real_gate_output_parses_against_its_contract(check: str, passes: bool, tmp_path: Path) -> None:
    results = _run(check, passes, tmp_path)
    mine = [r for r in results if r.check == check]
    assert mine, [r.check for r in results]
    assert mine[-1].passed is passes, mine[-1].message
    for result in results:  # an A/B gate also records its sample-ratio check
        contract = details.parse(result)
        assert type(contract) is details.CONTRACTS[result.check]
        # the contract survives the JSON report round trip too
        assert details.parse(GateResult.from_dict(result.to_dict())) == contract


def test_contracts_cover_every_canonical_check_name() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    block = text.split("## `GateResult.check` names", 1)[1].split("\n## ", 1)[0]
    names = set(re.findall(r"`([a-z_]+)`", block)) - {"check"}
    if '`""`' in block:
        names.add("")
    assert "shadow" in names
    assert "" in names
    assert names <= set(details.CONTRACTS), names - set(details.CONTRACTS)
    assert set(every_gate.CHECKS) | set(every_gate.NOT_HERE) == set(details.CONTRACTS)


def test_contract_violations_name_the_check_and_the_key() -> None:
    gate = GateResult(kind="model", check="latency", name="p95", passed=True, observed=3.0,
                      bound={"p95_ms_at_most": 5.0}, details={"p50_ms": 1.0})  # fmt: skip
    with pytest.raises(details.DetailsError, match=r"check 'latency'\) details\['p95_ms'\] is missing"):
        details.parse(gate)
    with pytest.raises(details.DetailsError, match="no details contract for check 'nope'"):
        details.parse(GateResult(kind="x", check="nope", name="n", passed=True))
    bad_list = GateResult(kind="drift", check="data_drift", name="d", passed=True, details={"columns": [3]})
    with pytest.raises(details.DetailsError, match=r"details\['columns'\]\[0\] is int"):
        details.parse(bad_list)


def test_drift_contract_reads_adjusted_p_values_and_non_finite_numbers() -> None:
    column = {
        "column": "a", "type": "numeric", "method": "ks", "score": 0.01, "threshold": 0.05, "drifted": False,
        "p_value": 0.01, "p_adjusted": 0.08, "null_rate_reference": 0.0, "null_rate_current": "nan",
        "n_reference": 10, "n_current": 10, "histogram": {"edges": [0, 1, 2]}, "reference": [0.5, 0.5],
        "current": [0.5, 0.5],
    }  # fmt: skip
    gate = GateResult(kind="drift", check="data_drift", name="d", passed=True,
                      details={"columns": [column], "correction": "bh", "share_drifted": 0.0})  # fmt: skip
    parsed = details.parse(gate)
    assert isinstance(parsed, details.DriftDetails)
    assert parsed.correction == "bh"
    [col] = parsed.columns
    assert (col.p_value, col.p_adjusted, col.edges) == (0.01, 0.08, (0.0, 1.0, 2.0))
    assert details.finite(col.null_rate_current) is None


def test_a_corrected_drift_gate_records_adjusted_p_values(tmp_path: Path) -> None:
    # the HTML report shows p_adjusted when a correction was asked for: the gate must record it
    [result] = _run("data_drift", False, tmp_path)
    parsed = details.parse(result)
    assert isinstance(parsed, details.DriftDetails)
    assert parsed.correction == "bh"
    tested = [c for c in parsed.columns if c.method in ("ks", "chi2")]
    assert tested
    assert all(c.p_adjusted is not None and c.p_value is not None and c.p_adjusted >= c.p_value for c in tested)
