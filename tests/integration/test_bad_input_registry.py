"""Bad input to the registry and report commands: one readable line on stderr, exit 2, never a traceback.

Families: report files (missing, a folder, corrupt, empty, not a report, off-schema), tracking
URIs (missing or folder sqlite store, unknown scheme, dead port, credentials), timeouts, models,
versions and alias names, canary outcome files, and the score command's own flags. Each case
runs the real command against a real sqlite store holding model ``churn`` (v1 champion, v2
challenger) or against nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration import registry_helpers as h
from tests.integration.mlflow_env import free_port

pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning")


@dataclass
class Env:
    uri: str
    tmp: Path
    good_report: Path

    def file(self, name: str, content: bytes | str) -> Path:
        path = self.tmp / name
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        return path

    def folder(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir(exist_ok=True)
        return path


@pytest.fixture
def env(sqlite_tracking_uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    run_id = h.bare_run(sqlite_tracking_uri, tmp_path / "artifacts")
    v1, v2 = h.new_versions(sqlite_tracking_uri, "churn", run_id, 2)
    client = h.client_for(sqlite_tracking_uri)
    client.set_registered_model_alias("churn", "champion", v1)
    client.set_registered_model_alias("churn", "challenger", v2)
    report = h.gated_version(sqlite_tracking_uri, "churn", v2, run_id, tmp_path)
    return Env(sqlite_tracking_uri, tmp_path, report)


def registry(command: str, env: Env, *extra: str, model: str = "churn") -> list[str]:
    return [command, "--model", model, "--tracking-uri", env.uri, *extra]


def promote(env: Env, *extra: str) -> list[str]:
    return registry("promote", env, "--report", str(env.good_report), *extra)


NOT_A_REPORT = json.dumps([1, 2, 3])
OLD_SCHEMA = json.dumps({"gates": [], "status": "passed"})
OFF_SCHEMA = json.dumps({"schema_version": 1, "gates": "none", "status": 7})
CANARY = ["--report", "r.json", "--max-drop", "0.01"]

Case = Callable[[Env], list[str]]


def prompt(env: Env) -> str:
    """A registered model that holds an MLflow prompt: the registry commands treat it as not found."""
    h.client_for(env.uri).register_prompt("greeting", "Hello {{name}}")
    return "greeting"


CASES: list[tuple[str, Case, str]] = [
    # -- report files given to promote, report, score, canary
    ("promote-missing-report", lambda e: registry("promote", e, "--report", "nope.json"), "nope.json' does not exist"),
    ("promote-report-folder", lambda e: registry("promote", e, "--report", str(e.folder("r"))), "is a folder"),
    (
        "promote-corrupt-report",
        lambda e: registry("promote", e, "--report", str(e.file("c.json", "{not json"))),
        "is not valid JSON",
    ),
    (
        "promote-empty-report",
        lambda e: registry("promote", e, "--report", str(e.file("e.json", b""))),
        "is not valid JSON",
    ),
    (
        "promote-binary-report",
        lambda e: registry("promote", e, "--report", str(e.file("b.json", b"\xff\xfe\x00garbage"))),
        "is not valid JSON",
    ),
    (
        "promote-not-a-report",
        lambda e: registry("promote", e, "--report", str(e.file("l.json", NOT_A_REPORT))),
        "is not a pytest-mlops report",
    ),
    (
        "promote-report-without-schema-version",
        lambda e: registry("promote", e, "--report", str(e.file("v.json", OLD_SCHEMA))),
        "schema_version None is not supported by this pytest-mlops",
    ),
    (
        "promote-off-schema-report",
        lambda e: registry("promote", e, "--report", str(e.file("s.json", OFF_SCHEMA))),
        "does not match the report schema",
    ),
    ("report-folder", lambda e: ["report", str(e.folder("r"))], "is a folder"),
    ("report-missing", lambda e: ["report", "nope.json"], "does not exist"),
    ("report-corrupt", lambda e: ["report", str(e.file("c.json", "[1,"))], "is not valid JSON"),
    ("report-not-a-report", lambda e: ["report", str(e.file("l.json", NOT_A_REPORT))], "is not a pytest-mlops report"),
    ("score-folder", lambda e: ["score", str(e.folder("r"))], "is a folder"),
    ("score-corrupt", lambda e: ["score", str(e.file("c.json", "{"))], "is not valid JSON"),
    ("score-off-schema", lambda e: ["score", str(e.file("s.json", OFF_SCHEMA))], "does not match the report schema"),
    ("score-root-missing", lambda e: ["score", str(e.good_report), "--root", "nowhere"], "'nowhere' is not a folder"),
    ("score-manual-unknown", lambda e: ["score", str(e.good_report), "--manual", "data-99"], "not a rubric test id"),
    # -- tracking URIs and timeouts
    (
        "history-missing-sqlite-store",
        lambda e: ["history", "--model", "churn", "--tracking-uri", f"sqlite:///{e.tmp / 'nope' / 'mlflow.db'}"],
        "mlflow.db' does not exist; point --tracking-uri",
    ),
    (
        "history-sqlite-store-is-a-folder",
        lambda e: ["history", "--model", "churn", "--tracking-uri", f"sqlite:///{e.folder('store')}"],
        "is a folder; point --tracking-uri",
    ),
    (
        "history-default-store-missing",
        lambda e: ["history", "--model", "churn"],
        "mlflow.db' does not exist",
    ),
    (
        "history-unknown-scheme",
        lambda e: ["history", "--model", "churn", "--tracking-uri", "foo://bar"],
        "'foo://bar' is not a tracking URI MLflow can use",
    ),
    (
        "rollback-dead-port",
        lambda e: ["rollback", "--model", "churn", "--tracking-uri", f"http://127.0.0.1:{free_port()}"],
        "is unreachable (connection refused",
    ),
    (
        "history-credentials-masked",
        lambda e: ["history", "--model", "churn", "--tracking-uri", f"http://alice:s3cret@127.0.0.1:{free_port()}"],
        "'http://alice:***@127.0.0.1:",
    ),
    ("history-timeout-zero", lambda e: registry("history", e, "--timeout", "0"), "timeout 0.0 is not valid"),
    ("history-timeout-negative", lambda e: registry("history", e, "--timeout", "-5"), "timeout -5.0 is not valid"),
    ("history-timeout-nan", lambda e: registry("history", e, "--timeout", "nan"), "timeout nan is not valid"),
    # -- models, versions, aliases
    ("history-unknown-model", lambda e: registry("history", e, model="nope"), "not found in the MLflow registry"),
    ("rollback-unknown-model", lambda e: registry("rollback", e, model="nope"), "not found in the MLflow registry"),
    ("promote-unknown-model", lambda e: [*promote(e)[:2], "nope", *promote(e)[3:]], "not found in the MLflow registry"),
    ("promote-unknown-version", lambda e: promote(e, "--version", "99"), "not found in the MLflow registry"),
    ("history-prompt", lambda e: registry("history", e, model=prompt(e)), "not found in the MLflow registry"),
    ("rollback-prompt", lambda e: registry("rollback", e, model=prompt(e)), "not found in the MLflow registry"),
    ("promote-unknown-source-alias", lambda e: promote(e, "--from", "canary"), "has no alias 'canary'"),
    ("promote-from-equals-to", lambda e: promote(e, "--from", "champion"), "--from 'champion' and --to 'champion'"),
    (
        "promote-previous-equals-to",
        lambda e: promote(e, "--previous-alias", "champion"),
        "--to 'champion' and --previous-alias 'champion' must differ",
    ),
    ("promote-reserved-alias-latest", lambda e: promote(e, "--to", "latest"), "--to 'latest' is reserved by MLflow"),
    ("rollback-reserved-version-alias", lambda e: registry("rollback", e, "--previous-alias", "v2"), "is reserved"),
    (
        "promote-invalid-alias-name",
        lambda e: promote(e, "--to", "prod champion!"),
        "--to 'prod champion!' is not a valid MLflow alias name",
    ),
    ("promote-empty-alias-name", lambda e: promote(e, "--from", ""), "--from '' is not a valid MLflow alias name"),
    # -- canary outcome files (read before the registry is touched)
    (
        "canary-missing-outcomes",
        lambda e: registry("canary", e, "--outcomes", "nope.csv", *CANARY),
        "--outcomes 'nope.csv' does not exist",
    ),
    (
        "canary-outcomes-folder",
        lambda e: registry("canary", e, "--outcomes", str(e.folder("o")), *CANARY),
        "is a folder; give a CSV",
    ),
    (
        "canary-outcomes-without-group-column",
        lambda e: registry("canary", e, "--outcomes", str(e.file("o.csv", "arm,outcome\na,1\n")), *CANARY),
        "has no column 'group'",
    ),
    (
        "canary-outcomes-not-numbers",
        lambda e: registry("canary", e, "--outcomes", str(e.file("o.csv", "group,outcome\ncanary,yes\n")), *CANARY),
        "column 'outcome' holds no numbers",
    ),
    (
        "canary-outcomes-no-canary-rows",
        lambda e: registry("canary", e, "--outcomes", str(e.file("o.csv", "group,outcome\nchampion,1\n")), *CANARY),
        "no row has group='canary'",
    ),
]


@pytest.mark.parametrize(("build", "expected"), [pytest.param(b, x, id=i) for i, b, x in CASES])
def test_bad_input_is_one_line_exit_2(env: Env, build: Case, expected: str) -> None:
    before = h.aliases(env.uri, "churn")
    argv = build(env)
    out = h.run_cli(argv)
    err = out["stderr"]
    assert out["code"] == 2, out
    assert err.startswith(f"pytest-mlops {argv[0]}: error: "), err
    assert err.count("\n") == 1, err
    assert expected in err, err
    for leak in ("Traceback", "urllib3", "HTTPConnectionPool", "sqlalchemy", "s3cret", "Errno"):
        assert leak not in err, err
    assert h.aliases(env.uri, "churn") == before  # nothing changed
    assert not (env.tmp / "mlflow.db").exists()  # no store created by accident


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert len({i for i, _, _ in CASES}) == len(CASES)


# -- the same families through the model fixtures (an inner pytest session) ------------------------------

FIXTURE_TEST = """
def test_challenger(mlops_challenger):
    assert mlops_challenger is not None
