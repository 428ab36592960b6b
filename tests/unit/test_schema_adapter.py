"""The pandera adapter, the schema CLI and the skew distances, without pytester."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon

from pytest_mlops.cli import main
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gates.skew import jensen_shannon, l_infinity
from pytest_mlops.integrations.pandera import apply_environment, dump_schema, infer_schema, load_schema, validate


@pytest.fixture
def reference() -> pd.DataFrame:
    return pd.DataFrame({"age": [20, 30, 40], "plan": ["free", "pro", "pro"], "churned": [0, 1, 0]})


def test_infer_dump_load_round_trip(tmp_path: Path, reference: pd.DataFrame) -> None:
    for fmt in ("yaml", "json"):
        path = tmp_path / f"s.{fmt}"
        path.write_text(
            dump_schema(infer_schema(reference), fmt=fmt, environments={"serving": {"absent": ["churned"]}})
        )
        loaded = load_schema(path)
        assert loaded.backend == "pandas"
        assert loaded.environments == {"serving": {"absent": ["churned"], "optional": []}}
        assert validate(reference, loaded.schema) == []
        schema, absent = apply_environment(loaded, "serving")
        assert absent == ["churned"]
        assert "churned" not in schema.columns
        failures = validate(reference.assign(age=[20, 30, 99]), loaded.schema)
        assert [(f.column, f.check, f.count, f.examples) for f in failures] == [
            ("age", "less_than_or_equal_to(40)", 1, [99])
        ]


def test_summary_groups_counts_and_caps_examples() -> None:
    frame = pd.DataFrame({"x": np.arange(-100, 0)})
    failures = validate(frame, pa.DataFrameSchema({"x": pa.Column(int, pa.Check.ge(0)), "y": pa.Column(int)}))
    assert [f.line() for f in failures] == [
        "column 'y': missing from the data (column_in_dataframe)",
        "column 'x': greater_than_or_equal_to(0) failed for 100 values, e.g. -100, -99, -98 (rows 0, 1, 2)",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: [a", r"is not valid YAML: .* at line 1, column 12"),
        ("- 1\n", r"must hold a mapping with 'columns:'"),
        ("api: pandas\n", r"has no 'columns:' mapping"),
        ("columns:\n  a: {dtype: notadtype}\n", r"is not a valid pandera schema: "),
        ("columns:\n  a: {dtype: int64}\nenvironments: {serving: {drop: [a]}}\n", r"unknown key 'drop'"),
        ("columns:\n  a: {dtype: int64}\nenvironments: {serving: {optional: [b]}}\n", r"names 'b', which is not"),
    ],
)
def test_bad_schema_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(MlopsInputError, match=message):
        load_schema(path)


def test_cli_infer_and_validate(tmp_path: Path, reference: pd.DataFrame, capsys: pytest.CaptureFixture[str]) -> None:
    reference.to_csv(tmp_path / "train.csv", index=False)
    reference.drop(columns="churned").assign(age=[20, 30, 10]).to_parquet(tmp_path / "serve.parquet")
    schema = tmp_path / "schema.yaml"
    assert main(["schema", "infer", str(tmp_path / "train.csv"), "-o", str(schema), "--label", "churned"]) == 0
    assert "serving:\n    absent:\n    - churned" in schema.read_text()
    assert main(["schema", "validate", str(tmp_path / "train.csv"), str(schema), "--environment", "training"]) == 0
    capsys.readouterr()
    assert main(["schema", "validate", str(tmp_path / "serve.parquet"), str(schema), "--environment", "serving"]) == 1
    out = capsys.readouterr().out
    assert "column 'age': greater_than_or_equal_to(20) failed for 1 value, e.g. 10 (row 2)" in out
    assert main(["schema", "infer", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv' does not exist" in capsys.readouterr().err


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0.01, 10), min_size=2, max_size=8).flatmap(
        lambda p: st.tuples(st.just(p), st.lists(st.floats(0.01, 10), min_size=len(p), max_size=len(p)))
    )
)
def test_jensen_shannon_matches_scipy(pq: tuple[list[float], list[float]]) -> None:
    p, q = pq
    assert jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q, base=2) ** 2, abs=1e-9)
    assert 0 <= jensen_shannon(p, q) <= 1
    assert jensen_shannon(p, p) == pytest.approx(0, abs=1e-12)


def test_l_infinity() -> None:
    assert l_infinity([1, 1], [3, 1]) == pytest.approx(0.25)
    assert l_infinity([1, 0], [0, 1]) == 1
