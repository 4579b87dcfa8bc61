"""Benchmarks of the dashboard over scaled stores; run ``python -m bench --help``."""
