"""What the lineage under a computed figure costs a page: ``python -m bench.lineage``.

The sample exports are computed into a copy of the bundled store; the Customer (satisfaction,
ESC, shown in full), FSC (days to pay) and Debt pages are then rerun warm in AppTest, as
``bench.pages`` does, and the time ``ui_lineage.behind`` takes in each rerun is timed apart.
The same on the bundled store, where no computed snapshot is behind any figure. Nothing
passes or fails; it reports (AppTest's "missing ScriptRunContext" warnings can be ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.pages import APP

PAGES = (
    ("pages/4_Customer.py", "Customer", "customer_satisfaction_esc"),
    ("pages/2_FSC.py", "FSC", "fsc_days_to_pay"),
    ("pages/5_Debt_collection.py", None, None),
)


def _computed_store(folder: Path) -> Path:
    """A copy of the bundled store with the sample exports computed into it."""
    import shutil

    from emss import uploads
    from emss.sources import compute
    from emss.sources.config import load_config
    from emss.store import REPO_DATA_DIR, Store

    for name in ("manifest.json", "metrics", "debt", "projects"):
        source = REPO_DATA_DIR / name
        copy = shutil.copytree if source.is_dir() else shutil.copy2
        copy(source, folder / name)
    store = Store(folder)
    sources = [(p.name, p.read_bytes()) for p in uploads.sample_exports()]
    result = compute.compute(sources, load_config(folder), today=dt.date(2024, 3, 18))
    compute.commit(store, result, uploaded_by="bench")
    return folder


def measure(store: Path, reps: int) -> dict[str, tuple[float, float]]:
    """Per page: the median warm rerun and the median time ``behind`` took in it, in ms."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from emss import ui_lineage
    from emss.catalogue import load_catalogue

    os.environ["EMSS_DATA_DIR"] = str(store)
    st.cache_data.clear()
    st.cache_resource.clear()
    spent: list[float] = []
    behind = ui_lineage.behind

    def timed(*args, **kwargs) -> None:
        start = time.perf_counter()
        behind(*args, **kwargs)
        spent.append(1000 * (time.perf_counter() - start))

    ui_lineage.behind = timed
    out = {}
    try:
        for page, area, metric in PAGES:
            at = AppTest.from_file(APP, default_timeout=300)
            at.run()
            at.switch_page(page).run()
            if area:
                figure = at.selectbox(key=f"emss_area_figure_{area}")
                figure.set_value(load_catalogue()[metric]).run()
            spent.clear()
            runs = []
            for _ in range(reps):
                start = time.perf_counter()
                at.run()
                runs.append(1000 * (time.perf_counter() - start))
            out[page] = (statistics.median(runs), statistics.median(spent or [0.0]))
    finally:
        ui_lineage.behind = behind
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lineage")
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args(argv)
    from emss.store import REPO_DATA_DIR

    with tempfile.TemporaryDirectory(prefix="emss-bench-lineage-") as folder:
        stores = {"bundled": REPO_DATA_DIR, "samples computed": _computed_store(Path(folder))}
        print("| store | page | warm rerun, median | of which the lineage |")
        print("|---|---|---|---|")
        for name, store in stores.items():
            for page, (run, lineage) in measure(store, args.reps).items():
                print(f"| {name} | {page} | {run:.0f} ms | {lineage:.1f} ms |")


if __name__ == "__main__":
    main()
