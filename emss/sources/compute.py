"""From exports to figures: read, compute every figure the exports allow, commit.

``compute`` is what the CLI and the Upload page call: it reads the files (``reading``),
works out which quarters they cover, runs each family's definitions (``FAMILIES``: the
payables, the service desk, the receivables) and returns a ``Computation`` holding the
figures, the invoices on hold, the past-due balances and debt movements, every file's
lineage, problems and warnings. ``commit`` stores a clean one as a single ``computed``
snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import holidays
import pandas as pd

from emss.errors import EmssError
from emss.ingest import Problem, problems_frame
from emss.quarters import Quarter
from emss.sources import payables, receivables, service_desk
from emss.sources.config import SourcesConfig
from emss.sources.reading import Progress, Reading, Source, read_exports
from emss.store import Snapshot, SourceFile, Store

FAMILIES = (payables, service_desk, receivables)
METRIC_COLUMNS = ["quarter", "partner", "metric", "value", "note"]
ON_HOLD_COLUMNS = [
    "quarter",
    "partner",
    "invoice_id",
    "invoice_number",
    "supplier",
    "amount_gbp",
    "hold_name",
    "hold_date",
    "days_on_hold",
]
# An export whose dates stop more than this before a quarter's end covers it only in part.
PARTIAL_SLACK_DAYS = 7
# The financial quarter of a date as Quarter.index (start_year * 4 + number - 1).
QUARTER_MACRO = "CREATE OR REPLACE MACRO qidx(d) AS (year(d) * 12 + month(d) - 4) // 3"


class ComputeError(EmssError, ValueError):
    """A computation that cannot be stored (it has problems, or no figures)."""


@dataclass(frozen=True)
class FileLineage:
    """One export as a computed snapshot names it."""

    name: str
    sha256: str
    kind: str | None
    rows_read: int
    rows_used: int
    excluded: dict[str, int]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "excluded": dict(self.excluded),
        }


@dataclass
class Computation:
    """Figures computed from an upload of exports, or the problems that stop it."""

    files: list[FileLineage]
    problems: list[Problem]
    metrics: pd.DataFrame
    on_hold: pd.DataFrame
    quarters: list[Quarter] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)  # family area -> version
    debt: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=receivables.DEBT_COLUMNS)
    )
    balances: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=receivables.BALANCE_COLUMNS)
    )

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def sources(self) -> list[SourceFile]:
        return [SourceFile(f.name, f.sha256) for f in self.files]

    def lineage(self) -> dict:
        return {"definitions": dict(self.definitions), "exports": [f.to_json() for f in self.files]}

    def exclusions_frame(self) -> pd.DataFrame:
        """Rows left out on purpose: file, reason, rows."""
        rows = [(f.name, reason, n) for f in self.files for reason, n in f.excluded.items()]
        return pd.DataFrame(rows, columns=["file", "reason", "rows"])

    def problems_frame(self) -> pd.DataFrame:
        return problems_frame(self.problems)

    def summary(self) -> str:
        files = f"{len(self.files)} export{'s' * (len(self.files) != 1)}"
        if not self.ok:
            n = len(self.problems)
            return f"{files}: {n} problem{'s' * (n != 1)}; nothing can be stored"
        quarters = ", ".join(str(q) for q in self.quarters) or "no quarter"
        out = f"{files} OK: {len(self.metrics)} figures for {quarters}"
        if len(self.debt):
            debt_quarters = ", ".join(sorted(set(self.debt["quarter"])))
            out += f"; {len(self.debt)} debt movements for {debt_quarters}"
        if len(self.balances):
            days = sorted(set(self.balances["as_of"]))
            out += f"; past-due balances at {', '.join(f'{d:%d %b %Y}' for d in days)}"
        return out


def _covered(reading: Reading, families=FAMILIES) -> tuple[dt.date, dt.date] | None:
    """The first and last date the coverage dates of these families' exports reach."""
    parts = [
        f"SELECT min({c}) AS lo, max({c}) AS hi FROM {kind}"
        for family in families
        for kind, columns in family.COVERAGE.items()
        if kind in reading.kinds
        for c in columns
    ]
    if not parts:
        return None
    lo, hi = reading.con.execute(
        f"SELECT min(lo), max(hi) FROM ({' UNION ALL '.join(parts)})"
    ).fetchall()[0]
    return (lo, hi) if lo is not None else None


