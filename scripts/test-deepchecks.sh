#!/usr/bin/env bash
# The deepchecks integration tests, in an environment of their own.
#
# deepchecks 0.19.1 only imports with numpy<2, pandas<3, scikit-learn==1.7.2, scipy<1.15 and
# pyarrow<24 (the `deepchecks` extra carries these pins), so it cannot share .venv (the latest
# stack). This script makes .venv-deepchecks once (benchmarks/setup_peers.sh may have made it
# already: it is reused, never deleted), installs pytest-mlops with the `deepchecks` extra into
# it (again only when pyproject.toml changed), then runs tests/deepchecks for real.
# The main test command (scripts/test.sh) runs the same folder on the latest stack, where every
# deepchecks test is skipped with the reason a user would see.
#
# Usage: bash scripts/test-deepchecks.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
export MLOPS_VENV="${MLOPS_DEEPCHECKS_VENV:-.venv-deepchecks}" # a path relative to the repository

# pytest itself is a core dependency; the `test` extra (ruff, mypy, stubs, xdist, hypothesis)
# is not needed by these tests and stays out of this environment.
ensure_extra_venv deepchecks deepchecks

echo "==> pytest tests/deepchecks ($MLOPS_VENV)"
pytest tests/deepchecks -p no:cacheprovider "$@"
