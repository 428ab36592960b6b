"""Drift benchmark: this engine vs Evidently, deepchecks, a plain scipy loop and a hand-tuned numpy pass.

Data: 20 numeric + 5 categorical (string) columns, reference and current of ``--rows`` rows
each, drift injected into 3 columns. Every contender gets the same two frames (the peers
read them from Parquet in their own virtualenvs, made by ``benchmarks/setup_peers.sh``;
their file read is timed separately and left out). Times are medians of ``--repeat`` runs.

    .venv/bin/python benchmarks/drift.py --rows 10000 100000 1000000 --peers-rows 100000

Peers run at most ``--peers-rows`` rows (Evidently takes minutes at 1M); every line says at
which size it was measured. Ratios are computed only between measurements at the same size.

The engine (default threads, then ``workers=1``) and the hand-tuned numpy pass run in turn,
round after round, on the same two frames, so a change in the machine's load hits them
alike; each size prints engine / hand-tuned for wall time and CPU time (``time.process_time``,
all threads of the process) with the load average at that moment. The issue-13 check:

    .venv/bin/python benchmarks/drift.py --rows 1000000 5000000 --skip evidently deepchecks scipy --no-memory
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
N_NUMERIC, N_CATEGORICAL = 20, 5
CATS = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta"])
P_BASE = [0.3, 0.25, 0.2, 0.12, 0.08, 0.05]


def make(n: int, seed: int, drift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {}
    for i in range(N_NUMERIC):
        if i % 4 == 0:
            cols[f"num_{i}"] = rng.normal(i, 1 + i / 10, n)
        elif i % 4 == 1:
            cols[f"num_{i}"] = rng.lognormal(0, 0.6, n)
        elif i % 4 == 2:
            cols[f"num_{i}"] = rng.exponential(2.0, n)
        else:
            cols[f"num_{i}"] = rng.gamma(2.0, 3.0, n)
    for j in range(N_CATEGORICAL):
        cols[f"cat_{j}"] = rng.choice(CATS, n, p=P_BASE)
    df = pd.DataFrame(cols)
    if drift:
        df["num_0"] = df["num_0"] + 0.5  # half a standard deviation
        df["num_5"] = df["num_5"] * 1.5
        df["cat_1"] = rng.choice(CATS, n, p=[0.15, 0.25, 0.2, 0.12, 0.08, 0.2])
    return df


NUMERIC = [f"num_{i}" for i in range(N_NUMERIC)]
CATEGORICAL = [f"cat_{j}" for j in range(N_CATEGORICAL)]


# -- contenders in this environment ---------------------------------------------------------


def run_engine(ref: pd.DataFrame, cur: pd.DataFrame, workers: int | None = None) -> list[str]:
    from pytest_mlops.integrations.frames import as_source
    from pytest_mlops.stats.driftset import DriftOptions, compare

    result = compare(as_source(ref, "reference"), as_source(cur, "current"), options=DriftOptions(workers=workers))
    return sorted(c.column for c in result.drifted)


def run_scipy_loop(ref: pd.DataFrame, cur: pd.DataFrame) -> list[str]:
    """What one writes first: scipy per column (KS + Wasserstein; chi-square on value counts)."""
    from scipy import stats

    drifted = []
    for c in NUMERIC:
        r, x = ref[c].to_numpy(), cur[c].to_numpy()
        ks = stats.ks_2samp(r, x)
        w = stats.wasserstein_distance(r, x) / np.std(r)
        if (len(r) <= 1000 and ks.pvalue < 0.05) or (len(r) > 1000 and w > 0.1):
            drifted.append(c)
    for c in CATEGORICAL:
        table = pd.concat([ref[c].value_counts(), cur[c].value_counts()], axis=1).fillna(0).T.to_numpy()
        chi = stats.chi2_contingency(table, correction=False)
        p, q = table[0] / table[0].sum(), table[1] / table[1].sum()
        from scipy.spatial.distance import jensenshannon

        if (len(ref) <= 1000 and chi.pvalue < 0.05) or (len(ref) > 1000 and jensenshannon(p, q, base=2) > 0.1):
            drifted.append(c)
    return sorted(drifted)


def run_hand_tuned(ref: pd.DataFrame, cur: pd.DataFrame) -> list[str]:
    """A good numpy pass: KS by searchsorted on sorted samples, PSI on reference deciles, chi-square by bincount."""
    from scipy.stats import chi2, kstwo

    drifted = []
    for c in NUMERIC:
        r = np.sort(ref[c].to_numpy())
        x = np.sort(cur[c].to_numpy())
        n, m = r.size, x.size
        # ECDF difference at the last value of every tie group of each sample (exact with ties)
        last_x = np.flatnonzero(np.r_[x[1:] != x[:-1], True])
        last_r = np.flatnonzero(np.r_[r[1:] != r[:-1], True])
        d1 = np.searchsorted(r, x[last_x], side="right") / n - (last_x + 1) / m
        d2 = (last_r + 1) / n - np.searchsorted(x, r[last_r], side="right") / m
        ks = max(np.abs(d1).max(), np.abs(d2).max())
        en = n * m / (n + m)
        p_value = float(kstwo.sf(ks, round(en))) if en < 1e4 else math.exp(-2 * en * ks * ks) * 2
        edges = r[[math.ceil(k * n / 10) - 1 for k in range(1, 10)]]
        rc = np.diff(np.r_[0, np.searchsorted(r, edges, side="right"), n]) / n
        xc = np.diff(np.r_[0, np.searchsorted(x, edges, side="right"), m]) / m
        rc, xc = np.maximum(rc, 1e-4), np.maximum(xc, 1e-4)
        psi = float(np.sum((xc - rc) * np.log(xc / rc)))
        if (n <= 1000 and p_value < 0.05) or (n > 1000 and psi > 0.2):
            drifted.append(c)
    for c in CATEGORICAL:
        codes_r, uniques = pd.factorize(ref[c])
        codes_x = pd.Categorical(cur[c], categories=uniques).codes
        k = len(uniques)
        table = np.vstack([np.bincount(codes_r, minlength=k), np.bincount(codes_x[codes_x >= 0], minlength=k)])
        expected = np.outer(table.sum(1), table.sum(0)) / table.sum()
        stat = float(((table - expected) ** 2 / expected).sum())
        if chi2.sf(stat, k - 1) < 0.05 and math.sqrt(stat / table.sum()) > 0.1:
            drifted.append(c)
    return sorted(drifted)


CPU: dict[str, float] = {}


def timed(fn: Callable[[], Any], repeat: int, label: str = "") -> tuple[float, Any]:
    """Median wall time (and, in CPU[label], median CPU time of this process: all threads)."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    if label:
        CPU[label] = statistics.median(cpu)
    return statistics.median(times), out


