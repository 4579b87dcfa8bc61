"""All of the product's SQL: DuckDB over the store's Parquet snapshots.

A ``Database`` keeps one in-memory DuckDB per store and rebuilds its tables when the
manifest changes, so every query between two uploads reads memory, not files: each
rebuild in a schema of its own (opening a database costs ~10 ms; a schema nothing), the
one before kept for queries still reading it. Each query takes its own cursor (a DuckDB
connection is not shareable across threads) and every value reaches SQL as a bound
parameter.

Tables built on load:
    snapshots     the manifest
    metric_rows   every metric row of every snapshot, withdrawn ones included (history)
    debt_rows     every debt row of every snapshot
    figures       the current figure per (quarter, partner, metric): the newest
                  non-withdrawn upload, plus EMSS totals summed from their parts and
                  derived metrics computed from theirs
    debt          the current debt movement per (quarter, partner, collector, sector)
    project_rows  every Business Plan project row of every snapshot
    projects      the current project per (quarter, theme, project_key)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import duckdb

from emss.catalogue import WHOLE, Catalogue, load_catalogue
from emss.quarters import Quarter
from emss.store import COLUMNS, DamagedStoreError, Manifest, Store

if TYPE_CHECKING:  # pandas loads only when a query returns a frame (DuckDB's .df())
    import pandas as pd

_LATEST_UPLOADED = """
CREATE TABLE uploaded AS
SELECT r.quarter, r.partner, r.metric, r.value, r.note, r.snapshot_id,
       s.created, s.kind = 'illustrative' AS illustrative, 'uploaded' AS origin
FROM metric_rows r JOIN snapshots s ON s.id = r.snapshot_id
WHERE NOT s.withdrawn
QUALIFY row_number() OVER (PARTITION BY r.quarter, r.partner, r.metric ORDER BY s.seq DESC) = 1
"""

# An EMSS total for a metric that adds up, when none was uploaded and every contributor is.
_SUMMED = f"""
CREATE TABLE summed AS
SELECT u.quarter, '{WHOLE}' AS partner, u.metric, sum(u.value) AS value, NULL AS note,
       array_to_string(list_sort(list_distinct(list(u.snapshot_id))), ', ') AS snapshot_id,
       max(u.created) AS created, bool_or(u.illustrative) AS illustrative, 'summed' AS origin
FROM uploaded u
JOIN summable c ON c.metric = u.metric AND c.partner = u.partner
ANTI JOIN (SELECT quarter, metric FROM uploaded WHERE partner = '{WHOLE}') e
    ON e.quarter = u.quarter AND e.metric = u.metric
GROUP BY u.quarter, u.metric
HAVING count(*) = any_value(c.contributors)
"""

_DERIVED = """
CREATE TABLE figures AS
WITH parts AS (SELECT * FROM uploaded UNION ALL SELECT * FROM summed)
SELECT * FROM parts
UNION ALL
SELECT n.quarter, n.partner, dv.metric, dv.scale * n.value / d.value AS value, NULL AS note,
       n.snapshot_id || CASE WHEN d.snapshot_id = n.snapshot_id THEN ''
                             ELSE ', ' || d.snapshot_id END AS snapshot_id,
       greatest(n.created, d.created) AS created,
       n.illustrative OR d.illustrative AS illustrative, 'derived' AS origin
FROM derivations dv
JOIN parts n ON n.metric = dv.numerator
JOIN parts d ON d.metric = dv.denominator AND d.quarter = n.quarter AND d.partner = n.partner
WHERE d.value <> 0
"""

_CURRENT_DEBT = """
CREATE TABLE debt AS
SELECT r.quarter, r.partner, r.collector, r.sector, r.movement_gbp, r.note, r.snapshot_id,
       s.created, s.kind = 'illustrative' AS illustrative
FROM debt_rows r JOIN snapshots s ON s.id = r.snapshot_id
WHERE NOT s.withdrawn
QUALIFY row_number() OVER (
    PARTITION BY r.quarter, r.partner, r.collector, r.sector ORDER BY s.seq DESC) = 1
