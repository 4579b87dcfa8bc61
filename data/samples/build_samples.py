"""Write the sample exports for 2023/24 Q3: ``python data/samples/build_samples.py``.

Generated, not real: Oracle Payables exports (invoices, payments, holds, supplier requests)
whose computed figures equal the FSC figures of the 2023/24 Q3 Joint Committee report as it
rounds them (§8.1-8.8); a service desk ticket export for 2023/24 Q2 and Q3 whose customer
satisfaction figures are the report's (§6.1); and Oracle Receivables agings as of 30 Sep
and 31 Dec 2023 whose debt movement is the report's table to the pound (§8.7), with the
comments on LCC's Business and NHS rows countable from them (the transactions over £20k past
due at 31 Dec, and those of 30 Sep no longer outstanding). Names of people and customers
are made up ("Requester 0042", "Customer 0042"). The same seed gives the same bytes.
Nothing loads them into a store unless someone uploads them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
Q_FIRST, Q_LAST = dt.date(2023, 10, 1), dt.date(2023, 12, 31)
HOLD_LIMIT = Q_LAST - dt.timedelta(days=90)  # 2 Oct 2023: a hold placed by then counts

# Per council: Standard invoices paid in the quarter (trade of them), how many were paid
# after 30 days (trade of them), the mean days to pay, and the quarter's other invoices.
COUNCILS = {
    "LCC": dict(
        unit="LCC BU",
        paid=5000,
        trade=3000,
        late=215,
        trade_late=54,
        mean_days=9,
        unpaid=400,
        memos=200,
        cancelled=15,
        on_hold=841,
        payments=13000,
        date="%d-%b-%Y",
    ),
    "NCC": dict(
        unit="NCC BU",
        paid=4000,
        trade=2500,
        late=188,
        trade_late=60,
        mean_days=10,
        unpaid=350,
        memos=155,
        cancelled=9,
        on_hold=568,
        payments=10486,
        date="%d/%m/%Y",
    ),
}
PAYMENTS_TOTAL_PENCE = 124_000_000_00
SUPPLIER_REQUESTS = 200  # approved in the quarter; 90% within 5 working days
INVOICE_HEADER = [
    "Business Unit",
    "Invoice ID",
    "Invoice Number",
    "Supplier Name",
    "Supplier Number",
    "Supplier Type",
    "Invoice Type",
    "Invoice Date",
    "Invoice Received Date",
    "Creation Date",
    "Invoice Amount",
    "Cancelled Date",
    "Paid Date",
]


def _spread(total: int, n: int, low: int, high: int, rng: random.Random) -> list[int]:
    """n whole numbers in [low, high] summing to total, varied but deterministic."""
    values = [total // n + (i < total % n) for i in range(n)]
    for i in range(0, n - 1, 2):
        step = rng.randint(0, min(values[i] - low, high - values[i + 1], 6))
        values[i] -= step
        values[i + 1] += step
    rng.shuffle(values)
    return values


def _money(pence: int, pound: bool) -> str:
    text = f"{pence / 100:,.2f}" if pound else f"{pence / 100:.2f}"
    return ("£" + text) if pound else text


def _write(name: str, header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    (HERE / name).write_bytes(out.getvalue().encode(encoding))


def build() -> None:
    rng = random.Random(20231231)
    invoices, holds, payments = [], [], []
    next_id = 300001

    def invoice(
        c, kind, supplier_type, received, created, paid=None, cancelled=None, blank_rx=False
    ):
        nonlocal next_id
        fmt = c["date"]
        invoice_id = str(next_id)
        next_id += 1
        supplier = rng.randint(1, 900)
        invoices.append(
            [
                c["unit"],
                invoice_id,
                f"INV-{rng.randint(10000, 99999)}-{invoice_id[-3:]}",
                f"Supplier {supplier:03d} Ltd",
                f"S{supplier:05d}",
                supplier_type,
                kind,
                (received - dt.timedelta(days=rng.randint(0, 3))).strftime(fmt),
                "" if blank_rx else received.strftime(fmt),
                created.strftime(fmt),
                _money(
                    rng.randint(-90000, -500)
                    if kind == "Credit Memo"
                    else rng.randint(500, 2_500_000),
                    rng.random() < 0.5,
                ),
                cancelled.strftime(fmt) if cancelled else "",
                paid.strftime(fmt) if paid else "",
            ]
        )
        return invoice_id

    for c in COUNCILS.values():
        late_days = [rng.randint(31, 60) for _ in range(c["late"])]
        on_time_total = c["mean_days"] * c["paid"] - sum(late_days)
        on_time = _spread(on_time_total, c["paid"] - c["late"], 0, 30, rng)
        days = late_days + on_time
        # Which are trade: trade_late of the late ones and the rest of the trade from on time.
        trade = [i < c["trade_late"] for i in range(c["late"])] + [
            i < c["trade"] - c["trade_late"] for i in range(len(on_time))
        ]
        for d, is_trade in zip(days, trade, strict=True):
            received = Q_FIRST + dt.timedelta(days=rng.randint(0, (Q_LAST - Q_FIRST).days - d))
            created = received + dt.timedelta(days=min(d, rng.randint(0, 2)))
            invoice(
                c,
                "Standard",
                "Trade" if is_trade else rng.choice(["Individual", "Charity"]),
                received,
                created,
                paid=received + dt.timedelta(days=d),
                blank_rx=rng.random() < 0.02,
            )
        for _ in range(c["unpaid"]):
            created = Q_LAST - dt.timedelta(days=rng.randint(0, 20))
            invoice(c, "Standard", "Trade", created, created)
        for _ in range(c["memos"]):
            created = Q_FIRST + dt.timedelta(days=rng.randint(0, 50))
            invoice(
                c, "Credit Memo", "Trade", created, created, paid=created + dt.timedelta(days=40)
            )
        for _ in range(c["cancelled"]):
            created = Q_FIRST + dt.timedelta(days=rng.randint(0, 80))
            invoice(
                c, "Standard", "Trade", created, created, cancelled=created + dt.timedelta(days=3)
            )
        # Invoices on hold at the quarter's end: those counted, then near misses that are not.
        for n in range(c["on_hold"] + 60):
            placed = HOLD_LIMIT - dt.timedelta(days=0 if n == 0 else rng.randint(0, 700))
            before_quarter = Q_FIRST - dt.timedelta(days=1 + rng.randint(0, 20))
            created = min(placed - dt.timedelta(days=rng.randint(0, 20)), before_quarter)
            released = None
            if n >= c["on_hold"]:  # released by the end, or placed too late to count
                if n % 2:
                    released = Q_LAST - dt.timedelta(days=rng.randint(0, 30))
                else:
                    placed = HOLD_LIMIT + dt.timedelta(days=rng.randint(1, 60))
            invoice_id = invoice(
                c, "Standard", rng.choice(["Trade", "Individual"]), created, created
            )
            for hold_placed in [placed, placed + dt.timedelta(days=30)] if n % 7 == 0 else [placed]:
                holds.append(
                    [
                        c["unit"],
                        invoice_id,
                        rng.choice(
                            ["Amount Variance", "Awaiting Approval", "Dispute", "No Receipt"]
                        ),
                        "Raised by the FSC",
                        hold_placed.strftime(c["date"]),
                        released.strftime(c["date"]) if released else "",
                    ]
                )
    counts = [c["payments"] for c in COUNCILS.values()]
    drawn = [rng.randint(100_00, 12_000_00) for _ in range(sum(counts))]
    amounts = [a * PAYMENTS_TOTAL_PENCE // sum(drawn) for a in drawn]
    amounts[-1] += PAYMENTS_TOTAL_PENCE - sum(amounts)
    number = 70000001
    for (partner, c), count in zip(COUNCILS.items(), counts, strict=True):
        mine, amounts = amounts[:count], amounts[count:]
        for pence in mine:
            day = Q_FIRST + dt.timedelta(days=rng.randint(0, 91))
            payments.append(
                [
                    c["unit"],
                    str(number),
                    day.strftime(c["date"]),
                    _money(pence, partner == "LCC"),
                    rng.choice(["Cleared", "Reconciled"]),
                ]
            )
            number += 1
        for status in ["Voided"] * 25 + ["Spoiled"] * 5 + ["Stopped"] * 3:
            day = Q_FIRST + dt.timedelta(days=rng.randint(0, 91))
            payments.append(
                [
                    c["unit"],
                    str(number),
                    day.strftime(c["date"]),
                    _money(rng.randint(100_00, 9_000_00), True),
                    status,
                ]
            )
            number += 1
    requests, day = [], Q_FIRST
    bank_holidays = {dt.date(2023, 12, 25), dt.date(2023, 12, 26)}
    for n in range(SUPPLIER_REQUESTS + 12):
        requested = Q_FIRST + dt.timedelta(days=rng.randint(0, 70))
        within = n % 10 != 0  # 180 of 200 within
        target = rng.randint(1, 5) if within else rng.randint(6, 12)
        approved, counted = requested, 0
        while counted < target:
            approved += dt.timedelta(days=1)
            counted += approved.weekday() < 5 and approved not in bank_holidays
        pending = n >= SUPPLIER_REQUESTS
        requests.append(
            [
                f"SR-{23000 + n}",
                requested.isoformat(),
                "" if pending else approved.isoformat(),
                "Pending" if pending else "Approved",
            ]
        )
    _write("ap_invoices_2023-24_q3.csv", INVOICE_HEADER, invoices)
    _write(
        "ap_payments_2023-24_q3.csv",
        ["Business Unit", "Payment Number", "Payment Date", "Payment Amount", "Payment Status"],
        payments,
        encoding="cp1252",
    )
    _write(
        "ap_holds_2023-24_q3.csv",
        ["Business Unit", "Invoice ID", "Hold Name", "Hold Reason", "Hold Date", "Release Date"],
        holds,
    )
    _write(
        "supplier_requests_2023-24_q3.csv",
        ["Request Number", "Requested Date", "Approved Date", "Status"],
        requests,
    )

    build_tickets(random.Random(20231001))
    build_agings(random.Random(20230930))


# Survey answers per quarter and team: (answers counted as satisfied, all answers), so that
# the shares are the report's: Q2 ESC 68%, FSC 73%, BD 76%, all 504/700 = 72%; Q3 ESC 82%,
# FSC 80%, BD 88%, all 332/400 = 83%.
SURVEYS = {
    (dt.date(2023, 7, 1), dt.date(2023, 9, 30)): {
        "ESC": (136, 200),
        "FSC": (292, 400),
        "Business Development": (76, 100),
    },
    (Q_FIRST, Q_LAST): {"ESC": (164, 200), "FSC": (80, 100), "Business Development": (88, 100)},
}
POSITIVE = ["Awesome", "Very satisfied", "Satisfied"]
NEGATIVE = ["Neutral", "Not satisfied", "Very unsatisfied"]
TICKETS_HEADER = [
    "Ticket ID",
    "Subject",
    "Group",
    "Type",
    "Source",
    "Status",
    "Priority",
    "Requester Name",
    "Requester Email",
    "Created time",
    "Resolved time",
    "Survey results",
]


def build_tickets(rng: random.Random) -> None:
    """Tickets created and resolved in 2023/24 Q2 and Q3: those with survey answers, a
    quarter as many again without one, spam, and a few still open at the end."""
    rows = []

    def ticket(group, created, resolved, answer="", status="Resolved", source=None):
        n = len(rows) + 1
        rows.append(
            [
                str(410000 + n),
                rng.choice(["Payslip query", "Invoice query", "Access request", "Pension"]),
                group,
                rng.choice(["Question", "Incident", "Service Request"]),
                source or rng.choice(["Email", "Portal", "Phone", "Chat", "Bot", "Bot"]),
                status,
                rng.choice(["Low", "Medium", "High"]),
                f"Requester {n:04d}",
                f"requester{n:04d}@example.org",
                created.strftime("%Y-%m-%d %H:%M:%S"),
                resolved.strftime("%Y-%m-%d %H:%M:%S") if resolved else "",
                answer,
            ]
        )

    for (first, last), teams in SURVEYS.items():
        start = dt.datetime.combine(first, dt.time())
        seconds = int((dt.datetime.combine(last, dt.time()) - start).total_seconds()) + 86399
        for group, (positive, answers) in teams.items():
            given = [rng.choice(POSITIVE) for _ in range(positive)]
            given += [rng.choice(NEGATIVE) for _ in range(answers - positive)]
            for answer in given + [""] * (answers // 4):
                hours = rng.randint(1, 240)
                created = start + dt.timedelta(seconds=rng.randint(0, seconds - hours * 3600))
                ticket(group, created, created + dt.timedelta(hours=hours), answer, "Closed")
        for _ in range(12):  # spam: in no figure, whatever its answer
            created = start + dt.timedelta(seconds=rng.randint(0, seconds - 7200))
            ticket(
                "Business Development",
                created,
                created + dt.timedelta(hours=1),
                "Awesome",
                "Spam",
                source="Bot",
            )
    for _ in range(20):  # still open at the quarter's end
        created = dt.datetime(2023, 12, rng.randint(18, 31), rng.randint(8, 17))
        ticket(rng.choice(list(SURVEYS[(Q_FIRST, Q_LAST)])), created, None, status="Open")
    rows.sort(key=lambda r: r[9])
    _write("tickets_2023-24_q2-q3.csv", TICKETS_HEADER, rows)


# The report's debt table (§8.7): each row's movement and the past-due balance at 31 Dec
# 2023 chosen for it (the balance at 30 Sep is the difference), in pounds.
DEBT_ROWS = [
    ("LCC", "EMSS In House", "Business", 564_204, 2_400_000),
    ("LCC", "EMSS In House", "Education", 188_255, 400_000),
    ("LCC", "EMSS In House", "NHS", 4_424, 1_009_000),
    ("LCC", "EMSS In House", "Public Sector", 722_069, 900_000),
    ("LCC", "Thornton Hope", "Individuals", 19_207, 60_000),
    ("LCC", "Thornton Hope", "Other", 0, 3_250),
    ("NCC", "EMSS In House", "Business", -5_329_828, 800_000),
    ("NCC", "EMSS In House", "Education", -251_122, 150_000),
    ("NCC", "EMSS In House", "NHS", 39_995, 120_000),
    ("NCC", "EMSS In House", "Public Sector", -183_523, 100_000),
    ("NCC", "Thornton Hope", "Individuals", 16_499, 50_000),
    ("NCC", "Thornton Hope", "Other", 36_729, 60_000),
]
# The transactions over £20k past due at 31 Dec that the report's comments count:
# (customers, transactions, their sum in pounds); every other past-due one is £20k or less.
OVER_20K = {("LCC", "Business"): (8, 9, 1_700_000), ("LCC", "NHS"): (10, 16, 909_000)}
# ... and at 30 Sep, those no longer outstanding at 31 Dec (and NCC's £6.1m invoice).
GONE_BY_DEC = {
    ("LCC", "Business"): (3, 758_000),
    ("LCC", "NHS"): (12, 708_000),
    ("NCC", "Business"): (1, 6_100_000),
}
CLASSES = {
    "Business": ["Commercial"],
    "Education": ["School"],
    "NHS": ["NHS"],
    "Public Sector": ["Public Body"],
    "Individuals": ["Individual"],
    "Other": ["Charity", "Parish Council"],  # not in sources.toml: counted under Other
}
SMALL_MAX = 20_000_00  # pence: a transaction the comments do not count
AGING_HEADER = [
    "Business Unit",
    "As Of Date",
    "Customer Account Number",
    "Customer Name",
    "Customer Class",
    "Collector",
    "Transaction Number",
    "Transaction Date",
    "Due Date",
    "Amount Due Remaining",
]


def _parts(total: int, n: int, low: int, high: int, rng: random.Random) -> list[int]:
    """n whole numbers in [low, high] summing to total, drawn at random (deterministic)."""
    mean = total // n
    low_draw, high_draw = max(low, mean // 2), min(high, mean * 3 // 2)
    while True:
        drawn = [rng.randint(low_draw, high_draw) for _ in range(n)]
        parts = [d * total // sum(drawn) for d in drawn]
        parts[-1] += total - sum(parts)
        if all(low <= p <= high for p in parts):
            return parts


def build_agings(rng: random.Random) -> None:
    """The agings as of 30 Sep and 31 Dec 2023: per row of DEBT_ROWS, past-due transactions
    making its balance at each date, and some not yet due (one due on the day itself)."""
    units = {partner: c["unit"] for partner, c in COUNCILS.items()}
    for as_of, fmt in ((dt.date(2023, 9, 30), "%d-%b-%Y"), (dt.date(2023, 12, 31), "%d/%m/%Y")):
        rows = []
        for partner, collector, sector, movement, december in DEBT_ROWS:
            balance = december if as_of.month == 12 else december - movement
            big = []  # (customer, pence)
            if as_of.month == 12 and (partner, sector) in OVER_20K:
                customers, count, pounds = OVER_20K[(partner, sector)]
                owners = list(range(customers)) + [rng.randrange(customers)] * (count - customers)
                big = list(
                    zip(
                        owners, _parts(pounds * 100, count, 25_000_00, 500_000_00, rng), strict=True
                    )
                )
            elif as_of.month == 9 and (partner, sector) in GONE_BY_DEC:
                count, pounds = GONE_BY_DEC[(partner, sector)]
                low = min(pounds * 100 // count, 25_000_00)
                big = [
                    (900 + i, p)
                    for i, p in enumerate(_parts(pounds * 100, count, low, 10**10, rng))
                ]
            rest = balance * 100 - sum(p for _, p in big)
            n = max(1, -(-rest // (SMALL_MAX * 3 // 4)))
            small = [(rng.randrange(40), p) for p in _parts(rest, n, 1_00, SMALL_MAX, rng)]
            due_by = as_of - dt.timedelta(days=1)
            for customer, pence in big + small:
                due = due_by - dt.timedelta(days=rng.randint(0, 200))
                rows.append((partner, collector, sector, customer, due, pence))
            for i in range(3):  # not yet due: the first on the As Of Date itself
                due = as_of + dt.timedelta(days=0 if i == 0 else rng.randint(1, 60))
                pence = rng.randint(1_00, 90_000_00)
                rows.append((partner, collector, sector, rng.randrange(40), due, pence))
        out = []
        # Numbers no other aging uses: every transaction is outstanding at one date only, so
        # those over £20k at 30 Sep are the ones "no longer outstanding" at 31 Dec.
        first = 0 if as_of.month == 9 else 100_000
        for n, (partner, collector, sector, customer, due, pence) in enumerate(rows, 1):
            prefix = {"Individuals": "Individual", "Other": "Organisation"}.get(sector, "Customer")
            account = f"{partner[0]}{sector[:2].upper()}{customer:04d}"
            out.append(
                [
                    units[partner],
                    as_of.strftime(fmt),
                    account,
                    f"{prefix} {account}",
                    CLASSES[sector][customer % len(CLASSES[sector])],
                    collector,
                    f"{855000000 + first + n}",
                    (due - dt.timedelta(days=30)).isoformat(),
                    due.isoformat(),
                    _money(pence, n % 2 == 0),
                ]
            )
        _write(f"ar_aging_{as_of.isoformat()}.csv", AGING_HEADER, out)


if __name__ == "__main__":
    build()
