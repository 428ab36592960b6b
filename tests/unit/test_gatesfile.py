"""The gates-file parser: validated entries, and one ``file:line: message`` per mistake."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.gatesfile import GatesFileError, GateSpec, load_gates_file, parse_gates


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in ("train.csv", "current.csv", "metrics.json"):
        (tmp_path / name).write_text("a\n1\n")
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "orders.yaml").write_text("")
    return tmp_path


def parse(project: Path, text: str) -> list[GateSpec]:
    return parse_gates(textwrap.dedent(text), project / "mlops-gates.yaml", display="mlops-gates.yaml", base=project)


def error(project: Path, text: str) -> str:
    with pytest.raises(GatesFileError) as excinfo:
        parse(project, text)
    return str(excinfo.value)


def test_every_kind_parses_with_lines_and_absolute_paths(project: Path) -> None:
    specs = parse(
        project,
        """\
        gates:
          - name: orders schema
            kind: schema
            data: current.csv
            schema: schemas/orders.yaml
            environment: serving
          - name: amounts
            kind: feature
            severity: warn
            data: current.csv
            reference: train.csv
            columns:
              a: {null_rate_at_most: 0.01, at_least: 0, quantiles: {0.5: [0, 2]}}
          - name: orders drift
            kind: drift
            reference: train.csv
            current: current.csv
            exclude: id
            thresholds: {a: 0.2}
            max_share: 0.1
          - name: auc
            kind: model
            metric: roc_auc
            data: current.csv
            label: y
            compare_to: champion
            max_drop: 0.01
          - name: kpi
            kind: custom
            source: metrics.json
            key: eval.auc
            at_least: 0.5
            baseline: baselines/kpi.json
        """,
    )
    assert [(s.name, s.kind, s.line) for s in specs] == [
        ("orders schema", "schema", 2),
        ("amounts", "feature", 7),
        ("orders drift", "drift", 14),
        ("auc", "model", 21),
        ("kpi", "custom", 28),
    ]
    assert specs[0].options["schema"] == project / "schemas" / "orders.yaml"
    assert specs[1].severity == "warn"
    assert specs[1].options["columns"]["a"]["quantiles"] == {0.5: (0, 2)}
    assert specs[2].options["exclude"] == ("id",)
    assert specs[2].options["thresholds"] == {"a": 0.2}
    assert specs[4].options["baseline"] == project / "baselines" / "kpi.json"  # may not exist yet
    assert not (project / "baselines").exists()


ENTRY = """\
gates:
  - name: orders drift
    kind: drift
    reference: train.csv
    current: current.csv
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            ENTRY + "    treshold: 0.2\n",
            "mlops-gates.yaml:6: unknown key 'treshold' in gate 'orders drift' (did you mean 'thresholds'?); "
            "a drift gate accepts: name, kind, severity, reference, current, baseline, *",
            id="unknown-key",
        ),
        pytest.param(
            ENTRY.replace("kind: drift", "kind: drfit"),
            "mlops-gates.yaml:3: gate 'orders drift': unknown kind 'drfit' (did you mean 'drift'?); "
            "use one of: schema, feature, drift, model, weak_segments, custom, calibration, fairness, robustness",
            id="wrong-kind",
        ),
        pytest.param(
            ENTRY.replace("current.csv", "missing.csv"),
            "mlops-gates.yaml:5: 'current' in gate 'orders drift': file 'missing.csv' does not exist "
            "(looked for '*/missing.csv'; relative paths start at the rootdir)",
            id="missing-data",
        ),
        pytest.param(
            ENTRY.replace("  - name: orders drift\n", "  - kind: drift\n").replace("    kind: drift\n", ""),
            "mlops-gates.yaml:2: gate #1 has no 'name' (it names the test: mlops-gates.yaml::<name>)",
            id="missing-name",
        ),
        pytest.param(
            ENTRY + ENTRY.replace("gates:\n", ""),
            "mlops-gates.yaml:6: duplicate gate name 'orders drift' (first on line 2)",
            id="duplicate-name",
        ),
        pytest.param(
            ENTRY + "    current: other.csv\n",
            "mlops-gates.yaml:6: invalid YAML: duplicate key 'current' (first on line 5)",
            id="duplicate-key",
        ),
        pytest.param(
            ENTRY + "    exclude: [id\n",
            "mlops-gates.yaml:7: invalid YAML: *",
            id="malformed-yaml",
        ),
        pytest.param("", "mlops-gates.yaml:1: the file is empty; write a 'gates:' list, e.g.*", id="empty"),
        pytest.param(
            "gate:\n  - name: x\n", "mlops-gates.yaml:1: unknown top-level key 'gate' (did you mean 'gates'?)*"
        ),
        pytest.param("gates: []\n", "mlops-gates.yaml:1: 'gates' must be a non-empty list of gates*", id="no-gates"),
        pytest.param(
            ENTRY + "    severity: error\n",
            "mlops-gates.yaml:6: gate 'orders drift': severity='error'; use 'fail' or 'warn'",
            id="bad-severity",
        ),
        pytest.param(
            ENTRY + "    max_share: 2\n",
            "mlops-gates.yaml:6: 'max_share' in gate 'orders drift' must be a number in [[]0, 1], got 2",
            id="bad-number",
        ),
        pytest.param(
            "gates:\n  - name: s\n    kind: schema\n    data: current.csv\n",
            "mlops-gates.yaml:2: gate 's' (schema) needs 'schema'",
            id="missing-required",
        ),
        pytest.param(
            "gates:\n  - name: s\n    kind: schema\n    data: current.csv\n    schema: schemas/nope.yaml\n",
            "mlops-gates.yaml:5: 'schema' in gate 's': file 'schemas/nope.yaml' does not exist*",
            id="missing-schema-file",
        ),
        pytest.param(
            "gates:\n  - name: f\n    kind: feature\n    data: current.csv\n    columns:\n"
            "      a: {null_rate_at_mots: 0.1}\n",
            "mlops-gates.yaml:6: unknown expectation 'null_rate_at_mots' for column 'a' in gate 'f' "
            "(did you mean 'null_rate_at_most'?)*",
            id="unknown-expectation",
        ),
        pytest.param(
            "gates:\n  - name: m\n    kind: model\n    metric: roc_auc\n    data: current.csv\n    label: y\n",
            "mlops-gates.yaml:2: gate 'm' needs a bound: 'at_least' and/or 'at_most', 'baseline', 'compare_to'",
            id="model-without-bound",
        ),
        pytest.param(
            "gates:\n  - name: m\n    kind: model\n    metric: roc_auc\n    data: current.csv\n    label: y\n"
            "    max_drop: 0.1\n    at_least: 0.5\n",
            "mlops-gates.yaml:2: gate 'm': 'max_drop' needs 'baseline' or 'compare_to'",
            id="drop-without-reference",
        ),
        pytest.param(
            "gates:\n  - name: w\n    kind: weak_segments\n    metric: accuracy\n    data: current.csv\n    label: y\n",
            "mlops-gates.yaml:2: gate 'w' (weak_segments) needs 'max_gap'*",
            id="weak-segments-without-max-gap",
        ),
        pytest.param(
            "gates:\n  - name: w\n    kind: weak_segments\n    metric: accuracy\n    data: current.csv\n    label: y\n"
            "    max_gap: 0.1\n    correction: holm\n",
            "mlops-gates.yaml:2: gate 'w': correction='holm'; use 'bonferroni' or 'bh'",
            id="weak-segments-correction",
        ),
        pytest.param(
            ENTRY + "    baseline: stats.json\n    reference: stats.json\n",
            "mlops-gates.yaml:7: invalid YAML: duplicate key 'reference' (first on line 4)",
            id="drift-baseline-duplicate",
        ),
        pytest.param(
            "gates:\n  - name: d\n    kind: drift\n    current: current.csv\n    baseline: stats.json\n",
            "mlops-gates.yaml:2: gate 'd': a drift 'baseline' (statistics file) is regenerated from 'reference'*",
            id="drift-baseline-needs-reference-data",
        ),
        pytest.param("gates:\n  - just a string\n", "mlops-gates.yaml:2: gate #1 must be a mapping*", id="not-mapping"),
    ],
)
def test_each_mistake_is_one_message_with_file_and_line(project: Path, text: str, expected: str) -> None:
    from fnmatch import fnmatchcase

    message = error(project, text)
    assert fnmatchcase(message, expected), message
    assert "Traceback" not in message


