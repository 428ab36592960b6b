"""An example ML project gated with pytest-mlops: breast-cancer screening on scikit-learn's bundled data."""

from pathlib import Path

MODEL_NAME = "bc-classifier"
LABEL = "malignant"
#: the reviewed pandera schema (pytest-mlops schema infer, then widened by hand)
SCHEMA = Path(__file__).parents[1] / "schemas" / "breast_cancer.yaml"
