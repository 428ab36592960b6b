"""pytest_mlops.integrations.loading: loading, identity, fingerprints, input checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations.loading import fingerprint, identity, load_frame, require_columns, require_not_empty


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", None], "c": [0.5, np.nan, np.inf]})


@pytest.mark.parametrize("name", ["d.csv", "d.parquet", "d.tsv"])
def test_load_round_trip_and_identity(tmp_path: Path, frame: pd.DataFrame, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".parquet"):
        frame.to_parquet(path)
    else:
        frame.to_csv(path, index=False, sep="\t" if name.endswith(".tsv") else ",")
    loaded = load_frame(path)
    assert list(loaded.columns) == ["a", "b", "c"]
    assert loaded["a"].tolist() == [1, 2, 3]
    ident = identity(loaded)
    assert ident is not None
    assert ident.rows == 3
    assert ident.path == str(path)
    assert fingerprint(loaded) == ident.sha256 == fingerprint(path)
    assert identity(loaded.copy()) is None  # a copy is not the file any more


def test_fingerprint_is_content_based(frame: pd.DataFrame) -> None:
    same = frame.copy()
    same.index = [10, 11, 12]  # the index is ignored
    assert fingerprint(frame) == fingerprint(same)
    changed = frame.copy()
    changed.loc[0, "a"] = 9
    assert fingerprint(changed) != fingerprint(frame)
    assert fingerprint(frame.astype({"a": float})) != fingerprint(frame)  # dtypes count
    assert fingerprint(frame.rename(columns={"a": "z"})) != fingerprint(frame)
    assert len(fingerprint(frame)) == 64


def test_fingerprint_polars_and_arrays() -> None:
    pl = pytest.importorskip("polars")
    a = pl.DataFrame({"x": [1, 2], "y": ["p", "q"]})
    assert fingerprint(a) == fingerprint(a.lazy())
    assert fingerprint(a) != fingerprint(a.with_columns(pl.col("x") + 1))
    assert fingerprint(np.arange(3)) != fingerprint(np.arange(4))
    with pytest.raises(MlopsInputError, match="cannot fingerprint a dict"):
        fingerprint({"x": 1})


def test_fingerprint_unhashable_cells() -> None:
    frame = pd.DataFrame({"lists": [[1, 2], [3]]})
    assert fingerprint(frame) == fingerprint(pd.DataFrame({"lists": [[1, 2], [3]]}))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, r"data file '.*missing\.csv' does not exist"),
        ("data.txt", b"a\n1\n", r"unsupported file type; use CSV \(\.csv, \.tsv\) or Parquet"),
        ("empty.csv", b"", r"is empty \(no header row\)"),
        ("dup.csv", b"a,b,a\n1,2,3\n", r"has duplicate column names: 'a'; rename them"),
        ("bad.parquet", b"PAR1 garbage", r"could not be read as PARQUET"),
    ],
)
def test_load_errors(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(MlopsInputError, match=message):
        load_frame(path)


def test_load_requested_columns(tmp_path: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(tmp_path / "d.csv", index=False)
    assert list(load_frame(tmp_path / "d.csv", columns=["a"]).columns) == ["a"]
    with pytest.raises(MlopsInputError, match="some of the requested columns are missing"):
        load_frame(tmp_path / "d.csv", columns=["nope"])


def test_load_polars(tmp_path: Path, frame: pd.DataFrame) -> None:
    pytest.importorskip("polars")
    from pytest_mlops.integrations.loading import load_polars

    frame.to_parquet(tmp_path / "d.parquet")
    loaded = load_polars(tmp_path / "d.parquet")
    assert loaded.height == 3
    assert identity(loaded) is not None
    (tmp_path / "bad.parquet").write_bytes(b"xx")
    with pytest.raises(MlopsInputError, match="could not be read as PARQUET"):
        load_polars(tmp_path / "bad.parquet")


def test_require_helpers(frame: pd.DataFrame) -> None:
    require_columns(frame, ["a", "b"])
    with pytest.raises(MlopsInputError, match=r"data has no column 'zz'; its columns are: 'a', 'b', 'c'"):
        require_columns(frame, ["zz"])
    with pytest.raises(MlopsInputError, match=r"has no rows \(0 rows, 3 columns\)"):
        require_not_empty(frame.iloc[:0])
