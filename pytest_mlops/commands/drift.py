"""``pytest-mlops drift``: save reference statistics once; compare data against them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_mlops.errors import MlopsInputError


def _names(text: str) -> list[str]:
    """``--exclude a,b`` and ``--exclude a --exclude b`` both name columns."""
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected column names, got {text!r}")
    return names


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
    save.add_argument(
        "--columns", nargs="+", action="append", type=_names, metavar="COLUMN", help="only these columns (default: all)"
    )
    save.add_argument(
        "--exclude",
        nargs="+",
        action="append",
        type=_names,
        metavar="COLUMN",
        help="leave these columns out (repeatable, or a comma-separated list)",
    )
    save.add_argument(
        "--categorical",
        nargs="+",
        action="append",
        type=_names,
        metavar="COLUMN",
        help="treat these numeric columns as categories",
    )
    save.add_argument(
        "--seed", type=int, default=0, help="seed of the sample that places bin edges for streamed Parquet (default 0)"
    )
    save.set_defaults(run=run_save)
    check = actions.add_parser("check", help="compare current data with saved statistics; exit 1 on drift")
    check.add_argument("stats", type=Path, help="statistics saved by 'drift save'")
    check.add_argument("current", type=Path, help="current data (CSV or Parquet)")
    check.add_argument("--max-share", type=float, default=0.0, help="share of drifted columns allowed (default 0)")
    check.add_argument(
        "--exclude",
        nargs="+",
        action="append",
        type=_names,
        metavar="COLUMN",
        help="leave these columns out, e.g. the label (repeatable, or a comma-separated list)",
    )
    check.add_argument(
        "--seed", type=int, default=0, help="seed of the Monte Carlo null of sparse categorical tables (default 0)"
    )
    check.set_defaults(run=run_check)
    parser.set_defaults(run=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _flat(groups: list[list[list[str]]] | None) -> list[str]:
    return [name for outer in groups or [] for inner in outer for name in inner]


def run_save(args: argparse.Namespace) -> int:
    from pytest_mlops.stats.refstats import ReferenceProfile

    path: Path = args.reference
    columns = _flat(args.columns) or None
    exclude = _flat(args.exclude)
    categorical = _flat(args.categorical)
    if path.name.startswith("table:") or path.is_dir():  # a Spark table or a Parquet/Delta dataset directory
        from pytest_mlops.integrations.spark_drift import profile_source

        profile = profile_source(str(path), columns=columns, exclude=exclude, categorical=categorical, seed=args.seed)
    elif not path.exists():
        raise MlopsInputError(f"reference {str(path)!r} does not exist")
    elif path.name.lower().endswith((".parquet", ".pq", ".parq")):
        from pytest_mlops.integrations.frames import parquet_schema, profile_parquet

        schema = parquet_schema(path)
        unknown = [c for c in (columns or []) + exclude if c not in schema]
        if unknown:
            raise MlopsInputError(f"reference {str(path)!r} has no column(s) {unknown!r}; it has {list(schema)[:20]!r}")
        names = columns or [c for c in schema if c not in set(exclude)]
        profile = profile_parquet(path, names, categorical=categorical, seed=args.seed)
    else:
        from pytest_mlops.integrations.frames import as_source
        from pytest_mlops.stats.driftset import resolve_columns

        source = as_source(path, "reference")
        names, _ = resolve_columns(source.names, source.names, columns, exclude, "reference", "reference")
        kinds = {n: "categorical" if n in categorical else source.kind(n) for n in names}
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

    exclude = _flat(args.exclude)
    if exclude:
        from pytest_mlops.stats.refstats import ReferenceProfile

        saved = ReferenceProfile.load(args.stats).columns
        unknown = [c for c in exclude if c not in saved]
        if unknown:
            raise MlopsInputError(
                f"--exclude names column(s) {unknown!r} that {str(args.stats)!r} does not hold; "
                f"it has {list(saved)[:20]!r}"
            )
    current: Any = args.current
    stop: Any = lambda: None  # noqa: E731
    if current.name.startswith("table:") or current.is_dir():  # a Spark table or a Parquet/Delta dataset directory
        from pytest_mlops.integrations.spark_drift import open_source

        current, stop = open_source(str(args.current), "current")
    sink = _recorder.Sink()  # the command's own result; never mixed into a running test's results
    _recorder.push(sink)
    try:
        result = data_drift(
            args.stats,
            current,
            exclude=exclude,
            max_share=args.max_share,
            seed=args.seed,
            name=f"drift of {args.current.name}",
        )
    except GateFailure as exc:
        print(str(exc))
        return 1
    finally:
        _recorder.pop(sink)
        stop()
    print(result.message)
    return 0
