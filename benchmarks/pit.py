"""Point-in-time check vs the join itself: ``point_in_time`` beside ``pandas.merge_asof``.

Data: ``--rows`` entity rows (default 1,000,000) over ``--entities`` entities, joined with one
feature table of 10 feature columns (``--table-rows`` rows, default the same as ``--rows``).
Both contenders get the same frames in memory:

* ``merge_asof``: the as-of join by entity, as a user builds the training set (sorting both
  sides by time first, which merge_asof requires, is included);
* ``point_in_time``: the gate recomputing that join and comparing all 10 columns of the training
  set with it (the recorder's sink is the script sink; the gate passes).

Times are medians of ``--repeat`` runs; the ratio is gate / merge_asof (the target is <= 2).

    .venv/bin/python benchmarks/pit.py --rows 1000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from pytest_mlops.gates.featurestore import point_in_time

FEATURES = [f"f{i}" for i in range(10)]


def make(rows: int, table_rows: int, entities: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-01-01", tz="UTC").value
    span = 30 * 86_400 * 10**9
    table = pd.DataFrame(
        {
            "entity_id": rng.integers(0, entities, table_rows),
            "event_timestamp": pd.to_datetime(start + rng.integers(0, span, table_rows), utc=True),
        }
    )
    for name in FEATURES:
        table[name] = rng.normal(size=table_rows)
    events = pd.DataFrame(
        {
            "entity_id": rng.integers(0, entities, rows),
            "event_timestamp": pd.to_datetime(start + rng.integers(0, span, rows), utc=True),
        }
    )
    return events, table


def join(events: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    return pd.merge_asof(
        events.sort_values("event_timestamp", kind="stable"),
        table.sort_values("event_timestamp", kind="stable"),
        on="event_timestamp",
        by="entity_id",
    )


def timed(func: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--table-rows", type=int, default=None)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    table_rows = args.table_rows or args.rows
    events, table = make(args.rows, table_rows, args.entities)
    training = join(events, table)
    gate = point_in_time(training, {"features": table}, entity="entity_id")  # warm up; must pass
    assert gate.passed, gate.message

    t_join = timed(lambda: join(events, table), args.repeat)
    t_gate = timed(lambda: point_in_time(training, {"features": table}, entity="entity_id"), args.repeat)
    load = os.getloadavg()[0]
    print(f"{args.rows:,} entity rows x {len(FEATURES)} features, table {table_rows:,} rows,", end=" ")
    print(f"{args.entities:,} entities")
    print(f"(median of {args.repeat}; 1-min load average {load:.1f} on {os.cpu_count()} cores)")
    print(f"  pandas.merge_asof (the join)       {t_join:8.3f} s")
    print(f"  point_in_time (the check)          {t_gate:8.3f} s")
    print(f"  ratio check / join                 {t_gate / t_join:8.2f}  (target <= 2)")


if __name__ == "__main__":
    main()