"""

FIXTURE_CASES = [
    ("dead-server-with-credentials", "http://alice:s3cret@127.0.0.1:{port}", "churn", "'http://alice:***@127.0.0.1:"),
    ("unknown-model", "{store}", "nope", "registered model 'nope' does not exist in the registry"),
    ("missing-sqlite-store", "sqlite:///{tmp}/no/such/folder/mlflow.db", "churn", "mlflow.db' does not exist"),
    ("unknown-scheme", "foo://bar", "churn", "'foo://bar'"),
]


@pytest.mark.parametrize(("uri", "model", "expected"), [pytest.param(*c[1:], id=c[0]) for c in FIXTURE_CASES])
def test_bad_input_to_the_model_fixtures_is_one_line(
    env: Env, pytester: pytest.Pytester, uri: str, model: str, expected: str
) -> None:
    pytester.makepyfile(test_model=FIXTURE_TEST)
    target = uri.format(port=free_port(), store=env.uri, tmp=env.tmp)
    result = pytester.runpytest_subprocess(
        f"--mlops-tracking-uri={target}", f"--mlops-model-name={model}", "-p", "no:cacheprovider", "-W", "ignore"
    )
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    errors = out.split(" ERRORS ", 1)[1].split("short test summary", 1)[0]
    lines = [line for line in errors.splitlines()[1:] if line.strip() and not line.startswith(("_", "="))]
    lines = [line for line in lines if not line.startswith("All traceback entries are hidden")]
    assert len(lines) == 1, errors
    assert expected in lines[0], lines
    for leak in ("Traceback", "urllib3", "sqlalchemy", "s3cret", "During handling"):
        assert leak not in out, out[-3000:]
