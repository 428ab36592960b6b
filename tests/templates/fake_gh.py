"""A stand-in for the GitHub CLI (``gh``) that keeps a small repository state in a JSON file.

It implements only the calls the templates make, with gh's argument syntax, and fails (exit 1,
message on stderr) on anything else, so a template that starts calling something new breaks the
tests instead of passing silently. ``--jq`` is applied with the real ``jq -r`` (as ``gh`` does).
State: ``$FAKE_GH_STATE`` (JSON): ``comments`` per issue/PR number, ``issues``, ``labels``,
``dispatches`` (``gh workflow run``) and ``calls`` (every argv). ``GH_TOKEN`` must be set, as for gh.

Supported:
  gh api [--method M] [--paginate] [--jq EXPR] repos/O/R/issues/N/comments [-F body=@FILE]
  gh api --method PATCH repos/O/R/issues/comments/ID -F body=@FILE
  gh workflow run WORKFLOW --repo O/R --ref REF [-f key=value]...
  gh label create NAME --repo O/R [--color C] [--description D] [--force]
  gh issue list --repo O/R --label L --state open --json number [--jq EXPR]
  gh issue create --repo O/R --title T --label L --body-file F
  gh issue comment N --repo O/R --body-file F
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

BOT = "github-actions[bot]"


class Usage(Exception):
    pass


def _load(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"comments": {}, "issues": [], "labels": [], "dispatches": [], "calls": [], "next_id": 100}


def _options(args: list[str], flags: set[str], switches: set[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Split ``args`` into {flag: [values]} (repeatable) and positional arguments."""
    opts: dict[str, list[str]] = {}
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in switches:
            opts.setdefault(arg, []).append("true")
            i += 1
        elif arg in flags:
            if i + 1 >= len(args):
                raise Usage(f"flag {arg} needs a value")
            opts.setdefault(arg, []).append(args[i + 1])
            i += 2
        elif arg.startswith("-"):
            raise Usage(f"unsupported flag {arg!r}")
        else:
            positional.append(arg)
            i += 1
    return opts, positional


def _one(opts: dict[str, list[str]], flag: str, default: str | None = None) -> str:
    values = opts.get(flag)
    if not values:
        if default is None:
            raise Usage(f"missing {flag}")
        return default
    return values[-1]


def _last(opts: dict[str, list[str]], *flags: str) -> str | None:
    for flag in flags:
        if opts.get(flag):
            return opts[flag][-1]
    return None


