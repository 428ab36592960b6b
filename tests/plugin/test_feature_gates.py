"""Feature gates through pytest: expectations, skew (both levels), leakage; exact failure text."""

from __future__ import annotations

# Heavy imports before pytester's in-process runs (they restore sys.modules afterwards).
import re

import numpy  # noqa: F401
import pandas  # noqa: F401
import pytest
import scipy.stats  # noqa: F401
import sklearn.tree  # noqa: F401

QUIET = ("-W", "ignore::pytest.PytestAssertRewriteWarning")


def glob(line: str) -> str:
    """Escape [ and ] for fnmatch (the messages print ranges and lists)."""
    return re.sub(r"([\[\]])", r"[\1]", line)


TESTS = """
import numpy as np
import pandas as pd
import pytest

REFERENCE = pd.DataFrame({"country": ["FR", "DE", "FR", "IT"] * 25, "age": np.arange(100) % 60 + 18})
CURRENT = pd.DataFrame({
    "country": ["FR", "DE", "ES", "PT"] * 25,
    "age": [np.nan, -3, 130] + list(range(20, 117)),
    "plan": ["free", "pro", "gold", "free"] * 25,
    "id": list(range(99)) + [7],
})

def test_expectations_pass(mlops_features):
    mlops_features.expect(REFERENCE, "age", null_rate_at_most=0, at_least=18, at_most=77,
                          quantiles={0.5: (40, 50)}, cardinality_at_most=60)

def test_null_rate(mlops_features):
    mlops_features.expect(CURRENT, "age", null_rate_at_most=0.0)

def test_range(mlops_features):
    mlops_features.expect(CURRENT, "age", at_least=0, at_most=120)

def test_unseen(mlops_features):
    mlops_features.expect(CURRENT, "country", reference=REFERENCE, unseen_share_at_most=0.1)

def test_unique(mlops_features):
    mlops_features.expect(CURRENT, "id", unique=True)

def test_cardinality_and_quantile(mlops_features):
    mlops_features.expect(CURRENT, "age", cardinality_at_least=200, quantiles={0.5: (30, 40)})

def test_columns_mixed_severity(mlops_features):
    mlops_features.expect_columns(CURRENT, {
        "age": {"null_rate_at_most": 0.05, "at_least": 0},
        "plan": {"allowed": ["free", "pro"], "severity": "warn"},
        "country": {"unseen_share_at_most": 0.0},
    }, reference=REFERENCE)

def train_fn(raw):
    return pd.DataFrame({"x2": raw["x"] * 2.0, "c": raw["c"].str.upper()})

def serve_fn(raw):
    out = train_fn(raw)
    out.loc[[3, 17], "x2"] += 0.5
    out.loc[5, "c"] = "Z"
    return out

RAW = pd.DataFrame({"x": np.linspace(0, 1, 50), "c": ["a", "b"] * 25})

def test_code_skew_ok(mlops_features):
    mlops_features.feature_code_skew(RAW, train_fn, train_fn)

def test_code_skew(mlops_features):
    mlops_features.feature_code_skew(RAW, train_fn, serve_fn, atol=1e-6)

def test_distribution_skew(mlops_features):
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(size=4000), "c": rng.choice(["a", "b"], 4000, p=[0.5, 0.5])})
    serve = pd.DataFrame({"x": rng.normal(1.0, size=4000), "c": rng.choice(["a", "b"], 4000, p=[0.8, 0.2])})
    mlops_features.distribution_skew(train, serve, bins=10)

def test_leakage(mlops_features):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 600)
    frame = pd.DataFrame({"noise": rng.normal(size=600), "refund_issued": y, "churned": y})
    mlops_features.leakage(frame, "churned")
"""

EXPECTED = [
    "*feature gate 'age' failed: null rate 0.01 > 0 (1 of 100 rows)",
    "*feature gate 'age' failed: 2 of 99 values outside [0, 120], e.g. 130, -3 (min -3, max 130)",
    "*feature gate 'country' failed: 2 unseen categories in 50 rows (share 0.5 > 0.1), e.g. 'ES', 'PT'",
    "*feature gate 'id' failed: 1 duplicated value, e.g. 7",
    "*feature gate 'age' failed: 2 of 2 expectations failed > 0",
    "*  column 'age': cardinality 99 < 200",
    "*  column 'age': quantile 0.5 = 68 > 40",
    "*feature gate 'training-serving skew' failed: 2 of 2 columns differ > 0 (3 cells over 50 rows)",
    "*  column 'x2': 2 of 50 rows differ, max |diff| 0.5 at row 3 (training 0.1224, serving 0.6224); rows 3, 17",
    "*  column 'c': 1 of 50 rows differ at row 5 (training 'B', serving 'Z')",
    "*feature gate 'training-serving distribution skew' failed: 2 of 2 columns skewed > 0 "
    "(worst 'c': l_infinity 0.304 > 0.1)",
    "*  column 'c': l_infinity 0.304 > 0.1 (categorical), category 'a': training 0.4945, serving 0.7985",
    "*  column 'x': jensen_shannon 0.1654 > 0.1 (numeric)",
    "*feature gate 'feature-label leakage' failed: max single-feature roc_auc 1 > 0.95 "
    "('refund_issued'; 1 of 2 features above)",
    "*  column 'refund_issued': single-feature roc_auc 1 > 0.95",
    "*hint: a feature this predictive on its own is usually a leak*",
]


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_feature_gates(pytester: pytest.Pytester, xdist: list[str]) -> None:
    pytester.makepyfile(test_features=TESTS)
    result = pytester.runpytest(*QUIET, *xdist)
    result.assert_outcomes(passed=2, failed=9, warnings=1)
    for line in EXPECTED:
        result.stdout.fnmatch_lines([glob(line)])
    # mixed severity: the warn column warns, the fail columns fail together in one message
    result.stdout.fnmatch_lines(
        [
            "*feature gate 'feature expectations' failed: 2 of 3 expectations failed > 0",
            "*  column 'country': 2 unseen categories in 50 rows (share 0.5 > 0), e.g. 'ES', 'PT'",
            "*  column 'age': 1 of 99 values below 0, e.g. -3 (min -3, max 130)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GateWarning: feature gate 'feature expectations (warn)' warned: "
            "column 'plan': 25 values not in the allowed set, e.g. 'gold'"
        ]
    )
