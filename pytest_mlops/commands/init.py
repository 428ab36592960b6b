"""``pytest-mlops init``: copy the GitHub Actions templates into a repository, with its settings filled in.

The templates' one source is ``ci-templates/`` in the repository; a built wheel carries a copy in
``pytest_mlops/templates/github/`` (``setup.py`` makes it), and a source checkout or an editable
install reads ``ci-templates/`` beside the package. They are laid out like ``.github/``:
``workflows/mlops-*.yml`` and ``actions/*/action.yml``. They hold plain-text placeholders, always
inside double quotes (``"__MODEL_NAME__"``), which are replaced by the value written as a YAML/JSON
double-quoted string;
``__MODEL_SLUG__`` (in concurrency group names) becomes a name made of ``[A-Za-z0-9_.-]``, and a
``- "__DATA_PATHS__"`` list item becomes one item per ``--data-path``. No templating engine.

Existing files are never overwritten without ``--force`` (a file whose content would not change is
fine); ``--dry-run`` lists what would be written and writes nothing. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from pytest_mlops import __version__
from pytest_mlops.errors import MlopsError

__all__ = ["PLACEHOLDER", "Planned", "plan", "register", "render", "run", "template_files"]

#: a placeholder: two underscores, capitals and underscores, two underscores
PLACEHOLDER = re.compile(r"__[A-Z][A-Z0-9_]*__")
DATA_PATHS_LINE = re.compile(r'^(?P<indent>[ \t]*)- "__DATA_PATHS__"[ \t]*$', re.MULTILINE)
SAFE_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+\-]*$")
DOCS = "docs/ci-templates.md in the pytest-mlops source repository"


def template_root() -> Traversable:
    """The templates, laid out like ``.github/``: the wheel's copy, else ``ci-templates/`` of a checkout."""
    packaged = resources.files("pytest_mlops").joinpath("templates", "github")
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "ci-templates"
    return checkout if checkout.is_dir() else packaged


def template_files() -> dict[str, str]:
    """``{"workflows/mlops-ci.yml": text, "actions/run-gates/action.yml": text, ...}``."""
    files: dict[str, str] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            rel = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, rel + "/")
            elif child.name.endswith((".yml", ".yaml")):
                files[rel] = child.read_text(encoding="utf-8")

    walk(template_root(), "")
    if not files:
        raise MlopsError("the packaged workflow templates are missing (reinstall pytest-mlops)")
    return files


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "model"


def render(text: str, values: dict[str, str], data_paths: list[str]) -> str:
    """Fill the placeholders of one template; every placeholder must be known."""

    def paths(match: re.Match[str]) -> str:
        indent = match.group("indent")
        return "\n".join(f"{indent}- {json.dumps(p, ensure_ascii=False)}" for p in data_paths)

    text = DATA_PATHS_LINE.sub(paths, text)
    for key, value in values.items():
        text = text.replace(f'"__{key}__"', json.dumps(value, ensure_ascii=False))
    text = text.replace("__MODEL_SLUG__", _slug(values["MODEL_NAME"]))
    left = sorted(set(PLACEHOLDER.findall(text)))
    if left:
        raise MlopsError(f"template placeholders without a value: {', '.join(left)} (a bug in pytest-mlops)")
    return text


@dataclass(frozen=True)
class Planned:
    """One file ``init`` would write: where, what, and what is there now."""

    path: Path
    text: str
    state: str  # "create", "unchanged", "overwrite" (exists, differs)


def _git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _default_branch(root: Path) -> str:
    head = root / ".git" / "HEAD"
    try:
        text = head.read_text(encoding="utf-8").strip()
    except OSError:
        return "main"
    prefix = "ref: refs/heads/"
    return text[len(prefix) :] if text.startswith(prefix) else "main"


def _default_install(workdir: Path) -> str:
    package = f'"pytest-mlops[mlflow]=={__version__}"'
    if (workdir / "pyproject.toml").exists() or (workdir / "setup.py").exists():
        return f"python -m pip install . {package}"
    if (workdir / "requirements.txt").exists():
        return f"python -m pip install -r requirements.txt {package}"
    return f"python -m pip install {package}"