def _quarters_table(reading: Reading, quarters: Sequence[Quarter]) -> None:
    frame = pd.DataFrame(
        {
            "quarter": [str(q) for q in quarters],
            "idx": [q.index for q in quarters],
            "first_day": [q.first_month for q in quarters],
            "last_day": [q.next.first_month - dt.timedelta(days=1) for q in quarters],
        },
        columns=["quarter", "idx", "first_day", "last_day"],
    ).astype({"idx": "int64"})
    frame["first_day"] = pd.to_datetime(frame["first_day"]).dt.date
    frame["last_day"] = pd.to_datetime(frame["last_day"]).dt.date
    reading.con.execute("DROP TABLE IF EXISTS quarters")
    reading.con.from_df(frame).create("quarters")
    reading.con.execute(
        "CREATE OR REPLACE TABLE quarters AS SELECT quarter, idx, first_day::DATE AS first_day, "
        "last_day::DATE AS last_day FROM quarters"
    )


def _calendar(reading: Reading) -> None:
    """``calendar(day, n)``: n counts the working days (England and Wales) up to ``day``."""
    lo, hi = dt.date(2000, 1, 1), dt.date(2000, 1, 1)
    if "supplier_requests" in reading.kinds:
        found = reading.con.execute(
            "SELECT min(requested_date), max(greatest(requested_date, approved_date)) "
            "FROM supplier_requests"
        ).fetchall()[0]
        if found[0] is not None:
            lo, hi = found
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(lo.year, hi.year + 1))
    reading.con.from_df(pd.DataFrame({"day": sorted(bank)}, dtype="object")).create("bank_days")
    reading.con.execute(
        """CREATE TABLE calendar AS
        SELECT d::DATE AS day,
               sum(CASE WHEN isodow(d) <= 5 AND d::DATE NOT IN (SELECT day::DATE FROM bank_days)
                        THEN 1 ELSE 0 END) OVER (ORDER BY d) AS n
        FROM range($lo::TIMESTAMP, $hi::TIMESTAMP + INTERVAL 1 DAY, INTERVAL 1 DAY) t(d)""",
        {"lo": lo, "hi": hi},
    )


def _lineage(reading: Reading) -> list[FileLineage]:
    excluded: dict[str, dict[str, int]] = {}
    whole: dict[str, int] = {}
    for family in FAMILIES:
        for kind, sql in family.EXCLUSIONS.items():
            if kind not in reading.kinds:
                continue
            rows = reading.con.execute(
                f"SELECT file, reason, any_value(whole), count(*) FROM ({sql}) "
                "WHERE reason IS NOT NULL GROUP BY ALL ORDER BY file, reason"
            ).fetchall()
            for file, reason, is_whole, n in rows:
                excluded.setdefault(file, {})[reason] = n
                whole[file] = whole.get(file, 0) + (n if is_whole else 0)
    return [
        FileLineage(
            f.name,
            f.sha256,
            f.kind.name if f.kind else None,
            f.rows_read,
            f.rows_read - whole.get(f.name, 0),
            excluded.get(f.name, {}),
        )
        for f in reading.files
    ]


def _reaches(q: Quarter, lo: dt.date, hi: dt.date) -> bool:
    """Whether the dates from ``lo`` to ``hi`` reach into quarter ``q``."""
    return lo < q.next.first_month and hi >= q.first_month


