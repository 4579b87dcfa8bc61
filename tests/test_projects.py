"""Business Plan projects: the bundled list, changes since the last committee, the upload
contract, the CLI and the template."""

from __future__ import annotations

import json

import pytest

from emss import cli, ingest, ingest_preview, projects, projects_view
from emss.quarters import Quarter
from emss.queries import Database
from tests.conftest import Q2, Q3, REPORT_DAY, csv_bytes

Q4 = Quarter(2023, 4)
HEADER = "quarter,theme,project,partner,status,benefits,description,update"
GEN2 = "Gen 1 to Gen 2 infrastructure"
WAGESTREAM = "LCC Wagestream implementation"
NEW_IN_Q3 = {
    "Oracle Redwood Interface Implementation",
    "New internal and external communication plans",
    "Office move",
}


def check(*files: tuple[str, bytes]) -> ingest.Validation:
    return ingest.validate(list(files), today=REPORT_DAY)


def problems(*rows: str, header: str = HEADER) -> list[str]:
    result = check(("p.csv", csv_bytes(header, rows)))
    assert not result.ok
    return [str(p) for p in result.problems]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- the bundled list -------------------------------------------------------------------


def test_the_bundled_report_lists_22_projects_in_q3_and_19_inferred_in_q2(bundled_db):
    q3, q2 = bundled_db.projects([Q3]), bundled_db.projects([Q2])
    assert len(q3) == 22 and len(q2) == 19
    assert q3.groupby("theme").size().to_dict() == {
        "Organisation": 3,
        "Technology": 6,
        "FSC": 9,
        "ESC": 4,
    }
    stated = q3.dropna(subset=["status"]).set_index("project")["status"].to_dict()
    assert stated == {GEN2: "Complete", WAGESTREAM: "Cancelled"}
    assert set(q3["project"]) - set(q2["project"]) == NEW_IN_Q3
    assert q2.dropna(subset=["status"])["project"].tolist() == [GEN2, WAGESTREAM]
    assert q2["update"].isna().all()
    assert all(note.startswith("Inferred from §3.") for note in q2["note"])
    assert q3.set_index("project").loc[WAGESTREAM, "partner"] == "LCC"


def test_since_the_last_committee_3_are_new_one_completed_one_cancelled(bundled_db):
    frame = projects.changes(bundled_db, Q3, Q2)
    assert frame.groupby("change").size().to_dict() == {
        "new": 3,
        "completed": 1,
        "cancelled": 1,
        "unchanged": 17,
    }
    assert set(frame[frame["change"] == "new"]["project"]) == NEW_IN_Q3
    assert projects_view.since_sentences(frame, Q3, Q2) == [
        "Since the last Joint Committee, the Gen 1 to Gen 2 infrastructure project has been "
        "completed and the LCC Wagestream implementation project has been cancelled.",
        "New projects: New internal and external communication plans (Organisation), "
        "Oracle Redwood Interface Implementation (Technology) and Office move (FSC).",
    ]
    counts = projects.counts(frame)
    assert (counts.listed, counts.active, counts.changed) == (22, 20, 5)
    assert counts.closed == {"Complete": 1, "Cancelled": 1}


def test_a_comparison_quarter_without_a_list_is_said_so_not_called_new(bundled_db):
    frame = projects.changes(bundled_db, Q3, Q3.year_ago)
    assert frame["change"].isna().all() and len(frame) == 22
    assert projects_view.since_sentences(frame, Q3, Q3.year_ago) == [
        "There is no project list for 2022/23 Q3 to compare 2023/24 Q3 with."
    ]
    assert projects.counts(frame).changed == 0 and not projects.counts(frame).compared


def test_a_councils_sponsor_sees_their_councils_projects_and_the_emss_wide_ones(bundled_db):
    frame = projects.changes(bundled_db, Q3, Q2)
    assert WAGESTREAM in set(projects.for_partners(frame, ["LCC"])["project"])
    assert WAGESTREAM not in set(projects.for_partners(frame, ["NCC"])["project"])
    assert len(projects.for_partners(frame, ["NCC"])) == 21
    assert len(projects.for_partners(frame, ["EMSS"])) == 22


