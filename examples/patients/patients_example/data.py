"""Deterministic patient data: vitals every 6 hours, labs once a day, admissions with a label.

``training_set()`` joins them point in time (``pandas.merge_asof`` by patient, within each
table's TTL), as Feast's ``get_historical_features`` would. ``training_set(leaky=True)`` joins
every admission with its patient's *latest* values instead: the commonest silent leak.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2026-03-01", tz="UTC")
DAYS = 7
PATIENTS = 200
#: the feature views' TTLs (feature_repo/features.py)
TTL = {"vitals": pd.Timedelta(days=1), "labs": pd.Timedelta(days=2)}


def vitals(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    times = [START + pd.Timedelta(hours=6 * i) for i in range(DAYS * 4)]
    frame = pd.DataFrame(
        {
            "patient_id": np.repeat(np.arange(PATIENTS, dtype="int64"), len(times)),
            "event_timestamp": pd.DatetimeIndex(times * PATIENTS).as_unit("us"),
        }
    )
    frame["heart_rate"] = rng.normal(75, 10, len(frame)).round(1)
    frame["systolic_bp"] = rng.normal(125, 15, len(frame)).round(0)
    return frame


def labs(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    times = [START + pd.Timedelta(days=d, hours=8) for d in range(DAYS)]
    frame = pd.DataFrame(
        {
            "patient_id": np.repeat(np.arange(PATIENTS, dtype="int64"), len(times)),
            "event_timestamp": pd.DatetimeIndex(times * PATIENTS).as_unit("us"),
        }
    )
    frame["creatinine"] = rng.lognormal(0.0, 0.3, len(frame)).round(2)
    return frame


def admissions(seed: int = 2, n: int = 1000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "patient_id": rng.integers(0, PATIENTS, n).astype("int64"),
            "event_timestamp": START
            + pd.Timedelta(hours=12)
            + pd.to_timedelta(rng.integers(0, (DAYS - 1) * 86_400, n), unit="s"),
        }
    )
    frame["event_timestamp"] = frame["event_timestamp"].dt.as_unit("us")
    frame["readmitted"] = rng.integers(0, 2, n)
    return frame


def tables() -> dict[str, pd.DataFrame]:
    return {"vitals": vitals(), "labs": labs()}


def training_set(*, leaky: bool = False) -> pd.DataFrame:
    events = admissions().sort_values("event_timestamp", kind="stable")
    out = events
    for name, table in tables().items():
        table = table.sort_values("event_timestamp", kind="stable")
        if leaky:  # every row gets the patient's newest values, whatever the admission time
            latest = table.groupby("patient_id").tail(1).drop(columns="event_timestamp")
            out = out.merge(latest, on="patient_id", how="left")
        else:
            out = pd.merge_asof(out, table, on="event_timestamp", by="patient_id", tolerance=TTL[name])
    return out.reset_index(drop=True)


def write(folder: str | Path) -> Path:
    """Write the feature tables where the feature repository reads them (``<folder>/data/*.parquet``)."""
    data = Path(folder) / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, table in tables().items():
        table.to_parquet(data / f"{name}.parquet", index=False)
    return data
