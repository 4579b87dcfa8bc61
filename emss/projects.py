"""Business Plan projects: reading project rows, changes since the comparison quarter, the
Overview's counts, the CLI's records, a project's history and the upload's preview (how the
page and the report word and lay them out is in ``emss.projects_view``).

A project is identified across quarters by its theme and its name compared ignoring letter
case, spaces and the kind of dash (``name_key``). Its status may be blank: the report did not
state one, and it is shown as "not stated", never guessed. Everything here is pure (no
Streamlit); the only SQL is in ``emss.queries``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from emss.catalogue import PARTNER_NAMES, WHOLE, ProjectsSpec, load_catalogue
from emss.export import to_csv
from emss.quarters import Quarter
from emss.queries import Database
from emss.store import DATASETS

REQUIRED_COLUMNS = ("quarter", "theme", "project", "status", "update")
OPTIONAL_COLUMNS = ("partner", "benefits", "description", "note")
HEADER = "quarter,theme,project,partner,status,benefits,description,update"
BENEFIT_SEPARATOR = ";"
WHOLE_WIDE = "EMSS-wide"  # what a project for no single council is said to be for
UNCHANGED, NEW, STATUS_CHANGED, DROPPED = "unchanged", "new", "status changed", "no longer reported"
RECORD_FIELDS = [
    "theme",
    "project",
    "partner",
    "status",
    "previous_status",
    "change",
    "benefits",
    "description",
    "update",
    "illustrative",
    "note",
]
# What a project row shows of the quarter it is listed in (else of the comparison quarter).
_CARRIED = ("project", "partner", "benefits", "description", "note", "position")
_IGNORED = re.compile(r"[\s\u2010-\u2015\u2212-]+")  # spaces and every kind of dash


def _spec() -> ProjectsSpec:
    return load_catalogue().projects


def name_key(name: str) -> str:
    """A project name as identity compares it: letter case, spaces and dashes ignored."""
    return _IGNORED.sub("", name).casefold()


def _text(cell: str) -> str | None:
    """A free-text cell: line ends as "\\n", blank as None."""
    text = cell.replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value == ""


def status_words(status: object, spec: ProjectsSpec | None = None) -> str:
    """A status as people read it: the status itself, or "not stated" when blank."""
    return (spec or _spec()).not_stated if _blank(status) else str(status)


def status_label(status: object, spec: ProjectsSpec | None = None) -> str:
    """The status with its shape, so it never rests on colour alone: "● Complete"."""
    spec = spec or _spec()
    mark = spec.status_marks["" if _blank(status) else str(status)]
    return f"{mark} {status_words(status, spec)}"


def words_label(words: object) -> str:
    """``status_label`` of a status already in words (as ``changes`` and ``history`` give it)."""
    return status_label(None if words == _spec().not_stated else words)


# --- reading a projects file ------------------------------------------------------------

Report = Callable[[str, int, str, str | None, str], None]  # file, line, column, value, expected


class ProjectReader:
    """Checks the rows of the projects files of one upload and keeps the good ones."""

    def __init__(self, spec: ProjectsSpec | None = None) -> None:
        self.spec = spec = spec or _spec()
        self.rows: list[dict] = []
        self._seen: dict[tuple[str, str, str], tuple[str, int]] = {}
        self._themes = _choices(spec.themes, spec.theme_aliases)
        self._statuses = _choices(spec.statuses, spec.status_aliases)
        self._benefits = _choices(spec.benefits, {})
        councils = {PARTNER_NAMES[p]: p for p in spec.partners}
        self._partners = _choices(spec.partners, councils)

    def read(self, report: Report, file: str, line: int, quarter: str | None, cells: dict) -> None:
        """One row; ``quarter`` is None when the caller found it bad (and said so)."""
        spec = self.spec
        problems = 0

        def problem(column: str, value: str | None, expected: str) -> None:
            nonlocal problems
            problems += 1
            report(file, line, column, value, expected)

        theme = self._themes.get(cells["theme"].casefold())
        if theme is None:
            aliases = ", ".join(spec.theme_aliases)
            problem(
                "theme",
                cells["theme"],
                f"is not a known theme (expected one of {', '.join(spec.themes)}; "
                f"also accepted: {aliases})",
            )
        project = " ".join(cells["project"].split())
        if not project:
            problem("project", "", "is empty (expected the project's name)")
        partner = None
        if cells.get("partner", "") and cells["partner"].casefold() not in ("emss", ""):
            partner = self._partners.get(cells["partner"].casefold())
            if partner is None:
                problem(
                    "partner",
                    cells["partner"],
                    f"is not a council a project can be for (expected {' or '.join(spec.partners)}"
                    ", or blank for an EMSS-wide project)",
                )
        status = None
        if cells["status"]:
            status = self._statuses.get(cells["status"].casefold())
            if status is None:
                problem(
                    "status",
                    cells["status"],
                    f"is not a known status (expected one of {', '.join(spec.statuses)}, "
                    "or blank when it is not stated)",
                )
        benefits = self._read_benefits(problem, cells.get("benefits", ""))
        update = _text(cells["update"])
        if update and len(update) > spec.update_max_chars:
            problem(
                "update",
                update[:60] + "…",
                f"is {len(update):,} characters long (expected at most {spec.update_max_chars:,})",
            )
        if problems or quarter is None:
            return
        if self._once(report, file, line, (quarter, theme, name_key(project)), project):
            self.rows.append(
                {
                    "quarter": quarter,
                    "theme": theme,
                    "project": project,
                    "project_key": name_key(project),
                    "partner": partner,
                    "status": status,
                    "benefits": benefits,
                    "description": _text(cells.get("description", "")),
                    "update": update,
                    "note": _text(cells.get("note", "")),
                    "position": len(self.rows),
                }
            )

    def _read_benefits(self, problem: Callable, cell: str) -> str | None:
        """The benefits in the Benefits Key's order, "; "-separated (None for none)."""
        found = set()
        for part in (p.strip() for p in cell.split(BENEFIT_SEPARATOR)):
            if not part:
                continue
            benefit = self._benefits.get(part.casefold())
            if benefit is None:
                problem(
                    "benefits",
                    part,
                    f"is not a known benefit (expected any of {', '.join(self.spec.benefits)}, "
                    f'separated by "{BENEFIT_SEPARATOR}")',
                )
            found.add(benefit)
        return "; ".join(b for b in self.spec.benefits if b in found) or None

    def _once(self, report: Report, file: str, line: int, key: tuple, project: str) -> bool:
        if key in self._seen:
            first_file, first_line = self._seen[key]
            report(
                file,
                line,
                "project",
                project,
                f"is listed twice for {key[0]} under {key[1]} (first at {first_file} line "
                f"{first_line}; expected each project once per quarter, names compared "
                "ignoring letter case, spaces and dashes)",
            )
            return False
        self._seen[key] = (file, line)
        return True

    def frame(self) -> pd.DataFrame:
        columns = [n for n in DATASETS["projects"].names if n != "snapshot_id"]
        return pd.DataFrame(self.rows, columns=columns).astype({"position": "int32"})


