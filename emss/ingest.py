"""Reading the CSV files people upload: decoding, validation and the commit (the preview of
what an upload would change is in ``emss.ingest_preview``).

The contract (README, "Uploading a quarter"): a file's kind comes from its header; every
problem in every file is reported at once with file, line, column, value and what was
expected; one bad row and nothing of the upload is stored.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import hashlib
import io
import math
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from emss import projects as plan
from emss.catalogue import (
    DEBT,
    PARTNER_NAMES,
    PARTNERS,
    WHOLE,
    Catalogue,
    Metric,
    load_catalogue,
)
from emss.errors import EmssError
from emss.quarters import Quarter, QuarterError, check_not_future
from emss.store import Snapshot, SourceFile, Store

DEFAULT_MAX_UPLOAD_MB = 10.0

METRICS_COLUMNS = ("quarter", "partner", "metric", "value")
DEBT_COLUMNS = DEBT.required
OPTIONAL_COLUMNS = ("note",)

# The digits alone: each alternative is unambiguous, so matching is linear in the text.
# Signs, brackets, £ and % around them are peeled off by a scan (_number_parts): one pattern
# with optional parts between runs of \s* backtracked polynomially ("(" + 300 spaces + "x"
# took 48 s).
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_PREFIX_SLOTS = (("open", "("), ("sign", "-−"), ("pound", "£"), ("sign2", "-−"))
_SUFFIXES = ((), ("%",), (")",), ("%", ")"))
# Bounds that keep validating a hostile file cheap: validation stops at LISTED_PROBLEMS
# problems (nobody reads further, and a "did you mean" costs about a millisecond each);
# values in problems are cut to SHOWN_CHARACTERS; a cell may hold MAX_CELL_CHARACTERS
# (Python's csv module's own limit).
LISTED_PROBLEMS = 1000
SUMMARY_QUARTERS = 8  # an upload's summary names up to this many quarters, else their range
SHOWN_CHARACTERS = 100
MAX_CELL_CHARACTERS = 131_072
# The csv module's limit is process-wide and stops a file at its first long cell; the upload
# size limit already bounds every cell, so each is measured here instead and named.
csv.field_size_limit(sys.maxsize)

NUMBER_EXAMPLE = "a number such as 43,689, £1,234.50, -1,234 or (1,234)"


class SettingError(EmssError, ValueError):
    """A setting (environment variable) that cannot be used; the message says which."""


def max_upload_bytes() -> int:
    """The upload size limit: EMSS_MAX_UPLOAD_MB megabytes, default 10."""
    text = os.environ.get("EMSS_MAX_UPLOAD_MB", str(DEFAULT_MAX_UPLOAD_MB))
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = math.nan
    if not 0 < megabytes < 1024**2:  # also refuses nan and inf
        raise SettingError(
            f'The setting EMSS_MAX_UPLOAD_MB is "{text}"; expected a number of megabytes '
            "such as 10. Correct it and restart the app."
        )
    return int(megabytes * 1024 * 1024)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload, located as precisely as it can be."""

    file: str
    line: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        if self.column:
            where += f", {self.column}"
        if self.value is None:
            return f"{where}: {self.expected}"
        return f'{where}: "{self.value}" {self.expected}'


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table: file, line, column, value, problem (what was expected)."""
    return pd.DataFrame(
        [(p.file, p.line, p.column, p.value, p.expected) for p in problems],
        columns=["file", "line", "column", "value", "problem"],
    )


@dataclass(frozen=True)
class FileSummary:
    name: str
    kind: str | None
    rows: int
    sha256: str


@dataclass
class Validation:
    """The outcome of reading an upload: rows ready to store, or problems, never both used."""

    metrics: pd.DataFrame
    debt: pd.DataFrame
    files: list[FileSummary]
    problems: list[Problem] = field(default_factory=list)
    projects: pd.DataFrame = field(default_factory=lambda: plan.ProjectReader().frame())
    stopped: bool = False  # validation stopped at LISTED_PROBLEMS problems

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sources(self) -> list[SourceFile]:
        return [SourceFile(f.name, f.sha256) for f in self.files]

    @property
    def quarters(self) -> list[Quarter]:
        found = set(self.metrics["quarter"]) | set(self.debt["quarter"])
        found |= set(self.projects["quarter"])
        return sorted(Quarter.parse(q) for q in found)

    def problems_frame(self) -> pd.DataFrame:
        return problems_frame(self.problems)

    def summary(self) -> str:
        """One line: what the upload holds, or how many problems it has."""
        files = f"{len(self.files)} file{'s' * (len(self.files) != 1)}"
        if not self.ok:
            count = len(self.problems)
            if self.stopped:
                return (
                    f"{files}: {count:,} problems, and checking stopped there "
                    "(correct these and check again); nothing can be stored"
                )
            return f"{files}: {count:,} problem{'s' * (count != 1)}; nothing can be stored"
        found = self.quarters
        quarters = ", ".join(str(q) for q in found) or "no quarter"
        if len(found) > SUMMARY_QUARTERS:
            quarters = f"{len(found):,} quarters, {found[0]} to {found[-1]}"
        held = [f"{len(self.metrics)} figures", f"{len(self.debt)} debt movements"]
        if len(self.projects):
            held = [", ".join(held), f"{len(self.projects)} projects"]
        return f"{files} OK: {' and '.join(held)} for {quarters}"


def _number_parts(text: str) -> dict[str, str] | None:
    """Split a figure into its marks (open, sign, pound, sign2, pct, close) and digits, in
    the order ``(`` ``-`` ``£`` ``-`` digits ``%`` ``)`` with spaces between; None if it is
    not in that shape. One pass over the text: no backtracking."""
    start, end = 0, len(text)
    prefix: list[str] = []
    while start < end and (text[start] in "(-−£" or text[start].isspace()):
        if not text[start].isspace():
            prefix.append(text[start])
        start += 1
    suffix: list[str] = []
    while end > start and (text[end - 1] in "%)" or text[end - 1].isspace()):
        if not text[end - 1].isspace():
            suffix.append(text[end - 1])
        end -= 1
    suffix.reverse()
    digits = text[start:end]
    if tuple(suffix) not in _SUFFIXES or not _DIGITS.fullmatch(digits):
        return None
    parts = {"digits": digits, "pct": "%" * ("%" in suffix), "close": ")" * (")" in suffix)}
    marks = iter(prefix)
    mark = next(marks, None)
    for slot, allowed in _PREFIX_SLOTS:
        parts[slot] = ""
        if mark is not None and mark in allowed:
            parts[slot], mark = mark, next(marks, None)
    return None if mark is not None else parts


def parse_number(text: str, *, percent_sign: bool) -> float:
    """Read a number as Excel and people write it; raise ValueError saying what was expected."""
    text = text.strip()
    if _DIGITS.fullmatch(text):  # the common case, a plain figure: no marks to check
        return _figure_value(text)
    match = _number_parts(text)
    if not match or bool(match["open"]) != bool(match["close"]):
        raise ValueError(f"is not a number (expected {NUMBER_EXAMPLE})")
    if sum(bool(match[g]) for g in ("open", "sign", "sign2")) > 1:
        raise ValueError(f"has more than one minus sign (expected {NUMBER_EXAMPLE})")
    if match["pct"] and not percent_sign:
        raise ValueError("has a % sign but this metric is not a percentage")
    value = _figure_value(match["digits"])
    negative = match["open"] or match["sign"] or match["sign2"]
    return -value if negative and value else value


def _figure_value(digits: str) -> float:
    value = float(digits.replace(",", ""))
    if not math.isfinite(value) or value > 1e15:
        raise ValueError("is too large to be a figure (expected at most 1,000,000,000,000,000)")
    return value


def decode(data: bytes) -> str:
    """UTF-16 with a byte-order mark (Excel's "Unicode text"), UTF-8 (with or without BOM)
    or Windows-1252 text; ValueError for anything else."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")  # the mark says which byte order, and is dropped
        if "\x00" in text:
            raise ValueError("binary")
        return text
    if b"\x00" in data:
        raise ValueError("binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # raises UnicodeDecodeError (a ValueError) if not text


def _lookup(options: Sequence[str], aliases: dict[str, str] | None = None) -> dict[str, str]:
    table = {o.casefold(): o for o in options}
    table.update({k.casefold(): v for k, v in (aliases or {}).items() if v in options})
    return table


class _Reader:
    """Validates the files of one upload, collecting rows and problems."""

    def __init__(self, catalogue: Catalogue, today: dt.date | None, max_bytes: int) -> None:
        self.catalogue = catalogue
        self.today = today
        self.max_bytes = max_bytes
        self.problems: list[Problem] = []
        self.hints: dict[str, str] = {}
        self.uploadable = {m.key: m for m in catalogue.uploadable}
        self.metrics: list[tuple] = []  # rows in the order of METRICS_COLUMNS, then the note
        self.debt: list[tuple] = []
        self.seen: dict[tuple, tuple[str, int]] = {}
        full_names = {name: code for code, name in PARTNER_NAMES.items() if code != WHOLE}
        self.partners = _lookup(PARTNERS, full_names)
        self.debt_partners = _lookup(catalogue.debt.partners, full_names)
        self.sectors = _lookup(catalogue.debt.sectors)
        self.collectors = _lookup(catalogue.debt.collectors)
        self.quarters: dict[str, tuple[str | None, str]] = {}  # text: (canonical, problem)
        self.projects = plan.ProjectReader(catalogue.projects)

    @property
    def stopped(self) -> bool:
        """Whether validation has found as many problems as it lists, and stops."""
        return len(self.problems) >= LISTED_PROBLEMS

    def problem(self, file: str, line: int | None, column: str | None, value, expected: str):
        if self.stopped:
            return
        if isinstance(value, str) and len(value) > SHOWN_CHARACTERS:
            value = f"{value[:SHOWN_CHARACTERS]}… ({len(value):,} characters)"
        self.problems.append(Problem(file, line, column, value, expected))

    def read_file(self, name: str, data: bytes) -> FileSummary:
        digest = hashlib.sha256(data).hexdigest()
        if self.stopped:
            return FileSummary(name, None, 0, digest)
        if len(data) > self.max_bytes:
            self.problem(name, None, None, None, _too_large(len(data), self.max_bytes))
            return FileSummary(name, None, 0, digest)
        try:
            text = decode(data)
        except ValueError:
            self.problem(
                name,
                None,
                None,
                None,
                "is not a text file (expected a CSV in UTF-8, UTF-16 or Windows-1252)",
            )
            return FileSummary(name, None, 0, digest)
        before = self._held()
        try:
            kind = self._rows(name, self._records(text))
        except csv.Error as error:
            self.problem(name, None, None, None, f"is not a readable CSV ({error})")
            return FileSummary(name, None, 0, digest)
        return FileSummary(name, kind, self._held() - before, digest)

    def _rows(self, name: str, records: Iterable[tuple[int, list[str]]]) -> str | None:
        """Check every row of a file; the file's kind, or None if its header is unusable."""
        records = iter(records)
        first = next(records, None)
        if first is None:
            self.problem(name, None, None, None, "is empty (expected a header row and figures)")
            return None
        header_line, header = first
        kind, columns = self._header(name, header_line, header)
        if kind is None:
            return None
        read_row = {
            "metrics": self._metric_row,
            "debt": self._debt_row,
            "projects": self._project_row,
        }[kind]
        rows = 0
        for line, fields in records:
            if self.stopped:
                break
            rows += 1
            if len(fields) > len(header) and any(f.strip() for f in fields[len(header) :]):
                self.problem(
                    name,
                    line,
                    None,
                    None,
                    f"has {len(fields)} fields but the header has {len(header)}",
                )
                continue
            fields += [""] * (len(header) - len(fields))  # a short row's missing cells are empty
            cells = {col: fields[i].strip() for col, i in columns.items()}
            if max(map(len, cells.values())) > MAX_CELL_CHARACTERS:
                self._too_long(name, line, cells)
            else:
                read_row(name, line, cells)
        if not rows:
            self.problem(name, None, None, None, "has a header but no rows of figures")
        return kind

    def _too_long(self, name: str, line: int, cells: dict[str, str]) -> None:
        for column, cell in cells.items():
            if len(cell) > MAX_CELL_CHARACTERS:
                self.problem(
                    name,
                    line,
                    column,
                    cell,
                    f"is longer than {MAX_CELL_CHARACTERS:,} characters "
                    "(expected a figure or a note of at most that length)",
                )

    def _held(self) -> int:
        return len(self.metrics) + len(self.debt) + len(self.projects.rows)

    def _project_row(self, name: str, line: int, cells: dict[str, str]) -> None:
        quarter = self._quarter(name, line, cells["quarter"])
        self.projects.read(self.problem, name, line, quarter, cells)

    @staticmethod
    def _records(text: str):
        """(line number, fields) of every row that is not blank; the line is where it starts.
        Comma-separated, or tab-separated when the first line has tabs and no comma (Excel's
        "Unicode text")."""
        end = text.find("\n")
        first = text if end < 0 else text[:end]
        delimiter = "\t" if "\t" in first and "," not in first else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        line = 1
        for fields in reader:
            if any(map(str.strip, fields)):
                yield line, fields
            line = reader.line_num + 1

    def _header(self, name: str, line: int, header: list[str]):
        columns: dict[str, int] = {}
        for i, raw in enumerate(header):
            col = raw.strip().lstrip("\ufeff").casefold()
            if col in columns:
                self.problem(name, line, col, raw, "appears twice in the header")
            elif col:
                columns[col] = i
        if "metric" in columns or "value" in columns:
            kind, required = "metrics", METRICS_COLUMNS
        elif (set(DEBT_COLUMNS) - set(METRICS_COLUMNS)) & set(columns):
            kind, required = "debt", DEBT_COLUMNS
        elif {"theme", "project", "update"} & set(columns):
            kind, required = "projects", plan.REQUIRED_COLUMNS
        else:
            self.problem(
                name,
                line,
                None,
                ",".join(header),
                "is not a known header (expected quarter,partner,metric,value,note for metrics, "
                "quarter,partner,collector,sector,movement_gbp,note for debt movements "
                f"or {plan.HEADER} for projects)",
            )
            return None, {}
        missing = [c for c in required if c not in columns]
        for col in missing:
            self.problem(name, line, col, None, f"column is missing from the {kind} header")
        return (None, {}) if missing else (kind, columns)

    def _quarter(self, name: str, line: int, text: str) -> str | None:
        if text not in self.quarters:
            try:
                quarter = Quarter.parse(text)
                check_not_future(quarter, self.today)
                self.quarters[text] = (str(quarter), "")
            except QuarterError as error:
                self.quarters[text] = (None, str(error))
        canonical, problem = self.quarters[text]
        if canonical is None:
            self.problem(name, line, "quarter", text, problem)
        return canonical

    def _choice(self, name, line, column, text, table, what) -> str | None:
        found = table.get(text.casefold())
        if found is None:
            options = ", ".join(dict.fromkeys(table.values()))
            self.problem(
                name, line, column, text, f"is not a known {what} (expected one of {options})"
            )
        return found

    def _metric(self, name: str, line: int, text: str) -> Metric | None:
        key = text.strip()
        if key in self.uploadable:  # the common case, checked first: one lookup per row
            return self.uploadable[key]
        if key not in self.catalogue:
            self.problem(name, line, "metric", text, f"is not a known metric{self._hint(key)}")
            return None
        metric = self.catalogue[key]
        if metric.derived:
            parts = f"{metric.derived.numerator} and {metric.derived.denominator}"
            self.problem(
                name,
                line,
                "metric",
                text,
                f"is derived from {parts}, so it is computed, not uploaded: upload {parts} instead",
            )
            return None
        return metric

    def _hint(self, key: str) -> str:
        """ " (did you mean x?)", searched once per distinct misspelling."""
        if key not in self.hints:
            close = difflib.get_close_matches(key, self.catalogue.keys, n=1)
            self.hints[key] = (
                f" (did you mean {close[0]}?)" if close else " (see the metric catalogue)"
            )
        return self.hints[key]

    def _value(self, name, line, column, text, metric: Metric | None) -> float | None:
        unit = metric.unit if metric else None
        try:
            value = parse_number(text, percent_sign=bool(unit and unit.accepts_percent_sign))
        except ValueError as error:
            self.problem(name, line, column, text, str(error))
            return None
        if unit is None:
            return value
        if unit.maximum is not None and not unit.minimum <= value <= unit.maximum:
            bounds = f"{unit.minimum:g}–{unit.maximum:g}"
            self.problem(name, line, column, text, f"is outside {bounds} (expected a percentage)")
        elif unit.minimum is not None and value < unit.minimum:
            self.problem(
                name, line, column, text, f"is negative (expected a {unit.name} of 0 or more)"
            )
        elif unit.whole and value != int(value):
            self.problem(
                name, line, column, text, f"is not a whole number (expected a {unit.name})"
            )
        else:
            return value
        return None

    def _once(self, name: str, line: int, column: str, key: tuple, shown: str) -> bool:
        if key in self.seen:
            first_file, first_line = self.seen[key]
            self.problem(
                name,
                line,
                column,
                shown,
                f"repeats {' / '.join(key)}, already given at {first_file} line {first_line} "
                "(expected each key once per upload)",
            )
            return False
        self.seen[key] = (name, line)
        return True

    def _metric_row(self, name: str, line: int, cells: dict[str, str]) -> None:
        quarter = self._quarter(name, line, cells["quarter"])
        partner = self._choice(name, line, "partner", cells["partner"], self.partners, "partner")
        metric = self._metric(name, line, cells["metric"])
        if metric and partner and partner not in (*metric.partners, WHOLE):
            *others, last = dict.fromkeys((*metric.partners, WHOLE))
            allowed = f"{', '.join(others)} or {last}" if others else last
            self.problem(
                name,
                line,
                "partner",
                cells["partner"],
                f"is not reported for {metric.key} (expected {allowed})",
            )
            partner = None
        if cells["value"] == "":
            return  # not reported: skipped, never stored as zero
        value = self._value(name, line, "value", cells["value"], metric)
        if None in (quarter, partner, metric, value):
            return
        if self._once(name, line, "metric", (quarter, partner, metric.key), metric.key):
            self.metrics.append((quarter, partner, metric.key, value, cells.get("note") or None))

    def _debt_row(self, name: str, line: int, cells: dict[str, str]) -> None:
        quarter = self._quarter(name, line, cells["quarter"])
        partner = self._choice(
            name, line, "partner", cells["partner"], self.debt_partners, "debt partner"
        )
        sector = self._choice(name, line, "sector", cells["sector"], self.sectors, "sector")
        collector = " ".join(cells["collector"].split())
        if not collector:
            self.problem(name, line, "collector", "", "is empty (expected a collector's name)")
        collector = self.collectors.get(collector.casefold(), collector)
        if cells["movement_gbp"] == "":
            return
        movement = self._value(name, line, "movement_gbp", cells["movement_gbp"], None)
        if None in (quarter, partner, sector, movement) or not collector:
            return
        if self._once(name, line, "sector", (quarter, partner, collector, sector), sector):
            self.debt.append(
                (quarter, partner, collector, sector, movement, cells.get("note") or None)
            )


def validate(
    files: Sequence[tuple[str, bytes]],
    *,
    today: dt.date | None = None,
    max_bytes: int | None = None,
    catalogue: Catalogue | None = None,
) -> Validation:
    """Read every file of an upload; all problems are collected, none raised."""
    reader = _Reader(catalogue or load_catalogue(), today, max_bytes or max_upload_bytes())
    summaries = [reader.read_file(name, data) for name, data in files]
    if not files:
        reader.problem("upload", None, None, None, "holds no files (expected one or more CSVs)")
    return Validation(
        metrics=pd.DataFrame(
            reader.metrics, columns=["quarter", "partner", "metric", "value", "note"]
        ),
        debt=pd.DataFrame(
            reader.debt,
            columns=list(DEBT.columns),
        ),
        files=summaries,
        problems=reader.problems,
        projects=reader.projects.frame(),
        stopped=reader.stopped,
    )


def read_files(paths: Iterable[Path], *, max_bytes: int | None = None) -> Validation:
    """Validate files on disk. A file's size is checked before it is read, so an oversized
    file is refused without loading it; an unreadable one is reported once, by name."""
    limit = max_bytes or max_upload_bytes()
    files: list[tuple[str, bytes]] = []
    unreadable: list[Problem] = []
    for path in paths:
        try:
            size = path.stat().st_size
            if size > limit:
                unreadable.append(Problem(path.name, None, None, None, _too_large(size, limit)))
                continue
            files.append((path.name, path.read_bytes()))
        except OSError as error:
            reason = error.strerror or str(error)
            unreadable.append(Problem(str(path), None, None, None, f"cannot be read ({reason})"))
    result = validate(files, max_bytes=limit) if files or not unreadable else None
    if result is None:
        return Validation(
            metrics=pd.DataFrame(columns=["quarter", "partner", "metric", "value", "note"]),
            debt=pd.DataFrame(columns=[*DEBT_COLUMNS, "note"]),
            files=[],
            problems=unreadable,
        )
    result.problems[:0] = unreadable
    return result


def _too_large(size: int, limit: int) -> str:
    return f"is {size / 1024 / 1024:.1f} MB, larger than the {limit / 1024 / 1024:g} MB limit"


def commit(store: Store, validation: Validation, *, uploaded_by: str) -> Snapshot:
    """Store a clean upload as one snapshot; refuse one with problems."""
    if not validation.ok:
        raise ValueError(f"the upload has problems and was not stored: {validation.summary()}")
    return store.commit(
        {"metrics": validation.metrics, "debt": validation.debt, "projects": validation.projects},
        uploaded_by=uploaded_by,
        kind="upload",
        sources=validation.sources,
    )
