"""deepchecks gates follow the ``deepchecks`` details contract (pytest_mlops.details), and the
HTML report draws them with the deepchecks card. The other checks are covered in the main
environment (tests/unit/test_details.py); deepchecks only runs here."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from pytest_mlops import GateFailure, GateWarning, details
from pytest_mlops.render.html import render_html
from pytest_mlops.report import SessionReport
from pytest_mlops.results import GateResult
from tests.deepchecks.conftest import LABEL

if TYPE_CHECKING:
    import pandas as pd

    from pytest_mlops.gates.deepchecks import DeepchecksGates


def _recorded(request: pytest.FixtureRequest) -> list[GateResult]:
    return [
        GateResult.from_dict(json.loads(str(value)))
        for key, value in request.node.user_properties
        if key == "mlops_gate"
    ]


@pytest.mark.mlops_stop_at_first  # pytest.raises(GateFailure) needs the failure raised where it happens
def test_passing_failing_and_crashed_checks_parse_and_render(
    mlops_deepchecks: DeepchecksGates, train_df: pd.DataFrame, request: pytest.FixtureRequest
) -> None:
    import pandas as pd
    from deepchecks.tabular import SingleDatasetCheck

    class Exploding(SingleDatasetCheck):  # type: ignore[misc]
        def run_logic(self, context: Any, dataset_kind: Any) -> Any:
            raise RuntimeError("the input broke the check")

    mlops_deepchecks.run("data_integrity", train_df, label=LABEL, cat_features=["plan"])
    dirty = pd.concat([train_df, train_df.iloc[:200]], ignore_index=True)  # duplicates warn
    dirty["region"] = "eu"  # a column with one value fails
    with pytest.warns(GateWarning), pytest.raises(GateFailure):
        mlops_deepchecks.run("data_integrity", dirty, label=LABEL, cat_features=["plan", "region"])
    with pytest.raises(GateFailure):
        mlops_deepchecks.run(Exploding(), train_df, label=LABEL, cat_features=["plan"])
    results = _recorded(request)
    assert {r.status for r in results} == {"passed", "warned", "failed"}
    for result in results:
        parsed = details.parse(result)
        assert isinstance(parsed, details.DeepchecksDetails)
    page = render_html(SessionReport(gates=results))
    assert "no details contract" not in page
    assert "is missing or not" not in page
    assert "Did not run: RuntimeError: the input broke the check" in page
