"""Data and a trained model for the deepchecks tests.

Every fixture that needs the deepchecks stack calls ``skip_if_unavailable()`` first, so on the
latest stack (numpy 2, where deepchecks 0.19.1 cannot import) these tests are skipped with
the reason a user would see, before any data is made. ``scripts/test-deepchecks.sh`` runs
them for real in ``.venv-deepchecks``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops.gates.deepchecks import skip_if_unavailable

if TYPE_CHECKING:
    import pandas as pd

LABEL = "churned"
NUMERIC = ["tenure", "spend", "tickets"]


def make_frame(n: int, seed: int, *, spend_shift: float = 0.0) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    tenure = rng.gamma(2.0, 12.0, size=n)
    spend = rng.normal(50.0 + spend_shift, 10.0, size=n)
    tickets = rng.poisson(1.5, size=n).astype(float)
    plan = rng.choice(["free", "pro", "team"], size=n, p=[0.5, 0.3, 0.2])
    logit = -0.04 * tenure + 0.05 * (spend - 50.0) + 0.6 * tickets - 0.5
    churned = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    return pd.DataFrame({"tenure": tenure, "spend": spend, "tickets": tickets, "plan": plan, LABEL: churned})


@pytest.fixture(scope="session")
def train_df() -> pd.DataFrame:
    skip_if_unavailable()
    return make_frame(800, seed=1)


@pytest.fixture(scope="session")
def holdout_df() -> pd.DataFrame:
    skip_if_unavailable()
    return make_frame(400, seed=2)


@pytest.fixture(scope="session")
def drifted_df() -> pd.DataFrame:
    """Same population as ``holdout_df`` but spend moved by one standard deviation."""
    skip_if_unavailable()
    return make_frame(400, seed=2, spend_shift=10.0)


@pytest.fixture(scope="session")
def model(train_df: pd.DataFrame) -> Any:
    """A scikit-learn random forest trained on the numeric features."""
    from sklearn.ensemble import RandomForestClassifier

    clf = RandomForestClassifier(n_estimators=40, max_depth=4, random_state=0)
    return clf.fit(train_df[NUMERIC], train_df[LABEL])
