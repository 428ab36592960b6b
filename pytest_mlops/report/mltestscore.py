"""The ML Test Score (Breck et al., 2017) computed from what a project actually runs.

The rubric has 28 tests in four sections (data, model, infrastructure, monitoring). A test
scores 1 when it is automated — here: a gate that covers it ran in the session, or the
project's GitHub workflows run it — and 0.5 when the team says it is done by hand (ini key
``mlops_manual_tests``). A section's score is the sum of its tests; the project's score is the
lowest section score, so the weakest area decides.

Which gate or workflow covers each test is listed in :data:`RUBRIC` and documented in
``docs/ml-test-score.md``. A gate of your own can claim tests with
``details={"ml_test_score": ["data-2"]}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pytest_mlops.results import GateResult, JSONValue

__all__ = ["RUBRIC", "SECTIONS", "Score", "Workflows", "score"]

SECTIONS = ("data", "model", "infrastructure", "monitoring")


@dataclass(frozen=True)
class Workflows:
    """What the project's GitHub workflow files show (found by reading them as text)."""

    pre_merge: bool = False  # pull_request workflow running gates
    training: bool = False  # continuous training workflow
    scheduled_training: bool = False  # ... on a schedule
    promotion: bool = False  # pytest-mlops promote
    canary: bool = False  # a canary step or verdict
    rollback: bool = False  # pytest-mlops rollback
    monitoring: bool = False  # scheduled gates on serving data
    dependency_updates: bool = False  # dependabot or renovate
    files: tuple[str, ...] = ()

    @classmethod
    def scan(cls, root: Path) -> Workflows:
        folder = root / ".github" / "workflows"
        texts: dict[str, str] = {}
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix in (".yml", ".yaml") and path.is_file():
                    texts[path.name] = path.read_text("utf-8", errors="replace")
        everything = "\n".join(texts.values())

        def any_file(*patterns: str) -> bool:
            return any(all(re.search(p, text, re.M) for p in patterns) for text in texts.values())

        dependabot = any((root / ".github" / name).exists() for name in ("dependabot.yml", "dependabot.yaml"))
        renovate = any((root / name).exists() for name in ("renovate.json", ".github/renovate.json", "renovate.json5"))
        return cls(
            pre_merge=any_file(r"^\s*pull_request\s*:|^on:.*pull_request", r"--mlops-|pytest-mlops|mlops"),
            training=any_file(r"\bct\b|continuous training", r"train"),
            scheduled_training=any_file(r"^\s*schedule\s*:", r"train"),
            promotion="pytest-mlops promote" in everything,
            canary=re.search(r"canary", everything, re.I) is not None,
            rollback="pytest-mlops rollback" in everything,
            monitoring=any_file(r"^\s*schedule\s*:", r"monitor|drift"),
            dependency_updates=dependabot or renovate,
            files=tuple(texts),
        )


Rule = Callable[[Sequence[GateResult], Workflows], bool]


def _ran(kind: str, *checks: str) -> Rule:
    """A gate of ``kind`` (and one of ``checks``, if given) ran, whatever its outcome."""

    def rule(gates: Sequence[GateResult], _: Workflows) -> bool:
        return any(g.kind == kind and (not checks or g.check in checks) for g in gates)

    return rule


def _flow(name: str) -> Rule:
    def rule(_: Sequence[GateResult], flows: Workflows) -> bool:
        return bool(getattr(flows, name))

    return rule


def _slice_gap(gates: Sequence[GateResult], _: Workflows) -> bool:
    return any(g.kind == "model" and g.check == "slices" and "max_gap" in g.bound for g in gates)


@dataclass(frozen=True)
class RubricTest:
    id: str
    section: str
    title: str
    #: automated when any of these holds
    rules: tuple[Rule, ...]
    #: what covers it, in words (shown as the way to raise the score)
    covered_by: str


def _t(section: str, n: int, title: str, covered_by: str, *rules: Rule) -> RubricTest:
    return RubricTest(f"{section}-{n}", section, title, tuple(rules), covered_by)


