"""Server-side render time of every page, run with AppTest in a process of its own.

Run by ``python -m bench`` as ``python -m bench.pages STORE_DIR --reps N``; prints one JSON
line: {page: {"cold_ms": ..., "warm_ms": ..., "error": ...}}.

cold: the page's first run with Streamlit's caches emptied (``st.cache_data`` and
``st.cache_resource``, so the Database is rebuilt from the store's files), as after a server
start. A throwaway run first absorbs what happens once per process whatever the store
(Streamlit's package scan, imports). warm: the median of ``reps`` reruns of the same session.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
APP = str(REPO_ROOT / "app.py")
EDITOR = "Benchmark (password sign-in)"


def present_pages() -> list[str]:
    """The app's pages, in the navigation's order."""
    from emss.ui import PAGES

    return [path for path, _ in PAGES if (REPO_ROOT / path).exists()]


def _session():
    from streamlit.testing.v1 import AppTest

    from emss.ui_signin import STATE_EDITOR

    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state[STATE_EDITOR] = EDITOR  # the editor's view of Upload and History
    return at


def _clear_caches() -> None:
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()


def _ms(run) -> float:
    start = time.perf_counter()
    run()
    return 1000 * (time.perf_counter() - start)


def measure(page: str, reps: int) -> dict:
    at = _session()
    if page == "app.py":
        _clear_caches()
        cold = _ms(at.run)
    else:
        at.run()
        _clear_caches()
        cold = _ms(at.switch_page(page).run)
    warm = [_ms(at.run) for _ in range(reps)]
    error = "; ".join(str(e.value) for e in at.exception) or None
    return {"cold_ms": cold, "warm_ms": statistics.median(warm), "error": error}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages")
    parser.add_argument("store", type=Path)
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args(argv)
    os.environ["EMSS_DATA_DIR"] = str(args.store)
    os.environ["EMSS_EDITOR_PASSWORD"] = "bench"
    _session().run()  # once per process: package scan and imports, not the store
    results = {page: measure(page, args.reps) for page in present_pages()}
    sys.stdout.write(json.dumps(results) + "\n")


if __name__ == "__main__":
    main()
