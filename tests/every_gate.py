"""Every gate check, run for real on small data: one passing and one failing result per check.

Shared by the details-contract test (which runs the cases in-process) and the HTML tests
(which copy this file into a pytester project and run each case as a test), so the report
they render holds a real result of every check, failing ones first.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

#: (check, passes, call): ``call(workdir)`` runs one real gate.
Case = tuple[str, bool, Callable[[Path], Any]]


@cache
def _data() -> Any:
    import numpy as np
    import pandas as pd
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = load_breast_cancer(as_frame=True).frame
    features = list(frame.columns[:6])
    X, y = frame[features], frame["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    good = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X_train, y_train)
    bad = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X_train[features[-1:]], y_train)

    class OneFeature:
        """A worse model on the same inputs (uses one feature only)."""

        classes_ = bad.classes_

        def predict(self, X: Any) -> Any:
            return bad.predict(X[features[-1:]])

        def predict_proba(self, X: Any) -> Any:
            return bad.predict_proba(X[features[-1:]])

    rng = np.random.default_rng(0)
    n = 400
    reference = pd.DataFrame(
        {
            "year": rng.integers(2007, 2010, n),
            "amount": rng.normal(50, 10, n),
            "plan": rng.choice(["basic", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
        }
    )
    current = pd.DataFrame(
        {
            "year": rng.integers(2008, 2011, n),
            "amount": rng.normal(58, 10, n),
            "plan": rng.choice(["basic", "pro", "team"], n, p=[0.3, 0.3, 0.4]),
        }
    )
    return {
        "X_test": X_test.reset_index(drop=True),
        "y_test": y_test.reset_index(drop=True),
        "y_train": y_train,
        "good": good,
        "bad": OneFeature(),
        "reference": reference,
        "current": current,
        "same": reference.sample(frac=1.0, random_state=1).reset_index(drop=True),
    }


def _schema(workdir: Path, at_least: int) -> Path:
    path = workdir / f"schema-{at_least}.yaml"
    path.write_text(
        "schema_type: dataframe\nversion: 0.1.0\ncolumns:\n"
        "  year:\n    dtype: int64\n    nullable: false\n    checks:\n"
        f"      greater_than_or_equal_to: {at_least}\n"
        "  amount:\n    dtype: float64\n    nullable: false\n"
        "  plan:\n    dtype: str\n    nullable: false\n",
        encoding="utf-8",
    )
    return path


def schema(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.schema import check

    d = _data()
    return check(d["reference"], _schema(workdir, 2000 if passes else 2008), name=f"orders schema {passes}")


def expectations(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.feature import expect

    d = _data()
    bounds = {"at_least": 2000} if passes else {"at_least": 2008}
    return expect(d["reference"], "year", null_rate_at_most=0.0, name=f"year range {passes}", **bounds)


def example_skew(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.skew import example_skew as gate

    d = _data()
    serving = d["reference"].copy()
    if not passes:
        serving.loc[:5, "amount"] += 1.0
    return gate(d["reference"], serving, name=f"feature code skew {passes}")


def distribution_skew(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.skew import distribution_skew as gate

    d = _data()
    return gate(d["reference"], d["same"] if passes else d["current"], name=f"serving distribution {passes}")


def leakage(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.leakage import leakage as gate

    d = _data()
    frame = d["X_test"].assign(label=d["y_test"])
    if not passes:
        frame = frame.assign(leak=frame["label"] * 2 + 1)
    return gate(frame, "label", at_most=0.99, name=f"leakage {passes}")


def metric(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import check_metric

    d = _data()
    model = d["good"] if passes else d["bad"]
    return check_metric("roc_auc", d["y_test"], model=model, X=d["X_test"], at_least=0.95, name=f"roc_auc {passes}")


def champion(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import compare_to_champion

    d = _data()
    chal, champ = (d["good"], d["bad"]) if passes else (d["bad"], d["good"])
    return compare_to_champion("roc_auc", d["y_test"], X=d["X_test"], challenger=chal, champion=champ,
                               max_drop=0.01, name=f"roc_auc vs champion {passes}")  # fmt: skip


def non_inferiority(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import check_non_inferiority

    d = _data()
    chal, champ = (d["good"], d["bad"]) if passes else (d["bad"], d["good"])
    return check_non_inferiority("accuracy", d["y_test"], X=d["X_test"], challenger=chal, champion=champ, margin=0.01,
                                 n_resamples=200, name=f"accuracy non-inferior {passes}")  # fmt: skip


def slices(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import check_slices

    d = _data()
    X = d["X_test"]
    keys = (X["mean radius"] > X["mean radius"].median()).map({True: "large", False: "small"})
    model = d["good"] if passes else d["bad"]
    return check_slices("accuracy", d["y_test"], model=model, X=X, slices=keys.rename("size"), at_least=0.85,
                        min_size=20, name=f"accuracy per size {passes}")  # fmt: skip


def calibration(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.calibration import check_calibration

    d = _data()
    model = d["good"] if passes else d["bad"]
    return check_calibration(d["y_test"], model=model, X=d["X_test"], max_ece=0.08, min_brier_skill=0.5,
                             name=f"calibration {passes}")  # fmt: skip


def fairness(workdir: Path, passes: bool) -> Any:
    import numpy as np

    from pytest_mlops.gates.fairness import check_fairness

    d = _data()
    X = d["X_test"]
    groups = np.random.default_rng(3).choice(["a", "b"], len(X))  # unrelated to the label
    pred = d["good"].predict(X)
    if not passes:  # a model that never selects group b
        pred = np.where(groups == "b", 0, pred)
    return check_fairness(d["y_test"], pred, sensitive=groups, max_equalized_odds_difference=0.2, min_group_size=20,
                          name=f"fairness {passes}")  # fmt: skip


def invariance(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.robustness import check_invariance, noise

    d = _data()
    std = 0.01 if passes else 5.0
    return check_invariance(d["good"], d["X_test"], noise("mean radius", std, seed=1), max_flip_rate=0.05,
                            name=f"invariance {passes}")  # fmt: skip


def directional(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.robustness import check_directional

    d = _data()
    # larger tumours are more often malignant (target 0): P(benign) falls as the radius grows
    return check_directional(d["good"], d["X_test"], "mean radius", delta=1.0,
                             monotone="decreasing" if passes else "increasing", max_flip_rate=0.05,
                             name=f"directional {passes}")  # fmt: skip


def weak_segments(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.segments import check_weak_segments

    d = _data()
    X = d["X_test"]
    model = d["good"] if passes else d["bad"]
    return check_weak_segments("accuracy", d["y_test"], model=model, X=X, max_gap=0.3 if passes else 0.0,
                               min_size=20, pairs=False, name=f"weak segments {passes}")  # fmt: skip


def baseline(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import check_baseline

    d = _data()
    return check_baseline("accuracy", d["y_test"], model=d["good"], X=d["X_test"], y_train=d["y_train"],
                          min_gain=0.2 if passes else 0.9, name=f"accuracy vs baseline {passes}")  # fmt: skip


def latency(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import check_latency

    d = _data()
    return check_latency(d["good"], d["X_test"], p95_ms_at_most=250 if passes else 1e-6, batches=20,
                         name=f"latency {passes}")  # fmt: skip


def model_size(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.model import check_size

    d = _data()
    return check_size(d["good"], mb_at_most=50 if passes else 1e-4, name=f"model size {passes}")


def data_drift(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.drift import data_drift as gate

    d = _data()
    return gate(d["reference"], d["same"] if passes else d["current"], method="ks" if passes else None,
                correction="bh", name=f"data drift {passes}")  # fmt: skip


def prediction_drift(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.drift import prediction_drift as gate

    d = _data()
    ref = d["good"].predict_proba(d["X_test"])[:, 1]
    cur = ref if passes else d["bad"].predict_proba(d["X_test"])[:, 1]
    return gate(ref, cur, name=f"prediction drift {passes}")


def label_drift(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.drift import label_drift as gate

    d = _data()
    y = d["y_test"]
    return gate(y, y if passes else 1 - y[: len(y) // 2], name=f"label drift {passes}")


def multivariate_drift(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.drift import multivariate_drift as gate

    d = _data()
    return gate(d["reference"], d["same"] if passes else d["current"], threshold=0.2, name=f"multivariate {passes}")


def shadow(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.deployment import shadow as gate

    d = _data()
    other = d["good"] if passes else d["bad"]
    return gate(d["good"], other, d["X_test"], max_disagreement=0.05, name=f"shadow {passes}")


def canary(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.deployment import canary as gate

    canary_outcomes = [1] * 900 + [0] * 100 if passes else [1] * 600 + [0] * 400
    return gate(canary_outcomes, [1] * 880 + [0] * 120, max_drop=0.02, min_samples=200, name=f"canary {passes}")


def ab_proportions(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.deployment import ab_proportions as gate

    return gate(480, 10_000, 700 if passes else 485, 10_000, min_effect=0.005, name=f"A/B conversion {passes}")


def ab_means(workdir: Path, passes: bool) -> Any:
    import numpy as np

    from pytest_mlops.gates.deployment import ab_means as gate

    rng = np.random.default_rng(3)
    control = rng.normal(10, 2, 800)
    treatment = rng.normal(11 if passes else 10, 2, 800)
    return gate(control, treatment, min_effect=0.3, name=f"A/B revenue {passes}")


def sample_ratio(workdir: Path, passes: bool) -> Any:
    from pytest_mlops.gates.deployment import sample_ratio as gate

    return gate([5_010, 4_990] if passes else [5_400, 4_600], planned=[1, 1], name=f"traffic split {passes}")


def stored_baseline(workdir: Path, passes: bool) -> Any:
    import json

    from pytest_mlops.gates.stored import FORMAT, check_against_baseline

    path = workdir / "baselines" / "auc.json"
    path.parent.mkdir(exist_ok=True)
    stored = {"format": FORMAT, "name": "auc", "value": 0.9, "direction": "higher"}
    path.write_text(json.dumps(stored), encoding="utf-8")
    return check_against_baseline(f"auc vs stored {passes}", 0.905 if passes else 0.85, path, max_drop=0.01,
                                  kind="model")  # fmt: skip


def generic(workdir: Path, passes: bool) -> Any:
    from pytest_mlops import gate

    return gate(f"revenue per user {passes}", 3.4 if passes else 2.1, at_least=3.0)


def point_in_time(workdir: Path, passes: bool) -> Any:
    import numpy as np
    import pandas as pd

    from pytest_mlops.gates.featurestore import point_in_time as gate

    base = pd.Timestamp("2026-01-01", tz="UTC")
    times = [base + pd.Timedelta(hours=6 * i) for i in range(4)]
    vitals = pd.DataFrame({"patient_id": np.repeat(np.arange(5), 4), "event_timestamp": np.tile(times, 5)})
    vitals["heart_rate"] = np.arange(len(vitals), dtype=float)
    events = pd.DataFrame({"patient_id": [0, 1, 2, 3, 4], "event_timestamp": [base + pd.Timedelta(hours=7)] * 5})
    joined = pd.merge_asof(events.sort_values("event_timestamp"), vitals.sort_values("event_timestamp"),
                           on="event_timestamp", by="patient_id").reset_index(drop=True)  # fmt: skip
    if not passes:  # one row sees its patient's value from 5 hours later
        later = vitals[(vitals.patient_id == 0) & (vitals.event_timestamp == base + pd.Timedelta(hours=12))]
        joined.loc[joined.patient_id == 0, "heart_rate"] = float(later.heart_rate.iloc[0])
    return gate(joined, {"vitals": vitals}, entity="patient_id", name=f"point in time {passes}")


def reproducibility(workdir: Path, passes: bool) -> Any:
    import numpy as np

    from pytest_mlops.gates.reproducibility import reproducible

    draws = iter(range(10))

    def train(seed: int) -> dict[str, Any]:
        rng = np.random.default_rng(seed if passes else seed + next(draws))
        return {"metrics": {"accuracy": float(rng.uniform())}, "predictions": rng.uniform(size=5)}

    return reproducible(train, seed=3, name=f"reproducible {passes}")


CHECKS: dict[str, Callable[[Path, bool], Any]] = {
    "schema": schema,
    "expectations": expectations,
    "example_skew": example_skew,
    "distribution_skew": distribution_skew,
    "leakage": leakage,
    "metric": metric,
    "champion": champion,
    "non_inferiority": non_inferiority,
    "slices": slices,
    "weak_segments": weak_segments,
    "baseline": baseline,
    "calibration": calibration,
    "fairness": fairness,
    "invariance": invariance,
    "directional": directional,
    "latency": latency,
    "model_size": model_size,
    "data_drift": data_drift,
    "prediction_drift": prediction_drift,
    "label_drift": label_drift,
    "multivariate_drift": multivariate_drift,
    "shadow": shadow,
    "canary": canary,
    "ab_proportions": ab_proportions,
    "ab_means": ab_means,
    "sample_ratio": sample_ratio,
    "stored_baseline": stored_baseline,
    "": generic,
    "point_in_time": point_in_time,
    "reproducibility": reproducibility,
}

#: checks that cannot run in the main environment (deepchecks has its own)
NOT_HERE = {
    "deepchecks": "deepchecks runs in its own environment (scripts/test-deepchecks.sh)",
    "online_offline": "Feast runs in its own environment (scripts/test-feast.sh)",
    "freshness": "Feast runs in its own environment (scripts/test-feast.sh)",
}


def run(check: str, passes: bool, workdir: str | os.PathLike[str]) -> Any:
    """Run the real gate of ``check`` (passing or failing) in ``workdir``."""
    return CHECKS[check](Path(workdir), passes)
