"""``pytest-mlops history``: the promotion, rollback and canary history recorded in the registry."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from pytest_mlops.commands.promote import add_registry_arguments, open_registry


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "history",
        help="show the promotion and rollback history of a model",
        description="Print the promotions, rollbacks and canary aborts recorded on a registered model, oldest "
        "first, with the current aliases and the registry lock.",
    )
    add_registry_arguments(parser, aliases=False)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pytest_mlops.registry.promotion import read_history

    history = read_history(open_registry(args), args.model)
    if args.json:
        sys.stdout.write(json.dumps(history.to_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.writelines(f"{line}\n" for line in history.lines())
    return 0
