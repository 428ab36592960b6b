"""Subcommands of the ``pytest-mlops`` console script, one module each (see ``cli.py``)."""
