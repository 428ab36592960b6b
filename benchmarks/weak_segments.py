"""Weak-segment benchmark: this gate vs deepchecks' WeakSegmentsPerformance on the same rows.

Data: ``--rows`` rows (100,000 by default) x 20 features (15 numeric, 5 categorical), a binary
label and fixed predicted probabilities that are worse on one planted segment (``cat_2 = c``
and ``num_3`` in its top third). Both contenders get the same frame and predictions:
deepchecks runs in ``.venv-deepchecks`` (``benchmarks/setup_peers.sh deepchecks``) reading the
same Parquet file (its read is not timed), with ``y_proba_train=``/``y_pred_train=`` instead of a
model. deepchecks is timed with its defaults (it samples 10,000 rows) and, with ``--full``, on
all rows (``n_samples=--rows``; it took over 10 minutes at 100,000 rows here). The gate always
reads all rows. Times are medians of ``--repeat`` runs
(one run for deepchecks), wall-clock seconds, with the load average: on a shared machine the
figures are noisy.

    .venv/bin/python benchmarks/weak_segments.py --rows 100000
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
print = functools.partial(print, flush=True)  # progress shows up while deepchecks runs
N_NUMERIC, N_CATEGORICAL = 15, 5


def make(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features, labels and the positive-class probability of a model that is weak on one segment."""
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {f"num_{i}": rng.normal(i, 1 + i / 10, n) for i in range(N_NUMERIC)}
    for j in range(N_CATEGORICAL):
        cols[f"cat_{j}"] = rng.choice(np.array(list("abcdef")), n)
    X = pd.DataFrame(cols)
    y = rng.integers(0, 2, n)
    weak = (X["cat_2"] == "c").to_numpy() & (X["num_3"] > X["num_3"].quantile(2 / 3)).to_numpy()
    correct = rng.uniform(size=n) < np.where(weak, 0.6, 0.95)
    confidence = rng.uniform(0.55, 0.95, n)
    proba = np.where(correct == (y == 1), confidence, 1 - confidence)
    return X, y, proba


def run_gate(X: pd.DataFrame, y: np.ndarray, proba: np.ndarray) -> tuple[float, str]:
    from pytest_mlops import _recorder
    from pytest_mlops.errors import GateFailure
    from pytest_mlops.gates.segments import check_weak_segments

    sink = _recorder.Sink(nodeid="benchmark")
    _recorder.push(sink)
    t0 = time.perf_counter()
    try:
        check_weak_segments("accuracy", y, (proba > 0.5).astype(int), X=X, max_gap=0.05)
    except GateFailure:
        pass
    finally:
        elapsed = time.perf_counter() - t0
        _recorder.pop(sink)
    worst = sink.results[-1].details["segments"][0]
    return elapsed, f"{worst['segment']} (n={worst['n']}, accuracy {worst['value']:.3f})"


DEEPCHECKS = r"""
import json, sys, time, warnings
import numpy as np, pandas as pd
warnings.simplefilter("ignore")
import logging
logging.getLogger("deepchecks").setLevel(logging.ERROR)
from deepchecks.tabular import Dataset
from deepchecks.tabular.checks import WeakSegmentsPerformance

frame = pd.read_parquet(sys.argv[1])
n_samples = int(sys.argv[2])
proba = frame.pop("proba").to_numpy()
cats = [c for c in frame.columns if c.startswith("cat_")]
t0 = time.perf_counter()
ds = Dataset(frame, label="label", cat_features=cats)
check = WeakSegmentsPerformance(n_samples=n_samples)
result = check.run(ds, y_pred_train=(proba > 0.5).astype(int), y_proba_train=np.column_stack([1 - proba, proba]),
                   with_display=False)
elapsed = time.perf_counter() - t0
top = result.value["weak_segments_list"].iloc[0]
where = f"{top['Feature1']} {top['Feature1 Range']} & {top['Feature2']} {top['Feature2 Range']}"
worst = f"{where} ({top['% of Data']}% of rows, accuracy {top.iloc[0]:.3f})"
print(json.dumps({"seconds": elapsed, "worst": worst}))
"""


def run_deepchecks(path: Path, n_samples: int) -> dict[str, Any] | None:
    python = ROOT / ".venv-deepchecks" / "bin" / "python"
    if not python.exists():
        print(f"  deepchecks: skipped, {python.parent.parent} not found (run benchmarks/setup_peers.sh deepchecks)")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(DEEPCHECKS)
    try:
        proc = subprocess.run(
            [str(python), fh.name, str(path), str(n_samples)], capture_output=True, text=True, check=False, timeout=3600
        )
    finally:
        os.unlink(fh.name)
    if proc.returncode != 0:
        print(f"  deepchecks: failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full", action="store_true", help="also run deepchecks on all rows (over 10 minutes here)")
    args = parser.parse_args()
    n = args.rows
    X, y, proba = make(n)
    print(f"weak-segment benchmark: {n} rows x {X.shape[1]} features, cpus={os.cpu_count()}, load {load()}")
    times, worst = [], ""
    run_gate(X.iloc[:1000], y[:1000], proba[:1000])  # imports and first-call costs out of the timing
    for _ in range(args.repeat):
        seconds, worst = run_gate(X, y, proba)
        times.append(seconds)
    ours = statistics.median(times)
    print(f"  pytest-mlops weak_segments (all {n} rows)          {ours:8.3f} s   worst: {worst}   load {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "frame.parquet"
        X.assign(label=y, proba=proba).to_parquet(path)
        runs = [("defaults: samples 10,000 rows", 10_000)]
        if args.full:
            runs.append((f"n_samples={n}: all rows", n))
        for label, samples in runs:
            peer = run_deepchecks(path, samples)
            if peer is None:
                continue
            ratio = peer["seconds"] / ours
            print(
                f"  deepchecks WeakSegmentsPerformance ({label}) {peer['seconds']:8.3f} s   worst: {peer['worst']}"
                f"   load {load()}"
            )
            print(f"    ratio deepchecks / pytest-mlops: {ratio:.1f}x")
    print("  (wall-clock on a shared machine: noisy; compare ratios measured at the same load)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
