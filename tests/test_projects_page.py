"""The Projects page (AppTest over a copy of the bundled store): the since-last-committee
sentences, the projects by theme with their status in words and a shape, the filters, each
project's history, and the table with its CSV."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from emss import projects, projects_view
from emss.catalogue import PARTNER_NAMES
from emss.store import Store
from tests.conftest import Q2
from tests.test_pages import open_page, texts

PAGE = "pages/6_Projects.py"
WAGESTREAM = "LCC Wagestream implementation"


def projects_table(at: AppTest) -> pd.DataFrame:
    """The table of the projects shown, opened as a reader opens it (it is not sent closed)."""
    if not at.dataframe:
        at.session_state["table_projects"] = True
        at.run()
    return at.dataframe[0].value


def test_the_bundled_q3_lists_22_projects_by_theme_and_says_what_changed(store: Store) -> None:
    at = open_page(PAGE)
    text = texts(at)
    assert (
        "Since the last Joint Committee, the Gen 1 to Gen 2 infrastructure project has been "
        "completed and the LCC Wagestream implementation project has been cancelled."
    ) in text
    assert "New projects: New internal and external communication plans (Organisation), " in text
    headings = [h.value for h in at.header]
    assert headings[:1] == ["Since the last committee"]
    assert "Organisation: 3" in headings and "Employee Service Centre (ESC): 4" in headings
    assert sum(int(h.rsplit(": ", 1)[1]) for h in headings if h.rsplit(": ", 1)[-1].isdigit()) == 22
    # Status in words and a shape, never colour alone; the change said beside it.
    assert "Status: ✕ Cancelled · Was in progress in 2023/24 Q2" in text
    assert "Status: ● Complete · Was in progress in 2023/24 Q2" in text
    assert "· New since 2023/24 Q2" in text
    assert not at.dataframe  # the table's grid is sent once it is opened
    table = projects_table(at)
    assert len(table) == 22 and {"Project", "Status", "Update", "For"} <= set(table.columns)


def test_a_councils_view_shows_its_own_and_the_emss_wide_projects(store: Store) -> None:
    ncc = open_page(PAGE, view="NCC")
    assert len(projects_table(ncc)) == 21
    assert WAGESTREAM not in set(projects_table(ncc)["Project"])
    assert "LCC Wagestream" not in texts(ncc)
    lcc = open_page(PAGE, view="LCC")
    assert WAGESTREAM in set(projects_table(lcc)["Project"])
    assert f"For: {PARTNER_NAMES['LCC']}" in texts(lcc)


def test_theme_and_status_filters_narrow_the_list(store: Store) -> None:
    at = open_page(PAGE)
    at.multiselect(key="projects_themes").set_value(["ESC"]).run()
    assert len(projects_table(at)) == 4
    at.multiselect(key="projects_statuses").set_value(["Cancelled"]).run()
    assert list(projects_table(at)["Project"]) == [WAGESTREAM]
    at.multiselect(key="projects_benefits").set_value(["Automation"]).run()
    assert not at.dataframe and "No project matches" in texts(at)


def test_a_project_opens_to_its_history_quarter_by_quarter(store: Store) -> None:
    at = open_page(PAGE)
    assert "2023/24 Q2 · ◐ In progress" not in texts(at)  # none chosen: nothing read yet
    history = at.selectbox(key="projects_history")
    history.select(f"{WAGESTREAM} — Employee Service Centre (ESC)").run()
    text = texts(at)
    assert "2023/24 Q3 · ✕ Cancelled" in text and "2023/24 Q2 · ◐ In progress" in text


def test_the_table_comes_with_a_csv_download(store: Store) -> None:
    at = open_page(PAGE)
    projects_table(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download CSV" in labels


def test_benefit_and_status_filters_and_change_words_on_hand_built_rows() -> None:
    frame = pd.DataFrame(
        {
            "project": ["A", "B", "C"],
            "status": ["In progress", "not stated", None],
            "benefits": ["Cost Savings; Automation", None, "Staff Welfare"],
            "change": ["status changed", "new", "no longer reported"],
            "previous_status": ["Not started", None, "On hold"],
        }
    )
    assert list(projects.for_benefits(frame, ["Automation", "Staff Welfare"])["project"]) == [
        "A",
        "C",
    ]
    assert list(projects.for_benefits(frame, [])["project"]) == ["A", "B", "C"]
    assert list(projects.for_statuses(frame, ["not stated"])["project"]) == ["B"]
    words = [projects_view.change_words(r, Q2) for r in frame.to_dict("records")]
    assert words == [
        "Was not started in 2023/24 Q2",
        "New since 2023/24 Q2",
        "No longer reported (was on hold in 2023/24 Q2)",
    ]


def test_a_year_ago_comparison_is_named_as_such(store: Store) -> None:
    at = open_page(PAGE, compare="year_ago")
    assert at.header[0].value == "Since 2022/23 Q3 (Oct–Dec 2022)"
    assert "There is no project list for 2022/23 Q3 to compare 2023/24 Q3 with." in texts(at)


@pytest.mark.parametrize("quarter", ["2022/23 Q1"])
def test_a_quarter_without_projects_says_so(store: Store, quarter: str) -> None:
    at = open_page(PAGE, quarter=quarter)
    assert f"No Business Plan projects are recorded for {quarter}" in texts(at)


def test_a_long_list_draws_the_first_60_cards_and_keeps_every_project_in_the_table(
    store: Store,
) -> None:
    rows = [
        {
            "quarter": "2023/24 Q4",
            "theme": "Technology",
            "project": f"Project {i}",
            "project_key": projects.name_key(f"Project {i}"),
            "partner": None,
            "status": "In progress",
            "benefits": None,
            "description": None,
            "update": f"Update {i}",
            "note": None,
            "position": i,
        }
        for i in range(70)
    ]
    store.commit(
        {"projects": pd.DataFrame(rows).astype({"position": "int32"})},
        uploaded_by="test",
        kind="upload",
    )
    at = open_page(PAGE, quarter="2023/24 Q4")
    text = texts(at)
    # 70 new and Q3's 22 no longer reported; Organisation's 3 come first, then Technology.
    assert "92 projects match: the first 60 are shown as cards." in text
    assert "19 more in the table at the end." in text
    assert "Update: Update 56" in text and "Update: Update 57" not in text
    assert len(projects_table(at)) == 92