def test_gates_file_error_is_an_input_error(project: Path) -> None:
    assert issubclass(GatesFileError, MlopsInputError)


def test_load_reads_the_file_and_resolves_paths_against_the_base(project: Path) -> None:
    sub = project / "gates"
    sub.mkdir()
    (sub / "mlops-gates.yaml").write_text(
        "gates:\n  - name: kpi\n    kind: custom\n    source: metrics.json\n    key: a\n    at_least: 0\n"
    )
    (spec,) = load_gates_file(sub / "mlops-gates.yaml", base=project)
    assert spec.options["source"] == project / "metrics.json"
    assert spec.source == sub / "mlops-gates.yaml"


def test_unreadable_file_is_a_gates_file_error(project: Path) -> None:
    with pytest.raises(GatesFileError, match=r"^nope\.yaml:1: cannot read the gates file"):
        load_gates_file(project / "nope.yaml", display="nope.yaml")


def test_custom_gate_drop_needs_a_baseline(project: Path) -> None:
    message = error(
        project,
        "gates:\n  - name: kpi\n    kind: custom\n    source: metrics.json\n    key: a\n    at_least: 0\n"
        "    max_drop: 0.1\n",
    )
    assert message == "mlops-gates.yaml:2: gate 'kpi': 'max_drop' needs 'baseline'"


