"""Old name of :mod:`pytest_mlops.integrations.frames` (the frame adapter of the drift engine).

Kept until ``integrations/spark_drift.py`` imports the new name; remove it then.
"""

from pytest_mlops.integrations.frames import *  # noqa: F403
from pytest_mlops.integrations.frames import __all__ as __all__
