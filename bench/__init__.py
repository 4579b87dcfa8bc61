"""Benchmarks of the dashboard over scaled stores; run ``python -m bench --help``."""

import os

# Before anything imports streamlit: its "no runtime" warnings (emss.ui imported outside a
# server, AppTest) would otherwise run through the table.
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
