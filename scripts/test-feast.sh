#!/usr/bin/env bash
# The Feast integration tests, in an environment of their own.
#
# Feast 0.67 pins pandas<3 (the `feast` extra carries the pin), so it cannot share .venv (the
# latest stack, pandas 3). This script makes .venv-feast once (reused, never deleted), installs
# pytest-mlops with the `feast` extra into it (again only when pyproject.toml changed), then runs
# tests/feast for real: a local feature repository with the file (Parquet) offline store and the
# sqlite online store, `apply` and `materialize` run by the tests, no server.
# The main test command (scripts/test.sh) runs the same folder on the latest stack, where every
# Feast test is skipped with the reason a user would see.
#
# Usage: bash scripts/test-feast.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
export MLOPS_VENV="${MLOPS_FEAST_VENV:-.venv-feast}" # a path relative to the repository

# pytest is a core dependency; the `test` extra (ruff, mypy, xdist...) stays out of this environment.
ensure_extra_venv feast feast

echo "==> pytest tests/feast ($MLOPS_VENV)"
pytest tests/feast -p no:cacheprovider "$@"
