#!/usr/bin/env bash
# The main job (README): installs what it needs, then runs the example project through its gates.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "[all]"
mkdir -p reports
echo "==> quickstart example: train on bundled data, gate the model"
pytest -p no:cacheprovider examples/quickstart \
  --mlops-report=reports/quickstart.json \
  --mlops-summary=reports/quickstart.md \
  --mlops-html=reports/quickstart.html
echo "==> reports: reports/quickstart.json, reports/quickstart.md, reports/quickstart.html"
