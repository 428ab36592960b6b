"""The registry lock on a real sqlite store: busy, expired (crashed holder), short lease, release."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from pytest_mlops.registry.client import Registry
from pytest_mlops.registry.lock import LOCK_FLAG_PREFIX, LOCK_X, LOCK_Y, LockLostError, RegistryLock, lock_holder
from tests.integration import registry_helpers as h

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"),
]


def _ghost(uri: str, name: str, seconds: float) -> None:
    """A holder that crashed inside the lock: y and its flag stay behind until they expire."""
    client = h.client_for(uri)
    expires = time.time() + seconds
    client.set_registered_model_tag(name, LOCK_FLAG_PREFIX + "ghost", f"{expires:.3f}")
    client.set_registered_model_tag(name, LOCK_X, "ghost")
    client.set_registered_model_tag(name, LOCK_Y, json.dumps({"owner": "ghost", "expires": expires, "op": "promote"}))


def test_busy_then_expired_holder(sqlite_tracking_uri: str, tmp_path: Path) -> None:
    uri, name = sqlite_tracking_uri, f"lock-{uuid.uuid4().hex[:8]}"
    run_id = h.bare_run(uri, tmp_path / "artifacts")
    ((v1, r1),) = h.gated_versions_at_creation(uri, name, run_id, 1, tmp_path)
    args = ["promote", "--model", name, "--tracking-uri", uri, "--version", v1, "--report", str(r1)]

    _ghost(uri, name, 3600)
    shown = h.run_cli(["history", "--model", name, "--tracking-uri", uri])["stdout"]
    assert "lock: held by ghost (promote), lease ends in" in shown
    busy = h.run_cli([*args, "--lock-wait", "1"])
    assert busy["code"] == 2
    assert "the registry lock stayed busy for 1 s (held by ghost (promote), lease ends in" in busy["stderr"]
    assert "champion" not in h.aliases(uri, name)

    _ghost(uri, name, 1.5)  # crashed: its lease ends soon, then the lock is free
    done = h.run_cli([*args, "--lock-wait", "30"])
    assert done["code"] == 0, done
    assert h.aliases(uri, name) == {"champion": v1}
    tags = h.client_for(uri).get_registered_model(name).tags
    assert tags[LOCK_Y] == "free"
    assert not [k for k in tags if k.startswith(LOCK_FLAG_PREFIX) and k != LOCK_FLAG_PREFIX + "ghost"]


def test_short_lease_refuses_to_commit_and_release_frees(sqlite_tracking_uri: str, tmp_path: Path) -> None:
    uri, name = sqlite_tracking_uri, f"lock-{uuid.uuid4().hex[:8]}"
    h.client_for(uri).create_registered_model(name)
    registry = Registry(uri, timeout=5)
    lock = RegistryLock(registry, name, ttl=3, wait=5, operation="test")
    holder = lock.acquire()
    assert holder.owner == lock.token
    assert lock_holder(registry.model(name).tags) is not None
    with pytest.raises(LockLostError, match="s of lease left, less than the 7 s a safe commit needs"):
        lock.verify()
    lock.verify(margin=0.5)
    lock.release()
    tags = registry.model(name).tags
    assert lock_holder(tags) is None
    assert LOCK_FLAG_PREFIX + lock.token not in tags
    second = RegistryLock(registry, name, ttl=30, wait=5)
    with second:
        second.verify()
    assert lock_holder(registry.model(name).tags) is None
