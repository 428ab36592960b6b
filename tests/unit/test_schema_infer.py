"""``schema infer``: no silent coercion, isin lists for low-cardinality text, integer bounds,
several input files; and feature ranges that count inf as outside."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from pytest_mlops.cli import main
from pytest_mlops.errors import GateFailure
from pytest_mlops.gates.feature import expect
from pytest_mlops.integrations.pandera import dump_schema, infer_schema, load_schema, validate


@pytest.fixture
def penguins() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 344
    return pd.DataFrame(
        {
            "rowid": np.arange(1, n + 1),
            "species": rng.choice(["Adelie", "Chinstrap", "Gentoo"], n),
            "sex": rng.choice(["female", "male"], n),
            "name": [f"bird-{i}" for i in range(n)],  # one value per row: an id, not a category
            "mass": rng.normal(4200, 300, n),
        }
    )


def _columns(text: str) -> dict:
    return yaml.safe_load(text)["columns"]


def test_infer_writes_isin_for_low_cardinality_text(penguins: pd.DataFrame) -> None:
    columns = _columns(dump_schema(infer_schema(penguins)))
    assert columns["species"]["isin"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert columns["sex"]["isin"] == ["female", "male"]
    assert "isin" not in columns["name"]
    assert "isin" not in columns["mass"]
    assert "isin" not in _columns(dump_schema(infer_schema(penguins, isin_max_levels=0)))["species"]


def test_infer_writes_integer_bounds_as_integers(penguins: pd.DataFrame) -> None:
    text = dump_schema(infer_schema(penguins))
    rowid = _columns(text)["rowid"]
    assert rowid["greater_than_or_equal_to"] == 1
    assert isinstance(rowid["greater_than_or_equal_to"], int)
    assert rowid["less_than_or_equal_to"] == 344
    assert isinstance(rowid["less_than_or_equal_to"], int)
    assert "344.0" not in text


def test_inferred_schema_does_not_coerce(tmp_path: Path) -> None:
    reference = pd.DataFrame({"amount": [1.5, 2.5, 3.5]})
    path = tmp_path / "s.yaml"
    path.write_text(dump_schema(infer_schema(reference)))
    assert "coerce" not in path.read_text()
    as_text = pd.DataFrame({"amount": ["1.5", "2.5", "3.5"]})
    failures = validate(as_text, load_schema(path).schema)
    assert "dtype('float64')" in [f.check for f in failures]
    # opting in gives pandera's coercing schema, which accepts the strings
    path.write_text(dump_schema(infer_schema(reference, coerce=True)))
    assert validate(as_text, load_schema(path).schema) == []


def test_cli_infer_reads_several_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pd.DataFrame({"n": [1, 2], "plan": ["free", "pro"]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"n": [7, 9], "plan": ["pro", "free"]}).to_csv(tmp_path / "b.csv", index=False)
    out = tmp_path / "s.yaml"
    assert main(["schema", "infer", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o", str(out)]) == 0
    n = _columns(out.read_text())["n"]
    assert (n["greater_than_or_equal_to"], n["less_than_or_equal_to"]) == (1, 9)
    assert _columns(out.read_text())["plan"]["isin"] == ["free", "pro"]
    assert "coerce" not in out.read_text()
    assert main(["schema", "infer", str(tmp_path / "a.csv"), "--coerce"]) == 0
    assert "coerce: true" in capsys.readouterr().out


@pytest.mark.mlops_stop_at_first  # pytest.raises(GateFailure) needs the failure raised where it happens
@pytest.mark.parametrize(
    ("bounds", "value"),
    [({"at_least": 0}, math.inf), ({"at_most": 10}, -math.inf), ({"at_least": 0, "at_most": 10}, math.inf)],
)
def test_range_counts_inf_as_outside(bounds: dict, value: float) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, value]})
    with pytest.raises(GateFailure) as info:
        expect(frame, "x", **bounds)
    assert "1 of 3 values" in str(info.value)
    assert ("inf" in str(info.value)) or ("-inf" in str(info.value))
