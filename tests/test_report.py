"""The quarterly performance report: what it says from the bundled data, the words it chooses
for each direction of change, its provenance, and the Word, HTML and Markdown files (and the
CLI command) that carry it.

Drawing charts with vl-convert takes a few seconds, so the 2023/24 Q3 report is built once
and rendered once for the module.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document

from emss import cli, ingest, report, report_render
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import Store
from tests.conftest import DEBT_HEADER, METRICS_HEADER, Q3, csv_bytes

Q4 = Quarter(2023, 4)
SECTIONS = [
    "1 Summary",
    "2 Business Plan projects",
    "3 People",
    "4 Customer",
    "5 Employee Service Centre",
    "6 Finance Service Centre",
    "7 Debt collection",
    "8 Provenance",
]
RECOMMENDATIONS = (
    "Note the operational performance of EMSS for Quarter 3 2023/24.",
    "Note the progress of the projects within the EMSS Business Plan.",
)


@pytest.fixture(scope="module")
def q3(bundled_db: Database) -> report.Report:
    return report.build_report(bundled_db, Q3)


@pytest.fixture(scope="module")
def files(q3: report.Report) -> dict[str, bytes]:
    return report_render.render_all(q3)


def said(built: report.Report, metric: str, partner: str = "EMSS") -> str:
    """The sentence the report writes for one figure."""
    (found,) = [s.text for s in built.sentences if s.metric == metric and s.partner == partner]
    return found


def paragraph_texts(built: report.Report, section: str) -> list[str]:
    return [b.text for b in built.section(section).blocks if isinstance(b, report.Paragraph)]


def table(built: report.Report, title: str) -> report.Table:
    (found,) = [t for t in built.blocks(report.Table) if t.title.startswith(title)]
    return found


def rows(found: report.Table) -> list[tuple[str, ...]]:
    return [r.cells for r in found.rows]


@pytest.fixture
def q4_store(store: Store) -> Store:
    """The bundled store with a 2023/24 Q4 upload that moves figures both ways, and a
    correction of a Q3 figure (a revision)."""
    upload = csv_bytes(
        METRICS_HEADER,
        [
            "2023/24 Q4,EMSS,customer_satisfaction,80,",
            "2023/24 Q4,EMSS,people_absence_days_per_fte,2.5,",
            "2023/24 Q4,EMSS,esc_dbs_checks,3800,",
            "2023/24 Q4,EMSS,esc_payroll_payments,44000,",
            "2023/24 Q3,EMSS,esc_dbs_checks,3910,Recounted",
        ],
    )
    ingest.commit(store, ingest.validate([("q4.csv", upload)]), uploaded_by="Test editor")
    return store


# --- the bundled 2023/24 Q3 report ----------------------------------------------------------


def test_the_sections_follow_the_reports_order(q3):
    assert [s.heading for s in q3.sections] == SECTIONS
    assert q3.title == "EMSS quarterly performance report: 2023/24 Q3 (Oct–Dec 2023)"
    assert q3.file_stem == "emss-report-2023-24-q3"


def test_the_esc_sentences_state_the_reports_figures(q3):
    # Q2's payroll figures are generated: no change is stated as fact, and no verdict.
    assert said(q3, "esc_payroll_payments") == (
        "The ESC processed 43,689 payroll payments in 2023/24 Q3, "
        "with no reported figure for Q2 to compare with."
    )
    assert said(q3, "esc_payroll_errors") == (
        "144 payroll errors were found after payday in 2023/24 Q3, "
        "with no reported figure for Q2 to compare with."
    )
    # Both DBS figures are reported, so the sentence carries no mark.
    assert said(q3, "esc_dbs_checks") == (
        "3,904 DBS checks were completed in 2023/24 Q3, a rise of 257 (7.0%) from 3,647 in Q2."
    )
    assert said(q3, "esc_orc_contacts") == (
        "Managers contacted the service desk about recruitment (ORC) 45 times in 2023/24 Q3, "
        "down 337 (88.2%) from 382 in Q2, an improvement."
    )


def test_the_fsc_sentences_state_each_councils_figures(q3):
    assert said(q3, "fsc_invoices_paid_30d", "LCC").startswith(
        "95.7% of invoices for LCC were paid within 30 days in 2023/24 Q3"
    )
    assert said(q3, "fsc_invoices_paid_30d", "NCC").startswith(
        "95.3% of invoices for NCC were paid within 30 days in 2023/24 Q3"
    )
    # Q2's councils' figures are generated: neither is judged against them.
    for partner, value in (("LCC", 841), ("NCC", 568)):
        assert said(q3, "fsc_invoices_on_hold_90d", partner) == (
            f"{value} invoices for {partner} had been on hold for more than 90 days at the end "
            "of 2023/24 Q3, with no reported figure for Q2 to compare with."
        )
    on_hold = [s for s in q3.sentences if s.metric == "fsc_invoices_on_hold_90d"]
    assert {s.status for s in on_hold} == {None}


def test_people_and_customer_sentences_use_the_direction_of_good(q3):
    # A fall in absence is an improvement; a rise in satisfaction is one too.
    assert said(q3, "people_absence_days_per_fte") == (
        "Staff across EMSS were absent for an average of 2.22 days per FTE in 2023/24 Q3, "
        "down 0.47 days (17.5%) from 2.69 days in Q2, an improvement."
    )
    assert said(q3, "customer_satisfaction") == (
        "Customer satisfaction across all teams was 83.0% in 2023/24 Q3, "
        "up 11.0 percentage points from 72.0% in Q2, an improvement."
    )


def test_volumes_rise_and_fall_without_a_verdict(q3):
    volumes = [s.text for s in q3.sentences if s.metric in {"esc_dbs_checks", "fsc_payments"}]
    assert volumes and all("improvement" not in t and "deterioration" not in t for t in volumes)
    assert {s.status for s in q3.sentences if s.metric == "esc_dbs_checks"} == {"neutral"}


def test_debt_totals_and_their_direction(q3):
    texts = paragraph_texts(q3, "debt")
    assert texts[0].startswith(
        "Past-due debt open for collection for LCC rose by £1,498,159 in 2023/24 Q3, "
        "a deterioration."
    )
    assert texts[1].startswith(
        "Past-due debt open for collection for NCC fell by £5,671,250 in 2023/24 Q3, "
        "an improvement."
    )


def test_the_debt_table_has_collector_totals_partner_totals_and_notes(q3):
    ncc = rows(table(q3, "Debt open for collection, past due: movement in 2023/24 Q3, Nottingham"))
    assert ncc[0] == (
        "In house",
        "Business",
        "−£5,329,828",
        "£6.1m invoice 855130111 BEIS SICE credited 19.12.23",
    )
    assert ("In house total", "", "−£5,724,478", "") in ncc
    assert ("Thornton Hope total", "", "£53,228", "") in ncc
    assert ncc[-1] == ("Total movement", "", "−£5,671,250", "")
    lcc = rows(table(q3, "Debt open for collection, past due: movement in 2023/24 Q3, Leicester"))
    assert lcc[-1] == ("Total movement", "", "£1,498,159", "")


def test_the_uploaded_notes_are_the_commentary(q3):
    debt = [b for b in q3.section("debt").blocks if isinstance(b, report.Paragraph)]
    assert "£6.1m invoice 855130111 BEIS SICE credited 19.12.23" in debt[1].notes
    people = q3.section("people").blocks[0]
    assert people.notes == ("Continued to decrease.",)  # "(§5.1)" is its source, not commentary
    esc = [b for b in q3.section("esc").blocks if isinstance(b, report.Paragraph)]
    assert esc[0].notes == ("Payments processed for NCC, LCC and external customers.",)
    assert esc[1].notes == (
        "Payments to pensioners of the Leicestershire Pension Service through the Altair system.",
    )
    notes = [n for p in q3.blocks(report.Paragraph) for n in p.notes]
    assert not any("build.py" in n or "Illustrative:" in n for n in notes)


def test_satisfaction_by_team_for_the_last_two_quarters(q3):
    found = table(q3, "Customer satisfaction by team")
    assert found.columns == ("Quarter", "ESC", "FSC", "BD", "All teams")
    assert rows(found) == [
        ("2023/24 Q2", "68.0%", "73.0%", "76.0%", "72.0%"),
        ("2023/24 Q3", "82.0%", "80.0%", "88.0%", "83.0%"),
        ("Change", "+14.0 pp", "+7.0 pp", "+12.0 pp", "+11.0 pp"),
    ]


def test_fsc_figures_per_council_mark_the_illustrative_ones(q3):
    found = table(q3, "Finance Service Centre figures per council")
    assert found.columns == ("Measure", "LCC", "NCC", "EMSS")
    by_measure = {r[0]: r[1:] for r in rows(found)}
    assert by_measure["Invoices paid within 30 days"] == ("95.7%", "95.3%", "—")
    assert by_measure["Invoices on hold over 90 days (quarter end)"] == ("841", "568", "1,409")
    assert by_measure["Supplier payments made"] == ("13,622 *", "9,864 *", "23,486")
    assert found.notes[0].startswith("* Illustrative")


def test_a_chart_per_section_with_alt_text_written_from_the_data(q3):
    charts = {c.key: c for c in q3.charts}
    assert list(charts) == ["people", "customer", "esc", "fsc", "debt"]
    # Labels keep their capitals: FTE, EMSS.
    assert charts["people"].alt.startswith(
        "Line chart of Average days absence per FTE, all EMSS by quarter, "
        "2021/22 Q4 to 2023/24 Q3. EMSS fell from 4.09 days (2021/22 Q4) to 2.22 days "
        "(2023/24 Q3)."
    )
    assert "NCC: largest movement Business −£5,329,828" in charts["debt"].alt
    assert charts["fsc"].table.rows[-1].cells == ("2023/24 Q3", "95.7%", "95.3%")


def test_the_summary_ranks_only_changes_between_reported_figures(q3):
    improvements = q3.section("summary").blocks[3]
    assert improvements.items == (
        "Service desk contacts about recruitment (ORC): 45, down 337 (88.2%) from 382 in Q2, "
        "an improvement.",
        "Customer satisfaction, ESC: 82.0%, up 14.0 percentage points from 68.0% in Q2, "
        "an improvement.",
        "Average days absence per FTE, all EMSS: 2.22 days, down 0.47 days (17.5%) from "
        "2.69 days in Q2, an improvement.",
    )
    texts = paragraph_texts(q3, "summary")
    assert "No targets are configured" in texts[0]
    # Every Q3 deterioration against Q2 rested on a generated figure: none is named.
    assert (
        "No figure in this view reported for both 2023/24 Q2 and 2023/24 Q3 has worsened." in texts
    )
    assert texts[-1].startswith("30 of the figures stated have no reported figure for 2023/24 Q2")
    assert not any(s.status and s.comparison_illustrative for s in q3.sentences)


def test_provenance_names_the_snapshots_the_last_update_and_the_illustrative(q3):
    snapshots = table(q3, "Source snapshots")
    assert [r[:2] for r in rows(snapshots)] == [
        ("00001-20240318-illustrative", "illustrative"),
        ("00002-20240318-report", "report"),
    ]
    texts = paragraph_texts(q3, "provenance")
    assert (
        "The figures for 2023/24 Q3 were last updated on 18 March 2024 "
        "(snapshot 00002-20240318-report, EMSS Joint Committee report, 18 March 2024)."
    ) in texts
    assert "No figure for 2023/24 Q3 or 2023/24 Q2 has been revised" in " ".join(texts)
    assert '9 are illustrative, marked "Illustrative figure"' in " ".join(texts)


def test_the_business_plan_projects_come_before_people(q3):
    section = q3.section("projects")
    assert section.heading == "2 Business Plan projects"
    texts = paragraph_texts(q3, "projects")
    assert texts[0] == (
        "Since the last Joint Committee, the Gen 1 to Gen 2 infrastructure project has been "
        "completed and the LCC Wagestream implementation project has been cancelled."
    )
    assert texts[1] == (
        "New projects: New internal and external communication plans (Organisation), Oracle "
        "Redwood Interface Implementation (Technology) and Office move (FSC)."
    )
    tables = [b for b in section.blocks if isinstance(b, report.Table)]
    assert [t.title for t in tables] == [
        "Organisation, 2023/24 Q3",
        "Technology, 2023/24 Q3",
        "Finance Service Centre (FSC), 2023/24 Q3",
        "Employee Service Centre (ESC), 2023/24 Q3",
    ]
    assert all(t.columns == ("Project", "Status", "Update") for t in tables)
    assert sum(len(t.rows) for t in tables) == 22
    statuses = {r.cells[0]: r.cells[1].split()[-1] for t in tables for r in t.rows}
    assert statuses["Gen 1 to Gen 2 infrastructure"].endswith("Complete")
    assert statuses["LCC Wagestream implementation"].endswith("Cancelled")


def test_a_quarter_without_projects_says_so(bundled_db, q4_store):
    first = report.build_report(bundled_db, Quarter(2021, 1))
    assert paragraph_texts(first, "projects") == [
        "No Business Plan projects are recorded for 2021/22 Q1 or 2020/21 Q4."
    ]
    q4 = report.build_report(Database(q4_store), Q4)  # Q3 had 22; none uploaded for Q4
    assert paragraph_texts(q4, "projects") == [
        "No Business Plan projects are recorded for 2023/24 Q4."
    ]


def test_the_front_sheet_carries_title_quarter_date_and_recommendations(bundled_db):
    front = report.build_report(bundled_db, Q3, written=dt.date(2024, 3, 18)).front
    assert front.subject == (
        "East Midlands Shared Services Strategic and Performance Report, Quarter 3 2023/24"
    )
    assert front.date == "18 March 2024"
    assert front.requested == "The EMSS Joint Committee is requested to:"
    assert front.recommendations == RECOMMENDATIONS


def test_amounts_are_rounded_as_the_report_rounds_them(q3):
    assert said(q3, "fsc_payments_value").startswith(
        "Payments to suppliers were worth £124m in 2023/24 Q3"
    )
    found = table(q3, "Finance Service Centre figures per council")
    value = next(r for r in found.rows if r.cells[0] == "Value of supplier payments")
    assert value.cells[-1] == "£124m"
    assert not any(
        "124,000,000" in c for t in q3.blocks(report.Table) for r in t.rows for c in r.cells
    )


# --- other quarters, views and choices ------------------------------------------------------


def test_a_fall_in_satisfaction_and_a_rise_in_absence_are_deteriorations(q4_store):
    q4 = report.build_report(Database(q4_store), Q4)
    assert said(q4, "customer_satisfaction") == (
        "Customer satisfaction across all teams was 80.0% in 2023/24 Q4, "
        "down 3.0 percentage points from 83.0% in Q3, a deterioration."
    )
    assert said(q4, "people_absence_days_per_fte") == (
        "Staff across EMSS were absent for an average of 2.5 days per FTE in 2023/24 Q4, "
        "up 0.28 days (12.6%) from 2.22 days in Q3, a deterioration."
    )
    # A volume falls; it is compared with the corrected Q3 figure.
    assert said(q4, "esc_dbs_checks") == (
        "3,800 DBS checks were completed in 2023/24 Q4, a fall of 110 (2.8%) from 3,910 in Q3."
    )


def test_figures_not_held_are_not_invented(q4_store):
    q4 = report.build_report(Database(q4_store), Q4)
    assert {s.metric for s in q4.sentences if s.metric} == {
        "customer_satisfaction",
        "people_absence_days_per_fte",
        "esc_dbs_checks",
        "esc_payroll_payments",
    }
    assert paragraph_texts(q4, "fsc") == [
        "No Finance Service Centre figures are held for 2023/24 Q4 in this view."
    ]
    assert paragraph_texts(q4, "debt") == ["No debt movements are held for 2023/24 Q4."]


def test_a_quarter_holding_only_debt_movements_is_reported(store):
    upload = csv_bytes(DEBT_HEADER, ["2023/24 Q4,NCC,In house,Business,-2500,"])
    ingest.commit(store, ingest.validate([("debt.csv", upload)]), uploaded_by="Test editor")
    q4 = report.build_report(Database(store), Q4)
    assert (
        "No figure in this view reported for both 2023/24 Q3 and 2023/24 Q4 has improved."
        in paragraph_texts(q4, "summary")
    )
    assert paragraph_texts(q4, "people") == [
        "No People figures are held for 2023/24 Q4 in this view."
    ]
    assert paragraph_texts(q4, "debt")[0] == (
        "Past-due debt open for collection for NCC fell by £2,500 in 2023/24 Q4, an improvement. "
        "The largest movement for NCC was −£2,500, in Business debt (In house)."
    )


def test_revisions_since_first_reported_are_listed(q4_store):
    q4 = report.build_report(Database(q4_store), Q4)
    bullets = [b for b in q4.section("provenance").blocks if isinstance(b, report.Bullets)]
    revision = bullets[0].items[0]
    assert revision.startswith(
        "DBS checks completed, EMSS, 2023/24 Q3: 3,904 in snapshot 00002-20240318-report"
    )
    assert "; then 3,910 in snapshot 00003-" in revision and "Test editor" in revision


def test_a_figure_without_a_comparison_is_stated_without_one(bundled_db):
    first = report.build_report(bundled_db, Quarter(2021, 1))
    assert said(first, "people_absence_days_per_fte") == (  # the mark first, where eyes land
        "Illustrative figure: Staff across EMSS were absent for an average of 3.9 days per FTE "
        "in 2021/22 Q1."
    )
    stated = [s for s in first.sentences if s.metric]
    assert stated and all(" from " not in s.text and s.status is None for s in stated)
    assert (
        "No figure in this view reported for both 2020/21 Q4 and 2021/22 Q1 has improved."
        in paragraph_texts(first, "summary")
    )


def test_targets_give_a_rag_status_in_words(store):
    (store.root / "targets.toml").write_text(
        "[fsc_invoices_paid_30d]\ntarget = 95.5\namber = 95.0\n"
        "[people_absence_days_per_fte]\ntarget = 2.0\namber = 2.5\n",
        encoding="utf-8",
    )
    summary = table(report.build_report(Database(store), Q3), "Figures against targets")
    assert rows(summary) == [
        ("Invoices paid within 30 days", "LCC", "95.7%", "95.5%", "✓ On target"),
        ("Invoices paid within 30 days", "NCC", "95.3%", "95.5%", "! Near target"),
        ("Average days absence per FTE, all EMSS", "EMSS", "2.22 days", "2 days", "! Near target"),
    ]


def test_a_council_view_reports_that_council_only(bundled_db):
    lcc = report.build_report(bundled_db, Q3, ("LCC",))
    assert lcc.file_stem == "emss-report-2023-24-q3-lcc"
    assert lcc.introduction[0] == (
        "This report covers 2023/24 Q3 (Oct–Dec 2023) for Leicestershire County Council."
    )
    assert {s.partner for s in lcc.sentences if s.metric} == {"LCC", "EMSS"}
    debt = paragraph_texts(lcc, "debt")
    assert len(debt) == 1 and "for LCC rose by £1,498,159" in debt[0]


def test_a_year_ago_comparison_names_that_quarter(bundled_db):
    year_ago = report.build_report(bundled_db, Q3, comparison="year_ago")
    assert year_ago.file_stem == "emss-report-2023-24-q3-vs-2022-23-q3"
    assert year_ago.introduction[1] == (
        "Changes are against 2022/23 Q3, the same quarter a year earlier."
    )
    # 2022/23 Q3 is generated: the sentence names it and states no change.
    assert said(year_ago, "customer_satisfaction").endswith(
        "with no reported figure for 2022/23 Q3 to compare with."
    )


@pytest.mark.parametrize(
    ("partners", "comparison", "message"),
    [
        ((), "previous", "Choose at least one partner for the report."),
        (("EMSS",), "later", 'Unknown comparison "later" (expected previous or year_ago).'),
    ],
)
def test_a_choice_that_cannot_be_reported_says_why(bundled_db, partners, comparison, message):
    with pytest.raises(report.ReportError, match=re.escape(message)):
        report.build_report(bundled_db, Q3, partners, comparison)


def test_a_quarter_without_figures_says_so(bundled_db, empty_store):
    with pytest.raises(report.NoDataError) as raised:
        report.build_report(bundled_db, Quarter(2024, 1))
    assert str(raised.value) == (
        "No figures are held for 2024/25 Q1: the latest quarter with figures is 2023/24 Q3."
    )
    with pytest.raises(report.NoDataError, match="the store is empty"):
        report.build_report(Database(empty_store), Q3)


def test_the_inputs_version_changes_with_new_targets_and_snapshots(q4_store):
    db = Database(q4_store)
    before = report.inputs_version(db)
    (q4_store.root / "targets.toml").write_text("[customer_satisfaction]\ntarget = 80\n")
    after_targets = report.inputs_version(db)
    assert after_targets != before
    q4_store.withdraw(q4_store.snapshots()[-1].id, withdrawn_by="Test editor")
    assert report.inputs_version(db) != after_targets


# --- the files ------------------------------------------------------------------------------


class _Page(HTMLParser):
    """The parts of an HTML report a test reads: headings, images, tables and their cells."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.images: list[dict[str, str | None]] = []
        self.captions: list[str] = []
        self.cells: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))
        if tag in {"h1", "h2", "h3", "caption", "th", "td"}:
            self._open, self._text = tag, ""

    def handle_data(self, data):
        if self._open:
            self._text += data

    def handle_endtag(self, tag):
        if tag != self._open:
            return
        if tag == "caption":
            self.captions.append(self._text)
        elif tag in {"th", "td"}:
            self.cells.append(self._text)
        else:
            self.headings.append((tag, self._text))
        self._open = None


