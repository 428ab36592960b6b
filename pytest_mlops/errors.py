"""Exceptions and warnings raised by pytest-mlops.

Every exception here pickles (they cross pytest-xdist workers): each takes one
message string, and richer constructors are classmethods that build it.
"""

from __future__ import annotations

__all__ = [
    "GateFailure",
    "GateWarning",
    "MissingExtraError",
    "MlopsError",
    "MlopsInputError",
]


class MlopsError(Exception):
    """Root of every error pytest-mlops raises on purpose."""


class MlopsInputError(MlopsError, ValueError):
    """Bad input handed to a gate: empty frame, missing column, unreadable file...

    The message names the input and says how to fix it; pytest shows it without
    an internal traceback.
    """


class GateFailure(AssertionError):
    """A gate with severity ``fail`` did not pass.

    It is an :class:`AssertionError`, so pytest reports the test as failed (not
    errored) and shows the gate's message.
    """

    __module__ = "pytest_mlops"


class GateWarning(UserWarning):
    """A gate with severity ``warn`` did not pass; the test still passes."""

    __module__ = "pytest_mlops"


class MissingExtraError(MlopsError, ImportError):
    """An optional dependency is not installed."""

    @classmethod
    def for_extra(cls, extra: str, module: str, why: str = "") -> MissingExtraError:
        reason = f" ({why})" if why else ""
        return cls(
            f"{module!r} is needed for this and is not importable{reason}.\nhint: pip install 'pytest-mlops[{extra}]'"
        )
