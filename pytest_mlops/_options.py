"""Every ``--mlops-*`` flag and ``mlops_*`` ini key, parsed once into a frozen :class:`Settings`.

One stem per setting: ``--mlops-report`` on the command line is ``mlops_report``
in ``[tool.pytest.ini_options]``. The command line wins over the ini file, which
wins over the default. Values are validated in ``pytest_configure``; a bad one
stops pytest with a :class:`pytest.UsageError` that echoes it and lists the
accepted forms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pytest_mlops.results import KINDS

__all__ = ["OPTIONS", "Option", "Settings", "add_options", "load_settings", "parse_stages"]

#: The pseudo-kind a stage uses to take the tests that carry no gate marker.
CODE_KIND = "code"

DEFAULT_STAGES = (
    "ci = code schema feature",
    "ct = schema feature model drift",
    "cd = model drift deployment featurestore",
    "monitor = drift featurestore",
)

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


@dataclass(frozen=True)
class Option:
    """One setting: ``--mlops-<stem>`` flag and ``mlops_<stem>`` ini key."""

    stem: str
    help: str
    default: Any = None
    #: "string", "bool", "linelist", "float" or "int"
    type: str = "string"
    metavar: str | None = None
    #: argparse ``nargs="?"`` constant, for a flag whose value is optional
    const: str | None = None

    @property
    def flag(self) -> str:
        return "--mlops-" + self.stem.replace("_", "-")

    @property
    def ini(self) -> str:
        return "mlops_" + self.stem

    @property
    def dest(self) -> str:
        return "mlops_" + self.stem


OPTIONS: tuple[Option, ...] = (
    # -- reports -------------------------------------------------------------------------
    Option(
        "report", "write the gate report as JSON (schema: pytest_mlops/schemas/report-v1.schema.json)", metavar="PATH"
    ),
    Option(
        "summary",
        "write a Markdown summary; without PATH, to $GITHUB_STEP_SUMMARY (appended)",
        metavar="PATH",
        const="auto",
    ),
    Option("html", "write a self-contained HTML gate report", metavar="PATH"),
    # -- selection -----------------------------------------------------------------------
    Option(
        "stage", "run only the tests whose gate kinds belong to this pipeline stage (see mlops_stages)", metavar="NAME"
    ),
    Option(
        "stages",
        "stage -> gate kinds, one 'name = kind kind ...' per line ('code' = tests with no gate marker); "
        "on the command line separate stages with ';'",
        default=DEFAULT_STAGES,
        type="linelist",
        metavar="SPEC",
    ),
    # -- data (schema, feature, drift gates) ---------------------------------------------
    Option(
        "reference_data",
        "reference (training) data, CSV or Parquet, for the mlops_reference_data fixture",
        metavar="PATH",
    ),
    Option(
        "current_data",
        "current (new or serving) data, CSV or Parquet, for the mlops_current_data fixture",
        metavar="PATH",
    ),
    Option(
        "holdout_data", "holdout (evaluation) data, CSV or Parquet, for the mlops_holdout_data fixture", metavar="PATH"
    ),
    Option("label", "name of the label column in the data files", metavar="COLUMN"),
    Option(
        "drift_stats",
        "saved reference statistics for the drift gates (made by 'pytest-mlops drift save')",
        metavar="PATH",
    ),
    Option(
        "feature_repo",
        "Feast feature repository (the folder of feature_store.yaml) for mlops_feature_store",
        metavar="PATH",
    ),
    # -- models and MLflow -----------------------------------------------------------------
    Option(
        "tracking_uri",
        "MLflow tracking URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db in the rootdir)",
        metavar="URI",
    ),
    Option("registry_uri", "MLflow registry URI (default: the tracking URI)", metavar="URI"),
    Option("model_name", "registered model name for the champion/challenger fixtures", metavar="NAME"),
    Option("champion_alias", "registry alias of the production model", default="champion", metavar="ALIAS"),
    Option("challenger_alias", "registry alias of the candidate model", default="challenger", metavar="ALIAS"),
    Option(
        "mlflow_timeout",
        "seconds before an MLflow request gives up (no long retry loop)",
        default=10.0,
        type="float",
        metavar="SECONDS",
    ),
    Option(
        "log_to_mlflow",
        "log the session's gate results to an MLflow run and tag the evaluated model version",
        default=False,
        type="bool",
    ),
    Option("experiment", "MLflow experiment for --mlops-log-to-mlflow runs", default="pytest-mlops", metavar="NAME"),
    # -- declarative gates and baselines ------------------------------------------------------
    Option(
        "gates_files",
        "file names collected as declarative gates files (YAML), space-separated",
        default="mlops-gates.yaml mlops-gates.yml",
        type="names",
        metavar="NAMES",
    ),
    Option(
        "update_baselines",
        "rewrite the baseline files that gates compare with, and report what changed",
        default=False,
        type="bool",
    ),
    # -- failures ------------------------------------------------------------------------------
    Option(
        "stop_at_first",
        "stop each test at its first failed gate (default: every gate of a test runs, then the test "
        "fails once listing each failed gate); per test: @pytest.mark.mlops_stop_at_first",
        default=False,
        type="bool",
    ),
    # -- ML Test Score ---------------------------------------------------------------------
    Option("score", "score the project with the ML Test Score after the run", default=False, type="bool"),
    Option(
        "manual_tests",
        "ML Test Score tests your team does by hand (0.5 point each), e.g. 'data-5 model-3'",
        type="words",
        metavar="IDS",
    ),
)


@dataclass(frozen=True)
class Settings:
    """All pytest-mlops settings for one session, validated."""

    report: Path | None = None
    summary: Path | None = None
    html: Path | None = None
    stage: str | None = None
    stages: Mapping[str, frozenset[str]] = field(default_factory=dict)
    reference_data: Path | None = None
    current_data: Path | None = None
    holdout_data: Path | None = None
    label: str | None = None
    drift_stats: Path | None = None
    feature_repo: Path | None = None
    tracking_uri: str | None = None
    registry_uri: str | None = None
    model_name: str | None = None
    champion_alias: str = "champion"
    challenger_alias: str = "challenger"
    mlflow_timeout: float = 10.0
    log_to_mlflow: bool = False
    experiment: str = "pytest-mlops"
    score: bool = False
    manual_tests: tuple[str, ...] = ()
    gates_files: tuple[str, ...] = ("mlops-gates.yaml", "mlops-gates.yml")
    update_baselines: bool = False
    stop_at_first: bool = False
    rootdir: Path = Path(".")

    def kinds_for_stage(self) -> frozenset[str] | None:
        """The gate kinds the selected stage runs, or None when no stage was selected."""
        return None if self.stage is None else self.stages[self.stage]


#: Option.type -> the type pytest's ``addini`` reads the ini key as (``pytest --help`` shows it).
#: ``names`` and ``words`` are shell-like word lists (pytest's ``args``). Single paths stay
#: ``string``: pytest's ``paths`` is a list relative to the ini file, ours are one path relative
#: to the rootdir, like ``--junitxml``.
INI_TYPES = {"bool": "bool", "float": "float", "linelist": "linelist", "names": "args", "words": "args"}


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("mlops", "pytest-mlops quality gates")
    for opt in OPTIONS:
        kwargs: dict[str, Any] = {"dest": opt.dest, "default": None, "help": opt.help}
        if opt.type == "bool":
            kwargs["action"] = "store_const"
            kwargs["const"] = "true"
        else:
            kwargs["metavar"] = opt.metavar
            if opt.const is not None:
                kwargs["nargs"] = "?"
                kwargs["const"] = opt.const
        group.addoption(opt.flag, **kwargs)
        ini_type = INI_TYPES.get(opt.type, "string")
        default = list(opt.default) if opt.type == "linelist" else None
        parser.addini(opt.ini, opt.help, type=ini_type, default=default)  # type: ignore[arg-type]


def _usage(opt: Option, value: Any, accepted: str) -> pytest.UsageError:
    return pytest.UsageError(f"{opt.flag} / {opt.ini}: {value!r} is not valid; {accepted}")


def _parse_bool(opt: Option, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _usage(opt, value, f"use one of {', '.join(TRUE_WORDS + FALSE_WORDS[:-1])}")


def _parse_number(opt: Option, value: Any, cast: Callable[[str], float]) -> float:
    try:
        number = cast(str(value).strip())
    except ValueError:
        raise _usage(opt, value, "expected a positive number, e.g. 10") from None
    if not number > 0:
        raise _usage(opt, value, "expected a positive number, e.g. 10")
    return number


def parse_stages(lines: list[str] | tuple[str, ...], opt: Option | None = None) -> dict[str, frozenset[str]]:
    """Parse ``["ci = code schema feature", ...]`` into ``{"ci": {"code", "schema", "feature"}}``."""
    opt = opt or next(o for o in OPTIONS if o.stem == "stages")
    known = set(KINDS) | {CODE_KIND}
    accepted = f"write 'name = kind kind ...' with kinds from: {', '.join(sorted(known))}"
    stages: dict[str, frozenset[str]] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, rest = line.partition("=")
        name = name.strip()
        kinds = rest.replace(",", " ").split()
        if not sep or not name or not name.isidentifier() or not kinds:
            raise _usage(opt, raw, accepted)
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise _usage(opt, raw, f"unknown kind {unknown[0]!r}; {accepted}")
        stages[name] = frozenset(kinds)
    return stages


def _parse_test_ids(opt: Option, raw: str) -> tuple[str, ...]:
    from pytest_mlops.report.mltestscore import RUBRIC, unknown_ids

    ids = tuple(raw.replace(",", " ").split())
    bad = unknown_ids(ids)
    if bad:
        raise _usage(
            opt, bad[0], f"use rubric test ids such as {RUBRIC[4].id} or {RUBRIC[9].id} (data-1 ... monitoring-7)"
        )
    return ids


#: what each typed ini key accepts, for the message when pytest cannot read its value
_ACCEPTED = {
    "bool": f"use one of {', '.join(TRUE_WORDS + FALSE_WORDS[:-1])}",
    "float": "expected a positive number, e.g. 10",
}


def _raw(config: pytest.Config, opt: Option) -> Any:
    """The value as given: command line first, then ini, else None."""
    value = config.getoption(opt.dest, default=None)
    if value is not None:
        if opt.type == "linelist" and isinstance(value, str):
            return [part for part in value.split(";") if part.strip()]
        return value
    try:
        ini_value = config.getini(opt.ini)
    except (ValueError, TypeError, pytest.UsageError) as exc:  # pytest read the typed key and refused it
        # pytest's message ends with the value's repr ("invalid truth value 'sometimes'")
        quoted = re.search(r"'([^']*)'\s*$", str(exc))
        shown = repr(quoted.group(1)) if quoted else str(exc)
        raise pytest.UsageError(
            f"{opt.flag} / {opt.ini}: {shown} is not valid; {_ACCEPTED.get(opt.type, 'see pytest --help')}"
        ) from None
    if opt.type in ("linelist", "names", "words"):
        return list(ini_value) if ini_value else None
    if ini_value in ("", None):
        return None
    return ini_value


def load_settings(config: pytest.Config) -> Settings:
    """Read and validate every option once; raise ``pytest.UsageError`` on a bad value."""
    values: dict[str, Any] = {"rootdir": Path(str(config.rootpath))}
    for opt in OPTIONS:
        raw = _raw(config, opt)
        if raw is None:
            raw = opt.default
        if raw is None:
            continue
        if opt.type == "bool":
            values[opt.stem] = _parse_bool(opt, raw)
        elif opt.type == "float":
            values[opt.stem] = _parse_number(opt, raw, float)
        elif opt.type == "linelist":
            values[opt.stem] = parse_stages(list(raw), opt)
        elif opt.type == "words":
            values[opt.stem] = _parse_test_ids(opt, _words(raw))
        elif opt.type == "names":
            names = tuple(_words(raw).replace(",", " ").split())
            folders = [n for n in names if "/" in n]
            if not names or folders:
                bad = folders[0] if folders else _words(raw)
                raise _usage(opt, bad, "give file names without folders, e.g. 'mlops-gates.yaml'")
            values[opt.stem] = names
        elif opt.stem in (
            "report",
            "summary",
            "html",
            "reference_data",
            "current_data",
            "holdout_data",
            "drift_stats",
            "feature_repo",
        ):
            values[opt.stem] = _parse_path(opt, str(raw), config)
        else:
            text = str(raw).strip()
            if not text:
                raise _usage(opt, raw, "give a non-empty value")
            values[opt.stem] = text
    settings = Settings(**values)
    if settings.stage is not None and settings.stage not in settings.stages:
        opt = next(o for o in OPTIONS if o.stem == "stage")
        raise _usage(
            opt, settings.stage, f"choose one of: {', '.join(sorted(settings.stages))} (defined by mlops_stages)"
        )
    return settings


def _words(raw: Any) -> str:
    """A word list from the ini file (a list) or the command line (one string), as one string."""
    return " ".join(str(word) for word in raw) if isinstance(raw, (list, tuple)) else str(raw)


def _parse_path(opt: Option, raw: str, config: pytest.Config) -> Path:
    text = raw.strip()
    if opt.const is not None and text == opt.const:
        env = os.environ.get("GITHUB_STEP_SUMMARY", "").strip()
        if not env:
            raise pytest.UsageError(
                f"{opt.flag} / {opt.ini}: no path was given, so it writes to $GITHUB_STEP_SUMMARY, "
                f"which is not set; give a path, e.g. {opt.flag}=summary.md"
            )
        return Path(env)
    if not text:
        raise _usage(opt, raw, "give a file path")
    path = Path(text).expanduser()
    if not path.is_absolute():
        # Relative paths from the command line are relative to the invocation directory,
        # relative paths from the ini file to the rootdir (as pytest's own --junitxml).
        base = config.invocation_params.dir if config.getoption(opt.dest, default=None) else config.rootpath
        path = Path(str(base)) / path
    return path
