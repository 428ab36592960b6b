"""pytest-mlops: quality gates for data, features, models and deployments, in pytest.

Importing this package is cheap; gate implementations that need pandas, numpy,
scikit-learn, pandera or MLflow load on first use.

The marker PYTEST_DONT_REWRITE tells pytest not to rewrite asserts here: the package does not rely
on assertion rewriting, and it is often imported before pytest starts (by scripts, or by pytester
runs in the same process), where pytest would otherwise warn that it cannot rewrite it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from pytest_mlops._recorder import attach
from pytest_mlops.errors import GateFailure, GateWarning, MissingExtraError, MlopsError, MlopsInputError
from pytest_mlops.results import GateResult

__version__ = "0.1.0"

__all__ = [
    "GateFailure",
    "GateResult",
    "GateWarning",
    "MissingExtraError",
    "MlopsError",
    "MlopsInputError",
    "SessionReport",
    "__version__",
    "attach",
    "gate",
]

# Public names imported on first attribute access: heavier ones, and those the plugin does not
# need at start-up (pytest imports this package on every run; benchmarks/plugin_overhead.py).
_LAZY = {
    "SessionReport": ("pytest_mlops.report", "SessionReport"),
    "gate": ("pytest_mlops.gates.generic", "check"),
}

if TYPE_CHECKING:
    from pytest_mlops.gates.generic import check as gate
    from pytest_mlops.report import SessionReport


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'pytest_mlops' has no attribute {name!r}")
    module, attribute = where
    return getattr(import_module(module), attribute)
