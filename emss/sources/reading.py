"""Reading exports with DuckDB: the kind from the header, typed columns, every problem.

A file's encoding is checked in Python while it is hashed (UTF-8 is read by DuckDB where it
lies; Windows-1252 is transcoded to a temporary UTF-8 copy), its header is matched against
the kinds, and DuckDB reads it: only the kind's columns are kept, each date and amount
parsed in SQL. A file is read once, keeping only the typed values and whether each row
passes every check; only a file where some row fails one (or that is not well-formed CSV)
is read again, keeping each cell's text and line, to list its problems. Every problem of
every file is listed (a check that fails on many rows lists the first
``PROBLEMS_PER_CHECK`` and counts the rest); a clean read leaves one table per file and one
view per kind, named as the kind, in the connection.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from emss.ingest import Problem
from emss.sources.config import SourcesConfig
from emss.sources.kinds import AMOUNT, DATE, KINDS, TEXT, TIME, Column, ExportKind

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")
DATE_EXPECTED = "is not a date (expected 2023-12-19, 19/12/2023 or 19-Dec-2023)"
TIME_EXPECTED = (
    "is not a date and time (expected 2023-12-19 14:05:00, 2023-12-19 14:05 or 19/12/2023 14:05)"
)
AMOUNT_EXPECTED = "is not an amount (expected e.g. 1234.50, £1,234.50 or -1,234.50)"
# pence exactly: sums of money stay exact
_AMOUNT_PATTERN = r"-?\s*£?\s*-?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?"
# The same amount read by the first of these it matches: a plain number is cast as it is, one
# without spaces loses its £ and commas by plain replaces, only the rest by a regex (cheaper
# first; each gives what the last would).
_AMOUNT_TIERS = (
    (r"-?\d+(\.\d{1,2})?", "{v}"),
    (r"-?£?-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?", "replace(replace({v}, '£', ''), ',', '')"),
    (_AMOUNT_PATTERN, "regexp_replace({v}, '[£,\\s]', '', 'g')"),
)
_AMOUNT_SQL = (
    "CASE "
    + " ".join(
        "WHEN regexp_full_match({v}, '"
        + pattern.replace("{", "{{").replace("}", "}}")
        + f"') THEN TRY_CAST({cleaned} AS DECIMAL(18, 2))"
        for pattern, cleaned in _AMOUNT_TIERS
    )
    + " END"
)
PROBLEMS_PER_CHECK = 100
_CHUNK = 1 << 20

# A file to read: a path on disk, or (name, bytes) as uploaded.
Source = Path | tuple[str, bytes]
Progress = Callable[[int, int, str], None]  # step done so far, steps in all, what is under way


@dataclass(frozen=True)
class ExportFile:
    """One file of the upload as read."""

    name: str
    sha256: str
    kind: ExportKind | None
    rows_read: int


@dataclass
class Reading:
    """The connection holding the exports' tables, what was read, and every problem."""

    con: duckdb.DuckDBPyConnection
    files: list[ExportFile]
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def kinds(self) -> set[str]:
        return {f.kind.name for f in self.files if f.kind is not None}


def _prepare(source: Source, workdir: Path) -> tuple[str, str, Path | None]:
    """(name, SHA-256, UTF-8 path or None when the file is not text in either encoding).

    A UTF-8 file on disk is read where it lies; uploaded bytes are written out once; only a
    Windows-1252 file is transcoded to a UTF-8 copy."""
    if isinstance(source, tuple):
        name, data = source
        read = lambda: (data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK))  # noqa: E731
    else:
        name = source.name

        def read():
            with source.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    yield chunk

    digest, decoder, utf8 = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True
    for chunk in read():
        digest.update(chunk)
        if b"\x00" in chunk:
            return name, digest.hexdigest(), None
        if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        utf8 = False
    target = workdir / f"{len(list(workdir.iterdir()))}.csv"
    if utf8 and isinstance(source, tuple):
        target.write_bytes(source[1])
    elif utf8:
        target = source
    else:
        decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            with target.open("w", encoding="utf-8", newline="") as out:
                for chunk in read():
                    out.write(decoder.decode(chunk))
                out.write(decoder.decode(b"", final=True))
        except UnicodeDecodeError:
            return name, digest.hexdigest(), None
    return name, digest.hexdigest(), target


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = handle.readline()
    return next(csv.reader([first]), [])


