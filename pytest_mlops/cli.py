"""The ``pytest-mlops`` console script.

Subcommands live in ``pytest_mlops/commands/``: every module there defines
``register(subparsers)``, adding its parser with ``set_defaults(run=...)``, where
``run(args) -> int`` returns the exit code. Errors a user can fix
(:class:`~pytest_mlops.errors.MlopsError`) print one line and exit 2; no traceback.
Output piped into a reader that stops early (``pytest-mlops history ... | head -1``) ends
quietly with exit code 141 (128 + SIGPIPE, what a shell reports for ``yes | head -1``).
"""

from __future__ import annotations

import argparse
import pkgutil
import sys
import time
from collections.abc import Sequence
from importlib import import_module

from pytest_mlops import __version__, commands
from pytest_mlops.errors import MlopsError

__all__ = ["build_parser", "main"]

#: exit codes: 0 ok, 1 a gate/promotion said no, 2 bad input or usage
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
#: the reader of our standard output went away (128 + SIGPIPE, as a shell reports it)
EXIT_BROKEN_PIPE = 141


def _process_started() -> float:
    """The :func:`time.monotonic` time this process started (Linux ``/proc``), else now.

    ``--timeout`` bounds a command's first contact with the registry counted from its start,
    interpreter start-up and imports included, so a wedged server fails the command in time.
    """
    now = time.monotonic()
    try:
        import os
        from pathlib import Path

        fields = Path("/proc/self/stat").read_text("ascii").rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time, ticks after boot
        return now - max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return now


#: when the command started: ``--timeout`` budgets count from here
STARTED = _process_started()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-mlops",
        description="Quality gates for ML projects: tools around the pytest plugin.",
    )
    parser.add_argument("--version", action="version", version=f"pytest-mlops {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not module.name.startswith("_"):
            import_module(f"{commands.__name__}.{module.name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows up here for output still in the buffer
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    return code


def _silence_stdout() -> None:
    """Point standard output at ``/dev/null`` so the interpreter's final flush cannot raise again.

    The recipe of the Python docs (``signal`` module, "Note on SIGPIPE"): the default SIGPIPE
    action would kill the process, also inside a test calling :func:`main`.
    """
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (captured by a test)
        pass


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.started = STARTED if argv is None else time.monotonic()
    if getattr(args, "run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from pytest_mlops import _recorder

    try:
        # a command's gates raise at once, never join a running test's results, and its relative
        # paths start at the current directory, also when a test calls main()
        with _recorder.script_scope():
            code: int = args.run(args)
    except MlopsError as exc:
        print(f"pytest-mlops {args.command}: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return code


def one_line(message: str) -> str:
    """``message`` on one line (a ``hint:`` line joins the first with ``; ``)."""
    return "; ".join(part.strip() for part in message.splitlines() if part.strip())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