def test_model_check_kinds_parse_and_record_as_model_gates(project: Path) -> None:
    from pytest_mlops.gatesfile import RESULT_KIND

    specs = parse(
        project,
        """\
        gates:
          - name: calibrated
            kind: calibration
            data: current.csv
            label: y
            probability: p
            max_ece: 0.05
            n_bins: 15
          - name: fair
            kind: fairness
            data: current.csv
            label: y
            prediction: yhat
            sensitive: [sex, age_band]
            min_ratio: 0.8
          - name: noise
            kind: robustness
            test: invariance
            data: current.csv
            perturbation: {kind: typos, column: name, rate: 0.1}
            max_flip_rate: 0.02
        """,
    )
    assert [s.kind for s in specs] == ["calibration", "fairness", "robustness"]
    assert {RESULT_KIND[s.kind] for s in specs} == {"model"}
    assert specs[0].options["n_bins"] == 15
    assert specs[1].options["sensitive"] == ("sex", "age_band")
    assert specs[2].options["perturbation"] == {"kind": "typos", "column": "name", "rate": 0.1}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("kind: calibration\n    data: current.csv\n    label: y\n    probability: p",
         "mlops-gates.yaml:2: gate 'g' needs a bound: 'max_ece', 'min_brier_skill'"),
        ("kind: fairness\n    data: current.csv\n    label: y\n    max_difference: 0.1",
         "mlops-gates.yaml:2: gate 'g' (fairness) needs 'sensitive'"),
        ("kind: robustness\n    test: invariance\n    data: current.csv\n    perturbation: {kind: shuffle}",
         "mlops-gates.yaml:2: gate 'g': unknown perturbation kind 'shuffle'; use one of noise, scale, relabel, typos"),
        ("kind: robustness\n    test: directional\n    data: current.csv\n    column: a",
         "mlops-gates.yaml:2: gate 'g': a directional test needs 'delta'"),
        ("kind: robustness\n    test: metamorphic\n    data: current.csv",
         "mlops-gates.yaml:2: gate 'g': test='metamorphic'; use 'invariance' or 'directional'"),
        ("kind: robustness\n    test: invariance\n    data: current.csv\n    perturbation: noise",
         "mlops-gates.yaml:6: 'perturbation' in gate 'g' must be a mapping"),
    ],
)  # fmt: skip
def test_model_check_mistakes_are_one_line(project: Path, entry: str, expected: str) -> None:
    message = error(project, f"gates:\n  - name: g\n    {entry}\n")
    assert message.startswith(expected), message
