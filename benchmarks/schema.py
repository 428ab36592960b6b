"""Schema gate overhead vs calling pandera directly, on a 1M-row frame (pandas and polars).

    .venv/bin/python benchmarks/schema.py [--rows 1000000] [--repeats 5]

Runs both side by side (alternating, after one warm-up each) and prints the median seconds
and the ratio gate / direct. The gate adds failure summarisation and the GateResult; with
``fingerprint=True`` it also hashes the frame for lineage. That cost is shown twice: as the
difference of the two gate medians (noisy: two ~1 s numbers), and measured alone, wall and
CPU time (``time.process_time``, all threads), ``pytest_mlops.integrations.loading.fingerprint(frame)``:
sha256 over every column's buffers on up to 4 threads. Issue 13's target: <= 0.1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pytest_mlops.gates.schema import check


def make_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {f"num{i}": rng.normal(50, 10, rows) for i in range(20)}
    data.update({f"cat{i}": rng.choice(["a", "b", "c", "d"], rows) for i in range(5)})
    return pd.DataFrame(data)


def pandas_schema() -> pa.DataFrameSchema:
    columns: dict[str, pa.Column] = {f"num{i}": pa.Column(float, pa.Check.in_range(-1000, 1000)) for i in range(20)}
    columns.update({f"cat{i}": pa.Column(str, pa.Check.isin(["a", "b", "c", "d"])) for i in range(5)})
    return pa.DataFrameSchema(columns, name="bench")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare(label: str, direct: Callable[[], object], gate: Callable[[], object], repeats: int) -> float:
    direct()
    gate()  # warm-up: imports, pandera's backend registration
    d_times, g_times = [], []
    for _ in range(repeats):
        d_times.append(timed(direct))
        g_times.append(timed(gate))
    d, g = statistics.median(d_times), statistics.median(g_times)
    print(f"{label:<28} pandera direct {d:8.3f} s   gate {g:8.3f} s   ratio {g / d:6.3f}")
    return g


def fingerprint_alone(frame: pd.DataFrame, repeats: int) -> None:
    from pytest_mlops.integrations.loading import fingerprint

    value = fingerprint(frame)  # warm-up
    walls, cpus = [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        fingerprint(frame)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    size = frame.memory_usage(deep=False, index=False).sum() / 2**20
    print(
        f"{'fingerprint(frame) alone':<28} wall {statistics.median(walls):8.3f} s   CPU "
        f"{statistics.median(cpus):8.3f} s   ({size:.0f} MiB of column buffers, sha256 {value[:12]}...), "
        f"load {_load()}"
    )


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    frame = make_frame(args.rows)
    schema = pandas_schema()
    print(f"{args.rows} rows x {frame.shape[1]} columns, median of {args.repeats} runs, load {_load()}")
    plain = compare(
        "pandas",
        lambda: schema.validate(frame, lazy=True),
        lambda: check(frame, schema),
        args.repeats,
    )
    hashed = compare(
        "pandas, fingerprint=True",
        lambda: schema.validate(frame, lazy=True),
        lambda: check(frame, schema, fingerprint=True),
        args.repeats,
    )
    print(f"{'':<28} fingerprint=True adds {hashed - plain:.3f} s (difference of the medians)")
    fingerprint_alone(frame, args.repeats)
    try:
        import pandera.polars as pap
        import polars as pl
    except ImportError:
        print("polars: not installed, skipped")
        return
    pframe = pl.from_pandas(frame)
    pcols: dict[str, Any] = {f"num{i}": pap.Column(pl.Float64, pap.Check.in_range(-1000, 1000)) for i in range(20)}
    pcols.update({f"cat{i}": pap.Column(pl.String, pap.Check.isin(["a", "b", "c", "d"])) for i in range(5)})
    pschema = pap.DataFrameSchema(pcols, name="bench")
    compare(
        "polars (eager)",
        lambda: pschema.validate(pframe, lazy=True),
        lambda: check(pframe, pschema),
        args.repeats,
    )


if __name__ == "__main__":
    main()
