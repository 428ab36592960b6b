# Sourced by the scripts: make .venv (once) and install the project with the given extras.
# Re-installs only when pyproject.toml changed since the last install.
ensure_venv() {
  local extras="$1"
  local venv="${MLOPS_VENV:-.venv}"
  local python="${PYTHON:-python3}"
  if [ ! -x "$venv/bin/python" ]; then
    echo "==> creating $venv with $($python --version)"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
  fi
  local stamp="$venv/.pytest-mlops-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "==> installing pytest-mlops$extras into $venv (first run takes a minute or two)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e ".$extras" 2>&1 \
      | grep -v "^WARNING: Location" || true
    "$venv/bin/python" -c "import pytest_mlops" # fail here, not later, if the install did not work
    # The editable install leaves pytest_mlops.egg-info in the checkout; the venv's dist-info is the
    # real record. Left there, it is a second copy of the distribution whenever the checkout is on
    # sys.path, and its file list (the sdist's, tests/ included) makes pytest try to rewrite the
    # already imported `tests` package in every pytester run (PytestAssertRewriteWarning).
    rm -rf pytest_mlops.egg-info
    echo "$want" > "$stamp"
  fi
  export PATH="$PWD/$venv/bin:$PATH"
}

# An integration's own environment: like ensure_venv, but first drops a stale stamp when the
# environment was re-made since (the stamp says installed, yet `package` or pytest-mlops is gone).
ensure_extra_venv() {
  local extra="$1" package="$2"
  local probe="import importlib.metadata as m; m.version('$package'); m.version('pytest-mlops'); m.version('pytest')"
  if [ -f "$MLOPS_VENV/.pytest-mlops-installed" ] && ! "$MLOPS_VENV/bin/python" -c "$probe" 2>/dev/null; then
    rm -f "$MLOPS_VENV/.pytest-mlops-installed"
  fi
  ensure_venv "[$extra]"
}