def test_the_word_file_opens_with_headings_tables_and_described_pictures(q3, files):
    document = Document(io.BytesIO(files["docx"]))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert ("Title", q3.title) in styled
    assert [t for s, t in styled if s == "Heading 1"] == ["Recommendations", *SECTIONS]
    assert [t for s, t in styled if s == "List Number"] == list(RECOMMENDATIONS)
    assert ("Normal", "5.8 " + said(q3, "esc_dbs_checks")) in styled
    assert len(document.tables) == len(q3.blocks(report.Table)) + len(q3.charts)
    grids = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    satisfaction = next(g for g in grids if g[0] == ["Quarter", "ESC", "FSC", "BD", "All teams"])
    assert satisfaction[2] == ["2023/24 Q3", "82.0%", "80.0%", "88.0%", "83.0%"]
    assert ["Total movement", "", "−£5,671,250", ""] in [r for g in grids for r in g]
    pictures = [s._inline.docPr for s in document.inline_shapes]
    assert [p.get("descr") for p in pictures] == [c.alt for c in q3.charts]


def test_the_html_file_parses_with_alt_text_on_every_image(q3, files):
    page = _Page()
    text = files["html"].decode("utf-8")
    page.feed(text)
    assert page.headings[0] == ("h1", q3.title)
    assert [t for tag, t in page.headings if tag == "h2"] == ["Recommendations", *SECTIONS]
    assert all(r in text for r in RECOMMENDATIONS)
    assert len(page.images) == 5
    assert all(image.get("alt") for image in page.images)
    assert [i["alt"] for i in page.images] == [c.alt for c in q3.charts]
    assert "Customer satisfaction by team, 2023/24 Q2 and 2023/24 Q3" in page.captions
    assert {"−£5,671,250", "£1,498,159", "95.7%", "841", "83.0%"} <= set(page.cells)
    assert f'<p><span class="number">5.8</span>{said(q3, "esc_dbs_checks")}</p>' in text


