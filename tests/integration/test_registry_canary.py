"""`pytest-mlops canary`: verdict from outcome data, acted on through the promotion path (sqlite store)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.integration import registry_helpers as h

pytestmark = [
    pytest.mark.slow,
    # MLflow's sqlite store trips a SQLAlchemy 2.1 deprecation inside MLflow.
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"),
]


def _outcomes(path: Path, canary: tuple[int, int], champion: tuple[int, int]) -> Path:
    """A CSV with one row per request: group, outcome (1 = converted)."""
    rows = ["group,outcome"]
    for group, (wins, n) in (("canary", canary), ("champion", champion)):
        rows += [f"{group},1"] * wins + [f"{group},0"] * (n - wins)
    path.write_text("\n".join(rows) + "\n")
    return path


def test_canary_wait_promote_and_rollback(
    sqlite_tracking_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri, name = sqlite_tracking_uri, f"canary-{uuid.uuid4().hex[:8]}"
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.chdir(tmp_path)
    run_id = h.bare_run(uri, tmp_path / "artifacts")
    (v1, r1), (v2, r2), (v3, r3) = h.gated_versions_at_creation(uri, name, run_id, 3, tmp_path)
    assert (
        h.run_cli(["promote", "--model", name, "--tracking-uri", uri, "--version", v1, "--report", str(r1)])["code"]
        == 0
    )
    client = h.client_for(uri)
    client.set_registered_model_alias(name, "canary", v2)
    base = ["canary", "--model", name, "--tracking-uri", uri, "--from", "canary", "--max-drop", "0.01"]

    # too few outcomes: wait, nothing changes
    waiting = h.run_cli(
        [*base, "--report", str(r2), "--outcomes", str(_outcomes(tmp_path / "a.csv", (20, 100), (90, 1000)))]
    )
    assert waiting["code"] == 0, waiting
    assert "canary verdict: wait" in waiting["stdout"]
    assert h.aliases(uri, name) == {"champion": v1, "canary": v2}
    assert "verdict=wait" in output.read_text()

    # as good as the champion on 4000 requests each: promoted through the gated path
    good = _outcomes(tmp_path / "b.csv", (410, 4000), (400, 4000))
    refused = h.run_cli([*base, "--report", str(r3), "--outcomes", str(good)])  # r3 is not v2's report
    assert refused["code"] == 1
    assert "is for version" in refused["stderr"]
    assert h.aliases(uri, name) == {"champion": v1, "canary": v2}
    promoted = h.run_cli([*base, "--report", str(r2), "--outcomes", str(good)])
    assert promoted["code"] == 0, promoted
    assert "canary verdict: promote" in promoted["stdout"]
    assert h.aliases(uri, name) == {"champion": v2, "canary": v2, "previous-champion": v1}
    verdict = json.loads(client.get_model_version(name, v2).tags["mlops.canary_verdict"])
    assert verdict["decision"] == "promote"
    assert verdict["n_canary"] == 4000

    # a clearly worse canary: its alias is removed, the champion untouched, exit 1
    client.set_registered_model_alias(name, "canary", v3)
    bad = _outcomes(tmp_path / "c.csv", (250, 4000), (400, 4000))
    rolled = h.run_cli([*base, "--report", str(r3), "--outcomes", str(bad)])
    assert rolled["code"] == 1, rolled
    assert "canary verdict: rollback" in rolled["stdout"]
    assert h.aliases(uri, name) == {"champion": v2, "previous-champion": v1}
    events = json.loads(h.run_cli(["history", "--model", name, "--tracking-uri", uri, "--json"])["stdout"])["events"]
    assert [(e["action"], e["from_version"], e["to_version"]) for e in events] == [
        ("promote", None, v1),
        ("promote", v1, v2),
        ("canary-rollback", v3, None),
    ]
    assert events[1]["reason"].startswith("canary verdict promote: ")


def test_canary_bad_outcomes_file(sqlite_tracking_uri: str, tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("arm,converted\ncanary,1\n")
    args = ["canary", "--model", "m", "--tracking-uri", sqlite_tracking_uri, "--max-drop", "0.01"]
    done = h.run_cli([*args, "--report", "r.json", "--outcomes", str(wrong)])
    assert done["code"] == 2
    assert "has no column 'group' (columns: arm, converted); set --group-column" in done["stderr"]
    missing = h.run_cli([*args, "--report", "r.json", "--outcomes", str(tmp_path / "nope.csv")])
    assert missing["code"] == 2
    assert "nope.csv' does not exist" in missing["stderr"]
