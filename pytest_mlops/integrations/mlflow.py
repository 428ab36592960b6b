"""MLflow adapter: clients that fail fast, models loaded by alias, registration, result logging.

This is one of the few modules that imports MLflow at the top; nothing light imports it at
its top (the fixtures and the session hook import it inside their bodies, only when used).

Registry contract with ``pytest-mlops promote`` (see ``docs/architecture.md``): after a session
with ``--mlops-log-to-mlflow``, every model version in the report's lineage carries the tags
:data:`TAG_DIGEST`, :data:`TAG_STATUS`, :data:`TAG_COMMIT`, :data:`TAG_RUN_ID` and :data:`TAG_KINDS`.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

with warnings.catch_warnings():
    # Importing MLflow's model flavors warns about its own type hints ("Any type hint is inferred
    # as AnyType"), which fails suites run with -W error; it concerns MLflow, not the user.
    warnings.filterwarnings("ignore", message=".*Any type hint is inferred as AnyType", category=UserWarning)
    import mlflow.pyfunc
    import mlflow.sklearn

from pytest_mlops.errors import MlopsError, MlopsInputError

if TYPE_CHECKING:
    from pytest_mlops._options import Settings
    from pytest_mlops.report import SessionReport

__all__ = [
    "REPORT_TAGS",
    "TAG_COMMIT",
    "TAG_DIGEST",
    "TAG_KINDS",
    "TAG_RUN_ID",
    "TAG_STATUS",
    "AliasNotFoundError",
    "LoadedModel",
    "RegisteredVersion",
    "check_reachable",
    "configure_http",
    "connect",
    "default_tracking_uri",
    "ensure_experiment",
    "load_model",
    "load_model_by_alias",
    "log_session_report",
    "register_sklearn_model",
]

#: Model-version tags written by ``--mlops-log-to-mlflow`` (read by ``pytest-mlops promote``).
TAG_DIGEST = "mlops.report_digest"
TAG_STATUS = "mlops.report_status"
TAG_COMMIT = "mlops.report_commit"
TAG_RUN_ID = "mlops.report_run_id"
TAG_KINDS = "mlops.report_kinds"
REPORT_TAGS = (TAG_DIGEST, TAG_STATUS, TAG_COMMIT, TAG_RUN_ID, TAG_KINDS)

DEFAULT_DB_NAME = "mlflow.db"


class AliasNotFoundError(MlopsInputError):
    """A registered model exists but has no version under the requested alias."""


# -- connecting ----------------------------------------------------------------------------------------


def default_tracking_uri(rootdir: Path | str) -> str:
    """The embedded default store: ``sqlite:///<rootdir>/mlflow.db`` (absolute path)."""
    return f"sqlite:///{(Path(rootdir) / DEFAULT_DB_NAME).resolve()}"


def configure_http(timeout: float) -> None:
    """Make MLflow's HTTP client give up after ``timeout`` seconds instead of retrying for minutes.

    Sets ``MLFLOW_HTTP_REQUEST_MAX_RETRIES=0`` and ``MLFLOW_HTTP_REQUEST_TIMEOUT`` unless the
    environment already sets them (an explicit environment wins).
    """
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", str(max(1, math.ceil(timeout))))


