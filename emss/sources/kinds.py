"""The kinds of export, as data: each one's columns as its system labels them.

An export's kind is known from its header: the kind whose every column the header holds
(letter case and order free, extra columns ignored). A kind lists the columns the
definitions or checks use, and those its system always writes that nothing uses
(``read=False``: the header must hold them, their cells are never read); anything else in
a file is never read.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT, DATE, TIME, AMOUNT = "text", "date", "time", "amount"


@dataclass(frozen=True)
class Column:
    label: str  # as the system writes it in the header
    name: str  # the SQL column it is read into
    type: str = TEXT  # text | date | time (a date and time of day) | amount
    required: bool = True  # a blank cell is a problem
    choices: tuple[str, ...] = ()  # the values allowed (any letter case), when listed
    read: bool = True  # False: in every export's header, but no definition or check uses it


@dataclass(frozen=True)
class ExportKind:
    name: str  # the SQL table of every file of this kind
    label: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # columns that identify a row: a repeat is a problem
    # (earlier, later): a `later` date before its `earlier` one is a problem.
    order: tuple[tuple[str, str], ...] = ()
    business_unit: str | None = None  # the column mapped to a partner by sources.toml
    # (column, mapping): a value sources.toml's mapping does not name is a problem; the
    # mapped value is read into ``<column>_mapped``.
    mapped: tuple[tuple[str, str], ...] = ()
    single: tuple[str, ...] = ()  # columns holding one value in every row of a file

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def read_columns(self) -> tuple[Column, ...]:
        """The columns whose cells are read."""
        return tuple(c for c in self.columns if c.read)


BUSINESS_UNIT = Column("Business Unit", "business_unit")

AP_INVOICES = ExportKind(
    "ap_invoices",
    "AP invoices",
    (
        BUSINESS_UNIT,
        Column("Invoice ID", "invoice_id"),
        Column("Invoice Number", "invoice_number"),
        Column("Supplier Name", "supplier_name"),
        Column("Supplier Number", "supplier_number", required=False, read=False),
        Column("Supplier Type", "supplier_type", required=False),
        Column(
            "Invoice Type",
            "invoice_type",
            choices=("Standard", "Credit Memo", "Debit Memo", "Prepayment"),
        ),
        Column("Invoice Date", "invoice_date", DATE),
        Column("Invoice Received Date", "received_date", DATE, required=False),
        Column("Creation Date", "creation_date", DATE),
        Column("Invoice Amount", "amount", AMOUNT),
        Column("Cancelled Date", "cancelled_date", DATE, required=False),
        Column("Paid Date", "paid_date", DATE, required=False),
    ),
    key=("invoice_id",),
    order=(("received_date", "paid_date"), ("invoice_date", "paid_date")),
    business_unit="business_unit",
)

AP_PAYMENTS = ExportKind(
    "ap_payments",
    "AP payments",
    (
        BUSINESS_UNIT,
        Column("Payment Number", "payment_number"),
        Column("Payment Date", "payment_date", DATE),
        Column("Payment Amount", "amount", AMOUNT),
        Column(
            "Payment Status",
            "status",
            choices=("Negotiable", "Cleared", "Reconciled", "Voided", "Spoiled", "Stopped"),
        ),
    ),
    key=("business_unit", "payment_number"),
    business_unit="business_unit",
)

AP_HOLDS = ExportKind(
    "ap_holds",
    "AP holds",
    (
        BUSINESS_UNIT,
        Column("Invoice ID", "invoice_id"),
        Column("Hold Name", "hold_name"),
        Column("Hold Reason", "hold_reason", required=False, read=False),
        Column("Hold Date", "hold_date", DATE),
        Column("Release Date", "release_date", DATE, required=False),
    ),
    key=(),  # an invoice may carry the same hold twice (placed, released, placed again)
    order=(("hold_date", "release_date"),),
    business_unit="business_unit",
)

SUPPLIER_REQUESTS = ExportKind(
    "supplier_requests",
    "Supplier requests",
    (
        Column("Request Number", "request_number"),
        Column("Requested Date", "requested_date", DATE),
        Column("Approved Date", "approved_date", DATE, required=False),
        Column("Status", "status", required=False),
    ),
    key=("request_number",),
    order=(("requested_date", "approved_date"),),
)

# Freshdesk's ticket export. Requester, contact and subject columns are not listed, so never read.
TICKETS = ExportKind(
    "tickets",
    "Service desk tickets",
    (
        Column("Ticket ID", "ticket_id"),
        Column("Group", "ticket_group"),
        Column("Source", "source"),
        Column("Status", "status"),
        Column("Created time", "created_time", TIME),
        Column("Resolved time", "resolved_time", TIME, required=False),
        Column("Survey results", "survey", required=False),
    ),
    key=("ticket_id",),
    order=(("created_time", "resolved_time"),),
    mapped=(("ticket_group", "teams"),),
)

# Oracle Receivables aging: the open transactions at one date.
AR_AGING = ExportKind(
    "ar_aging",
    "AR aging",
    (
        BUSINESS_UNIT,
        Column("As Of Date", "as_of", DATE),
        Column("Customer Account Number", "customer"),
        Column("Customer Class", "customer_class", required=False),
        Column("Collector", "collector"),
        Column("Transaction Number", "transaction_number"),
        Column("Due Date", "due_date", DATE),
        Column("Amount Due Remaining", "amount", AMOUNT),
    ),
    key=("as_of", "business_unit", "transaction_number"),
    business_unit="business_unit",
    single=("as_of",),
)

KINDS: tuple[ExportKind, ...] = (
    AP_INVOICES,
    AP_PAYMENTS,
    AP_HOLDS,
    SUPPLIER_REQUESTS,
    TICKETS,
    AR_AGING,
)
