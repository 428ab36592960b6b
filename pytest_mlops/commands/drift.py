"""``pytest-mlops drift``: save reference statistics once; compare data against them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsInputError


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "drift",
        help="save reference statistics for the drift gates, or check data against them",
        description="Reference statistics are computed once (a small JSON file next to the tests, "
        "set as mlops_drift_stats) so CI does not re-read the full reference data.",
    )
    actions = parser.add_subparsers(dest="drift_action", metavar="ACTION")
    save = actions.add_parser("save", help="compute reference statistics from a CSV or Parquet file, or with Spark")
    save.add_argument(
        "reference",
        type=Path,
        help="reference data (CSV or Parquet; Parquet is streamed in batches; table:NAME or a Parquet/Delta "
        "directory is read with Spark, computed where the data lives)",
    )
    save.add_argument("-o", "--output", type=Path, required=True, help="statistics file to write (JSON)")
    save.add_argument("--columns", nargs="+", metavar="COLUMN", help="only these columns (default: all)")
    save.add_argument("--exclude", nargs="+", default=[], metavar="COLUMN", help="leave these columns out")
    save.add_argument(
        "--categorical", nargs="+", default=[], metavar="COLUMN", help="treat these numeric columns as categories"
    )
    save.add_argument(
        "--seed", type=int, default=0, help="seed of the sample that places bin edges for streamed Parquet (default 0)"
    )
    save.set_defaults(run=run_save)
    check = actions.add_parser("check", help="compare current data with saved statistics; exit 1 on drift")
    check.add_argument("stats", type=Path, help="statistics saved by 'drift save'")
    check.add_argument("current", type=Path, help="current data (CSV or Parquet)")
    check.add_argument("--max-share", type=float, default=0.0, help="share of drifted columns allowed (default 0)")
    check.set_defaults(run=run_check)
    parser.set_defaults(run=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def run_save(args: argparse.Namespace) -> int:
    from pytest_mlops.stats.refstats import ReferenceProfile

    path: Path = args.reference
    if path.name.startswith("table:") or path.is_dir():  # a Spark table or a Parquet/Delta dataset directory
        from pytest_mlops.integrations.spark_drift import profile_source

        profile = profile_source(
            str(path), columns=args.columns, exclude=args.exclude, categorical=args.categorical, seed=args.seed
        )
    elif not path.exists():
        raise MlopsInputError(f"reference {str(path)!r} does not exist")
    elif path.name.lower().endswith((".parquet", ".pq", ".parq")):
        from pytest_mlops.integrations.streaming import parquet_schema

        names = args.columns or [c for c in parquet_schema(path) if c not in set(args.exclude)]
        profile = ReferenceProfile.from_parquet(path, names, categorical=args.categorical, seed=args.seed)
    else:
        from pytest_mlops.integrations.streaming import as_source
        from pytest_mlops.stats.driftset import resolve_columns

        source = as_source(path, "reference")
        names, _ = resolve_columns(source.names, source.names, args.columns, args.exclude, "reference", "reference")
        kinds = {n: "categorical" if n in args.categorical else source.kind(n) for n in names}
        profile = ReferenceProfile.from_source(source, names, kinds, label=str(path))
    profile.save(args.output)
    size = args.output.stat().st_size
    print(
        f"saved statistics of {len(profile.columns)} columns, {profile.n_rows} rows, "
        f"to {args.output} ({size / 1024:.0f} KiB)"
    )
    return 0


def run_check(args: argparse.Namespace) -> int:
    from pytest_mlops import _recorder
    from pytest_mlops.errors import GateFailure
    from pytest_mlops.gates.drift import data_drift

    current: Any = args.current
    stop: Any = lambda: None  # noqa: E731
    if current.name.startswith("table:") or current.is_dir():  # a Spark table or a Parquet/Delta dataset directory
        from pytest_mlops.integrations.spark_drift import open_source

        current, stop = open_source(str(args.current), "current")
    sink = _recorder.Sink()  # the command's own result; never mixed into a running test's results
    _recorder.push(sink)
    try:
        result = data_drift(args.stats, current, max_share=args.max_share, name=f"drift of {args.current.name}")
    except GateFailure as exc:
        print(str(exc))
        return 1
    finally:
        _recorder.pop(sink)
        stop()
    print(result.message)
    return 0