def test_the_markdown_file_has_headings_tables_and_the_sentences(q3, files):
    text = files["md"].decode("utf-8")
    assert text.startswith(f"# {q3.title}\n")
    for heading in SECTIONS:
        assert f"\n## {heading}\n" in text
    assert "| 2023/24 Q3 | 82.0% | 80.0% | 88.0% | 83.0% |" in text
    assert "| **Total movement** |  | **−£5,671,250** |  |" in text
    assert "5.8 " + said(q3, "esc_dbs_checks") in text
    assert "1. " + RECOMMENDATIONS[0] in text


def test_file_names_follow_the_report(q3):
    assert report_render.file_name(q3.file_stem, "docx") == "emss-report-2023-24-q3.docx"
    assert report_render.file_name(q3.file_stem, "md") == "emss-report-2023-24-q3.md"


# --- the command line -----------------------------------------------------------------------


def test_the_cli_writes_markdown_with_its_chart_images(store, tmp_path, capsys):
    out = tmp_path / "report.md"
    code = cli.main(["report", "--quarter", "2023/24 Q3", "--format", "md", "--output", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert printed.startswith(
        f"Wrote EMSS quarterly performance report: 2023/24 Q3 (Oct–Dec 2023) to {out}\n"
    )
    text = out.read_text(encoding="utf-8")
    assert "3,904 DBS checks were completed in 2023/24 Q3" in text
    links = [line for line in text.splitlines() if line.startswith("![")]
    assert len(links) == 5
    for key in ("people", "customer", "esc", "fsc", "debt"):
        assert (tmp_path / "report-charts" / f"{key}.png").read_bytes().startswith(b"\x89PNG")


def test_the_cli_writes_word_for_a_council(store, tmp_path, capsys):
    out = tmp_path / "lcc.docx"
    argv = ["report", "--quarter", "2023/24 Q3", "--partner", "lcc", "--format", "docx"]
    assert cli.main([*argv, "--output", str(out)]) == 0
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "95.7% of invoices for LCC" in text and "95.3%" not in text


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("store", "the latest quarter with figures is 2023/24 Q3"),
        ("empty_store", "the store is empty"),
    ],
)
def test_the_cli_refuses_a_quarter_without_figures(request, fixture, message, tmp_path, capsys):
    request.getfixturevalue(fixture)
    out = tmp_path / "r.html"
    code = cli.main(["report", "--quarter", "2024/25 Q1", "--format", "html", "--output", str(out)])
    assert code == 1
    assert capsys.readouterr().err == f"error: No figures are held for 2024/25 Q1: {message}.\n"
    assert not out.exists()


