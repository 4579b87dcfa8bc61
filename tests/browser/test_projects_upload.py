"""A Business Plan projects file uploaded through real chromium: sign in, pick the file,
see the projects preview, store it, and read the change on the Projects page.

Runs its own ``streamlit run`` server on its own copy of the bundled store."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from emss import projects
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.browser.helpers import EDITOR_PASSWORD, open_url, serving, wait_for_streamlit_idle


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("projects-upload-server")) as running:
        yield running


def q4_projects(data_dir) -> bytes:
    """Q3's list carried forward to Q4 (the page's template) with the office move complete."""
    lines = projects.template(Database(Store(data_dir)), Quarter(2023, 4)).splitlines()
    return (
        "\n".join(
            line.replace(",Office move,,,", ",Office move,,Complete,").rstrip(",")
            + ",Moved in January"
            if ",Office move," in line
            else line
            for line in lines
        )
        + "\n"
    ).encode()


def test_an_editor_uploads_projects_and_the_projects_page_says_what_changed(server, page):
    open_url(page, f"{server.url}/Upload")
    page.get_by_label("Your name (recorded with every change)").fill("Jo Bloggs")
    page.get_by_label("Editor password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_streamlit_idle(page)

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        [
            {
                "name": "q4-projects.csv",
                "mimeType": "text/csv",
                "buffer": q4_projects(server.data_dir),
            }
        ]
    )
    page.get_by_text("Preview: nothing has been stored yet").wait_for()
    wait_for_streamlit_idle(page)
    body = page.inner_text("body")
    assert "status 2023/24 Q4 FSC: Office move: not stated → Complete" in body
    snapshots = json.loads((server.data_dir / "manifest.json").read_text())["snapshots"]
    assert len(snapshots) == 2, "nothing may be stored before the button is pressed"

    page.get_by_role("button", name="Store this upload as a new snapshot").click()
    page.get_by_text("Every page shows the new figures now").wait_for()
    newest = json.loads((server.data_dir / "manifest.json").read_text())["snapshots"][-1]
    assert newest["files"].keys() == {"projects"}

    page.get_by_role("link", name="See the projects").click()
    wait_for_streamlit_idle(page)
    expect(
        page.get_by_text(
            "Since the last Joint Committee, the Office move project has been completed."
        )
    ).to_be_visible()
    expect(page.get_by_text("Moved in January")).to_be_visible()
    assert "/Projects" in page.url
