"""The Finance Service Centre's eight figures from the Oracle Payables exports: every
definition, in SQL and in words, in this one place.

Each figure's SQL reads the views the reading made (``ap_invoices``, ``ap_payments``,
``ap_holds``, ``supplier_requests``) and the tables the computation adds: ``quarters``
(quarter, idx, first_day, last_day: the quarters to compute), ``trade_types`` (type, lower
case) and ``calendar`` (day, n: the working days up to and including that day). It returns
one row per quarter and partner: quarter, partner, value.

``VERSION`` names this set of definitions; every computed snapshot records it. Change it
whenever a definition changes, so a figure can always be traced to the rule that made it.
"""

from __future__ import annotations

from dataclasses import dataclass

VERSION = "fsc-2024.1"
AREA = "FSC"
KINDS = ("ap_invoices", "ap_payments", "ap_holds", "supplier_requests")
NOT_PAID_STATUSES = ("Voided", "Spoiled", "Stopped")
HOLD_DAYS = 90
TERMS_DAYS = 30
SETUP_WORKING_DAYS = 5


@dataclass(frozen=True)
class Figure:
    metric: str
    needs: tuple[str, ...]  # the kinds of export it is computed from
    words: str  # the definition as the Definitions page says it
    sql: str
    decimals: int  # what the stored figure is rounded to


# Rows dated outside the quarters asked are left out before grouping (a quarter's figures
# never look at them; this only saves time).
ASKED = "BETWEEN (SELECT min(first_day) FROM quarters) AND (SELECT max(last_day) FROM quarters)"

# The relations several figures share (``qidx``, a date's quarter as Quarter.index, is the
# computation's).
SETUP = f"""
CREATE OR REPLACE TEMP VIEW paid_standard AS
SELECT qidx(paid_date) AS idx, partner,
       paid_date - coalesce(received_date, invoice_date) AS days,
       lower(supplier_type) IN (SELECT type FROM trade_types) AS trade
FROM ap_invoices
WHERE paid_date {ASKED} AND cancelled_date IS NULL AND invoice_type = 'Standard';

CREATE OR REPLACE TEMP VIEW held_90d AS
SELECT q.quarter, i.partner, i.invoice_id, any_value(i.invoice_number) AS invoice_number,
       any_value(i.supplier_name) AS supplier, any_value(i.amount) AS amount_gbp,
       arg_min(h.hold_name, h.hold_date) AS hold_name, min(h.hold_date) AS hold_date,
       any_value(q.last_day) - min(h.hold_date) AS days_on_hold
FROM quarters q
JOIN ap_holds h
  ON h.hold_date <= q.last_day - {HOLD_DAYS}
 AND (h.release_date IS NULL OR h.release_date > q.last_day)
JOIN ap_invoices i ON i.invoice_id = h.invoice_id
WHERE (i.cancelled_date IS NULL OR i.cancelled_date > q.last_day)
  AND (i.paid_date IS NULL OR i.paid_date > q.last_day)
GROUP BY q.quarter, i.partner, i.invoice_id;
"""

_NOT_PAID = ", ".join(f"'{s}'" for s in NOT_PAID_STATUSES)


def _counted(relation: str, value: str, where: str, date: str, kind: str) -> str:
    """A count or sum per quarter and partner; 0 for a quarter and partner without rows."""
    return f"""
    WITH v AS (SELECT qidx({date}) AS idx, partner, {value} AS value
               FROM {relation} WHERE {where} AND {date} {ASKED} GROUP BY ALL)
    SELECT q.quarter, p.partner, coalesce(v.value, 0) AS value
    FROM quarters q CROSS JOIN (SELECT DISTINCT partner FROM {kind}) p
    LEFT JOIN v ON v.idx = q.idx AND v.partner = p.partner"""


def _share(condition: str, where: str = "true") -> str:
    return f"""
    SELECT q.quarter, p.partner, 100 * avg(CASE WHEN {condition} THEN 1 ELSE 0 END) AS value
    FROM paid_standard p JOIN quarters q ON q.idx = p.idx WHERE {where} GROUP BY ALL"""


