"""Registering and loading models whose code is the project's own (issue 15, items 13 and 14).

A scikit-learn pipeline with a project-local transformer is what a real project registers. Under
MLflow 3 skops refuses its types unless told to trust them; pickled instead, the model needs its
module wherever it loads. Both must end in one line that says what to do, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from pytest_mlops.errors import MlopsInputError
from pytest_mlops.integrations.mlflow import register_sklearn_model

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated:DeprecationWarning"),
]

FEATURES = """
import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class BuildFeatures(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        return np.column_stack([X, X[:, :1] ** 2])
"""

X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [0.5, 1.0], [2.5, 0.0]])
Y = np.array([0, 0, 1, 1, 0, 1])


@pytest.fixture
def local_module(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A project-local module defining a transformer, importable while the test registers models."""
    module = f"mlops_feats_{uuid.uuid4().hex[:8]}"
    code = tmp_path / "code"
    code.mkdir()
    (code / f"{module}.py").write_text(FEATURES)
    sys.path.insert(0, str(code))
    try:
        yield module, code / f"{module}.py"
    finally:
        sys.path.remove(str(code))
        sys.modules.pop(module, None)


def _pipeline(module: str) -> object:
    import importlib

    features = importlib.import_module(module)
    return make_pipeline(features.BuildFeatures(), LogisticRegression()).fit(X, Y)


def _register(model: object, uri: str, tmp_path: Path, name: str, **options: object) -> str:
    version = register_sklearn_model(
        model,
        name,
        tracking_uri=uri,
        alias="challenger",
        artifact_location=tmp_path / "artifacts",
        pip_requirements=["scikit-learn"],
        **options,  # type: ignore[arg-type]
    )
    return version.version


def _load_elsewhere(uri: str, name: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Load ``models:/NAME@challenger`` in a fresh interpreter where the local module is not on sys.path."""
    script = textwrap.dedent(
        f"""
        import numpy as np
        from pytest_mlops.integrations.mlflow import connect, load_model
        model = load_model("models:/{name}@challenger", client=connect({uri!r}))
        print(model.predict(np.array({X.tolist()!r})).tolist())
        """
    )
    return subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def test_skops_refusal_names_every_type_and_what_to_pass(
    local_module: tuple[str, Path], sqlite_tracking_uri: str, tmp_path: Path
) -> None:
    module, _ = local_module
    with pytest.raises(MlopsInputError) as refused:
        _register(_pipeline(module), sqlite_tracking_uri, tmp_path, "feats")
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("cannot register model 'feats': skops (MLflow's default format for scikit-learn")
    assert f"'{module}.BuildFeatures'" in message
    assert "skops_trusted_types=[" in message
    assert "serialization_format='cloudpickle' with code_paths=" in message
    assert message.endswith("so the model loads where that module is not installed")  # not cut off

    # trusting exactly the listed types registers the model, and it loads back
    listed = message.split("skops_trusted_types=[", 1)[1].split("]", 1)[0]
    trusted = [t.strip().strip("'") for t in listed.split(",")]
    assert _register(_pipeline(module), sqlite_tracking_uri, tmp_path, "feats", skops_trusted_types=trusted) == "1"


def test_pickled_with_code_paths_loads_where_the_module_is_not_installed(
    local_module: tuple[str, Path], sqlite_tracking_uri: str, tmp_path: Path
) -> None:
    module, source = local_module
    _register(
        _pipeline(module),
        sqlite_tracking_uri,
        tmp_path,
        "feats",
        serialization_format="cloudpickle",
        code_paths=[source],
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    loaded = _load_elsewhere(sqlite_tracking_uri, "feats", elsewhere)
    assert loaded.returncode == 0, loaded.stderr[-2000:]
    assert json.loads(loaded.stdout) == [0, 0, 1, 1, 0, 1]


def test_bad_serialization_options_are_one_line(sqlite_tracking_uri: str, tmp_path: Path) -> None:
    model = LogisticRegression().fit(X, Y)
    with pytest.raises(MlopsInputError, match=r"serialization_format='joblib' is not valid; use one of skops, "):
        _register(model, sqlite_tracking_uri, tmp_path, "m", serialization_format="joblib")
    with pytest.raises(MlopsInputError, match=r"code_paths entry '.*nope.py' does not exist"):
        _register(model, sqlite_tracking_uri, tmp_path, "m", code_paths=[tmp_path / "nope.py"])


INNER_TEST = """
def test_challenger(mlops_challenger):
    assert mlops_challenger is not None
"""

GATES = """\
gates:
  - name: challenger accuracy
    kind: model
    metric: accuracy
    data: holdout.csv
    label: y
    at_least: 0.5
"""


@pytest.mark.parametrize("route", ["fixture", "gates-file"])
def test_a_model_whose_module_is_missing_is_one_line(
    route: str, local_module: tuple[str, Path], sqlite_tracking_uri: str, tmp_path: Path, pytester: pytest.Pytester
) -> None:
    module, _ = local_module
    version = _register(_pipeline(module), sqlite_tracking_uri, tmp_path, "feats", serialization_format="cloudpickle")
    if route == "fixture":
        pytester.makepyfile(test_model=INNER_TEST)
    else:
        (pytester.path / "mlops-gates.yaml").write_text(GATES)
        rows = "\n".join(f"{a},{b},{c}" for (a, b), c in zip(X.tolist(), Y.tolist(), strict=True))
        (pytester.path / "holdout.csv").write_text(f"f0,f1,y\n{rows}\n")
    result = pytester.runpytest_subprocess(
        f"--mlops-tracking-uri={sqlite_tracking_uri}",
        "--mlops-model-name=feats",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::DeprecationWarning",  # MLflow's own SQLAlchemy deprecation, printed with a site-packages path
    )
    out = result.stdout.str()
    expected = (
        f"cannot load model models:/feats@challenger (version {version}): it was pickled with code from "
        f"'{module}', which is not importable here; install the package that defines it (or put it on sys.path), "
        "or register the model with code_paths=[...] so MLflow ships that code with it"
    )
    assert expected in out, out[-3000:]
    # once in the report; the short summary repeats it in full when CI is set (pytest does not truncate there)
    assert out.split("short test summary info")[0].count(expected) == 1
    for leak in ("Traceback", "ModuleNotFoundError", "site-packages", "During handling"):
        assert leak not in out, out[-3000:]
    assert result.ret == 1


def test_loaded_models_leave_no_download_behind(sqlite_tracking_uri: str, tmp_path: Path) -> None:
    """A model loaded without ``dst_dir`` is downloaded to a temporary folder removed at exit."""
    _register(LogisticRegression().fit(X, Y), sqlite_tracking_uri, tmp_path, "plain")
    script = textwrap.dedent(
        f"""
        import numpy as np
        from pytest_mlops.integrations.mlflow import connect, load_model, _DOWNLOADS
        model = load_model("models:/plain@challenger", client=connect({sqlite_tracking_uri!r}))
        model.predict(np.array({X.tolist()!r}))
        [folder] = _DOWNLOADS
        assert any(folder.iterdir())
        print(folder)
        """
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    folder = Path(done.stdout.strip().splitlines()[-1])
    assert folder.name.startswith("pytest-mlops-model-")
    assert not folder.exists()
