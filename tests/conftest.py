"""Shared fixtures for the data-layer tests.

Nothing here ever writes into the repository's ``data/``: every store a test can change is a
copy in ``tmp_path`` with ``EMSS_DATA_DIR`` pointing at it.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
REPO_DATA = REPO_ROOT / "data"
STORE_ENTRIES = ("manifest.json", "metrics", "debt", "projects")

Q2 = Quarter(2023, 2)
Q3 = Quarter(2023, 3)
# Validation refuses quarters after the current one; tests that mean "the report's time"
# pass this as today so that they do not depend on the calendar.
REPORT_DAY = dt.date(2024, 3, 18)

METRICS_HEADER = "quarter,partner,metric,value,note"
DEBT_HEADER = "quarter,partner,collector,sector,movement_gbp,note"


def copy_store(target: Path) -> Store:
    """A copy of the bundled store (manifest and Parquet files) in ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in STORE_ENTRIES:
        source = REPO_DATA / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return Store(target)


def csv_bytes(header: str, rows: Iterable[str], *, eol: str = "\n") -> bytes:
    """A CSV file's bytes from a header and pre-formatted rows."""
    return eol.join([header, *rows, ""]).encode("utf-8")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A writable copy of the bundled store, also the CLI's default (EMSS_DATA_DIR)."""
    copied = copy_store(tmp_path / "data")
    monkeypatch.setenv("EMSS_DATA_DIR", str(copied.root))
    return copied


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store folder with no snapshots yet, also the CLI's default (EMSS_DATA_DIR)."""
    root = tmp_path / "empty-store"
    root.mkdir()
    monkeypatch.setenv("EMSS_DATA_DIR", str(root))
    return Store(root)


@pytest.fixture
def db(store: Store) -> Database:
    """Queries over the writable copy (sees commits made through ``store``)."""
    return Database(store)


@pytest.fixture(scope="session")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    """Queries over a read-only copy of the bundled store, shared by the whole session."""
    return Database(copy_store(tmp_path_factory.mktemp("bundled") / "data"))


@pytest.fixture
def metrics_csv() -> Callable[..., bytes]:
    """Build a metrics upload: ``metrics_csv("2023/24 Q3,EMSS,esc_dbs_checks,3904,")``."""

    def build(*rows: str, header: str = METRICS_HEADER, eol: str = "\n") -> bytes:
        return csv_bytes(header, rows, eol=eol)

    return build


@pytest.fixture
def debt_csv() -> Callable[..., bytes]:
    """Build a debt movement upload from rows after the standard header."""

    def build(*rows: str, header: str = DEBT_HEADER, eol: str = "\n") -> bytes:
        return csv_bytes(header, rows, eol=eol)

    return build


def records(frame) -> list[dict]:
    """A frame's rows as dicts, with missing cells (NaN, NA) as None."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


@pytest.fixture(autouse=True)
def fresh_sign_in_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no wrong passwords counted (the throttle is server-wide)."""
    from emss import auth

    monkeypatch.setattr(auth, "PASSWORD_THROTTLE", auth.Throttle())


def show_in_full(at, area: str, key: str):
    """Choose an area page's figure shown in full (tiles, notes and chart) in an AppTest."""
    from emss.catalogue import load_catalogue

    at.selectbox(key=f"emss_area_figure_{area}").set_value(load_catalogue()[key]).run()
    assert not at.exception, at.exception
    return at


def chosen_quarter(at) -> Quarter:
    """The quarter the sidebar's filters show: its financial year and its quarter."""
    from emss.ui import WIDGET_QUARTER, WIDGET_YEAR

    return Quarter(at.selectbox(key=WIDGET_YEAR).value, at.radio(key=WIDGET_QUARTER).value)


def open_charts(at):
    """Open a page's charts (``ui.disclosure``) in an AppTest, as a click does."""
    from emss.ui import WIDGET_CHARTS

    at.session_state[WIDGET_CHARTS] = True
    at.run()
    assert not at.exception, at.exception
    return at


class _TableText(HTMLParser):
    """The cells' text of an HTML table, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data) -> None:
        if self._cell is not None:
            self._cell.append(data)


class _Text(HTMLParser):
    """The text of an HTML block, style sheets left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs) -> None:
        self._in_style = tag == "style"

    def handle_data(self, data) -> None:
        if not self._in_style:
            self.parts.append(data)


def shown_html_text(at) -> list[str]:
    """The text of every static HTML block on an AppTest page (captions, tables, tiles
    drawn by ``st.html``), one string per block."""
    found = []
    for element in at.get("html"):
        parser = _Text()
        parser.feed(element.value)
        text = " ".join("".join(parser.parts).split())
        if text:
            found.append(text)
    return found


def static_tables(at):
    """Every static table on an AppTest page (``ui.static_table``), as text frames."""
    import pandas as pd

    found = []
    for element in at.get("html"):
        if 'class="emss-table"' in element.value:
            parser = _TableText()
            parser.feed(element.value)
            head, *rows = parser.rows
            found.append(pd.DataFrame(rows, columns=head))
    return found


class _TileText(HTMLParser):
    """Each tile's texts (``tables.tile_html``) by part: label, value, change, vs, notes."""

    def __init__(self) -> None:
        super().__init__()
        self.tiles: list[dict] = []
        self._part: list[str | None] = []

    def handle_starttag(self, tag, attrs) -> None:
        classes = dict(attrs).get("class", "").split()
        if "emss-tile" in classes or "emss-tile-missing" in classes:
            self.tiles.append({"notes": []})
        part = next(
            (c.removeprefix("emss-tile-") for c in classes if c.startswith("emss-tile-")), None
        )
        self._part.append(part)

    def handle_endtag(self, tag) -> None:
        self._part.pop()

    def handle_data(self, data) -> None:
        part = next((p for p in reversed(self._part) if p), None)
        if not self.tiles or part in (None, "delta"):
            return
        if part == "note":
            self.tiles[-1]["notes"].append(data)
        else:
            self.tiles[-1][part] = self.tiles[-1].get(part, "") + data


def shown_tiles(at) -> list[dict]:
    """Every figure tile on an AppTest page (``ui.figure_tiles``): dicts of label, value,
    change and vs (when there is a change) and notes (a list); for a figure not reported,
    its sentence as ``missing``."""
    found = []
    for element in at.get("html"):
        if 'class="emss-tiles' in element.value:
            parser = _TileText()
            parser.feed(element.value)
            found += parser.tiles
    return found
