"""Tests of the GitHub Actions templates, ``pytest-mlops init`` and the local workflow harness."""
