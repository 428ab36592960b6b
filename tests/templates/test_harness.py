"""The local workflow harness itself: expression semantics, strictness, outputs, artifacts, composites, calls."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.templates.chain import Harness, HarnessError
from tests.templates.expressions import ExpressionError, UnresolvedError, evaluate, evaluate_condition, interpolate

CTX = {
    "inputs": {"model-name": "churn", "empty": "", "flag": True},
    "github": {"event_name": "push", "event": {"pull_request": {"number": 7}}, "repository": "acme/models"},
    "steps": {"gates": {"outputs": {"status": "passed"}, "outcome": "success", "conclusion": "success"}},
    "needs": {"train": {"result": "success", "outputs": {"gates-status": "failed"}}},
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("inputs.model-name", "churn"),
        ("inputs.empty || 'fallback'", "fallback"),
        ("inputs.model-name && 'yes'", "yes"),
        ("inputs.empty && 'yes'", ""),
        ("steps.gates.outputs.status == 'PASSED'", True),  # string comparison ignores case
        ("needs.train.outputs.gates-status != 'passed'", True),
        ("!inputs.flag", False),
        ("github.event.pull_request.number == 7", True),
        ("github.event.pull_request.number == '7'", True),  # loose equality converts to numbers
        ("github.event.action", None),  # payload fields may be absent: null, as on GitHub
        ("steps.gates.outputs.never-set", None),  # a step that ran but did not set the output
        ("contains('model,drift', 'drift')", True),
        ("startsWith(github.repository, 'ACME/')", True),
        ("format('{0}-{1}', inputs.model-name, 3)", "churn-3"),
        ("(1 < 2) && (2 >= 2)", True),
        ("github.event['pull_request'].number", 7.0),
    ],
)
def test_expressions(expr: str, expected: object) -> None:
    assert evaluate(expr, CTX) == expected


@pytest.mark.parametrize(
    "expr",
    [
        "inputs.model_name",  # undeclared input
        "vars.REGION",  # unknown context
        "steps.train.outputs.version",  # no such step
        "needs.deploy.outputs.url",  # no such job
        "github.repo",  # a github field the harness was not given
    ],
)
def test_unresolved_expressions_fail_loudly(expr: str) -> None:
    with pytest.raises(UnresolvedError):
        evaluate(expr, CTX)


def test_unsupported_syntax_is_an_error() -> None:
    with pytest.raises(ExpressionError):
        evaluate("hashFiles('**/*.lock')", CTX)
    with pytest.raises(ExpressionError):
        evaluate("steps.*.outcome", CTX)
    with pytest.raises(ExpressionError):
        evaluate("success()", CTX)  # status functions only in if:


def test_interpolation_and_conditions() -> None:
    assert interpolate("models:/${{ inputs.model-name }}@${{ inputs.empty || 'champion' }}", CTX) == (
        "models:/churn@champion"
    )
    assert interpolate("${{ inputs.flag }}", CTX) is True
    ok = {"success": True, "failure": False, "always": True}
    assert evaluate_condition("steps.gates.outputs.status == 'passed'", CTX, ok.__getitem__)
    assert not evaluate_condition("failure()", CTX, ok.__getitem__)
    assert evaluate_condition("${{ always() }}", CTX, ok.__getitem__)
    broken = {"success": False, "failure": True, "always": True}
    assert not evaluate_condition(None, CTX, broken.__getitem__)  # implicit success()
    assert not evaluate_condition("inputs.flag", CTX, broken.__getitem__)
    assert evaluate_condition("failure() && inputs.flag", CTX, broken.__getitem__)


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    write(
        ws,
        ".github/actions/greet/action.yml",
        """
        name: greet
        description: test composite
        inputs:
          who:
            description: name
            required: true
          punctuation:
            description: end
            default: "!"
        outputs:
          line:
            description: the greeting
            value: ${{ steps.say.outputs.line }}
        runs:
          using: composite
          steps:
            - id: say
              shell: bash
              env:
                WHO: ${{ inputs.who }}
                END: ${{ inputs.punctuation }}
              run: |
                echo "line=hello $WHO$END ($OUTER)" >> "$GITHUB_OUTPUT"
        """,
    )
    write(
        ws,
        ".github/workflows/called.yml",
        """
        name: called
        on:
          workflow_call:
            inputs:
              who:
                type: string
                required: true
            outputs:
              token-seen:
                value: ${{ jobs.work.outputs.token-seen }}
        permissions: {}
        jobs:
          work:
            runs-on: ubuntu-latest
            environment: production
            permissions: {}
            outputs:
              token-seen: ${{ steps.check.outputs.seen }}
            steps:
              - id: check
                env:
                  TOKEN: ${{ secrets.DEPLOY_TOKEN }}
                  WHO: ${{ inputs.who }}
                run: echo "seen=$WHO:$TOKEN" >> "$GITHUB_OUTPUT"
        """,
    )
    write(
        ws,
        ".github/workflows/main.yml",
        """
        name: main
        on:
          workflow_dispatch:
            inputs:
              who:
                type: string
                default: world
        permissions: {}
        env:
          LEVEL: workflow
        jobs:
          first:
            runs-on: ubuntu-latest
            permissions: {}
            outputs:
              line: ${{ steps.greet.outputs.line }}
              multi: ${{ steps.multi.outputs.text }}
            steps:
              - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
              - id: greet
                uses: $/.github/actions/greet
                env:
                  OUTER: outer-env
                with:
                  who: ${{ inputs.who }}
              - id: multi
                run: |
                  {
                    echo "text<<EOF"
                    echo "one"
                    echo "two"
                    echo "EOF"
                  } >> "$GITHUB_OUTPUT"
                  echo "FROM_ENV_FILE=yes" >> "$GITHUB_ENV"
                  mkdir -p out && echo "payload" > out/file.txt
                  echo "### summary line" >> "$GITHUB_STEP_SUMMARY"
              - run: test "$FROM_ENV_FILE" = yes && test "$LEVEL" = workflow
              - uses: actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02 # v4.6.2
                with:
                  name: things
                  path: out/file.txt
          second:
            needs: first
            runs-on: ubuntu-latest
            permissions: {}
            steps:
              - uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0
                with:
                  name: things
                  path: got
              - id: fail
                run: |
                  test "$(cat got/file.txt)" = payload
                  exit 3
              - if: steps.fail.outcome == 'failure'
                run: echo "should not run (implicit success())"
              - name: on failure ${{ needs.first.result }}
                if: failure()
                run: echo "cleanup ran"
          skipped:
            needs: second
            runs-on: ubuntu-latest
            permissions: {}
            steps:
              - run: echo never
          after-failure:
            needs: [first, second]
            if: always() && needs.second.result == 'failure'
            uses: $/.github/workflows/called.yml
            with:
              who: ${{ needs.first.outputs.line }}
        """,
    )
    return ws


def test_harness_runs_jobs_steps_outputs_artifacts_composites_and_calls(workspace: Path) -> None:
    harness = Harness(workspace, environments={"production": {"DEPLOY_TOKEN": "s3cret"}})
    run = harness.run_workflow("main.yml", event_name="workflow_dispatch", inputs={"who": "bob"})
    first, second = run.jobs["first"], run.jobs["second"]
    assert first.result == "success"
    assert first.outputs == {"line": "hello bob! (outer-env)", "multi": "one\ntwo"}
    assert "### summary line" in first.summary
    assert [s.kind for s in first.steps] == ["recorded", "composite", "run", "run", "run", "artifact"]
    assert second.result == "failure"
    assert [(s.name, s.outcome) for s in second.steps[1:]] == [
        ("step 2", "failure"),
        ("step 3", "skipped"),
        ("on failure success", "success"),
    ]
    assert second.steps[1].returncode == 3
    assert second.steps[3].output.strip() == "cleanup ran"
    assert run.jobs["skipped"].result == "skipped"
    call = run.jobs["after-failure"]
    assert call.result == "success"
    assert call.outputs == {"token-seen": "hello bob! (outer-env):s3cret"}
    assert call.called is not None
    assert call.called.jobs["work"].environment == "production"
    assert run.result == "failure"


def test_environment_must_be_configured(workspace: Path) -> None:
    with pytest.raises(HarnessError, match="environment 'production'"):
        Harness(workspace).run_workflow("main.yml", event_name="workflow_dispatch")


def test_wrong_event_and_undeclared_inputs_are_errors(workspace: Path) -> None:
    harness = Harness(workspace, environments={"production": {"DEPLOY_TOKEN": "x"}})
    with pytest.raises(HarnessError, match="not triggered by 'push'"):
        harness.run_workflow("main.yml", event_name="push")
    with pytest.raises(HarnessError, match="undeclared inputs"):
        harness.run_workflow("main.yml", event_name="workflow_dispatch", inputs={"whom": "x"})


def test_missing_secret_is_unresolved(workspace: Path) -> None:
    harness = Harness(workspace, environments={"production": {}})
    with pytest.raises(UnresolvedError, match=r"secrets\.DEPLOY_TOKEN"):
        harness.run_workflow("main.yml", event_name="workflow_dispatch")


def test_remote_actions_other_than_the_emulated_ones_are_refused(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".github/workflows/other.yml",
        """
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/login-action@v3
        """,
    )
    with pytest.raises(HarnessError, match="not emulated"):
        Harness(tmp_path).run_workflow("other.yml", event_name="push")


def test_a_job_may_only_read_the_jobs_it_needs(tmp_path: Path) -> None:
    write(
        tmp_path,
        ".github/workflows/w.yml",
        """
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            outputs:
              x: ${{ steps.s.outputs.x }}
            steps:
              - id: s
                run: echo "x=1" >> "$GITHUB_OUTPUT"
          b:
            runs-on: ubuntu-latest
            steps:
              - env:
                  X: ${{ needs.a.outputs.x }}
                run: echo "$X"
        """,
    )
    with pytest.raises(UnresolvedError, match=r"needs\.a"):
        Harness(tmp_path).run_workflow("w.yml", event_name="push")
