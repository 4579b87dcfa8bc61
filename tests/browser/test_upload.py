"""A quarter uploaded through real chromium: sign in, pick files, preview, store, see it.

Runs its own ``streamlit run`` server on its own copy of the bundled store, so the new
quarter it stores never reaches the other browser tests' server.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from playwright.sync_api import expect

from emss import ingest
from emss.store import Store
from tests.browser.helpers import (
    EDITOR_PASSWORD,
    open_url,
    serving,
    wait_for_streamlit_idle,
)

METRICS_HEADER = "quarter,partner,metric,value,note"
METRICS = (
    f"{METRICS_HEADER}\n"
    "2023/24 Q4,LCC,esc_dbs_checks,2100,\n"
    "2023/24 Q4,NCC,esc_dbs_checks,1950,\n"
    "2023/24 Q3,EMSS,customer_satisfaction,84,Revised after late survey returns\n"
)
DEBT = (
    "quarter,partner,collector,sector,movement_gbp,note\n"
    '2023/24 Q4,LCC,In house,Business,"-£12,345",\n'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("upload-server")) as running:
        yield running


def test_an_editor_uploads_a_quarter_and_the_overview_shows_it(server, page):
    open_url(page, f"{server.url}/Upload")
    expect(page.get_by_test_id("stFileUploaderDropzoneInput")).to_have_count(0)

    page.get_by_label("Your name (recorded with every change)").fill("Jo Bloggs")
    page.get_by_label("Editor password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_streamlit_idle(page)
    page.get_by_text("Editing as Jo Bloggs (password sign-in)").wait_for()

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        [
            {"name": "q4-metrics.csv", "mimeType": "text/csv", "buffer": METRICS.encode()},
            {"name": "q4-debt.csv", "mimeType": "text/csv", "buffer": DEBT.encode("cp1252")},
        ]
    )
    page.get_by_text("Preview: nothing has been stored yet").wait_for()
    wait_for_streamlit_idle(page)
    body = page.inner_text("body")
    assert "2023/24 Q4 (Jan–Mar 2024)" in body
    assert "Revised figures (old → new): 1" in body
    assert (
        json.loads((server.data_dir / "manifest.json").read_text())["snapshots"][-1]["kind"]
        != "upload"
    ), "nothing may be stored before the button is pressed"

    page.get_by_role("button", name="Store this upload as a new snapshot").click()
    page.get_by_text("Every page shows the new figures now").wait_for()
    newest = json.loads((server.data_dir / "manifest.json").read_text())["snapshots"][-1]
    assert newest["kind"] == "upload"
    assert newest["uploaded_by"] == "Jo Bloggs (password sign-in)"
    assert [s["name"] for s in newest["sources"]] == ["q4-metrics.csv", "q4-debt.csv"]

    open_url(page, server.url)
    heading = "Overview: EMSS as a whole, 2023/24 Q4"
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.locator(".emss-tile-value").get_by_text("2,100", exact=True)).to_be_visible()
    expect(
        page.get_by_text("No Business Plan projects are recorded for 2023/24 Q4.")
    ).to_be_visible()


def test_a_note_starting_with_equals_is_neutralised_in_the_csv_download(server, page):
    note = '=HYPERLINK("http://evil.example")'
    validation = ingest.validate(
        [("note.csv", f"{METRICS_HEADER}\n2023/24 Q3,LCC,esc_dbs_checks,1999,{note}\n".encode())]
    )
    snapshot = ingest.commit(Store(server.data_dir), validation, uploaded_by="test")

    open_url(page, f"{server.url}/History")
    page.get_by_text(f"Figures in {snapshot.id}").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert [row["note"] for row in rows] == ["'" + note]


def test_a_filter_change_after_an_upload_elsewhere_names_the_new_snapshot(server, page):
    open_url(page, f"{server.url}/ESC")
    sidebar = page.get_by_test_id("stSidebar")
    validation = ingest.validate(
        [("elsewhere.csv", f"{METRICS_HEADER}\n2023/24 Q3,LCC,esc_dbs_checks,2001,\n".encode())]
    )
    snapshot = ingest.commit(Store(server.data_dir), validation, uploaded_by="another session")
    expect(sidebar).not_to_contain_text(snapshot.id)  # nothing has run since

    sidebar.get_by_role("radiogroup", name="Partner").get_by_text(
        "Leicestershire (LCC)", exact=True
    ).click()
    wait_for_streamlit_idle(page)
    expect(sidebar).to_contain_text(f"Snapshot {snapshot.id}: upload")
    expect(sidebar.get_by_role("radio", name="Leicestershire (LCC)")).to_be_checked()