def _choices(options: Sequence[str], aliases: dict[str, str]) -> dict[str, str]:
    table = {o.casefold(): o for o in options}
    table.update({k.casefold(): v for k, v in aliases.items()})
    return table


# --- changes since the comparison quarter -----------------------------------------------


def changes(db: Database, quarter: Quarter, comparison: Quarter) -> pd.DataFrame:
    """Every project of the quarter and of the comparison quarter, each classified.

    Columns: RECORD_FIELDS plus quarter, project_key, listed (in the quarter). ``change`` is
    new, a closing word (completed, cancelled), status changed, unchanged or no longer
    reported; it is None for every project when the comparison quarter has no list at all.
    ``status`` and ``previous_status`` are in words ("not stated" when blank) and None
    where the project is not listed in that quarter.
    """
    spec = db.catalogue.projects
    now, then = {}, {}
    for row in db.project_records([quarter, comparison]):
        key = row["theme"], row["project_key"]
        if row["quarter"] == str(quarter):
            now[key] = row
        if row["quarter"] == str(comparison):
            then[key] = row
    records = []
    for key in sorted(now.keys() | then.keys()):
        listed, before = key in now, key in then
        row, earlier = now.get(key), then.get(key)
        carried = row or earlier  # the quarter's own row, else the comparison's
        shown = {c: None if _blank(carried[c]) else carried[c] for c in _CARRIED}
        status = row["status"] if listed else None
        previous = earlier["status"] if before else None
        records.append(
            {
                "quarter": str(quarter),
                "theme": key[0],
                "project": shown["project"],
                "project_key": key[1],
                "partner": shown["partner"],
                "status": status_words(status, spec) if listed else None,
                "previous_status": status_words(previous, spec) if before else None,
                "change": _change(listed, before, status, previous, spec) if then else None,
                "benefits": shown["benefits"],
                "description": shown["description"],
                "update": row["update"] if listed and not _blank(row["update"]) else None,
                "illustrative": bool(
                    (listed and row["illustrative"]) or (before and earlier["illustrative"])
                ),
                "note": shown["note"],
                "listed": listed,
                "_order": (spec.themes.index(key[0]), not listed, shown["position"]),
            }
        )
    records.sort(key=lambda r: r.pop("_order"))
    columns = ["quarter", *RECORD_FIELDS, "project_key", "listed"]
    text = {c: "str" for c in columns if c not in ("illustrative", "listed")}
    return pd.DataFrame(records, columns=columns).astype(text | {"listed": bool})


