"""A fail-fast MLflow registry client whose errors are one readable line.

MLflow's HTTP client retries a dead server for minutes by default. The
:class:`Registry` sets ``MLFLOW_HTTP_REQUEST_TIMEOUT`` (and, unless the user set
it, ``MLFLOW_HTTP_REQUEST_MAX_RETRIES``) before the client is made, and turns every
MLflow or network exception into :class:`RegistryUnavailableError` (the URI could
not be reached) or :class:`~pytest_mlops.errors.MlopsInputError` (no such model,
version or alias), each naming the URI.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pytest_mlops.errors import MlopsError, MlopsInputError

__all__ = [
    "DEFAULT_TIMEOUT",
    "ModelState",
    "Registry",
    "RegistryUnavailableError",
    "resolve_tracking_uri",
]

DEFAULT_TIMEOUT = 10.0
#: retries MLflow may make per request when the user did not choose (its default is 7, ~4 minutes)
DEFAULT_MAX_RETRIES = "1"

T = TypeVar("T")


class RegistryUnavailableError(MlopsError):
    """The MLflow tracking/registry server could not be reached or failed to answer."""


def resolve_tracking_uri(uri: str | None) -> str:
    """``--tracking-uri`` if given, else ``$MLFLOW_TRACKING_URI``, else ``sqlite:///<cwd>/mlflow.db``."""
    if uri and uri.strip():
        return uri.strip()
    env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if env:
        return env
    return f"sqlite:///{Path.cwd() / 'mlflow.db'}"


@dataclass(frozen=True)
class ModelState:
    """One read of a registered model: its aliases and tags, taken in a single request."""

    name: str
    aliases: dict[str, str]
    tags: dict[str, str]

    def alias(self, alias: str) -> str | None:
        return self.aliases.get(alias)


def _error_code(exc: BaseException) -> str:
    return str(getattr(exc, "error_code", "") or "")


class Registry:
    """The few registry calls promotion needs, fail-fast, with pytest-mlops errors.

    Version numbers are always returned as ``str`` (MLflow gives ``int`` on sqlite and
    ``str`` over HTTP).
    """

    def __init__(self, tracking_uri: str | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        if not timeout > 0:
            raise MlopsInputError(f"--timeout {timeout!r} is not valid; give a positive number of seconds, e.g. 10")
        self.uri = resolve_tracking_uri(tracking_uri)
        self.timeout = float(timeout)
        # Read by MLflow at every request; must be set before the first one.
        os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(max(1, round(self.timeout)))
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", DEFAULT_MAX_RETRIES)
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR", "1")
        try:
            from mlflow import MlflowClient
        except ImportError as exc:  # pragma: no cover - depends on the environment
            from pytest_mlops.errors import MissingExtraError

            raise MissingExtraError.for_extra("mlflow", "mlflow", "registry commands use the MLflow registry") from exc
        self.client: Any = self._call("connect", lambda: MlflowClient(tracking_uri=self.uri, registry_uri=self.uri))

    # -- error translation ------------------------------------------------------------------

    def _call(self, what: str, func: Callable[[], T], *, model: str | None = None) -> T:
        try:
            return func()
        except MlopsError:
            raise
        except Exception as exc:
            raise self._translate(what, exc, model) from None

    def _translate(self, what: str, exc: Exception, model: str | None) -> MlopsError:
        code = _error_code(exc)
        text = " ".join(str(exc).split())
        if len(text) > 300:
            text = text[:300] + "..."
        if code == "RESOURCE_DOES_NOT_EXIST":
            return MlopsInputError(f"{what}: not found in the MLflow registry at {self.uri} ({text})")
        if code in ("INVALID_PARAMETER_VALUE", "INVALID_STATE") and model is not None:
            return MlopsInputError(f"{what}: rejected by the MLflow registry at {self.uri} ({text})")
        return RegistryUnavailableError(
            f"{what} failed: the MLflow registry at {self.uri} did not answer ({type(exc).__name__}: {text}); "
            "check that the server runs and --tracking-uri / MLFLOW_TRACKING_URI, or raise --timeout"
        )

    # -- reads ---------------------------------------------------------------------------------

    def model(self, name: str) -> ModelState:
        """Aliases and tags of registered model ``name`` (one request)."""
        found = self._call(
            f"reading registered model {name!r}", lambda: self.client.get_registered_model(name), model=name
        )
        aliases = {str(k): str(v) for k, v in (getattr(found, "aliases", None) or {}).items()}
        tags = {str(k): str(v) for k, v in (getattr(found, "tags", None) or {}).items()}
        return ModelState(name=name, aliases=aliases, tags=tags)

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
