"""Old import path of :mod:`pytest_mlops.gates.stored` (gates against baselines kept as files).

Kept so ``from pytest_mlops.baselines import check_against_baseline`` in users' code goes on
working; new code imports :mod:`pytest_mlops.gates.stored`.
"""

from pytest_mlops.gates.stored import *  # noqa: F403
from pytest_mlops.gates.stored import __all__ as __all__
