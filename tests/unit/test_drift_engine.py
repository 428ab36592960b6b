"""The dataset-level engine: defaults flag exactly the drifted columns; saved and streamed statistics."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations.frames import as_source, compare_parquet, profile_parquet
from pytest_mlops.stats.driftset import DriftOptions, compare
from pytest_mlops.stats.refstats import ReferenceProfile

CATS = np.array(["a", "b", "c", "d", "e"])
BASE_P = [0.4, 0.3, 0.15, 0.1, 0.05]
DRIFTED = {"x3", "x7", "x12", "c2"}


def make(n: int, seed: int, drift: bool = False) -> pd.DataFrame:
    """12 numeric (normal, lognormal, integer) and 3 categorical columns; optional drift in 3 of them."""
    rng = np.random.default_rng(seed)
    cols: dict[str, object] = {}
    for i in range(12):
        if i % 3 == 0:
            cols[f"x{i}"] = rng.normal(10 * i, 1 + i, size=n)
        elif i % 3 == 1:
            cols[f"x{i}"] = rng.lognormal(0, 0.5 + i / 10, size=n)
        else:
            cols[f"x{i}"] = rng.poisson(3 + i, size=n).astype(np.int64)
    for j in range(3):
        cols[f"c{j}"] = rng.choice(CATS, size=n, p=BASE_P)
    df = pd.DataFrame(cols)
    if drift:
        df["x3"] = df["x3"] + 0.5 * 4  # mean shift of half a standard deviation
        df["x7"] = rng.lognormal(0, 1.2 * (0.5 + 7 / 10), size=n)  # wider spread
        df["c2"] = rng.choice(CATS, size=n, p=[0.25, 0.3, 0.15, 0.1, 0.2])
    return df


def add_x12(df: pd.DataFrame, seed: int, drift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed + 100)
    x = rng.normal(0, 1, size=len(df))
    if drift:
        x[rng.random(len(df)) < 0.3] = np.nan  # null rate 0 -> 0.3: its own signal
    out = df.copy()
    out["x12"] = x
    return out


@pytest.mark.parametrize("n", [10_000, 100_000, 1_000_000])
def test_defaults_flag_exactly_the_drifted_columns(n: int) -> None:
    ref = add_x12(make(n, 1), 1, False)
    cur = add_x12(make(n, 2, drift=True), 2, True)
    result = compare(as_source(ref, "reference"), as_source(cur, "current"))
    assert {c.column for c in result.drifted} == DRIFTED
    x12 = next(c for c in result.columns if c.column == "x12")
    assert x12.null_drifted
    assert not x12.distribution_drifted
    assert x12.null_rate_current == pytest.approx(0.3, abs=0.02)


def test_same_distribution_at_one_million_rows_flags_nothing() -> None:
    n = 1_000_000
    result = compare(as_source(add_x12(make(n, 11), 11, False), "r"), as_source(add_x12(make(n, 12), 12, False), "c"))
    assert result.drifted == []
    assert len(result.columns) == 16
    assert {c.method for c in result.columns} == {"ks", "chi2"}  # one calibrated test at every size


def test_small_samples_use_tests_and_can_correct_for_multiplicity() -> None:
    ref = make(400, 3)
    cur = make(300, 4)
    plain = compare(as_source(ref, "r"), as_source(cur, "c"), options=DriftOptions(correction=None))
    assert {c.method for c in plain.columns} == {"ks", "chi2"}
    corrected = compare(as_source(ref, "r"), as_source(cur, "c"), options=DriftOptions(correction="bonferroni"))
    for a in corrected.columns:
        assert a.p_adjusted == pytest.approx(min(1.0, a.score * 15))  # type: ignore[operator]
    assert len(corrected.drifted) <= len(plain.drifted)


def test_same_inputs_same_result() -> None:
    ref, cur = make(50_000, 5), make(50_000, 6, drift=True)
    a = compare(as_source(ref, "r"), as_source(cur, "c"), options=DriftOptions(workers=2))
    b = compare(as_source(ref, "r"), as_source(cur, "c"), options=DriftOptions(workers=1))
    assert [c.to_details() for c in a.columns] == [c.to_details() for c in b.columns]


def test_polars_frames_give_the_same_scores() -> None:
    pl = pytest.importorskip("polars")
    ref, cur = make(40_000, 7), make(40_000, 8, drift=True)
    a = compare(as_source(ref, "r"), as_source(cur, "c"))
    b = compare(as_source(pl.from_pandas(ref), "r"), as_source(pl.from_pandas(cur), "c"))
    assert [(c.column, c.score) for c in a.columns] == [(c.column, c.score) for c in b.columns]


def test_saved_statistics_and_streamed_parquet(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    ref, cur = make(120_000, 9), make(90_000, 10, drift=True)
    ref_path, cur_path = tmp_path / "ref.parquet", tmp_path / "cur.parquet"
    ref.to_parquet(ref_path)
    cur.to_parquet(cur_path)
    in_memory = ReferenceProfile.from_source(as_source(ref, "r"), list(ref.columns), as_source(ref, "r").kinds())
    saved = ReferenceProfile.load(in_memory.save(tmp_path / "stats.json"))
    assert (tmp_path / "stats.json").stat().st_size < 700_000
    streamed_ref = profile_parquet(ref_path, batch_rows=25_000, sample=50_000)
    exact = {c.column: c for c in compare(as_source(ref, "r"), as_source(cur, "c")).columns}
    from_saved = {c.column: c for c in compare(saved, as_source(cur, "c")).columns}
    streamed_result = compare_parquet(streamed_ref, cur_path, batch_rows=30_000)
    streamed = {c.column: c for c in streamed_result.columns}
    assert streamed_result.notes == [
        "reference bin edges placed from a seeded sample of 50000 values per column (seed 0); all counts are exact"
    ]
    assert ReferenceProfile.load(streamed_ref.save(tmp_path / "s2.json")).edge_sample == {"rows": 50_000, "seed": 0}
    assert {k for k, c in from_saved.items() if c.drifted} == {"x3", "x7", "c2"}
    assert {k for k, c in streamed.items() if c.drifted} == {"x3", "x7", "c2"}
    for name, e in exact.items():
        s = from_saved[name]
        if e.type == "numeric":
            # saved grid deciles are the exact deciles: binned measures are equal
            assert s.scores["psi"] == pytest.approx(e.scores["psi"], rel=1e-9)
            lo, err = s.scores["ks_statistic"], s.ks_error
            assert lo - 1e-12 <= e.scores["ks_statistic"] <= lo + err + 1e-12
            assert err <= 0.01
        else:
            assert s.scores == e.scores
            assert streamed[name].scores == e.scores


def test_bad_inputs_are_explained() -> None:
    ref = make(200, 1)
    with pytest.raises(MlopsInputError, match=r"current lacks column\(s\) \['x3'\].*exclude=\['x3'\]"):
        compare(as_source(ref, "r"), as_source(ref.drop(columns="x3"), "c"))
    mixed = ref.assign(x0=ref["x0"].astype(str))
    with pytest.raises(MlopsInputError, match=r"column 'x0' is numeric in reference \(float64\) but categorical"):
        compare(as_source(ref, "r"), as_source(mixed, "c"))
    assert compare(as_source(ref, "r"), as_source(mixed, "c"), categorical=["x0"]).columns
    with pytest.raises(MlopsInputError, match="current has no rows"):
        compare(as_source(ref, "r"), as_source(ref.iloc[:0], "c"))
    with pytest.raises(MlopsInputError, match=r"methods\['c0'\]='wasserstein' does not apply to categorical"):
        compare(as_source(ref, "r"), as_source(ref, "c"), options=DriftOptions(methods={"c0": "wasserstein"}))


def test_all_null_and_infinite_values() -> None:
    ref = pd.DataFrame({"a": np.arange(100.0), "b": np.arange(100.0)})
    cur = pd.DataFrame({"a": np.full(100, np.nan), "b": np.r_[np.arange(98.0), np.inf, -np.inf]})
    result = compare(as_source(ref, "r"), as_source(cur, "c"))
    a = next(c for c in result.columns if c.column == "a")
    assert a.method == "null_rate"
    assert a.drifted
    assert "no non-null values in current" in a.notes[0]
    b = next(c for c in result.columns if c.column == "b")
    assert b.n_current == 98
    assert "infinite values left out: 0 in reference, 2 in current" in b.notes


def test_datetimes_are_numeric_seconds_in_every_reader(tmp_path: Path) -> None:
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(3)
    base = np.datetime64("2026-01-01T00:00:00", "us")
    ref = pd.DataFrame({"t": base + rng.integers(0, 86_400_000_000, 3000).astype("timedelta64[us]")})
    cur = pd.DataFrame({"t": base + rng.integers(0, 86_400_000_000, 2000).astype("timedelta64[us]")})
    cur.loc[:9, "t"] = pd.NaT
    ref.to_parquet(tmp_path / "ref.parquet")
    cur.to_parquet(tmp_path / "cur.parquet")
    a = compare(as_source(ref, "r"), as_source(cur, "c")).columns[0]
    b = compare(as_source(pl.from_pandas(ref), "r"), as_source(pl.from_pandas(cur), "c")).columns[0]
    assert a.type == "numeric"
    assert a.scores == b.scores
    assert a.null_rate_current == pytest.approx(10 / 2000)
    assert a.histogram["edges"][0] == pytest.approx(ref["t"].min().timestamp(), abs=1e-3)
    streamed = compare_parquet(profile_parquet(tmp_path / "ref.parquet"), tmp_path / "cur.parquet")
    assert streamed.columns[0].n_current == 1990
    assert streamed.columns[0].scores["psi"] == pytest.approx(a.scores["psi"], abs=0.02)


def test_a_passing_small_sample_says_what_it_could_have_missed() -> None:
    from pytest_mlops.gates.drift import data_drift

    rng = np.random.default_rng(11)
    small = data_drift(pd.DataFrame({"x": rng.normal(size=120)}), pd.DataFrame({"x": rng.normal(size=120)}))
    assert small.passed
    blind = small.details["undetectable"]
    assert blind["n"] == 120
    assert 0.2 < blind["mean_shift_sigma"] < 1.0
    # the summary (the line every renderer shows for a passing gate) carries it, not only the evidence
    assert small.summary.endswith(
        f"at n=120 a mean shift below {blind['mean_shift_sigma']:.2g} sigma could go unnoticed"
    )
    assert small.evidence[0].startswith("note: at n=120 (x) a mean shift below ")

    large = data_drift(pd.DataFrame({"x": rng.normal(size=20_000)}), pd.DataFrame({"x": rng.normal(size=20_000)}))
    assert large.passed
    assert large.details["undetectable"] is None
    assert "unnoticed" not in large.summary


def test_prediction_and_label_drift_take_the_dataset_gate_s_options() -> None:
    from pytest_mlops.gates.drift import label_drift, prediction_drift

    rng = np.random.default_rng(4)
    scores = prediction_drift(rng.random(500), rng.random(500), correction=None, seed=7, min_effect=0.0)
    assert scores.details["correction"] is None
    assert scores.details["seed"] == 7
    labels = label_drift(rng.integers(0, 3, 500), rng.integers(0, 3, 500), correction="bonferroni", seed=3)
    assert labels.details["correction"] == "bonferroni"
    assert labels.details["seed"] == 3
    with pytest.raises(MlopsInputError, match="correction='holmes' is not known"):
        label_drift(rng.integers(0, 3, 50), rng.integers(0, 3, 50), correction="holmes")