def test_the_cli_says_when_it_cannot_write(store, tmp_path: Path, capsys):
    out = tmp_path / "missing-folder" / "r.html"
    code = cli.main(["report", "--quarter", "2023/24 Q3", "--format", "html", "--output", str(out)])
    assert code == 1
    assert capsys.readouterr().err.startswith(f"error: cannot write {out}:")


def test_the_word_file_is_a4_with_a_front_sheet_and_columns_that_fit(q3, files):
    document = Document(io.BytesIO(files["docx"]))
    page = document.sections[0]
    assert (round(page.page_width.cm, 1), round(page.page_height.cm, 1)) == (21.0, 29.7)
    text_width = page.page_width.cm - page.left_margin.cm - page.right_margin.cm
    opening = [p.text for p in document.paragraphs[:4]]
    assert opening[:2] == ["East Midlands Shared Services Joint Committee", q3.title]
    assert q3.front.subject in opening and f"Date: {q3.front.date}" in opening
    for grid in document.tables:
        widths = [cell.width.cm for cell in grid.rows[0].cells]
        assert sum(widths) == pytest.approx(text_width, abs=0.05)
    fsc = next(t for t in document.tables if t.rows[0].cells[0].text == "Measure")
    measure = fsc.rows[0].cells[0].width.cm
    longest = max(len(row.cells[0].text) for row in fsc.rows)
    assert measure >= 0.2 * longest  # about 0.19 cm a character at 11 pt: one line each