def test_one_table_per_theme_with_status_in_words(bundled_db):
    tables = projects_view.theme_tables(projects.changes(bundled_db, Q3, Q2))
    assert [t.theme for t in tables] == ["Organisation", "Technology", "FSC", "ESC"]
    technology = tables[1].rows.set_index("Project")
    assert technology.loc[GEN2, "Status"] == "Complete"
    assert technology.loc["Oracle EBS archive", "Status"] == "not stated"
    assert technology.loc[GEN2, "Update"].startswith("The move to Gen 2 is complete.")
    assert projects.status_label("Complete") != projects.status_label("Cancelled")


def test_a_projects_history_quarter_by_quarter_ignores_case_spaces_and_dashes(bundled_db):
    history = projects.history(bundled_db, "ESC", "lcc  WAGESTREAM – implementation")
    assert history["quarter"].tolist() == ["2023/24 Q2", "2023/24 Q3"]
    assert history["status"].tolist() == ["In progress", "Cancelled"]


# --- the CLI ----------------------------------------------------------------------------


def test_the_cli_lists_q3_with_each_change(capsys, store):
    code, out, _ = run(capsys, "projects", "--quarter", "2023/24 Q3", "--format", "json")
    assert code == 0
    listed = json.loads(out)
    assert len(listed) == 22 and list(listed[0]) == projects.RECORD_FIELDS
    by_name = {r["project"]: r for r in listed}
    assert (by_name[GEN2]["previous_status"], by_name[GEN2]["status"]) == (
        "In progress",
        "Complete",
    )
    assert by_name[GEN2]["change"] == "completed"
    assert by_name[WAGESTREAM]["change"] == "cancelled"
    assert {r["project"] for r in listed if r["change"] == "new"} == NEW_IN_Q3
    assert not any(r["illustrative"] for r in listed)


