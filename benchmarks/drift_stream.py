"""Streamed Parquet drift check vs reading the whole file: peak memory, CPU and wall, side by side.

    .venv/bin/python benchmarks/drift_stream.py                      # 1M and 5M rows x 25 columns
    .venv/bin/python benchmarks/drift_stream.py --rows 1000000 --layouts groups

For each size it writes, to a temporary directory, the current data of ``benchmarks/drift.py``
(20 numeric + 5 string columns, drift in 3) as Parquet in two layouts:

* ``groups``: row groups of 250,000 rows (what a chunked writer produces);
* ``single``: one row group holding every row (``row_group_size=rows``; pyarrow's writer
  otherwise caps row groups at 1,048,576 rows, so this layout must be asked for).

The reference statistics are saved once from a 1M-row reference frame (``drift save``'s
in-memory path). Each measurement then runs in a fresh child process, which reports its
peak resident memory (``VmHWM``) minus its resident memory after imports (numpy, pandas,
pyarrow, scipy.stats, the engine) and loading the statistics, with the CPU
(``time.process_time``, all threads) and wall time of the work:

* ``streamed``: ``compare_parquet(stats, file)``, what ``pytest-mlops drift check STATS FILE``
  and ``data_drift(STATS, FILE)`` run;
* ``read + in-memory``: ``pandas.read_parquet(file)`` then the in-memory gate against the same
  statistics (``stats.driftset.compare(profile, as_source(frame))``).

Both must give the same verdict; the script says so. Targets (issue 13): streamed peak RSS
added <= 300 MiB at every size and layout, streamed CPU <= 1.2x read + in-memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[4])
import numpy as np, pandas as pd, pyarrow.parquet as pq, scipy.stats
from pytest_mlops.integrations.frames import as_source, compare_parquet
from pytest_mlops.stats.driftset import compare
from pytest_mlops.stats.refstats import ReferenceProfile

def status(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)

mode, stats_path, data_path = sys.argv[1], sys.argv[2], sys.argv[3]
stats = ReferenceProfile.load(stats_path)
base = status("VmRSS")
c0, t0 = time.process_time(), time.perf_counter()
if mode == "streamed":
    result = compare_parquet(stats, data_path)
else:
    frame = pd.read_parquet(data_path)
    result = compare(stats, as_source(frame, "current"))
cpu, wall = time.process_time() - c0, time.perf_counter() - t0
print(json.dumps({"cpu": cpu, "wall": wall, "peak_added": status("VmHWM") - base,
                  "drifted": sorted(c.column for c in result.drifted)}))
"""


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def write_file(path: Path, rows: int, layout: str, chunk: int = 250_000) -> int:
    """Write ``rows`` current rows; returns the number of row groups."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from drift import make

    if layout == "single":
        table = pa.Table.from_pandas(make(rows, 2, True), preserve_index=False)
        pq.write_table(table, path, row_group_size=rows)
        del table
    else:
        writer = None
        for i, start in enumerate(range(0, rows, chunk)):
            part = pa.Table.from_pandas(make(min(chunk, rows - start), 100 + i, True), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, part.schema)
            writer.write_table(part, row_group_size=chunk)
        assert writer is not None
        writer.close()
    return int(pq.ParquetFile(path).metadata.num_row_groups)


def child(mode: str, stats: Path, data: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(stats), str(data), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{proc.stderr}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--layouts", nargs="+", default=["groups", "single"], choices=["groups", "single"])
    parser.add_argument("--reference-rows", type=int, default=1_000_000)
    args = parser.parse_args()

    from drift import make

    from pytest_mlops.integrations.frames import as_source
    from pytest_mlops.stats.refstats import ReferenceProfile

    print(f"streamed drift check, 20 numeric + 5 string columns, cpus={os.cpu_count()}, load {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        stats_path = Path(tmp) / "stats.json"
        source = as_source(make(args.reference_rows, 1, False), "reference")
        ReferenceProfile.from_source(source, source.names, source.kinds(), label="reference").save(stats_path)
        del source
        print(f"reference statistics from {args.reference_rows:,} rows: {stats_path.stat().st_size / 1024:.0f} KiB")
        print(
            f"{'rows':>10} {'layout':<7} {'groups':>6} {'file':>8}   {'mode':<17} {'peak RSS +':>10} "
            f"{'CPU s':>7} {'wall s':>7}"
        )
        for rows in args.rows:
            for layout in args.layouts:
                data = Path(tmp) / f"current-{rows}-{layout}.parquet"
                groups = write_file(data, rows, layout)
                size = data.stat().st_size / 2**20
                out = {mode: child(mode, stats_path, data) for mode in ("streamed", "in-memory")}
                for mode, label in (("streamed", "streamed"), ("in-memory", "read + in-memory")):
                    r = out[mode]
                    print(
                        f"{rows:>10,} {layout:<7} {groups:>6} {size:>6.0f}MB   {label:<17} "
                        f"{r['peak_added'] / 2**20:>7.0f}MiB {r['cpu']:>7.2f} {r['wall']:>7.2f}"
                    )
                s, m = out["streamed"], out["in-memory"]
                same = "same verdict" if s["drifted"] == m["drifted"] else f"VERDICTS DIFFER (in memory {m['drifted']})"
                print(
                    f"{'':>10} streamed / read + in-memory: CPU {s['cpu'] / m['cpu']:.2f}x, wall "
                    f"{s['wall'] / m['wall']:.2f}x, peak RSS {s['peak_added'] / max(m['peak_added'], 1):.2f}x; "
                    f"{same} {s['drifted']}; load {load()}"
                )
                data.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
