"""Versioned baselines: metric values and reference statistics kept as small files in the repository.

A baseline is what a gate compares with when the bound is "no worse than last time": a metric
value or the drift reference statistics (the ``pytest-mlops drift save`` format). The
``mlops_baseline`` fixture keeps one file per test and metric,
``<rootdir>/baselines/<test file>/<test name>/<metric>.json``; each file records the test (node
id) it belongs to, so a baseline no test uses any more is reported at the end of the run. The
files live in the repository, so changing a baseline is a reviewed diff, never a silent drift.

The cycle, as pytest-regressions does for data:

* the file is missing: the gate fails with a hint to run ``pytest --mlops-update-baselines``;
* with ``--mlops-update-baselines`` the file is (re)written atomically when its content
  changed, and the gate **fails once** saying what changed (``old -> new``) so CI never
  passes on a freshly rewritten baseline; an unchanged baseline is not rewritten and the
  gate runs normally;
* then the gate compares: a metric may be at most ``max_drop`` (absolute) or
  ``max_relative_drop`` worse than the baseline, in the metric's good direction.

Example::

    from pytest_mlops.gates.stored import check_against_baseline

    def test_auc_not_below_baseline(clf, X_test, y_test):
        auc = roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1])
        check_against_baseline("roc_auc", auc, "baselines/roc_auc.json", max_drop=0.01)

In a test, the ``mlops_baseline`` fixture does the same and follows ``--mlops-update-baselines``.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_mlops import _recorder
from pytest_mlops._io import resolve_path, where_relative, write_atomic
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import optional_number
from pytest_mlops.gates._summary import summarize
from pytest_mlops.results import GateResult, fmt

__all__ = [
    "FORMAT",
    "UPDATE_FLAG",
    "Baseline",
    "check_against_baseline",
    "default_path",
    "read_baseline",
    "unused_baselines",
    "update_reference_stats",
]

#: ``format`` field of a metric baseline file
FORMAT = "pytest-mlops-baseline/1"
UPDATE_FLAG = "--mlops-update-baselines"
#: ``GateResult.check`` of a comparison with a stored baseline
CHECK = "stored_baseline"
_TOL = 1e-12


@dataclass(frozen=True)
class Baseline:
    """A metric baseline file's content."""

    name: str
    value: float
    direction: str = "higher"
    commit: str | None = None
    updated: str | None = None
    #: the node id of the test that wrote it ("" outside pytest)
    test: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "test": self.test,
            "name": self.name,
            "value": self.value,
            "direction": self.direction,
            "commit": self.commit,
            "updated": self.updated,
        }


def read_baseline(path: str | Path) -> Baseline | None:
    """The baseline stored at ``path``; None when the file does not exist."""
    p = resolve_path(path)
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise MlopsInputError(
            f"baseline {str(p)!r} could not be read ({exc}); fix it or re-create it with {UPDATE_FLAG}"
        ) from None
    value = data.get("value") if isinstance(data, dict) else None
    if (
        not isinstance(data, dict)
        or data.get("format") != FORMAT
        or not isinstance(value, (int, float))
        or isinstance(value, bool)
        or data.get("direction") not in ("higher", "lower")
    ):
        raise MlopsInputError(
            f"baseline {str(p)!r} is not a {FORMAT!r} file with a numeric 'value' and a 'direction'; "
            f"re-create it with {UPDATE_FLAG}"
        )
    return Baseline(
        name=str(data.get("name", "")),
        value=float(value),
        direction=str(data["direction"]),
        commit=data.get("commit"),
        updated=data.get("updated"),
        test=str(data.get("test") or ""),
    )


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\[\]=-]+", "-", text.strip()).strip("-.") or "baseline"


