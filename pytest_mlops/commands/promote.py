"""``pytest-mlops promote``: move the champion alias to a candidate whose gate report passed.

Also holds the flags and helpers the other registry commands share (``rollback``,
``history``, ``canary``). This module stays light: MLflow is imported inside ``run``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_mlops.registry.client import Registry

__all__ = [
    "add_lock_arguments",
    "add_registry_arguments",
    "open_registry",
    "parse_kinds",
    "refused",
    "register",
    "run",
    "write_github_output",
]


def add_registry_arguments(parser: argparse.ArgumentParser, *, aliases: bool = True) -> None:
    """``--model``, ``--tracking-uri``, ``--timeout`` (and the alias names) for a registry command."""
    parser.add_argument("--model", required=True, metavar="NAME", help="registered model name")
    parser.add_argument(
        "--tracking-uri",
        metavar="URI",
        help="MLflow tracking/registry URI (default: $MLFLOW_TRACKING_URI, else sqlite:///mlflow.db in the cwd)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="seconds before an MLflow request gives up (default: 10)",
    )
    if aliases:
        parser.add_argument(
            "--to", default="champion", metavar="ALIAS", help="the production alias (default: champion)"
        )
        parser.add_argument(
            "--previous-alias",
            default="previous-champion",
            metavar="ALIAS",
            help="alias that keeps the replaced champion (default: previous-champion)",
        )


def open_registry(args: argparse.Namespace) -> Registry:
    """The registry of ``--tracking-uri``; its first contact ends ``--timeout`` s after the command started."""
    from pytest_mlops.registry.client import Registry

    started = getattr(args, "started", None)
    deadline = None if started is None else started + args.timeout
    return Registry(args.tracking_uri, timeout=args.timeout, deadline=deadline)


def add_lock_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-wait",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="how long to wait for a concurrent promotion to finish (default: 120)",
    )
    parser.add_argument(
        "--lock-ttl",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="lease of the registry lock; a crashed holder blocks others this long (default: 60)",
    )
    parser.add_argument("--reason", help="free text recorded in the history")


def write_github_output(outputs: Mapping[str, str]) -> None:
    """Append ``key=value`` lines to ``$GITHUB_OUTPUT`` when it is set (values kept on one line)."""
    target = os.environ.get("GITHUB_OUTPUT", "").strip()
    if not target or not outputs:
        return
    lines = "".join(f"{key}={' '.join(str(value).split())}\n" for key, value in outputs.items())
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(lines)


def refused(command: str, reason: str, outputs: Mapping[str, str]) -> int:
    """Print a refusal (exit 1) and record it for CI."""
    print(f"pytest-mlops {command}: refused: {reason}", file=sys.stderr)
    write_github_output(outputs)
    return 1


def parse_kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    if not kinds:
        raise argparse.ArgumentTypeError(f"{text!r} names no gate kind; use e.g. model,drift")
    return kinds


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "promote",
        help="move the champion alias to a candidate whose gate report passed",
        description="Promote a model version to the production alias only if the gate report passed, is complete, "
        "and is the report the gate run recorded on that version (same SHA-256). The old champion is kept as "
        "--previous-alias. Exit 0 promoted (or already champion), 1 refused, 2 bad input or registry unreachable.",
    )
    add_registry_arguments(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--from", dest="source", default="challenger", metavar="ALIAS", help="candidate alias (default: challenger)"
    )
    source.add_argument("--version", metavar="N", help="promote this version number instead of an alias")
    parser.add_argument(
        "--report", required=True, metavar="REPORT.json", help="the JSON report of the gate run (--mlops-report)"
    )
    parser.add_argument(
        "--require-kinds",
        type=parse_kinds,
        default=("model",),
        metavar="KINDS",
        help="comma-separated gate kinds that must have run (default: model)",
    )
    parser.add_argument("--allow-skipped", action="store_true", help="accept reports where gate tests were skipped")
    parser.add_argument(
        "--expect-commit", metavar="SHA", help="refuse unless the report was made at this commit (prefix)"
    )
    parser.add_argument(
        "--allow-rolled-back",
        action="store_true",
        help="promote a version that was rolled back; needs --reason and a report made after the rollback",
    )
    add_lock_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pytest_mlops.registry.promotion import PromotionRefused, promote

    registry = open_registry(args)
    try:
        result = promote(
            registry,
            args.model,
            args.report,
            source_alias=None if args.version else args.source,
            version=args.version,
            target_alias=args.to,
            previous_alias=args.previous_alias,
            require_kinds=args.require_kinds,
            allow_skipped=args.allow_skipped,
            expect_commit=args.expect_commit,
            lock_ttl=args.lock_ttl,
            lock_wait=args.lock_wait,
            reason=args.reason,
            allow_rolled_back=args.allow_rolled_back,
        )
    except PromotionRefused as exc:
        return refused("promote", str(exc), {"promoted": "false", "reason": str(exc)})
    print(result.message)
    for warning in result.warnings:
        print(f"pytest-mlops promote: warning: {warning}", file=sys.stderr)
    write_github_output(result.outputs)
    return 0
