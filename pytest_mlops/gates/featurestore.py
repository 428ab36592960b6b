"""Point-in-time correctness gate: no training row may see a feature value from its own future.

A training set built from a feature store joins, for every entity row (an entity key and the
row's event timestamp), the newest feature value with ``feature_ts <= event_ts`` that is not
older than the feature table's TTL: an *as-of* join. The commonest silent leak is a training
set joined on "latest" values instead, so a row sees what happened after its event.

:func:`point_in_time` recomputes that as-of join for every feature column of the training set
and compares: each value must equal what the as-of join gives (null when no value is in range).
A wrong value is classified as

* ``future``: it equals a value with ``feature_ts > event_ts`` (a later row of the entity),
* ``ttl``: it equals the as-of value, but that value is older than the TTL (the join should
  have given null),
* ``other``: anything else (a wrong key, a wrong table, an edited value).

The as-of computation is vectorised: the feature rows are sorted once by (entity, time) and
every training row finds its as-of row with one ``searchsorted``.

The online/offline consistency and freshness gates need a Feast store: see
:mod:`pytest_mlops.integrations.feast`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pytest_mlops import _recorder
from pytest_mlops._recorder import clean_input_errors
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    import numpy as np

__all__ = ["FeatureTable", "duration_text", "parse_ttl", "point_in_time"]

#: Examples shown per failing column (message and details).
EXAMPLES = 3


@dataclass(frozen=True)
class FeatureTable:
    """A feature table for :func:`point_in_time`: rows of (entity keys, feature timestamp, features).

    Fields left ``None`` take the gate's arguments (``entity=``, ``feature_timestamp=``, ``ttl=``).
    ``features`` defaults to every column of the table that is also a column of the training set
    (besides the keys and timestamps); ``prefix`` is prepended to a feature's name to find it in
    the training set (Feast's ``full_feature_names`` gives ``"<view>__"``).
    """

    data: Any
    entity: str | Sequence[str] | None = None
    timestamp: str | None = None
    ttl: Any = None
    features: Sequence[str] | None = None
    prefix: str = ""


_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86_400, "day": 86_400, "days": 86_400, "w": 604_800}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")")


def parse_ttl(ttl: Any, what: str = "ttl") -> float | None:
    """A TTL in seconds (``None`` or 0 = no limit) from seconds, a ``timedelta`` or a string such as ``"1d"``."""
    if ttl is None:
        return None
    if isinstance(ttl, dt.timedelta):  # pandas.Timedelta is a timedelta too
        seconds = ttl.total_seconds()
    elif isinstance(ttl, (int, float)) and not isinstance(ttl, bool):
        seconds = float(ttl)
    elif isinstance(ttl, str):
        match = _DURATION.fullmatch(ttl.strip().lower())
        if match is None:
            raise MlopsInputError(
                f"{what}={ttl!r} is not a duration; use seconds, a timedelta or a string like '1d' or '6h'"
            )
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    else:
        raise MlopsInputError(f"{what}={ttl!r} is not a duration; use seconds, a timedelta or a string like '1d'")
    if not seconds == seconds or seconds < 0:  # NaN or negative
        raise MlopsInputError(f"{what}={ttl!r} must not be negative")
    return seconds or None


def duration_text(seconds: float) -> str:
    """A duration in the largest unit that keeps it readable: ``1s``, ``90 min``, ``2.5 days``."""
    s = abs(seconds)
    if s >= 86_400 and s % 86_400 == 0:
        days = int(seconds // 86_400)
        return "1 day" if days == 1 else f"{days} days"
    if s < 120:
        return f"{fmt(seconds)}s"
    if s < 3600 or (s < 7200 and s % 3600):
        return f"{fmt(seconds / 60)} min"
    if s < 172_800:
        return f"{fmt(seconds / 3600)} h"
    return f"{fmt(seconds / 86_400)} days"


# --- columns as numpy arrays (pandas or polars) ------------------------------------------------


def _values(frame: Any, column: str) -> np.ndarray:
    from pytest_mlops.integrations import loading as data_mod

    if data_mod.is_polars(frame):
        return frame.get_column(column).to_numpy()  # type: ignore[no-any-return]
    return frame[column].to_numpy()  # type: ignore[no-any-return]


def _timestamps_ns(frame: Any, column: str, what: str) -> np.ndarray:
    """A timestamp column as int64 nanoseconds since the epoch, UTC (naive values are read as UTC)."""
    import numpy as np
    import pandas as pd

    from pytest_mlops.integrations import loading as data_mod

    if data_mod.is_polars(frame):
        import polars as pl

        series = frame.get_column(column)
        if not isinstance(series.dtype, pl.Datetime):
            raise MlopsInputError(f"{what}: column {column!r} is {series.dtype}, not a timestamp; cast it to Datetime")
        if series.dtype.time_zone is not None:
            series = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        values = series.dt.cast_time_unit("ns").to_numpy()
        nulls = series.is_null().to_numpy()
    else:
        series = frame[column]
        if not (pd.api.types.is_datetime64_any_dtype(series.dtype)):
            raise MlopsInputError(
                f"{what}: column {column!r} is {series.dtype}, not a timestamp; convert it with pandas.to_datetime"
            )
        if getattr(series.dtype, "tz", None) is not None:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        values = series.dt.as_unit("ns").to_numpy()
        nulls = series.isna().to_numpy()
    if nulls.any():
        raise MlopsInputError(f"{what}: column {column!r} has {int(nulls.sum())} null timestamp(s); drop or fill them")
    return np.asarray(values, dtype="datetime64[ns]").view("int64")


def _entity_codes(left: Sequence[np.ndarray], right: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer codes for the entity keys of both sides (equal keys get equal codes)."""
    import numpy as np
    import pandas as pd

    n_left = len(left[0])
    combined: np.ndarray | None = None
    for lcol, rcol in zip(left, right, strict=True):
        codes, uniques = pd.factorize(np.concatenate([lcol, rcol]), use_na_sentinel=False)
        codes = codes.astype(np.int64)
        combined = codes if combined is None else combined * (len(uniques) + 1) + codes
    assert combined is not None
    if len(left) > 1:
        combined, uniques = pd.factorize(combined)
    return combined[:n_left], combined[n_left:], int(combined.max(initial=-1)) + 1


def asof_positions(
    left_codes: np.ndarray, left_ts: np.ndarray, right_codes: np.ndarray, right_ts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For every left row, the right row an as-of join picks: same code, newest ``right_ts <= left_ts``.

    Returns ``(order, pos)``: ``order`` sorts the right rows by (code, time) stably (so among equal
    timestamps the last row wins, as in :func:`pandas.merge_asof`); ``pos[i]`` is the index into
    ``order`` of row ``i``'s as-of row, or -1 when the entity has no row at or before ``left_ts[i]``.
    Plain arrays in, plain arrays out; one sort of the right side and one ``searchsorted``.
    """
    import numpy as np

    # Rank the timestamps by the right side's distinct values, so (code, rank) packs into one int64
    # whatever the time span (nanoseconds times entity codes would overflow). Every lookup below
    # searches with sorted needles: numpy's searchsorted is several times faster that way than with
    # needles in random order (measured by benchmarks/pit.py), so each side is sorted once.
    r_by_ts = np.argsort(right_ts, kind="stable")
    r_sorted_ts = right_ts[r_by_ts]
    step = np.empty(len(r_sorted_ts), dtype=np.int64)
    step[:1] = 1
    np.not_equal(r_sorted_ts[1:], r_sorted_ts[:-1], out=step[1:])
    r_rank = np.empty(len(right_ts), dtype=np.int64)
    r_rank[r_by_ts] = np.cumsum(step)  # 1-based dense rank
    distinct = r_sorted_ts[step.astype(bool)]
    width = np.int64(len(distinct) + 1)
    l_by_ts = np.argsort(left_ts, kind="stable")
    l_rank = np.empty(len(left_ts), dtype=np.int64)
    l_rank[l_by_ts] = np.searchsorted(distinct, left_ts[l_by_ts], side="right")  # distinct values <= ts
    right_key = right_codes * width + r_rank
    left_key = left_codes * width + l_rank
    order = np.argsort(right_key, kind="stable")
    sorted_key = right_key[order]
    l_by_key = np.argsort(left_key, kind="stable")
    pos = np.empty(len(left_key), dtype=np.int64)
    pos[l_by_key] = np.searchsorted(sorted_key, left_key[l_by_key], side="right") - 1
    found = pos >= 0
    found[found] = right_codes[order[pos[found]]] == left_codes[found]
    return order, np.where(found, pos, -1)


def _sorted_search(haystack: np.ndarray, needles: np.ndarray, side: Literal["left", "right"]) -> np.ndarray:
    """``np.searchsorted`` with the needles sorted first (much faster on large random needles)."""
    import numpy as np

    by = np.argsort(needles, kind="stable")
    out = np.empty(len(needles), dtype=np.int64)
    out[by] = np.searchsorted(haystack, needles[by], side=side)
    return out


def _later_rows(
    order: np.ndarray, pos: np.ndarray, found: np.ndarray, rcodes: np.ndarray, lcodes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For every left row, the entity's next right row after the as-of one and its newest right row
    (a "latest" join's source), each with a flag saying whether the entity has one."""
    import numpy as np

    sorted_codes = rcodes[order]
    nxt_pos = np.where(found, pos + 1, _sorted_search(sorted_codes, lcodes, "left"))
    nxt_ok = nxt_pos < len(order)
    nxt_ok[nxt_ok] = sorted_codes[nxt_pos[nxt_ok]] == lcodes[nxt_ok]
    last_pos = _sorted_search(sorted_codes, lcodes, "right") - 1
    last_ok = last_pos >= 0
    last_ok[last_ok] = sorted_codes[last_pos[last_ok]] == lcodes[last_ok]
    nxt_src = order[np.clip(nxt_pos, 0, len(order) - 1)]
    last_src = order[np.maximum(last_pos, 0)]
    return nxt_ok, nxt_src, last_ok, last_src


def _same(a: np.ndarray, b: np.ndarray, atol: float, rtol: float) -> np.ndarray:
    """Elementwise equality, nulls equal to nulls; numbers within ``atol + rtol*|b|``."""
    import numpy as np
    import pandas as pd

    numeric = a.dtype.kind in "biuf" and b.dtype.kind in "biuf"
    if numeric:
        x, y = a.astype(float), b.astype(float)
        both_nan = np.isnan(x) & np.isnan(y)
        with np.errstate(invalid="ignore"):
            close = np.abs(x - y) <= atol + rtol * np.abs(y)
        same: np.ndarray = both_nan | close
        return same
    na_a, na_b = pd.isna(a), pd.isna(b)
    eq = np.zeros(len(a), dtype=bool)
    both = ~na_a & ~na_b
    if both.any():
        eq[both] = np.asarray(a[both] == b[both], dtype=bool)
    return eq | (na_a & na_b)


def _as_nullable(values: np.ndarray) -> np.ndarray:
    """A copy that can hold nulls: floats stay float, everything else becomes object."""

    if values.dtype.kind == "f":
        return values.copy()
    if values.dtype.kind in "biu":
        return values.astype(float)
    return values.astype(object)


def _null_like(values: np.ndarray) -> Any:
    return float("nan") if values.dtype.kind == "f" else None


def _iso(ns: int) -> str:
    import numpy as np

    return str(np.datetime64(int(ns), "ns").astype("datetime64[s]")) + ("" if ns % 1_000_000_000 == 0 else "+")


# --- the gate --------------------------------------------------------------------------------


def _key_list(entity: str | Sequence[str] | None, what: str) -> list[str]:
    if entity is None:
        raise MlopsInputError(f"{what}: no entity key; pass entity='patient_id' (or a list of join keys)")
    keys = [entity] if isinstance(entity, str) else list(entity)
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise MlopsInputError(f"{what}: entity={entity!r} must be a column name or a list of column names")
    return keys


@clean_input_errors
def point_in_time(
    training: Any,
    tables: Mapping[str, Any],
    *,
    entity: str | Sequence[str] | None = None,
    event_timestamp: str = "event_timestamp",
    feature_timestamp: str = "event_timestamp",
    ttl: Any = None,
    at_most: int = 0,
    atol: float = 0.0,
    rtol: float = 0.0,
    name: str = "point-in-time correctness",
    severity: str | None = None,
) -> GateResult:
    """Gate that every feature value of ``training`` is the value a point-in-time (as-of) join gives.

    ``training`` holds the entity rows (the ``entity`` key column(s) and ``event_timestamp``) with
    the joined feature columns; ``tables`` maps a feature table's name to its rows (a pandas or
    polars frame, or a :class:`FeatureTable` with its own keys, timestamp, TTL, feature list).
    A value is correct when it equals the newest value of its table with ``feature_ts <=
    event_ts`` (per entity), or is null when there is none or that one is older than ``ttl``.
    Numbers compare within ``atol + rtol * |expected|``. The gate fails when more than
    ``at_most`` rows have a wrong value.

    Example::

        from pytest_mlops.gates.featurestore import point_in_time

        def test_training_set_is_point_in_time_correct(training_set, vitals, labs):
            point_in_time(training_set, {"vitals": vitals, "labs": labs},
                          entity="patient_id", ttl="1d")
    """
    __tracebackhide__ = True
    import numpy as np

    from pytest_mlops.integrations import loading as data_mod

    integer("at_most", at_most, at_least=0, gate="point-in-time gate")
    atol = number("atol", atol, at_least=0, gate="point-in-time gate")
    rtol = number("rtol", rtol, at_least=0, gate="point-in-time gate")
    if not isinstance(tables, Mapping) or not tables:
        raise MlopsInputError(
            "point-in-time gate: tables must be a non-empty mapping of table name -> frame (or FeatureTable), "
            f"got {type(tables).__name__}"
        )
    what = "training set"
    frame = data_mod.require_frame(training, what)
    data_mod.require_unique_columns(frame, what)
    data_mod.require_not_empty(frame, what)
    n = data_mod.n_rows(frame)
    default_ttl = parse_ttl(ttl, "point-in-time gate: ttl")

    bad_rows = np.zeros(n, dtype=bool)
    per_column: list[Any] = []  # JSON data: one dict per wrong column
    checked: list[Any] = []
    training_columns = set(map(str, data_mod.columns_of(frame)))
    event_ts_cache: dict[tuple[str, ...], Any] = {}
    for table_name, spec in tables.items():
        table = spec if isinstance(spec, FeatureTable) else FeatureTable(spec)
        twhat = f"feature table {table_name!r}"
        tframe = data_mod.require_frame(table.data, twhat)
        data_mod.require_unique_columns(tframe, twhat)
        data_mod.require_not_empty(tframe, twhat)
        keys = _key_list(table.entity if table.entity is not None else entity, twhat)
        ts_col = table.timestamp or feature_timestamp
        data_mod.require_columns(tframe, [*keys, ts_col], twhat)
        data_mod.require_columns(frame, [*keys, event_timestamp], what)
        table_ttl = parse_ttl(table.ttl, f"{twhat}: ttl") if table.ttl is not None else default_ttl
        if table.features is not None:
            features = list(table.features)
            data_mod.require_columns(tframe, features, twhat)
        else:
            skip = {*keys, ts_col, "created", "created_timestamp"}
            features = [str(c) for c in data_mod.columns_of(tframe) if str(c) not in skip]
            features = [c for c in features if table.prefix + c in training_columns]
        if not features:
            raise MlopsInputError(
                f"{twhat}: none of its feature columns is a column of the training set; "
                "pass FeatureTable(..., features=[...], prefix=...) to say which are"
            )
        data_mod.require_columns(frame, [table.prefix + f for f in features], what)

        left_ts = event_ts_cache.get(tuple(keys))
        if left_ts is None:
            left_ts = event_ts_cache[tuple(keys)] = _timestamps_ns(frame, event_timestamp, what)
        right_ts = _timestamps_ns(tframe, ts_col, twhat)
        lcodes, rcodes, _ = _entity_codes([_values(frame, k) for k in keys], [_values(tframe, k) for k in keys])
        order, pos = asof_positions(lcodes, left_ts, rcodes, right_ts)
        found = pos >= 0
        src = np.where(found, order[np.maximum(pos, 0)], 0)  # right row of the as-of value
        asof_ts = right_ts[src]
        fresh = found.copy()
        if table_ttl is not None:
            fresh &= (left_ts - asof_ts) <= np.int64(round(table_ttl * 1e9))
        later: tuple[np.ndarray, ...] | None = None
        keys_shown = [_values(frame, k) for k in keys]

        for feature in features:
            column = table.prefix + feature
            checked.append(column)
            got = _values(frame, column)
            raw = _values(tframe, feature)
            want = _as_nullable(raw[src])
            want[~fresh] = _null_like(want)
            ok = _same(got, want, atol, rtol)
            if ok.all():
                continue
            wrong = ~ok
            if later is None:  # only when something is wrong: where a leaked value may have come from
                later = _later_rows(order, pos, found, rcodes, lcodes)
            nxt_ok, nxt_src, last_ok, last_src = later
            # the row's own as-of value, past its TTL, is the most specific explanation; then a later value
            stale = wrong & found & ~fresh & _same(got, raw[src], atol, rtol)
            future = wrong & ~stale & nxt_ok & _same(got, raw[nxt_src], atol, rtol)
            future |= wrong & ~stale & ~future & last_ok & (right_ts[last_src] > left_ts)
            future &= _same(got, raw[nxt_src], atol, rtol) | _same(got, raw[last_src], atol, rtol)
            other = wrong & ~future & ~stale
            bad_rows |= wrong
            leak_src = np.where(nxt_ok & _same(got, raw[nxt_src], atol, rtol), nxt_src, last_src)
            ahead = (right_ts[leak_src] - left_ts) / 1e9
            age = (left_ts - asof_ts) / 1e9
            entry: dict[str, Any] = {
                "column": column,
                "table": table_name,
                "wrong": int(wrong.sum()),
                "future": int(future.sum()),
                "ttl": int(stale.sum()),
                "other": int(other.sum()),
                "max_ahead_seconds": float(ahead[future].max()) if future.any() else None,
                "max_age_seconds": float(age[stale].max()) if stale.any() else None,
                "ttl_seconds": table_ttl,
                "examples": [],
            }
            # worst examples: the furthest into the future first, then the stalest, then the rest
            picks: list[tuple[int, str]] = []
            for mask, score, why in ((future, ahead, "future"), (stale, age, "ttl"), (other, None, "other")):
                idx = np.flatnonzero(mask)
                if len(idx) and score is not None:
                    idx = idx[np.argsort(-score[idx], kind="stable")]
                picks.extend((int(i), why) for i in idx[: EXAMPLES - len(picks)])
                if len(picks) >= EXAMPLES:
                    break
            for i, why in picks:
                example: dict[str, Any] = {
                    "row": i,
                    "entity": {k: _plain(v[i]) for k, v in zip(keys, keys_shown, strict=True)},
                    "event_timestamp": _iso(int(left_ts[i])),
                    "joined": _plain(got[i]),
                    "expected": _plain(want[i]),
                    "why": why,
                }
                if why == "future":
                    example["joined_feature_timestamp"] = _iso(int(right_ts[leak_src[i]]))
                    example["seconds_ahead"] = float(ahead[i])
                if why == "ttl":
                    example["age_seconds"] = float(age[i])
                entry["examples"].append(example)
            per_column.append(entry)

    n_bad = int(bad_rows.sum())
    passed = n_bad <= at_most
    per_column.sort(key=lambda e: (-e["future"], -e["ttl"], -e["wrong"], e["column"]))
    op = ">" if not passed else "<="
    summary = f"{n_bad} of {n} rows joined a value the as-of join does not give ({n_bad} {op} {at_most} allowed)"
    if per_column:
        summary += f"; {len(per_column)} of {len(checked)} feature columns wrong"
    evidence = [_evidence_line(e) for e in per_column]
    leaks = any(e["future"] for e in per_column)
    stale_any = any(e["ttl"] for e in per_column)
    if leaks:
        hint = "build the training set with a point-in-time join (pandas.merge_asof by entity, or Feast's "
        hint += "get_historical_features), never by joining each entity's latest feature values"
    elif stale_any:
        hint = "values older than the TTL must be null in the training set: apply the TTL in the join "
        hint += "(merge_asof(..., tolerance=ttl)) or raise the table's ttl if older values are valid"
    else:
        hint = "rebuild the training set from the feature tables it was joined from (keys or values differ)"
    result = GateResult(
        kind="feature",
        check="point_in_time",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity("feature", severity),
        observed=n_bad,
        bound={"at_most": at_most},
        summary=summary,
        evidence=evidence,
        hint=hint,
        details={
            "rows": n,
            "wrong_rows": n_bad,
            "columns_checked": checked,
            "columns": per_column,
            "failures": [
                {
                    "column": e["column"],
                    "check": "point_in_time",
                    "count": e["wrong"],
                    "examples": [ex["joined"] for ex in e["examples"]],
                }
                for e in per_column
            ],
        },
    )
    return _recorder.emit(result)


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, float) and value != value:
        return None
    return value


def _evidence_line(entry: Mapping[str, Any]) -> str:
    parts = []
    if entry["future"]:
        parts.append(f"{entry['future']} from the future (up to {duration_text(entry['max_ahead_seconds'])} ahead)")
    if entry["ttl"]:
        parts.append(
            f"{entry['ttl']} older than ttl {duration_text(entry['ttl_seconds'])} "
            f"(up to {duration_text(entry['max_age_seconds'])} old)"
        )
    if entry["other"]:
        parts.append(f"{entry['other']} differ from the as-of value")
    rows = "1 row" if entry["wrong"] == 1 else f"{entry['wrong']} rows"
    line = f"column {entry['column']!r} (table {entry['table']!r}): {rows} wrong: {', '.join(parts)}"
    if entry["examples"]:
        ex = entry["examples"][0]
        keys = ", ".join(f"{k}={v!r}" for k, v in ex["entity"].items())
        line += f"; e.g. {keys} at {ex['event_timestamp']} joined {ex['joined']!r}"
        if ex["why"] == "future":
            line += f" from {ex['joined_feature_timestamp']}"
        line += f", as-of value {ex['expected']!r}"
    return line
