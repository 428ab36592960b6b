"""One :class:`SessionReport` aggregates every gate result: the report model.

It is built from plain JSON data, writes and reads the JSON report (versioned schema in
``pytest_mlops/schemas/report-v1.schema.json``) and validates it. The terminal lines,
Markdown for ``$GITHUB_STEP_SUMMARY`` and the self-contained HTML page are drawn by the
renderers in :mod:`pytest_mlops.render`, imported inside the methods that use them (so the
model and its renderers never import each other at module level). What is read out of a
report lives beside it: :mod:`pytest_mlops.report.mltestscore` scores it against the ML Test Score.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from pytest_mlops._io import write_atomic
from pytest_mlops.errors import MlopsInputError
from pytest_mlops.results import GateResult, JSONValue

__all__ = ["SCHEMA_VERSION", "SessionReport", "TestOutcome", "load_report", "report_digest", "report_schema"]

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class TestOutcome:
    """A test that did not pass, or that ran gates (for completeness checks)."""

    nodeid: str
    outcome: str  # passed, failed, error, skipped
    kinds: tuple[str, ...] = ()


@dataclass
class SessionReport:
    """Everything one pytest session's gates produced."""

    gates: list[GateResult] = field(default_factory=list)
    lineage: list[dict[str, JSONValue]] = field(default_factory=list)
    tests: Counter[str] = field(default_factory=Counter)
    not_passed: list[TestOutcome] = field(default_factory=list)
    environment: dict[str, JSONValue] = field(default_factory=dict)
    created_at: str = ""
    stage: str | None = None
    exitstatus: int | None = None
    tool_version: str = ""
    #: the ML Test Score section, when --mlops-score asked for it
    ml_test_score: dict[str, JSONValue] | None = None

    # -- building ------------------------------------------------------------------------

    def add_gate(self, result: GateResult) -> None:
        self.gates.append(result)

    def add_lineage(self, entry: Mapping[str, JSONValue]) -> None:
        if dict(entry) not in self.lineage:
            self.lineage.append(dict(entry))

    def sort(self) -> None:
        """Put gates in a stable order (by test id, then in the order each test ran them).

        Serial and pytest-xdist runs of one suite produce the same order this way.
        """
        order: dict[str, int] = {}
        for result in self.gates:
            order.setdefault(result.nodeid, len(order))
        indexed = list(enumerate(self.gates))
        indexed.sort(key=lambda pair: (pair[1].nodeid, pair[0]))
        self.gates = [result for _, result in indexed]
        self.lineage = _merge_lineage(self.lineage)
        self.lineage.sort(key=lambda e: json.dumps(e, sort_keys=True))
        self.not_passed.sort(key=lambda t: t.nodeid)

    # -- summaries -----------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        counter = Counter(result.status for result in self.gates)
        return {
            "gates": len(self.gates),
            **{status: counter.get(status, 0) for status in ("passed", "failed", "warned")},
        }

    def by_kind(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for result in self.gates:
            row = table.setdefault(result.kind, {"passed": 0, "failed": 0, "warned": 0})
            row[result.status] += 1
        return dict(sorted(table.items()))

    @property
    def status(self) -> str:
        """``failed`` if a gate failed or the session did not exit cleanly; ``no-gates``
        if no gate ran; else ``passed`` (warnings do not fail a report)."""
        if any(r.status == "failed" for r in self.gates) or (self.exitstatus not in (None, 0)):
            return "failed"
        if not self.gates:
            return "no-gates"
        return "passed"

    def count_line(self) -> str:
        """``12 gates: 9 passed, 1 warned, 2 failed``."""
        from pytest_mlops.render.terminal import count_line

        return count_line(self)

    # -- JSON ------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "pytest-mlops", "version": self.tool_version},
            "created_at": self.created_at,
            "status": self.status,
            "stage": self.stage,
            "pytest_exitstatus": self.exitstatus,
            "summary": {**self.counts(), "by_kind": self.by_kind()},  # type: ignore[dict-item]
            "tests": {
                "counts": dict(sorted(self.tests.items())),
                "not_passed": [
                    {"nodeid": t.nodeid, "outcome": t.outcome, "kinds": list(t.kinds)} for t in self.not_passed
                ],
            },
            "environment": self.environment,
            "lineage": list(self.lineage),
            "gates": [r.to_dict() for r in self.gates],
            **({"ml_test_score": self.ml_test_score} if self.ml_test_score is not None else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SessionReport:
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise MlopsInputError(
                f"report schema_version {version!r} is not supported by this pytest-mlops "
                f"(it reads version {SCHEMA_VERSION}); re-run the gates to write a new report"
            )
        tests = data.get("tests") or {}
        return cls(
            gates=[GateResult.from_dict(g) for g in data.get("gates", [])],
            lineage=[dict(e) for e in data.get("lineage", [])],
            tests=Counter(tests.get("counts") or {}),
            not_passed=[
                TestOutcome(t["nodeid"], t["outcome"], tuple(t.get("kinds", ()))) for t in tests.get("not_passed", [])
            ],
            environment=dict(data.get("environment") or {}),
            created_at=data.get("created_at", ""),
            stage=data.get("stage"),
            exitstatus=data.get("pytest_exitstatus"),
            tool_version=(data.get("tool") or {}).get("version", ""),
            ml_test_score=data.get("ml_test_score"),
        )

    # -- renderings (pytest_mlops.render) ---------------------------------------------------

    def terminal_lines(self, verbosity: int = 0, limit: int = 30) -> list[str]:
        """Lines for the terminal section: failed first, then warned, then passed."""
        from pytest_mlops.render.terminal import terminal_lines

        return terminal_lines(self, verbosity, limit)

    def to_markdown(self) -> str:
        """The Markdown summary (see :mod:`pytest_mlops.render.markdown`)."""
        from pytest_mlops.render.markdown import to_markdown

        return to_markdown(self)

    def to_html(self) -> str:
        """A self-contained HTML page that opens on the failed gates (see :mod:`pytest_mlops.render.html`)."""
        from pytest_mlops.render.html import render_html

        return render_html(self)

    # -- files -----------------------------------------------------------------------------------

    def write_json(self, path: Path) -> Path:
        return write_atomic(path, self.to_json())

    def write_markdown(self, path: Path, *, append: bool = False) -> Path:
        return write_atomic(path, self.to_markdown(), append=append)

    def write_html(self, path: Path) -> Path:
        return write_atomic(path, self.to_html())


def _merge_lineage(entries: list[dict[str, JSONValue]]) -> list[dict[str, JSONValue]]:
    """One entry per fingerprinted thing: the same file attached under several names (a data
    fixture's and a gate's) becomes one entry whose name lists them all, in order."""
    merged: dict[tuple[str, str, str], dict[str, JSONValue]] = {}
    out: list[dict[str, JSONValue]] = []
    for entry in entries:
        digest = entry.get("sha256")
        if not isinstance(digest, str) or not digest:
            out.append(entry)
            continue
        key = (str(entry.get("role")), str(entry.get("path")), digest)
        if key not in merged:
            merged[key] = dict(entry)
            out.append(merged[key])
            continue
        names = set(str(merged[key]["name"]).split(" / ")) | {str(entry.get("name"))}
        merged[key]["name"] = " / ".join(sorted(names))
    return out


def report_digest(path: Path | str) -> str:
    """SHA-256 of a report file's bytes: what binds a report to a model version."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def report_schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped in the package."""
    text = resources.files("pytest_mlops").joinpath("schemas/report-v1.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def load_report(path: Path | str) -> SessionReport:
    """Read a JSON report written by ``--mlops-report``; clear errors for bad files."""
    path = Path(path)
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise MlopsInputError(
            f"report {str(path)!r} does not exist; write one with pytest --mlops-report={path}"
        ) from None
    except IsADirectoryError:
        raise MlopsInputError(f"report {str(path)!r} is a folder; give the JSON file --mlops-report wrote") from None
    except OSError as exc:
        raise MlopsInputError(f"report {str(path)!r} could not be read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MlopsInputError(
            f"report {str(path)!r} is not valid JSON ({exc}); was it written by --mlops-report?"
        ) from None
    if not isinstance(data, dict) or "gates" not in data:
        raise MlopsInputError(f"report {str(path)!r} is not a pytest-mlops report (no 'gates' list)")
    try:
        return SessionReport.from_dict(data)
    except MlopsInputError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise _ReportShapeError(
            f"report {str(path)!r} does not match the report schema ({type(exc).__name__} reading it); "
            f"check it with `pytest-mlops report {path}`"
        ) from None


class _ReportShapeError(MlopsInputError):
    """The JSON parsed but is not shaped like a report; the schema check says where."""


def iter_gate_properties(properties: Iterable[tuple[str, object]]) -> Iterable[tuple[str, dict[str, Any]]]:
    """Decode the ``mlops_*`` entries of a test report's ``user_properties``."""
    for name, value in properties:
        if name in ("mlops_gate", "mlops_lineage") and isinstance(value, str):
            yield name, json.loads(value)


def validate_report_file(path: Path | str) -> dict[str, Any]:
    """Check a JSON report against the shipped schema; :class:`MlopsInputError` when it does not fit."""
    import jsonschema

    path = Path(path)
    shape: _ReportShapeError | None = None
    try:
        load_report(path)  # clear errors for missing or non-JSON files first
    except _ReportShapeError as exc:
        shape = exc  # the schema check below says where
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(report_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise MlopsInputError(
            f"report {str(path)!r} does not match the report schema v{SCHEMA_VERSION} at {where}: {first.message}"
            + (f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else "")
        )
    if shape is not None:
        raise shape
    return data
