"""Reproducibility gate: training twice from the same data and seed gives the same model.

:func:`reproducible` runs a training procedure ``runs`` times (default 2) with the same seed and
compares what each run reports: its metrics (by name) and its predictions (on a fixed set of
rows), within a tolerance. The data and the code are fingerprinted (sha256) before the first run
and after the last, recorded in the report's lineage, and a change between them fails the gate
(the runs did not start from the same inputs).

The training procedure is either a Python callable ``train(seed) -> result`` or a command (a
list of arguments, no shell) that reads the seed from ``$MLOPS_SEED`` and writes its result as
JSON to the path in ``$MLOPS_OUTPUT``. A result is ``{"metrics": {name: number}, "predictions":
[...]}`` (either may be left out, not both), or a ``(metrics, predictions)`` pair from a callable.

When this gate runs, the ML Test Score counts ``infrastructure-1`` ("training is reproducible")
as automated.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_mlops import _recorder
from pytest_mlops._recorder import clean_input_errors
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates._bounds import integer, number
from pytest_mlops.results import GateResult, fmt

if TYPE_CHECKING:
    import numpy as np

__all__ = ["OUTPUT_VARIABLE", "SEED_VARIABLE", "code_fingerprint", "reproducible"]

#: Environment variables a training command reads (the seed) and writes to (its result file).
SEED_VARIABLE = "MLOPS_SEED"
OUTPUT_VARIABLE = "MLOPS_OUTPUT"

#: Suffixes hashed when ``code=`` names a folder.
CODE_SUFFIXES = (".py", ".toml", ".cfg", ".yaml", ".yml", ".json", ".txt", ".sh")


def code_fingerprint(paths: Sequence[str | Path]) -> str:
    """sha256 over the given files (folders: their code files, recursively), by relative path and bytes."""
    digest = hashlib.sha256()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise MlopsInputError(f"reproducibility gate: code path {str(raw)!r} does not exist")
        files = (
            sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix in CODE_SUFFIXES and "__pycache__" not in p.parts
            )
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode() + b"\0")
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _data_fingerprints(data: Any) -> dict[str, str]:
    from pytest_mlops.integrations import loading as data_mod

    if data is None:
        return {}
    if isinstance(data, Mapping):
        items = list(data.items())
    elif isinstance(data, (str, Path)):
        items = [(str(data), data)]
    elif isinstance(data, (list, tuple)):
        items = [(str(d) if isinstance(d, (str, Path)) else f"data[{i}]", d) for i, d in enumerate(data)]
    else:
        items = [("data", data)]
    return {str(label): data_mod.fingerprint(value) for label, value in items}


def _result_parts(raw: Any, run: int) -> tuple[dict[str, float], np.ndarray | None]:
    import numpy as np

    where = f"reproducibility gate: run {run}"
    if isinstance(raw, tuple) and len(raw) == 2:
        metrics, predictions = raw
    elif isinstance(raw, Mapping):
        unknown = sorted(set(map(str, raw)) - {"metrics", "predictions"})
        if unknown:
            raise MlopsInputError(f"{where} returned unknown key {unknown[0]!r}; return 'metrics' and/or 'predictions'")
        metrics, predictions = raw.get("metrics"), raw.get("predictions")
    else:
        raise MlopsInputError(
            f"{where} returned {type(raw).__name__}; return {{'metrics': {{...}}, 'predictions': [...]}} "
            "or a (metrics, predictions) pair"
        )
    if metrics is None and predictions is None:
        raise MlopsInputError(f"{where} returned neither metrics nor predictions; the gate needs something to compare")
    parsed: dict[str, float] = {}
    if metrics is not None:
        if not isinstance(metrics, Mapping):
            raise MlopsInputError(f"{where}: metrics must be a mapping of name -> number, got {type(metrics).__name__}")
        for key, value in metrics.items():
            try:
                parsed[str(key)] = float(value)
            except (TypeError, ValueError):
                raise MlopsInputError(f"{where}: metric {key!r} is {value!r}, not a number") from None
    array = None
    if predictions is not None:
        array = np.asarray(getattr(predictions, "to_numpy", lambda: predictions)())
    return parsed, array


def _run_command(command: Sequence[str], seed: int, run: int, timeout: float | None) -> Any:
    with tempfile.TemporaryDirectory(prefix="mlops-repro-") as tmp:
        out = Path(tmp) / "result.json"
        env = {**os.environ, SEED_VARIABLE: str(seed), OUTPUT_VARIABLE: str(out)}
        try:
            proc = subprocess.run(list(command), env=env, capture_output=True, text=True, timeout=timeout, check=False)
        except FileNotFoundError:
            raise MlopsInputError(f"reproducibility gate: command {command[0]!r} was not found") from None
        except subprocess.TimeoutExpired:
            raise MlopsInputError(f"reproducibility gate: run {run} took longer than timeout={timeout!r}s") from None
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise MlopsInputError(
                f"reproducibility gate: run {run} of {' '.join(command)!r} exited {proc.returncode}: {tail[0]}"
            )
        if not out.exists():
            raise MlopsInputError(
                f"reproducibility gate: run {run} of {' '.join(command)!r} wrote no result; "
                f"write JSON {{'metrics': ..., 'predictions': ...}} to the path in ${OUTPUT_VARIABLE}"
            )
        try:
            return json.loads(out.read_text())
        except json.JSONDecodeError as exc:
            raise MlopsInputError(
                f"reproducibility gate: run {run} wrote invalid JSON to ${OUTPUT_VARIABLE}: {exc}"
            ) from None


@clean_input_errors
def reproducible(
    train: Callable[[int], Any] | Sequence[str],
    *,
    seed: int = 0,
    data: Any = None,
    code: Sequence[str | Path] | str | Path | None = None,
    runs: int = 2,
    atol: float = 0.0,
    rtol: float = 0.0,
    timeout: float | None = None,
    name: str = "reproducible training",
    severity: str | None = None,
) -> GateResult:
    """Gate that training ``runs`` times with ``seed`` gives equal metrics and predictions.

    ``train`` is a callable ``train(seed)`` or a command (``["python", "train.py"]``; it reads
    ``$MLOPS_SEED`` and writes its JSON result to ``$MLOPS_OUTPUT``). ``data`` (a path, a frame,
    or a list/mapping of them) and ``code`` (files or folders; default: the file defining a
    callable ``train``) are fingerprinted into the report's lineage. Values compare within
    ``atol + rtol * |first run|``.

    Example::

        from pytest_mlops.gates.reproducibility import reproducible

        def train(seed):
            model = RandomForestClassifier(random_state=seed).fit(X_train, y_train)
            return {"metrics": {"accuracy": model.score(X_test, y_test)},
                    "predictions": model.predict_proba(X_test)[:, 1]}

        def test_training_is_reproducible():
            reproducible(train, seed=7, data="data/train.parquet")
    """
    __tracebackhide__ = True
    import numpy as np

    integer("seed", seed, gate="reproducibility gate")
    integer("runs", runs, at_least=2, gate="reproducibility gate")
    atol = number("atol", atol, at_least=0, gate="reproducibility gate")
    rtol = number("rtol", rtol, at_least=0, gate="reproducibility gate")
    is_command = isinstance(train, (list, tuple))
    command: list[Any] | None = list(train) if isinstance(train, (list, tuple)) else None
    if command is not None:
        if not command or not all(isinstance(a, str) for a in command):
            raise MlopsInputError(
                f"reproducibility gate: the command must be a non-empty list of strings, got {train!r}"
            )
    elif not callable(train):
        raise MlopsInputError(
            f"reproducibility gate: train={train!r} must be a callable train(seed) or a command list like "
            "['python', 'train.py']"
        )
    code_paths: list[str | Path]
    if code is None:
        source = None if is_command else inspect.getsourcefile(train)  # type: ignore[arg-type]
        code_paths = [source] if source else []
    else:
        code_paths = [code] if isinstance(code, (str, Path)) else list(code)

    data_before = _data_fingerprints(data)
    code_before = code_fingerprint(code_paths) if code_paths else None
    outcomes: list[tuple[dict[str, float], np.ndarray | None]] = []
    for run in range(1, runs + 1):
        raw = _run_command(command, seed, run, timeout) if command is not None else train(seed)  # type: ignore[operator]
        outcomes.append(_result_parts(raw, run))
    data_after = _data_fingerprints(data)
    code_after = code_fingerprint(code_paths) if code_paths else None

    for label, sha in data_before.items():
        _recorder.attach("data", label, sha256=sha, used_by="reproducibility")
    if code_before is not None:
        _recorder.attach("code", ", ".join(map(str, code_paths)), sha256=code_before, used_by="reproducibility")

    evidence: list[str] = []
    metric_rows: list[Any] = []  # JSON data
    changed = [label for label in data_before if data_after.get(label) != data_before[label]]
    evidence.extend(f"data {label!r} changed between the runs (fingerprint differs)" for label in changed)
    if code_before != code_after:
        evidence.append("the code changed between the runs (fingerprint differs)")
    first_metrics, first_pred = outcomes[0]
    worst_gap = 0.0
    for run, (metrics, pred) in enumerate(outcomes[1:], start=2):
        if set(metrics) != set(first_metrics):
            missing = sorted(set(first_metrics) ^ set(metrics))
            evidence.append(f"run {run} reported other metrics than run 1: {', '.join(map(repr, missing))}")
        for key in sorted(set(metrics) & set(first_metrics)):
            a, b = first_metrics[key], metrics[key]
            gap = abs(a - b) if a == a and b == b else (0.0 if (a != a and b != b) else float("inf"))
            allowed = atol + rtol * abs(a)
            metric_rows.append(
                {"metric": key, "run": run, "first": a, "value": b, "gap": gap, "passed": gap <= allowed}
            )
            worst_gap = max(worst_gap, gap)
            if gap > allowed:
                evidence.append(
                    f"metric {key!r}: run 1 {fmt(a)}, run {run} {fmt(b)} (|diff| {fmt(gap)} > {fmt(allowed)})"
                )
        if (first_pred is None) != (pred is None):
            evidence.append(f"run {run} {'returned no' if pred is None else 'returned'} predictions, run 1 did not")
        elif first_pred is not None and pred is not None:
            if first_pred.shape != pred.shape:
                evidence.append(f"predictions: run 1 has shape {first_pred.shape}, run {run} {pred.shape}")
                continue
            if first_pred.dtype.kind in "biuf" and pred.dtype.kind in "biuf":
                x, y = first_pred.astype(float), pred.astype(float)
                with np.errstate(invalid="ignore"):
                    diff = np.abs(x - y)
                diff = np.where(np.isnan(x) & np.isnan(y), 0.0, diff)
                diff = np.where(np.isnan(diff), np.inf, diff)
                differs = diff > atol + rtol * np.abs(x)
                top = float(diff.max()) if diff.size else 0.0
            else:
                differs = np.asarray(first_pred != pred, dtype=bool)
                top = float("inf") if differs.any() else 0.0
            worst_gap = max(worst_gap, top)
            if differs.any():
                evidence.append(
                    f"predictions: {int(differs.sum())} of {differs.size} differ between run 1 and run {run} "
                    f"(max |diff| {fmt(top)})"
                )
    passed = not evidence
    n_checked = len({r["metric"] for r in metric_rows}) + (first_pred is not None)
    if passed:
        summary = f"{runs} runs with seed {seed} agree on {n_checked} outputs (max |diff| {fmt(worst_gap)})"
    elif worst_gap > atol:
        summary = f"{runs} runs with seed {seed} disagree: max |diff| {fmt(worst_gap)} > {fmt(atol)} (atol)"
    else:
        summary = f"{runs} runs with seed {seed} did not start from the same inputs or report the same outputs"
    result = GateResult(
        kind="model",
        check="reproducibility",
        name=name,
        passed=passed,
        severity=_recorder.resolve_severity("model", severity),
        observed=worst_gap,
        bound={"atol": atol, "rtol": rtol},
        summary=summary,
        evidence=evidence,
        hint=f"seed every random source from the seed the gate passes (random_state=seed, "
        f"numpy.random.default_rng(seed)); a command reads it from ${SEED_VARIABLE}",
        details={
            "runs": runs,
            "seed": seed,
            "command": command,
            "data_sha256": dict[str, Any](data_before),
            "code_sha256": code_before,
            "metrics": metric_rows,
            "predictions": None if first_pred is None else int(first_pred.size),
        },
    )
    return _recorder.emit(result)
