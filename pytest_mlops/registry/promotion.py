"""Promotion, rollback, canary abort and history on MLflow 3 aliases.

The protocol (details and guarantees in ``docs/promotion.md``):

1. **Check the report** (no registry writes): it passed, is complete (no errored tests,
   no skipped gate tests, the required gate kinds ran), and it is **bound** to the version
   being promoted: the report's lineage names that version, and the digest the gate run
   recorded on the version (``mlops.report_digest``) equals the SHA-256 of the file given.
2. **Take the registry lock** (:mod:`pytest_mlops.registry.lock`), re-read the model and
   re-check the version's tags under the lock; settle records left ``pending`` by an
   interrupted operation.
3. Write a ``pending`` history record (``mlops.history.<seq>`` model tag), the audit tags on
   the version, and point ``previous-champion`` at the current champion.
4. **Re-read the champion** and verify the lock; abort if either changed.
5. **Commit point**: one write moves ``champion`` to the new version (a single-row upsert
   on the server: the alias is always the old or the new version, never missing).
6. Mark the record ``done``, tag the old champion, release the lock.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsError, MlopsInputError
from pytest_mlops.lineage import git_info, utc_now
from pytest_mlops.registry.client import Registry
from pytest_mlops.registry.lock import DEFAULT_TTL, DEFAULT_WAIT, RegistryLock, lock_holder

__all__ = [
    "HISTORY_PREFIX",
    "TAG_COMMIT",
    "TAG_DIGEST",
    "TAG_KINDS",
    "TAG_RUN_ID",
    "TAG_STATUS",
    "Event",
    "History",
    "OperationResult",
    "PromotionRefused",
    "ReportCheck",
    "abort_canary",
    "check_alias_name",
    "check_binding",
    "check_champion",
    "check_not_rolled_back",
    "check_report",
    "promote",
    "read_history",
    "rollback",
]

# Written by the gate run on every evaluated model version (architecture.md, registry contract).
TAG_DIGEST = "mlops.report_digest"
TAG_STATUS = "mlops.report_status"
TAG_COMMIT = "mlops.report_commit"
TAG_RUN_ID = "mlops.report_run_id"
TAG_KINDS = "mlops.report_kinds"

HISTORY_PREFIX = "mlops.history."

#: ``GateResult.check`` names of the gates that compare a challenger with the champion
CHAMPION_CHECKS = ("champion", "non_inferiority")


class PromotionRefused(MlopsError):
    """The report or the registry state does not allow the operation; nothing was changed."""


# -- the report --------------------------------------------------------------------------------------


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


# -- history records -----------------------------------------------------------------------------------


@dataclass
class Event:
    """One promotion, rollback or canary abort, kept as a registered-model tag."""

    seq: int
    action: str  # promote | rollback | canary-rollback
    alias: str
    from_version: str | None
    to_version: str | None
    previous_alias: str | None
    previous_after: str | None
    at: str
    by: str
    state: str = "pending"  # pending | done | aborted | interrupted
    report_digest: str | None = None
    report_commit: str | None = None
    report_run_id: str | None = None
    commit: str | None = None
    ci_run: str | None = None
    reason: str | None = None
    #: set when a refusal was overridden on purpose, e.g. re-promoting a rolled-back version
    override: str | None = None

    @classmethod
    def next_after(cls, events: Sequence[Event], **fields: Any) -> Event:
        """A new pending event numbered after ``events``, stamped with when, who, commit and CI run."""
        seq = (events[-1].seq if events else 0) + 1
        return cls(seq=seq, at=utc_now(), by=_actor(), commit=_commit(), ci_run=_ci_run(), **fields)

    @property
    def key(self) -> str:
        return f"{HISTORY_PREFIX}{self.seq:06d}"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_tag(cls, value: str) -> Event | None:
        try:
            data = json.loads(value)
            known = set(cls.__dataclass_fields__)
            return cls(**{k: v for k, v in data.items() if k in known})
        except (ValueError, TypeError):
            return None


def _events(tags: Mapping[str, str]) -> list[Event]:
    found = [Event.from_tag(v) for k, v in tags.items() if k.startswith(HISTORY_PREFIX)]
    return sorted((e for e in found if e is not None), key=lambda e: e.seq)


def _actor() -> str:
    if os.environ.get("GITHUB_ACTOR"):
        return f"{os.environ['GITHUB_ACTOR']} (GitHub Actions)"
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def _ci_run() -> str | None:
    run_id = os.environ.get("GITHUB_RUN_ID")
    repo = os.environ.get("GITHUB_REPOSITORY")
    if not run_id or not repo:
        return None
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
    attempt = os.environ.get("GITHUB_RUN_ATTEMPT")
    return f"{server}/{repo}/actions/runs/{run_id}" + (f"/attempts/{attempt}" if attempt else "")


def _commit() -> str | None:
    if os.environ.get("GITHUB_SHA"):
        return os.environ["GITHUB_SHA"]
    info = git_info(Path.cwd())
    commit = info.get("commit") if info else None
    return str(commit) if commit else None


@dataclass
class OperationResult:
    """What a promote / rollback / canary abort did."""

    action: str
    model: str
    alias: str
    changed: bool
    from_version: str | None
    to_version: str | None
    previous_alias: str | None = None
    seq: int | None = None
    message: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    #: problems after the commit point (the switch happened; bookkeeping did not all land)
    warnings: list[str] = field(default_factory=list)


def _settle_pending(registry: Registry, name: str, aliases: Mapping[str, str], events: Iterable[Event]) -> None:
    """Under the lock: a ``pending`` record belongs to an operation that died; record how it ended."""
    for event in events:
        if event.state != "pending":
            continue
        event.state = "done" if aliases.get(event.alias) == event.to_version else "interrupted"
        registry.set_model_tag(name, event.key, event.to_json())


def _rolled_back(events: Sequence[Event], version: str) -> Event | None:
    """The rollback that took ``version`` out of service, unless it was promoted again since."""
    last: Event | None = None
    for event in events:
        if event.state != "done":
            continue
        if event.action in ("rollback", "canary-rollback") and event.from_version == version:
            last = event
        elif event.action == "promote" and event.to_version == version and last is not None:
            last = None  # promoted again since (with an override)
    return last


def _is_after(made: str, then: str) -> bool:
    from datetime import datetime

    try:
        return datetime.fromisoformat(made) > datetime.fromisoformat(then)
    except (TypeError, ValueError):
        return False


def check_not_rolled_back(
    check: ReportCheck,
    name: str,
    version: str,
    events: Sequence[Event],
    *,
    allow: bool = False,
    reason: str | None = None,
) -> str | None:
    """:class:`PromotionRefused` when ``version`` was rolled back; the override note when it may go again.

    A rolled-back version goes back only with ``allow`` (``--allow-rolled-back``), a ``reason``
    and a report newer than the rollback (made after it, and not the report it was promoted
    with before). The returned note is recorded in the history event.
    """
    back = _rolled_back(events, version)
    if back is None:
        return None
    when = f"rolled back by #{back.seq} at {back.at}" + (f" (reason: {back.reason})" if back.reason else "")
    where = f"report {str(check.path)!r}"
    if not allow:
        raise PromotionRefused(
            f"version {version} of model {name!r} was {when}; a rolled-back version is not promoted again by its "
            "old report. To promote it anyway, run the gates again and pass the new report with "
            "--allow-rolled-back --reason TEXT"
        )
    if not (reason and reason.strip()):
        raise MlopsInputError("--allow-rolled-back needs --reason TEXT, which is recorded in the history")
    before = [e for e in events if e.action == "promote" and e.to_version == version and e.seq < back.seq]
    reused = any(e.report_digest == check.digest for e in before)
    if reused or not _is_after(check.created_at, back.at):
        made = check.created_at or "an unknown time"
        raise PromotionRefused(
            f"{where} is not newer than the rollback of version {version} of model {name!r} (#{back.seq} at "
            f"{back.at}; the report was made at {made}{', and promoted it before' if reused else ''}); "
            "run the gates again for a new report"
        )
    return f"re-promotes version {version}, rolled back by #{back.seq}"


def _predecessor(events: Sequence[Event], version: str) -> str | None:
    """The version that was champion before ``version`` last became champion (from the history)."""
    for event in reversed(events):
        if event.state == "done" and event.action in ("promote", "rollback") and event.to_version == version:
            return event.previous_after
    return None


# -- operations --------------------------------------------------------------------------------------------


def promote(
    registry: Registry,
    name: str,
    report: Path | str,
    *,
    source_alias: str | None = "challenger",
    version: str | int | None = None,
    target_alias: str = "champion",
    previous_alias: str = "previous-champion",
    require_kinds: Sequence[str] = ("model",),
    allow_skipped: bool = False,
    expect_commit: str | None = None,
    lock_ttl: float = DEFAULT_TTL,
    lock_wait: float = DEFAULT_WAIT,
    reason: str | None = None,
    allow_rolled_back: bool = False,
) -> OperationResult:
    """Move ``target_alias`` to the candidate if ``report`` passed and is bound to it.

    The candidate is ``version`` if given, else the version ``source_alias`` points to.
    Raises :class:`PromotionRefused` (nothing changed) when the report does not allow it:
    not passed or incomplete, not the report recorded on the candidate, compared against
    another champion than the live one, or the candidate was rolled back (see
    :func:`check_not_rolled_back` for ``allow_rolled_back``).
    """
    _check_aliases(target_alias, previous_alias, source_alias)
    check = check_report(report, require_kinds=require_kinds, allow_skipped=allow_skipped)
    state = registry.model(name)
    if version is not None:
        candidate = str(version)
        via = f"version {candidate}"
    elif source_alias:
        found = state.alias(source_alias)
        if found is None:
            raise MlopsInputError(
                f"model {name!r} at {registry.uri} has no alias {source_alias!r} "
                f"(aliases: {_alias_list(state.aliases)}); set it or pass --version"
            )
        candidate = found
        via = f"{source_alias!r} (version {candidate})"
    else:
        raise MlopsInputError("give the candidate: --from ALIAS or --version N")
    check_binding(
        check,
        name,
        candidate,
        registry.version_tags(name, candidate),
        target_alias=target_alias,
        expect_commit=expect_commit,
    )
    if state.alias(target_alias) != candidate:
        check_not_rolled_back(check, name, candidate, _events(state.tags), allow=allow_rolled_back, reason=reason)
        check_champion(check, name, state.alias(target_alias), target_alias=target_alias)

    with RegistryLock(registry, name, ttl=lock_ttl, wait=lock_wait, operation=f"promote v{candidate}") as lock:
        state = registry.model(name)
        events = _events(state.tags)
        _settle_pending(registry, name, state.aliases, events)
        old = state.alias(target_alias)
        if old == candidate:
            return OperationResult(
                "promote",
                name,
                target_alias,
                False,
                old,
                candidate,
                previous_alias,
                message=f"version {candidate} of model {name!r} is already {target_alias!r}; nothing to do",
                outputs={"promoted": "false", "version": candidate, "reason": "already-current"},
            )
        tags = registry.version_tags(name, candidate)  # the gate run may have re-tagged it meanwhile
        check_binding(check, name, candidate, tags, target_alias=target_alias, expect_commit=expect_commit)
        override = check_not_rolled_back(check, name, candidate, events, allow=allow_rolled_back, reason=reason)
        check_champion(check, name, old, target_alias=target_alias)
        event = Event.next_after(
            events,
            action="promote",
            alias=target_alias,
            from_version=old,
            to_version=candidate,
            previous_alias=previous_alias if old else None,
            previous_after=old if old else state.alias(previous_alias),
            report_digest=check.digest,
            report_commit=check.commit or tags.get(TAG_COMMIT) or None,
            report_run_id=tags.get(TAG_RUN_ID) or None,
            reason=reason,
            override=override,
        )
        before = state.alias(previous_alias)
        notes: list[str] = []
        recovery: list[str] = []
        recovered = False
        try:
            registry.set_model_tag(name, event.key, event.to_json())
            audit = {
                "at": event.at,
                "by": event.by,
                "seq": event.seq,
                "alias": target_alias,
                "from": old,
                "report_digest": check.digest,
                "report_run_id": event.report_run_id,
                "report_commit": event.report_commit,
                "commit": event.commit,
                "ci_run": event.ci_run,
                "override": override,
            }
            registry.set_version_tags(name, candidate, {"mlops.promotion": json.dumps(audit, sort_keys=True)})
            if old:
                registry.set_alias(name, previous_alias, old)
            _recheck_and_commit(registry, lock, name, target_alias, old, candidate, event, previous_alias, before)
        except PromotionRefused:
            raise
        except MlopsError as exc:
            moved = previous_alias if old else None
            recovered = _recover(exc, registry, name, target_alias, old, candidate, event, moved, before, recovery)
        event.state = "done"
        _finish(registry, name, event, notes, strict=recovered)
        if old:
            demotion = {"at": event.at, "seq": event.seq, "by_version": candidate}
            _quiet(
                lambda: registry.set_version_tags(name, old, {"mlops.demotion": json.dumps(demotion, sort_keys=True)}),
                notes,
            )
    note = f"; {previous_alias!r} -> version {old}" if old else " (there was no champion before)"
    return OperationResult(
        "promote",
        name,
        target_alias,
        True,
        old,
        candidate,
        previous_alias,
        event.seq,
        message=f"promoted {via} of model {name!r} to {target_alias!r}{note}",
        outputs={"promoted": "true", "version": candidate, "previous_version": old or "", "seq": str(event.seq)},
        warnings=recovery + _after_commit_warnings(notes, lock),
    )


def rollback(
    registry: Registry,
    name: str,
    *,
    target_alias: str = "champion",
    previous_alias: str = "previous-champion",
    reason: str | None = None,
    lock_ttl: float = DEFAULT_TTL,
    lock_wait: float = DEFAULT_WAIT,
) -> OperationResult:
    """Point ``target_alias`` back at the previous champion in one write, and record it.

    The target is the ``previous_alias`` version, or (when that alias is missing or equal to
    the champion, e.g. after an interrupted operation) the predecessor found in the history.
    Afterwards ``previous_alias`` points at the restored version's own predecessor, so
    repeated rollbacks walk back through the history.
    """
    _check_aliases(target_alias, previous_alias, None)
    with RegistryLock(registry, name, ttl=lock_ttl, wait=lock_wait, operation="rollback") as lock:
        state = registry.model(name)
        events = _events(state.tags)
        _settle_pending(registry, name, state.aliases, events)
        current = state.alias(target_alias)
        if current is None:
            raise PromotionRefused(f"model {name!r} has no {target_alias!r} alias; there is nothing to roll back")
        restore = state.alias(previous_alias)
        if restore is None or restore == current:
            restore = _predecessor(events, current)
        if restore is None or restore == current:
            raise PromotionRefused(
                f"model {name!r} has no previous champion to roll back to "
                f"({previous_alias!r} is {'not set' if state.alias(previous_alias) is None else 'the champion itself'} "
                "and the promotion history names no predecessor)"
            )
        after = _predecessor(events, restore)
        if after == restore:
            after = None
        event = Event.next_after(
            events,
            action="rollback",
            alias=target_alias,
            from_version=current,
            to_version=restore,
            previous_alias=previous_alias,
            previous_after=after,
            reason=reason,
        )
        notes: list[str] = []
        recovery: list[str] = []
        recovered = False
        try:
            registry.set_model_tag(name, event.key, event.to_json())
            _recheck_and_commit(registry, lock, name, target_alias, current, restore, event, None, None)
        except PromotionRefused:
            raise
        except MlopsError as exc:
            recovered = _recover(exc, registry, name, target_alias, current, restore, event, None, None, recovery)
        # After the commit: a crash here leaves previous == champion, which rollback handles via the history.
        _quiet(
            lambda: (
                registry.set_alias(name, previous_alias, after)
                if after
                else registry.delete_alias(name, previous_alias)
            ),
            notes,
        )
        event.state = "done"
        _finish(registry, name, event, notes, strict=recovered)
        rolled = {"at": event.at, "by": event.by, "seq": event.seq, "to": restore, "reason": reason}
        _quiet(
            lambda: registry.set_version_tags(name, current, {"mlops.rollback": json.dumps(rolled, sort_keys=True)}),
            notes,
        )
        restored = {"at": event.at, "seq": event.seq, "from": current}
        _quiet(
            lambda: registry.set_version_tags(name, restore, {"mlops.restored": json.dumps(restored, sort_keys=True)}),
            notes,
        )
    then = (
        f"; {previous_alias!r} -> version {after}" if after else f"; {previous_alias!r} removed (no earlier champion)"
    )
    return OperationResult(
        "rollback",
        name,
        target_alias,
        True,
        current,
        restore,
        previous_alias,
        event.seq,
        message=f"rolled back model {name!r}: {target_alias!r} version {current} -> version {restore}{then}",
        outputs={"rolled_back": "true", "version": restore, "from_version": current, "seq": str(event.seq)},
        warnings=recovery + _after_commit_warnings(notes, lock),
    )


def abort_canary(
    registry: Registry,
    name: str,
    *,
    canary_alias: str = "challenger",
    version: str | None = None,
    reason: str | None = None,
    lock_ttl: float = DEFAULT_TTL,
    lock_wait: float = DEFAULT_WAIT,
) -> OperationResult:
    """Take the canary out of service: remove ``canary_alias`` (the champion is untouched), record it."""
    with RegistryLock(registry, name, ttl=lock_ttl, wait=lock_wait, operation="canary-rollback") as lock:
        state = registry.model(name)
        events = _events(state.tags)
        _settle_pending(registry, name, state.aliases, events)
        current = state.alias(canary_alias)
        if current is None or (version is not None and current != str(version)):
            return OperationResult(
                "canary-rollback",
                name,
                canary_alias,
                False,
                current,
                None,
                message=f"model {name!r}: alias {canary_alias!r} no longer points at the canary; nothing to undo",
                outputs={"rolled_back": "false"},
            )
        event = Event.next_after(
            events,
            action="canary-rollback",
            alias=canary_alias,
            from_version=current,
            to_version=None,
            previous_alias=None,
            previous_after=None,
            reason=reason,
        )
        registry.set_model_tag(name, event.key, event.to_json())
        registry.delete_alias(name, canary_alias)  # <- the commit point
        event.state = "done"
        notes: list[str] = []
        _finish(registry, name, event, notes)
        _quiet(
            lambda: registry.set_version_tags(
                name,
                current,
                {"mlops.canary_rollback": json.dumps({"at": event.at, "seq": event.seq, "reason": reason})},
            ),
            notes,
        )
    return OperationResult(
        "canary-rollback",
        name,
        canary_alias,
        True,
        current,
        None,
        seq=event.seq,
        message=f"rolled back the canary: removed alias {canary_alias!r} from version {current} of model {name!r}",
        outputs={"rolled_back": "true", "version": current, "seq": str(event.seq)},
        warnings=_after_commit_warnings(notes, lock),
    )


def _recheck_and_commit(
    registry: Registry,
    lock: RegistryLock,
    name: str,
    alias: str,
    expected: str | None,
    new: str,
    event: Event,
    previous_alias: str | None,
    previous_before: str | None,
) -> None:
    """Re-read the champion and the lock just before the switch; then the single commit write."""
    state = registry.model(name)
    now = state.alias(alias)
    problem = None
    if now != expected:
        problem = (
            f"{alias!r} of model {name!r} changed during the operation "
            f"(was version {expected}, is now version {now}); nothing was switched, re-run to decide again"
        )
    else:
        try:
            lock.verify()
        except MlopsError as exc:
            problem = str(exc)
    if problem is not None:
        event.state = "aborted"
        _quiet(lambda: registry.set_model_tag(name, event.key, event.to_json()))
        if previous_alias and expected:  # undo the previous-alias move we made
            _quiet(
                lambda: (
                    registry.set_alias(name, previous_alias, previous_before)
                    if previous_before
                    else registry.delete_alias(name, previous_alias)
                )
            )
        raise PromotionRefused(problem)
    registry.set_alias(name, alias, new)  # <- the commit point


def _finish(
    registry: Registry, name: str, event: Event, notes: list[str] | None = None, *, strict: bool = False
) -> None:
    """Record the event as it ended. ``strict`` (after a recovered fault): a failure is an error naming the state."""
    if not strict:
        _quiet(lambda: registry.set_model_tag(name, event.key, event.to_json()), notes)
        return
    try:
        registry.set_model_tag(name, event.key, event.to_json())
    except MlopsError as exc:
        raise type(exc)(
            f"{exc}. The switch itself landed: {event.alias!r} of model {name!r} is version {event.to_version}, "
            f"but history record #{event.seq} still says 'pending'; the next promote/rollback settles it, and "
            f"`pytest-mlops history --model {name}` shows it"
        ) from None


def _recover(
    exc: MlopsError,
    registry: Registry,
    name: str,
    alias: str,
    old: str | None,
    new: str,
    event: Event,
    previous_alias: str | None,
    previous_before: str | None,
    recovery: list[str],
) -> bool:
    """After a failed write before or at the commit point, re-read the registry and act on what is true.

    Returns True when the switch landed (its reply was lost): the caller finishes the
    bookkeeping and reports success. Otherwise raises ``exc``'s type with the real state: the
    switch did not happen (the event is marked ``aborted`` and ``previous_alias`` put back), or
    the registry could not be read again (then either version may be current).
    """
    state = registry.reread(name)
    if state is None:
        raise _interrupted(exc, registry, name, alias, old, new) from None
    now = state.alias(alias)
    if now == new:
        recovery.append(
            f"the reply to a write was lost ({exc}); re-reading the registry shows {alias!r} is version {new}, "
            "so the switch landed"
        )
        return True
    event.state = "aborted"
    _quiet(lambda: registry.set_model_tag(name, event.key, event.to_json()))
    if previous_alias and state.alias(previous_alias) != previous_before:
        _quiet(
            lambda: (
                registry.set_alias(name, previous_alias, previous_before)
                if previous_before
                else registry.delete_alias(name, previous_alias)
            )
        )
    is_now = f"version {now}" if now is not None else "unset"
    still = "still " if now == old else ""
    raise type(exc)(
        f"{exc}. Re-read after the fault: {alias!r} of model {name!r} is {still}{is_now}, so nothing was switched "
        f"(history record #{event.seq} is marked aborted); re-run to try again"
    ) from None


def _quiet(action: Any, notes: list[str] | None = None) -> None:
    """Best-effort bookkeeping after the commit point: the next locked operation settles it."""
    try:
        action()
    except MlopsError as exc:
        if notes is not None:
            notes.append(str(exc))


def _after_commit_warnings(notes: list[str], lock: RegistryLock) -> list[str]:
    if lock.release_error:
        notes.append(f"{lock.release_error} (the lock lease ends by itself after --lock-ttl)")
    if not notes:
        return []
    more = f" (and {len(notes) - 1} more)" if len(notes) > 1 else ""
    return [
        f"the switch is committed, but bookkeeping after it failed: {notes[0]}{more}; the next operation settles it"
    ]


def _interrupted(exc: MlopsError, registry: Registry, name: str, alias: str, old: str | None, new: str) -> MlopsError:
    was = f"version {old}" if old else "unset"
    return type(exc)(
        f"{exc}. The operation on model {name!r} was interrupted: {alias!r} is {was} or version {new} "
        "(the switch is a single write, so never missing); the next promote/rollback records how it ended, "
        f"and `pytest-mlops history --model {name}` shows it"
    )


_ALIAS_NAME = re.compile(r"[\w\-]{1,255}", re.ASCII)
_VERSION_ALIAS = re.compile(r"[vV]\d+")


def check_alias_name(flag: str, alias: str) -> None:
    """:class:`~pytest_mlops.errors.MlopsInputError` for an alias MLflow would refuse (checked before any write).

    MLflow's rules: letters, digits, ``_`` and ``-``, at most 255 characters; ``latest`` and
    ``v<digits>`` are reserved for version lookups.
    """
    if not _ALIAS_NAME.fullmatch(alias):
        raise MlopsInputError(
            f"{flag} {alias!r} is not a valid MLflow alias name; use letters, digits, '_' and '-' (at most 255)"
        )
    if alias.lower() == "latest" or _VERSION_ALIAS.fullmatch(alias):
        raise MlopsInputError(
            f"{flag} {alias!r} is reserved by MLflow ('latest' and v<digits> name versions); choose another alias"
        )


def _check_aliases(target: str, previous: str, source: str | None) -> None:
    check_alias_name("--to", target)
    check_alias_name("--previous-alias", previous)
    if source is not None:
        check_alias_name("--from", source)
    if target == previous:
        raise MlopsInputError(f"--to {target!r} and --previous-alias {previous!r} must differ")
    if source is not None and source == target:
        raise MlopsInputError(f"--from {source!r} and --to {target!r} must differ")


def _alias_list(aliases: Mapping[str, str]) -> str:
    return ", ".join(f"{k}=v{v}" for k, v in sorted(aliases.items())) or "none"


# -- history ------------------------------------------------------------------------------------------------


@dataclass
class History:
    model: str
    aliases: dict[str, str]
    events: list[Event]
    lock: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "aliases": dict(sorted(self.aliases.items())),
            "lock": self.lock,
            "events": [asdict(e) for e in self.events],
        }

    def lines(self) -> list[str]:
        out = [f"model {self.model!r}: aliases {_alias_list(self.aliases)}"]
        if self.lock:
            out.append(f"lock: held by {self.lock['owner']} ({self.lock['operation']}), {self.lock['state']}")
        if not self.events:
            out.append("no promotion or rollback recorded")
            return out
        for e in self.events:
            change = f"{e.alias}: {_v(e.from_version)} -> {_v(e.to_version)}"
            extra = []
            if e.report_digest:
                extra.append(f"report {e.report_digest[:12]}")
            if e.report_commit:
                extra.append(f"commit {e.report_commit[:12]}")
            if e.ci_run:
                extra.append(e.ci_run)
            if e.reason:
                extra.append(f"reason: {e.reason}")
            if e.override:
                extra.append(f"override: {e.override}")
            tail = f"  [{'; '.join(extra)}]" if extra else ""
            out.append(f"#{e.seq:<4} {e.at}  {e.action:<15} {change:<32} {e.state:<11} by {e.by}{tail}")
        return out


def _v(version: str | None) -> str:
    return f"v{version}" if version is not None else "(none)"


def read_history(registry: Registry, name: str) -> History:
    """The recorded promotions, rollbacks and canary aborts of ``name``, oldest first."""
    state = registry.model(name)
    holder = lock_holder(state.tags)
    lock = None
    if holder is not None:
        now = time.time()
        lock = {
            "owner": holder.owner,
            "operation": holder.operation,
            "expires": holder.expires,
            "state": holder.describe(now).split(", ", 1)[-1],
        }
    return History(name, dict(state.aliases), _events(state.tags), lock)