def _change(listed: bool, before: bool, status, previous, spec: ProjectsSpec) -> str:
    if not before:
        return NEW
    if not listed:
        return DROPPED
    if _blank(status) == _blank(previous) and (_blank(status) or status == previous):
        return UNCHANGED
    return spec.closing.get(status, STATUS_CHANGED)


def for_partners(frame: pd.DataFrame, partners: Sequence[str]) -> pd.DataFrame:
    """The projects a partner view shows: a council's own and the EMSS-wide ones; every
    project when EMSS as a whole is among the partners (or none is given)."""
    if not partners or WHOLE in partners:
        return frame
    return frame[frame["partner"].isna() | frame["partner"].isin(list(partners))]


def for_themes(frame: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    """The projects of the themes given (every theme when none is)."""
    return frame[frame["theme"].isin(list(themes))] if themes else frame


def for_statuses(frame: pd.DataFrame, statuses: Sequence[str]) -> pd.DataFrame:
    """The projects whose status (in words) is one of those given (every project when none
    is); a project no longer reported has no status and is left out by any choice."""
    return frame[frame["status"].isin(list(statuses))] if statuses else frame


def benefits_of(cell: object) -> list[str]:
    """A benefits cell as its list of benefits ([] when blank)."""
    if _blank(cell):
        return []
    return [p.strip() for p in str(cell).split(BENEFIT_SEPARATOR) if p.strip()]


def for_benefits(frame: pd.DataFrame, benefits: Sequence[str]) -> pd.DataFrame:
    """The projects claiming any of the benefits given (every project when none is)."""
    if not benefits:
        return frame
    wanted = set(benefits)
    return frame[frame["benefits"].map(lambda cell: bool(wanted.intersection(benefits_of(cell))))]


# --- counts, records, history and the template ------------------------------------------


@dataclass(frozen=True)
class ProjectCounts:
    """For the Overview: projects listed, still active, closed per closing status, changed."""

    listed: int
    active: int
    closed: dict[str, int]  # e.g. {"Complete": 1, "Cancelled": 1}, in the catalogue's order
    changed: int
    compared: bool  # False when the comparison quarter has no list (changed is then 0)


def counts(frame: pd.DataFrame) -> ProjectCounts:
    spec = _spec()
    listed = frame[frame["listed"]]
    closed = {s: int((listed["status"] == s).sum()) for s in spec.closing}
    changes_ = frame["change"]
    return ProjectCounts(
        listed=len(listed),
        active=len(listed) - sum(closed.values()),
        closed=closed,
        changed=int((changes_.notna() & (changes_ != UNCHANGED)).sum()),
        compared=bool(changes_.notna().any()),
    )


def records(
    db: Database,
    quarter: Quarter,
    comparison: Quarter,
    *,
    themes: Sequence[str] = (),
    partners: Sequence[str] = (),
) -> pd.DataFrame:
    """The CLI's and the CSV's records: one per project, RECORD_FIELDS."""
    frame = for_themes(for_partners(changes(db, quarter, comparison), partners), themes)
    return frame[RECORD_FIELDS].reset_index(drop=True)


def history(db: Database, theme: str, project: str) -> pd.DataFrame:
    """One project quarter by quarter: quarter, status (in words), update, partner,
    description, note, illustrative."""
    rows = db.project_history(theme, name_key(project))
    return pd.DataFrame(
        {
            "quarter": rows["quarter"],
            "status": rows["status"].map(status_words),
            "update": rows["update"],
            "partner": rows["partner"],
            "description": rows["description"],
            "note": rows["note"],
            "illustrative": rows["illustrative"].astype(bool),
        }
    ).reset_index(drop=True)


def template(db: Database, quarter: Quarter) -> str:
    """The upload CSV for a quarter: the latest earlier quarter's list carried forward, every
    field filled in but the update; just the header when no earlier quarter has a list."""
    earlier = [q for q in db.quarters_with_data() if q < quarter]
    rows = pd.DataFrame()
    for candidate in reversed(earlier):
        rows = db.projects([candidate])
        if len(rows):
            break
    columns = HEADER.split(",")
    if rows.empty:
        return to_csv(pd.DataFrame(columns=columns))
    carried = rows.assign(quarter=str(quarter), update="")[columns]
    return to_csv(carried.fillna(""))


# --- the upload preview -----------------------------------------------------------------


@dataclass(frozen=True)
class ProjectPreview:
    """What a projects upload changes, compared with what is stored for the same quarter
    (a revision) or else with the quarter before it.

    ``rows``: quarter, theme, project, compared_with ("stored" or the earlier quarter, None
    for a new project), old_status, status (both in words), old_update, update, new,
    status_changed, update_replaced. ``dropped``: projects of the quarter before that the
    upload and the store leave out (quarter, theme, project).
    """

    rows: pd.DataFrame
    dropped: pd.DataFrame

    def lines(self, width: int = 80) -> list[str]:
        """Each change in words: new projects, status old → new, replaced updates."""

        def cut(text) -> str:
            text = "" if _blank(text) else " ".join(str(text).split())
            return text if len(text) <= width else text[: width - 1] + "…"

        out = []
        for r in self.rows.itertuples():
            name = f"{r.quarter} {r.theme}: {r.project}"
            if r.new:
                out.append(f"new project {name}")
            if r.status_changed:
                out.append(f"status {name}: {r.old_status} → {r.status}")
            if r.update_replaced:
                out.append(f'update replaced {name}: "{cut(r.old_update)}" → "{cut(r.update)}"')
        out += [
            f"no longer reported {r.quarter} {r.theme}: {r.project}"
            for r in self.dropped.itertuples()
        ]
        return out

    def summary(self) -> str:
        rows = self.rows
        return (
            f"projects: {int(rows['new'].sum())} new, {int(rows['status_changed'].sum())} "
            f"status changes, {int(rows['update_replaced'].sum())} updates replaced, "
            f"{len(self.dropped)} no longer reported"
        )


def preview(db: Database, uploaded: pd.DataFrame) -> ProjectPreview:
    """Compare an upload's project rows with the store (see ProjectPreview)."""
    quarters = sorted({Quarter.parse(q) for q in uploaded["quarter"]})
    stored = db.projects([*quarters, *(q.previous for q in quarters)])
    index = {(r["quarter"], r["theme"], r["project_key"]): r for r in stored.to_dict("records")}
    out = []
    for row in uploaded.to_dict("records"):
        quarter = Quarter.parse(row["quarter"])
        key = (row["theme"], row["project_key"])
        same = index.get((row["quarter"], *key))
        before = same or index.get((str(quarter.previous), *key))
        old_update = same["update"] if same else None
        out.append(
            {
                "quarter": row["quarter"],
                "theme": row["theme"],
                "project": row["project"],
                "compared_with": "stored" if same else (str(quarter.previous) if before else None),
                "old_status": status_words(before["status"]) if before else None,
                "status": status_words(row["status"]),
                "old_update": old_update,
                "update": row["update"],
                "new": before is None,
                "status_changed": before is not None
                and status_words(before["status"]) != status_words(row["status"]),
                "update_replaced": not _blank(old_update) and old_update != row["update"],
            }
        )
    given = {(r["quarter"], r["theme"], r["project_key"]) for r in uploaded.to_dict("records")}
    dropped = [
        {"quarter": str(q), "theme": r["theme"], "project": r["project"]}
        for q in quarters
        for r in stored[stored["quarter"] == str(q.previous)].to_dict("records")
        if (str(q), r["theme"], r["project_key"]) not in given | set(index)
    ]
    return ProjectPreview(
        pd.DataFrame(
            out,
            columns=[
                "quarter",
                "theme",
                "project",
                "compared_with",
                "old_status",
                "status",
                "old_update",
                "update",
                "new",
                "status_changed",
                "update_replaced",
            ],
        ),
        pd.DataFrame(dropped, columns=["quarter", "theme", "project"]),
    )
