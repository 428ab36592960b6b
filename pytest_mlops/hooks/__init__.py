"""pytest hook implementations that ``pytest_mlops.plugin`` registers, one module per concern.

``pytest_mlops/fixtures/`` holds fixtures only; every hook the plugin adds is in ``plugin.py``
itself, in :mod:`pytest_mlops._session` (the session report) or here, and ``plugin.py`` names
each module it registers. Modules here stay light: they import their work when it is needed.
"""
