"""What pages ask of computed snapshots, as SQL over the store's Parquet files: the
reconciliation of computed and typed-in figures, and the invoices on hold over 90 days.

Its own in-memory DuckDB per call (``emss.queries.open_store``: the store's manifest says
which files to read); the rule for which figure is shown is the same as the pages': the
newest snapshot that is not withdrawn wins.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from emss.catalogue import DEBT
from emss.export import to_csv
from emss.quarters import Quarter
from emss.queries import open_store
from emss.sources import payables, service_desk
from emss.sources.compute import ON_HOLD_COLUMNS
from emss.sources.config import SourcesConfig
from emss.store import Store

TYPED_KINDS = ("upload", "report")  # figures people typed in
PENDING = "(this upload)"

# Per dataset: the raw table, the columns naming one figure, and its value column.
_RECONCILED = {
    "metrics": ("metric_rows", ("quarter", "metric", "partner"), "value"),
    "debt": ("debt_rows", DEBT.identity, "movement_gbp"),
}

_RECONCILE = """
WITH given AS (
    SELECT {keys}, r.{value} AS value, s.id, s.seq, s.kind
    FROM {table} r JOIN snapshots s ON s.id = r.snapshot_id
    WHERE NOT s.withdrawn
    UNION ALL
    SELECT {keys}, value, $pending, $pending_seq, 'computed' FROM pending r),
newest AS (
    SELECT *, kind = 'computed' AS computed FROM given
    QUALIFY row_number() OVER (
        PARTITION BY {keys}, kind = 'computed' ORDER BY seq DESC) = 1),
typed AS (
    SELECT * FROM given WHERE list_contains($typed, kind)
    QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY seq DESC) = 1)
SELECT {keys}, c.value AS computed, c.id AS computed_snapshot,
       t.value AS typed, t.id AS typed_snapshot, t.kind AS typed_kind,
       c.value - t.value AS difference,
       CASE WHEN t.seq IS NULL OR c.seq > t.seq THEN 'computed' ELSE 'typed' END AS shown
FROM newest c JOIN typed t USING ({keys})
WHERE c.computed
  AND ($quarter IS NULL OR c.quarter = $quarter)
ORDER BY {keys}
"""

_ON_HOLD = """
WITH latest AS (
    SELECT h.*, s.seq FROM on_hold h JOIN snapshots s ON s.id = h.snapshot_id
    WHERE NOT s.withdrawn AND h.quarter = $quarter
      AND ($partner IS NULL OR h.partner = $partner)
    QUALIFY s.seq = max(s.seq) OVER (PARTITION BY h.partner))
SELECT snapshot_id, partner, invoice_id, invoice_number, supplier, amount_gbp, hold_name,
       hold_date, days_on_hold
FROM latest ORDER BY partner, days_on_hold DESC, invoice_id
"""


def _connect(store: Store) -> duckdb.DuckDBPyConnection:
    tables = {"metric_rows": "metrics", "debt_rows": "debt", "on_hold": "fsc_on_hold"}
    return open_store(store, tables)


def reconciliation(
    store: Store,
    pending: pd.DataFrame | None = None,
    quarter: Quarter | None = None,
    dataset: str = "metrics",
) -> pd.DataFrame:
    """Each computed figure that was also typed in (an upload or report snapshot) for the same
    quarter, partner and metric: both values, the difference (computed − typed) and which one
    the dashboard shows (the newer snapshot's). ``dataset="debt"``: the same for debt
    movements, a movement named by quarter, partner, collector and sector.

    ``pending``: figures not yet committed (an upload's preview), taken as the newest
    snapshot, named ``PENDING``. Without it, the stored computed snapshots (History page).
    Columns: the dataset's key columns (quarter, metric, partner), computed,
    computed_snapshot, typed, typed_snapshot, typed_kind, difference, shown ("computed" or
    "typed").
    """
    table, keys, value = _RECONCILED[dataset]
    con = _connect(store)
    columns = [*keys, value]
    rows = pending if pending is not None else pd.DataFrame(columns=columns)
    con.from_df(
        rows[columns]
        .rename(columns={value: "value"})
        .astype({**dict.fromkeys(keys, "str"), "value": "float64"})
    ).create("pending")
    seq = max((s.seq for s in store.snapshots()), default=0) + 1
    sql = _RECONCILE.format(keys=", ".join(keys), table=table, value=value)
    return con.execute(
        sql,
        {
            "pending": PENDING,
            "pending_seq": seq,
            "typed": list(TYPED_KINDS),
            "quarter": str(quarter) if quarter else None,
        },
    ).df()


def on_hold_invoices(store: Store, quarter: Quarter, partner: str | None = None) -> pd.DataFrame:
    """The invoices on hold over 90 days at the quarter's end, per council, from the newest
    computed snapshot that lists them, longest held first. Columns: snapshot_id, partner,
    invoice_id, invoice_number, supplier, amount_gbp, hold_name, hold_date, days_on_hold."""
    return _connect(store).execute(_ON_HOLD, {"quarter": str(quarter), "partner": partner}).df()


def on_hold_csv(frame: pd.DataFrame) -> str:
    """The on-hold list as a CSV safe to open in a spreadsheet (formula cells neutralised)."""
    columns = [c for c in ON_HOLD_COLUMNS if c in frame.columns]
    return to_csv(frame[columns])


def definitions(config: SourcesConfig) -> dict[str, str]:
    """Each computed figure's definition in words, by metric key (for the Definitions page),
    with this store's sources.toml values filled in."""
    names = {
        "trade_types": " or ".join(f'"{t}"' for t in config.trade_types),
        "positive": ", ".join(f'"{a}"' for a in config.positive),
    }
    return {
        f.metric: f.words.format(**names) + f" (definitions {family.VERSION})"
        for family in (payables, service_desk)
        for f in family.FIGURES
    }
