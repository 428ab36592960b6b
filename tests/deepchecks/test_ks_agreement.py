"""Our drift engine and deepchecks' FeatureDrift compute the same Kolmogorov–Smirnov statistic.

deepchecks samples each dataset to ``n_samples`` rows (100,000 by default) before comparing:
with ``n_samples=None`` both see all rows and agree exactly; with sampling on, they agree
exactly once our engine is given the rows deepchecks drew (``DataFrame.sample(n,
random_state=42)``, deepchecks' default seed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops.gates.deepchecks import skip_if_unavailable

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.gates.deepchecks import DeepchecksGates

COLUMNS = ("same", "shifted", "scaled", "ties", "with_nan")


@pytest.fixture(scope="module")
def samples() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reference and current frames: no change, a mean shift, a scale change, ties, NaNs."""
    skip_if_unavailable()
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    n, m = 3000, 2500
    reference = pd.DataFrame(
        {
            "same": rng.normal(size=n),
            "shifted": rng.normal(size=n),
            "scaled": rng.normal(size=n),
            "ties": rng.integers(0, 12, size=n).astype(float),
            "with_nan": rng.exponential(size=n),
        }
    )
    current = pd.DataFrame(
        {
            "same": rng.normal(size=m),
            "shifted": rng.normal(0.3, size=m),
            "scaled": rng.normal(scale=1.5, size=m),
            "ties": rng.integers(1, 12, size=m).astype(float),
            "with_nan": rng.exponential(1.2, size=m),
        }
    )
    reference.loc[::17, "with_nan"] = np.nan
    current.loc[::11, "with_nan"] = np.nan
    return reference, current


def _deepchecks_ks(gates: DeepchecksGates, reference: Any, current: Any, n_samples: int | None) -> dict[str, float]:
    from deepchecks.tabular.checks import FeatureDrift

    check = FeatureDrift(numerical_drift_method="KS", n_samples=n_samples)
    result = gates.evaluate(check, reference, current, cat_features=[])
    [check_result] = result.results
    assert {info["Method"] for info in check_result.value.values()} == {"Kolmogorov-Smirnov"}
    return {column: float(info["Drift score"]) for column, info in check_result.value.items()}


def _our_ks(reference: pd.Series, current: pd.Series) -> float:
    from pytest_mlops.stats.drift import compare_numeric

    comparison = compare_numeric(reference.dropna().to_numpy(float), current.dropna().to_numpy(float))
    assert comparison.ks_error == 0.0  # exact, not a bound
    return comparison.ks_statistic


def test_engine_and_gate_match_feature_drift_without_sampling(
    mlops_deepchecks: DeepchecksGates, samples: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    from pytest_mlops.gates.drift import data_drift

    reference, current = samples
    theirs = _deepchecks_ks(mlops_deepchecks, reference, current, n_samples=None)
    ours = {column: _our_ks(reference[column], current[column]) for column in COLUMNS}
    assert set(theirs) == set(COLUMNS)
    for column in COLUMNS:
        assert ours[column] == pytest.approx(theirs[column], abs=1e-12), column
    # and our drift gate reports the same statistic per column
    gate = data_drift(reference, current, method="ks_stat", thresholds=dict.fromkeys(COLUMNS, 1.0), name="ks")
    columns = gate.details["columns"]
    assert isinstance(columns, list)
    reported = {c["column"]: c["score"] for c in columns if isinstance(c, dict) and c["method"] == "ks_stat"}
    assert reported.keys() == set(COLUMNS)
    for column in COLUMNS:
        assert reported[column] == pytest.approx(theirs[column], abs=1e-12), column


def test_with_sampling_the_same_rows_give_the_same_statistic(
    mlops_deepchecks: DeepchecksGates, samples: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    reference, current = samples
    n = 1000
    theirs = _deepchecks_ks(mlops_deepchecks, reference, current, n_samples=n)
    ref_rows, cur_rows = reference.sample(n, random_state=42), current.sample(n, random_state=42)
    full = _deepchecks_ks(mlops_deepchecks, reference, current, n_samples=None)
    for column in COLUMNS:
        assert _our_ks(ref_rows[column], cur_rows[column]) == pytest.approx(theirs[column], abs=1e-12), column
    # sampling is what separates them from the full-data statistic (by up to ~0.06 here)
    assert max(abs(theirs[c] - full[c]) for c in COLUMNS) > 0.01
