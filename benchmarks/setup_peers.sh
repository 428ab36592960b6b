#!/usr/bin/env bash
# Create the peer environments used by benchmarks/drift.py, beside the repository's .venv:
#
#   .venv-evidently   Evidently 0.7 (needs pandas<3)
#   .venv-deepchecks  deepchecks 0.19.1 (needs numpy<2, pandas<3, scikit-learn==1.7.2, scipy<1.15, pyarrow<24)
#
# Both are gitignored (.venv*/). Re-running the script keeps an environment that already imports.
# Usage: bash benchmarks/setup_peers.sh [evidently|deepchecks ...]   (default: both)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3.11}"
PEERS=("$@")
if [ ${#PEERS[@]} -eq 0 ]; then
    PEERS=(evidently deepchecks)
fi

make_env() {
    local name="$1" probe="$2"
    shift 2
    local env="$ROOT/.venv-$name"
    if [ -x "$env/bin/python" ] && "$env/bin/python" -c "$probe" >/dev/null 2>&1; then
        echo "$name: $env already works"
        return 0
    fi
    echo "$name: creating $env"
    "$PYTHON" -m venv "$env"
    "$env/bin/python" -m pip install --quiet --upgrade pip
    "$env/bin/python" -m pip install --quiet "$@"
    "$env/bin/python" -c "$probe"
    echo "$name: ok"
}

for peer in "${PEERS[@]}"; do
    case "$peer" in
        evidently)
            make_env evidently "import evidently, pandas; print('evidently', evidently.__version__, 'pandas', pandas.__version__)" \
                "evidently==0.7.23" "pandas<3" "pyarrow"
            ;;
        deepchecks)
            make_env deepchecks "import deepchecks.tabular, deepchecks; print('deepchecks', deepchecks.__version__)" \
                "deepchecks==0.19.1" "numpy<2" "pandas<3" "scikit-learn==1.7.2" "scipy<1.15" "pyarrow<24"
            ;;
        *)
            echo "unknown peer: $peer (use evidently or deepchecks)" >&2
            exit 2
            ;;
    esac
done
