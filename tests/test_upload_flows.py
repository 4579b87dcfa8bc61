"""The Upload page end to end (AppTest over a copy of the bundled store): a projects file
and the sample source-system exports go from upload to preview to one commit and are seen
on the Projects, Overview and FSC pages; the warnings an upload gets; the upload checks
of ``emss.uploads`` on hand-built rows."""

from __future__ import annotations

import pandas as pd
import pytest

from emss import projects, uploads
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.conftest import METRICS_HEADER, chosen_quarter, csv_bytes, static_tables
from tests.editor_pages import PASSWORD, UPLOAD, has_text, open_page, sign_in, table_with, texts

Q4 = Quarter(2023, 4)


@pytest.fixture(autouse=True)
def password_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMSS_EDITOR_PASSWORD", PASSWORD)


def q4_projects(store: Store) -> bytes:
    """The projects template for Q4 (Q3's list carried forward) with the office move
    complete and an update written for it."""
    lines = projects.template(Database(store), Q4).splitlines()
    edited = [
        line.replace(",Office move,,,", ",Office move,,Complete,").rstrip(",") + ",Moved in January"
        if ",Office move," in line
        else line
        for line in lines
    ]
    return ("\n".join(edited) + "\n").encode()


def test_a_projects_file_alone_is_previewed_stored_and_shown_on_the_projects_page(store):
    at = sign_in(open_page(UPLOAD))
    at.file_uploader(key="upload_files_0").set_value(
        [("q4-projects.csv", q4_projects(store), "text/csv")]
    ).run()
    assert not at.exception, at.exception
    assert has_text(at, "Preview: nothing has been stored yet")
    assert has_text(at, "Projects: 22** (projects: 0 new, 1 status changes")
    assert has_text(at, "status 2023/24 Q4 FSC: Office move: not stated → Complete")
    at.button(key="upload_store").click().run()
    assert not at.exception, at.exception
    assert store.snapshots()[-1].files.keys() == {"projects"}
    assert "Every page shows the new figures now" in texts(at, "success")[0]

    at.switch_page("pages/6_Projects.py").run()
    assert not at.exception, at.exception
    assert chosen_quarter(at) == Q4
    assert has_text(
        at, "Since the last Joint Committee, the Office move project has been completed."
    )
    assert has_text(at, "Update: Moved in January")
    at.switch_page("app.py").run()
    assert chosen_quarter(at) == Q4


def sample_files() -> list[tuple[str, bytes, str]]:
    """The Payables samples (the FSC figures of 2023/24 Q3)."""
    return [
        (p.name, p.read_bytes(), "text/csv")
        for p in uploads.sample_exports()
        if p.name.startswith(("ap_", "supplier_"))
    ]


def test_the_sample_exports_are_computed_reconciled_and_stored_as_one_snapshot(store):
    at = open_page(UPLOAD)
    at.session_state["upload_kind"] = "exports"
    sign_in(at)
    assert has_text(at, "data/samples/") and has_text(at, "python -m emss compute")
    at.file_uploader(key="upload_exports_0").set_value(sample_files()).run()
    assert not at.exception, at.exception
    figures = table_with(at, "Computed")
    assert len(figures) == 15
    lcc = figures[(figures["Figure"] == "Invoices processed") & (figures["Partner"] == "LCC")]
    assert lcc[["Computed", "Change"]].values.tolist() == [["5,600", "revised"]]
    reconciled = table_with(at, "Typed in")
    assert len(reconciled) == 9 and set(reconciled["Difference"]) == {"none"}
    assert has_text(
        at, "**ap_payments_2023-24_q3.csv** (ap_payments): 23,552 rows read, 23,486 used"
    )
    assert len(store.snapshots()) == 2

    at.button(key="upload_store_exports").click().run()
    assert not at.exception, at.exception
    newest = store.snapshots()[-1]
    assert newest.kind == "computed" and newest.lineage["definitions"]
    at.switch_page("pages/2_FSC.py").run()
    at.radio(key="emss_filter_view").set_value("Councils").run()
    assert not at.exception, at.exception
    every_figure = static_tables(at)[0].set_index(["Figure", "For"])
    # LCC's invoices, computed, now in use (the newest snapshot wins)
    assert every_figure.loc[("Invoices processed", "LCC"), "Value"] == "5,600"


