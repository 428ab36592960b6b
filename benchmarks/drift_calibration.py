"""Calibration of the default drift gate: false-alarm rate on unchanged data, and power.

Two samples from the same distribution are compared with the default gate
(``stats.driftset.compare`` with default ``DriftOptions``, exactly what ``data_drift`` runs);
the false-alarm rate of a cell is the share of seeds in which the gate failed. The power
table compares a single column with a changed copy of itself, for each kind of change and
size, and reports the smallest change detected in at least 90 % of seeds.

    .venv/bin/python benchmarks/drift_calibration.py                # the table in docs/drift.md
    .venv/bin/python benchmarks/drift_calibration.py --quick        # a smaller run

Column sets: ``1 numeric``; ``25 mixed`` (20 numeric: normal, lognormal, Student t with 2
degrees of freedom, Poisson integers, a constant column, a column with 3 % nulls; 5
categorical with Zipf shares over 10, 20, 30, 40 and 50 levels); ``5 x 50-level``
(five 50-level Zipf categoricals); ``500 mixed`` (the 25 repeated 20 times).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pytest_mlops.integrations.streaming import as_source  # noqa: E402
from pytest_mlops.stats.driftset import DriftOptions, compare  # noqa: E402

SIZES = [50, 200, 1000, 1001, 2000, 10_000, 100_000, 1_000_000]
LEVELS = [10, 20, 30, 40, 50]


def zipf_shares(k: int) -> np.ndarray:
    w = 1.0 / np.arange(1, k + 1)
    return w / w.sum()


def numeric_column(i: int, n: int, rng: np.random.Generator) -> np.ndarray:
    kind = i % 6
    if kind == 0:
        return rng.normal(10.0 * i, 1.0 + i, n)
    if kind == 1:
        return rng.lognormal(0.0, 0.8, n)
    if kind == 2:
        return rng.standard_t(2, n)  # heavy tails: infinite variance
    if kind == 3:
        return rng.poisson(4, n).astype(np.int64)  # integers with ties
    if kind == 4:
        return np.full(n, 7.0) if i == 4 else rng.exponential(2.0, n)  # one constant column
    x = rng.normal(0.0, 1.0, n)
    x[rng.random(n) < 0.03] = np.nan  # 3 % nulls on both sides
    return x


def categorical_column(levels: int, n: int, rng: np.random.Generator) -> np.ndarray:
    labels = np.array([f"L{j}" for j in range(levels)])
    return labels[rng.choice(levels, size=n, p=zipf_shares(levels))]


def make_frame(column_set: str, n: int, rng: np.random.Generator) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    if column_set == "1 numeric":
        cols["x"] = rng.normal(0.0, 1.0, n)
    elif column_set == "5 x 50-level":
        for j in range(5):
            cols[f"c{j}"] = categorical_column(50, n, rng)
    else:
        repeat = 20 if column_set == "500 mixed" else 1
        for r in range(repeat):
            for i in range(20):
                cols[f"n{i}_{r}"] = numeric_column(i, n, rng)
            for j, levels in enumerate(LEVELS):
                cols[f"c{j}_{r}"] = categorical_column(levels, n, rng)
    return pd.DataFrame(cols)


def gate_fails(ref: pd.DataFrame, cur: pd.DataFrame, options: DriftOptions | None = None) -> bool:
    """The default gate's verdict (max_share=0: fails when any column drifted)."""
    result = compare(as_source(ref, "reference"), as_source(cur, "current"), options=options or DriftOptions())
    return bool(result.drifted)


def false_alarm_rate(column_set: str, n: int, seeds: int, *, first_seed: int = 0) -> float:
    fails = 0
    for seed in range(first_seed, first_seed + seeds):
        rng = np.random.default_rng([seed, n])
        fails += gate_fails(make_frame(column_set, n, rng), make_frame(column_set, n, rng))
    return fails / seeds


# -- power ------------------------------------------------------------------------------------


