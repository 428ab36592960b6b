#!/usr/bin/env bash
# Build the sdist and the wheel with the *declared* setuptools floor (the oldest setuptools
# pyproject.toml allows), in a clean temporary environment, from a copy of the tracked files;
# then check what they hold. About half a minute. Exit 0 when the build works, 1 when it does
# not, 3 when the build tools cannot be installed (offline): the caller decides whether to skip.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
floor="$(sed -n 's/^requires = \["setuptools>=\([0-9][0-9]*\)".*/\1/p' pyproject.toml)"
if [ -z "$floor" ]; then
  echo "check-build: no 'setuptools>=N' in [build-system] requires of pyproject.toml" >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "==> clean environment with build and setuptools==$floor.*"
"$python" -m venv "$tmp/venv"
if ! "$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check build "setuptools==$floor.*" \
  >"$tmp/pip.log" 2>&1; then
  grep -v "^WARNING: Location" "$tmp/pip.log" | tail -3 >&2
  echo "check-build: could not install build and setuptools==$floor.* (offline?)" >&2
  exit 3
fi

echo "==> python -m build (sdist, then the wheel from the sdist)"
mkdir "$tmp/src"
git ls-files -z --cached --others --exclude-standard | xargs -0 -I{} cp --parents {} "$tmp/src/" 2>/dev/null || true
(cd "$tmp/src" && "$tmp/venv/bin/python" -m build --no-isolation --outdir "$tmp/dist" . >"$tmp/build.log" 2>&1) || {
  tail -20 "$tmp/build.log" >&2
  echo "check-build: python -m build failed with setuptools==$floor.*" >&2
  exit 1
}

echo "==> what the artifacts hold"
"$tmp/venv/bin/python" - "$tmp/dist" <<'PY'
import re
import sys
import tarfile
import zipfile
from pathlib import Path

dist = Path(sys.argv[1])
version = re.search(r'^__version__ = "([^"]+)"', Path("pytest_mlops/__init__.py").read_text(), re.M).group(1)
sdist = next(dist.glob("*.tar.gz"))
wheel = next(dist.glob("*.whl"))
problems = []
with tarfile.open(sdist) as tar:
    names = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
for needed in ("CHANGELOG.md", "LICENSE", "README.md", "tests/conftest.py", "docs/ci-templates.md", "examples", "ci-templates", "setup.py"):
    if not any(n == needed or n.startswith(needed + "/") for n in names):
        problems.append(f"sdist lacks {needed}")
packaged = "pytest_mlops/templates/github/"
with zipfile.ZipFile(wheel) as whl:
    files = whl.namelist()
    meta = whl.read(f"pytest_mlops-{version}.dist-info/METADATA").decode()
    # the wheel's templates are made from ci-templates/ by setup.py: the same files, byte for byte
    shipped = {f[len(packaged) :]: whl.read(f) for f in files if f.startswith(packaged) and not f.endswith("/")}
for needed in ("pytest_mlops/py.typed", "pytest_mlops/schemas/report-v1.schema.json"):
    if needed not in files:
        problems.append(f"wheel lacks {needed}")
source = {p.relative_to("ci-templates").as_posix(): p.read_bytes() for p in Path("ci-templates").rglob("*") if p.is_file()}
if not shipped:
    problems.append("wheel lacks the workflow templates")
elif sorted(shipped) != sorted(source):
    problems.append(f"wheel templates {sorted(shipped)} are not the files of ci-templates/ {sorted(source)}")
elif differ := [name for name in source if shipped[name] != source[name]]:
    problems.append(f"wheel templates differ from ci-templates/: {differ}")
for line in (f"Version: {version}", "License-Expression: MIT", "Classifier: Typing :: Typed", "Project-URL: "):
    if line not in meta:
        problems.append(f"wheel METADATA lacks {line!r}")
if problems:
    sys.exit("check-build: " + "; ".join(problems))
print(f"built {sdist.name} ({len(names)} files) and {wheel.name} ({len(files)} files), version {version}")
PY