def test_the_cli_filters_by_theme_and_partner(capsys, store):
    code, out, _ = run(
        capsys, "projects", "--quarter", "Q3 2023/24", "--theme", "Employee Service Centre",
        "--partner", "NCC", "--format", "csv",
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 1 + 3 and all(line.startswith("ESC,") for line in lines[1:])
    code, out, _ = run(capsys, "projects", "--quarter", "2023/24 Q3", "--theme", "ESC")
    assert "LCC Wagestream implementation" in out and "cancelled" in out


def test_the_cli_says_when_a_quarter_has_no_projects(capsys, store):
    code, _, err = run(capsys, "projects", "--quarter", "2022/23 Q1")
    assert code == 1 and "no Business Plan projects for 2022/23 Q1" in err


def test_the_template_carries_last_quarters_list_forward_with_updates_empty(capsys, store):
    code, out, _ = run(capsys, "template", "--quarter", "2023/24 Q4", "--kind", "projects")
    assert code == 0
    rows = [line for line in out.splitlines()[1:]]
    assert out.splitlines()[0] == HEADER and len(rows) == 22
    assert all(r.startswith("2023/24 Q4,") and r.endswith(",") for r in rows)
    assert "2023/24 Q4,Technology,Gen 1 to Gen 2 infrastructure,,Complete,," in out


def test_the_template_of_an_empty_store_is_the_header(capsys, empty_store):
    assert run(capsys, "template", "--quarter", "2023/24 Q4", "--kind", "projects")[1] == (
        HEADER + "\n"
    )


# --- the upload contract ----------------------------------------------------------------


def test_a_projects_file_is_read_with_aliases_and_multi_line_updates():
    data = (
        "\ufeffUpdate,Project,Theme,Quarter,Status,Benefits,Partner\r\n"
        '"Line one\r\nline two",Best  Value Review,Finance Service Centre,Q3 2023/24,'
        "in progress,automation; COST SAVINGS,\r\n"
        ",Wagestream,Employee Service Centre,2023/24 Q3,,,Leicestershire County Council\r\n"
    ).encode()
    result = check(("p.csv", data))
    assert result.ok, [str(p) for p in result.problems]
    assert result.summary() == (
        "1 file OK: 0 figures, 0 debt movements and 2 projects for 2023/24 Q3"
    )
    first, second = result.projects.to_dict("records")
    assert (first["theme"], first["project"], first["status"]) == (
        "FSC",
        "Best Value Review",
        "In progress",
    )
    assert first["update"] == "Line one\nline two"
    assert first["benefits"] == "Cost Savings; Automation"
    assert second["partner"] == "LCC"
    assert result.projects.loc[1, ["status", "update"]].isna().all()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2023/24 Q3,Estates,Office move,,,,,x",
            'p.csv line 2, theme: "Estates" is not a known theme (expected one of '
            "Organisation, Technology, FSC, ESC; also accepted: Organisational, "
            "Finance Service Centre, Employee Service Centre)",
        ),
        (
            "2023/24 Q3,FSC,Office move,,Finished,,,x",
            'p.csv line 2, status: "Finished" is not a known status (expected one of '
            "Not started, In progress, On hold, Delayed, Complete, Cancelled, or blank when "
            "it is not stated)",
        ),
        (
            "2023/24 Q3,FSC,Office move,,,Cost Savings;Happiness,,x",
            'p.csv line 2, benefits: "Happiness" is not a known benefit (expected any of '
            "Stat / Policy Requirement, Cost Savings, Process Improvement, Customer "
            'Experience, Staff Welfare, Automation, separated by ";")',
        ),
        (
            "2023/24 Q3,FSC,  ,,,,,x",
            'p.csv line 2, project: "" is empty (expected the project\'s name)',
        ),
        (
            "2023/24 Q3,FSC,Office move,Derby,,,,x",
            'p.csv line 2, partner: "Derby" is not a council a project can be for '
            "(expected LCC or NCC, or blank for an EMSS-wide project)",
        ),
        (
            "2024/25 Q1,FSC,Office move,,,,,x",
            'p.csv line 2, quarter: "2024/25 Q1" is in the future (the current quarter is '
            "2023/24 Q4)",
        ),
        (
            "2023/24 Q3,FSC,Office move,,,,," + "x" * 2001,
            'p.csv line 2, update: "' + "x" * 60 + '…" is 2,001 characters long '
            "(expected at most 2,000)",
        ),
    ],
)
def test_each_projects_rejection_reads_as_the_contract_says(row, message):
    assert problems(row) == [message]


def test_the_same_project_twice_in_a_quarter_is_rejected_whatever_its_dashes_and_case():
    assert problems(
        "2023/24 Q3,Technology,Gen 1 to Gen 2 infrastructure,,,,,a",
        "2023/24 Q3,Technology,GEN 1 TO GEN 2 – INFRASTRUCTURE,,,,,b",
        "2023/24 Q4,Technology,Gen 1 to Gen 2 infrastructure,,,,,c",
    ) == [
        'p.csv line 3, project: "GEN 1 TO GEN 2 – INFRASTRUCTURE" is listed twice for '
        "2023/24 Q3 under Technology (first at p.csv line 2; expected each project once per "
        "quarter, names compared ignoring letter case, spaces and dashes)"
    ]


def test_a_header_missing_a_required_column_is_named():
    assert problems("2023/24 Q3,FSC,Office move", header="quarter,theme,project") == [
        "p.csv line 1, status: column is missing from the projects header",
        "p.csv line 1, update: column is missing from the projects header",
    ]


def test_one_bad_row_among_good_ones_stores_nothing(capsys, store, tmp_path):
    manifest = store.manifest_path.read_bytes()
    path = tmp_path / "projects.csv"
    path.write_bytes(
        csv_bytes(
            HEADER,
            [
                "2023/24 Q3,FSC,Office move,,Complete,,,Done",
                "2023/24 Q3,FSC,Dialler system and SMS software,,Stalled,,,x",
                "2023/24 Q3,ESC,Implementation of ePM system,,Complete,,,Done",
            ],
        )
    )
    code, out, _ = run(capsys, "ingest", str(path), "--by", "A. Person")
    assert code == 1
    assert 'line 3, status: "Stalled" is not a known status' in out
    assert out.splitlines()[-1].endswith("Nothing was stored.")
    assert store.manifest_path.read_bytes() == manifest


