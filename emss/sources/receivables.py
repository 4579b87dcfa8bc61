"""Debt collection from Oracle Receivables agings: past-due balances at an aging's date,
the quarter's debt movement between two quarter-end balances, and the countable comment.

An aging lists the open transactions at its As Of Date. A transaction is past due when its
Due Date is before that date (one due on the day itself is not yet). The past-due balance
per partner, collector and sector is what a computed snapshot keeps (``ar_balances``): the
next quarter's movement is measured from it. Customer accounts are never kept; an
individual's appears only inside counts and sums.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from emss.catalogue import DEBT
from emss.quarters import Quarter
from emss.sources.config import SourcesConfig
from emss.store import Store

VERSION = "debt-2024.1"
AREA = "Debt"
KINDS = ("ar_aging",)
FIGURES = ()  # its figures are debt movements, not metrics
SETUP = ""
COVERAGE: dict[str, tuple[str, ...]] = {}  # an aging is one day, not a span of days
IN_HOUSE = "In house"  # the report's name for the collectors sources.toml lists as in house
OTHER = "Other"  # the sector of a customer class sources.toml does not map
NOTE_OVER_GBP = 20_000  # the comment counts past-due transactions over this
BALANCE_COLUMNS = ["quarter", "as_of", "partner", "collector", "sector", "past_due_gbp"]
DEBT_COLUMNS = list(DEBT.columns)

EXCLUSIONS: dict[str, str] = {
    "ar_aging": """
        SELECT file, 'not past due at the As Of Date: in no balance' AS reason, true AS whole
        FROM ar_aging WHERE due_date >= as_of""",
}


def quarter_end(day: dt.date) -> bool:
    return day == Quarter.containing(day).next.first_month - dt.timedelta(days=1)


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _aging_sql(config: SourcesConfig) -> str:
    """The aging's rows with their collector as shown, their sector, and whether
    sources.toml maps their customer class."""
    classes = [_quoted(k.casefold()) for k in config.sectors]
    cases = " ".join(
        f"WHEN {_quoted(k.casefold())} THEN {_quoted(v)}" for k, v in config.sectors.items()
    )
    sector = f"CASE lower(customer_class) {cases} END" if cases else "NULL"
    mapped = f"lower(customer_class) IN ({', '.join(classes)})" if classes else "false"
    in_house = ", ".join(_quoted(c.casefold()) for c in config.in_house_collectors) or "NULL"
    return f"""
    SELECT file, as_of, partner, customer, customer_class, transaction_number, amount,
           due_date < as_of AS past_due,
           CASE WHEN lower(collector) IN ({in_house}) THEN '{IN_HOUSE}' ELSE collector END
               AS collector,
           coalesce({sector}, '{OTHER}') AS sector, coalesce({mapped}, false) AS mapped
    FROM ar_aging"""


def balances(con: duckdb.DuckDBPyConnection, config: SourcesConfig) -> pd.DataFrame:
    """The past-due balance per As Of Date, partner, collector and sector (0 where every
    transaction is not yet due). Columns: BALANCE_COLUMNS."""
    frame = con.execute(
        f"""SELECT as_of, partner, collector, sector,
               coalesce(sum(amount) FILTER (WHERE past_due), 0)::DOUBLE AS past_due_gbp
        FROM ({_aging_sql(config)}) GROUP BY ALL ORDER BY ALL"""
    ).df()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    frame["quarter"] = [str(Quarter.containing(d)) for d in frame["as_of"]]
    return frame[BALANCE_COLUMNS]


def _pounds(total: float) -> str:
    return f"£{total / 1e6:.1f}m" if abs(total) >= 999_500 else f"£{total / 1e3:.0f}k"


def note_text(
    customers: int, transactions: int, total: float, gone: int = 0, gone_total: float = 0.0
) -> str:
    """The report's comment: "8 customers (9 transactions > £20k) = £1.7m (3 transactions
    no longer outstanding = £758k)"; either part alone when the other counts nothing."""
    over = f"£{NOTE_OVER_GBP // 1000}k"
    now = (
        f"{customers} customer{'s' * (customers != 1)} ({transactions} "
        f"transaction{'s' * (transactions != 1)} > {over}) = {_pounds(total)}"
        if transactions
        else ""
    )
    if not gone:
        return now
    cleared = f"{gone} transaction{'s' * (gone != 1)} no longer outstanding = {_pounds(gone_total)}"
    return f"{now} ({cleared})" if now else cleared


# The aging's date of the quarter end before a quarter end (30 Sep for 31 Dec).
_PREVIOUS_END = "last_day(n.as_of - INTERVAL 3 MONTH)"


