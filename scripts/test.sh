#!/usr/bin/env bash
# The test command (README, .ci/run): installs what it needs, then lints, type-checks and
# runs the whole test suite, including the examples' own suites.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "[all,test]"

# The HTML report's screenshot test renders the page in headless Chromium (Debian package).
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing chromium (for the HTML report's screenshot test)"
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
if ! command -v java >/dev/null 2>&1; then  # the Spark tests start a real local Spark (Java 17)
  echo "==> installing Java 17 (openjdk-17-jre-headless) for the Spark tests"
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq openjdk-17-jre-headless
fi

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
