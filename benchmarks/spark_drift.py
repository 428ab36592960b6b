"""Spark drift benchmark: the drift gate on Spark frames vs the pandas in-memory path, same Parquet data.

Data: ``--rows`` rows x 25 columns (20 numeric, 5 categorical strings), reference and
current, drift injected into 3 columns. The Parquet files are written once, chunk by chunk
(so making 10M rows does not need the memory of 10M rows), in row groups of ``ROW_GROUP``
rows (about 90 MB, under the 128 MB Spark writes by default), into ``--cache-dir`` keyed
by the row count: reruns reuse them. Each measurement runs in a fresh Python process, so
its peak RSS (``ru_maxrss``) is its own:

* ``spark``: ``data_drift(spark.read.parquet(ref), spark.read.parquet(cur))`` on a local
  session (``local[2]``); the gate's wall time excludes starting the JVM (printed apart).
  The peak RSS is the driver's Python process (the JVM and the Python workers are other
  processes): it must stay flat as rows grow, since only summaries reach it.
* ``pandas``: both files read with pyarrow into pandas (timed apart) and ``data_drift`` on
  the frames; its wall time is read + gate.

    nice -n 10 .venv/bin/python benchmarks/spark_drift.py --rows 1000000 10000000

Prints one line per size and path, the ratio Spark gate / pandas (read + gate), and the
load average around each run (the machine may be shared: read the figures with it).
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
ROW_GROUP = 500_000
CATS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]


def write_data(path: Path, rows: int, seed: int, *, drift: bool) -> None:
    """``rows`` rows of the benchmark data at ``path``, one row group at a time (written to a temp name first)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    partial = path.with_suffix(".partial")
    writer = None
    done = 0
    while done < rows:
        n = min(ROW_GROUP, rows - done)
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
            writer = pq.ParquetWriter(partial, table.schema)
        writer.write_table(table, row_group_size=ROW_GROUP)
        done += n
    assert writer is not None
    writer.close()
    partial.replace(path)


def dataset(cache: Path, rows: int) -> tuple[Path, Path]:
    """The reference and current files for ``rows`` rows, written unless already cached."""
    where = cache / f"rows-{rows}"
    where.mkdir(parents=True, exist_ok=True)
    ref, cur = where / "reference.parquet", where / "current.parquet"
    for path, seed, drift in ((ref, 1, False), (cur, 2, True)):
        if not path.exists():
            t = time.perf_counter()
            write_data(path, rows, seed, drift=drift)
            print(f"  wrote {path} in {time.perf_counter() - t:.1f} s", flush=True)
    return ref, cur


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
        out["wall_s"] = out["gate_s"]
        spark.stop()
    else:
        import pyarrow.parquet as pq

        t = time.perf_counter()
        reference, current = pq.read_table(ref).to_pandas(), pq.read_table(cur).to_pandas()
        out["read_s"] = time.perf_counter() - t
        t = time.perf_counter()
        result = data_drift(reference, current, max_share=1.0)
        out["gate_s"] = time.perf_counter() - t
        out["wall_s"] = out["read_s"] + out["gate_s"]
    out["drifted"] = float(result.details["n_drifted"])
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def run_child(kind: str, ref: Path, cur: Path) -> dict[str, Any]:
    before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(ref), str(cur)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["load"] = f"{before:.1f}->{os.getloadavg()[0]:.1f}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000], help="row counts (default 10,000,000)")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "pytest-mlops-spark-drift",
        help="where the Parquet files are kept between runs (default: %(default)s)",
    )
    parser.add_argument("--skip-pandas-above", type=int, default=10**12, help="leave the pandas path out above N rows")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "REF", "CUR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({os.cpu_count()} cores)", flush=True)
    header = f"{'rows':>11}  {'path':<7} {'wall s':>8} {'apart':>14} {'peak RSS MiB':>13} {'drifted':>8}"
    header += f" {'load 1m':>10}"
    lines = [header]
    for rows in args.rows:
        ref, cur = dataset(args.cache_dir, rows)
        spark = run_child("spark", ref, cur)
        lines.append(
            f"{rows:>11,}  {'spark':<7} {spark['wall_s']:>8.1f} {'JVM ' + format(spark['startup_s'], '.1f'):>14}"
            f" {spark['peak_rss_mib']:>13.0f} {spark['drifted']:>8.0f} {spark['load']:>10}"
        )
        print(lines[-1], flush=True)
        if rows > args.skip_pandas_above:
            continue
        pandas = run_child("pandas", ref, cur)
        lines.append(
            f"{rows:>11,}  {'pandas':<7} {pandas['wall_s']:>8.1f} {'read ' + format(pandas['read_s'], '.1f'):>14}"
            f" {pandas['peak_rss_mib']:>13.0f} {pandas['drifted']:>8.0f} {pandas['load']:>10}"
        )
        print(lines[-1], flush=True)
        ratio = spark["wall_s"] / pandas["wall_s"]
        with_jvm = (spark["wall_s"] + spark["startup_s"]) / pandas["wall_s"]
        lines.append(f"{'':>11}  spark gate / pandas (read + gate) = {ratio:.2f}x  (with JVM start {with_jvm:.2f}x)")
        print(lines[-1], flush=True)
    load = os.getloadavg()
    print(f"load average after:  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("\n".join(["", "side by side:", *lines]))


if __name__ == "__main__":
    main()
