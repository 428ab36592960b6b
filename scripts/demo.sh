#!/usr/bin/env bash
# The main job (README): installs what it needs, runs the quickstart, then the example project's
# whole story on an embedded sqlite MLflow store: CT -> gates -> CD promotion, drift caught by
# monitoring, retraining, a refused promotion, and a rollback.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "[all]"
mkdir -p reports
echo "==> quickstart: train on bundled data, gate the model"
pytest -p no:cacheprovider -q examples/quickstart \
  --mlops-report=reports/quickstart.json --mlops-html=reports/quickstart.html
echo "==> the example project's story (examples/breast_cancer/demo.py)"
python examples/breast_cancer/demo.py "$@"
