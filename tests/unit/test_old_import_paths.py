"""Import paths the docs once gave users keep working after the modules moved (pre-1.0 moves)."""

from __future__ import annotations

import importlib

import pytest

MOVED = [
    ("pytest_mlops.data", "pytest_mlops.integrations.loading"),
    ("pytest_mlops.baselines", "pytest_mlops.gates.stored"),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_old_path_re_exports_every_public_name(old: str, new: str) -> None:
    old_mod, new_mod = importlib.import_module(old), importlib.import_module(new)
    assert list(old_mod.__all__) == list(new_mod.__all__)
    for name in new_mod.__all__:
        assert getattr(old_mod, name) is getattr(new_mod, name), f"{old}.{name}"