def _check_value(flag: str, value: str) -> str:
    if "${{" in value:
        raise MlopsError(
            f"{flag} {value!r}: GitHub would evaluate '${{{{ ... }}}}' there; "
            "refer to environment variables instead (e.g. $MLOPS_MODEL_NAME)"
        )
    if "\n" in value or "\r" in value:
        raise MlopsError(f"{flag} {value!r}: give a single line (chain commands with &&)")
    return value


def settings(args: argparse.Namespace, cwd: Path) -> tuple[Path, dict[str, str], list[str]]:
    """(repository root, placeholder values, data paths) from the parsed arguments."""
    root = Path(args.root).resolve() if args.root else _git_root(cwd.resolve())
    if root is None:
        raise MlopsError(f"{cwd} is not inside a git repository; run init there or give --root DIR")
    if not root.is_dir():
        raise MlopsError(f"--root {str(root)!r} is not a directory")
    if args.working_directory is not None:
        workdir_text = args.working_directory.strip().strip("/") or "."
    else:
        try:
            workdir_text = cwd.resolve().relative_to(root).as_posix() or "."
        except ValueError:
            workdir_text = "."
    workdir = (root / workdir_text).resolve()
    if Path(workdir_text).is_absolute() or not workdir.is_relative_to(root) or not workdir.is_dir():
        raise MlopsError(
            f"--working-directory {workdir_text!r}: give an existing directory inside the repository, "
            f"relative to {root}"
        )
    model = _check_value("--model", args.model.strip())
    if not model:
        raise MlopsError("--model: give the registered model name, e.g. --model churn")
    python = args.python_version or f"{sys.version_info.major}.{sys.version_info.minor}"
    if not SAFE_VERSION.match(python):
        raise MlopsError(f"--python-version {python!r} is not valid; e.g. 3.12")
    prefix = "" if workdir_text == "." else workdir_text + "/"
    data_paths = args.data_path or [f"{prefix}data/**", f"{prefix}params.yaml"]
    for item in data_paths:
        _check_value("--data-path", item)
    kinds = [k.strip() for k in args.require_kinds.split(",") if k.strip()]
    if not kinds:
        raise MlopsError(f"--require-kinds {args.require_kinds!r} names no gate kind; e.g. model,drift")
    values = {
        "MODEL_NAME": model,
        "WORKING_DIRECTORY": workdir_text,
        "PYTHON_VERSION": python,
        "INSTALL_COMMAND": args.install_command if args.install_command is not None else _default_install(workdir),
        "DATA_COMMAND": args.data_command,
        "TRAIN_COMMAND": args.train_command,
        "MONITOR_DATA_COMMAND": args.monitor_data_command
        if args.monitor_data_command is not None
        else args.data_command,
        "GATES_PATH": args.gates_path,
        "REQUIRE_KINDS": ",".join(kinds),
        "DEFAULT_BRANCH": args.default_branch or _default_branch(root),
        "DEPLOY_COMMAND": args.deploy_command,
        "SMOKE_COMMAND": args.smoke_command,
        "CANARY_COMMAND": args.canary_command,
        "MLFLOW_OIDC_AUDIENCE": args.mlflow_oidc_audience.strip(),
    }
    for key, value in values.items():
        _check_value("--" + key.lower().replace("_", "-"), value)
    if not values["TRAIN_COMMAND"].strip():
        raise MlopsError("--train-command: give the command that trains and registers the challenger")
    return root, values, data_paths


def plan(root: Path, values: dict[str, str], data_paths: list[str]) -> list[Planned]:
    planned = []
    for rel, template in template_files().items():
        path = root / ".github" / rel
        text = render(template, values, data_paths)
        if not path.exists():
            state = "create"
        elif path.is_file() and path.read_text(encoding="utf-8") == text:
            state = "unchanged"
        else:
            state = "overwrite"
        planned.append(Planned(path, text, state))
    return planned