def test_new_users_can_try_the_sample_exports_without_finding_the_files(store):
    at = open_page(UPLOAD)
    at.session_state["upload_kind"] = "exports"
    sign_in(at)
    at.button(key="upload_use_samples").click().run()
    assert not at.exception, at.exception
    # 15 FSC figures for 2023/24 Q3 from Payables; 6 customer figures for each of Q2 and Q3
    # from the tickets; no FSC figure for Q2, which only the ticket export reaches
    figures = table_with(at, "Computed")
    assert len(figures) == 27
    assert has_text(at, "Debt movements computed for 2023/24 Q3: 12")
    # the report typed §8.7's movements in: each is reconciled with the computed one
    assert has_text(at, "**Reconciliation with the debt movements typed in: 12**")
    [debt] = [t.value for t in at.dataframe if {"Collector", "Typed in"} <= set(t.value.columns)]
    debt = debt.set_index(["Partner", "Collector", "Sector"])
    assert set(debt["Difference"]) == {"none"}
    assert debt.loc[("NCC", "In house", "Business"), "Typed in"] == "−£5,329,828"
    assert len(store.snapshots()) == 2


def test_a_broken_export_lists_its_problems_with_what_was_expected(store):
    at = open_page(UPLOAD)
    at.session_state["upload_kind"] = "exports"
    sign_in(at)
    header, first, *_ = (uploads.SAMPLES / "ap_invoices_2023-24_q3.csv").read_text().splitlines()
    broken = "\n".join([header, first.replace("10-Oct-2023,10-Oct-2023", "10-Oct-2023,31/13/2023")])
    at.file_uploader(key="upload_exports_0").set_value(
        [("invoices.csv", (broken + "\n").encode(), "text/csv")]
    ).run()
    assert "Nothing was stored" in texts(at, "error")[0]
    problems = table_with(at, "What was expected")
    assert problems[["File", "Line", "Value found"]].values.tolist()[0] == [
        "invoices.csv",
        2,
        "31/13/2023",
    ]
    assert len(store.snapshots()) == 2


def test_an_upload_is_warned_of_a_figure_far_from_its_reported_history_and_of_gaps(store):
    at = sign_in(open_page(UPLOAD))
    rows = csv_bytes(METRICS_HEADER, ["2023/24 Q4,EMSS,esc_dbs_checks,39040,"])
    at.file_uploader(key="upload_files_0").set_value([("q4.csv", rows, "text/csv")]).run()
    warnings = texts(at, "warning")
    assert warnings[0].startswith(
        "2023/24 Q4 DBS checks completed, EMSS: 39,040 is far outside its reported figures"
    )
    assert warnings[1].startswith("27 figures reported for 2023/24 Q3 are missing for 2023/24 Q4")
    assert at.expander[-1].label == "Figures reported last quarter and missing now: 27"
    assert "upload_store" in [b.key for b in at.button], "warnings never stop the commit"


# --- the checks as functions --------------------------------------------------------------


def test_a_problem_is_split_from_what_was_expected_and_next_steps_are_offered():
    problems = pd.DataFrame(
        [
            ("a.csv", 3, "partner", "XX", "is not a known partner (expected one of LCC, NCC)"),
            ("a.csv", None, "metric", None, "column is missing from the metrics header"),
            ("b.csv", 2, "metric", "foo", "is not a known metric (expected a key (see below))"),
        ],
        columns=["file", "line", "column", "value", "problem"],
    )
    table = uploads.problems_table(problems)
    assert table.loc[0, ["Problem", "What was expected"]].tolist() == [
        "is not a known partner",
        "one of LCC, NCC",
    ]
    assert table.loc[1, "What was expected"] == ""
    assert table.loc[2, "What was expected"] == "a key (see below)"
    assert uploads.next_steps(problems) == [
        uploads._NEXT_STEPS[0][1],
        uploads._NEXT_STEPS[1][1],
        uploads.LINE_STEP,
    ]
    assert "'=cmd" in uploads.problems_csv(problems.assign(value="=cmd"))
    assert uploads.problem_lines(problems, limit=2) == [
        'a.csv line 3, partner: "XX" is not a known partner. Expected: one of LCC, NCC.',
        "a.csv, metric: column is missing from the metrics header.",
        "… and 1 more: download them all below.",
    ]


def test_nothing_is_missing_when_the_upload_or_the_store_has_last_quarters_figures(bundled_db):
    q3 = bundled_db.reported([Quarter(2023, 3)])
    assert len(q3) == 28  # every figure reported for Q3
    again = q3.assign(quarter="2023/24 Q4")[["quarter", "partner", "metric", "value"]]
    assert uploads.missing(bundled_db, again).empty
    # Q3 itself is in the store: re-sending one Q3 figure leaves nothing missing for Q3.
    assert uploads.missing(bundled_db, q3.head(1)).empty
