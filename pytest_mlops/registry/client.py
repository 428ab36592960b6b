"""The registry calls promotion needs, each failing fast with one readable line.

A thin layer over the one MLflow adapter, :mod:`pytest_mlops.integrations.mlflow`, which owns
the rules: which store (:func:`~pytest_mlops.integrations.mlflow.resolve_tracking_uri`), how
long to wait (:func:`~pytest_mlops.integrations.mlflow.configure_http`, a probe of the server
before the first call), what a failure says
(:func:`~pytest_mlops.integrations.mlflow.translate_error`) and credential redaction
(:func:`~pytest_mlops.integrations.mlflow.redact`). This module only names the operations.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pytest_mlops.errors import MlopsError
from pytest_mlops.integrations.mlflow import (
    DEFAULT_TIMEOUT,
    MlflowUnavailableError,
    check_store,
    configure_http,
    redact,
    registry_client,
    resolve_tracking_uri,
    translate_error,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "ModelState",
    "Registry",
    "RegistryUnavailableError",
    "resolve_tracking_uri",
]

#: the registry could not be reached or did not answer (the adapter's error, under its registry name)
RegistryUnavailableError = MlflowUnavailableError

T = TypeVar("T")


@dataclass(frozen=True)
class ModelState:
    """One read of a registered model: its aliases and tags, taken in a single request."""

    name: str
    aliases: dict[str, str]
    tags: dict[str, str]

    def alias(self, alias: str) -> str | None:
        return self.aliases.get(alias)


class Registry:
    """The few registry calls promotion needs, fail-fast, with pytest-mlops errors.

    ``uri`` is the store for messages (password masked); the client gets the real one.
    ``deadline`` (a :func:`time.monotonic` value) bounds the first contact: a server that
    accepts connections and never answers fails by then, so a command with ``--timeout 10``
    gives up within 10 s of starting, not 10 s after its imports. The probe runs before MLflow
    is imported (building the client imports it), so an unreachable port fails in well under
    a second and a silent one at the deadline. Version numbers are always returned as ``str``
    (MLflow gives ``int`` on sqlite and ``str`` over HTTP).
    """

    def __init__(
        self, tracking_uri: str | None = None, *, timeout: float = DEFAULT_TIMEOUT, deadline: float | None = None
    ) -> None:
        configure_http(timeout)
        self.timeout = float(timeout)
        self._uri = resolve_tracking_uri(tracking_uri)
        self.uri = redact(self._uri)
        # what is left of the budget, less half a second to print the error and exit
        first = self.timeout if deadline is None else min(self.timeout, max(0.5, deadline - time.monotonic() - 0.5))
        check_store(self._uri, timeout=first, must_exist=True)
        self.client: Any = self._call("connecting", lambda: registry_client(self._uri))

    # -- error translation ------------------------------------------------------------------

    def _call(self, what: str, func: Callable[[], T], *, model: str | None = None) -> T:
        try:
            return func()
        except MlopsError:
            raise
        except Exception as exc:
            raise translate_error(what, exc, self._uri, timeout=self.timeout) from None

    # -- reads ---------------------------------------------------------------------------------

    def model(self, name: str) -> ModelState:
        """Aliases and tags of registered model ``name`` (one request)."""
        found = self._call(
            f"reading registered model {name!r}", lambda: self.client.get_registered_model(name), model=name
        )
        aliases = {str(k): str(v) for k, v in (getattr(found, "aliases", None) or {}).items()}
        tags = {str(k): str(v) for k, v in (getattr(found, "tags", None) or {}).items()}
        return ModelState(name=name, aliases=aliases, tags=tags)

    def reread(self, name: str, *, within: float | None = None) -> ModelState | None:
        """:meth:`model`, retried for up to ``within`` seconds (default: the timeout); None if it never answered.

        After a fault the real state is what matters: a server that restarts, or a connection
        that dropped one reply, answers the next read.
        """
        until = time.monotonic() + (self.timeout if within is None else within)
        pause = 0.2
        while True:
            try:
                return self.model(name)
            except MlflowUnavailableError:
                if time.monotonic() + pause > until:
                    return None
                time.sleep(pause)
                pause = min(2.0, pause * 2)

    def version_tags(self, name: str, version: str) -> dict[str, str]:
        found = self._call(
            f"reading version {version} of model {name!r}",
            lambda: self.client.get_model_version(name, str(version)),
            model=name,
        )
        return {str(k): str(v) for k, v in (getattr(found, "tags", None) or {}).items()}

    def alias_version(self, name: str, alias: str) -> str | None:
        """The version ``alias`` points to, or None when the alias is not set."""
        return self.model(name).alias(alias)

    # -- writes ----------------------------------------------------------------------------------

    def set_alias(self, name: str, alias: str, version: str) -> None:
        self._call(
            f"setting alias {alias!r} of model {name!r} to version {version}",
            lambda: self.client.set_registered_model_alias(name, alias, str(version)),
            model=name,
        )

    def delete_alias(self, name: str, alias: str) -> None:
        self._call(
            f"deleting alias {alias!r} of model {name!r}",
            lambda: self.client.delete_registered_model_alias(name, alias),
            model=name,
        )

    def set_model_tag(self, name: str, key: str, value: str) -> None:
        self._call(
            f"tagging model {name!r} ({key})",
            lambda: self.client.set_registered_model_tag(name, key, value),
            model=name,
        )

    def delete_model_tag(self, name: str, key: str) -> None:
        self._call(
            f"removing tag {key!r} of model {name!r}",
            lambda: self.client.delete_registered_model_tag(name, key),
            model=name,
        )

    def set_version_tags(self, name: str, version: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            self._call(
                f"tagging version {version} of model {name!r} ({key})",
                lambda key=key, value=value: self.client.set_model_version_tag(name, str(version), key, value),  # type: ignore[misc]
                model=name,
            )