def _warnings(quarters: Sequence[Quarter], lo: dt.date, hi: dt.date) -> list[str]:
    slack = dt.timedelta(days=PARTIAL_SLACK_DAYS)
    out = []
    for q in quarters:
        first, last = q.first_month, q.next.first_month - dt.timedelta(days=1)
        if _reaches(q, lo, hi) and (hi < last - slack or lo > first + slack):
            out.append(
                f"{q} is covered only in part: the exports' dates run from "
                f"{lo:%d %b %Y} to {hi:%d %b %Y}; its figures are for those days only"
            )
    return out


def _aging_dates(reading: Reading) -> list[dt.date]:
    if "ar_aging" not in reading.kinds:
        return []
    rows = reading.con.execute("SELECT DISTINCT as_of FROM ar_aging ORDER BY 1").fetchall()
    return [day for (day,) in rows]


def _debt(
    reading: Reading,
    config: SourcesConfig,
    quarters: Sequence[Quarter],
    store: Store | None,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The past-due balances at every aging's date, the debt movement of each quarter asked
    whose end an aging gives, and warnings saying why a movement is missing."""
    balances = receivables.balances(reading.con, config)
    noted = receivables.notes(reading.con, config)
    warnings = receivables.unmapped(reading.con, config)
    frames = []
    for day in sorted(set(balances["as_of"])):
        if not receivables.quarter_end(day):
            warnings.append(
                f"The AR aging as of {day:%d %b %Y} is not a quarter's last day: its past-due "
                "balances are kept, but a debt movement runs from one quarter end to the next, "
                "so it gives none"
            )
            continue
        quarter = Quarter.containing(day)
        if quarter not in quarters:
            continue
        before_day = quarter.first_month - dt.timedelta(days=1)
        now = balances[balances["as_of"] == day]
        before = balances[balances["as_of"] == before_day]
        missing = set(now["partner"]) - set(before["partner"])
        if missing and store is not None:
            kept = receivables.stored_balances(store, before_day)
            before = pd.concat([before, kept[kept["partner"].isin(missing)]], ignore_index=True)
        stored = "; none is stored" if store is not None else ""
        for partner in sorted(set(now["partner"]) - set(before["partner"])):
            warnings.append(
                f"No debt movement for {partner} in {quarter}: it needs the past-due balance at "
                f"{before_day:%d %b %Y} (upload the AR aging as of that day{stored})"
            )
        frames.append(receivables.movements(now, before, quarter, noted[noted["as_of"] == day]))
    debt = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=receivables.DEBT_COLUMNS)
    )
    return debt, balances, warnings


def compute(
    sources: Sequence[Source],
    config: SourcesConfig,
    *,
    quarter: Quarter | None = None,
    today: dt.date | None = None,
    store: Store | None = None,
    progress: Progress | None = None,
) -> Computation:
    """Read the exports and compute every figure they allow, for ``quarter`` or for every
    quarter they cover up to the current one. Problems are collected, never raised.

    ``store``: where a stored past-due balance is looked for when an aging's previous
    quarter end is not in the upload (without it, only uploaded agings are used).
    ``progress(step, steps, words)`` is told as each file is read and before computing."""
    reading = read_exports(sources, config, progress=progress)
    if progress:
        progress(len(sources), len(sources) + 1, "Computing the figures")
    empty = Computation(
        _lineage(reading) if reading.ok else [_bare(f) for f in reading.files],
        reading.problems,
        pd.DataFrame(columns=METRIC_COLUMNS),
        pd.DataFrame(columns=ON_HOLD_COLUMNS),
    )
    if not reading.ok:
        return empty
    span = _covered(reading)
    agings = _aging_dates(reading)
    current = Quarter.containing(today or dt.date.today())
    if quarter is not None:
        quarters = [quarter]
    else:
        found = {Quarter.containing(d) for d in agings if receivables.quarter_end(d)}
        if span is not None:
            first, last = Quarter.containing(span[0]), min(Quarter.containing(span[1]), current)
            found |= {Quarter.from_index(i) for i in range(first.index, last.index + 1)}
        quarters = sorted(q for q in found if q <= current)
    if not quarters and not agings:
        return empty
    con = reading.con
    _quarters_table(reading, quarters)
    con.execute(QUARTER_MACRO)
    con.from_df(
        pd.DataFrame({"type": [t.casefold() for t in config.trade_types]}, dtype="str")
    ).create("trade_types")
    con.from_df(
        pd.DataFrame({"answer": [a.casefold() for a in config.positive]}, dtype="str")
    ).create("positive_answers")
    _calendar(reading)
    frames, versions = [], {}
    for family in FAMILIES:
        if not set(family.KINDS) & reading.kinds:
            continue
        # A family's figures only for the quarters its own exports reach: a ticket export
        # running into 2023/24 Q2 says nothing of that quarter's invoices.
        own_span = _covered(reading, (family,))
        reached = [str(q) for q in quarters if own_span is None or _reaches(q, *own_span)]
        versions[family.AREA] = family.VERSION
        con.execute(family.SETUP)
        for figure in family.FIGURES:
            if not set(figure.needs) <= reading.kinds:
                continue
            found = con.execute(figure.sql).df()
            found = found[found["quarter"].isin(reached)]
            found["value"] = found["value"].astype("float64").round(figure.decimals)
            frames.append(found.assign(metric=figure.metric, note=None))
    metrics = pd.concat(frames, ignore_index=True) if frames else empty.metrics
    metrics = metrics[METRIC_COLUMNS].sort_values(["quarter", "metric", "partner"])
    held = (
        con.execute(payables.ON_HOLD_SQL).df()
        if {"ap_invoices", "ap_holds"} <= reading.kinds
        else empty.on_hold
    )
    debt, balances, warnings = (
        _debt(reading, config, quarters, store) if agings else (empty.debt, empty.balances, [])
    )
    return Computation(
        empty.files,
        [],
        metrics.reset_index(drop=True),
        held[ON_HOLD_COLUMNS],
        sorted({Quarter.parse(q) for q in [*metrics["quarter"], *debt["quarter"]]}),
        [
            warning
            for family in FAMILIES
            if (own_span := _covered(reading, (family,)))
            for warning in _warnings(quarters, *own_span)
        ]
        + warnings,
        versions,
        debt,
        balances,
    )


def narrowed(lineage: dict, metrics: Collection[str] = (), *, debt: bool = False) -> dict:
    """A computed snapshot's lineage cut to the exports and definitions that ``metrics``
    (or, with ``debt``, the debt movements) are computed from; the whole lineage when none
    of them is a computed figure (a figure derived from computed ones, say)."""
    needs = {k for f in FAMILIES for fig in f.FIGURES if fig.metric in metrics for k in fig.needs}
    needs |= set(receivables.KINDS) if debt else set()
    areas = {f.AREA for f in FAMILIES if needs & set(f.KINDS)}
    exports = [e for e in lineage.get("exports", []) if e["kind"] in needs]
    if not exports:
        return lineage
    versions = {a: v for a, v in lineage.get("definitions", {}).items() if a in areas}
    return {"definitions": versions, "exports": exports}


def _bare(f) -> FileLineage:
    return FileLineage(f.name, f.sha256, f.kind.name if f.kind else None, f.rows_read, 0, {})


def commit(store: Store, computation: Computation, *, uploaded_by: str) -> Snapshot:
    """Store a clean computation as one ``computed`` snapshot; refuse one with problems."""
    if not computation.ok:
        raise ComputeError(
            f"the exports have problems and were not stored: {computation.summary()}"
        )
    if computation.metrics.empty and computation.debt.empty and computation.balances.empty:
        raise ComputeError("the exports hold no figures for the quarters asked; nothing was stored")
    return store.commit(
        {
            "metrics": computation.metrics,
            "fsc_on_hold": computation.on_hold,
            "debt": computation.debt,
            "ar_balances": computation.balances,
        },
        uploaded_by=uploaded_by,
        kind="computed",
        sources=computation.sources,
        lineage=computation.lineage(),
    )
