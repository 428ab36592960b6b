"""What a gates file accepts: the kinds, each kind's keys and their value types.

The parser (:mod:`pytest_mlops.gatesfile.parse`) checks entries against these tables, and the
JSON Schema for editors (``pytest_mlops/schemas/gates-v1.schema.json``) is generated from them
(:mod:`pytest_mlops.gatesfile.schema`), so the two cannot drift apart.
"""

from __future__ import annotations

from pytest_mlops.gates.feature import EXPECTATIONS

__all__ = [
    "CHOICES",
    "COLUMN_KEYS",
    "COMMON_KEYS",
    "DATA_OPTIONS",
    "FOLLOWS",
    "KINDS",
    "KIND_KEYS",
    "PERTURBATION_KINDS",
    "REQUIRED",
    "RESULT_KIND",
    "SEVERITIES",
    "VALUE_TYPES",
]

COMMON_KEYS = ("name", "kind", "severity")
#: What ``severity:`` accepts (leaving it out means the kind's marker, else ``fail``).
SEVERITIES = ("fail", "warn")

#: The value types of :data:`KIND_KEYS`, as the parser checks them.
VALUE_TYPES = {
    "path": "a file path that must exist (or $mlops_current_data ...)",
    "baseline": "a file path that may not exist yet (--mlops-update-baselines writes it)",
    "str": "a non-empty string",
    "scalar": "a single value (string, number or boolean)",
    "number": "a number",
    "nonneg": "a number, at least 0",
    "share": "a number in [0, 1]",
    "int": "a non-negative integer",
    "strlist": "a column name or a list of column names",
    "strmap": "a mapping of column names to method names",
    "numbermap": "a mapping of column names to numbers",
    "mapping": "a mapping (a perturbation: {kind: noise, column: age, std: 0.5})",
    "columns": "a mapping of column names to expectations (COLUMN_KEYS)",
}

_DRIFT_OPTIONS = {
    "columns": "strlist",
    "exclude": "strlist",
    "categorical": "strlist",
    "method": "str",
    "methods": "strmap",
    "thresholds": "numbermap",
    "max_share": "share",
    "correction": "str",
    "null_rate_shift": "share",
    "bins": "int",
}
_BOUNDS = {"at_least": "number", "at_most": "number"}
_BASELINE = {"baseline": "baseline", "max_drop": "nonneg", "max_relative_drop": "nonneg"}
# where the model checks get their data and, without a scored column, their registered model
_SCORED = {"data": "path", "label": "str", "features": "strlist", "alias": "str", "model_name": "str"}

#: kind -> key -> value type
KIND_KEYS: dict[str, dict[str, str]] = {
    "schema": {"data": "path", "schema": "path", "environment": "str", "max_examples": "int"},
    "feature": {"data": "path", "reference": "path", "columns": "columns"},
    "drift": {"reference": "path", "current": "path", "baseline": "baseline", **_DRIFT_OPTIONS},
    "model": {
        "metric": "str",
        "data": "path",
        "label": "str",
        "prediction": "str",
        "features": "strlist",
        "alias": "str",
        "model_name": "str",
        "compare_to": "str",
        "min_gain": "number",
        "on_cold_start": "str",
        "pos_label": "scalar",
        **_BOUNDS,
        **_BASELINE,
    },
    "weak_segments": {
        "metric": "str",
        "data": "path",
        "label": "str",
        "prediction": "str",
        "features": "strlist",
        "segment_by": "strlist",
        "alias": "str",
        "model_name": "str",
        "pos_label": "scalar",
        "max_gap": "nonneg",
        "min_size": "int",
        "confidence": "share",
        "correction": "str",
        "bins": "int",
        "pair_bins": "int",
        "max_categories": "int",
    },
    "custom": {"source": "path", "key": "str", "direction": "str", **_BOUNDS, **_BASELINE},
    # model checks of their own (recorded as model gates): a column of scored data or a registered model
    "calibration": {
        **_SCORED,
        "probability": "str",
        "max_ece": "nonneg",
        "min_brier_skill": "number",
        "n_bins": "int",
        "pos_label": "scalar",
    },
    "fairness": {
        **_SCORED,
        "prediction": "str",
        "sensitive": "strlist",
        "metric": "str",
        "max_difference": "nonneg",
        "min_ratio": "nonneg",
        "max_demographic_parity_difference": "nonneg",
        "max_equalized_odds_difference": "nonneg",
        "min_group_size": "int",
        "pos_label": "scalar",
    },
    "robustness": {
        **_SCORED,
        "test": "str",
        "perturbation": "mapping",
        "column": "str",
        "delta": "number",
        "monotone": "str",
        "max_flip_rate": "share",
        "tolerance": "nonneg",
        "output": "str",
        "pos_label": "scalar",
    },
}
KINDS = tuple(KIND_KEYS)

#: kind -> keys that must be present
REQUIRED: dict[str, tuple[str, ...]] = {
    "schema": ("data", "schema"),
    "feature": ("data", "columns"),
    "drift": ("current",),  # or --mlops-current-data (FOLLOWS)
    "model": ("metric", "data", "label"),
    "weak_segments": ("metric", "data", "label", "max_gap"),
    "custom": ("source", "key"),
    "calibration": ("data", "label"),
    "fairness": ("data", "label", "sensitive"),
    "robustness": ("data", "test"),
}

#: gates-file kinds recorded under another gate kind (their marker is ``mlops_<that kind>``)
RESULT_KIND: dict[str, str] = {
    "calibration": "model",
    "fairness": "model",
    "robustness": "model",
    "weak_segments": "model",
}

#: The run's data options a path value can name, as ``$mlops_current_data``.
DATA_OPTIONS = ("mlops_current_data", "mlops_reference_data", "mlops_holdout_data")

#: kind -> data key -> the option it follows when the entry leaves the key out. A path written in
#: the entry pins that entry to its file; ``$mlops_...`` names an option explicitly.
FOLLOWS: dict[str, dict[str, str]] = {
    "schema": {"data": "mlops_current_data"},
    "feature": {"data": "mlops_current_data"},
    "drift": {"current": "mlops_current_data", "reference": "mlops_reference_data"},
    "model": {"data": "mlops_holdout_data"},
    "calibration": {"data": "mlops_holdout_data"},
    "fairness": {"data": "mlops_holdout_data"},
    "robustness": {"data": "mlops_holdout_data"},
    "weak_segments": {"data": "mlops_holdout_data"},
}

#: The expectations a feature column accepts: those of ``expect_columns``, ``mostly`` and ``severity``.
COLUMN_KEYS = (*EXPECTATIONS, "mostly", "severity")

#: kind -> key -> the words the key accepts (the parser checks them; the schema lists them)
CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "model": {"on_cold_start": ("pass", "warn", "fail")},
    "robustness": {"test": ("invariance", "directional")},
    "weak_segments": {"correction": ("bonferroni", "bh")},
    "custom": {"direction": ("higher", "lower")},
}
#: what a robustness invariance test's ``perturbation: {kind: ...}`` accepts
PERTURBATION_KINDS = ("noise", "scale", "relabel", "typos")
