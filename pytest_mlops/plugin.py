"""The ``mlops`` pytest plugin: hooks and fixture registration, nothing else.

Disable with ``pytest -p no:mlops``. Importing this module imports none of
pandas, numpy, scipy, scikit-learn, pandera, mlflow or deepchecks.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Generator
from importlib import import_module

import pytest

from pytest_mlops import _recorder, fixtures, hookspecs, markers
from pytest_mlops._options import CODE_KIND, Settings, add_options, load_settings
from pytest_mlops._session import GateCollector

SETTINGS_KEY = pytest.StashKey[Settings]()
COLLECTOR_KEY = pytest.StashKey[GateCollector]()
#: an item's ``mlops_*`` markers, read once at setup for the setup and call hooks
MARKS_KEY = pytest.StashKey[dict[str, pytest.Mark]]()

# The per-test hooks below run for every test of every project that has the plugin installed,
# also when no gate is used: they read the item's markers once (one pass, kept in its stash)
# and do nothing more when it has none of ours (benchmarks/plugin_overhead.py).


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    settings = load_settings(config)
    config.stash[SETTINGS_KEY] = settings
    _recorder.push_root(settings.rootdir)  # relative gate paths resolve against the rootdir
    markers.register(config)
    # Fixture modules declare their gate fixtures (and so the fixture -> marker mapping) on import.
    for module in pkgutil.iter_modules(fixtures.__path__):
        name = f"mlops-fixtures-{module.name}"
        if not module.name.startswith("_") and not config.pluginmanager.has_plugin(name):
            config.pluginmanager.register(import_module(f"{fixtures.__name__}.{module.name}"), name)
    if not hasattr(config, "workerinput"):  # the controller (or a plain run) reports
        collector = GateCollector(config, settings)
        config.stash[COLLECTOR_KEY] = collector
        config.pluginmanager.register(collector, "mlops-gate-collector")


def pytest_unconfigure(config: pytest.Config) -> None:
    if SETTINGS_KEY in config.stash:
        _recorder.pop_root(config.stash[SETTINGS_KEY].rootdir)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    markers.auto_apply(items)
    kinds = config.stash[SETTINGS_KEY].kinds_for_stage()
    if kinds is None:
        return
    selected: list[pytest.Item] = []
    deselected: list[pytest.Item] = []
    for item in items:
        own = markers.item_kinds(item)
        keep = bool(own & kinds) if own else CODE_KIND in kinds
        (selected if keep else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    sink = _recorder.Sink(nodeid=item.nodeid, user_properties=item.user_properties)
    _recorder.push(sink)
    try:
        return (yield)
    finally:
        _recorder.pop(sink)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    marks = item.stash[MARKS_KEY] = markers.mlops_marks(item)
    if marks:
        _recorder.current().severities = markers.severities_for(item, marks)
        markers.stop_at_first(item, marks)  # a misused marker fails the test here, at setup


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Every gate of the test runs: failed gates are kept, then fail the test once, listing all."""
    __tracebackhide__ = True
    sink = _recorder.current()
    marks = item.stash.get(MARKS_KEY, None)
    own_stop = markers.stop_at_first(item) if marks is None else markers.STOP_AT_FIRST in marks
    sink.defer = not (item.config.stash[SETTINGS_KEY].stop_at_first or own_stop)
    try:
        outcome = yield
    except BaseException as exc:
        _recorder.raise_deferred(sink, exc)
        raise
    _recorder.raise_deferred(sink)
    return outcome
