"""Old import path of :mod:`pytest_mlops.integrations.loading` (loading data files, fingerprints).

Kept so ``from pytest_mlops.data import load_frame`` in users' code goes on working; new code
imports :mod:`pytest_mlops.integrations.loading`.
"""

from pytest_mlops.integrations.loading import *  # noqa: F403
from pytest_mlops.integrations.loading import __all__ as __all__
