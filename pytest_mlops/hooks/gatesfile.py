"""``pytest_collect_file`` for declarative gates files (``mlops_gates_files`` names them).

pytest asks every plugin about every file it meets, so this hook only compares the file name;
the collector (:mod:`pytest_mlops.gatesfile.collect`) is imported for a gates file alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    from pytest_mlops.plugin import SETTINGS_KEY

    if file_path.name not in parent.config.stash[SETTINGS_KEY].gates_files:
        return None
    from pytest_mlops.gatesfile.collect import GatesFile

    gates_file: GatesFile = GatesFile.from_parent(parent, path=file_path)
    return gates_file
