"""Write the sample exports for 2023/24 Q3: ``python data/samples/build_samples.py``.

Generated, not real: Oracle Payables exports (invoices, payments, holds, supplier requests)
whose computed figures equal the FSC figures of the 2023/24 Q3 Joint Committee report as it
rounds them (§8.1-8.8). The same seed gives the same bytes. Nothing loads them into a store
unless someone uploads them.
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


if __name__ == "__main__":
    build()
