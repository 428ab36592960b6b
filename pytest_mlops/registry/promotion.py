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

The report checks are :mod:`pytest_mlops.registry.evidence`, the history records
:mod:`pytest_mlops.registry.history`; both are re-exported here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsError, MlopsInputError
from pytest_mlops.registry.client import Registry
from pytest_mlops.registry.evidence import (
    TAG_COMMIT,
    TAG_DIGEST,
    TAG_KINDS,
    TAG_RUN_ID,
    TAG_STATUS,
    PromotionRefused,
    ReportCheck,
    check_binding,
    check_champion,
    check_report,
)
from pytest_mlops.registry.history import (
    HISTORY_PREFIX,
    Event,
    History,
    _alias_list,
    _events,
    _predecessor,
    _settle_pending,
    check_not_rolled_back,
    read_history,
)
from pytest_mlops.registry.lock import DEFAULT_TTL, DEFAULT_WAIT, RegistryLock

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