"""

# The latest row of each project found on the keys alone, then its whole row: a window over
# the whole rows (their text) took half as long again (9 against 13 ms on 40x200).
_CURRENT_PROJECTS = """
CREATE TABLE projects AS
SELECT r.* EXCLUDE (snapshot_id), r.snapshot_id, s.seq,
       s.kind = 'illustrative' AS illustrative
FROM project_rows r JOIN snapshots s ON s.id = r.snapshot_id
SEMI JOIN (
    SELECT arg_max(r.rowid, s.seq) AS latest
    FROM project_rows r JOIN snapshots s ON s.id = r.snapshot_id
    WHERE NOT s.withdrawn
    GROUP BY r.quarter, r.theme, r.project_key
) w ON w.latest = r.rowid
"""

# A Database's one in-memory DuckDB: its allocator gives back what dropped tables freed (by
# default it keeps it). Measured here, 40 rebuilds of the 40x200 bench store left the process
# at 155-160 MB without these settings and 98-100 MB with them; a rebuild takes ~5 ms longer.
# Each statement runs in the thread that asks, with no workers: the tables are thousands of
# rows, too few to share out, and handing work to a second thread cost more than it saved
# (measured here, a rebuild 74-81 -> 57-63 ms on 40x200; every page's query as fast or faster).
_DATABASE_CONFIG = {
    "allocator_flush_threshold": "1MB",
    "allocator_bulk_deallocation_flush_threshold": "1MB",
    "threads": 1,
}
# DuckDB's name for each column type of emss.store.COLUMNS.
_SQL_TYPES = {"string": "VARCHAR", "float64": "DOUBLE", "int32": "INTEGER", "date32": "DATE"}
_SNAPSHOT_COLUMNS = {
    "id": "VARCHAR",
    "seq": "BIGINT",
    "created": "VARCHAR",
    "uploaded_by": "VARCHAR",
    "kind": "VARCHAR",
    "withdrawn": "BOOLEAN",
}


def create_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Mapping[str, str],
    rows: Sequence[Sequence[object]] = (),
) -> None:
    """Create ``table`` with these columns (name → SQL type) holding ``rows``: one statement
    with each column as a bound list, so no data frame library is needed."""
    listed = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
    con.execute(f"CREATE TABLE {table} ({listed})")
    if rows:
        unnested = ", ".join("unnest(?)" for _ in columns)
        con.execute(
            f"INSERT INTO {table} SELECT {unnested}", [list(c) for c in zip(*rows, strict=True)]
        )


def open_store(store: Store, tables: Mapping[str, str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the manifest as ``snapshots`` and, per table named
    (table → dataset), every row of the dataset's files that the manifest lists (none: an
    empty table with the dataset's columns)."""
    con = duckdb.connect(":memory:")
    manifest = store.manifest()
    _snapshots_table(con, manifest)
    for table, dataset in tables.items():
        _read_dataset(con, store, manifest, table, dataset)
    return con


def _snapshots_table(con: duckdb.DuckDBPyConnection, manifest: Manifest) -> None:
    create_table(
        con,
        "snapshots",
        _SNAPSHOT_COLUMNS,
        [(s.id, s.seq, s.created, s.uploaded_by, s.kind, s.withdrawn) for s in manifest.snapshots],
    )


def _read_dataset(
    con: duckdb.DuckDBPyConnection, store: Store, manifest: Manifest, table: str, dataset: str
) -> None:
    """``table``, in ``con``'s current schema, holding every row of the dataset's files."""
    files = [str(store.path(f)) for f in manifest.files(dataset)]
    if not files:
        columns = {name: _SQL_TYPES[kind] for name, kind in COLUMNS[dataset].items()}
        create_table(con, table, columns)
        return
    try:
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet($files)", {"files": files})
    except duckdb.Error:
        raise DamagedStoreError(
            f"a {dataset} file listed in manifest.json is missing or unreadable"
        ) from None


