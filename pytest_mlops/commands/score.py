"""``pytest-mlops score``: the ML Test Score of a saved gate report and the project's workflows."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "score",
        help="score a saved gate report with the ML Test Score (Breck et al. 2017)",
        description="Score the gates that ran (from a JSON report) and the GitHub workflows of the project "
        "against the 28 tests of the ML Test Score. The score is the lowest of the four section sums.",
    )
    parser.add_argument("report", type=Path, help="a JSON report written by pytest --mlops-report")
    parser.add_argument(
        "--root", type=Path, default=Path("."), help="project folder holding .github/ (default: the current folder)"
    )
    parser.add_argument(
        "--manual", default="", metavar="IDS", help="tests done by hand, 0.5 point each, e.g. 'data-5,model-3'"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--at-least", type=float, metavar="SCORE", help="exit 1 when the score is below this (a gate on the score)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pytest_mlops.errors import MlopsInputError
    from pytest_mlops.report import load_report
    from pytest_mlops.report.mltestscore import score_report_data, unknown_ids

    manual = tuple(args.manual.replace(",", " ").split())
    bad = unknown_ids(manual)
    if bad:
        raise MlopsInputError(f"--manual: {bad[0]!r} is not a rubric test id; use ids such as data-5 or model-3")
    if not args.root.is_dir():
        raise MlopsInputError(f"--root {str(args.root)!r} is not a folder")
    report = load_report(args.report)
    score, flows = score_report_data(report.gates, args.root, manual)
    if args.json:
        sys.stdout.write(json.dumps({**score.to_dict(), "workflows": list(flows.files)}, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(score.lines()) + "\n")
        sys.stdout.write(f"  from {len(report.gates)} gates and {len(flows.files)} workflow files\n")
    if args.at_least is not None and score.total < args.at_least:
        return 1
    return 0
