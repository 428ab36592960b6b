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
echo "==> pytest"
export MLFLOW_HTTP_REQUEST_MAX_RETRIES=0 MLFLOW_HTTP_REQUEST_TIMEOUT=10
pytest -n 2 --dist loadgroup "$@"
