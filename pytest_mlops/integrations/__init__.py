"""Adapters to third-party libraries (pandera, mlflow, polars, deepchecks...).

These are the only modules that import heavy libraries at module top: import them
inside functions from light modules (``plugin.py``, ``fixtures/*``, ``gates/*``).
"""
