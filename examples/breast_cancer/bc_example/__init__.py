"""An example ML project gated with pytest-mlops: breast-cancer screening on scikit-learn's bundled data."""

MODEL_NAME = "bc-classifier"
LABEL = "malignant"