def test_projects_and_metrics_in_one_upload_commit_as_one_snapshot(store, db):
    metrics = csv_bytes("quarter,partner,metric,value", ["2023/24 Q3,EMSS,esc_dbs_checks,4000"])
    result = check(
        ("m.csv", metrics),
        ("p.csv", csv_bytes(HEADER, ["2023/24 Q3,FSC,Office move,,Complete,,,Moved in"])),
    )
    before = len(store.snapshots())
    snapshot = ingest.commit(store, result, uploaded_by="A. Person")
    assert len(store.snapshots()) == before + 1
    assert set(snapshot.files) == {"metrics", "projects"} and snapshot.rows == 2
    current = db.projects([Q3]).set_index("project")
    assert current.loc["Office move", "status"] == "Complete"
    assert current.loc["Office move", "snapshot_id"] == snapshot.id
    assert len(current) == 22  # a revision of one project leaves the others as they were


def test_a_revision_replaces_a_project_and_withdrawing_it_brings_the_old_one_back(store, db):
    result = check(("p.csv", csv_bytes(HEADER, ["2023/24 Q3,Technology,gen 1 to gen 2 "
                                                "infrastructure,,On hold,,,Paused"])))  # fmt: skip
    preview = ingest_preview.preview(db, result).projects
    assert preview.lines() == [
        "status 2023/24 Q3 Technology: gen 1 to gen 2 infrastructure: Complete → On hold",
        'update replaced 2023/24 Q3 Technology: gen 1 to gen 2 infrastructure: "The move to '
        'Gen 2 is complete. There are some minor issues to finish in decommi…" → '
        '"Paused"',
    ]
    snapshot = ingest.commit(store, result, uploaded_by="A. Person")
    frame = projects.changes(db, Q3, Q2)
    assert frame.set_index("project_key").loc["gen1togen2infrastructure", "change"] == (
        "status changed"
    )
    assert projects_view.since_sentences(frame, Q3, Q2)[0] == (
        "Since the last Joint Committee, the gen 1 to gen 2 infrastructure project has moved "
        "from in progress to on hold and the LCC Wagestream implementation project has been "
        "cancelled."
    )
    store.withdraw(snapshot.id, withdrawn_by="A. Person")
    history = projects.history(Database(store), "Technology", GEN2)
    assert history["status"].tolist() == ["In progress", "Complete"]


def test_the_preview_of_a_new_quarter_lists_new_status_changes_and_dropped(store, db):
    result = check(
        (
            "p.csv",
            csv_bytes(
                HEADER,
                [
                    "2023/24 Q4,FSC,Office move,,Complete,,,Moved",
                    "2023/24 Q4,FSC,Payroll chatbot,,Not started,,,Scoping",
                ],
            ),
        )
    )
    preview = ingest_preview.preview(db, result).projects
    lines = preview.lines()
    assert lines[:2] == [
        "status 2023/24 Q4 FSC: Office move: not stated → Complete",
        "new project 2023/24 Q4 FSC: Payroll chatbot",
    ]
    assert len(lines) == 2 + 21
    assert "no longer reported 2023/24 Q4 Technology: Gen 1 to Gen 2 infrastructure" in lines
    assert preview.summary() == (
        "projects: 1 new, 1 status changes, 0 updates replaced, 21 no longer reported"
    )
    ingest.commit(store, result, uploaded_by="A. Person")
    frame = projects.changes(db, Q4, Q3)
    assert frame.groupby("change").size().to_dict() == {
        "completed": 1,
        "new": 1,
        "no longer reported": 21,
    }
    sentences = projects_view.since_sentences(frame, Q4, Q3)
    assert sentences[:2] == [
        "Since the last Joint Committee, the Office move project has been completed.",
        "New project: Payroll chatbot (FSC).",
    ]
    assert sentences[2].startswith("No longer reported: Performance Reporting (Organisation), ")
    assert Q4 in db.quarters_with_data()
