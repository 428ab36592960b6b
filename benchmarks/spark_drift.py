"""Spark drift benchmark: the drift gate on Spark frames vs the pandas in-memory path, same Parquet data.

Data: ``--rows`` rows x 25 columns (20 numeric, 5 categorical strings), reference and
current, drift injected into 3 columns, written as Parquet in row groups (generated chunk
by chunk, so making 10M rows does not need the memory of 10M rows). Each measurement runs
in a fresh Python process, so its peak RSS (``ru_maxrss``) is its own:

* ``spark``: ``data_drift(spark.read.parquet(ref), spark.read.parquet(cur))`` on a local
  session (``local[2]``); the time excludes starting the JVM (printed apart). The peak RSS
  is the driver's Python process (the JVM and the Arrow workers are other processes): it
  must stay flat as rows grow, since only summaries reach it.
* ``pandas``: ``pd.read_parquet`` of both files (timed apart) and ``data_drift`` on the frames.

    .venv/bin/python benchmarks/spark_drift.py --rows 1000000 10000000

Prints one line per size and path, the ratio Spark / pandas, and the load average before
and after (the machine is shared: read the figures with it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1_000_000
CATS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]


def write_data(path: Path, rows: int, seed: int, *, drift: bool) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    writer = None
    done = 0
    while done < rows:
        n = min(CHUNK, rows - done)
        cols: dict[str, Any] = {}
        for i in range(20):
            base = (rng.normal(i, 1 + i / 10, n), rng.lognormal(0, 0.6, n), rng.exponential(2.0, n))[i % 3]
            cols[f"num_{i}"] = base
        for j in range(5):
            cols[f"cat_{j}"] = np.asarray(CATS)[rng.choice(6, n, p=[0.3, 0.25, 0.2, 0.12, 0.08, 0.05])]
        if drift:
            cols["num_0"] = cols["num_0"] + 0.5
            cols["num_4"] = cols["num_4"] * 1.5
            cols["cat_1"] = np.asarray(CATS)[rng.choice(6, n, p=[0.15, 0.25, 0.2, 0.12, 0.08, 0.2])]
        table = pa.table(cols)
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=CHUNK)
        done += n
    assert writer is not None
    writer.close()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, ref: str, cur: str) -> dict[str, float]:
    from pytest_mlops import _recorder
    from pytest_mlops.gates.drift import data_drift

    sink = _recorder.Sink()
    _recorder.push(sink)
    out: dict[str, float] = {}
    if kind == "spark":
        import warnings

        warnings.simplefilter("ignore", FutureWarning)
        from pytest_mlops.integrations.spark import local_session

        t = time.perf_counter()
        spark = local_session()
        out["startup_s"] = time.perf_counter() - t
        t = time.perf_counter()
        result = data_drift(spark.read.parquet(ref), spark.read.parquet(cur), max_share=1.0)
        out["gate_s"] = time.perf_counter() - t
        spark.stop()
    else:
        import pandas as pd

        t = time.perf_counter()
        reference, current = pd.read_parquet(ref), pd.read_parquet(cur)
        out["read_s"] = time.perf_counter() - t
        t = time.perf_counter()
        result = data_drift(reference, current, max_share=1.0)
        out["gate_s"] = time.perf_counter() - t
    out["drifted"] = float(result.details["n_drifted"])
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def run_child(kind: str, ref: Path, cur: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(ref), str(cur)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--skip-pandas-above", type=int, default=10**9, help="leave the pandas path out above N rows")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "REF", "CUR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    load_before = os.getloadavg()
    print(
        f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} ({os.cpu_count()} cores)"
    )
    print(f"{'rows':>11}  {'path':<7} {'gate s':>8} {'extra s':>16} {'peak RSS MiB':>13} {'drifted':>8}")
    with tempfile.TemporaryDirectory(prefix="spark-drift-bench-") as tmp:
        for rows in args.rows:
            ref, cur = Path(tmp) / f"ref-{rows}.parquet", Path(tmp) / f"cur-{rows}.parquet"
            write_data(ref, rows, 1, drift=False)
            write_data(cur, rows, 2, drift=True)
            spark = run_child("spark", ref, cur)
            extra = f"startup {spark['startup_s']:.1f}"
            print(
                f"{rows:>11,}  {'spark':<7} {spark['gate_s']:>8.1f} {extra:>16}"
                f" {spark['peak_rss_mib']:>13.0f} {spark['drifted']:>8.0f}",
                flush=True,
            )
            if rows > args.skip_pandas_above:
                continue
            pandas = run_child("pandas", ref, cur)
            extra = f"read {pandas['read_s']:.1f}"
            print(
                f"{rows:>11,}  {'pandas':<7} {pandas['gate_s']:>8.1f} {extra:>16}"
                f" {pandas['peak_rss_mib']:>13.0f} {pandas['drifted']:>8.0f}",
                flush=True,
            )
            ratio = spark["gate_s"] / (pandas["gate_s"] + pandas["read_s"])
            print(f"{'':>11}  spark gate / (pandas read + gate) = {ratio:.2f}x", flush=True)
            ref.unlink()
            cur.unlink()
    load_after = os.getloadavg()
    print(f"load average after:  {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")


if __name__ == "__main__":
    main()
