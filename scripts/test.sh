#!/usr/bin/env bash
# The test command (README, .ci/run): installs what it needs, then lints, type-checks and
# runs the whole test suite, including the examples' own suites.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "[all,test]"

echo "==> ruff"
ruff check pytest_mlops tests benchmarks scripts examples
ruff format --check pytest_mlops tests benchmarks scripts examples
echo "==> mypy (strict)"
mypy
echo "==> pytest (latest stack: numpy 2, pandas 3, scikit-learn 1.9)"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 MLFLOW_HTTP_REQUEST_TIMEOUT=10
pytest -n 2 --dist loadgroup "$@"

echo "==> deepchecks integration, in its own environment (numpy<2, scikit-learn 1.7)"
bash scripts/test-deepchecks.sh

echo "==> Feast integration, in its own environment (pandas<3)"
bash scripts/test-feast.sh
