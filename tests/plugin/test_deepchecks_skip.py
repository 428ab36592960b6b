"""On the latest stack deepchecks cannot work: tests that need it skip, saying what works and how to install it."""

from __future__ import annotations

import glob
from importlib.metadata import version

import pytest

from pytest_mlops.gates.deepchecks import unavailable_reason

USER_TESTS = """
import pytest
from pytest_mlops.gates.deepchecks import suite_params

def test_data_integrity(mlops_deepchecks):
    mlops_deepchecks.run("data_integrity", None)

@pytest.mark.parametrize("check", suite_params("train_test_validation"))
def test_each_check(mlops_deepchecks, check):
    mlops_deepchecks.run(check, None, None)

def test_plain():
    assert True
"""

PINS = "numpy<2, pandas<3, scikit-learn==1.7.2, scipy<1.15, pyarrow<24"
ADVICE = f"deepchecks 0.19.1 works only with {PINS}: pip install 'pytest-mlops[deepchecks]' in a separate environment"


def _pattern(text: str) -> str:
    return "*" + glob.escape(text) + "*"  # the reason holds [deepchecks], a character class to fnmatch


def test_tests_needing_deepchecks_skip_with_install_advice(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    reason = unavailable_reason()
    if reason is None:
        pytest.skip("deepchecks imports in this environment; scripts/test-deepchecks.sh tests it there")
    pytester.makepyfile(test_dc=USER_TESTS)
    result = pytester.runpytest(*xdist_args, "-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines([_pattern(f"test_dc.py:4: {reason}")])
    result.stdout.fnmatch_lines([_pattern(f"test_dc.py:7: {reason}")])  # the one param suite_params gives
    result.stdout.fnmatch_lines([_pattern(ADVICE)])
    if "is not installed" in reason:
        result.stdout.fnmatch_lines([_pattern("deepchecks is not installed; " + ADVICE)])


def test_a_deepchecks_that_breaks_at_import_is_reported_with_the_versions_found(pytester: pytest.Pytester) -> None:
    if int(version("numpy").split(".")[0]) < 2:
        pytest.skip("needs numpy 2, where deepchecks 0.19.1 fails at import on np.Inf")
    # deepchecks 0.19.1 fails at import on numpy 2 exactly like this: it reads np.Inf
    pytester.mkpydir("deepchecks").joinpath("__init__.py").write_text("import numpy as np\nINF = np.Inf\n")
    meta = pytester.mkdir("deepchecks-0.19.1.dist-info")
    meta.joinpath("METADATA").write_text("Metadata-Version: 2.1\nName: deepchecks\nVersion: 0.19.1\n")
    pytester.makepyfile(test_dc=USER_TESTS)
    result = pytester.runpytest_subprocess("-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=2)
    found = f"numpy {version('numpy')}, pandas {version('pandas')}, scikit-learn {version('scikit-learn')}"
    result.stdout.fnmatch_lines(
        [
            _pattern(
                f"test_dc.py:4: deepchecks 0.19.1 is installed but does not import with {found}, "
                "scipy " + version("scipy")
            )
            + glob.escape("(AttributeError: `np.Inf` was removed in the NumPy 2.0 release. Use `np.inf` instead.); ")
            + glob.escape(ADVICE)
            + "*"
        ]
    )
