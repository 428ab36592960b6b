"""Atomic file writes (a temporary file in the target folder, then a rename), and the one rule
for relative paths.

Files are created with mode ``0o666`` minus the process umask, as ``open()`` would create them
(``tempfile.mkstemp`` would make them private, ``0o600``, which hides a report from the CI user
that uploads it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["create_temp", "resolve_path", "where_relative", "write_atomic"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new, empty file beside the target whose mode follows the umask (``0o666 & ~umask``)."""
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits colliding
            continue
    raise FileExistsError(f"could not create a temporary file in {str(folder)!r}")  # pragma: no cover


def write_atomic(path: Path | str, data: str | bytes, *, append: bool = False) -> Path:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never half.

    With ``append=True`` the existing content is kept and ``data`` added after it
    (still by one rename). Parent folders are created. The file's mode follows the umask.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if append and path.exists():
        payload = path.read_bytes() + payload
    fd, tmp = create_temp(path.parent, path.name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def resolve_path(path: str | Path) -> Path:
    """Where a relative path given to pytest-mlops points: the rootdir inside pytest, else the cwd.

    Inside a pytest session (a test, a fixture, a gates file) relative paths resolve against the
    session's rootdir, as pytest's ini paths do, whatever the directory pytest was started from;
    in a script or the CLI they resolve against the current directory. ``~`` is expanded.
    Absolute paths are returned unchanged.
    """
    from pytest_mlops import _recorder

    p = Path(path).expanduser()
    if p.is_absolute():
        return p
    return _recorder.base_dir() / p


def where_relative(path: str | Path) -> str:
    """For a "does not exist" message: where a relative ``path`` was looked for, else ``""``.

    ``" (relative paths start at the rootdir '/repo')"`` inside pytest, ``"... at the current
    directory '/x'"`` in a script.
    """
    from pytest_mlops import _recorder

    if Path(path).expanduser().is_absolute():
        return ""
    base = "the rootdir" if _recorder.in_session() else "the current directory"
    return f" (relative paths start at {base} {str(_recorder.base_dir())!r})"