def _kind(header: Sequence[str]) -> tuple[ExportKind | None, list[str]]:
    """The kind whose every column the header holds, else the closest and its missing labels."""
    held = {label.strip().casefold() for label in header}

    def missing(kind: ExportKind) -> list[str]:
        return [c.label for c in kind.columns if c.label.casefold() not in held]

    complete = [k for k in KINDS if not missing(k)]
    if complete:
        return max(complete, key=lambda k: len(k.columns)), []
    closest = min(KINDS, key=lambda k: len(missing(k)) / len(k.columns))
    if len(missing(closest)) * 2 > len(closest.columns):
        return None, []
    return closest, missing(closest)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _lookup_sql(column: str, mapping: dict[str, str]) -> str:
    """The value a mapping gives the column's text (any letter case), else NULL. Text
    written exactly as an (ASCII) key is looked up as it is, sparing a lower-casing."""
    folded: dict[str, str] = {}
    for k, v in mapping.items():
        folded.setdefault(k.casefold(), v)
    if not folded:
        return "NULL::VARCHAR"
    exact = " ".join(
        f"WHEN {_literal(k)} THEN {_literal(folded[k.casefold()])}" for k in mapping if k.isascii()
    )
    cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in folded.items())
    return f"CASE {column} {exact} ELSE CASE lower({column}) {cases} END END"


def _choice_sql(column: str, choices: Sequence[str]) -> str:
    return _lookup_sql(column, {c: c for c in choices})


def _date_sql(raw: str) -> str:
    """A date by the text's shape: one format each (14 times faster than trying a list)."""
    return (
        f"CASE WHEN regexp_full_match({raw}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
        f"THEN TRY_CAST({raw} AS DATE) "
        f"WHEN contains({raw}, '/') THEN try_strptime({raw}, '{DATE_FORMATS[1]}')::DATE "
        f"ELSE try_strptime({raw}, '{DATE_FORMATS[2]}')::DATE END"
    )


def _time_sql(raw: str) -> str:
    """A date and time of day: 2023-12-19 14:05[:00] (a cast, the fastest), else day first
    19/12/2023 14:05[:00]."""
    return (
        f"CASE WHEN contains({raw}, '/') THEN coalesce(try_strptime({raw}, '%d/%m/%Y %H:%M:%S'), "
        f"try_strptime({raw}, '%d/%m/%Y %H:%M')) ELSE TRY_CAST({raw} AS TIMESTAMP) END"
    )


def _typed(c: Column) -> bool:
    """Whether the column is read into a type (its raw text kept as ``<name>__raw``)."""
    return c.type != TEXT or bool(c.choices)


def _typed_sql(kind: ExportKind) -> list[str]:
    """Each column typed, plus the raw text (``<name>__raw``) of every typed one."""
    out = []
    for c in kind.read_columns:
        raw = f"r.{c.name}"
        if c.type == DATE:
            typed = _date_sql(raw)
        elif c.type == TIME:
            typed = _time_sql(raw)
        elif c.type == AMOUNT:
            typed = _AMOUNT_SQL.format(v=raw)
        elif c.choices:
            typed = _choice_sql(raw, c.choices)
        else:
            out.append(f"{raw} AS {c.name}")
            continue
        out += [f"{typed} AS {c.name}", f"{raw} AS {c.name}__raw"]
    return out


def _key_raw(kind: ExportKind) -> list[str]:
    """The raw text of the typed key columns: a repeated key is listed as written."""
    return [f"{k}__raw" for k in kind.key if _typed(kind.column(k))]


def _kept(kind: ExportKind) -> list[str]:
    """The columns of a kind's view after ``file`` and ``line``, but for ``key_hash``."""
    return [
        "partner",
        *(c.name for c in kind.read_columns),
        *(f"{column}_mapped" for column, _ in kind.mapped),
        *_key_raw(kind),
    ]


