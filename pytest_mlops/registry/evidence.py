"""The report a promotion rests on: passed, complete, and bound to the version being promoted.

Step 1 of the protocol in :mod:`pytest_mlops.registry.promotion` (no registry writes): the tags
a gate run writes on every evaluated version, :func:`check_report`, :func:`check_champion` and
:func:`check_binding`. Details in ``docs/promotion.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsError

__all__ = [
    "CHAMPION_CHECKS",
    "TAG_COMMIT",
    "TAG_DIGEST",
    "TAG_KINDS",
    "TAG_RUN_ID",
    "TAG_STATUS",
    "PromotionRefused",
    "ReportCheck",
    "check_binding",
    "check_champion",
    "check_report",
]

# Written by the gate run on every evaluated model version (architecture.md, registry contract).
TAG_DIGEST = "mlops.report_digest"
TAG_STATUS = "mlops.report_status"
TAG_COMMIT = "mlops.report_commit"
TAG_RUN_ID = "mlops.report_run_id"
TAG_KINDS = "mlops.report_kinds"


#: ``GateResult.check`` names of the gates that compare a challenger with the champion
CHAMPION_CHECKS = ("champion", "non_inferiority")


class PromotionRefused(MlopsError):
    """The report or the registry state does not allow the operation; nothing was changed."""


@dataclass(frozen=True)
class ReportCheck:
    """What promotion needs from a gate report that passed the completeness checks."""

    path: Path
    digest: str
    kinds: tuple[str, ...]
    commit: str | None
    models: tuple[dict[str, Any], ...]
    gates: int
    created_at: str = ""
    #: the champion comparisons that ran: ``(gate name, cold start?)``, cold start = no champion existed
    comparisons: tuple[tuple[str, bool], ...] = ()


def check_report(
    path: Path | str, *, require_kinds: Sequence[str] = ("model",), allow_skipped: bool = False
) -> ReportCheck:
    """Load and validate ``path``; :class:`PromotionRefused` unless it passed and is complete.

    Bad files (missing, not JSON, not matching the schema) raise
    :class:`~pytest_mlops.errors.MlopsInputError`.
    """
    from pytest_mlops.report import load_report, report_digest, validate_report_file

    path = Path(path)
    data = validate_report_file(path)
    digest = report_digest(path)
    report = load_report(path)
    where = f"report {str(path)!r}"
    if report.status == "no-gates":
        raise PromotionRefused(f"{where} ran no gate; run the gate suite with --mlops-report")
    if report.status != "passed":
        failed = [f"{g.kind} gate {g.name!r}: {g.summary}" for g in report.gates if g.status == "failed"]
        why = "; ".join(failed[:5]) + (f"; ... and {len(failed) - 5} more" if len(failed) > 5 else "")
        if not failed:
            why = f"pytest exited with status {report.exitstatus}"
        raise PromotionRefused(f"{where} did not pass ({why})")
    errored = [t.nodeid for t in report.not_passed if t.outcome in ("error", "failed")]
    if errored:
        raise PromotionRefused(
            f"{where} is incomplete: {len(errored)} test(s) errored or failed: {', '.join(errored[:5])}"
        )
    skipped = [t.nodeid for t in report.not_passed if t.outcome == "skipped" and t.kinds]
    if skipped and not allow_skipped:
        raise PromotionRefused(
            f"{where} is incomplete: {len(skipped)} gate test(s) were skipped: {', '.join(skipped[:5])} "
            "(pass --allow-skipped if that was intended)"
        )
    ran = tuple(sorted(report.by_kind()))
    missing = [kind for kind in require_kinds if kind not in ran]
    if missing:
        raise PromotionRefused(
            f"{where} is incomplete: required gate kind(s) {', '.join(missing)} did not run "
            f"(ran: {', '.join(ran) or 'none'}; required: {', '.join(require_kinds)})"
        )
    git = (data.get("environment") or {}).get("git") or {}
    commit = git.get("commit") if isinstance(git, dict) else None
    models = tuple(dict(e) for e in report.lineage if e.get("role") == "model")
    comparisons = tuple((g.name, bool(g.details.get("cold_start"))) for g in report.gates if g.check in CHAMPION_CHECKS)
    return ReportCheck(
        path,
        digest,
        ran,
        str(commit) if commit else None,
        models,
        len(report.gates),
        created_at=str(report.created_at or ""),
        comparisons=comparisons,
    )


def check_champion(check: ReportCheck, name: str, champion: str | None, *, target_alias: str = "champion") -> None:
    """:class:`PromotionRefused` unless the report's champion comparison was against ``champion``, the live one.

    The report names the champion it compared with in its lineage (``alias == target_alias``);
    a comparison that ran on a cold start names none. A report without any champion comparison
    passes here (nothing to be stale about); require one with your gates.
    """
    where = f"report {str(check.path)!r}"
    compared = sorted(
        {str(e.get("version")) for e in check.models if str(e.get("name")) == name and e.get("alias") == target_alias}
    )
    now = f"version {champion}" if champion is not None else "no version (there is no champion now)"
    if compared:
        if champion is None or compared != [str(champion)]:
            raise PromotionRefused(
                f"{where} compared against {target_alias!r} version {', '.join(compared)}, but {target_alias!r} of "
                f"model {name!r} is now {now}; re-run the gates against the current {target_alias!r}"
            )
        return
    cold = [gate for gate, cold_start in check.comparisons if cold_start]
    if champion is not None and cold:
        raise PromotionRefused(
            f"{where} is a cold-start report (gate {cold[0]!r} found no {target_alias!r} to compare with), but model "
            f"{name!r} has {target_alias!r} version {champion} now; re-run the gates against it"
        )


def check_binding(
    check: ReportCheck,
    name: str,
    version: str,
    version_tags: Mapping[str, str],
    *,
    target_alias: str = "champion",
    expect_commit: str | None = None,
) -> None:
    """:class:`PromotionRefused` unless the report is the one the gate run recorded on ``name`` v``version``."""
    where = f"report {str(check.path)!r}"
    entries = [e for e in check.models if str(e.get("name")) == name]
    if not entries:
        named = sorted({f"{e.get('name')} v{e.get('version')}" for e in check.models})
        raise PromotionRefused(
            f"{where} does not name model {name!r} in its lineage "
            f"({'it names ' + ', '.join(named) if named else 'it names no model'}); "
            "model gates must attach the evaluated version"
        )
    mine = [e for e in entries if str(e.get("version")) == str(version)]
    if not mine:
        others = ", ".join(sorted({str(e.get("version")) for e in entries}))
        raise PromotionRefused(f"{where} is for version {others} of model {name!r}, not version {version}")
    if all(e.get("alias") == target_alias for e in mine):
        raise PromotionRefused(
            f"{where} evaluated version {version} as the {target_alias!r} baseline, not as a candidate"
        )
    recorded = version_tags.get(TAG_DIGEST)
    if not recorded:
        raise PromotionRefused(
            f"version {version} of model {name!r} has no recorded gate report ({TAG_DIGEST} tag missing); "
            "run the gates with --mlops-report and --mlops-log-to-mlflow"
        )
    if recorded != check.digest:
        raise PromotionRefused(
            f"{where} is not the report recorded on version {version} of model {name!r}: its SHA-256 is "
            f"{check.digest[:12]}..., the gate run recorded {recorded[:12]}... (the file was edited, "
            "or it is stale: a later gate run replaced it)"
        )
    status = version_tags.get(TAG_STATUS)
    if status != "passed":
        raise PromotionRefused(f"the gate run recorded status {status!r} on version {version} of model {name!r}")
    tag_commit = version_tags.get(TAG_COMMIT) or None
    if tag_commit and check.commit and tag_commit != check.commit:
        raise PromotionRefused(
            f"{where} was made at commit {check.commit[:12]}, but version {version} records commit {tag_commit[:12]}"
        )
    if expect_commit:
        made_at = check.commit or tag_commit
        if not made_at or not made_at.startswith(expect_commit):
            raise PromotionRefused(
                f"{where} was made at commit {str(made_at)[:12] if made_at else 'unknown'}, not at {expect_commit}"
            )
