"""The one MLflow adapter: URIs, timeouts, error translation, redaction, models, registration, logging.

Long because: the one MLflow adapter (STYLE: one module per outside system), so URIs, timeouts,
error translation and redaction have a single owner.

Every pytest-mlops module that talks to MLflow goes through here (the registry commands through
:class:`pytest_mlops.registry.client.Registry`, which uses this module's functions), so there is
one rule for each of:

* **which store**: :func:`resolve_tracking_uri` - an explicit URI, else ``$MLFLOW_TRACKING_URI``,
  else ``sqlite:///<rootdir>/mlflow.db`` (``rootdir`` is pytest's rootdir, or the working
  directory for the command line); never MLflow's implicit default;
* **how long to wait**: :func:`configure_http` - one request gives up after the timeout, and
  MLflow's retry loop (7 retries with backoff, minutes against a dead server) is off unless
  ``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` is set; :func:`check_reachable` probes an ``http(s)``
  server once before the first MLflow call, within the caller's remaining time;
* **what a failure says**: :func:`translate_error` - one line naming the redacted URI, never
  urllib3 or requests text;
* **credentials**: :func:`redact` - ``https://user:secret@host`` is shown as
  ``https://user:***@host`` in every message, and a logging filter does the same for MLflow's
  and urllib3's log records.

MLflow itself is imported only inside the functions that talk to it (its model flavors,
``mlflow.sklearn`` and ``mlflow.pyfunc``, which pull in scikit-learn, only where a model is
loaded or logged): URI resolution, the timeout policy, the probe, error translation and
redaction cost no MLflow import, so a registry command against a server that is down or
silent fails before paying the seconds ``import mlflow`` takes. Nothing light imports this
module at its top all the same.

Registry contract with ``pytest-mlops promote`` (see ``docs/architecture.md``): after a session
with ``--mlops-log-to-mlflow``, the model version the report gated (not the champion it was
compared with) carries the tags :data:`TAG_DIGEST`, :data:`TAG_STATUS`, :data:`TAG_COMMIT`,
:data:`TAG_RUN_ID` and :data:`TAG_KINDS`.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops.errors import MlopsError, MlopsInputError

if TYPE_CHECKING:
    from mlflow import MlflowClient

    from pytest_mlops._options import Settings
    from pytest_mlops.report import SessionReport

__all__ = [
    "DEFAULT_TIMEOUT",
    "REPORT_TAGS",
    "TAG_COMMIT",
    "TAG_DIGEST",
    "TAG_KINDS",
    "TAG_RUN_ID",
    "TAG_STATUS",
    "AliasNotFoundError",
    "LoadedModel",
    "MlflowUnavailableError",
    "RegisteredVersion",
    "RegistryClient",
    "check_reachable",
    "check_store",
    "configure_http",
    "connect",
    "default_tracking_uri",
    "ensure_experiment",
    "gated_versions",
    "load_model",
    "load_model_by_alias",
    "log_session_report",
    "redact",
    "register_sklearn_model",
    "registry_client",
    "resolve_tracking_uri",
    "translate_error",
]

#: Model-version tags written by ``--mlops-log-to-mlflow`` (read by ``pytest-mlops promote``).
TAG_DIGEST = "mlops.report_digest"
TAG_STATUS = "mlops.report_status"
TAG_COMMIT = "mlops.report_commit"
TAG_RUN_ID = "mlops.report_run_id"
TAG_KINDS = "mlops.report_kinds"
REPORT_TAGS = (TAG_DIGEST, TAG_STATUS, TAG_COMMIT, TAG_RUN_ID, TAG_KINDS)

DEFAULT_DB_NAME = "mlflow.db"
#: seconds one MLflow request may take (``--timeout``, ``--mlops-mlflow-timeout``)
DEFAULT_TIMEOUT = 10.0


class AliasNotFoundError(MlopsInputError):
    """A registered model exists but has no version under the requested alias."""


class MlflowUnavailableError(MlopsError):
    """The MLflow tracking/registry server could not be reached or did not answer in time."""


# -- credentials -----------------------------------------------------------------------------------------

_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^/\s:@'\"]*):(?P<secret>[^/\s@'\"]*)@")


def redact(text: str) -> str:
    """``text`` with the password of every URL in it masked (``https://u:pw@h`` -> ``https://u:***@h``)."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:***@", str(text))


class _RedactingFilter(logging.Filter):
    """Masks URL passwords in log records (MLflow and urllib3 log request URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_FILTER = _RedactingFilter()


def _install_log_redaction() -> None:
    # Filters on a logger see only its own records; those on its handlers see its children's too.
    for name in ("mlflow", "urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests"):
        logger = logging.getLogger(name)
        for target in (logger, *logger.handlers):
            if _FILTER not in target.filters:
                target.addFilter(_FILTER)


# -- which store, how long to wait -----------------------------------------------------------------------


def default_tracking_uri(rootdir: Path | str) -> str:
    """The embedded default store: ``sqlite:///<rootdir>/mlflow.db`` (absolute path)."""
    return f"sqlite:///{(Path(rootdir) / DEFAULT_DB_NAME).resolve()}"


def resolve_tracking_uri(uri: str | None = None, *, rootdir: Path | str | None = None) -> str:
    """The store to use: ``uri`` if given, else ``$MLFLOW_TRACKING_URI``, else the sqlite default.

    The default is ``sqlite:///<rootdir>/mlflow.db``, ``rootdir`` being pytest's rootdir in the
    plugin and the working directory on the command line (``rootdir=None``).
    """
    if uri and str(uri).strip():
        return str(uri).strip()
    env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if env:
        return env
    return default_tracking_uri(rootdir if rootdir is not None else Path.cwd())


def configure_http(timeout: float) -> None:
    """One MLflow HTTP request gives up after ``timeout`` seconds; no retry unless the environment asks.

    ``MLFLOW_HTTP_REQUEST_TIMEOUT`` follows ``timeout`` (our option is the knob);
    ``MLFLOW_HTTP_REQUEST_MAX_RETRIES`` is set to 0 unless the environment already sets it.
    MLflow reads both at every request. Also installs the log redaction.
    """
    if not (isinstance(timeout, (int, float)) and math.isfinite(timeout) and timeout > 0):
        raise MlopsInputError(f"timeout {timeout!r} is not valid; give a positive number of seconds, e.g. 10")
    os.environ["MLFLOW_HTTP_REQUEST_TIMEOUT"] = str(max(1, math.ceil(timeout)))
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    _install_log_redaction()


def _is_http(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def _reason(exc: BaseException, timeout: float | None = None) -> str:
    """A short, library-free reason for a network failure (no urllib3 / requests text)."""
    parts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(parts) < 10:
        parts.append(f"{type(seen).__name__} {seen}")
        seen = seen.__cause__ or seen.__context__
    text = " ".join(parts).lower()
    waited = f" within {_seconds(timeout)}" if timeout else ""
    if "timed out" in text or "timeout" in text:
        return f"no answer{waited}"
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "failed to resolve" in text or "nodename nor servname" in text:
        return "unknown host"
    if "remotedisconnected" in text or "connection aborted" in text or "reset by peer" in text:
        return "the connection closed before a reply"
    if "ssl" in text or "certificate" in text:
        return "TLS handshake failed"
    return f"no answer{waited}"


def _network_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return True
    # an MlflowException exists only once MLflow is imported; do not import it to find out
    exceptions = sys.modules.get("mlflow.exceptions")
    if exceptions is None or not isinstance(exc, exceptions.MlflowException):
        return False
    text = str(exc)
    return text.startswith("API request to ") and " failed with " in text


def translate_error(action: str, exc: BaseException, uri: str, *, timeout: float | None = None) -> MlopsError:
    """One readable line for an MLflow or network exception raised while doing ``action`` at ``uri``.

    Not found -> :class:`~pytest_mlops.errors.MlopsInputError`; rejected parameters ->
    ``MlopsInputError``; network trouble -> :class:`MlflowUnavailableError` with a short reason;
    anything else -> :class:`~pytest_mlops.errors.MlopsError` with MLflow's first line. The URI and
    the text are redacted.
    """
    shown = redact(uri)
    code = str(getattr(exc, "error_code", "") or "")
    if _network_failure(exc):
        return MlflowUnavailableError(
            f"{action} failed: the MLflow registry at {shown} did not answer ({_reason(exc, timeout)}); "
            "check that the server runs and --tracking-uri / MLFLOW_TRACKING_URI, or raise --timeout"
        )
    text = redact(" ".join(str(getattr(exc, "message", None) or exc).split()))
    if len(text) > 300:
        text = text[:300] + "..."
    if type(exc).__name__.startswith("Unsupported") or "unsupported uri" in text.lower():
        return MlopsInputError(f"{action}: {shown!r} is not a tracking URI MLflow can use ({text})")
    if code in ("RESOURCE_DOES_NOT_EXIST", "NOT_FOUND"):
        return MlopsInputError(f"{action}: not found in the MLflow registry at {shown} ({text})")
    if code in ("INVALID_PARAMETER_VALUE", "INVALID_STATE", "BAD_REQUEST"):
        return MlopsInputError(f"{action}: rejected by the MLflow registry at {shown} ({text})")
    return MlopsError(f"{action} failed at the MLflow registry at {shown}: {text}")


def check_reachable(uri: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    """For an ``http(s)`` tracking URI, check within ``timeout`` seconds that a server answers.

    One request, no retry. Any HTTP answer counts (also 401/404: the server is up); a refused
    connection, an unknown host or a timeout raises :class:`MlflowUnavailableError` naming the
    (redacted) URI.
    """
    if not _is_http(uri):
        return
    url = _USERINFO.sub(lambda m: m["scheme"], uri.rstrip("/")) + "/health"  # /health needs no credentials
    request = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(request, timeout=max(0.1, timeout)) as response:
            response.read(64)
    except urllib.error.HTTPError:
        return  # the server answered
    except (OSError, ValueError) as exc:  # URLError, refused connections, timeouts; ValueError: a bad URL
        if isinstance(exc, ValueError) and not isinstance(exc, OSError):
            raise MlopsInputError(f"{redact(uri)!r} is not a valid tracking URI ({redact(str(exc))})") from None
        raise MlflowUnavailableError(
            # a refused connection fails at once; only a server that does not answer used the budget
            f"MLflow tracking server {redact(uri)!r} is unreachable ({_reason(exc, timeout)}); "
            "start it, or point --tracking-uri / --mlops-tracking-uri / "
            "MLFLOW_TRACKING_URI at a running one"
        ) from None


def _seconds(value: float) -> str:
    return f"{value:g} s" if float(value).is_integer() else f"{value:.1f} s"


def check_store(uri: str, *, timeout: float = DEFAULT_TIMEOUT, must_exist: bool = False) -> None:
    """Before the first MLflow call: probe an ``http(s)`` server; with ``must_exist``, a sqlite file must exist.

    MLflow would create (and migrate, seconds) an empty database for a mistyped sqlite path; a
    command that reads the registry refuses instead, naming the path.
    """
    if _is_http(uri):
        check_reachable(uri, timeout)
        return
    if must_exist and uri.startswith("sqlite:///"):
        db = Path(uri.removeprefix("sqlite:///").split("?", 1)[0])
        if not db.is_file():
            what = "is a folder" if db.is_dir() else "does not exist"
            raise MlopsInputError(
                f"the MLflow store {uri!r} {what}; point --tracking-uri / --mlops-tracking-uri / "
                "MLFLOW_TRACKING_URI at an existing store, e.g. sqlite:///path/to/mlflow.db or http://host:5000"
            )


def registry_client(uri: str) -> RegistryClient | MlflowClient:
    """A client for the model registry at ``uri`` (call :func:`check_store` first).

    A :class:`RegistryClient` (MLflow's registry client without the tracking store), or the
    plain ``MlflowClient`` when this MLflow has no ``ModelRegistryClient`` where 3.x keeps it.
    Either way, building it on sqlite imports MLflow's SQL store (SQLAlchemy, alembic, MLflow's
    ORM models: about half of ``import mlflow`` again, see ``benchmarks/cli_latency.py``).
    """
    try:
        from mlflow.tracking._model_registry.client import ModelRegistryClient
    except ImportError:  # pragma: no cover - a future MLflow that moved it: the public client, slower
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=uri, registry_uri=uri)
    return RegistryClient(ModelRegistryClient(uri, uri))  # type: ignore[no-untyped-call]


class RegistryClient:
    """The registry calls of ``MlflowClient`` that promotion makes, in fewer requests.

    ``MlflowClient`` opens the tracking store as well (on sqlite: its SQL store and a schema
    check against every migration script, about 0.1 s of CPU here), and before every write it
    reads the registered model again to refuse prompts - 11 of the 30 requests of a promotion,
    11 of the 27 of a rollback (counted on MLflow 3.17). This client wraps MLflow's own
    ``ModelRegistryClient`` (what ``MlflowClient`` delegates each of these calls to) and refuses
    prompts the same way, "not found", reading each model at most once for it.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._models: set[str] = set()  # read, and not a prompt

    @property
    def registry_uri(self) -> str:
        return str(self._client.registry_uri)

    def _refuse_prompt(self, name: str, found: Any) -> None:
        # MlflowClient's own test: the prompt tag, which the public ``tags`` of a model leave out
        from mlflow.prompt.registry_utils import has_prompt_tag

        if has_prompt_tag(getattr(found, "_tags", None)):
            from mlflow.exceptions import MlflowException
            from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST

            raise MlflowException(f"Registered Model with name={name!r} not found.", RESOURCE_DOES_NOT_EXIST)

    def _writable(self, name: str) -> None:
        if name not in self._models:
            self.get_registered_model(name)

    def get_registered_model(self, name: str) -> Any:
        found = self._client.get_registered_model(name)
        self._refuse_prompt(name, found)
        self._models.add(name)
        return found

    def get_model_version(self, name: str, version: str) -> Any:
        found = self._client.get_model_version(name, version)
        self._refuse_prompt(name, found)
        return found

    def set_registered_model_alias(self, name: str, alias: str, version: str) -> None:
        self._writable(name)
        self._client.set_registered_model_alias(name, alias, version)

    def delete_registered_model_alias(self, name: str, alias: str) -> None:
        self._writable(name)
        self._client.delete_registered_model_alias(name, alias)

    def set_registered_model_tag(self, name: str, key: str, value: str) -> None:
        self._writable(name)
        self._client.set_registered_model_tag(name, key, value)

    def delete_registered_model_tag(self, name: str, key: str) -> None:
        self._writable(name)
        self._client.delete_registered_model_tag(name, key)

    def set_model_version_tag(self, name: str, version: str, key: str, value: str) -> None:
        self._writable(name)
        self._client.set_model_version_tag(name, version, key, value)


def connect(
    tracking_uri: str | None = None,
    registry_uri: str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    rootdir: Path | str | None = None,
) -> MlflowClient:
    """An :class:`mlflow.MlflowClient` for explicit URIs, after checking that a server answers.

    Without ``tracking_uri`` it is ``$MLFLOW_TRACKING_URI`` when set (so credentials can stay in
    the environment), else ``sqlite:///<rootdir>/mlflow.db`` (``rootdir`` defaults to the working
    directory), never MLflow's implicit default (:func:`resolve_tracking_uri`).
    """
    configure_http(timeout)
    uri = resolve_tracking_uri(tracking_uri, rootdir=rootdir)
    check_store(uri, timeout=timeout)
    if registry_uri and registry_uri != uri:
        check_store(registry_uri, timeout=timeout)
    try:
        from mlflow import MlflowClient

        return MlflowClient(tracking_uri=uri, registry_uri=registry_uri or uri)
    except Exception as exc:
        raise translate_error("connecting", exc, uri, timeout=timeout) from None


def _uris(client: MlflowClient) -> tuple[str, str]:
    tracking = str(client.tracking_uri)
    registry = str(getattr(client, "_registry_uri", None) or tracking)
    return tracking, registry


def _mlflow_error(action: str, client: MlflowClient, exc: Exception) -> MlopsError:
    tracking, _ = _uris(client)
    if _network_failure(exc):
        return translate_error(action, exc, tracking)
    text = redact(str(getattr(exc, "message", None) or exc).strip().splitlines()[0][:300])
    return MlopsError(f"MLflow at {redact(tracking)!r} could not {action}: {text}")


@contextmanager
def _global_uris(tracking_uri: str, registry_uri: str) -> Iterator[None]:
    """Point MLflow's fluent API at these URIs for the block, then restore what was there."""
    import mlflow
    from mlflow.tracking._model_registry import utils as registry_utils

    before_tracking = mlflow.get_tracking_uri() if mlflow.is_tracking_uri_set() else None  # type: ignore[no-untyped-call]
    before_registry = getattr(registry_utils, "_registry_uri", None)
    before_env = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    mlflow.set_tracking_uri(tracking_uri)
    mlflow.set_registry_uri(registry_uri)
    try:
        yield
    finally:
        mlflow.set_tracking_uri(before_tracking)  # type: ignore[arg-type]  # None unsets it
        registry_utils._registry_uri = before_registry
        for key, value in before_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def ensure_experiment(client: MlflowClient, name: str, artifact_location: str | Path | None = None) -> str:
    """The id of experiment ``name``, created if missing.

    A new experiment on a sqlite store gets its artifacts beside the database
    (``<db folder>/mlartifacts``) unless ``artifact_location`` says otherwise, so nothing lands
    in ``./mlruns`` of the working directory.
    """
    from mlflow.exceptions import MlflowException

    try:
        found = client.get_experiment_by_name(name)
        if found is not None:
            return str(found.experiment_id)
        location = artifact_location
        tracking, _ = _uris(client)
        if location is None and tracking.startswith("sqlite:///"):
            location = Path(tracking.removeprefix("sqlite:///")).parent / "mlartifacts"
        if isinstance(location, Path):
            location = location.resolve().as_uri()
        return str(client.create_experiment(name, artifact_location=location))
    except MlflowException as exc:
        raise _mlflow_error(f"get or create experiment {name!r}", client, exc) from None


# -- models by alias ------------------------------------------------------------------------------------------


@dataclass
class LoadedModel:
    """A registered model version loaded for evaluation; behaves like the model it wraps.

    ``predict``, ``predict_proba``, ``classes_`` and every other attribute come from the loaded
    object (the scikit-learn estimator for sklearn-flavor models, else the pyfunc model).
    """

    name: str
    version: str
    alias: str | None
    run_id: str | None
    uri: str
    model: Any = field(repr=False)
    flavor: str = "sklearn"
    local_path: str | None = None

    def __getattr__(self, attr: str) -> Any:
        if attr == "model" or attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(self.model, attr)

    def model_lineage(self) -> dict[str, Any]:
        """The lineage entry gates and fixtures attach (``attach("model", name, ...)``)."""
        entry: dict[str, Any] = {"role": "model", "name": self.name, "version": self.version, "uri": self.uri}
        if self.alias is not None:
            entry["alias"] = self.alias
        if self.run_id:
            entry["run_id"] = self.run_id
        return entry


def _aliases_text(client: MlflowClient, name: str) -> str:
    from mlflow.exceptions import MlflowException

    try:
        registered = client.get_registered_model(name)
    except MlflowException:
        return ""
    aliases = dict(getattr(registered, "aliases", None) or {})
    if not aliases:
        return "it has no aliases yet"
    return "aliases: " + ", ".join(f"{a} -> v{v}" for a, v in sorted(aliases.items()))


def _registered_model_exists(client: MlflowClient, name: str) -> bool:
    from mlflow.exceptions import MlflowException

    try:
        client.get_registered_model(name)
    except MlflowException:
        return False
    return True


@contextmanager
def _quiet_flavor_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        # MLflow's model flavors warn about their own type hints ("Any type hint is inferred as
        # AnyType"), which fails suites run with -W error; it concerns MLflow, not the user.
        warnings.filterwarnings("ignore", message=".*Any type hint is inferred as AnyType", category=UserWarning)
        yield


def _missing_module(exc: BaseException) -> str | None:
    """The module an unpickling failure needed, when that is what went wrong."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ModuleNotFoundError) and seen.name:
            return seen.name
        found = re.search(r"No module named '([^']+)'", str(seen))
        if found:
            return found.group(1)
        if isinstance(seen, AttributeError):
            found = re.search(r"Can't get attribute '([^']+)' on <module '([^']+)'", str(seen))
            if found:
                return f"{found.group(2)}.{found.group(1)}"
        seen = seen.__cause__ or seen.__context__
    return None


def _load_local(path: str, uri: str | None = None) -> tuple[Any, str]:
    """Load an MLflow model folder: the scikit-learn object when it has that flavor, else pyfunc.

    A model whose pickle needs code that is not importable here (a project-local transformer,
    a renamed module) raises :class:`~pytest_mlops.errors.MlopsInputError` naming the model and
    the module, instead of the unpickler's traceback.
    """
    from mlflow.models import Model

    shown = uri or path
    try:
        flavors = Model.load(path).flavors
    except Exception as exc:
        raise MlopsInputError(
            f"cannot load model {shown}: its MLmodel file could not be read ({_first_line(exc)})"
        ) from None
    try:
        with _quiet_flavor_warnings():
            if "sklearn" in flavors:
                from mlflow import sklearn as mlflow_sklearn

                return mlflow_sklearn.load_model(path), "sklearn"
            from mlflow import pyfunc

            return pyfunc.load_model(path), "python_function"
    except MlopsError:
        raise
    except Exception as exc:
        module = _missing_module(exc)
        if module is not None:
            raise MlopsInputError(
                f"cannot load model {shown}: it was pickled with code from {module!r}, which is not importable "
                "here; install the package that defines it (or put it on sys.path), or register the model with "
                "code_paths=[...] so MLflow ships that code with it"
            ) from None
        raise MlopsInputError(f"cannot load model {shown}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    lines = str(getattr(exc, "message", None) or exc).strip().splitlines()
    text = redact(lines[0] if lines else type(exc).__name__)
    return text[:300] + ("..." if len(text) > 300 else "")


#: download folders this process made (no ``dst_dir`` given); removed when the process exits
_DOWNLOADS: list[Path] = []


def _remove_downloads() -> None:
    while _DOWNLOADS:
        shutil.rmtree(_DOWNLOADS.pop(), ignore_errors=True)


atexit.register(_remove_downloads)


def _download(client: MlflowClient, name: str, version: str, dst_dir: str | Path | None) -> str:
    """Download one model version's files from wherever the registry says they are.

    Without ``dst_dir`` the files go to a temporary folder that lives until the process exits (a
    flavor may still read its files after loading), so a test session does not leave a copy of
    every model it loaded behind.
    """
    import mlflow.artifacts

    tracking, _ = _uris(client)
    source = client.get_model_version_download_uri(name, version)
    if dst_dir is not None:
        target = Path(dst_dir)
    else:
        target = Path(tempfile.mkdtemp(prefix="pytest-mlops-model-"))
        _DOWNLOADS.append(target)
    target.mkdir(parents=True, exist_ok=True)
    return str(mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=str(target), tracking_uri=tracking))


def load_model_by_alias(
    client: MlflowClient, name: str, alias: str, *, dst_dir: str | Path | None = None
) -> LoadedModel:
    """Load ``models:/NAME@ALIAS`` from the client's registry.

    Raises :class:`AliasNotFoundError` when the model has no such alias and
    :class:`~pytest_mlops.errors.MlopsInputError` when the registered model does not exist.

    Example::

        champion = load_model_by_alias(connect("http://127.0.0.1:5000"), "churn", "champion")
        champion.predict_proba(X)
    """
    from mlflow.exceptions import MlflowException

    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        _, registry = _uris(client)
        if not _registered_model_exists(client, name):
            code = getattr(exc, "error_code", "")
            if code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"):
                raise _mlflow_error(f"resolve models:/{name}@{alias}", client, exc) from None
            raise MlopsInputError(
                f"registered model {name!r} does not exist in the registry at {redact(registry)!r}; "
                "check --mlops-model-name / mlops_model_name and --mlops-registry-uri"
            ) from None
        raise AliasNotFoundError(
            f"registered model {name!r} has no alias {alias!r} ({_aliases_text(client, name)}); "
            f"set it with MlflowClient().set_registered_model_alias({name!r}, {alias!r}, VERSION)"
        ) from None
    uri = f"models:/{name}@{alias}"
    try:
        local = _download(client, name, str(version.version), dst_dir)
        model, flavor = _load_local(local, f"{uri} (version {version.version})")
    except MlflowException as exc:
        raise _mlflow_error(f"load {uri} (version {version.version})", client, exc) from None
    return LoadedModel(
        name=name,
        version=str(version.version),
        alias=alias,
        run_id=version.run_id or None,
        uri=uri,
        model=model,
        flavor=flavor,
        local_path=local,
    )


def load_model(uri: str, *, client: MlflowClient | None = None, dst_dir: str | Path | None = None) -> LoadedModel | Any:
    """Load ``models:/NAME@ALIAS``, ``models:/NAME/VERSION`` (a :class:`LoadedModel`) or a local
    MLflow model folder (the loaded model itself)."""
    if uri.startswith("models:/"):
        from mlflow.exceptions import MlflowException

        if client is None:
            raise MlopsInputError(f"loading {uri!r} needs a client: connect(tracking_uri) first")
        rest = uri.removeprefix("models:/")
        if "@" in rest:
            name, alias = rest.split("@", 1)
            return load_model_by_alias(client, name, alias, dst_dir=dst_dir)
        name, _, version = rest.partition("/")
        try:
            mv = client.get_model_version(name, version)
            local = _download(client, name, str(mv.version), dst_dir)
            model, flavor = _load_local(local, uri)
        except MlflowException as exc:
            raise MlopsInputError(f"cannot load {uri!r}: {_first_line(exc)}") from None
        return LoadedModel(name, str(mv.version), None, mv.run_id or None, uri, model, flavor, local)
    path = Path(uri)
    if not (path / "MLmodel").exists():
        raise MlopsInputError(f"{uri!r} is neither a models:/ URI nor a folder holding an MLmodel file")
    return _load_local(str(path), uri)[0]


# -- registering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredVersion:
    """What :func:`register_sklearn_model` created."""

    name: str
    version: str
    alias: str | None
    run_id: str
    model_uri: str  # models:/NAME/VERSION

    @property
    def uri(self) -> str:
        """``models:/NAME@ALIAS`` when an alias was set, else ``models:/NAME/VERSION``."""
        return f"models:/{self.name}@{self.alias}" if self.alias else self.model_uri


SERIALIZATION_FORMATS = ("skops", "cloudpickle", "pickle")


def register_sklearn_model(
    model: Any,
    name: str,
    *,
    tracking_uri: str,
    registry_uri: str | None = None,
    alias: str | None = None,
    experiment: str = "pytest-mlops",
    artifact_location: str | Path | None = None,
    pip_requirements: Sequence[str] | None = None,
    extra_pip_requirements: Sequence[str] | None = None,
    serialization_format: str | None = None,
    skops_trusted_types: Sequence[str] | None = None,
    code_paths: Sequence[str | Path] | None = None,
    input_example: Any = None,
    signature: Any = None,
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    tags: Mapping[str, str] | None = None,
    run_name: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> RegisteredVersion:
    """Log a scikit-learn model in a new run, register it as a new version of ``name``, set ``alias``.

    ``pip_requirements`` defaults to the installed scikit-learn version, which skips MLflow's
    slow requirement inference (seconds per model). Global MLflow URIs are restored afterwards.

    MLflow's serialization options pass through to ``mlflow.sklearn.log_model``. MLflow 3 saves
    scikit-learn models with skops by default, and skops refuses types it does not know - a
    project-local transformer in a pipeline, some numpy types. Either trust them
    (``skops_trusted_types=["mypkg.features.BuildFeatures", ...]``: the error names every one),
    or pickle the model (``serialization_format="cloudpickle"``) and ship the code with it
    (``code_paths=["src/mypkg"]``) so it loads where ``mypkg`` is not installed.

    Example::

        v = register_sklearn_model(clf, "churn", tracking_uri="sqlite:///mlflow.db", alias="challenger")
        v.version, v.uri  # ('3', 'models:/churn@challenger')
        register_sklearn_model(pipe, "churn", tracking_uri=uri, serialization_format="cloudpickle",
                               code_paths=["src/churn_features"])
    """
    import mlflow
    from mlflow.exceptions import MlflowException

    if serialization_format is not None and serialization_format not in SERIALIZATION_FORMATS:
        raise MlopsInputError(
            f"serialization_format={serialization_format!r} is not valid; use one of {', '.join(SERIALIZATION_FORMATS)}"
        )
    for path in code_paths or ():
        if not Path(path).exists():
            raise MlopsInputError(f"code_paths entry {str(path)!r} does not exist; give files or folders of your code")
    client = connect(tracking_uri, registry_uri, timeout=timeout)
    tracking, registry = _uris(client)
    if pip_requirements is None and extra_pip_requirements is None:
        import sklearn

        pip_requirements = [f"scikit-learn=={sklearn.__version__}"]
    options: dict[str, Any] = {}
    if pip_requirements is not None:
        options["pip_requirements"] = list(pip_requirements)
    if extra_pip_requirements is not None:
        options["extra_pip_requirements"] = list(extra_pip_requirements)
    if serialization_format is not None:
        options["serialization_format"] = serialization_format
    if skops_trusted_types is not None:
        options["skops_trusted_types"] = list(skops_trusted_types)
    if code_paths is not None:
        options["code_paths"] = [str(p) for p in code_paths]
    experiment_id = ensure_experiment(client, experiment, artifact_location)
    try:
        with (
            _global_uris(tracking, registry),
            _quiet_flavor_warnings(),
            mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run,
        ):
            from mlflow import sklearn as mlflow_sklearn

            if params:
                mlflow.log_params(dict(params))
            if metrics:
                mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
            if tags:
                mlflow.set_tags(dict(tags))
            info = mlflow_sklearn.log_model(
                model,
                name="model",
                registered_model_name=name,
                input_example=input_example,
                signature=signature,
                **options,
            )
            run_id = run.info.run_id
        version = str(info.registered_model_version)
        if alias:
            client.set_registered_model_alias(name, alias, version)
    except MlflowException as exc:
        untrusted = _untrusted_types(exc)
        if untrusted is not None:
            raise MlopsInputError(_untrusted_message(name, untrusted)) from None
        raise _mlflow_error(f"register model {name!r}", client, exc) from None
    return RegisteredVersion(
        name=name, version=version, alias=alias, run_id=run_id, model_uri=f"models:/{name}/{version}"
    )


def _untrusted_types(exc: BaseException) -> list[str] | None:
    """The full list of types skops refused, from MLflow's error text (None for other errors)."""
    text = " ".join(str(getattr(exc, "message", None) or exc).split())
    found = re.search(r"Untrusted types found in the file: \[(.*?)\]", text)
    if found is None:
        return None
    return re.findall(r"'([^']+)'", found.group(1))


def _untrusted_message(name: str, types: Sequence[str]) -> str:
    listed = ", ".join(repr(t) for t in types)
    return (
        f"cannot register model {name!r}: skops (MLflow's default format for scikit-learn models) does not trust "
        f"{len(types)} type(s) in it: [{listed}]. If they are your own code or known-safe, pass "
        f"skops_trusted_types=[{listed}]; or pass serialization_format='cloudpickle' with code_paths=['<folder of "
        "the module defining them>'] so the model loads where that module is not installed"
    )


# -- logging a session's results -------------------------------------------------------------------------------

_METRIC_NAME = re.compile(r"[^0-9A-Za-z_\-. :/]+")


def _metric_key(kind: str, name: str, taken: set[str]) -> str:
    base = _METRIC_NAME.sub("_", f"gate/{kind}/{name}").strip()[:240] or "gate"
    key, i = base, 2
    while key in taken:
        key, i = f"{base}_{i}", i + 1
    taken.add(key)
    return key


def gated_versions(lineage: Sequence[Mapping[str, Any]], champion_alias: str = "champion") -> list[tuple[str, str]]:
    """The ``(name, version)`` pairs a report gated: model versions in its lineage, except baselines.

    A version that appears only as ``champion_alias`` was the baseline the candidate was compared
    with, not what the run gated: its own report tags must stay (promotion reads them).
    """
    gated: list[tuple[str, str]] = []
    for entry in lineage:
        if entry.get("role") != "model" or entry.get("version") in (None, ""):
            continue
        if entry.get("alias") == champion_alias:
            continue
        pair = (str(entry["name"]), str(entry["version"]))
        if pair not in gated:
            gated.append(pair)
    return gated


def log_session_report(
    report: SessionReport,
    settings: Settings,
    *,
    client: MlflowClient | None = None,
) -> dict[str, Any]:
    """Log a session's gate results to a new MLflow run and tag the evaluated model versions.

    The run (in experiment ``settings.experiment``) gets the gate counts and each numeric
    gate value as metrics, the report file (or its JSON) as an artifact, and the
    :data:`REPORT_TAGS`. The model versions the report gated (:func:`gated_versions`: not the
    champion it was compared with) get the same tags, binding them to the report's digest for
    ``pytest-mlops promote``. Returns
    ``{"run_id", "tracking_uri", "versions": [(name, version), ...], "digest"}``.
    """
    from mlflow.entities import Metric, Param, RunTag
    from mlflow.exceptions import MlflowException

    from pytest_mlops.report import report_digest

    if client is None:
        client = connect(
            settings.tracking_uri, settings.registry_uri, timeout=settings.mlflow_timeout, rootdir=settings.rootdir
        )
    tracking, _ = _uris(client)
    report_path = settings.report if settings.report is not None and settings.report.exists() else None
    digest = report_digest(report_path) if report_path is not None else ""
    git = report.environment.get("git")
    commit = str(git.get("commit") or "") if isinstance(git, dict) else ""
    kinds = ",".join(sorted({g.kind for g in report.gates}))
    status = report.status
    experiment_id = ensure_experiment(client, settings.experiment)
    try:
        run = client.create_run(experiment_id, run_name=f"pytest-mlops {settings.stage or 'gates'}")
        run_id = run.info.run_id
        tags = {TAG_DIGEST: digest, TAG_STATUS: status, TAG_COMMIT: commit, TAG_RUN_ID: run_id, TAG_KINDS: kinds}
        counts = report.counts()
        now = int(time.time() * 1000)
        metrics = [
            Metric(f"mlops.gates_{k}" if k != "gates" else "mlops.gates", float(v), now, 0) for k, v in counts.items()
        ]
        taken: set[str] = set()
        for gate in report.gates:
            if isinstance(gate.observed, (int, float)) and not isinstance(gate.observed, bool):
                metrics.append(Metric(_metric_key(gate.kind, gate.name, taken), float(gate.observed), now, 0))
        params = [Param("mlops.stage", str(settings.stage or "")), Param("mlops.tool_version", report.tool_version)]
        run_tags = [RunTag(k, v) for k, v in tags.items() if k != TAG_RUN_ID]
        for start in range(0, len(metrics), 900):
            client.log_batch(
                run_id,
                metrics=metrics[start : start + 900],
                params=params if start == 0 else [],
                tags=run_tags if start == 0 else [],
            )
        if report_path is not None:
            client.log_artifact(run_id, str(report_path))
        else:
            client.log_text(run_id, report.to_json(), "mlops-report.json")
        client.set_terminated(run_id, "FINISHED")
        versions = gated_versions(report.lineage, settings.champion_alias)
        for model_name, version in versions:
            for key, value in tags.items():
                client.set_model_version_tag(model_name, version, key, value)
    except MlflowException as exc:
        raise _mlflow_error("log the gate results", client, exc) from None
    versions.sort(key=lambda p: (p[0], int(p[1]) if p[1].isdigit() else 0, p[1]))
    return {"run_id": run_id, "tracking_uri": redact(tracking), "versions": versions, "digest": digest}