def _key_hash_sql(kind: ExportKind) -> str:
    """``key_hash``: a hash of the row's key, so that repeats are looked for among numbers."""
    hashed = f"hash({', '.join(kind.key)})" if kind.key else "NULL::UBIGINT"
    return f"{hashed} AS key_hash"


_SQL_TYPES = {DATE: "DATE", TIME: "TIMESTAMP", AMOUNT: "DECIMAL(18, 2)"}


def _empty_sql(kind: ExportKind) -> str:
    columns = [f"NULL::{_SQL_TYPES.get(c.type, 'VARCHAR')} AS {c.name}" for c in kind.read_columns]
    columns += [f"NULL::VARCHAR AS {column}_mapped" for column, _ in kind.mapped]
    columns += [f"NULL::VARCHAR AS {raw}" for raw in _key_raw(kind)]
    columns.append("NULL::UBIGINT AS key_hash")
    return (
        "SELECT NULL::VARCHAR AS file, NULL::BIGINT AS line, NULL::VARCHAR AS partner, "
        f"{', '.join(columns)} WHERE false"
    )


@dataclass(frozen=True)
class _Check:
    """One check of a file's rows: where ``condition`` holds, a problem in ``column``."""

    condition: str
    column: str | None
    expected: str  # ``{detail}`` is filled in from the detail expression
    value: str = "NULL"
    detail: str = "NULL"


