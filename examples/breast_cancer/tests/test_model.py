"""Model gates: the challenger against bounds, the champion, weak segments, a baseline and calibration."""

from __future__ import annotations

from sklearn.dummy import DummyClassifier


def test_challenger_quality(mlops_model, mlops_challenger, holdout) -> None:
    mlops_model.metric("roc_auc", holdout.y, model=mlops_challenger, X=holdout.X, at_least=0.95)
    mlops_model.metric("recall", holdout.y, model=mlops_challenger, X=holdout.X, at_least=0.85)


def test_not_worse_than_champion(mlops_model, mlops_challenger, mlops_champion, holdout) -> None:
    mlops_model.compare(
        "roc_auc", holdout.y, X=holdout.X, challenger=mlops_challenger, champion=mlops_champion, max_drop=0.01
    )


def test_non_inferior_to_champion(mlops_model, mlops_challenger, mlops_champion, holdout) -> None:
    mlops_model.non_inferior(
        "accuracy", holdout.y, X=holdout.X, challenger=mlops_challenger, champion=mlops_champion,
        margin=0.03, seed=0,
    )  # fmt: skip


def test_quality_on_every_site(mlops_model, mlops_challenger, holdout) -> None:
    mlops_model.slices(
        "accuracy", holdout.y, model=mlops_challenger, X=holdout.X, slices=holdout.site,
        at_least=0.8, max_gap=0.2, min_size=10,
    )  # fmt: skip


def test_no_weak_segment(mlops_model, mlops_challenger, holdout) -> None:
    # every site, every binned feature and every pair of them: none may be clearly 0.25 below overall accuracy
    mlops_model.weak_segments(
        "accuracy", holdout.y, mlops_challenger.predict(holdout.X), X=holdout.X.assign(site=holdout.site),
        max_gap=0.25,
    )  # fmt: skip


def test_beats_a_simple_baseline(mlops_model, mlops_challenger, holdout, reference) -> None:
    mlops_model.baseline(
        "roc_auc", holdout.y, model=mlops_challenger, X=holdout.X,
        baseline=DummyClassifier(strategy="prior").fit(reference.X, reference.y), min_gain=0.2,
    )  # fmt: skip


def test_probabilities_are_calibrated(mlops_model, mlops_challenger, holdout) -> None:
    # ECE over 10 equal-width bins, and the Brier skill against always predicting the base rate
    mlops_model.calibration(holdout.y, model=mlops_challenger, X=holdout.X, max_ece=0.06, min_brier_skill=0.5)


def test_budgets(mlops_model, mlops_challenger, holdout) -> None:
    mlops_model.latency(mlops_challenger, holdout.X, p95_ms_at_most=50)
    mlops_model.size(mlops_challenger, mb_at_most=5)
