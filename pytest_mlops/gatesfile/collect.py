"""Collect declarative gates files (``mlops-gates.yaml``): one pytest item per gate.

Each entry of a gates file becomes an item ``mlops-gates.yaml::<name>`` carrying its kind's
marker (``mlops_<kind>``, with the entry's severity), so ``-m`` and ``--mlops-stage`` select it,
and it runs the ordinary gate functions, so its result lands in the report like any other
gate. A bad file is a collection error with one ``<file>:<line>: ...`` message.

:mod:`pytest_mlops.hooks.gatesfile` imports this module when pytest meets a gates file. The
parser (PyYAML) loads at collection, the runners (:mod:`pytest_mlops.gatesfile.run`) and the
gate modules (pandas...) when an item runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops.errors import GateFailure, MlopsError
from pytest_mlops.results import KINDS

if TYPE_CHECKING:
    from pytest_mlops._options import Settings
    from pytest_mlops.gatesfile.parse import GateSpec

__all__ = ["GateItem", "GatesFile"]


def settings_of(config: pytest.Config) -> Settings:
    from pytest_mlops.plugin import SETTINGS_KEY

    return config.stash[SETTINGS_KEY]


class GatesFile(pytest.File):
    """A declarative gates file; its entries are :class:`GateItem` s."""

    def collect(self) -> Iterable[pytest.Item]:
        from pytest_mlops.gatesfile.parse import GatesFileError, load_gates_file

        s = settings_of(self.config)
        data = {
            "mlops_current_data": s.current_data,
            "mlops_reference_data": s.reference_data,
            "mlops_holdout_data": s.holdout_data,
        }
        try:
            specs = load_gates_file(self.path, display=display(self.config, self.path), base=s.rootdir, data=data)
        except GatesFileError as exc:
            raise self.CollectError(str(exc)) from None
        for spec in specs:
            yield GateItem.from_parent(self, name=spec.name, spec=spec)


def display(config: pytest.Config, path: Path) -> str:
    try:
        return os.path.relpath(path, config.invocation_params.dir)
    except ValueError:  # another drive on Windows
        return str(path)


class GateItem(pytest.Item):
    """One gate of a gates file, run through the normal gate functions."""

    def __init__(self, *, spec: GateSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        from pytest_mlops.gatesfile.kinds import RESULT_KIND

        kind = RESULT_KIND.get(spec.kind, spec.kind)
        if kind in KINDS:
            mark = getattr(pytest.mark, f"mlops_{kind}")
            self.add_marker(mark(severity=spec.severity) if spec.severity else mark)

    def runtest(self) -> None:
        __tracebackhide__ = True
        from pytest_mlops.gatesfile.run import RUNNERS

        runner = RUNNERS[self.spec.kind]
        runner(self, self.spec)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | Any:
        if isinstance(excinfo.value, (GateFailure, MlopsError)):
            return f"{display(self.config, self.spec.source)}:{self.spec.line}: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.spec.line - 1, f"{self.spec.kind} gate {self.spec.name!r}"

    @property
    def update_baselines(self) -> bool:
        return settings_of(self.config).update_baselines
