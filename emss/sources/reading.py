"""Reading exports with DuckDB: the kind from the header, typed columns, every problem.

A file is checked for encoding in Python (UTF-8, else Windows-1252, transcoded to a
temporary UTF-8 copy), its header is matched against the kinds, and DuckDB reads it: only
the kind's columns are kept, each date and amount parsed in SQL. Every problem of every file
is listed (a check that fails on many rows lists the first ``PROBLEMS_PER_CHECK`` and counts
the rest); a clean read leaves one table per file and one view per kind,
named as the kind, in the connection.
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
import pandas as pd

from emss.ingest import Problem
from emss.sources.config import SourcesConfig
from emss.sources.kinds import AMOUNT, DATE, KINDS, TEXT, ExportKind

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")
DATE_EXPECTED = "is not a date (expected 2023-12-19, 19/12/2023 or 19-Dec-2023)"
AMOUNT_EXPECTED = "is not an amount (expected e.g. 1234.50, £1,234.50 or -1,234.50)"
# pence exactly: sums of money stay exact
_AMOUNT_PATTERN = r"-?\s*£?\s*-?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?"
_AMOUNT_SQL = (
    "CASE WHEN regexp_full_match({v}, '"
    + _AMOUNT_PATTERN.replace("{", "{{").replace("}", "}}")
    + "')"
    " THEN TRY_CAST(regexp_replace({v}, '[£,\\s]', '', 'g') AS DECIMAL(18, 2)) END"
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
    """(name, SHA-256, UTF-8 path or None when the file is not text in either encoding)."""
    if isinstance(source, tuple):
        name, data = source
        read = lambda: (data[i : i + _CHUNK] for i in range(0, len(data), _CHUNK))  # noqa: E731
    else:
        name = source.name

        def read():
            with source.open("rb") as handle:
                while chunk := handle.read(_CHUNK):
                    yield chunk

    target = workdir / f"{len(list(workdir.iterdir()))}.csv"
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        digest = hashlib.sha256()
        try:
            with target.open("w", encoding="utf-8", newline="") as out:
                for chunk in read():
                    digest.update(chunk)
                    if b"\x00" in chunk:
                        raise UnicodeDecodeError(encoding, chunk, 0, 1, "binary")
                    out.write(decoder.decode(chunk))
                out.write(decoder.decode(b"", final=True))
            return name, digest.hexdigest(), target
        except UnicodeDecodeError as error:
            if error.reason == "binary":
                break
    digest = hashlib.sha256()
    for chunk in read():
        digest.update(chunk)
    return name, digest.hexdigest(), None


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
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


def _choice_sql(column: str, choices: Sequence[str]) -> str:
    cases = " ".join(f"WHEN '{c.lower()}' THEN '{c}'" for c in choices)
    return f"CASE lower({column}) {cases} END"


def _typed_sql(kind: ExportKind) -> list[str]:
    """Each column typed, plus the raw text (``<name>__raw``) of every typed one."""
    out = []
    for c in kind.columns:
        raw = f"r.{c.name}"
        if c.type == DATE:  # one format by the text's shape: 14 times faster than a list
            typed = (
                f"CASE WHEN regexp_full_match({raw}, '\\d{{4}}-\\d{{2}}-\\d{{2}}') "
                f"THEN TRY_CAST({raw} AS DATE) "
                f"WHEN contains({raw}, '/') THEN try_strptime({raw}, '{DATE_FORMATS[1]}')::DATE "
                f"ELSE try_strptime({raw}, '{DATE_FORMATS[2]}')::DATE END"
            )
        elif c.type == AMOUNT:
            typed = _AMOUNT_SQL.format(v=raw)
        elif c.choices:
            typed = _choice_sql(raw, c.choices)
        else:
            out.append(f"{raw} AS {c.name}")
            continue
        out += [f"{typed} AS {c.name}", f"{raw} AS {c.name}__raw"]
    return out


def _empty_sql(kind: ExportKind) -> str:
    types = {DATE: "DATE", AMOUNT: "DECIMAL(18, 2)"}
    columns = []
    for c in kind.columns:
        columns.append(f"NULL::{types.get(c.type, 'VARCHAR')} AS {c.name}")
        if c.type != TEXT or c.choices:
            columns.append(f"NULL::VARCHAR AS {c.name}__raw")
    return (
        "SELECT NULL::VARCHAR AS file, NULL::BIGINT AS line, NULL::VARCHAR AS partner, "
        f"{', '.join(columns)} WHERE false"
    )


class _Reader:
    def __init__(self, config: SourcesConfig, workdir: Path) -> None:
        self.config = config
        self.workdir = workdir
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET preserve_insertion_order = true")
        units = pd.DataFrame(
            [(bu.casefold(), p) for bu, p in config.business_units.items()],
            columns=["key", "partner"],
        )
        self.con.from_df(units).create("business_units")
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

    def _load(self, name: str, path: Path, header: list[str], kind: ExportKind) -> int:
        n = sum(len(t) for t in self.tables.values())
        position = {label.strip().casefold(): i for i, label in enumerate(header)}
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
        picked = ", ".join(
            f"nullif(trim(c{position[c.label.casefold()]}), '') AS {c.name}" for c in kind.columns
        )
        self.con.execute(
            f"""CREATE TABLE raw_{n} AS SELECT {picked} FROM read_csv(
                $path, columns = {{{columns}}}, header = false, skip = 1, delim = ',',
                quote = '"', escape = '"', auto_detect = false, store_rejects = true,
                rejects_table = 'rejects_{n}', rejects_scan = 'scan_{n}')""",
            {"path": str(path)},
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
        # A rejected line leaves no row: map the rows that remain to their own lines.
        if rejects:
            total = (
                len(rejects) + self.con.execute(f"SELECT count(*) FROM raw_{n}").fetchall()[0][0]
            )
            self.con.execute(
                f"""CREATE TABLE lines_{n} AS SELECT row_number() OVER (ORDER BY l) - 1 AS k, l
                FROM range(2, {total + 2}) t(l)
                WHERE l NOT IN (SELECT line FROM rejects_{n})"""
            )
            line, join = "ln.l", f"JOIN lines_{n} ln ON ln.k = r.rowid"
        else:
            line, join = "r.rowid + 2", ""
        partner = "b.partner" if kind.business_unit else "NULL::VARCHAR"
        bu_join = (
            f"LEFT JOIN business_units b ON b.key = lower(r.{kind.business_unit})"
            if kind.business_unit
            else ""
        )
        table = f"{kind.name}_{n}"
        self.con.execute(
            f"""CREATE TABLE {table} AS
            SELECT $file AS file, {line}::BIGINT AS line, {partner} AS partner,
                   {", ".join(_typed_sql(kind))}
            FROM raw_{n} r {join} {bu_join}""",
            {"file": name},
        )
        self.con.execute(f"DROP TABLE raw_{n}")
        self.tables.setdefault(kind.name, []).append(table)
        self._check_file(name, table, kind)
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]

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

    def _check_file(self, name: str, table: str, kind: ExportKind) -> None:
        for c in kind.columns:
            if c.required:
                self._listed(
                    f"SELECT file, line, NULL AS value, NULL AS detail FROM {table} "
                    f"WHERE {c.name}{'__raw' if c.type != 'text' or c.choices else ''} IS NULL",
                    c.label,
                    f"is blank (expected a value in every {kind.label} row)",
                )
            if c.type == DATE:
                expected = DATE_EXPECTED
            elif c.type == AMOUNT:
                expected = AMOUNT_EXPECTED
            elif c.choices:
                expected = f"is not one of {', '.join(c.choices)}"
            else:
                continue
            self._listed(
                f"SELECT file, line, {c.name}__raw AS value, NULL AS detail FROM {table} "
                f"WHERE {c.name}__raw IS NOT NULL AND {c.name} IS NULL",
                c.label,
                expected,
            )
        if kind.business_unit:
            units = ", ".join(self.config.business_units)
            self._listed(
                f"SELECT file, line, {kind.business_unit} AS value, NULL AS detail FROM {table} "
                f"WHERE {kind.business_unit} IS NOT NULL AND partner IS NULL",
                kind.column(kind.business_unit).label,
                f"is not a business unit named in {self.config.path.name} (expected {units})",
            )
        for earlier, later in kind.order:
            before = kind.column(earlier)
            self._listed(
                f"SELECT file, line, {later}__raw AS value, {earlier}__raw AS detail "
                f"FROM {table} WHERE {later} < {earlier}",
                kind.column(later).label,
                f"is before the {before.label} {{detail}} (expected on or after it)",
            )

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
                value = " || ' / ' || ".join(f"{k}" for k in kind.key)
                self._listed(
                    f"""SELECT file, line, {value} AS value,
                        first_value(file || ' line ' || line) OVER w AS detail
                    FROM {kind.name} WHERE {" AND ".join(f"{k} IS NOT NULL" for k in kind.key)}
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