class _Reader:
    def __init__(self, config: SourcesConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET preserve_insertion_order = true")
        self.problems: list[Problem] = []
        self.tables: dict[str, list[str]] = {}  # kind -> its files' tables

    def problem(self, file: str, line, column, value, expected: str) -> None:
        self.problems.append(Problem(file, line, column, value, expected))

    def read(self, source: Source) -> ExportFile:
        try:
            name, sha256, path = _prepare(source, self.workdir)
        except OSError as error:
            self.problem(str(source), None, None, None, f"cannot be read ({error.strerror})")
            return ExportFile(str(source), "", None, 0)
        if path is None:
            self.problem(name, None, None, None, "is not a text file (expected a CSV export)")
            return ExportFile(name, sha256, None, 0)
        header = _header(path)
        if not any(h.strip() for h in header):
            self.problem(name, None, None, None, "is empty (expected a header row and rows)")
            return ExportFile(name, sha256, None, 0)
        kind, missing = _kind(header)
        if kind is None:
            labels = "; ".join(f"{k.label}: {', '.join(c.label for c in k.columns)}" for k in KINDS)
            self.problem(
                name, 1, None, None, f"has a header no export kind matches (expected {labels})"
            )
            return ExportFile(name, sha256, None, 0)
        for label in missing:
            self.problem(
                name,
                1,
                label,
                None,
                f"is missing from the header (an {kind.label} export has the columns "
                f"{', '.join(c.label for c in kind.columns)})",
            )
        if missing:
            return ExportFile(name, sha256, kind, 0)
        rows = self._load(name, path, header, kind)
        if rows == 0:
            self.problem(name, None, None, None, "has a header but no rows")
        return ExportFile(name, sha256, kind, rows)

    def _typed_rows(self, path: Path, header: list[str], kind: ExportKind, rejects: str) -> str:
        """The file's rows typed, with each typed cell's text; ``rejects``: the read_csv
        options for rows that are not well-formed CSV (else reading them raises)."""
        position = {label.strip().casefold(): i for i, label in enumerate(header)}
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
        picked = ", ".join(
            f"nullif(trim(c{position[c.label.casefold()]}), '') AS {c.name}"
            for c in kind.read_columns
        )
        partner = _lookup_sql(f"r.{kind.business_unit}", self.config.business_units)
        mapped = [
            f"{_lookup_sql(f'r.{column}', self.config.mapping(m))} AS {column}_mapped"
            for column, m in kind.mapped
        ]
        return f"""SELECT {partner if kind.business_unit else "NULL::VARCHAR"} AS partner,
                   {", ".join([*_typed_sql(kind), *mapped])}
            FROM (SELECT {picked} FROM read_csv(
                {_literal(str(path))}, columns = {{{columns}}}, header = false, skip = 1,
                delim = ',', quote = '"', escape = '"', auto_detect = false{rejects})) r"""

    def _load(self, name: str, path: Path, header: list[str], kind: ExportKind) -> int:
        n = sum(len(t) for t in self.tables.values())
        table = f"{kind.name}_{n}"
        kept = ", ".join(_kept(kind))
        rows = self._read_clean(n, path, header, kind)
        if rows is None:
            rows = self._read_listing(n, name, path, header, kind)
        else:  # the table's rowid is the row's order in the file
            self.con.execute(
                f"""CREATE VIEW {table} AS SELECT {_literal(name)} AS file,
                (rowid + 2)::BIGINT AS line, {kept}, key_hash FROM data_{n}"""
            )
        self.tables.setdefault(kind.name, []).append(table)
        return rows

    def _read_clean(self, n: int, path: Path, header: list[str], kind: ExportKind) -> int | None:
        """Read the file into ``data_<n>``, typed values only, and return its rows; None (and
        no table) when it is not well-formed CSV or a row fails a check."""
        checks = self._checks(None, kind)
        fails = " OR ".join(f"coalesce({c.condition}, false)" for c in checks) or "false"
        try:
            self.con.execute(
                f"""CREATE TABLE data_{n} AS
                SELECT {", ".join(_kept(kind))}, {_key_hash_sql(kind)}, {fails} AS failed
                FROM ({self._typed_rows(path, header, kind, "")})"""
            )
        except duckdb.Error:
            return None
        varied = " OR ".join(f"count(DISTINCT {c}) > 1" for c in kind.single) or "false"
        rows, failed, differs = self.con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE failed), {varied} FROM data_{n}"
        ).fetchall()[0]
        if failed or differs:
            self.con.execute(f"DROP TABLE data_{n}")
            return None
        self.con.execute(f"ALTER TABLE data_{n} DROP COLUMN failed")
        return rows

    def _read_listing(
        self, n: int, name: str, path: Path, header: list[str], kind: ExportKind
    ) -> int:
        """Read the file keeping every cell's text and line, and list its problems."""
        # Read and typed in one statement: the table's rowid is the row's order in the file.
        rejects = (
            f", store_rejects = true, rejects_table = 'rejects_{n}', rejects_scan = 'scan_{n}'"
        )
        self.con.execute(
            f"CREATE TABLE data_{n} AS {self._typed_rows(path, header, kind, rejects)}"
        )
        rejects = self.con.execute(
            f"SELECT line, column_name, csv_line, error_message FROM rejects_{n} ORDER BY line"
        ).fetchall()
        for line, column, text, message in rejects[:PROBLEMS_PER_CHECK]:
            label = header[int(column[1:])] if column and column.startswith("c") else None
            self.problem(
                name, line, label, text.strip(), f"cannot be read as a CSV row ({message})"
            )
        self._more(name, None, len(rejects))
        rows = self.con.execute(f"SELECT count(*) FROM data_{n}").fetchall()[0][0]
        # A rejected line leaves no row: map the rows that remain to their own lines.
        if rejects:
            self.con.execute(
                f"""CREATE TABLE lines_{n} AS SELECT row_number() OVER (ORDER BY l) - 1 AS k, l
                FROM range(2, {rows + len(rejects) + 2}) t(l)
                WHERE l NOT IN (SELECT line FROM rejects_{n})"""
            )
            line, join = "ln.l", f"JOIN lines_{n} ln ON ln.k = d.rowid"
        else:
            line, join = "d.rowid + 2", ""
        self.con.execute(
            f"""CREATE VIEW cells_{n} AS
            SELECT {_literal(name)} AS file, ({line})::BIGINT AS line, d.*
            FROM data_{n} d {join}"""
        )
        self.con.execute(
            f"CREATE VIEW {kind.name}_{n} AS SELECT file, line, {', '.join(_kept(kind))}, "
            f"{_key_hash_sql(kind)} FROM cells_{n}"
        )
        self._check_file(name, f"cells_{n}", kind)
        return rows

    def _more(self, file: str, column: str | None, total: int) -> None:
        if total > PROBLEMS_PER_CHECK:
            self.problem(
                file,
                None,
                column,
                None,
                f"has {total - PROBLEMS_PER_CHECK:,} more rows with the problem above",
            )

    def _listed(self, sql: str, column: str | None, expected: str, params=None) -> None:
        """Problems from a query returning file, line, value, detail (``{detail}`` in the
        expectation), at most PROBLEMS_PER_CHECK per file."""
        rows = self.con.execute(
            f"""SELECT file, line, value, detail, count(*) OVER (PARTITION BY file) AS n
            FROM ({sql})
            QUALIFY row_number() OVER (PARTITION BY file ORDER BY line) <= {PROBLEMS_PER_CHECK}
            ORDER BY file, line""",
            params or {},
        ).fetchall()
        totals = {}
        for file, line, value, detail, total in rows:
            self.problem(file, line, column, value, expected.format(detail=detail))
            totals[file] = total
        for file, total in totals.items():
            self._more(file, column, total)

    def _checks(self, table: str | None, kind: ExportKind) -> list[_Check]:
        """Every check of one file of a kind, in the order its problems are listed; without
        ``table`` (the file's rows with their lines), only those that look at one row."""
        checks = []
        for c in kind.read_columns:
            raw = f"{c.name}__raw" if _typed(c) else c.name
            if c.required:
                checks.append(
                    _Check(
                        f"{raw} IS NULL",
                        c.label,
                        f"is blank (expected a value in every {kind.label} row)",
                    )
                )
            if _typed(c):
                expected = {DATE: DATE_EXPECTED, TIME: TIME_EXPECTED, AMOUNT: AMOUNT_EXPECTED}.get(
                    c.type, f"is not one of {', '.join(c.choices)}"
                )
                checks.append(
                    _Check(f"{raw} IS NOT NULL AND {c.name} IS NULL", c.label, expected, raw)
                )
        if kind.business_unit:
            checks.append(
                _Check(
                    f"{kind.business_unit} IS NOT NULL AND partner IS NULL",
                    kind.column(kind.business_unit).label,
                    f"is not a business unit named in {self.config.path.name} "
                    f"(expected {', '.join(self.config.business_units)})",
                    kind.business_unit,
                )
            )
        for column, mapping in kind.mapped:
            names = ", ".join(self.config.mapping(mapping)) or "none: the mapping is empty"
            checks.append(
                _Check(
                    f"{column} IS NOT NULL AND {column}_mapped IS NULL",
                    kind.column(column).label,
                    f"is not named in {self.config.path.name}'s {mapping} (expected {names})",
                    column,
                )
            )
        for column in kind.single if table else ():
            c = kind.column(column)
            raw = f"{column}__raw" if _typed(c) else column
            first = f"(SELECT {{}} FROM {table} ORDER BY line LIMIT 1)"
            checks.append(
                _Check(
                    f"{column} <> {first.format(column)}",
                    c.label,
                    f"differs from the {c.label} {{detail}} of the file's first row "
                    f"(expected one {c.label} in every row of an {kind.label} export)",
                    raw,
                    first.format(raw),
                )
            )
        for earlier, later in kind.order:
            checks.append(
                _Check(
                    f"{later} < {earlier}",
                    kind.column(later).label,
                    f"is before the {kind.column(earlier).label} {{detail}} "
                    "(expected on or after it)",
                    f"{later}__raw",
                    f"{earlier}__raw",
                )
            )
        return checks

    def _check_file(self, name: str, table: str, kind: ExportKind) -> None:
        """Every check in one pass over the file's rows; then only the rows flagged are
        looked at again, per check."""
        checks = self._checks(table, kind)
        flags = ", ".join(f"coalesce({c.condition}, false) AS k{i}" for i, c in enumerate(checks))
        values = ", ".join(
            f"({c.value})::VARCHAR AS v{i}, ({c.detail})::VARCHAR AS d{i}"
            for i, c in enumerate(checks)
        )
        self.con.execute(
            f"""CREATE TEMP TABLE flagged AS
            SELECT * FROM (SELECT line, {flags}, {values} FROM {table})
            WHERE {" OR ".join(f"k{i}" for i in range(len(checks)))}"""
        )
        for i, c in enumerate(checks):
            self._listed(
                f"SELECT $file AS file, line, v{i} AS value, d{i} AS detail "
                f"FROM flagged WHERE k{i}",
                c.column,
                c.expected,
                {"file": name},
            )
        self.con.execute("DROP TABLE flagged")

    def finish(self) -> None:
        """One view per kind over its files, then the checks across rows and files."""
        for kind in KINDS:  # a kind not uploaded is an empty view of its columns
            tables = self.tables.get(kind.name) or [f"({_empty_sql(kind)})"]
            union = " UNION ALL ".join(f"SELECT * FROM {t}" for t in tables)
            self.con.execute(f"CREATE VIEW {kind.name} AS {union}")
        for kind in KINDS:
            if kind.name in self.tables and kind.key:
                labels = ", ".join(kind.column(k).label for k in kind.key)
                keys = ", ".join(kind.key)
                value = " || ' / ' || ".join(
                    f"{k}__raw" if _typed(kind.column(k)) else k for k in kind.key
                )
                # Repeats are looked for among the keys' hashes (numbers, cheap); only the rows
                # whose hash repeats are windowed over (a collision adds rows it then clears).
                rows, hashes = self.con.execute(
                    f"SELECT count(*), count(DISTINCT key_hash) FROM {kind.name}"
                ).fetchall()[0]
                if rows == hashes:
                    continue
                self._listed(
                    f"""WITH repeated AS (SELECT key_hash FROM {kind.name}
                                      GROUP BY ALL HAVING count(*) > 1)
                    SELECT file, line, {value} AS value,
                        first_value(file || ' line ' || line) OVER w AS detail
                    FROM {kind.name} WHERE key_hash IN (SELECT key_hash FROM repeated)
                    WINDOW w AS (PARTITION BY {keys} ORDER BY file, line)
                    QUALIFY row_number() OVER w > 1""",
                    labels,
                    "repeats a row already given at {detail} (expected each once)",
                )
        if "ap_holds" in self.tables:
            if "ap_invoices" not in self.tables:
                for table in self.tables["ap_holds"]:
                    file = self.con.execute(f"SELECT any_value(file) FROM {table}").fetchall()[0][0]
                    self.problem(
                        file,
                        None,
                        None,
                        None,
                        "holds invoices that only the AP invoices export describes "
                        "(expected an AP invoices export in the same upload)",
                    )
            else:
                self._listed(
                    """SELECT h.file, h.line, h.invoice_id AS value, NULL AS detail
                    FROM ap_holds h ANTI JOIN ap_invoices i ON i.invoice_id = h.invoice_id
                    WHERE h.invoice_id IS NOT NULL""",
                    "Invoice ID",
                    "is not an invoice in the AP invoices export "
                    "(expected a hold on an invoice it lists)",
                )


def read_exports(
    sources: Sequence[Source],
    config: SourcesConfig,
    workdir: Path | None = None,
    progress: Progress | None = None,
) -> Reading:
    """Read every export of an upload into one DuckDB connection; all problems collected.
    ``progress(step, steps, words)`` is told before each file is read."""
    with tempfile.TemporaryDirectory(prefix="emss-exports-", dir=workdir) as temporary:
        reader = _Reader(config, Path(temporary))
        files = []
        for step, source in enumerate(sources):
            if progress:
                name = source.name if isinstance(source, Path) else source[0]
                progress(step, len(sources) + 1, f"Reading {name}")
            files.append(reader.read(source))
        if not sources:
            reader.problem("upload", None, None, None, "holds no files (expected CSV exports)")
        reader.finish()
    return Reading(reader.con, files, reader.problems)
