"""``pytest-mlops canary``: decide promote / wait / roll back from canary outcomes, and act on the registry.

The verdict rule is :func:`pytest_mlops.stats.abtest.canary_verdict`. On ``promote`` the
canary goes through the same promotion path as ``pytest-mlops promote`` (report checks,
lock, commit point); on ``rollback`` its alias is removed and the event recorded; on
``wait`` nothing changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pytest_mlops.commands.promote import (
    add_lock_arguments,
    add_registry_arguments,
    open_registry,
    parse_kinds,
    refused,
    write_github_output,
)
from pytest_mlops.errors import MlopsInputError


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "canary",
        help="decide on a canary from outcome data and promote or roll it back",
        description="Read per-request outcomes of the canary and of the champion traffic, apply the verdict rule "
        "(minimum sample, tolerated drop, confidence) and act: promote through the gated promotion path, keep "
        "waiting, or roll the canary back (remove its alias). Exit 0 promoted or waiting, 1 rolled back or "
        "promotion refused, 2 bad input or registry unreachable.",
    )
    add_registry_arguments(parser)
    parser.add_argument(
        "--from",
        dest="source",
        default="challenger",
        metavar="ALIAS",
        help="alias of the canary version (default: challenger)",
    )
    parser.add_argument(
        "--outcomes",
        required=True,
        type=Path,
        metavar="FILE",
        help="outcome data, CSV / Parquet / JSON lines, one row per request",
    )
    parser.add_argument("--report", required=True, metavar="REPORT.json", help="the canary version's gate report")
    parser.add_argument("--group-column", default="group", help="column naming the arm of each row (default: group)")
    parser.add_argument("--outcome-column", default="outcome", help="column with the outcome (default: outcome)")
    parser.add_argument("--canary-label", default="canary", help="group value of canary rows (default: canary)")
    parser.add_argument("--champion-label", default="champion", help="group value of champion rows (default: champion)")
    parser.add_argument(
        "--max-drop",
        type=float,
        required=True,
        metavar="X",
        help="tolerated loss of the canary in outcome units, e.g. 0.01 (one point of conversion)",
    )
    parser.add_argument("--min-samples", type=int, default=200, metavar="N", help="outcomes per arm before deciding")
    parser.add_argument("--max-samples", type=int, metavar="N", help="roll back if still undecided at N per arm")
    parser.add_argument("--confidence", type=float, default=0.95, help="one-sided confidence of the bounds (0.95)")
    parser.add_argument("--lower-is-better", action="store_true", help="the outcome is a cost or an error rate")
    parser.add_argument(
        "--require-kinds",
        type=parse_kinds,
        default=("model",),
        metavar="KINDS",
        help="gate kinds the report must contain (default: model)",
    )
    parser.add_argument("--dry-run", action="store_true", help="print the verdict, change nothing")
    add_lock_arguments(parser)
    parser.set_defaults(run=run)


def read_outcomes(path: Path, group_column: str, outcome_column: str, labels: tuple[str, str]) -> tuple[Any, Any]:
    """(canary outcomes, champion outcomes) as float arrays; :class:`MlopsInputError` for bad files."""
    import pandas as pd

    name = path.name.lower()
    if path.is_dir():
        raise MlopsInputError(f"--outcomes {str(path)!r} is a folder; give a CSV, Parquet or JSON lines file")
    try:
        if name.endswith((".parquet", ".pq")):
            frame = pd.read_parquet(path)
        elif name.endswith((".jsonl", ".ndjson", ".json")):
            frame = pd.read_json(path, lines=not name.endswith(".json"))
        else:
            frame = pd.read_csv(path)
    except FileNotFoundError:
        raise MlopsInputError(f"--outcomes {str(path)!r} does not exist") from None
    except (ValueError, OSError, ImportError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())[:200]
        raise MlopsInputError(
            f"--outcomes {str(path)!r} could not be read ({why}); give CSV, Parquet or JSON lines"
        ) from None
    missing = [c for c in (group_column, outcome_column) if c not in frame.columns]
    if missing:
        raise MlopsInputError(
            f"--outcomes {str(path)!r} has no column {missing[0]!r} (columns: {', '.join(map(str, frame.columns))}); "
            "set --group-column / --outcome-column"
        )
    values = pd.to_numeric(frame[outcome_column], errors="coerce")
    if values.isna().all():
        raise MlopsInputError(f"--outcomes {str(path)!r}: column {outcome_column!r} holds no numbers")
    groups = frame[group_column].astype(str)
    arms = []
    for label in labels:
        arm = values[groups == label].dropna().to_numpy(dtype=float)
        if arm.size == 0:
            found = ", ".join(sorted(groups.unique())[:10])
            raise MlopsInputError(
                f"--outcomes {str(path)!r}: no row has {group_column}={label!r} (values: {found}); "
                "set --canary-label / --champion-label"
            )
        arms.append(arm)
    return arms[0], arms[1]


def run(args: argparse.Namespace) -> int:
    from pytest_mlops.stats.abtest import canary_verdict

    canary, champion = read_outcomes(
        args.outcomes, args.group_column, args.outcome_column, (args.canary_label, args.champion_label)
    )
    verdict = canary_verdict(
        canary,
        champion,
        max_drop=args.max_drop,
        min_samples=args.min_samples,
        confidence=args.confidence,
        higher_is_better=not args.lower_is_better,
        max_samples=args.max_samples,
    )
    print(f"canary verdict: {verdict.decision}: {verdict.reason}")
    print(
        f"  canary {verdict.canary:.4g} (n={verdict.n_canary}), "
        f"champion {verdict.champion:.4g} (n={verdict.n_champion})"
    )
    print(f"  rule: {verdict.rule}")
    outputs = {"verdict": verdict.decision}
    if args.dry_run or verdict.decision == "wait":
        write_github_output(outputs)
        return 0

    from pytest_mlops.registry.promotion import PromotionRefused, abort_canary, promote

    registry = open_registry(args)
    reason = args.reason or f"canary verdict {verdict.decision}: {verdict.reason}"
    if verdict.decision == "promote":
        try:
            result = promote(
                registry,
                args.model,
                args.report,
                source_alias=args.source,
                target_alias=args.to,
                previous_alias=args.previous_alias,
                require_kinds=args.require_kinds,
                lock_ttl=args.lock_ttl,
                lock_wait=args.lock_wait,
                reason=reason,
            )
        except PromotionRefused as exc:
            return refused("canary", str(exc), {**outputs, "promoted": "false", "reason": str(exc)})
        registry.set_version_tags(
            args.model, str(result.to_version), {"mlops.canary_verdict": json.dumps(verdict.to_dict(), sort_keys=True)}
        )
        print(result.message)
        for warning in result.warnings:
            print(f"pytest-mlops canary: warning: {warning}", file=sys.stderr)
        write_github_output({**outputs, **result.outputs})
        return 0
    result = abort_canary(
        registry, args.model, canary_alias=args.source, reason=reason, lock_ttl=args.lock_ttl, lock_wait=args.lock_wait
    )
    print(result.message)
    for warning in result.warnings:
        print(f"pytest-mlops canary: warning: {warning}", file=sys.stderr)
    write_github_output({**outputs, **result.outputs})
    return 1
