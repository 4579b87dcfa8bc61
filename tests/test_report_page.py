"""The Report page, run with Streamlit's AppTest: what it offers to download, what the files
hold, and what it says when there is nothing to report or the report cannot be written.

The files are written when a download is asked for (Word and HTML in a process of their own,
a few seconds), so the tests that only read share one store, and with it the page's cache.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from docx import Document
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryFile
from streamlit.testing.v1 import app_test
from streamlit.testing.v1.app_test import AppTest

from emss import ingest, report
from emss.report import build_report
from emss.store import Store
from emss.ui import WIDGET_PREVIEW
from tests.conftest import DEBT_HEADER, METRICS_HEADER, copy_store, csv_bytes
from tests.test_pages import open_page, texts
from tests.test_report import SECTIONS

PAGE = "pages/8_Report.py"
BUTTONS = ["Download Word (.docx)", "Download HTML (.html)", "Download Markdown (.md)"]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A copy of the bundled store that no test changes, as EMSS_DATA_DIR."""
    copied = copy_store(tmp_path_factory.mktemp("report-page") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("EMSS_DATA_DIR", str(copied.root))
        yield copied


@pytest.fixture
def media(monkeypatch: pytest.MonkeyPatch) -> list[MediaFileManager]:
    """The media file managers AppTest runs create, newest last: what serves downloads."""
    made: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", Recording)
    return made


def buttons(at: AppTest) -> list:
    return [e for e in at.get("download_button")]


def downloaded(media: list[MediaFileManager], button) -> MemoryFile:
    """The file a download button of the last run serves when clicked: it is written then,
    as the browser's request for it makes the server do."""
    manager = media[-1]
    url = manager.execute_deferred(button.proto.deferred_file_id)
    return manager._storage.get_file(url.rsplit("/", 1)[-1].split(".")[0])


def preview(at: AppTest) -> str:
    """The report as the page previews it: rendered HTML, not Markdown source (its runs of
    text between the charts, joined), opened as a reader opens it."""
    if not any("emss-report" in e.proto.body for e in at.get("html")):
        at.session_state[WIDGET_PREVIEW] = True
        at.run()
    return "\n".join(e.proto.body for e in at.get("html") if "emss-report" in e.proto.body)


def test_the_page_offers_the_report_as_word_html_and_markdown(shared_store, media):
    at = open_page(PAGE)
    assert not at.error
    assert at.header[0].value == "EMSS quarterly performance report: 2023/24 Q3 (Oct–Dec 2023)"
    found = buttons(at)
    assert [b.proto.label for b in found] == BUTTONS
    files = [downloaded(media, b) for b in found]
    assert [f.filename for f in files] == [
        "emss-report-2023-24-q3.docx",
        "emss-report-2023-24-q3.html",
        "emss-report-2023-24-q3.md",
    ]
    assert files[0].mimetype == DOCX
    document = Document(io.BytesIO(files[0].content))
    assert (round(document.sections[0].page_width.cm, 1), document.paragraphs[0].text) == (
        21.0,  # A4
        "East Midlands Shared Services Joint Committee",  # the front sheet
    )
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[2:8] == SECTIONS[1:7]
    assert len(document.inline_shapes) == 5
    assert b'alt="Line chart of Average days absence per FTE' in files[1].content


def test_the_page_previews_the_report_as_it_will_read(shared_store):
    at = open_page(PAGE)
    # The preview is a click away: neither its text nor its charts are sent until opened.
    assert not at.get("vega_lite_chart")
    assert not [e for e in at.get("html") if "emss-report" in e.proto.body]
    shown = preview(at)
    assert "3,904 DBS checks were completed in 2023/24 Q3, a rise of 257 (7.0%)" in shown
    assert "Past-due debt open for collection for NCC fell by £5,671,250" in shown
    # Rendered: headings and tables, not Markdown source, and no outline of counts.
    assert "<h4>2 Business Plan projects</h4>" in shown and "<table>" in shown
    # Charts are drawn by the browser, between the runs of text, each after its title.
    charts = at.get("vega_lite_chart")
    assert len(charts) == 5
    assert 'class="figure-title">Average days absence per FTE' in shown
    assert "## " not in shown and "| ---" not in shown
    assert "<li>Note the progress of the projects within the EMSS Business Plan.</li>" in shown
    assert "paragraphs, " not in texts(at)


def test_a_rerun_does_not_write_the_report_again(shared_store, monkeypatch):
    built = []

    def counting(*args, **kwargs):
        built.append(args[1:])
        return build_report(*args, **kwargs)

    monkeypatch.setattr(report, "build_report", counting)
    at = open_page(PAGE)
    first = len(built)
    at.run()
    assert first <= 1 and len(built) == first
    assert [b.proto.label for b in buttons(at)] == BUTTONS


def test_the_report_follows_the_partner_view_and_comparison(shared_store, media):
    at = open_page(PAGE, view="LCC", compare="year_ago")
    word = downloaded(media, buttons(at)[0])
    assert word.filename == "emss-report-2023-24-q3-lcc-vs-2022-23-q3.docx"
    text = "\n".join(p.text for p in Document(io.BytesIO(word.content)).paragraphs)
    assert "This report covers 2023/24 Q3 (Oct–Dec 2023) for Leicestershire County Council." in text
    assert "Changes are against 2022/23 Q3, the same quarter a year earlier." in text


def test_a_quarter_with_only_debt_figures_is_reported_as_such(store):
    upload = csv_bytes(DEBT_HEADER, ["2023/24 Q4,LCC,In house,Business,1000,"])
    ingest.commit(store, ingest.validate([("debt.csv", upload)]), uploaded_by="Test editor")
    at = open_page(PAGE, quarter="2023/24 Q4")
    shown = preview(at)
    assert "No People figures are held for 2023/24 Q4 in this view." in shown
    assert "Past-due debt open for collection for LCC rose by £1,000 in 2023/24 Q4" in shown
    assert [b.proto.label for b in buttons(at)] == BUTTONS


def test_a_new_snapshot_shows_in_the_report_at_the_next_run(store):
    at = open_page(PAGE)
    assert "3,904 DBS checks were completed in 2023/24 Q3" in preview(at)
    upload = csv_bytes(METRICS_HEADER, ["2023/24 Q3,EMSS,esc_dbs_checks,3910,Recounted"])
    ingest.commit(store, ingest.validate([("fix.csv", upload)]), uploaded_by="Test editor")
    at.run()
    assert "3,910 DBS checks were completed in 2023/24 Q3" in preview(at)


def test_an_empty_store_says_there_is_nothing_to_report(empty_store):
    at = open_page(PAGE)
    assert "There are no figures to show yet" in texts(at)
    assert not buttons(at)


def test_a_report_that_cannot_be_written_is_an_error_not_a_traceback(store):
    (store.root / "targets.toml").write_text("[customer_satisfaction\n", encoding="utf-8")
    at = open_page(PAGE)
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The report cannot be written: ")
    assert "targets.toml: not valid TOML" in error.value
    assert not buttons(at)