def changed_pair(change: str, size: float, n: int, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One column, reference and current; ``size`` is the strength of ``change``."""
    if change == "level 1% -> k%":
        k = 20
        base = np.full(k, 0.99 / (k - 1))
        base[0] = 0.01
        moved = base * (1.0 - size) / (1.0 - 0.01)
        moved[0] = size
        labels = np.array([f"L{j}" for j in range(k)])
        ref = labels[rng.choice(k, size=n, p=base)]
        cur = labels[rng.choice(k, size=n, p=moved)]
        return pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})
    if change == "null share 0% -> k%":
        ref = rng.normal(0.0, 1.0, n)
        cur = rng.normal(0.0, 1.0, n)
        cur[rng.random(n) < size] = np.nan
        return pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})
    ref = rng.normal(0.0, 1.0, n)
    cur = rng.normal(0.0, 1.0, n)
    if change == "mean shift (sigma)":
        cur = cur + size
    elif change == "scale ratio":
        cur = cur * size
    elif change == "tail contamination":
        # a share `size` of the rows moved into the upper tail: above the reference's 99th percentile
        hit = rng.random(n) < size
        cur[hit] = 2.326 + rng.exponential(0.5, int(hit.sum()))
    else:
        raise ValueError(change)
    return pd.DataFrame({"x": ref}), pd.DataFrame({"x": cur})


CHANGES: dict[str, list[float]] = {
    "mean shift (sigma)": [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0, 1.5],
    "scale ratio": [1.05, 1.1, 1.2, 1.3, 1.5, 2.0, 3.0],
    "level 1% -> k%": [0.015, 0.02, 0.03, 0.04, 0.06, 0.1, 0.2, 0.4],
    "tail contamination": [0.01, 0.02, 0.05, 0.1, 0.15, 0.25, 0.4],
    "null share 0% -> k%": [0.005, 0.01, 0.02, 0.05, 0.1, 0.2],
}
METHOD = {
    "mean shift (sigma)": "ks",
    "scale ratio": "ks",
    "level 1% -> k%": "chi2",
    "tail contamination": "ks",
    "null share 0% -> k%": "Fisher",
}
#: The issue's targets at n >= 1000 (90 % power).
TARGETS = {"mean shift (sigma)": 0.5, "scale ratio": 1.5, "level 1% -> k%": 0.06, "tail contamination": 0.15}


def power(change: str, size: float, n: int, seeds: int) -> float:
    hits = 0
    for seed in range(seeds):
        rng = np.random.default_rng([seed, n, 7])
        hits += gate_fails(*changed_pair(change, size, n, rng))
    return hits / seeds


def minimum_detectable(change: str, n: int, seeds: int, level: float = 0.9) -> tuple[float | None, dict[float, float]]:
    """The smallest size in the grid detected in at least ``level`` of seeds (sizes above it are not run)."""
    seen: dict[float, float] = {}
    for size in CHANGES[change]:
        seen[size] = power(change, size, n, seeds)
        if seen[size] >= level:
            return size, seen
    return None, seen


def fmt_size(change: str, size: float | None) -> str:
    if size is None:
        return "> grid"
    if change in ("level 1% -> k%", "tail contamination", "null share 0% -> k%"):
        return f"{size:.3g}".rstrip("0") if size >= 1 else f"{100 * size:.3g} %"
    if change == "scale ratio":
        return f"x {size:g}"
    return f"{size:g} sigma"


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    print(f"# drift gate calibration (default options), load average {os.getloadavg()[0]:.1f}, cpus {os.cpu_count()}")
    print()
    print("## False alarms on unchanged data (share of seeds in which the default gate failed)")
    print()
    sets = ["1 numeric", "25 mixed", "5 x 50-level", "500 mixed"]
    print("| rows per side | " + " | ".join(sets) + " |")
    print("|---|" + "---|" * len(sets))
    worst = 0.0
    for n in args.sizes:
        cells = []
        for column_set in sets:
            seeds = args.seeds
            if column_set == "500 mixed" and n > args.max_rows_500:
                cells.append("not run")
                continue
            if n >= 1_000_000:
                seeds = min(seeds, args.seeds_1m)
            elif n >= 100_000 and column_set != "1 numeric":
                seeds = min(seeds, args.seeds_100k)
            if column_set == "500 mixed":
                seeds = min(seeds, args.seeds_500)
            rate = false_alarm_rate(column_set, n, seeds)
            worst = max(worst, rate)
            cells.append(f"{100 * rate:.1f} % ({round(rate * seeds)}/{seeds})")
        print(f"| {n:,} | " + " | ".join(cells) + " |")
    print()
    print(f"worst cell: {100 * worst:.1f} % (target <= 5 %)")
    print()
    print("## Power: smallest change detected in >= 90 % of seeds (one column, default gate)")
    print()
    power_sizes = args.power_sizes
    print("| change | test | " + " | ".join(f"n={n:,}" for n in power_sizes) + " |")
    print("|---|---|" + "---|" * len(power_sizes))
    misses = []
    for change in CHANGES:
        cells = []
        for n in power_sizes:
            size, _ = minimum_detectable(change, n, args.power_seeds)
            cells.append(fmt_size(change, size))
            target = TARGETS.get(change)
            if target is not None and n >= 1000 and (size is None or size > target + 1e-12):
                misses.append(f"{change} at n={n}: {fmt_size(change, size)} (target {fmt_size(change, target)})")
        print(f"| {change} | {METHOD[change]} | " + " | ".join(cells) + " |")
    print()
    print(
        f"power seeds per cell: {args.power_seeds}; false-alarm seeds per cell: {args.seeds} "
        f"({args.seeds_100k} at 100k rows for multi-column sets, {args.seeds_1m} at 1M rows, {args.seeds_500} for "
        f"500 columns, 500 columns run up to {args.max_rows_500:,} rows), as the runtime allows on this machine"
    )
    print(
        "targets at n >= 1000 (mean 0.5 sigma, sd x 1.5, level 1% -> 6%, 15% into the tail): "
        + ("all met" if not misses else "MISSED: " + "; ".join(misses))
    )
    print(f"total {time.perf_counter() - t0:.0f} s")
    return 0 if worst <= 0.05 and not misses else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--seeds-100k", type=int, default=200)
    parser.add_argument("--seeds-1m", type=int, default=20)
    parser.add_argument("--seeds-500", type=int, default=200)
    parser.add_argument("--max-rows-500", type=int, default=2000)
    parser.add_argument("--power-sizes", type=int, nargs="+", default=[50, 200, 1000, 10_000])
    parser.add_argument("--power-seeds", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="fewer seeds and sizes (a smoke run)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = [50, 1000, 1001, 10_000]
        args.seeds = args.seeds_100k = args.seeds_500 = 40
        args.seeds_1m = 5
        args.max_rows_500 = 200
        args.power_seeds = 40
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
