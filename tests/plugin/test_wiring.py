"""plugin.py names every module it registers: fixture modules hold fixtures, hook modules hooks."""

from __future__ import annotations

import pkgutil
from importlib import import_module
from types import ModuleType

import pytest

from pytest_mlops import fixtures, hooks
from pytest_mlops.plugin import PLUGIN_MODULES


def _modules(package: ModuleType) -> list[ModuleType]:
    return [import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


def _hooks(module: ModuleType) -> list[str]:
    return sorted(n for n, v in vars(module).items() if n.startswith("pytest_") and callable(v))


def _fixture_names(module: ModuleType) -> list[str]:
    # what @pytest.fixture returns (pytest 8.4+), checked by name: the class is not public
    return sorted(n for n, v in vars(module).items() if type(v).__name__ == "FixtureFunctionDefinition")


@pytest.mark.parametrize("package", [fixtures, hooks], ids=["fixtures", "hooks"])
def test_every_module_of_the_package_is_registered_by_name(package: ModuleType) -> None:
    registered = {m.__name__ for m in PLUGIN_MODULES.values()}
    missing = [m.__name__ for m in _modules(package) if m.__name__ not in registered]
    assert missing == [], f"add {missing} to PLUGIN_MODULES in pytest_mlops/plugin.py"


def test_fixture_modules_define_fixtures_and_no_hooks() -> None:
    for module in _modules(fixtures):
        assert _hooks(module) == [], f"{module.__name__} defines hooks; move them to pytest_mlops/hooks/"
        assert _fixture_names(module), f"{module.__name__} defines no fixture"
    assert _hooks(fixtures) == []


def test_hook_modules_define_hooks_and_no_fixtures() -> None:
    for module in _modules(hooks):
        assert _hooks(module), f"{module.__name__} defines no pytest hook"
        assert _fixture_names(module) == [], f"{module.__name__} defines fixtures; move them to pytest_mlops/fixtures/"


def test_the_named_modules_are_the_registered_plugins(pytestconfig: pytest.Config) -> None:
    for name, module in PLUGIN_MODULES.items():
        assert pytestconfig.pluginmanager.get_plugin(name) is module, name


def test_a_session_registers_each_module_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "from pytest_mlops.plugin import PLUGIN_MODULES\n"
        "def test_registered(pytestconfig):\n"
        "    plugins = pytestconfig.pluginmanager.get_plugins()\n"
        "    for module in PLUGIN_MODULES.values():\n"
        "        assert sum(p is module for p in plugins) == 1, module\n"
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=1)
