"""The renderers of a :class:`~pytest_mlops.report.SessionReport`, side by side.

* :mod:`~pytest_mlops.render.terminal` — the lines of pytest's terminal section;
* :mod:`~pytest_mlops.render.markdown` — the ``$GITHUB_STEP_SUMMARY`` page;
* :mod:`~pytest_mlops.render.html` — the self-contained HTML page: its sections, and one card
  per gate drawn by :mod:`~pytest_mlops.render.cards` (one card per check) with the charts of
  :mod:`~pytest_mlops.render.svg`.

Each renderer reads a gate through the details contract of its check
(:mod:`pytest_mlops.details`) and picks what to draw from ``GateResult.check``. The report
model imports a renderer only inside the method that uses it, and renderers import the
model only for type annotations, so the two never form an import cycle (a test walks the
import graph to keep it so).
"""