def notes(con: duckdb.DuckDBPyConnection, config: SourcesConfig) -> pd.DataFrame:
    """Per As Of Date, partner, collector and sector with any: the customers and past-due
    transactions over NOTE_OVER_GBP, their sum, and the comment. Counts only: no account.

    When the upload also holds the aging of the quarter end before, the comment counts too
    the transactions over NOTE_OVER_GBP past due then that this aging no longer lists (by
    Transaction Number), and their sum then, under the group they were in. A stored balance
    cannot give these: it keeps sums per group, not transactions."""
    aging = _aging_sql(config)
    frame = con.execute(
        f"""WITH aging AS ({aging}),
        big AS (SELECT * FROM aging WHERE past_due AND amount > {NOTE_OVER_GBP}),
        now AS (
            SELECT as_of, partner, collector, sector, count(DISTINCT customer) AS customers,
                   count(*) AS transactions, sum(amount)::DOUBLE AS total
            FROM big GROUP BY ALL),
        gone AS (
            SELECT n.as_of, b.partner, b.collector, b.sector, count(*) AS gone,
                   sum(b.amount)::DOUBLE AS gone_total
            FROM big b JOIN (SELECT DISTINCT as_of FROM aging) n ON b.as_of = {_PREVIOUS_END}
            WHERE NOT EXISTS (
                SELECT 1 FROM aging a
                WHERE a.as_of = n.as_of AND a.partner = b.partner
                  AND a.transaction_number = b.transaction_number)
            GROUP BY ALL)
        SELECT as_of, partner, collector, sector, coalesce(customers, 0) AS customers,
               coalesce(transactions, 0) AS transactions, coalesce(total, 0) AS total,
               coalesce(gone, 0) AS gone, coalesce(gone_total, 0) AS gone_total
        FROM now FULL JOIN gone USING (as_of, partner, collector, sector)"""
    ).df()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    frame["note"] = [
        note_text(r.customers, r.transactions, r.total, r.gone, r.gone_total)
        for r in frame.itertuples(index=False)
    ]
    return frame


def unmapped(con: duckdb.DuckDBPyConnection, config: SourcesConfig) -> list[str]:
    """A warning per aging with customer classes sources.toml does not map (counted as Other)."""
    rows = con.execute(
        f"""SELECT file, count(*), string_agg(DISTINCT coalesce(customer_class, '(blank)'), ', '
                                              ORDER BY coalesce(customer_class, '(blank)'))
        FROM ({_aging_sql(config)}) WHERE NOT mapped GROUP BY file ORDER BY file"""
    ).fetchall()
    return [
        f"{file}: {n:,} transaction{'s' * (n != 1)} of customer classes not in "
        f"{config.path.name} ({classes}) counted under {OTHER}"
        for file, n, classes in rows
    ]


def movements(
    now: pd.DataFrame, before: pd.DataFrame, quarter: Quarter, noted: pd.DataFrame
) -> pd.DataFrame:
    """The quarter's debt movement per partner, collector and sector: the past-due balance
    at its end (``now``) less that at the previous quarter's end (``before``), a group
    missing from either counting as 0; the comment of ``noted`` at the quarter's end as the
    note. Only partners present in both balances. Columns: DEBT_COLUMNS."""
    keys = ["partner", "collector", "sector"]
    partners = set(now["partner"]) & set(before["partner"])
    both = pd.merge(
        now[now["partner"].isin(partners)][[*keys, "past_due_gbp"]],
        before[before["partner"].isin(partners)][[*keys, "past_due_gbp"]],
        on=keys,
        how="outer",
        suffixes=("_now", "_before"),
    ).fillna({"past_due_gbp_now": 0.0, "past_due_gbp_before": 0.0})
    both["movement_gbp"] = (both["past_due_gbp_now"] - both["past_due_gbp_before"]).round(2)
    both = both.merge(noted[[*keys, "note"]], on=keys, how="left")
    both["note"] = both["note"].astype(object).where(both["note"].notna(), None)
    both["quarter"] = str(quarter)
    order = {s: i for i, s in enumerate(DEBT.sectors)}
    both = both.sort_values(
        ["partner", "collector", "sector"], key=lambda c: c.map(order) if c.name == "sector" else c
    )
    return both[DEBT_COLUMNS].reset_index(drop=True)


def stored_balances(store: Store, as_of: dt.date) -> pd.DataFrame:
    """The past-due balances at ``as_of`` from the newest computed snapshot holding each
    partner's (withdrawn snapshots left out). Columns: BALANCE_COLUMNS."""
    manifest = store.manifest()
    files = [str(store.path(f)) for f in manifest.files("ar_balances")]
    live = [s.id for s in manifest.snapshots if not s.withdrawn]
    seq = {s.id: s.seq for s in manifest.snapshots}
    if not files or not live:
        return pd.DataFrame(columns=BALANCE_COLUMNS)
    con = duckdb.connect(":memory:")
    con.from_df(pd.DataFrame({"id": list(seq), "seq": list(seq.values())})).create("seqs")
    frame = con.execute(
        """SELECT b.* FROM read_parquet($files) b JOIN seqs s ON s.id = b.snapshot_id
        WHERE b.as_of = $as_of AND list_contains($live, b.snapshot_id)
        QUALIFY s.seq = max(s.seq) OVER (PARTITION BY b.partner)""",
        {"files": files, "as_of": as_of, "live": live},
    ).df()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame[BALANCE_COLUMNS]
