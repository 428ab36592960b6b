"""Declarative gates files (``mlops-gates.yaml``): one package from the YAML to the pytest items.

* :mod:`~pytest_mlops.gatesfile.kinds`: what a file accepts (kinds, keys, value types); the
  JSON Schema for editors is generated from it (:mod:`~pytest_mlops.gatesfile.schema`);
* :mod:`~pytest_mlops.gatesfile.parse`: read and validate a file into :class:`GateSpec` s;
* :mod:`~pytest_mlops.gatesfile.collect`: the pytest collector and items (the plugin's
  ``pytest_collect_file`` hook, in :mod:`pytest_mlops.hooks.gatesfile`, hands files to it);
* :mod:`~pytest_mlops.gatesfile.run`: one runner per kind, calling the ordinary gate functions.

Importing this package imports PyYAML (for the parser), never pandas or the gate modules.
"""

from __future__ import annotations

from pytest_mlops.gatesfile.kinds import (
    COLUMN_KEYS,
    COMMON_KEYS,
    DATA_OPTIONS,
    FOLLOWS,
    KIND_KEYS,
    KINDS,
    REQUIRED,
    RESULT_KIND,
)
from pytest_mlops.gatesfile.parse import GatesFileError, GateSpec, load_gates_file, parse_gates

__all__ = [
    "COLUMN_KEYS",
    "COMMON_KEYS",
    "DATA_OPTIONS",
    "FOLLOWS",
    "KINDS",
    "KIND_KEYS",
    "REQUIRED",
    "RESULT_KIND",
    "GateSpec",
    "GatesFileError",
    "load_gates_file",
    "parse_gates",
]
