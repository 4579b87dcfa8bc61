"""The command line: ``python -m emss COMMAND --help``.

Parsing the arguments needs only the catalogue and quarters; pandas, DuckDB, the store and
the report stack are imported inside the commands that use them, so ``--help`` and a
mistyped argument answer at once and each command loads only what it needs.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from emss.catalogue import DEBT, PARTNERS, load_catalogue
from emss.errors import EmssError
from emss.quarters import Quarter, QuarterError

if TYPE_CHECKING:
    import pandas as pd

    from emss import ingest
    from emss.queries import Database

DEBT_FIELDS = list(DEBT.columns[1:])  # every column of an upload but the quarter
# The keys of emss.compare.COMPARISONS (tests/test_cli.py checks they agree), written here so
# that parsing does not import pandas.
COMPARISON_KEYS = ("previous", "year_ago")


def _quarter(text: str) -> Quarter:
    try:
        return Quarter.parse(text)
    except QuarterError as error:
        raise argparse.ArgumentTypeError(f'"{text}" {error}') from None


def _partner(text: str) -> str:
    for partner in PARTNERS:
        if partner.casefold() == text.casefold():
            return partner
    raise argparse.ArgumentTypeError(f'"{text}" is not a partner (expected {", ".join(PARTNERS)})')


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    from emss.export import to_csv

    if fmt == "csv":
        sys.stdout.write(to_csv(frame))
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records"))
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
    else:
        text = frame.to_string(index=False, na_rep="", float_format=lambda v: f"{v:,.10g}")
        print(text if len(frame) else "(no rows)")


def _emit_records(
    records: Sequence[Mapping[str, object]], columns: Sequence[str], fmt: str
) -> None:
    """Rows (dicts) as ``_emit`` writes a frame of them, without pandas."""
    from emss.export import records_csv

    if fmt == "csv":
        sys.stdout.write(records_csv(records, columns))
    elif fmt == "json":
        # Numbers to 10 decimal places, as pandas' to_json writes them in ``_emit``.
        rows = [
            {c: round(r[c], 10) if isinstance(r[c], float) else r[c] for c in columns}
            for r in records
        ]
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    elif not records:
        print("(no rows)")
    else:
        cells = [[_cell(r[c]) for c in columns] for r in records]
        widths = [max(len(text) for text in column) for column in zip(columns, *cells, strict=True)]
        for line in (columns, *cells):
            print("  ".join(text.rjust(width) for text, width in zip(line, widths, strict=True)))


def _cell(value: object) -> str:
    """A value in a table as ``_emit`` writes it: a number with thousands separators, a
    missing value empty."""
    if value is None:
        return ""
    return f"{value:,.10g}" if isinstance(value, float) else str(value)


def _read(paths: Sequence[Path]) -> ingest.Validation:
    from emss import ingest

    return ingest.read_files(paths)


def cmd_validate(args: argparse.Namespace) -> int:
    result = _read(args.files)
    for problem in result.problems:
        print(problem)
    print(result.summary())
    return 0 if result.ok else 1


def cmd_ingest(args: argparse.Namespace) -> int:
    from emss import ingest, ingest_preview
    from emss.queries import Database
    from emss.store import Store, StoreError

    result = _read(args.files)
    if not result.ok:
        for problem in result.problems:
            print(problem)
        print(f"{result.summary()}. Nothing was stored.")
        return 1
    store = Store.default()
    preview = ingest_preview.preview(Database(store), result)
    print(result.summary())
    print(f"Preview: {preview.summary()}")
    for line in preview.revision_lines():
        print(f"  revised {line}")
    for warning in preview.warnings:
        print(f"  warning: {warning}")
    if len(result.projects):
        print(f"Preview of {preview.projects.summary()}")
        for line in preview.projects.lines():
            print(f"  {line}")
    try:
        snapshot = ingest.commit(store, result, uploaded_by=args.by)
    except StoreError as error:
        print(f"error: {error}. Nothing was stored.", file=sys.stderr)
        return 1
    print(f"Stored snapshot {snapshot.id}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from emss.store import Store, check

    store = Store.default()
    report = check(store, fix=args.fix)
    for problem in report.problems:
        print(f"problem: {problem}")
    for leftover in report.leftovers:
        done = "removed" if leftover in report.removed else "left by an interrupted write"
        print(f"temporary file {leftover}: {done}")
    if report.leftovers and not args.fix:
        print("Run `python -m emss check --fix` to remove the temporary files.")
    verdict = "OK" if not report.problems else f"{len(report.problems)} problem(s)"
    print(f"{store.root}: {report.snapshots} snapshots, {report.files} files listed: {verdict}")
    return 1 if report.problems else 0


def cmd_snapshots(args: argparse.Namespace) -> int:
    import pandas as pd

    from emss.store import Store

    rows = [
        {
            "id": s.id,
            "kind": s.kind,
            "uploaded_by": s.uploaded_by,
            "created": s.created,
            "rows": s.rows,
            "quarters": ", ".join(s.quarters),
            "files": ", ".join(f"{f.name} ({f.sha256[:12]})" for f in s.sources),
            "status": f"withdrawn {s.withdrawn_at} by {s.withdrawn_by}"
            if s.withdrawn
            else "current",
        }
        for s in Store.default().snapshots()
    ]
    _emit(pd.DataFrame(rows), args.format)
    return 0


def cmd_withdraw(args: argparse.Namespace) -> int:
    from emss.store import Store, StoreError

    try:
        snapshot = Store.default().withdraw(args.id, withdrawn_by=args.by)
    except StoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Withdrew snapshot {snapshot.id}; its figures are no longer current")
    return 0


def _no_data(db: Database, quarter: Quarter) -> bool:
    if quarter in db.quarters_with_data():
        return False
    latest = db.latest_quarter()
    hint = f"the latest with data is {latest}" if latest else "the store is empty"
    print(f"error: no figures for {quarter} ({hint})", file=sys.stderr)
    return True


def cmd_summary(args: argparse.Namespace) -> int:
    from emss import compare
    from emss.queries import Database
    from emss.store import Store

    db = Database(Store.default())
    if _no_data(db, args.quarter):
        return 1
    # Rows, not a frame: pandas and pyarrow would cost more than the whole command.
    rows = compare.summary_rows(db, args.quarter, args.partner or list(PARTNERS))
    figures = ("value", "previous_value", "year_ago_value")
    shown = [r for r in rows if not all(compare.missing(r[f]) for f in figures)]
    _emit_records(shown, compare.SUMMARY_FIELDS, args.format)
    return 0


def cmd_debt(args: argparse.Namespace) -> int:
    import pandas as pd

    from emss import debt
    from emss.queries import Database
    from emss.store import Store

    db = Database(Store.default())
    if _no_data(db, args.quarter):
        return 1
    movements = db.debt_movements(args.quarter)
    rows = movements[DEBT_FIELDS]
    totals = debt.totals(movements).assign(collector="All", sector="Total", note=None)
    totals = totals[DEBT_FIELDS].astype({"note": "str"})  # a missing note, printed empty
    _emit(pd.concat([rows, totals], ignore_index=True), args.format)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    if args.kind == "projects":
        from emss import projects
        from emss.queries import Database
        from emss.store import Store

        sys.stdout.write(projects.template(Database(Store.default()), args.quarter))
    else:
        from emss.export import template

        sys.stdout.write(template(args.quarter, args.kind))
    return 0


def cmd_projects(args: argparse.Namespace) -> int:
    from emss import compare, projects
    from emss.queries import Database
    from emss.store import Store

    db = Database(Store.default())
    comparison = compare.comparison_quarter(args.quarter, args.comparison)
    frame = projects.records(
        db, args.quarter, comparison, themes=args.theme or (), partners=args.partner or ()
    )
    if frame.empty:
        print(f"error: no Business Plan projects for {args.quarter}", file=sys.stderr)
        return 1
    _emit(frame, args.format)
    return 0


def _theme(text: str) -> str:
    spec = load_catalogue().projects
    for theme in (*spec.themes, *spec.theme_aliases):
        if theme.casefold() == text.casefold():
            return spec.theme_aliases.get(theme, theme)
    raise argparse.ArgumentTypeError(
        f'"{text}" is not a project theme (expected {", ".join(spec.themes)})'
    )


def cmd_report(args: argparse.Namespace) -> int:
    # The drawing and document libraries load only for this command.
    from emss import report, report_render
    from emss.queries import Database
    from emss.store import Store
    from emss.targets import TargetsError

    db = Database(Store.default())
    try:
        built = report.build_report(
            db, args.quarter, args.partner or list(PARTNERS), args.comparison
        )
        written = report_render.write(built, args.format, args.output)
    except (report.ReportError, TargetsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"Wrote {built.title} to {written[0]}")
    for extra in written[1:]:
        print(f"  chart {extra}")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    from emss import debt
    from emss.sources import compute, stored
    from emss.sources.config import SourcesConfigError, load_config
    from emss.store import Store, StoreError

    store = Store.default()
    try:
        config = load_config(store.root)
    except SourcesConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    result = compute.compute(
        args.files,
        config,
        quarter=args.quarter,
        store=store,
        progress=lambda step, steps, words: print(f"[{step}/{steps}] {words}…", file=sys.stderr),
    )
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not result.ok:
        print(f"{result.summary()}. Nothing was stored.", file=sys.stderr)
        return 1
    _emit(result.metrics[["quarter", "partner", "metric", "value"]], args.format)
    print(result.summary(), file=sys.stderr)
    for row in result.exclusions_frame().itertuples():
        print(f"  left out on purpose: {row.file}: {row.rows:,} {row.reason}", file=sys.stderr)
    for r in result.debt.itertuples():
        note = f" ({r.note})" if r.note else ""
        print(
            f"  debt movement {r.quarter}: {r.partner}, {r.collector}, {r.sector}: "
            f"{debt.written(r.movement_gbp)}{note}",
            file=sys.stderr,
        )
    for warning in result.warnings:
        print(f"  warning: {warning}", file=sys.stderr)
    for r in stored.reconciliation(store, result.metrics).itertuples():
        print(
            f"  typed in as well: {r.quarter} {r.partner} {r.metric}: computed {r.computed:,.10g}, "
            f"typed {r.typed:,.10g} ({r.typed_snapshot}), difference {r.difference:+,.10g}",
            file=sys.stderr,
        )
    if not args.ingest:
        return 0
    try:
        snapshot = compute.commit(store, result, uploaded_by=args.by)
    except (compute.ComputeError, StoreError) as error:
        print(f"error: {error}. Nothing was stored.", file=sys.stderr)
        return 1
    print(f"Stored snapshot {snapshot.id}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m emss",
        description="EMSS performance data: validate and ingest quarterly CSVs, query figures. "
        "The store is the folder EMSS_DATA_DIR (default: the bundled data/).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(func=func)
        return sub

    sub = command("validate", cmd_validate, "Check upload CSVs and report every problem.")
    sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sub = command("ingest", cmd_ingest, "Validate CSVs, show the preview and store one snapshot.")
    sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sub.add_argument("--by", default=getpass.getuser(), help="who is uploading (default: you)")
    sub = command(
        "check",
        cmd_check,
        "Check the store against its manifest: every listed file present and unchanged, no "
        "unlisted files.",
    )
    sub.add_argument(
        "--fix", action="store_true", help="remove temporary files left by interrupted writes"
    )
    sub = command("snapshots", cmd_snapshots, "List every snapshot in the manifest.")
    sub.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sub = command("withdraw", cmd_withdraw, "Withdraw a snapshot: its earlier values come back.")
    sub.add_argument("id", help="the snapshot id, as `snapshots` lists it")
    sub.add_argument("--by", default=getpass.getuser(), help="who is withdrawing (default: you)")
    sub = command("summary", cmd_summary, "A quarter's figures with their comparisons.")
    sub.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023/24 Q3"')
    sub.add_argument(
        "--partner", action="append", type=_partner, help="LCC, NCC, External or EMSS (repeatable)"
    )
    sub.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sub = command("debt", cmd_debt, "A quarter's debt movements with totals per partner.")
    sub.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023/24 Q3"')
    sub.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sub = command(
        "template", cmd_template, "An empty upload CSV for a quarter, every key filled in."
    )
    sub.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2024/25 Q1"')
    sub.add_argument(
        "--kind",
        choices=["metrics", "debt", "projects"],
        default="metrics",
        help="projects: the latest earlier quarter's list carried forward, updates empty",
    )
    sub = command(
        "projects",
        cmd_projects,
        "A quarter's Business Plan projects, each with its change since the comparison quarter.",
    )
    sub.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023/24 Q3"')
    sub.add_argument(
        "--theme", action="append", type=_theme, help="Organisation, Technology, FSC or ESC"
    )
    sub.add_argument(
        "--partner",
        action="append",
        type=_partner,
        help="a council's projects and the EMSS-wide ones (EMSS or none: every project)",
    )
    sub.add_argument(
        "--comparison",
        choices=COMPARISON_KEYS,
        default="previous",
        help="compare with the previous quarter (default) or the same quarter a year earlier",
    )
    sub.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sub = command(
        "report", cmd_report, "Write the quarterly performance report as Word, HTML or Markdown."
    )
    sub.add_argument("--quarter", required=True, type=_quarter, help='e.g. "2023/24 Q3"')
    sub.add_argument(
        "--partner",
        action="append",
        type=_partner,
        help="LCC, NCC, External or EMSS (repeatable; default: all, EMSS as a whole)",
    )
    sub.add_argument(
        "--comparison",
        choices=COMPARISON_KEYS,
        default="previous",
        help="compare with the previous quarter (default) or the same quarter a year earlier",
    )
    sub.add_argument("--format", choices=["docx", "html", "md"], required=True)
    sub.add_argument("--output", required=True, type=Path, metavar="FILE", help="file to write")
    sub = command(
        "compute",
        cmd_compute,
        "Compute figures from the source systems' exports: Oracle Payables (FSC), the service "
        "desk's tickets (Customer), Oracle Receivables agings (debt movement).",
    )
    sub.add_argument("files", nargs="+", type=Path, metavar="FILE")
    sub.add_argument("--quarter", type=_quarter, help="only this quarter (default: every one)")
    sub.add_argument("--ingest", action="store_true", help="store them as a computed snapshot")
    sub.add_argument("--by", default=getpass.getuser(), help="who is storing (default: you)")
    sub.add_argument("--format", choices=["table", "csv", "json"], default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EmssError as error:  # a damaged store, a bad setting, anything a user caused
        print(f"error: {error}", file=sys.stderr)
        return 1