def _fields(opts: dict[str, list[str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for raw in opts.get("-F", []) + opts.get("-f", []) + opts.get("--field", []) + opts.get("--raw-field", []):
        key, sep, value = raw.partition("=")
        if not sep:
            raise Usage(f"field {raw!r} is not key=value")
        if value.startswith("@") and raw in opts.get("-F", []) + opts.get("--field", []):
            value = Path(value[1:]).read_text(encoding="utf-8")
        fields[key] = value
    return fields


def _jq(data: Any, expr: str | None) -> str:
    text = json.dumps(data)
    if expr is None:
        return text + "\n"
    proc = subprocess.run(["jq", "-r", expr], input=text, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise Usage(f"jq failed on {expr!r}: {proc.stderr.strip()}")
    return proc.stdout


def _repo(opts: dict[str, list[str]]) -> str:
    repo = _one(opts, "--repo")
    if repo != os.environ.get("GITHUB_REPOSITORY"):
        raise Usage(f"--repo {repo!r} is not this repository")
    return repo


def api(state: dict[str, Any], args: list[str]) -> str:
    opts, positional = _options(
        args, {"--method", "-X", "--jq", "-q", "-F", "-f", "--field", "--raw-field"}, {"--paginate"}
    )
    if len(positional) != 1:
        raise Usage(f"gh api takes one endpoint, got {positional}")
    endpoint = positional[0].lstrip("/")
    method = (opts.get("--method") or opts.get("-X") or ["GET"])[-1].upper()
    jq = _last(opts, "--jq", "-q")
    fields = _fields(opts)
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    if match := re.fullmatch(rf"repos/{re.escape(repo)}/issues/(\d+)/comments", endpoint):
        comments = state["comments"].setdefault(match.group(1), [])
        if method == "GET":
            return _jq(comments, jq)
        if method == "POST":
            state["next_id"] += 1
            comment = {"id": state["next_id"], "user": {"login": BOT}, "body": fields["body"]}
            comments.append(comment)
            return _jq(comment, jq)
    if (match := re.fullmatch(rf"repos/{re.escape(repo)}/issues/comments/(\d+)", endpoint)) and method == "PATCH":
        for comments in state["comments"].values():
            for comment in comments:
                if str(comment["id"]) == match.group(1):
                    if comment["user"]["login"] != BOT:
                        raise Usage("403: cannot edit another user's comment")
                    comment["body"] = fields["body"]
                    return _jq(comment, jq)
        raise Usage(f"404: no comment {match.group(1)}")
    raise Usage(f"endpoint {method} {endpoint} is not emulated")


def main(argv: list[str]) -> int:
    state_path = Path(os.environ["FAKE_GH_STATE"])
    state = _load(state_path)
    state["calls"].append(argv)
    try:
        if not os.environ.get("GH_TOKEN"):
            raise Usage("gh: not authenticated (set GH_TOKEN)")
        out = dispatch(state, argv)
    except (Usage, KeyError, OSError) as exc:
        state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
        print(f"fake gh: {exc}", file=sys.stderr)
        return 1
    state_path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    sys.stdout.write(out)
    return 0


def dispatch(state: dict[str, Any], argv: list[str]) -> str:
    if not argv:
        raise Usage("no command")
    command, rest = argv[0], argv[1:]
    if command == "api":
        return api(state, rest)
    sub, rest = (rest[0], rest[1:]) if rest else ("", [])
    if (command, sub) == ("workflow", "run"):
        opts, positional = _options(rest, {"--repo", "--ref", "-f", "-F", "--raw-field", "--field"}, set())
        if len(positional) != 1:
            raise Usage("gh workflow run takes one workflow")
        state["dispatches"].append(
            {"workflow": positional[0], "repo": _repo(opts), "ref": _one(opts, "--ref"), "inputs": _fields(opts)}
        )
        return ""
    if (command, sub) == ("label", "create"):
        opts, positional = _options(rest, {"--repo", "--color", "--description"}, {"--force"})
        _repo(opts)
        if positional[0] in state["labels"] and "--force" not in opts:
            raise Usage(f"label {positional[0]!r} already exists")
        if positional[0] not in state["labels"]:
            state["labels"].append(positional[0])
        return ""
    if (command, sub) == ("issue", "list"):
        opts, _ = _options(rest, {"--repo", "--label", "--state", "--json", "--jq"}, set())
        _repo(opts)
        issues = [
            {"number": i["number"]}
            for i in state["issues"]
            if _one(opts, "--label") in i["labels"] and i["state"] == _one(opts, "--state", "open")
        ]
        return _jq(issues, _last(opts, "--jq"))
    if (command, sub) == ("issue", "create"):
        opts, _ = _options(rest, {"--repo", "--title", "--label", "--body-file"}, set())
        _repo(opts)
        labels = opts.get("--label", [])
        missing = [label for label in labels if label not in state["labels"]]
        if missing:
            raise Usage(f"could not add label: {missing[0]!r} not found")
        number = len(state["issues"]) + 1
        body = Path(_one(opts, "--body-file")).read_text(encoding="utf-8")
        state["issues"].append(
            {"number": number, "title": _one(opts, "--title"), "labels": labels, "state": "open", "body": body}
        )
        state["comments"].setdefault(str(number), [])
        return f"https://github.com/{os.environ['GITHUB_REPOSITORY']}/issues/{number}\n"
    if (command, sub) == ("issue", "comment"):
        opts, positional = _options(rest, {"--repo", "--body-file"}, set())
        _repo(opts)
        target = positional[0]
        if not any(str(i["number"]) == target for i in state["issues"]):
            raise Usage(f"no issue {target}")
        state["next_id"] += 1
        body = Path(_one(opts, "--body-file")).read_text(encoding="utf-8")
        state["comments"].setdefault(target, []).append({"id": state["next_id"], "user": {"login": BOT}, "body": body})
        return ""
    raise Usage(f"gh {command} {sub} is not emulated")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