RUBRIC: tuple[RubricTest, ...] = (
    _t("data", 1, "Feature expectations are captured in a schema", "a schema gate (mlops_schema)", _ran("schema")),
    _t("data", 2, "All features are beneficial", "a gate of your own with ml_test_score=['data-2'] (e.g. ablation)"),
    _t("data", 3, "No feature's cost is too much", "a gate of your own with ml_test_score=['data-3'] (feature cost)"),
    _t(
        "data",
        4,
        "Features adhere to meta-level requirements",
        "feature expectations (mlops_features.expect) or a leakage check",
        _ran("feature", "expectations", "leakage"),
    ),
    _t("data", 5, "The data pipeline has appropriate privacy controls", "manual: list 'data-5' in mlops_manual_tests"),
    _t("data", 6, "New features can be added quickly", "manual: list 'data-6' in mlops_manual_tests"),
    _t(
        "data",
        7,
        "All input feature code is tested",
        "the example-level training-serving skew gate (mlops_features.feature_code_skew)",
        _ran("feature", "example_skew"),
    ),
    _t(
        "model",
        1,
        "Model specs are reviewed and submitted",
        "the pre-merge CI workflow (ci-templates/mlops-ci.yml)",
        _flow("pre_merge"),
    ),
    _t(
        "model",
        2,
        "Offline and online metrics correlate",
        "a canary verdict or an A/B gate (mlops_deployment)",
        _ran("deployment", "canary", "ab_proportions", "ab_means"),
    ),
    _t("model", 3, "All hyperparameters have been tuned", "manual: list 'model-3' in mlops_manual_tests"),
    _t(
        "model",
        4,
        "The impact of model staleness is known",
        "the champion compared on current data (mlops_model.compare) in scheduled CT",
        _ran("model", "champion", "non_inferiority"),
    ),
    _t(
        "model",
        5,
        "A simpler model is not better",
        "the baseline gate (mlops_model.baseline)",
        _ran("model", "baseline"),
    ),
    _t(
        "model",
        6,
        "Model quality is sufficient on all important data slices",
        "the slice gate (mlops_model.slices)",
        _ran("model", "slices"),
    ),
    _t(
        "model",
        7,
        "The model is tested for considerations of inclusion",
        "the fairness gate (mlops_model.fairness), or the slice gate with a max_gap bound over a sensitive attribute",
        _ran("model", "fairness"),
        _slice_gap,
    ),
    _t(
        "infrastructure",
        1,
        "Training is reproducible",
        "a reproducibility gate (mlops_reproducible: retrain twice with one seed)",
        _ran("model", "reproducibility"),
    ),
    _t("infrastructure", 2, "Model specs are unit tested", "manual: list 'infrastructure-2' in mlops_manual_tests"),
    _t(
        "infrastructure",
        3,
        "The ML pipeline is integration tested",
        "the continuous-training workflow (ci-templates/mlops-ct.yml)",
        _flow("training"),
    ),
    _t(
        "infrastructure",
        4,
        "Model quality is validated before attempting to serve it",
        "model gates plus promotion only on a passing report (pytest-mlops promote)",
        _flow("promotion"),
        _ran("model", "metric", "champion", "non_inferiority"),
    ),
    _t("infrastructure", 5, "The model allows debugging", "manual: list 'infrastructure-5' in mlops_manual_tests"),
    _t(
        "infrastructure",
        6,
        "Models are canaried before serving",
        "a shadow or canary gate, or a canary step in the CD workflow",
        _ran("deployment", "shadow", "canary"),
        _flow("canary"),
    ),
    _t(
        "infrastructure",
        7,
        "Serving models can be rolled back",
        "the rollback workflow (pytest-mlops rollback)",
        _flow("rollback"),
    ),
    _t(
        "monitoring",
        1,
        "Dependency changes result in notification",
        "Dependabot or Renovate configured for the repository",
        _flow("dependency_updates"),
    ),
    _t(
        "monitoring",
        2,
        "Data invariants hold in training and serving inputs",
        "the scheduled monitoring workflow running data gates on serving data",
        _flow("monitoring"),
    ),
    _t(
        "monitoring",
        3,
        "Training and serving features compute the same values",
        "a training-serving skew gate (example or distribution level)",
        _ran("feature", "example_skew", "distribution_skew"),
    ),
    _t(
        "monitoring",
        4,
        "Models are not too stale",
        "continuous training on a schedule (ci-templates/mlops-ct.yml)",
        _flow("scheduled_training"),
    ),
    _t("monitoring", 5, "The model is numerically stable", "a gate of your own with ml_test_score=['monitoring-5']"),
    _t(
        "monitoring",
        6,
        "Computing performance has not regressed",
        "the latency or model-size budget (mlops_model.latency / .size)",
        _ran("model", "latency", "model_size"),
    ),
    _t(
        "monitoring",
        7,
        "Prediction quality has not regressed",
        "champion comparison, non-inferiority or prediction drift",
        _ran("model", "champion", "non_inferiority"),
        _ran("drift", "prediction_drift"),
    ),
)

