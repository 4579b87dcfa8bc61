"""The Customer figures from a service desk ticket export and the debt movement from
Receivables agings: hand-built exports whose every figure is worked out here, every
rejection, what is stored (and what never is), the samples."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from emss import cli
from emss.quarters import Quarter
from emss.sources import compute as computing
from emss.sources import receivables, stored
from emss.sources.config import load_config
from emss.store import Store
from tests.conftest import REPO_ROOT
from tests.test_bundled import REPORT_DEBT
from tests.test_sources import export

Q2, Q3 = Quarter(2023, 2), Quarter(2023, 3)  # Q3: 1 Oct - 31 Dec 2023
TODAY = dt.date(2024, 3, 18)
CONFIG = load_config()

# Subject and requester columns as Freshdesk writes them: never read.
TICKETS_HEADER = (
    "Ticket ID,Subject,Group,Type,Source,Status,Priority,Requester Name,Requester Email,"
    "Created time,Resolved time,Survey results"
)
TICKETS = [
    # 10 hours; a positive answer
    "T1,Payslip wrong,ESC,Question,Email,Resolved,Low,Ann Smith,ann@x.org,"
    "2023-10-02 09:00:00,2023-10-02 19:00:00,Awesome",
    # resolved at the very end of the quarter's last day: in Q3; 10 hours; an answer outside
    # the positive list
    "T2,P60,ESC,Question,Portal,Closed,Low,Bob Jones,bob@x.org,"
    "2023-12-31 13:59:59,2023-12-31 23:59:59,Not satisfied",
    # from the chatbot; 24 hours
    "T3,Invoice query,FSC,Question,Bot,Resolved,Low,Cy Day,cy@x.org,"
    "2023-11-01 08:00:00,2023-11-02 08:00:00,Satisfied",
    # resolved after the quarter: in no Q3 resolution figure
    "T4,Remittance,FSC,Question,Phone,Resolved,Low,Di Eve,di@x.org,"
    "2023-11-05 10:00:00,2024-01-01 00:00:00,Awesome",
    # spam from the chatbot: in no figure at all
    "T5,WIN A PRIZE,Business Development,,Bot,Spam,Low,Spammer,s@spam.biz,"
    "2023-10-10 10:00:00,2023-10-10 11:00:00,Awesome",
    # UK day-first time without seconds; 2 hours
    "T6,New customer,Business Development,Lead,Chat,Resolved,Low,Fay Gee,fay@x.org,"
    "20/10/2023 10:00,20/10/2023 12:00,Very satisfied",
    # a chatbot session still open
    "T7,Holiday pay,ESC,Question,Bot,Open,Low,Gil Hay,gil@x.org,2023-12-01 09:00:00,,",
    # created in Q2, resolved in Q3 (4 hours); the group in other letters; no answer
    "T8,Pension,esc,Question,Email,Resolved,Low,Hal Ives,hal@x.org,"
    "2023-09-30 22:00:00,2023-10-01 02:00:00,",
]

# Customer names as Oracle writes them: never read.
AGING_HEADER = (
    "Business Unit,As Of Date,Customer Account Number,Customer Name,Customer Class,Collector,"
    "Transaction Number,Transaction Date,Due Date,Amount Due Remaining"
)
AGING_Q3 = [
    # two past-due transactions over £20k of one customer
    "LCC BU,31/12/2023,C100,Acme Ltd,Commercial,EMSS In House,TX1,2023-10-31,2023-11-30,"
    '"£25,000.00"',
    "LCC BU,31/12/2023,C100,Acme Ltd,Commercial,EMSS In House,TX2,2023-11-01,2023-12-01,30000.00",
    # due on the quarter's last day: not yet past due
    "LCC BU,31/12/2023,C101,Beta plc,Commercial,EMSS In House,TX3,2023-12-01,2023-12-31,50000.00",
    # exactly £20k: past due, but not over £20k
    "LCC BU,31/12/2023,C102,Gamma Ltd,Commercial,EMSS In House,TX4,2023-09-15,2023-10-15,20000.00",
    "LCC BU,31/12/2023,C200,Ann Smith,Individual,Thornton Hope,TX5,2023-05-01,2023-06-01,1500.00",
    # a class sources.toml does not map: Other
    "LCC BU,31/12/2023,C300,Helping Hands,Charity,Thornton Hope,TX6,2023-08-01,2023-09-01,700.00",
    # not due until January: the Education row's balance is 0
    "LCC BU,31/12/2023,C400,Oak School,School,EMSS In House,TX7,2023-12-31,2024-01-31,9000.00",
    "NCC BU,31/12/2023,C500,City NHS,NHS,EMSS In House,TX8,2023-11-01,2023-12-15,-300.00",
]
AGING_Q2 = [
    "LCC BU,30-Sep-2023,C100,Acme Ltd,Commercial,EMSS In House,TX9,2023-07-01,2023-08-01,40000.00",
    "LCC BU,30-Sep-2023,C200,Ann Smith,Individual,Thornton Hope,TX5,2023-05-01,2023-06-01,2000.00",
    "LCC BU,30-Sep-2023,C300,Helping Hands,Charity,Thornton Hope,TX6,2023-08-01,2023-09-01,700.00",
    "LCC BU,30-Sep-2023,C101,Beta plc,Commercial,EMSS In House,TX3,2023-12-01,2023-12-31,50000.00",
]


def exports() -> list[tuple[str, bytes]]:
    return [
        ("tickets.csv", export(TICKETS_HEADER, TICKETS)),
        ("aging_q3.csv", export(AGING_HEADER, AGING_Q3, "cp1252")),
        ("aging_q2.csv", export(AGING_HEADER, AGING_Q2)),
    ]


def figures(computation) -> dict[tuple[str, str], float]:
    return {(r.quarter, r.metric): r.value for r in computation.metrics.itertuples()}


def movement(computation) -> list[tuple]:
    return [
        (r.partner, r.collector, r.sector, r.movement_gbp, r.note)
        for r in computation.debt.itertuples()
    ]


def test_every_customer_figure_of_the_hand_built_tickets():
    result = computing.compute(exports(), CONFIG, quarter=Q3, today=TODAY)
    assert result.problems == []
    assert {m: v for (q, m), v in figures(result).items() if m.startswith("customer")} == {
        # resolved in Q3, not spam: T1 10, T2 10, T3 24, T6 2, T8 4 hours -> 50 / 5
        "customer_resolution_hours": 10.0,
        # answers on those: T1 Awesome, T2 Not satisfied, T3 Satisfied, T6 Very satisfied
        "customer_satisfaction": 75.0,
        "customer_satisfaction_esc": 50.0,  # T1 yes, T2 no
        "customer_satisfaction_fsc": 100.0,  # T3 (T4 resolved in January)
        "customer_satisfaction_bd": 100.0,  # T6 (T5 is spam)
        # created in Q3 from the Bot: T3, T7 (T5 is spam)
        "customer_chatbot_sessions": 2,
    }
    assert set(result.metrics["partner"]) == {"EMSS"}
    lineage = {f["name"]: f for f in result.lineage()["exports"]}
    assert lineage["tickets.csv"]["excluded"] == {"Spam ticket: not counted": 1}
    assert (lineage["tickets.csv"]["rows_read"], lineage["tickets.csv"]["rows_used"]) == (8, 7)


def test_a_ticket_resolved_at_midnight_after_the_quarter_counts_in_the_next():
    result = computing.compute(exports(), CONFIG, today=TODAY)
    got = figures(result)
    # T4 alone was resolved in Q4: 5 Nov 10:00 to 1 Jan 00:00 is 56 days and 14 hours
    assert got[(str(Quarter(2023, 4)), "customer_resolution_hours")] == 56 * 24 + 14
    assert got[(str(Q3), "customer_resolution_hours")] == 10.0


def test_the_debt_movement_of_the_hand_built_agings():
    result = computing.compute(exports(), CONFIG, quarter=Q3, today=TODAY)
    assert result.problems == []
    assert movement(result) == [
        # past due at 31 Dec: TX1 25,000 + TX2 30,000 + TX4 20,000 (TX3 due that day);
        # at 30 Sep: TX9 40,000. Over £20k: TX1 and TX2, one customer; TX9, past due and over
        # £20k at 30 Sep, is no longer outstanding at 31 Dec (TX3, over £20k at 30 Sep, was
        # not yet past due then).
        (
            "LCC",
            "In house",
            "Business",
            35_000.0,
            "1 customer (2 transactions > £20k) = £55k "
            "(1 transaction no longer outstanding = £40k)",
        ),
        ("LCC", "In house", "Education", 0.0, None),  # TX7 not due until January
        ("LCC", "Thornton Hope", "Individuals", -500.0, None),  # 1,500 - 2,000
        ("LCC", "Thornton Hope", "Other", 0.0, None),  # the charity's 700 at both dates
    ]
    assert result.warnings == [
        "aging_q2.csv: 1 transaction of customer classes not in sources.toml (Charity) "
        "counted under Other",
        "aging_q3.csv: 1 transaction of customer classes not in sources.toml (Charity) "
        "counted under Other",
        # NCC is in the Q3 aging only
        "No debt movement for NCC in 2023/24 Q3: it needs the past-due balance at "
        "30 Sep 2023 (upload the AR aging as of that day)",
    ]
    balances = {
        (str(r.as_of), r.partner, r.collector, r.sector): r.past_due_gbp
        for r in result.balances.itertuples()
    }
    assert balances == {
        ("2023-09-30", "LCC", "In house", "Business"): 40_000.0,
        ("2023-09-30", "LCC", "Thornton Hope", "Individuals"): 2_000.0,
        ("2023-09-30", "LCC", "Thornton Hope", "Other"): 700.0,
        ("2023-12-31", "LCC", "In house", "Business"): 75_000.0,
        ("2023-12-31", "LCC", "In house", "Education"): 0.0,
        ("2023-12-31", "LCC", "Thornton Hope", "Individuals"): 1_500.0,
        ("2023-12-31", "LCC", "Thornton Hope", "Other"): 700.0,
        ("2023-12-31", "NCC", "In house", "NHS"): -300.0,
    }
    lineage = {f["name"]: f for f in result.lineage()["exports"]}
    assert lineage["aging_q3.csv"]["excluded"] == {
        "not past due at the As Of Date: in no balance": 2  # TX3, TX7
    }
    assert result.lineage()["definitions"] == {"Customer": "customer-2024.1", "Debt": "debt-2024.1"}


def test_the_comment_is_written_as_the_report_writes_it():
    assert receivables.note_text(8, 9, 1_700_000) == "8 customers (9 transactions > £20k) = £1.7m"
    assert receivables.note_text(10, 16, 909_400) == "10 customers (16 transactions > £20k) = £909k"
    assert receivables.note_text(8, 9, 1_700_000, 3, 758_000) == (
        "8 customers (9 transactions > £20k) = £1.7m (3 transactions no longer outstanding = £758k)"
    )
    assert receivables.note_text(0, 0, 0.0, 1, 6_100_000) == (
        "1 transaction no longer outstanding = £6.1m"
    )


def test_the_comment_counts_the_transactions_over_20k_past_due_then_gone_since():
    def row(customer: str, sector_class: str, tx: str, due: str, amount: str) -> str:
        return (
            f"LCC BU,30-Sep-2023,{customer},{customer} Ltd,{sector_class},EMSS In House,{tx},"
            f"2023-07-01,{due},{amount}"
        )

    sep = [
        # over £20k and past due at 30 Sep, not in the 31 Dec aging: counted, at 30 Sep's amount
        row("C1", "Commercial", "TX1", "2023-08-01", "30000.00"),
        # over £20k and past due at 30 Sep, still listed (part paid) at 31 Dec: not counted
        row("C2", "Commercial", "TX2", "2023-08-01", "45000.00"),
        # gone, but exactly £20k: not counted
        row("C3", "Commercial", "TX3", "2023-08-01", "20000.00"),
        # gone, over £20k, but due on 30 Sep itself (not yet past due then): not counted
        row("C4", "Commercial", "TX4", "2023-09-30", "60000.00"),
        # gone from NHS, whose row has nothing left at 31 Dec: counted there
        row("C5", "NHS", "TX5", "2023-08-01", "21000.00"),
    ]
    dec = [
        "LCC BU,31/12/2023,C2,Beta plc,Commercial,EMSS In House,TX2,2023-07-01,2023-08-01,5000.00",
    ]
    files = [("sep.csv", export(AGING_HEADER, sep)), ("dec.csv", export(AGING_HEADER, dec))]
    result = computing.compute(files, CONFIG, quarter=Q3, today=TODAY)
    assert result.problems == []
    assert movement(result) == [
        # 5,000 at 31 Dec less 30,000 + 45,000 + 20,000 at 30 Sep
        ("LCC", "In house", "Business", -90_000.0, "1 transaction no longer outstanding = £30k"),
        ("LCC", "In house", "NHS", -21_000.0, "1 transaction no longer outstanding = £21k"),
    ]


def test_a_stored_balance_serves_as_the_previous_quarter_end(empty_store):
    q2 = computing.compute([exports()[2]], CONFIG, today=TODAY, store=empty_store)
    # alone, the 30 Sep aging is a balance: Q2's movement would need 30 Jun's
    assert q2.debt.empty and len(q2.balances) == 3
    assert q2.warnings[-1] == (
        "No debt movement for LCC in 2023/24 Q2: it needs the past-due balance at 30 Jun 2023 "
        "(upload the AR aging as of that day; none is stored)"
    )
    computing.commit(empty_store, q2, uploaded_by="debt")
    q3 = computing.compute([exports()[1]], CONFIG, today=TODAY, store=empty_store)
    # the stored balance keeps sums, not transactions: the comment counts 31 Dec's alone
    assert [(r[0], r[2], r[3]) for r in movement(q3)] == [
        ("LCC", "Business", 35_000.0),
        ("LCC", "Education", 0.0),
        ("LCC", "Individuals", -500.0),
        ("LCC", "Other", 0.0),
    ]
    assert movement(q3)[0][4] == "1 customer (2 transactions > £20k) = £55k"
    # without the store, the same aging has nothing to be measured from
    assert computing.compute([exports()[1]], CONFIG, today=TODAY).debt.empty


def test_an_aging_not_at_a_quarter_end_is_kept_as_a_balance_without_movement(empty_store):
    mid = export(AGING_HEADER, [r.replace("31/12/2023", "15/11/2023") for r in AGING_Q3])
    result = computing.compute([("mid.csv", mid)], CONFIG, today=TODAY)
    assert result.ok and result.debt.empty
    assert set(result.balances["as_of"].astype(str)) == {"2023-11-15"}
    assert (
        "The AR aging as of 15 Nov 2023 is not a quarter's last day: its past-due balances are "
        "kept, but a debt movement runs from one quarter end to the next, so it gives none"
    ) in result.warnings
    snapshot = computing.commit(empty_store, result, uploaded_by="debt")
    assert set(snapshot.files) == {"ar_balances"}


def test_every_problem_of_tickets_and_agings_at_once_and_nothing_stored(store):
    tickets = export(
        TICKETS_HEADER,
        [
            TICKETS[0].replace("2023-10-02 19:00:00", "2023-10-01 19:00:00"),  # before created
            TICKETS[1].replace(",ESC,", ",Payroll,"),  # a group sources.toml does not map
            TICKETS[2].replace("2023-11-01 08:00:00", "1st Nov"),
            TICKETS[0].replace("T1,", "T9,"),
            TICKETS[3].replace("T4,", "T9,"),  # a repeated ticket
        ],
    )
    aging = export(
        AGING_HEADER,
        [
            AGING_Q3[0],
            AGING_Q3[1].replace("31/12/2023", "30/11/2023"),  # a second As Of Date
            AGING_Q3[4].replace("TX5", "TX1"),  # a repeated transaction
        ],
    )
    result = computing.compute(
        [("tickets.csv", tickets), ("aging.csv", aging)], CONFIG, today=TODAY
    )
    assert [str(p) for p in result.problems] == [
        'tickets.csv line 4, Created time: "1st Nov" is not a date and time '
        "(expected 2023-12-19 14:05:00, 2023-12-19 14:05 or 19/12/2023 14:05)",
        'tickets.csv line 3, Group: "Payroll" is not named in sources.toml\'s teams '
        "(expected ESC, FSC, Business Development)",
        'tickets.csv line 2, Resolved time: "2023-10-01 19:00:00" is before the Created time '
        "2023-10-02 09:00:00 (expected on or after it)",
        'aging.csv line 3, As Of Date: "30/11/2023" differs from the As Of Date 31/12/2023 of '
        "the file's first row (expected one As Of Date in every row of an AR aging export)",
        'tickets.csv line 6, Ticket ID: "T9" repeats a row already given at tickets.csv line 5 '
        "(expected each once)",
        "aging.csv line 4, As Of Date, Business Unit, Transaction Number: "
        '"31/12/2023 / LCC BU / TX1" repeats a row already given at aging.csv line 2 '
        "(expected each once)",
    ]
    assert result.metrics.empty and result.debt.empty
    before = store.manifest_path.read_bytes()
    with pytest.raises(computing.ComputeError):
        computing.commit(store, result, uploaded_by="t")
    assert store.manifest_path.read_bytes() == before


def test_what_is_stored_names_no_person_no_account_and_no_subject(store):
    result = computing.compute(exports(), CONFIG, quarter=Q3, today=TODAY, store=store)
    snapshot = computing.commit(store, result, uploaded_by="customer")
    assert set(snapshot.files) == {"metrics", "debt", "ar_balances"}
    debt = pq.read_table(store.path(snapshot.files["debt"]))
    assert debt.column_names == [
        "snapshot_id",
        "quarter",
        "partner",
        "collector",
        "sector",
        "movement_gbp",
        "note",
    ]
    balances = pq.read_table(store.path(snapshot.files["ar_balances"]))
    assert balances.column_names == [
        "snapshot_id",
        "quarter",
        "as_of",
        "partner",
        "collector",
        "sector",
        "past_due_gbp",
    ]
    kept = {
        str(v)
        for name in snapshot.files.values()
        for col in pq.read_table(store.path(name)).columns
        for v in col.to_pylist()
    }
    for never in ("Ann Smith", "ann@x.org", "Payslip wrong", "Acme Ltd", "C100", "C200", "TX1"):
        assert not any(never in v for v in kept)
    entry = json.loads(store.manifest_path.read_text())["snapshots"][-1]
    assert [e["name"] for e in entry["lineage"]["exports"]] == [
        "tickets.csv",
        "aging_q3.csv",
        "aging_q2.csv",
    ]


def test_the_cli_computes_tickets_and_agings(empty_store, tmp_path, capsys):
    paths = []
    for name, data in exports():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    code = cli.main(["compute", *paths, "--quarter", "2023/24 Q3", "--ingest", "--by", "debt"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "customer_satisfaction" in out
    assert (
        "debt movement 2023/24 Q3: LCC, In house, Business: +£35,000 "
        "(1 customer (2 transactions > £20k) = £55k (1 transaction no longer outstanding = £40k))"
    ) in err
    assert "warning: No debt movement for NCC in 2023/24 Q3" in err
    (snapshot,) = Store(empty_store.root).snapshots()
    assert set(snapshot.files) == {"metrics", "debt", "ar_balances"}


def test_definitions_name_the_configured_positive_answers():
    words = stored.definitions(CONFIG)
    assert '"Awesome", "Very satisfied", "Satisfied"' in words["customer_satisfaction_esc"]
    assert "customer-2024.1" in words["customer_chatbot_sessions"]


SAMPLES = REPO_ROOT / "data" / "samples"


def test_the_samples_reproduce_the_reports_customer_figures_and_debt_table():
    paths = sorted(SAMPLES.glob("tickets_*.csv")) + sorted(SAMPLES.glob("ar_aging_*.csv"))
    result = computing.compute(paths, CONFIG, today=TODAY)
    assert result.ok, result.problems
    got = figures(result)
    satisfaction = {
        (q, m.removeprefix("customer_satisfaction")): v
        for (q, m), v in got.items()
        if m.startswith("customer_satisfaction")
    }
    assert satisfaction == {
        (str(Q2), ""): 72.0,
        (str(Q2), "_esc"): 68.0,
        (str(Q2), "_fsc"): 73.0,
        (str(Q2), "_bd"): 76.0,
        (str(Q3), ""): 83.0,
        (str(Q3), "_esc"): 82.0,
        (str(Q3), "_fsc"): 80.0,
        (str(Q3), "_bd"): 88.0,
    }
    assert {(r[0], r[1], r[2]): r[3] for r in movement(result)} == REPORT_DEBT
    assert set(result.debt["quarter"]) == {str(Q3)}
    totals = result.debt.groupby("partner")["movement_gbp"].sum().to_dict()
    assert totals == {"LCC": 1_498_159, "NCC": -5_671_250}
    notes = {(r[0], r[2]): r[4] for r in movement(result) if r[1] == "In house"}
    assert {key: note for key, note in notes.items() if note} == {  # the report's, counted
        ("LCC", "Business"): "8 customers (9 transactions > £20k) = £1.7m "
        "(3 transactions no longer outstanding = £758k)",
        ("LCC", "NHS"): "10 customers (16 transactions > £20k) = £909k "
        "(12 transactions no longer outstanding = £708k)",
        ("NCC", "Business"): "1 transaction no longer outstanding = £6.1m",
    }


def test_each_family_computes_only_the_quarters_its_own_exports_reach():
    """The ticket export runs through 2023/24 Q2 and Q3, the Payables samples only Q3: with all
    samples together no FSC figure is made for Q2 (it would replace the report's)."""
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLES.glob("*.csv"))]
    result = computing.compute(files, CONFIG, today=dt.date(2024, 3, 18))
    by_quarter = result.metrics.groupby("quarter")["metric"].apply(set).to_dict()
    assert not any(m.startswith("fsc_") for m in by_quarter["2023/24 Q2"])
    assert len(by_quarter["2023/24 Q2"]) == 6 and len(result.metrics) == 27
