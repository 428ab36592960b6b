"""Build hook: the wheel's ``pytest_mlops/templates/github/`` is made from ``ci-templates/``.

``ci-templates/`` is the one tracked source of the GitHub Actions templates. Building a wheel
(from the tree or from the sdist, which grafts ``ci-templates/``) copies it into the package, where
``pytest-mlops init`` reads it; a source checkout or an editable install has no copy, and ``init``
reads ``ci-templates/`` beside the package instead. Everything else is in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCE = Path(__file__).resolve().parent / "ci-templates"
PACKAGED = Path("pytest_mlops", "templates", "github")


class BuildPyWithTemplates(build_py):
    """``build_py`` that also copies the workflow templates into the built package."""

    def _templates(self) -> list[Path]:
        if not SOURCE.is_dir():
            raise SystemExit(f"setup.py: {SOURCE} is missing; build from the repository or its sdist")
        return sorted(p.relative_to(SOURCE) for p in SOURCE.rglob("*") if p.is_file())

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads ci-templates/ in place
        for rel in self._templates():
            target = Path(self.build_lib) / PACKAGED / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SOURCE / rel, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [str(Path(self.build_lib) / PACKAGED / rel) for rel in self._templates()]
        return outputs


setup(cmdclass={"build_py": BuildPyWithTemplates})