FIGURES: tuple[Figure, ...] = (
    Figure(
        "fsc_invoices_processed",
        ("ap_invoices",),
        "Invoices whose Creation Date falls in the quarter, cancelled ones left out.",
        _counted(
            "ap_invoices", "count(*)", "cancelled_date IS NULL", "creation_date", "ap_invoices"
        ),
        0,
    ),
    Figure(
        "fsc_payments",
        ("ap_payments",),
        f"Payments whose Payment Date falls in the quarter, except those with the status "
        f"{', '.join(NOT_PAID_STATUSES)}.",
        _counted(
            "ap_payments", "count(*)", f"status NOT IN ({_NOT_PAID})", "payment_date", "ap_payments"
        ),
        0,
    ),
    Figure(
        "fsc_payments_value",
        ("ap_payments",),
        "The sum of the amounts of the payments counted in Supplier payments made.",
        _counted(
            "ap_payments",
            "sum(amount)",
            f"status NOT IN ({_NOT_PAID})",
            "payment_date",
            "ap_payments",
        ),
        2,
    ),
    Figure(
        "fsc_days_to_pay",
        ("ap_invoices",),
        "The mean number of calendar days from an invoice's Invoice Received Date (its Invoice "
        "Date when that is blank) to its Paid Date, over Standard invoices paid in the quarter "
        "and not cancelled. Credit memos, debit memos and prepayments are left out.",
        """SELECT q.quarter, p.partner, avg(p.days) AS value
        FROM paid_standard p JOIN quarters q ON q.idx = p.idx GROUP BY ALL""",
        1,
    ),
    Figure(
        "fsc_invoices_paid_30d",
        ("ap_invoices",),
        f"The percentage of the invoices in Average days to pay that were paid within "
        f"{TERMS_DAYS} days of receipt (day {TERMS_DAYS} counts as within, day "
        f"{TERMS_DAYS + 1} does not).",
        _share(f"p.days <= {TERMS_DAYS}"),
        1,
    ),
    Figure(
        "fsc_trade_paid_30d",
        ("ap_invoices",),
        "The same percentage over the invoices whose Supplier Type is a trade type "
        "({trade_types} in sources.toml).",
        _share(f"p.days <= {TERMS_DAYS}", "p.trade"),
        1,
    ),
    Figure(
        "fsc_invoices_on_hold_90d",
        ("ap_invoices", "ap_holds"),
        f"Invoices that, on the quarter's last day, were neither cancelled nor paid and had a "
        f"hold placed at least {HOLD_DAYS} days before that day (a hold placed exactly "
        f"{HOLD_DAYS} days before counts) and not released by it (a release on the last day "
        "ends the hold). An invoice with several such holds counts once.",
        """WITH v AS (SELECT quarter, partner, count(*) AS value FROM held_90d GROUP BY ALL)
        SELECT q.quarter, p.partner, coalesce(v.value, 0) AS value
        FROM quarters q CROSS JOIN (SELECT DISTINCT partner FROM ap_invoices) p
        LEFT JOIN v ON v.quarter = q.quarter AND v.partner = p.partner""",
        0,
    ),
    Figure(
        "fsc_suppliers_setup_5d",
        ("supplier_requests",),
        f"The percentage of new-supplier requests approved in the quarter that were approved "
        f"within {SETUP_WORKING_DAYS} working days of the day they were requested, counting "
        "the days after the request up to and including the approval, without weekends and "
        "England and Wales bank holidays (from the holidays library). EMSS as a whole.",
        f"""SELECT q.quarter, 'EMSS' AS partner,
               100 * avg(CASE WHEN ca.n - cr.n <= {SETUP_WORKING_DAYS} THEN 1 ELSE 0 END) AS value
        FROM supplier_requests r
        JOIN quarters q ON q.idx = qidx(r.approved_date)
        JOIN calendar cr ON cr.day = r.requested_date
        JOIN calendar ca ON ca.day = r.approved_date
        GROUP BY ALL""",
        1,
    ),
)

# Rows the definitions leave out on purpose, per kind: file, reason, and whether the row is
# left out of every figure (else of some only). Counted and shown, never an error.
EXCLUSIONS: dict[str, str] = {
    "ap_invoices": """
        SELECT file,
               CASE WHEN cancelled_date IS NOT NULL THEN 'cancelled'
                    WHEN invoice_type <> 'Standard'
                    THEN invoice_type || ': left out of days to pay and the 30-day shares' END
                 AS reason,
               cancelled_date IS NOT NULL AS whole
        FROM ap_invoices""",
    "ap_payments": f"""
        SELECT file, status || ' payment: not counted' AS reason, true AS whole
        FROM ap_payments WHERE status IN ({_NOT_PAID})""",
    "supplier_requests": """
        SELECT file, 'not approved: not counted' AS reason, true AS whole
        FROM supplier_requests WHERE approved_date IS NULL""",
}

# The columns of the invoices on hold kept per quarter (and nothing else from the exports).
ON_HOLD_SQL = """
SELECT quarter, partner, invoice_id, invoice_number, supplier, amount_gbp::DOUBLE AS amount_gbp,
       hold_name, hold_date, days_on_hold::INTEGER AS days_on_hold
FROM held_90d ORDER BY quarter, partner, days_on_hold DESC, invoice_id"""

# The dates that say which quarters the exports cover, per kind: when things were paid and
# approved (an invoices export also lists older invoices still unpaid or on hold).
COVERAGE: dict[str, tuple[str, ...]] = {
    "ap_invoices": ("paid_date",),
    "ap_payments": ("payment_date",),
    "supplier_requests": ("approved_date",),
}
