"""The ``mlops`` pytest plugin: hooks, and the fixture and hook modules it registers, by name.

Disable with ``pytest -p no:mlops``. Importing this module imports none of pandas, numpy,
scipy, scikit-learn, pandera, mlflow or deepchecks.

Besides the hooks below, ``pytest_configure`` registers :data:`PLUGIN_MODULES` (fixture
modules hold fixtures only; tests/plugin/test_wiring.py checks that none is left out), the
per-test marker work (:class:`MarkedTests`, dropped when no test carries our markers) and, on
the controller, the session report's :class:`~pytest_mlops._session.GateCollector`.
"""

from __future__ import annotations

from collections.abc import Generator
from types import ModuleType

import pytest

from pytest_mlops import _recorder, hookspecs, markers
from pytest_mlops._options import CODE_KIND, Settings, add_options, load_settings
from pytest_mlops._session import GateCollector
from pytest_mlops.fixtures import (
    baselines,
    data,
    deepchecks,
    deployment,
    drift,
    featurestore,
    generic,
    model,
    schema,
    spark,
)
from pytest_mlops.hooks import gatesfile as gatesfile_hooks
from pytest_mlops.hooks import mlflow as mlflow_hooks

SETTINGS_KEY = pytest.StashKey[Settings]()
COLLECTOR_KEY = pytest.StashKey[GateCollector]()
#: an item's ``mlops_*`` markers, found once when collection ends (absent: it has none)
MARKS_KEY = pytest.StashKey[dict[str, pytest.Mark]]()
#: set when collection ended and :data:`MARKS_KEY` was filled for every item that has markers
_EXAMINED_KEY = pytest.StashKey[bool]()
#: set at setup on an item marked ``mlops_stop_at_first``
_STOP_AT_FIRST_KEY = pytest.StashKey[bool]()

#: Registered as pytest plugins in ``pytest_configure``, under these names.
PLUGIN_MODULES: dict[str, ModuleType] = {
    "mlops-fixtures-baselines": baselines,  # mlops_baseline
    "mlops-fixtures-data": data,  # mlops_reference_data, mlops_current_data, mlops_holdout_data
    "mlops-fixtures-deepchecks": deepchecks,  # mlops_deepchecks
    "mlops-fixtures-deployment": deployment,  # mlops_deployment
    "mlops-fixtures-drift": drift,  # mlops_drift
    "mlops-fixtures-featurestore": featurestore,  # mlops_feature_store, mlops_store_*, mlops_point_in_time...
    "mlops-fixtures-generic": generic,  # mlops_gate, mlops_lineage
    "mlops-fixtures-model": model,  # mlops_model, mlops_champion, mlops_challenger, mlops_mlflow_client
    "mlops-fixtures-schema": schema,  # mlops_schema, mlops_features
    "mlops-fixtures-spark": spark,  # mlops_spark
    "mlops-gatesfile-collector": gatesfile_hooks,  # pytest_collect_file: mlops-gates.yaml items
    "mlops-mlflow-log": mlflow_hooks,  # pytest_mlops_session_report: --mlops-log-to-mlflow
}

# Cost: pytest loads this plugin for every run of every project that has it installed, also
# when no gate is used (benchmarks/plugin_overhead.py). So markers are read in one pass when
# collection ends, only for items whose node chain carries one of ours, and a test pays two
# thin wrappers: the sink its gate results go to, and gate deferral (a test may call gate
# functions with no fixture or marker of ours, so every test gets both).


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    settings = load_settings(config)
    config.stash[SETTINGS_KEY] = settings
    _recorder.push_root(settings.rootdir)  # relative gate paths resolve against the rootdir
    markers.register(config)
    for name, module in PLUGIN_MODULES.items():
        if not config.pluginmanager.has_plugin(name):
            config.pluginmanager.register(module, name)
    config.pluginmanager.register(MarkedTests(), _MARKED_TESTS)
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


def pytest_collection_finish(session: pytest.Session) -> None:
    """Read the markers of the items that carry ours, once, after every plugin had its say."""
    config = session.config
    kinds: dict[str, tuple[str, ...]] = {}
    marked = markers.marked_items(session.items)
    for item in marked:
        marks = item.stash[MARKS_KEY] = markers.mlops_marks(item)
        own = markers.item_kinds(item, marks)
        if own:
            kinds[item.nodeid] = tuple(sorted(own))
    config.stash[_EXAMINED_KEY] = True
    if not marked and config.pluginmanager.has_plugin(_MARKED_TESTS):
        config.pluginmanager.unregister(name=_MARKED_TESTS)  # no test needs the per-test marker work
    collector = config.stash.get(COLLECTOR_KEY, None)
    if collector is not None:
        collector.item_kinds = kinds


class MarkedTests:
    """Per-test marker work: registered in ``pytest_configure``, unregistered when collection
    finds no test with our markers (so a run that uses no gate does not pay for it)."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        if MARKS_KEY in item.stash:
            marks = item.stash[MARKS_KEY]
        elif _EXAMINED_KEY in item.config.stash:
            return  # collection found none of our markers on it
        else:  # an item run without a collection
            marks = item.stash[MARKS_KEY] = markers.mlops_marks(item)
        if marks:
            _recorder.current().severities = markers.severities_for(item, marks)
            if markers.stop_at_first(item, marks):  # a misused marker fails the test here, at setup
                item.stash[_STOP_AT_FIRST_KEY] = True


_MARKED_TESTS = "mlops-marked-tests"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    sink = _recorder.Sink(item.nodeid, item.user_properties)
    _recorder.push(sink)
    try:
        return (yield)
    finally:
        _recorder.pop(sink)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """Every gate of the test runs: failed gates are kept, then fail the test once, listing all."""
    __tracebackhide__ = True
    sink = _recorder.current()
    sink.defer = not (_STOP_AT_FIRST_KEY in item.stash or item.config.stash[SETTINGS_KEY].stop_at_first)
    try:
        outcome = yield
    except BaseException as exc:
        _recorder.raise_deferred(sink, exc)
        raise
    if sink.deferred:
        _recorder.raise_deferred(sink)
    sink.defer = False
    return outcome
