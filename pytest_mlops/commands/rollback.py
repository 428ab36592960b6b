"""``pytest-mlops rollback``: point the champion alias back at the previous champion, in one write."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from pytest_mlops.commands.promote import (
    add_lock_arguments,
    add_registry_arguments,
    open_registry,
    refused,
    write_github_output,
)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "rollback",
        help="restore the previous champion in one step",
        description="Move the production alias back to the version kept as --previous-alias (or, when that alias "
        "is missing, the predecessor recorded in the promotion history) and record the rollback. "
        "Exit 0 rolled back, 1 nothing to roll back to, 2 bad input or registry unreachable.",
    )
    add_registry_arguments(parser)
    add_lock_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pytest_mlops.registry.promotion import PromotionRefused, rollback

    registry = open_registry(args)
    try:
        result = rollback(
            registry,
            args.model,
            target_alias=args.to,
            previous_alias=args.previous_alias,
            reason=args.reason,
            lock_ttl=args.lock_ttl,
            lock_wait=args.lock_wait,
        )
    except PromotionRefused as exc:
        return refused("rollback", str(exc), {"rolled_back": "false", "reason": str(exc)})
    print(result.message)
    for warning in result.warnings:
        print(f"pytest-mlops rollback: warning: {warning}", file=sys.stderr)
    write_github_output(result.outputs)
    return 0