def _figures_query(
    quarters: Sequence[Quarter], pairs: Sequence[tuple[str, str]]
) -> tuple[str, dict]:
    """The SQL and parameters of ``Database.figures``."""
    return (
        """
        WITH wanted AS (SELECT unnest($metrics) AS metric, unnest($partners) AS partner)
        SELECT f.quarter, f.metric, f.partner, f.value, f.note, f.snapshot_id, f.created,
               f.illustrative, f.origin
        FROM figures f JOIN wanted w USING (metric, partner)
        WHERE list_contains($quarters, f.quarter)
        ORDER BY f.metric, f.partner, f.quarter
        """,
        {
            "metrics": [m for m, _ in pairs],
            "partners": [p for _, p in pairs],
            "quarters": [str(q) for q in quarters],
        },
    )


class Database:
    """Read-only queries over a store; safe to share between threads."""

    def __init__(self, store: Store, catalogue: Catalogue | None = None) -> None:
        self.store = store
        self.catalogue = catalogue or load_catalogue()
        self._lock = threading.Lock()
        self._version: tuple[int, int, int] | None = None
        self._db: duckdb.DuckDBPyConnection | None = None  # opened at the first query
        self._loads = 0  # the current tables are in schema load_<loads>

    @property
    def version(self) -> tuple[int, int, int]:
        return self.store.version()

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        version = self.store.version()
        with self._lock:
            if version != self._version or self._db is None:
                self._load()
                self._version = version
            cursor = self._db.cursor()
            schema = f"load_{self._loads}"
        cursor.execute(f"USE {schema}")
        return cursor

    def _load(self) -> None:
        """The store's tables afresh, in a new schema; the schema before the previous one
        is dropped (the previous one may still be read by a query begun before)."""
        if self._db is None:
            self._db = duckdb.connect(":memory:", config=_DATABASE_CONFIG)
        schema = f"load_{self._loads + 1}"
        with self._db.cursor() as con:
            con.execute(f"CREATE SCHEMA {schema}")
            con.execute(f"USE {schema}")
            try:
                self._fill(con, schema)
            except BaseException:
                con.execute(f"DROP SCHEMA {schema} CASCADE")
                raise
            self._loads += 1
            if self._loads > 2:
                con.execute(f"DROP SCHEMA load_{self._loads - 2} CASCADE")

    def _fill(self, con: duckdb.DuckDBPyConnection, schema: str) -> None:
        """The store's tables and those made from them, in ``schema`` (``con``'s): the debt
        and the projects in a second thread, with a cursor of its own, while this one makes
        the figures (a rebuild of the 40x200 bench store took 48 ms in one thread, 33-35 ms
        in two; DuckDB lets go of Python's lock while it works)."""
        manifest = self.store.manifest()
        _snapshots_table(con, manifest)
        with ThreadPoolExecutor(max_workers=1) as pool:
            others = pool.submit(self._fill_debt_and_projects, manifest, schema)
            self._fill_figures(con, manifest)
            others.result()

    def _fill_figures(self, con: duckdb.DuckDBPyConnection, manifest: Manifest) -> None:
        _read_dataset(con, self.store, manifest, "metric_rows", "metrics")
        metrics, derived = self.catalogue.metrics, self.catalogue.derived
        create_table(  # a row per contributor of a metric that adds up, and how many it has
            con,
            "summable",
            {"metric": "VARCHAR", "partner": "VARCHAR", "contributors": "BIGINT"},
            [(m.key, p, len(m.contributors)) for m in metrics if m.adds_up for p in m.contributors],
        )
        create_table(
            con,
            "derivations",
            {
                "metric": "VARCHAR",
                "numerator": "VARCHAR",
                "denominator": "VARCHAR",
                "scale": "DOUBLE",
            },
            [
                (m.key, m.derived.numerator, m.derived.denominator, float(m.derived.scale))
                for m in derived
            ],
        )
        for statement in (_LATEST_UPLOADED, _SUMMED, _DERIVED):
            con.execute(statement)

    def _fill_debt_and_projects(self, manifest: Manifest, schema: str) -> None:
        with self._db.cursor() as con:
            con.execute(f"USE {schema}")
            _read_dataset(con, self.store, manifest, "debt_rows", "debt")
            con.execute(_CURRENT_DEBT)
            _read_dataset(con, self.store, manifest, "project_rows", "projects")
            con.execute(_CURRENT_PROJECTS)

    def _df(self, sql: str, params: dict | None = None) -> pd.DataFrame:
        return self._cursor().execute(sql, params or {}).df()

    def _records(self, sql: str, params: dict | None = None) -> list[dict]:
        """The rows as dicts by column name, for callers that need no data frame."""
        cursor = self._cursor().execute(sql, params or {})
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    # --- figures ---------------------------------------------------------------

    def quarters_with_data(self) -> list[Quarter]:
        """Every quarter holding a figure, a debt movement or a project, oldest first."""
        rows = (
            self._cursor()
            .execute(
                "SELECT quarter FROM figures UNION SELECT quarter FROM debt "
                "UNION SELECT quarter FROM projects ORDER BY 1"
            )
            .fetchall()
        )
        return [Quarter.parse(q) for (q,) in rows]

    def latest_quarter(self) -> Quarter | None:
        quarters = self.quarters_with_data()
        return quarters[-1] if quarters else None

    def figures(
        self, quarters: Sequence[Quarter], pairs: Sequence[tuple[str, str]]
    ) -> pd.DataFrame:
        """The current figure for each (metric, partner) pair in each quarter given.

        Columns: quarter, metric, partner, value, note, snapshot_id, created,
        illustrative, origin (uploaded, summed or derived). Missing figures are absent.
        """
        return self._df(*_figures_query(quarters, pairs))

    def figure_records(
        self, quarters: Sequence[Quarter], pairs: Sequence[tuple[str, str]]
    ) -> list[dict]:
        """``figures`` as a list of rows (dicts), without pandas."""
        return self._records(*_figures_query(quarters, pairs))

    def series(
        self, metrics: Sequence[str], partners: Sequence[str], first: Quarter, last: Quarter
    ) -> pd.DataFrame:
        """Time series of the current figures over a range of quarters."""
        return self._df(
            """
            SELECT quarter, metric, partner, value, illustrative, origin, note
            FROM figures
            WHERE list_contains($metrics, metric) AND list_contains($partners, partner)
              AND quarter BETWEEN $first AND $last
            ORDER BY metric, partner, quarter
            """,
            {
                "metrics": list(metrics),
                "partners": list(partners),
                "first": str(first),
                "last": str(last),
            },
        )

    def uploaded_values(self, keys: pd.DataFrame) -> pd.DataFrame:
        """Current uploaded value and snapshot for each (quarter, partner, metric) given."""
        return self._df(
            """
            WITH wanted AS (
                SELECT unnest($quarters) AS quarter, unnest($partners) AS partner,
                       unnest($metrics) AS metric)
            SELECT u.quarter, u.partner, u.metric, u.value AS old_value,
                   u.snapshot_id AS old_snapshot
            FROM uploaded u JOIN wanted w USING (quarter, partner, metric)
            """,
            {
                "quarters": keys["quarter"].tolist(),
                "partners": keys["partner"].tolist(),
                "metrics": keys["metric"].tolist(),
            },
        )

    def reported(self, quarters: Sequence[Quarter]) -> pd.DataFrame:
        """The current uploaded figures of the quarters given that were reported, not
        generated for illustration: quarter, partner, metric, value."""
        return self._df(
            "SELECT quarter, partner, metric, value FROM uploaded "
            "WHERE NOT illustrative AND list_contains($quarters, quarter) "
            "ORDER BY quarter, metric, partner",
            {"quarters": [str(q) for q in quarters]},
        )

    def uploaded_debt(self, keys: pd.DataFrame) -> pd.DataFrame:
        """Current movement and snapshot for each (quarter, partner, collector, sector) given."""
        return self._df(
            """
            WITH wanted AS (
                SELECT unnest($quarters) AS quarter, unnest($partners) AS partner,
                       unnest($collectors) AS collector, unnest($sectors) AS sector)
            SELECT d.quarter, d.partner, d.collector, d.sector, d.movement_gbp AS old_value,
                   d.snapshot_id AS old_snapshot
            FROM debt d JOIN wanted w USING (quarter, partner, collector, sector)
            """,
            {
                col: keys[col[:-1]].tolist()
                for col in ("quarters", "partners", "collectors", "sectors")
            },
        )

    def recent_range(self, keys: pd.DataFrame, quarters_back: int = 4) -> pd.DataFrame:
        """For each (quarter, partner, metric): min, max and count of the reported (not
        illustrative) figures stored for the same partner and metric in the quarters just
        before it."""
        return self._df(
            """
            WITH wanted AS (
                SELECT unnest($quarters) AS quarter, unnest($partners) AS partner,
                       unnest($metrics) AS metric),
            indexed AS (
                SELECT *, CAST(left(quarter, 4) AS INTEGER) * 4
                          + CAST(right(quarter, 1) AS INTEGER) - 1 AS qi
                FROM figures WHERE NOT illustrative)
            SELECT w.quarter, w.partner, w.metric, min(f.value) AS low, max(f.value) AS high,
                   count(f.value) AS n
            FROM wanted w
            JOIN indexed f ON f.partner = w.partner AND f.metric = w.metric
             AND f.qi BETWEEN CAST(left(w.quarter, 4) AS INTEGER) * 4
                              + CAST(right(w.quarter, 1) AS INTEGER) - 1 - $back
                          AND CAST(left(w.quarter, 4) AS INTEGER) * 4
                              + CAST(right(w.quarter, 1) AS INTEGER) - 2
            GROUP BY w.quarter, w.partner, w.metric
            """,
            {
                "quarters": keys["quarter"].tolist(),
                "partners": keys["partner"].tolist(),
                "metrics": keys["metric"].tolist(),
                "back": quarters_back,
            },
        )

    def revisions(self, quarter: Quarter, partner: str, metric: str) -> pd.DataFrame:
        """Every value a key has had, oldest first, with its snapshot and whether it is current."""
        return self._df(
            """
            SELECT r.value, r.note, s.id AS snapshot_id, s.created, s.uploaded_by, s.kind,
                   s.withdrawn, coalesce(u.snapshot_id = s.id, false) AS current
            FROM metric_rows r JOIN snapshots s ON s.id = r.snapshot_id
            LEFT JOIN uploaded u
              ON u.quarter = r.quarter AND u.partner = r.partner AND u.metric = r.metric
            WHERE r.quarter = $quarter AND r.partner = $partner AND r.metric = $metric
            ORDER BY s.seq
            """,
            {"quarter": str(quarter), "partner": partner, "metric": metric},
        )

    def revised(self, quarters: Sequence[Quarter]) -> pd.DataFrame:
        """Every value given for a figure or debt movement of these quarters that more than one
        snapshot has given (withdrawn ones included), oldest first.

        Columns: dataset (metrics or debt), quarter, partner, item (the metric key, or
        "collector, sector"), value, snapshot_id, created, uploaded_by, kind, withdrawn.
        """
        return self._df(
            """
            WITH given AS (
                SELECT 'metrics' AS dataset, quarter, partner, metric AS item, value, snapshot_id
                FROM metric_rows
                UNION ALL
                SELECT 'debt', quarter, partner, collector || ', ' || sector, movement_gbp,
                       snapshot_id
                FROM debt_rows)
            SELECT g.dataset, g.quarter, g.partner, g.item, g.value, s.id AS snapshot_id,
                   s.created, s.uploaded_by, s.kind, s.withdrawn
            FROM given g JOIN snapshots s ON s.id = g.snapshot_id
            WHERE list_contains($quarters, g.quarter)
            QUALIFY count(*) OVER (PARTITION BY g.dataset, g.quarter, g.partner, g.item) > 1
            ORDER BY g.dataset DESC, g.quarter, g.item, g.partner, s.seq
            """,
            {"quarters": [str(q) for q in quarters]},
        )

    def snapshot_rows(self, snapshot_id: str) -> dict[str, pd.DataFrame]:
        """What one snapshot holds, per dataset."""
        params = {"id": snapshot_id}
        return {
            "metrics": self._df(
                "SELECT quarter, partner, metric, value, note FROM metric_rows "
                "WHERE snapshot_id = $id ORDER BY quarter, metric, partner",
                params,
            ),
            "debt": self._df(
                "SELECT quarter, partner, collector, sector, movement_gbp, note FROM debt_rows "
                "WHERE snapshot_id = $id ORDER BY quarter, partner, collector, sector",
                params,
            ),
            "projects": self._df(
                "SELECT quarter, theme, project, partner, status, benefits, description, "
                '"update", note FROM project_rows WHERE snapshot_id = $id '
                "ORDER BY quarter, list_position($themes, theme), position",
                {**params, "themes": list(self.catalogue.projects.themes)},
            ),
        }

    # --- debt -----------------------------------------------------------------

    def debt_movements(
        self,
        quarter: Quarter,
        partners: Sequence[str] | None = None,
        collectors: Sequence[str] | None = None,
        sectors: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The quarter's debt movements, in the catalogue's partner and sector order."""
        return self._df(
            """
            SELECT partner, collector, sector, movement_gbp, note, illustrative, snapshot_id
            FROM debt
            WHERE quarter = $quarter
              AND ($partners IS NULL OR list_contains($partners, partner))
              AND ($collectors IS NULL OR list_contains($collectors, collector))
              AND ($sectors IS NULL OR list_contains($sectors, sector))
            ORDER BY list_position($partner_order, partner), collector,
                     list_position($sector_order, sector)
            """,
            {
                "quarter": str(quarter),
                "partners": list(partners) if partners else None,
                "collectors": list(collectors) if collectors else None,
                "sectors": list(sectors) if sectors else None,
                "partner_order": list(self.catalogue.debt.partners),
                "sector_order": list(self.catalogue.debt.sectors),
            },
        )

    def debt_collectors(self) -> list[str]:
        """Every collector named in the current debt data."""
        rows = self._cursor().execute("SELECT DISTINCT collector FROM debt ORDER BY 1").fetchall()
        return [c for (c,) in rows]

    def debt_trend(
        self, first: Quarter, last: Quarter, partners: Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Total movement per quarter and partner over a range of quarters."""
        return self._df(
            """
            SELECT quarter, partner, sum(movement_gbp) AS movement_gbp,
                   bool_or(illustrative) AS illustrative
            FROM debt
            WHERE quarter BETWEEN $first AND $last
              AND ($partners IS NULL OR list_contains($partners, partner))
            GROUP BY quarter, partner
            ORDER BY quarter, partner
            """,
            {
                "first": str(first),
                "last": str(last),
                "partners": list(partners) if partners else None,
            },
        )

    # --- Business Plan projects ------------------------------------------------

    def projects(self, quarters: Sequence[Quarter]) -> pd.DataFrame:
        """The current projects of the quarters given, in theme order, then as listed.

        Columns: quarter, theme, project, project_key, partner, status, benefits,
        description, update, note, position, snapshot_id, seq, illustrative.
        """
        return self._df(*self._projects_query(quarters))

    def project_records(self, quarters: Sequence[Quarter]) -> list[dict]:
        """``projects`` as a list of rows (dicts), without pandas."""
        return self._records(*self._projects_query(quarters))

    def _projects_query(self, quarters: Sequence[Quarter]) -> tuple[str, dict]:
        return (
            """
            SELECT * FROM projects WHERE list_contains($quarters, quarter)
            ORDER BY quarter, list_position($themes, theme), position, project_key
            """,
            {
                "quarters": [str(q) for q in quarters],
                "themes": list(self.catalogue.projects.themes),
            },
        )

    def project_history(self, theme: str, project_key: str) -> pd.DataFrame:
        """One project's current row in every quarter that lists it, oldest first."""
        return self._df(
            "SELECT * FROM projects WHERE theme = $theme AND project_key = $key ORDER BY quarter",
            {"theme": theme, "key": project_key},
        )

    # --- provenance -----------------------------------------------------------

    def active_snapshots(self) -> pd.DataFrame:
        """Snapshots whose figures are in view, newest first."""
        return self._df(
            "SELECT id, seq, created, uploaded_by, kind FROM snapshots "
            "WHERE NOT withdrawn ORDER BY seq DESC"
        )
