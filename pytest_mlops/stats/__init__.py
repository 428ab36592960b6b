"""Numeric engines: pure functions on arrays (metrics, bootstrap, drift statistics); no pytest."""
