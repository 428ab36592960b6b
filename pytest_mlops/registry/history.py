"""The registry's history: one ``mlops.history.<seq>`` model tag per promotion, rollback or canary abort.

:class:`Event` is one record; :func:`read_history` reads them back with the aliases and the lock;
the helpers here settle records an interrupted operation left ``pending`` and find what a version
was rolled back from (used by :mod:`pytest_mlops.registry.promotion`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.lineage import git_info, utc_now
from pytest_mlops.registry.client import Registry
from pytest_mlops.registry.evidence import PromotionRefused, ReportCheck
from pytest_mlops.registry.lock import lock_holder

__all__ = ["HISTORY_PREFIX", "Event", "History", "check_not_rolled_back", "read_history"]

HISTORY_PREFIX = "mlops.history."


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


def _alias_list(aliases: Mapping[str, str]) -> str:
    return ", ".join(f"{k}=v{v}" for k, v in sorted(aliases.items())) or "none"
