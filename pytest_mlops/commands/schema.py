"""``pytest-mlops schema``: infer a pandera schema from reference data; validate data against one.

pytest-mlops schema infer data/train.parquet -o schemas/orders.yaml --label churned
pytest-mlops schema infer data/2026-*.parquet -o schemas/orders.yaml
pytest-mlops schema validate data/today.csv schemas/orders.yaml --environment serving
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsInputError


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "schema",
        help="infer a pandera schema from data, or validate data against one",
        description="Infer a pandera schema (YAML or JSON) from reference data for you to review and commit, "
        "or validate a data file against a schema file.",
    )
    actions = parser.add_subparsers(dest="schema_command", metavar="ACTION")
    infer = actions.add_parser(
        "infer",
        help="write a schema inferred from reference data (CSV or Parquet)",
        description="Infer dtypes, nullability and value ranges from DATA (several files are read as one table: "
        "they must have the same columns). Review the result before committing: inferred ranges are the "
        "reference data's min and max; text columns with at most 20 distinct values get an 'isin' list; "
        "dtypes are checked as they are (no coercion) unless --coerce is given.",
    )
    infer.add_argument("data", type=Path, nargs="+", help="reference data, CSV or Parquet (one or more files)")
    infer.add_argument("-o", "--output", type=Path, help="write the schema here (atomically) instead of stdout")
    infer.add_argument(
        "--format", choices=("yaml", "json"), help="schema format (default: from -o's suffix, else yaml)"
    )
    infer.add_argument(
        "--label",
        metavar="COLUMN",
        help="label column: adds environments 'training' (label required) and 'serving' (label absent)",
    )
    infer.add_argument(
        "--backend", choices=("pandas", "polars"), default="pandas", help="pandera API (default: pandas)"
    )
    infer.add_argument(
        "--coerce",
        action="store_true",
        help="let the schema coerce each column to its dtype before checking (pandera's coerce: true); "
        "off by default, so numbers stored as text fail the dtype check",
    )
    infer.add_argument(
        "--isin-max-levels",
        type=int,
        default=None,
        metavar="N",
        help="add 'isin' to text columns with at most N distinct values (default 20; 0 turns it off)",
    )
    infer.set_defaults(run=run_infer)
    validate = actions.add_parser(
        "validate",
        help="validate a data file against a schema file; exit 1 when it does not conform",
        description="Validate DATA against SCHEMA lazily and print every failing column and check.",
    )
    validate.add_argument("data", type=Path, help="data to validate, CSV or Parquet")
    validate.add_argument("schema", type=Path, help="schema file, YAML or JSON")
    validate.add_argument("--environment", metavar="NAME", help="schema environment, e.g. serving")
    validate.set_defaults(run=run_validate)
    parser.set_defaults(run=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_infer(args: argparse.Namespace) -> int:
    from pytest_mlops.integrations.loading import load_frame, load_polars, require_not_empty, require_unique_columns
    from pytest_mlops.integrations.pandera import ISIN_MAX_LEVELS, dump_schema, infer_schema

    fmt = args.format
    if fmt is None:
        fmt = "json" if args.output is not None and args.output.suffix.lower() == ".json" else "yaml"
    max_levels = ISIN_MAX_LEVELS if args.isin_max_levels is None else args.isin_max_levels
    if max_levels < 0:
        raise MlopsInputError(f"--isin-max-levels {max_levels!r}: give 0 (no isin lists) or a positive number")
    frames: list[Any] = []
    for path in args.data:
        what = f"data file {str(path)!r}"
        frame: Any = load_polars(path) if args.backend == "polars" else load_frame(path)
        require_not_empty(frame, what)
        require_unique_columns(frame, what)
        if frames and list(frame.columns) != list(frames[0].columns):
            first = list(frames[0].columns)
            missing = [c for c in first if c not in frame.columns]
            extra = [c for c in frame.columns if c not in first]
            differs = (
                f"lacks {', '.join(map(repr, missing[:5]))}"
                if missing
                else f"adds {', '.join(map(repr, extra[:5]))}"
                if extra
                else "has them in another order"
            )
            raise MlopsInputError(
                f"{what} does not have the columns of {str(args.data[0])!r}: it {differs}; "
                "infer from files of one table"
            )
        frames.append(frame)
    frame = _concat(frames, args.backend)
    what = f"data file {str(args.data[0])!r}" if len(args.data) == 1 else f"{len(args.data)} data files"
    environments = None
    if args.label is not None:
        if args.label not in frame.columns:
            raise MlopsInputError(f"--label {args.label!r}: {what} has no such column")
        environments = {"training": {}, "serving": {"absent": [args.label]}}
    schema = infer_schema(frame, coerce=args.coerce, isin_max_levels=max_levels)
    text = dump_schema(schema, fmt=fmt, environments=environments)
    if args.output is not None:
        from pytest_mlops._io import write_atomic

        write_atomic(args.output, text)
        print(f"wrote {args.output} ({len(frame.columns)} columns); review it, then commit it", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _concat(frames: list[Any], backend: str) -> Any:
    if len(frames) == 1:
        return frames[0]
    if backend == "polars":
        import polars as pl

        try:
            return pl.concat(frames, how="vertical_relaxed")
        except Exception as exc:
            detail = " ".join(str(exc).split())[:200]
            raise MlopsInputError(f"the data files do not share column types: {detail}") from None
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


def run_validate(args: argparse.Namespace) -> int:
    from pytest_mlops.errors import GateFailure
    from pytest_mlops.gates.schema import check
    from pytest_mlops.integrations.loading import load_frame, load_polars
    from pytest_mlops.integrations.pandera import load_schema

    loaded = load_schema(args.schema)
    frame = load_polars(args.data) if loaded.backend == "polars" else load_frame(args.data)
    try:
        result = check(frame, loaded, environment=args.environment, data_name=str(args.data))
    except GateFailure as failure:
        print(str(failure))
        return 1
    print(result.message)
    return 0