_BY_ID = {t.id: t for t in RUBRIC}

#: How the paper reads a final score, in our words.
BANDS = (
    (0.0, "no tests: more a research project than a production system"),
    (1.0, "not untested, but serious holes in reliability are likely"),
    (2.0, "a first pass at productionisation; more investment needed"),
    (3.0, "reasonably tested; more of it could be automated"),
    (5.0, "strong automated testing and monitoring, fit for critical systems"),
    (float("inf"), "exceptional automated testing and monitoring"),
)


@dataclass
class Score:
    """The score of one project run."""

    points: dict[str, float] = field(default_factory=dict)  # test id -> 0, 0.5, 1
    how: dict[str, str] = field(default_factory=dict)  # test id -> "automated"/"manual"/""

    def section(self, name: str) -> float:
        return sum(v for k, v in self.points.items() if _BY_ID[k].section == name)

    @property
    def total(self) -> float:
        return min(self.section(s) for s in SECTIONS)

    @property
    def band(self) -> str:
        return next(text for limit, text in BANDS if self.total <= limit)

    def weakest(self) -> list[str]:
        low = self.total
        return [s for s in SECTIONS if self.section(s) == low]

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "score": self.total,
            "band": self.band,
            "sections": {s: self.section(s) for s in SECTIONS},
            "tests": [
                {
                    "id": t.id,
                    "title": t.title,
                    "points": self.points[t.id],
                    "how": self.how[t.id],
                    "covered_by": t.covered_by,
                }
                for t in RUBRIC
            ],
        }

    def lines(self) -> list[str]:
        sections = ", ".join(f"{s} {self.section(s):g}" for s in SECTIONS)
        out = [f"ML Test Score: {self.total:g} ({self.band})", f"  sections (of 7): {sections}"]
        raise_it = [t for t in RUBRIC if t.section in self.weakest() and self.points[t.id] < 1]
        if raise_it:
            out.append("  to raise it, cover in " + " and ".join(self.weakest()) + ":")
            out.extend(f"    {t.id} {t.title}: {t.covered_by}" for t in raise_it)
        return out


def _claims(gates: Iterable[GateResult]) -> set[str]:
    claimed: set[str] = set()
    for gate in gates:
        value = gate.details.get("ml_test_score")
        if isinstance(value, str):
            claimed.add(value)
        elif isinstance(value, list):
            claimed.update(str(v) for v in value)
    return claimed


def unknown_ids(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids) - set(_BY_ID))


def score(gates: Sequence[GateResult], workflows: Workflows, manual: Iterable[str] = ()) -> Score:
    """Score a session's gates and the project's workflows; ``manual`` lists tests done by hand."""
    claimed = _claims(gates)
    manual_ids = set(manual)
    result = Score()
    for test in RUBRIC:
        if test.id in claimed or any(rule(gates, workflows) for rule in test.rules):
            result.points[test.id], result.how[test.id] = 1.0, "automated"
        elif test.id in manual_ids:
            result.points[test.id], result.how[test.id] = 0.5, "manual"
        else:
            result.points[test.id], result.how[test.id] = 0.0, ""
    return result


def score_report_data(gates: Sequence[GateResult], root: Path, manual: Iterable[str] = ()) -> tuple[Score, Workflows]:
    flows = Workflows.scan(root)
    return score(gates, flows, manual), flows


def describe(test_id: str) -> Mapping[str, str]:
    t = _BY_ID[test_id]
    return {"id": t.id, "section": t.section, "title": t.title, "covered_by": t.covered_by}
