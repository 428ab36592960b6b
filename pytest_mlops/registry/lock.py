"""A registry lock without compare-and-set: Lamport's fast mutual exclusion on model tags, with leases.

MLflow has no compare-and-set on aliases or tags, only plain reads and writes, each a
single database transaction on the server. Lamport's *fast mutual exclusion* algorithm
(ACM TOCS 5(1), 1987) gives mutual exclusion using only such atomic reads and writes,
without any timing assumption, using three kinds of registers:

* ``mlops.lock.x`` - the token of the last process that entered the protocol;
* ``mlops.lock.y`` - the holder: ``{"owner": token, "expires": epoch, "op": ...}`` or ``free``;
* ``mlops.lock.b.<token>`` - one flag per contender (present = wants the lock),
  holding its lease expiry.

Acquire (process ``i``)::

    b[i] := true; x := i
    if y is held: b[i] := false; await y free; restart
    y := i
    if x != i:                                   # someone else entered after us
        b[i] := false; await every b[j] false
        if y != i: await y free; restart
    -> lock held

Release: ``y := free; b[i] := false``.

Leases make a crashed holder recoverable: ``y`` and the ``b`` flags carry an expiry
time and an expired entry counts as free. A holder's lease starts before its first write,
so every entry it wrote (and any later ``y`` a contender wrote) expires no earlier than
its lease: others take the lock only after the holder's lease ended. That is the one place
where timing matters: a holder that stalls past its lease (default 60 s) could still act
while another holds the lock. The holder therefore calls :meth:`RegistryLock.verify` right
before its single commit write (the alias switch) and refuses to commit when its lease has
less than ``margin`` seconds left; ``y`` itself is not evidence of ownership (in Lamport's
algorithm it may name a contender that is about to back off). Clocks of the promoting
machines must agree to well within the lease (NTP-synchronised CI runners do). See
``docs/promotion.md`` for the full list of guarantees and limits.
"""

from __future__ import annotations

import getpass
import json
import os
import random
import re
import socket
import time
import uuid
from dataclasses import dataclass
from types import TracebackType

from pytest_mlops.errors import MlopsError
from pytest_mlops.registry.client import ModelState, Registry

__all__ = [
    "LOCK_FLAG_PREFIX",
    "LOCK_X",
    "LOCK_Y",
    "LockHolder",
    "LockLostError",
    "RegistryBusyError",
    "RegistryLock",
    "lock_holder",
    "new_token",
]

LOCK_X = "mlops.lock.x"
LOCK_Y = "mlops.lock.y"
LOCK_FLAG_PREFIX = "mlops.lock.b."
FREE = "free"

DEFAULT_TTL = 60.0
DEFAULT_WAIT = 120.0


class RegistryBusyError(MlopsError):
    """Another promotion held the registry lock for longer than we were willing to wait."""


class LockLostError(MlopsError):
    """The lock was taken over (our lease expired) before the commit point; nothing was committed."""


@dataclass(frozen=True)
class LockHolder:
    owner: str
    expires: float
    operation: str = ""

    def live(self, now: float) -> bool:
        return self.expires > now

    def describe(self, now: float) -> str:
        left = self.expires - now
        what = f" ({self.operation})" if self.operation else ""
        if left > 0:
            return f"{self.owner}{what}, lease ends in {left:.0f} s"
        return f"{self.owner}{what}, lease expired {-left:.0f} s ago"


