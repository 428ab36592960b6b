"""Make the example's data sets from scikit-learn's bundled breast-cancer data (no download).

``python -m bc_example.data --out data`` writes:

* ``reference.csv`` — training data (60 %), with the label;
* ``holdout.csv`` — evaluation data (20 %), with the label;
* ``current.csv`` — recent serving data (20 %), with the label as it becomes known.

``--drift`` simulates a change in the field in the current data only: a new imaging device
measures cell sizes about 25 % larger, and most screenings now come from a new site.
``--after-shift`` makes all three sets from the world after that change (what retraining sees).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from bc_example import LABEL

SITES = ("north", "south", "east", "west")
#: columns a new imaging device measures larger when --drift is given
DRIFTED_COLUMNS = ("mean_radius", "mean_perimeter", "mean_area", "worst_radius")


def load_frame(seed: int = 7) -> pd.DataFrame:
    """The bundled data with snake_case names, the label as ``malignant`` and a screening site."""
    bunch = load_breast_cancer(as_frame=True)
    frame = bunch.data.rename(columns=lambda c: c.replace(" ", "_"))
    rng = np.random.default_rng(seed)
    frame.insert(0, "site", rng.choice(SITES, size=len(frame), p=[0.4, 0.3, 0.2, 0.1]))
    frame[LABEL] = (bunch.target == 0).astype("int64")  # sklearn codes malignant as 0
    return frame


def split(frame: pd.DataFrame, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    reference, rest = train_test_split(frame, test_size=0.4, random_state=seed, stratify=frame[LABEL])
    holdout, current = train_test_split(rest, test_size=0.5, random_state=seed, stratify=rest[LABEL])
    return reference.reset_index(drop=True), holdout.reset_index(drop=True), current.reset_index(drop=True)


def add_drift(current: pd.DataFrame, seed: int = 11) -> pd.DataFrame:
    drifted = current.copy()
    for column in DRIFTED_COLUMNS:
        factor = 1.5625 if column.endswith("area") else 1.25  # area grows with the square of the radius
        drifted[column] = drifted[column] * factor
    rng = np.random.default_rng(seed)
    drifted["site"] = rng.choice(["north", "new-site"], size=len(drifted), p=[0.3, 0.7])
    return drifted


def write(out: Path, *, drift: bool = False, after_shift: bool = False) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    frame = load_frame()
    reference, holdout, current = split(add_drift(frame) if after_shift else frame)
    if drift and not after_shift:
        current = add_drift(current)
    paths = {}
    for name, frame in (("reference", reference), ("holdout", holdout), ("current", current)):
        paths[name] = out / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data"), help="folder for the CSV files (default: data)")
    parser.add_argument("--drift", action="store_true", help="simulate drift in the current data")
    parser.add_argument("--after-shift", action="store_true", help="make all sets from the drifted world")
    args = parser.parse_args(argv)
    for name, path in write(args.out, drift=args.drift, after_shift=args.after_shift).items():
        print(f"{name}: {path} ({sum(1 for _ in path.open()) - 1} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