def _is_http(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def _redact(uri: str) -> str:
    """The URI without a password (``https://user:pw@host`` -> ``https://user:***@host``)."""
    return re.sub(r"(//[^/:@]+):[^/@]+@", r"\1:***@", uri)


def check_reachable(uri: str, timeout: float = 10.0) -> None:
    """For an ``http(s)`` tracking URI, check within ``timeout`` seconds that a server answers.

    Any HTTP answer counts (also 401/404: the server is up); a refused connection, an unknown
    host or a timeout raises :class:`~pytest_mlops.errors.MlopsError` naming the URI.
    """
    if not _is_http(uri):
        return
    url = uri.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read(64)
    except urllib.error.HTTPError:
        return  # the server answered
    except OSError as exc:  # URLError, refused connections and timeouts are all OSErrors
        reason = getattr(exc, "reason", exc)
        raise MlopsError(
            f"MLflow tracking server {_redact(uri)!r} is unreachable ({reason}; gave up after {timeout:g} s).\n"
            "hint: start the server, or point --mlops-tracking-uri / mlops_tracking_uri at a running one"
        ) from None


def connect(
    tracking_uri: str | None = None,
    registry_uri: str | None = None,
    *,
    timeout: float = 10.0,
    rootdir: Path | str | None = None,
) -> MlflowClient:
    """An :class:`mlflow.MlflowClient` for explicit URIs, after checking that a server answers.

    Without ``tracking_uri`` it is ``$MLFLOW_TRACKING_URI`` when set (so credentials can stay in
    the environment), else ``sqlite:///<rootdir>/mlflow.db`` (``rootdir`` defaults to the working
    directory), never MLflow's implicit default.
    """
    configure_http(timeout)
    from_env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    uri = tracking_uri or from_env or default_tracking_uri(rootdir or Path.cwd())
    check_reachable(uri, timeout)
    if registry_uri and registry_uri != uri:
        check_reachable(registry_uri, timeout)
    return MlflowClient(tracking_uri=uri, registry_uri=registry_uri or uri)


def _uris(client: MlflowClient) -> tuple[str, str]:
    tracking = str(client.tracking_uri)
    registry = str(getattr(client, "_registry_uri", None) or tracking)
    return tracking, registry


def _mlflow_error(action: str, client: MlflowClient, exc: Exception) -> MlopsError:
    tracking, _ = _uris(client)
    text = str(getattr(exc, "message", None) or exc).strip().splitlines()[0][:300]
    return MlopsError(f"MLflow at {_redact(tracking)!r} could not {action}: {text}")


@contextmanager
def _global_uris(tracking_uri: str, registry_uri: str) -> Iterator[None]:
    """Point MLflow's fluent API at these URIs for the block, then restore what was there."""
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
    try:
        registered = client.get_registered_model(name)
    except MlflowException:
        return ""
    aliases = dict(getattr(registered, "aliases", None) or {})
    if not aliases:
        return "it has no aliases yet"
    return "aliases: " + ", ".join(f"{a} -> v{v}" for a, v in sorted(aliases.items()))


def _registered_model_exists(client: MlflowClient, name: str) -> bool:
    try:
        client.get_registered_model(name)
    except MlflowException:
        return False
    return True


def _load_local(path: str) -> tuple[Any, str]:
    """Load an MLflow model folder: the scikit-learn object when it has that flavor, else pyfunc."""
    from mlflow.models import Model

    flavors = Model.load(path).flavors
    if "sklearn" in flavors:
        return mlflow.sklearn.load_model(path), "sklearn"
    return mlflow.pyfunc.load_model(path), "python_function"


def _download(client: MlflowClient, name: str, version: str, dst_dir: str | Path | None) -> str:
    """Download one model version's files from wherever the registry says they are."""
    tracking, _ = _uris(client)
    source = client.get_model_version_download_uri(name, version)
    target = Path(dst_dir) if dst_dir is not None else Path(tempfile.mkdtemp(prefix="pytest-mlops-model-"))
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
    try:
        version = client.get_model_version_by_alias(name, alias)
    except MlflowException as exc:
        _, registry = _uris(client)
        if not _registered_model_exists(client, name):
            code = getattr(exc, "error_code", "")
            if code not in ("RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"):
                raise _mlflow_error(f"resolve models:/{name}@{alias}", client, exc) from None
            raise MlopsInputError(
                f"registered model {name!r} does not exist in the registry at {_redact(registry)!r}; "
                "check --mlops-model-name / mlops_model_name and --mlops-registry-uri"
            ) from None
        raise AliasNotFoundError(
            f"registered model {name!r} has no alias {alias!r} ({_aliases_text(client, name)}); "
            f"set it with MlflowClient().set_registered_model_alias({name!r}, {alias!r}, VERSION)"
        ) from None
    uri = f"models:/{name}@{alias}"
    try:
        local = _download(client, name, str(version.version), dst_dir)
        model, flavor = _load_local(local)
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
            model, flavor = _load_local(local)
        except MlflowException as exc:
            raise MlopsInputError(f"cannot load {uri!r}: {str(exc).splitlines()[0][:300]}") from None
        return LoadedModel(name, str(mv.version), None, mv.run_id or None, uri, model, flavor, local)
    path = Path(uri)
    if not (path / "MLmodel").exists():
        raise MlopsInputError(f"{uri!r} is neither a models:/ URI nor a folder holding an MLmodel file")
    return _load_local(str(path))[0]


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
    input_example: Any = None,
    signature: Any = None,
    params: Mapping[str, Any] | None = None,
    metrics: Mapping[str, float] | None = None,
    tags: Mapping[str, str] | None = None,
    run_name: str | None = None,
    timeout: float = 10.0,
) -> RegisteredVersion:
    """Log a scikit-learn model in a new run, register it as a new version of ``name``, set ``alias``.

    ``pip_requirements`` defaults to the installed scikit-learn version, which skips MLflow's
    slow requirement inference (seconds per model). Global MLflow URIs are restored afterwards.

    Example::

        v = register_sklearn_model(clf, "churn", tracking_uri="sqlite:///mlflow.db", alias="challenger")
        v.version, v.uri  # ('3', 'models:/churn@challenger')
    """
    client = connect(tracking_uri, registry_uri, timeout=timeout)
    tracking, registry = _uris(client)
    if pip_requirements is None:
        import sklearn

        pip_requirements = [f"scikit-learn=={sklearn.__version__}"]
    experiment_id = ensure_experiment(client, experiment, artifact_location)
    try:
        with _global_uris(tracking, registry), mlflow.start_run(experiment_id=experiment_id, run_name=run_name) as run:
            if params:
                mlflow.log_params(dict(params))
            if metrics:
                mlflow.log_metrics({k: float(v) for k, v in metrics.items()})
            if tags:
                mlflow.set_tags(dict(tags))
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                registered_model_name=name,
                pip_requirements=list(pip_requirements),
                input_example=input_example,
                signature=signature,
            )
            run_id = run.info.run_id
        version = str(info.registered_model_version)
        if alias:
            client.set_registered_model_alias(name, alias, version)
    except MlflowException as exc:
        raise _mlflow_error(f"register model {name!r}", client, exc) from None
    return RegisteredVersion(
        name=name, version=version, alias=alias, run_id=run_id, model_uri=f"models:/{name}/{version}"
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


def log_session_report(
    report: SessionReport,
    settings: Settings,
    *,
    client: MlflowClient | None = None,
) -> dict[str, Any]:
    """Log a session's gate results to a new MLflow run and tag the evaluated model versions.

    The run (in experiment ``settings.experiment``) gets the gate counts and each numeric
    gate value as metrics, the report file (or its JSON) as an artifact, and the
    :data:`REPORT_TAGS`. Every ``model`` entry of the report's lineage with a version gets the
    same tags, binding it to the report's digest for ``pytest-mlops promote``. Returns
    ``{"run_id", "tracking_uri", "versions": [(name, version), ...], "digest"}``.
    """
    from mlflow.entities import Metric, Param, RunTag

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
        import time

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
        versions: list[tuple[str, str]] = []
        for entry in report.lineage:
            if entry.get("role") != "model" or entry.get("version") in (None, ""):
                continue
            pair = (str(entry["name"]), str(entry["version"]))
            if pair in versions:
                continue
            for key, value in tags.items():
                client.set_model_version_tag(pair[0], pair[1], key, value)
            versions.append(pair)
    except MlflowException as exc:
        raise _mlflow_error("log the gate results", client, exc) from None
    versions.sort(key=lambda p: (p[0], int(p[1]) if p[1].isdigit() else 0, p[1]))
    return {"run_id": run_id, "tracking_uri": tracking, "versions": versions, "digest": digest}