def side_by_side(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, float, Any]]:
    """Run the contenders in turn, ``repeat`` rounds, on the same data: label -> (median wall, median CPU, output).

    Interleaving the rounds lets a change in the machine's load hit every contender alike.
    """
    walls: dict[str, list[float]] = {k: [] for k in fns}
    cpus: dict[str, list[float]] = {k: [] for k in fns}
    outs: dict[str, Any] = {}
    for _ in range(repeat):
        for label, fn in fns.items():
            c0, t0 = time.process_time(), time.perf_counter()
            outs[label] = fn()
            walls[label].append(time.perf_counter() - t0)
            cpus[label].append(time.process_time() - c0)
    return {k: (statistics.median(walls[k]), statistics.median(cpus[k]), outs[k]) for k in fns}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_memory(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# -- peers, each in its own virtualenv ------------------------------------------------------

EVIDENTLY = r"""
import json, sys, time, statistics, warnings
warnings.filterwarnings("ignore")
import pandas as pd
t0 = time.perf_counter()
from evidently import Report
from evidently.presets import DataDriftPreset
imp = time.perf_counter() - t0
ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2]); repeat = int(sys.argv[3])
times, cpu = [], []
for _ in range(repeat):
    t, c = time.perf_counter(), time.process_time()
    snap = Report([DataDriftPreset()]).run(cur, ref)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
drifted = []
for m in snap.dict()["metrics"]:
    name = str(m.get("metric_id") or m.get("metric_name") or "")
    if not name.startswith("ValueDrift("):
        continue
    col = name.split("column=")[1].split(",")[0]
    thr = float(name.split("threshold=")[1].rstrip(")"))
    value = float(m["value"])
    if ("p_value" in name and value < thr) or ("p_value" not in name and value >= thr):
        drifted.append(col)
print(json.dumps({"median": statistics.median(times), "cpu": statistics.median(cpu), "times": times, "import": imp,
                  "drifted": sorted(drifted)}))
"""

DEEPCHECKS = r"""
import json, sys, time, statistics, warnings
warnings.filterwarnings("ignore")
import pandas as pd
t0 = time.perf_counter()
from deepchecks.tabular import Dataset
from deepchecks.tabular.checks import FeatureDrift
imp = time.perf_counter() - t0
ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2]); repeat = int(sys.argv[3])
cats = [c for c in ref.columns if c.startswith("cat_")]
times, cpu = [], []
for _ in range(repeat):
    t, c = time.perf_counter(), time.process_time()
    train = Dataset(ref, cat_features=cats, label=None)
    test = Dataset(cur, cat_features=cats, label=None)
    res = FeatureDrift(n_samples=len(ref) + len(cur), aggregation_method=None).run(train, test, with_display=False)
    times.append(time.perf_counter() - t)
    cpu.append(time.process_time() - c)
scores = {k: v["Drift score"] for k, v in res.value.items()}
print(json.dumps({"median": statistics.median(times), "cpu": statistics.median(cpu), "times": times, "import": imp,
                  "drifted": sorted(k for k, v in scores.items() if v > 0.2)}))
"""


def run_peer(name: str, script: str, ref_path: Path, cur_path: Path, repeat: int) -> dict[str, Any] | None:
    python = ROOT / f".venv-{name}" / "bin" / "python"
    if not python.exists():
        print(f"  {name}: skipped, {python.parent.parent} not found (run benchmarks/setup_peers.sh)")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(script)
    try:
        proc = subprocess.run(
            [str(python), fh.name, str(ref_path), str(cur_path), str(repeat)],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    finally:
        os.unlink(fh.name)
    if proc.returncode != 0:
        print(f"  {name}: failed (exit {proc.returncode}): {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def line(label: str, wall: float, cpu: float | None, extra: str = "") -> None:
    cpu_text = f"{cpu:8.3f}" if cpu is not None else "       -"
    print(f"  {label:<48} {wall:8.3f} {cpu_text}   {extra}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--peers-rows", type=int, default=1_000_000, help="largest size the peers run at")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-repeat", type=int, default=1, help="repeats for Evidently/deepchecks (slow)")
    parser.add_argument("--skip", nargs="*", default=[], help="contenders to skip: evidently deepchecks scipy")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--no-memory", dest="memory", action="store_false", help="skip the tracemalloc run (slow at 5M rows)"
    )
    args = parser.parse_args()
    print(f"drift benchmark: {N_NUMERIC} numeric + {N_CATEGORICAL} categorical columns, cpus={os.cpu_count()}")
    print("columns: median wall seconds, median CPU seconds (all threads of the process)")
    figures: list[dict[str, Any]] = []
    run_engine(make(2000, 1, False), make(2000, 2, True))  # warm imports (scipy) outside the timings
    for n in args.rows:
        ref, cur = make(n, 1, False), make(n, 2, True)
        input_bytes = int(ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum())
        print(f"\n== {n:,} rows per side (inputs {input_bytes / 2**20:.0f} MiB in memory), load average {load()} ==")
        row: dict[str, Any] = {"rows": n, "input_bytes": input_bytes, "load": os.getloadavg()[0]}
        got = side_by_side(
            {
                "engine": lambda ref=ref, cur=cur: run_engine(ref, cur),
                "engine1": lambda ref=ref, cur=cur: run_engine(ref, cur, workers=1),
                "hand": lambda ref=ref, cur=cur: run_hand_tuned(ref, cur),
            },
            args.repeat,
        )
        t, CPU["engine"], drifted = got["engine"]
        row["engine"], row["engine_cpu"] = t, CPU["engine"]
        threads = "2 threads" if 2 * n >= 1_000_000 else "1 thread"
        line(f"pytest-mlops engine (default: {threads}, exact)", t, CPU["engine"], f"drifted {drifted}")
        t1, CPU["engine1"], _ = got["engine1"]
        row["engine_1thread"], row["engine_1thread_cpu"] = t1, CPU["engine1"]
        line("pytest-mlops engine (workers=1)", t1, CPU["engine1"])
        t, CPU["hand"], drifted_h = got["hand"]
        row["hand_tuned"], row["hand_tuned_cpu"] = t, CPU["hand"]
        line("hand-tuned numpy pass (1 thread)", t, CPU["hand"], f"drifted {drifted_h}")
        for key, label in (("engine", "default"), ("engine_1thread", "workers=1")):
            print(
                f"  engine ({label}) / hand-tuned, measured side by side: wall {row[key] / row['hand_tuned']:.2f}x, "
                f"CPU {row[key + '_cpu'] / row['hand_tuned_cpu']:.2f}x (targets <= 0.3x wall, <= 0.5x CPU); "
                f"load {load()}"
            )
        if args.memory:
            peak = peak_memory(lambda ref=ref, cur=cur: run_engine(ref, cur))
            row["engine_peak_bytes"] = peak
        if "scipy" not in args.skip:
            reps = args.repeat if n <= 100_000 else 1
            t, drifted_s = timed(lambda ref=ref, cur=cur: run_scipy_loop(ref, cur), reps, "scipy")
            row["scipy_loop"], row["scipy_loop_cpu"] = t, CPU["scipy"]
            line("plain numpy/scipy loop", t, CPU["scipy"], f"drifted {drifted_s}")
        if {"evidently", "deepchecks"} <= set(args.skip):
            print("  Evidently, deepchecks: skipped (--skip)")
        elif n <= args.peers_rows:
            with tempfile.TemporaryDirectory() as tmp:
                ref_path, cur_path = Path(tmp) / "ref.parquet", Path(tmp) / "cur.parquet"
                ref.to_parquet(ref_path)
                cur.to_parquet(cur_path)
                for name, script in (("evidently", EVIDENTLY), ("deepchecks", DEEPCHECKS)):
                    if name in args.skip:
                        continue
                    out = run_peer(name, script, ref_path, cur_path, args.peer_repeat)
                    if out is not None:
                        row[name], row[name + "_cpu"] = out["median"], out.get("cpu")
                        label = (
                            "Evidently DataDriftPreset"
                            if name == "evidently"
                            else "deepchecks FeatureDrift (full data)"
                        )
                        line(label, out["median"], out.get("cpu"), f"drifted {out.get('drifted')}")
        else:
            print(f"  Evidently, deepchecks: not run at this size (--peers-rows {args.peers_rows})")
        if args.memory:
            peak = row["engine_peak_bytes"]
            print(f"  engine peak traced memory {peak / 2**20:.0f} MiB = {peak / input_bytes:.2f}x the input frames")
        for key in ("hand_tuned", "scipy_loop", "evidently", "deepchecks"):
            if key in row:
                cpu_ratio = (
                    f", CPU {row[key + '_cpu'] / row['engine_cpu']:.1f}x" if row.get(key + "_cpu") is not None else ""
                )
                print(f"  {key:<12} / engine: wall {row[key] / row['engine']:.1f}x{cpu_ratio}")
        figures.append(row)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