def new_token() -> str:
    """A unique, readable owner token: ``<user>-<host>-<pid>-<random>``, tag-key safe."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user database entry
        user = "user"
    user = os.environ.get("GITHUB_ACTOR") or user
    raw = f"{user}-{socket.gethostname().split('.')[0]}-{os.getpid()}"
    safe = re.sub(r"[^A-Za-z0-9-]+", "-", raw)[:60].strip("-") or "owner"
    return f"{safe}-{uuid.uuid4().hex[:10]}"


def lock_holder(tags: dict[str, str]) -> LockHolder | None:
    """The holder recorded in ``mlops.lock.y`` (live or expired), or None when free."""
    raw = tags.get(LOCK_Y, FREE)
    if raw == FREE:
        return None
    try:
        data = json.loads(raw)
        return LockHolder(str(data["owner"]), float(data["expires"]), str(data.get("op", "")))
    except (ValueError, KeyError, TypeError):
        # An unreadable value counts as a holder whose lease already ended, so it can be taken.
        return LockHolder(raw[:80], 0.0, "unreadable")


class RegistryLock:
    """Mutual exclusion for changes to one registered model's aliases.

    Use as a context manager::

        with RegistryLock(registry, "churn", operation="promote") as lock:
            ...
            lock.verify()           # right before the commit write
            registry.set_alias(...)
    """

    def __init__(
        self,
        registry: Registry,
        name: str,
        *,
        ttl: float = DEFAULT_TTL,
        wait: float = DEFAULT_WAIT,
        operation: str = "",
        token: str | None = None,
    ) -> None:
        if not ttl > 0:
            raise MlopsError(f"--lock-ttl {ttl!r} is not valid; give a positive number of seconds, e.g. 60")
        if not wait >= 0:
            raise MlopsError(f"--lock-wait {wait!r} is not valid; give a number of seconds >= 0, e.g. 120")
        self.registry = registry
        self.name = name
        self.ttl = float(ttl)
        self.wait = float(wait)
        self.operation = operation
        self.token = token or new_token()
        self.expires = 0.0
        self.held = False
        self.release_error: str | None = None
        self._polls = 0

    @property
    def flag(self) -> str:
        return LOCK_FLAG_PREFIX + self.token

    # -- protocol --------------------------------------------------------------------------

    def acquire(self) -> LockHolder:
        """Take the lock, waiting up to ``wait`` seconds; :class:`RegistryBusyError` after that."""
        deadline = time.monotonic() + self.wait
        reg, name = self.registry, self.name
        self._polls = 0
        while True:
            self._await_free(deadline)  # read-only wait first: contenders do not write while it is held
            expires = time.time() + self.ttl  # our lease: it starts before any of our writes
            reg.set_model_tag(name, self.flag, f"{expires:.3f}")  # b[i] := true
            reg.set_model_tag(name, LOCK_X, self.token)  # x := i
            holder = lock_holder(reg.model(name).tags)
            if holder is not None and holder.owner != self.token and holder.live(time.time()):
                reg.delete_model_tag(name, self.flag)  # b[i] := false; await y free; restart
                continue
            record = {"owner": self.token, "expires": round(time.time() + self.ttl, 3), "op": self.operation}
            reg.set_model_tag(name, LOCK_Y, json.dumps(record, sort_keys=True))  # y := i
            if reg.model(name).tags.get(LOCK_X) != self.token:  # contention: slow path
                reg.delete_model_tag(name, self.flag)
                self._await_flags_down(deadline)
                holder = lock_holder(reg.model(name).tags)
                if holder is None or holder.owner != self.token or not holder.live(time.time()):
                    continue  # await y free; restart
            self.expires = expires
            self.held = True
            return LockHolder(self.token, expires, self.operation)

    def verify(self, margin: float | None = None) -> None:
        """Raise :class:`LockLostError` unless our lease has at least ``margin`` seconds left.

        ``margin`` defaults to the registry timeout plus 2 s: time enough for the commit write.
        Only the lease can end our hold (others take the lock only once every record we wrote
        has expired); ``y`` itself may legitimately name a contender that is about to back off,
        so it is not evidence either way.
        """
        margin = self.registry.timeout + 2.0 if margin is None else margin
        if not self.held:
            raise LockLostError(f"the registry lock of model {self.name!r} is not held; nothing was switched")
        left = self.expires - time.time()
        if left < margin:
            raise LockLostError(
                f"the registry lock of model {self.name!r} has {left:.1f} s of lease left, "
                f"less than the {margin:.0f} s a safe commit needs; nothing was switched; "
                "re-run with a larger --lock-ttl"
            )

    def release(self) -> None:
        """``y := free; b[i] := false`` - unless our lease ended, in which case another may hold it now."""
        if not self.held:
            return
        self.held = False
        if time.time() < self.expires:
            self.registry.set_model_tag(self.name, LOCK_Y, FREE)
        self.registry.delete_model_tag(self.name, self.flag)

    # -- waiting ---------------------------------------------------------------------------------

    def _sleep(self, deadline: float, state: ModelState) -> None:
        if time.monotonic() >= deadline:
            holder = lock_holder(state.tags)
            who = holder.describe(time.time()) if holder else "contending promotions"
            raise RegistryBusyError(
                f"model {self.name!r} at {self.registry.uri}: the registry lock stayed busy for {self.wait:.0f} s "
                f"(held by {who}); retry later or raise --lock-wait"
            )
        # Jittered, growing pauses: waiters do not poll in step, nor all rush in when the lock frees.
        self._polls += 1
        time.sleep(min(0.6, 0.05 * 1.4**self._polls) * random.uniform(0.5, 1.5))

    def _await_free(self, deadline: float) -> None:
        waited = False
        while True:
            state = self.registry.model(self.name)
            holder = lock_holder(state.tags)
            if holder is None or not holder.live(time.time()):
                if waited:  # others saw it free too: stagger the start
                    time.sleep(random.uniform(0.0, 0.3))
                return
            self._sleep(deadline, state)
            waited = True

    def _await_flags_down(self, deadline: float) -> None:
        while True:
            state = self.registry.model(self.name)
            now = time.time()
            raised = [
                key
                for key, value in state.tags.items()
                if key.startswith(LOCK_FLAG_PREFIX) and key != self.flag and _float(value) > now
            ]
            if not raised:
                return
            self._sleep(deadline, state)

    # -- context manager ---------------------------------------------------------------------------

    def __enter__(self) -> RegistryLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            self.release()
        except MlopsError as error:
            # Never hide the operation's own outcome (or error) behind a failed release: the lease
            # expires by itself. The caller reports ``release_error``.
            self.release_error = str(error)


def _float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0