def default_path(rootdir: Path, nodeid: str, name: str) -> Path:
    """Where the ``mlops_baseline`` fixture keeps test ``nodeid``'s baseline of ``name``:
    ``<rootdir>/baselines/<test file without .py>/<class>/<test name>/<name>.json``."""
    file, _, rest = nodeid.partition("::")
    parts = [*Path(file).with_suffix("").parts, *rest.split("::")]
    return rootdir.joinpath("baselines", *(_slug(p) for p in parts if p), f"{_slug(name)}.json")


def unused_baselines(rootdir: Path, used: Iterable[str], ran: Iterable[str], *, complete: bool) -> list[str]:
    """Baseline files under ``<rootdir>/baselines`` that their own test no longer uses.

    A file names its test; it is reported when that test ran in this session without reading it
    (the metric was renamed or dropped) or, when the run was ``complete`` (no ``-k``, ``-m``, node
    ids, stage or last-failed selection), when other tests of its file ran but that test did not
    (it was renamed or deleted). ``used`` holds the files the gates read, relative to ``rootdir``;
    the result too, sorted.
    """
    folder = rootdir / "baselines"
    if not folder.is_dir():
        return []
    used_set, ran_set = set(used), set(ran)
    files = {n.partition("::")[0] for n in ran_set}
    out: list[str] = []
    for path in sorted(folder.rglob("*.json")):
        rel = path.relative_to(rootdir).as_posix()
        if rel in used_set:
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        test = data.get("test") if isinstance(data, dict) and data.get("format") == FORMAT else None
        if not isinstance(test, str) or not test:
            continue
        if test in ran_set or (complete and test.partition("::")[0] in files):
            out.append(rel)
    return out


def _shown(p: Path) -> str:
    """A path for messages: relative to the rootdir (or cwd) when inside it."""
    base = _recorder.base_dir()
    try:
        return p.relative_to(base).as_posix()
    except ValueError:
        return str(p)


def _commit(cwd: Path) -> str | None:
    from pytest_mlops.lineage import git_info

    info = git_info(cwd)
    commit = info.get("commit") if info else None
    return str(commit) if commit else None


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= _TOL * max(1.0, abs(a), abs(b))


def _write_baseline(path: Path, name: str, value: float, direction: str) -> None:
    folder = path.parent if path.parent.exists() else _recorder.base_dir()
    record = Baseline(
        name=name,
        value=value,
        direction=direction,
        commit=_commit(folder),
        updated=datetime.now(UTC).replace(microsecond=0).isoformat(),
        test=_recorder.current().nodeid,
    )
    write_atomic(path, json.dumps(record.to_json(), indent=2, allow_nan=False) + "\n")