def _write_atomic(path: Path, text: str) -> None:
    from pytest_mlops._io import write_atomic

    write_atomic(path, text)  # bytes as given: "\n" line ends on every platform


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "init",
        help="add the GitHub Actions workflows (CI, CT, CD, rollback, monitor) to a repository",
        description="Copy the pytest-mlops GitHub Actions templates into .github/ of the git repository around "
        "the current directory, with the model name, paths, commands and Python version filled in. Existing files "
        "are left alone unless --force. Exit 0 written (or nothing to do), 1 refused to overwrite, 2 bad input.",
    )
    parser.add_argument("--model", required=True, metavar="NAME", help="registered model name")
    parser.add_argument(
        "--train-command",
        required=True,
        metavar="CMD",
        help="trains, logs and registers a version as the challenger (the model name is in $MLOPS_MODEL_NAME)",
    )
    parser.add_argument(
        "--working-directory",
        metavar="DIR",
        help="project directory relative to the repository root (default: the current directory)",
    )
    parser.add_argument("--python-version", metavar="X.Y", help="Python on the runners (default: this Python's)")
    parser.add_argument(
        "--install-command",
        metavar="CMD",
        help="installs the project and pytest-mlops (default: pip install of the project and this pytest-mlops)",
    )
    parser.add_argument(
        "--data-command", default="", metavar="CMD", help="makes or fetches the data before the gates (default: none)"
    )
    parser.add_argument(
        "--monitor-data-command",
        metavar="CMD",
        help="fetches recent serving data for the drift monitor (default: --data-command)",
    )
    parser.add_argument("--gates-path", default="tests", metavar="PATHS", help="test paths of the gates (tests)")
    parser.add_argument(
        "--data-path",
        action="append",
        metavar="GLOB",
        help="repository path whose changes start training; repeatable (default: <dir>/data/** and <dir>/params.yaml)",
    )
    parser.add_argument(
        "--require-kinds",
        default="model,drift",
        metavar="KINDS",
        help="gate kinds the CT report must contain before promotion (model,drift)",
    )
    parser.add_argument(
        "--default-branch", metavar="BRANCH", help="branch that trains and deploys (default: the checked-out one)"
    )
    parser.add_argument(
        "--deploy-command", default="", metavar="CMD", help="rolls out the champion after a promotion or rollback"
    )
    parser.add_argument("--smoke-command", default="", metavar="CMD", help="checks a rollout; failure rolls back")
    parser.add_argument(
        "--canary-command",
        default="",
        metavar="CMD",
        help="serves the challenger to a slice and writes canary-outcomes.csv; promotion then goes through "
        "'pytest-mlops canary'",
    )
    parser.add_argument(
        "--mlflow-oidc-audience",
        default="",
        metavar="AUDIENCE",
        help="for a cloud-hosted MLflow that trusts GitHub's OIDC tokens: the audience to request a token for, "
        "used instead of the MLFLOW_TRACKING_TOKEN secret (default: none, use the secrets)",
    )
    parser.add_argument("--root", metavar="DIR", help="repository root (default: the git repository around cwd)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument("--dry-run", action="store_true", help="list what would be written; write nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root, values, data_paths = settings(args, Path.cwd())
    planned = plan(root, values, data_paths)
    conflicts = [p for p in planned if p.state == "overwrite"]
    width = max(len(p.state) for p in planned)
    verb = "would write" if args.dry_run else "writing"
    print(f"pytest-mlops init: {verb} into {root / '.github'}")
    for item in planned:
        state = item.state
        if state == "overwrite" and not args.force:
            state = "exists"
        print(f"  {state:<{width}}  {item.path.relative_to(root).as_posix()}")
    print("settings:")
    for key, value in values.items():
        print(f"  {key.lower().replace('_', '-')}: {value!r}")
    print(f"  data-paths: {data_paths!r}")
    if args.dry_run:
        if conflicts and not args.force:
            print(f"{len(conflicts)} file(s) exist and differ: init would refuse without --force")
        return 0
    if conflicts and not args.force:
        names = ", ".join(p.path.relative_to(root).as_posix() for p in conflicts)
        print(f"pytest-mlops init: refused: {names} already exist(s); use --force to overwrite", file=sys.stderr)
        return 1
    for item in planned:
        if item.state != "unchanged":
            _write_atomic(item.path, item.text)
    print(
        "next: create the GitHub environments 'mlops-training', 'production' (required reviewers) and "
        "'mlops-monitoring' (read-only registry user), each limited to the default branch and holding the secret "
        "MLFLOW_TRACKING_URI (plus MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN); then commit "
        f".github/. Guide: {DOCS}"
    )
    return 0
