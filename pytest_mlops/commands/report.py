"""``pytest-mlops report``: read a saved JSON report, check it, render it again."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "report",
        help="show, validate or convert a JSON gate report",
        description="Read a report written by pytest --mlops-report and print it as text, Markdown or HTML. "
        "Exit code 1 when the report's status is 'failed'.",
    )
    parser.add_argument("path", type=Path, help="the JSON report")
    parser.add_argument(
        "--format", choices=("text", "markdown", "html", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument("-o", "--output", type=Path, help="write to this file (atomically) instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pytest_mlops.report import load_report, validate_report_file

    validate_report_file(args.path)
    report = load_report(args.path)
    if args.format == "markdown":
        text = report.to_markdown()
    elif args.format == "html":
        text = report.to_html()
    elif args.format == "json":
        text = report.to_json()
    else:
        text = "".join(f"{line}\n" for line in [f"status: {report.status}", *report.terminal_lines(verbosity=1)])
    if args.output:
        from pytest_mlops._io import write_atomic

        write_atomic(args.output, text)
    else:
        sys.stdout.writelines(text.splitlines(keepends=True))  # line by line: a closed pipe stops it early
    return 1 if report.status == "failed" else 0