def check_against_baseline(
    name: str,
    value: float,
    path: str | Path,
    *,
    max_drop: float | None = None,
    max_relative_drop: float | None = None,
    direction: str = "higher",
    update: bool = False,
    kind: str = "custom",
    severity: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> GateResult:
    """Gate ``value`` against the baseline stored at ``path`` and record the result.

    ``direction``: ``"higher"`` or ``"lower"`` is better. The value may be at most ``max_drop``
    worse than the baseline (absolute; default 0 when no bound is given) and/or
    ``max_relative_drop`` worse (a share of the baseline). Improvements always pass (the
    baseline is not moved up silently: run with ``update=True`` to record a new one).

    A missing baseline fails (whatever the severity) with a hint to run
    ``--mlops-update-baselines``. With ``update=True`` a changed (or missing) baseline is
    written and the gate fails once, saying ``old -> new``; an unchanged one passes.
    """
    __tracebackhide__ = True
    if not isinstance(name, str) or not name.strip():
        raise MlopsInputError(f"baseline gate: name must be a non-empty string, got {name!r}")
    if direction not in ("higher", "lower"):
        raise MlopsInputError(f"baseline gate {name!r}: direction={direction!r}; use 'higher' or 'lower'")
    drop_bound = optional_number("max_drop", max_drop, at_least=0, gate="baseline gate")
    rel_bound = optional_number("max_relative_drop", max_relative_drop, at_least=0, gate="baseline gate")
    if drop_bound is None and rel_bound is None:
        drop_bound = 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise MlopsInputError(f"baseline gate {name!r}: value {value!r} is not a number") from None
    if not math.isfinite(number):
        raise MlopsInputError(f"baseline gate {name!r}: value {number!r} is not a finite number")
    p = resolve_path(path)
    shown = _shown(p)
    stored = read_baseline(p)
    base_details: dict[str, Any] = {"direction": direction, "baseline_file": shown, **(details or {})}
    bound = {"max_drop": drop_bound, "max_relative_drop": rel_bound}
    bound = {k: v for k, v in bound.items() if v is not None}
    if update and (stored is None or not _same(stored.value, number) or stored.direction != direction):
        _write_baseline(p, name, number, direction)
        old = "none" if stored is None else fmt(stored.value)
        return _recorder.emit(
            GateResult(
                kind=kind,
                check=CHECK,
                name=name,
                passed=False,
                severity="fail",
                observed=number,
                bound=bound,
                summary=f"baseline {'created' if stored is None else 'updated'}: {old} -> {fmt(number)} ({shown})",
                evidence=[f"wrote {shown}; the test fails once so the change is noticed"],
                hint=f"review and commit {shown}; the next run without {UPDATE_FLAG} compares with it",
                details={**base_details, "baseline": None if stored is None else stored.value, "updated": True},
            )
        )
    if stored is None:
        return _recorder.emit(
            GateResult(
                kind=kind,
                check=CHECK,
                name=name,
                passed=False,
                severity="fail",
                observed=number,
                bound=bound,
                summary=f"no baseline file {shown} (current value {fmt(number)})",
                evidence=[f"looked for {str(p)!r}{where_relative(path)}"] if not Path(path).is_absolute() else [],
                hint=f"run pytest with {UPDATE_FLAG} to create it, then review and commit it",
                details={**base_details, "baseline": None},
            )
        )
    if stored.direction != direction:
        raise MlopsInputError(
            f"baseline gate {name!r}: {shown} says {stored.direction!r} is better but the gate says {direction!r}; "
            f"fix the gate or re-create the baseline with {UPDATE_FLAG}"
        )
    gain = number - stored.value if direction == "higher" else stored.value - number
    drop = -gain
    tol = _TOL * max(1.0, abs(stored.value))
    checks: list[tuple[bool, str]] = []
    if drop_bound is not None:
        ok = drop <= drop_bound + tol
        checks.append((ok, f"drop {fmt(drop if drop > 0 else 0.0)} {'<=' if ok else '>'} max_drop {fmt(drop_bound)}"))
    if rel_bound is not None:
        if stored.value == 0:
            raise MlopsInputError(
                f"baseline gate {name!r}: the baseline is 0, so a relative drop is undefined; use max_drop="
            )
        rel = drop / abs(stored.value)
        ok = rel <= rel_bound + _TOL
        checks.append(
            (ok, f"relative drop {fmt(rel * 100 if rel > 0 else 0.0)}% {'<=' if ok else '>'} {fmt(rel_bound * 100)}%")
        )
    passed, said = summarize(checks)
    summary = f"{said} (now {fmt(number)}, baseline {fmt(stored.value)}; {direction} is better)"
    evidence = [
        f"baseline {fmt(stored.value)} from {shown}" + (f" (commit {stored.commit[:12]})" if stored.commit else "")
    ]
    return _recorder.emit(
        GateResult(
            kind=kind,
            check=CHECK,
            name=name,
            passed=passed,
            severity=_recorder.resolve_severity(kind, severity),
            observed=number,
            bound=bound,
            summary=summary,
            evidence=evidence,
            hint=None
            if passed
            else f"if the change is intended, run pytest with {UPDATE_FLAG} and commit the new {shown}",
            details={**base_details, "baseline": stored.value, "change": number - stored.value, "gain": gain},
        )
    )


# -- reference statistics (drift) ---------------------------------------------------------------------


def _profile(
    reference: Path, columns: Sequence[str] | None, exclude: Sequence[str], categorical: Sequence[str], label: str
) -> Any:
    from pytest_mlops.stats.refstats import ReferenceProfile

    if reference.name.lower().endswith((".parquet", ".pq", ".parq")):
        from pytest_mlops.integrations.frames import parquet_schema, profile_parquet

        names = list(columns) if columns else [c for c in parquet_schema(reference) if c not in set(exclude)]
        profile = profile_parquet(reference, names, categorical=categorical)
        profile.source = label
        return profile
    from pytest_mlops.integrations.frames import as_source
    from pytest_mlops.stats.driftset import resolve_columns

    source = as_source(reference, "reference")
    names, _ = resolve_columns(source.names, source.names, columns, exclude, "reference", "reference")
    kinds = {n: "categorical" if n in categorical else source.kind(n) for n in names}
    return ReferenceProfile.from_source(source, names, kinds, label=label)


def _stats_text(data: Mapping[str, Any]) -> str:
    """The statistics as JSON with one column per line, so a review diff shows which columns changed."""
    head = {k: v for k, v in data.items() if k != "columns"}
    lines = [json.dumps(head, separators=(",", ":"), allow_nan=False)[:-1] + ',"columns":[']
    cols = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in data["columns"]]
    lines.extend(c + ("," if i < len(cols) - 1 else "") for i, c in enumerate(cols))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def update_reference_stats(
    reference: str | Path,
    path: str | Path,
    *,
    columns: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    categorical: Sequence[str] = (),
) -> list[str] | None:
    """(Re)compute the drift reference statistics of ``reference`` into ``path`` if they changed.

    Returns None when the file already holds the same statistics (it is not rewritten), else
    the list of changes (``rows 1000 -> 1200``, ``column 'age' changed``...). The file is in the
    ``pytest-mlops drift save`` format, written atomically with one column per line.
    """
    from pytest_mlops.stats.refstats import FORMAT as STATS_FORMAT

    ref = Path(reference)
    p = Path(path)
    label = os.path.relpath(ref, p.parent) if ref.is_absolute() and p.is_absolute() else str(ref)
    profile = _profile(ref, columns, exclude, categorical, label.replace(os.sep, "/"))
    new = {
        "format": STATS_FORMAT,
        "source": profile.source,
        "n_rows": profile.n_rows,
        "grid": profile.grid,
        "edge_sample": profile.edge_sample,
        "columns": [c.to_json() for c in profile.columns.values()],
    }
    new = json.loads(json.dumps(new, allow_nan=False))  # the values exactly as they will be read back
    old: Any = None
    if p.exists():
        try:
            old = json.loads(p.read_text("utf-8"))
        except (OSError, ValueError):
            old = None
    if old == new:
        return None
    changes: list[str] = []
    if not isinstance(old, dict) or not isinstance(old.get("columns"), list):
        changes.append(f"created from {label} ({len(new['columns'])} columns, {new['n_rows']} rows)")
    else:
        if old.get("n_rows") != new["n_rows"]:
            changes.append(f"rows {old.get('n_rows')} -> {new['n_rows']}")
        before = {c.get("name"): c for c in old["columns"] if isinstance(c, dict)}
        after = {c["name"]: c for c in new["columns"]}
        added = [n for n in after if n not in before]
        removed = [n for n in before if n not in after]
        changed = [n for n in after if n in before and before[n] != after[n]]
        if added:
            changes.append(f"columns added: {', '.join(map(str, added))}")
        if removed:
            changes.append(f"columns removed: {', '.join(map(str, removed))}")
        if changed:
            changes.append(f"statistics changed: {', '.join(map(str, changed))}")
        if not changes:
            changes.append("file format or metadata changed")
    write_atomic(p, _stats_text(new))
    return changes
