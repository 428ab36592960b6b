"""Feast adapter: the store of a repository, and the gates that need one.

* :func:`load_store` opens the ``FeatureStore`` of a feature repository (the folder of
  ``feature_store.yaml``), with bad paths reported in one line.
* :func:`point_in_time_service` runs the point-in-time gate
  (:func:`pytest_mlops.gates.featurestore.point_in_time`) with the feature tables, keys,
  timestamps and TTLs read from a Feast feature service (its views' file sources).
* :func:`online_offline` (check ``online_offline``): for a sample of entities, the online
  store's values equal the offline store's as-of-now values within a tolerance.
* :func:`freshness` (check ``freshness``): each feature view was materialised up to a time
  younger than a bound (default: its TTL). Age is ``now - most_recent_end_time``, the measure
  Feast itself uses; ``now`` is injectable.

Feast 0.67 pins ``pandas<3``: install ``pytest-mlops[feast]`` in an environment of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops._recorder import clean_input_errors
from pytest_mlops.errors import MissingExtraError, MlopsInputError
from pytest_mlops.gates.featurestore import FeatureTable, duration_text, parse_ttl, point_in_time
from pytest_mlops.results import GateResult

if TYPE_CHECKING:
    import pandas as pd
    from feast import FeatureStore, FeatureView

__all__ = [
    "INSTALL_HINT",
    "freshness",
    "load_store",
    "online_offline",
    "point_in_time_service",
    "skip_if_unavailable",
    "unavailable_reason",
]


#: What a user is told where Feast cannot be used (the tests pin this text).
INSTALL_HINT = (
    "pip install 'pytest-mlops[feast]' in an environment of its own "
    "(Feast 0.67 pins pandas<3; scripts/test-feast.sh makes .venv-feast)"
)


def unavailable_reason() -> str | None:
    """Why Feast cannot be used here, or None when it imports."""
    try:
        import feast  # noqa: F401
    except ImportError as exc:
        return f"Feast is not installed ({exc.name or exc}): {INSTALL_HINT}"
    return None


def skip_if_unavailable() -> None:
    """Skip the calling test, with the reason a user would see, when Feast cannot be imported."""
    import pytest

    reason = unavailable_reason()
    if reason is not None:
        pytest.skip(reason)


def _feast() -> Any:
    try:
        import feast
    except ImportError:
        raise MissingExtraError.for_extra("feast", "feast") from None
    return feast


def load_store(repo: str | Path) -> FeatureStore:
    """The ``FeatureStore`` of the repository at ``repo`` (a folder holding ``feature_store.yaml``)."""
    feast = _feast()
    path = Path(repo)
    if not (path / "feature_store.yaml").is_file():
        raise MlopsInputError(
            f"feature repository {str(repo)!r} has no feature_store.yaml; point mlops_feature_repo at the "
            "folder made by 'feast init' (the one holding feature_store.yaml)"
        )
    try:
        return feast.FeatureStore(repo_path=str(path))
    except Exception as exc:  # Feast raises pydantic and its own errors for a bad yaml
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MlopsInputError(f"feature repository {str(repo)!r}: Feast could not open it: {first}") from None


def _utc(value: dt.datetime | None, what: str = "now") -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    if not isinstance(value, dt.datetime):
        raise MlopsInputError(f"{what}={value!r} must be a datetime")
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _view(store: FeatureStore, name: str) -> FeatureView:
    names = [v.name for v in store.list_feature_views(allow_cache=False)]
    if name not in names:
        raise MlopsInputError(
            f"feature view {name!r} is not in the registry; its views are: "
            f"{', '.join(names) or '(none: run feast apply)'}"
        )
    return store.get_feature_view(name)


def _views(store: FeatureStore, views: str | Sequence[str] | None) -> list[FeatureView]:
    if views is None:
        found = store.list_feature_views(allow_cache=False)
        if not found:
            raise MlopsInputError("the feature store has no feature views; run 'feast apply' in the repository")
        return list(found)
    return [_view(store, v) for v in ([views] if isinstance(views, str) else views)]


def _source_frame(store: FeatureStore, view: FeatureView) -> pd.DataFrame:
    import pandas as pd

    source = view.batch_source
    raw = getattr(source, "path", None)
    if not raw:
        raise MlopsInputError(
            f"feature view {view.name!r}: its source {type(source).__name__} is not a file source; "
            "pass the feature tables to point_in_time() yourself"
        )
    path = Path(raw)
    if not path.is_absolute():
        path = Path(store.repo_path) / path
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise MlopsInputError(f"feature view {view.name!r}: cannot read its source {str(path)!r}: {exc}") from None


def _join_keys(view: FeatureView) -> list[str]:
    return [c.name for c in view.entity_columns]


@clean_input_errors
def point_in_time_service(
    store: FeatureStore,
    training: Any,
    service: str,
    *,
    event_timestamp: str = "event_timestamp",
    full_feature_names: bool = False,
    **options: Any,
) -> GateResult:
    """The point-in-time gate with the tables of Feast feature service ``service``.

    Each of the service's feature views gives one table: its file source's rows, its join keys,
    its source's timestamp field and its TTL; the features are the ones the service selects
    (named ``<view>__<feature>`` in ``training`` when ``full_feature_names=True``). Further
    options as :func:`pytest_mlops.gates.featurestore.point_in_time`.

    Example::

        def test_training_set_matches_feast(mlops_feature_store, training_set):
            point_in_time_service(mlops_feature_store, training_set, "risk_model")
    """
    __tracebackhide__ = True
    feast = _feast()
    try:
        svc = store.get_feature_service(service, allow_cache=False)
    except feast.errors.FeatureServiceNotFoundException:
        names = [s.name for s in store.list_feature_services()]
        raise MlopsInputError(
            f"feature service {service!r} is not in the registry; its services are: {', '.join(names) or '(none)'}"
        ) from None
    tables: dict[str, FeatureTable] = {}
    for projection in svc.feature_view_projections:
        view = _view(store, projection.name)
        tables[projection.name_to_use()] = FeatureTable(
            _source_frame(store, view),
            entity=_join_keys(view),
            timestamp=view.batch_source.timestamp_field,
            ttl=view.ttl if view.ttl else None,
            features=[f.name for f in projection.features],
            prefix=f"{projection.name_to_use()}__" if full_feature_names else "",
        )
    options.setdefault("name", f"point-in-time correctness ({service})")
    return point_in_time(training, tables, event_timestamp=event_timestamp, **options)


def _sample_entities(store: FeatureStore, view: FeatureView, sample: int, seed: int) -> pd.DataFrame:
    keys = _join_keys(view)
    frame = _source_frame(store, view)[keys].drop_duplicates()
    if len(frame) > sample:
        frame = frame.sample(n=sample, random_state=seed)
    return frame.reset_index(drop=True)


def _close(a: Any, b: Any, atol: float, rtol: float) -> bool:
    import math

    a_null = a is None or (isinstance(a, float) and math.isnan(a))
    b_null = b is None or (isinstance(b, float) and math.isnan(b))
    if a_null or b_null:
        return a_null and b_null
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(float(a) - float(b)) <= atol + rtol * abs(float(b))
    return bool(a == b)


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    value = item() if callable(item) else value
    return None if isinstance(value, float) and value != value else value


@clean_input_errors
def online_offline(
    store: FeatureStore,
    views: str | Sequence[str] | None = None,
    *,
    entities: Mapping[str, Sequence[Any]] | pd.DataFrame | None = None,
    sample: int = 100,
    seed: int = 0,
    now: dt.datetime | None = None,
    atol: float = 0.0,
    rtol: float = 0.0,
    name: str = "online/offline consistency",
    severity: str | None = None,
) -> GateResult:
    """Gate that the online store serves the offline store's as-of-``now`` values.

    For each feature view in ``views`` (default: all), the entities in ``entities`` (join key ->
    values), else a seeded sample of ``sample`` distinct entities from the view's source, are
    read online (``get_online_features``) and offline as of ``now`` (``get_historical_features``,
    which applies the TTL). Every feature must agree within ``atol + rtol * |offline|`` (null
    equals null). Mismatches are named ``<view>:<feature>``.

    Example::

        def test_online_serves_what_training_saw(mlops_store_consistency):
            mlops_store_consistency("patient_vitals", sample=50)
    """
    __tracebackhide__ = True
    import pandas as pd

    for label, tol in (("atol", atol), ("rtol", rtol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol >= 0:
            raise MlopsInputError(f"online/offline gate: {label}={tol!r} must be a number >= 0")
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise MlopsInputError(f"online/offline gate: sample={sample!r} must be a whole number >= 1")
    at = _utc(now)
    checked = 0
    mismatches: list[Any] = []  # JSON data
    per_feature: list[Any] = []
    for view in _views(store, views):
        keys = _join_keys(view)
        if entities is None:
            rows = _sample_entities(store, view, sample, seed)
        else:
            rows = entities.copy() if isinstance(entities, pd.DataFrame) else pd.DataFrame(dict(entities))
            missing = [k for k in keys if k not in rows.columns]
            if missing:
                raise MlopsInputError(
                    f"online/offline gate: entities lack join key {missing[0]!r} of feature view {view.name!r}"
                )
            rows = rows[keys].drop_duplicates().reset_index(drop=True)
        if rows.empty:
            raise MlopsInputError(f"online/offline gate: no entities to check for feature view {view.name!r}")
        refs = [f"{view.name}:{f.name}" for f in view.features]
        online = store.get_online_features(features=refs, entity_rows={k: rows[k].tolist() for k in keys}).to_dict()
        entity_df = rows.copy()
        entity_df["event_timestamp"] = pd.Timestamp(at)
        offline = store.get_historical_features(entity_df=entity_df, features=refs).to_df()
        offline = rows.merge(offline.drop(columns=["event_timestamp"]), on=keys, how="left")
        for feature in view.features:
            wrong = []
            for i in range(len(rows)):
                on, off = online[feature.name][i], _plain(offline[feature.name].iloc[i])
                checked += 1
                if not _close(on, off, atol, rtol):
                    wrong.append({"entity": {k: _plain(rows[k].iloc[i]) for k in keys}, "online": on, "offline": off})
            per_feature.append(
                {"view": view.name, "feature": feature.name, "entities": len(rows), "mismatches": len(wrong)}
            )
            if wrong:
                mismatches.append(
                    {
                        "view": view.name,
                        "feature": feature.name,
                        "count": len(wrong),
                        "rows": len(rows),
                        "examples": wrong[:3],
                    }
                )
    mismatches.sort(key=lambda m: (-m["count"], m["view"], m["feature"]))
    n_bad = sum(m["count"] for m in mismatches)
    passed = n_bad == 0
    op = ">" if n_bad else "<="
    summary = f"{n_bad} of {checked} online values differ from the offline as-of-now values ({n_bad} {op} 0)"
    evidence = []
    for m in mismatches:
        ex = m["examples"][0]
        keys_text = ", ".join(f"{k}={v!r}" for k, v in ex["entity"].items())
        evidence.append(
            f"{m['view']}:{m['feature']}: {m['count']} of {m['rows']} entities differ; "
            f"e.g. {keys_text}: online {ex['online']!r}, offline {ex['offline']!r}"
        )
    result = GateResult(
        kind="featurestore",
        check="online_offline",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity("featurestore", severity),
        observed=n_bad,
        bound={"at_most": 0, "atol": atol, "rtol": rtol},
        summary=summary,
        evidence=evidence,
        hint="materialise again (feast materialize-incremental) and find what writes to the online store "
        "besides materialisation; a value changed after materialisation is training-serving skew",
        details={"now": at.isoformat(), "values": checked, "features": per_feature, "mismatches": mismatches},
    )
    return _recorder.emit(result)


@clean_input_errors
def freshness(
    store: FeatureStore,
    views: str | Sequence[str] | None = None,
    *,
    max_age: Any = None,
    now: dt.datetime | None = None,
    name: str = "feature freshness",
    severity: str | None = None,
) -> GateResult:
    """Gate that every feature view in ``views`` (default: all online views) is fresh at ``now``.

    A view's age is ``now`` minus the end of its newest materialisation interval; it must be at
    most ``max_age`` (seconds, a timedelta or ``"6h"``), else the view's TTL. A view never
    materialised fails. ``now`` defaults to the current time (inject it in tests).

    Example::

        def test_features_are_fresh(mlops_store_freshness):
            mlops_store_freshness(max_age="6h")
    """
    __tracebackhide__ = True
    at = _utc(now)
    bound_all = parse_ttl(max_age, "freshness gate: max_age")
    chosen = _views(store, views)
    if views is None:
        chosen = [v for v in chosen if v.online] or chosen
    rows: list[Any] = []  # JSON data
    for view in chosen:
        bound = bound_all if bound_all is not None else (view.ttl.total_seconds() if view.ttl else None)
        if bound is None:
            raise MlopsInputError(
                f"freshness gate: feature view {view.name!r} has no TTL; pass max_age= (e.g. max_age='1d')"
            )
        end = view.most_recent_end_time
        age = None if end is None else (at - _utc(end, "materialisation end")).total_seconds()
        rows.append(
            {
                "view": view.name,
                "materialized_until": None if end is None else _utc(end).isoformat(),
                "age_seconds": age,
                "max_age_seconds": bound,
                "passed": age is not None and age <= bound,
            }
        )
    stale = [r for r in rows if not r["passed"]]
    stale.sort(key=lambda r: -(r["age_seconds"] if r["age_seconds"] is not None else float("inf")))
    ages = [r["age_seconds"] for r in rows]
    worst = max((a if a is not None else float("inf")) for a in ages)
    if stale:
        first = stale[0]
        age_text = "never materialised" if first["age_seconds"] is None else duration_text(first["age_seconds"])
        bound_text = duration_text(first["max_age_seconds"])
        summary = f"{len(stale)} of {len(rows)} feature views stale: {first['view']!r} {age_text} > {bound_text}"
    else:
        summary = f"newest materialisation {duration_text(worst)} old <= bound in all {len(rows)} feature views"
    evidence = [
        f"feature view {r['view']!r}: never materialised"
        if r["age_seconds"] is None
        else f"feature view {r['view']!r}: materialised until {r['materialized_until']}, "
        f"{duration_text(r['age_seconds'])} old > {duration_text(r['max_age_seconds'])}"
        for r in stale
    ]
    result = GateResult(
        kind="featurestore",
        check="freshness",
        name=name,
        passed=not stale,
        severity=_recorder.resolve_severity("featurestore", severity),
        observed=worst,
        bound={"max_age_seconds": bound_all} if bound_all is not None else {"max_age": "ttl"},
        summary=summary,
        evidence=evidence,
        hint="materialisation has stopped or fallen behind: run 'feast materialize-incremental <now>' "
        "(and check the job that schedules it)",
        details={"now": at.isoformat(), "views": rows},
    )
    return _recorder.emit(result)
