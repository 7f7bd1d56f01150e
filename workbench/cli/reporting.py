"""`workbench report`, `workbench export` and `workbench demo`: what a store holds, written
out for people to read and for other tools."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.cli.batch import CallOptions, judge_options, judge_settings
from workbench.cli.common import (
    data_options,
    print_batch,
    print_summary,
    quiet_option,
    workspace_of,
)
from workbench.cli.records import anchor_option, key_file_option, print_anchor
from workbench.reports.assemble import SPLIT_AT
from workbench.reports.trust import card_lines
from workbench.runs import demo as demos
from workbench.runs import publish
from workbench.runs.choices import JUDGES
from workbench.runs.options import DemoOptions, ExportOptions, ReportOptions

__all__ = [
    "ExportOptions",
    "ReportOptions",
    "add_output_commands",
    "export_approved",
    "export_options",
    "report_options",
]


def report_options(args: argparse.Namespace) -> ReportOptions:
    """`workbench report`'s arguments as the use case's options."""
    ragas = args.judge == "ragas" and not args.no_calibration
    return ReportOptions(
        workspace=workspace_of(args),
        out=args.out,
        title=args.title,
        judge=None if args.no_calibration else args.judge,
        llm=judge_settings(args, CallOptions()) if ragas else None,
        split_at=args.split_at,
        key_file=args.key_file,
    )


def export_options(args: argparse.Namespace) -> ExportOptions:
    """`workbench export`'s arguments as the use case's options."""
    return ExportOptions(
        workspace=workspace_of(args),
        out=args.out,
        approved=args.approved,
        limit=args.limit,
        anchors=tuple(args.anchor or ()),
        key_file=args.key_file,
    )


def report(o: ReportOptions) -> int:
    """Write the report, with the judge and safety rules measured on the gold sets."""
    result = publish.report(o)
    print_summary(result.frame)
    paths = result.paths
    pages = f" (+ {len(paths.pages)} question pages)" if paths.pages else ""
    print(f"report: {paths.html}{pages}\ncsv:    {paths.csv}\njson:   {paths.json}")
    print_anchor(result.log, paths.anchor)
    return 0


def export(o: ExportOptions) -> int:
    """The evaluation rows as CSV and JSON, or (`approved`) the approved answers."""
    if o.approved:
        return export_approved(o)
    result = publish.export_rows(o)
    print(f"csv:  {result.csv}\njson: {result.json}\n{result.rows} rows")
    print_anchor(result.log, result.anchor)
    return 0


def export_approved(o: ExportOptions) -> int:
    """`workbench export --approved`: write the approved answers and list what was skipped."""
    result = publish.export_approved(o)
    written = result.export
    print_anchor(result.log, result.anchor)
    print(
        f"exported {written.exported} approved answers: {written.jsonl}, {written.csv}, "
        f"{len(written.pages)} pages in {o.out / 'pages'}"
    )
    print(f"skipped {len(written.skipped)} questions (see {o.out / 'skipped.csv'})")
    if written.skipped:
        reasons = pd.Series([s.reason.split(": ")[0] for s in written.skipped]).value_counts()
        for reason, count in reasons.items():
            print(f"  {count:4d}  {reason}")
    return 0


def demo(o: DemoOptions) -> int:
    """The whole job offline, on a fresh store."""
    result = demos.demo(o)
    for batch in result.generation:
        print_batch("generated", batch)
    print_batch("scored", result.scoring)
    j, s = result.calibration.judge, result.calibration.safety
    print(
        f"\noffline judge on {j.n} gold claims: balanced accuracy {j.balanced_accuracy:.3f}"
        f" (three-way accuracy {j.accuracy_3way:.3f})"
    )
    for line in card_lines():
        print(line)
    print(
        f"safety checks on {s.n_answers} gold answers: precision {s.precision:.3f}, "
        f"recall {s.recall:.3f}\n"
    )
    print_summary(pd.read_csv(result.paths.csv))
    print(
        f"\nreport: {result.paths.html}\ncsv:    {result.paths.csv}\n"
        f"store:  {result.store_path}\nNothing was approved: approval is a reviewer's call."
    )
    return 0


def add_output_commands(sub: Any) -> None:
    """Add `report`, `export` and `demo` to the CLI's subcommands."""
    r = sub.add_parser("report", help="write the HTML report with CSV and JSON")
    data_options(r)
    r.add_argument("--out", type=Path, default=Path("reports/latest"), help="output folder")
    r.add_argument("--title", default="Answer evaluation report")
    r.add_argument(
        "--judge", choices=JUDGES, default="offline", help="judge to measure on the gold claims"
    )
    r.add_argument("--no-calibration", action="store_true", help="skip the gold-set measures")
    r.add_argument(
        "--split-at",
        type=int,
        default=SPLIT_AT,
        metavar="N",
        help=f"above N answers, an index page and a page per question (default {SPLIT_AT})",
    )
    judge_options(r)
    key_file_option(r)
    quiet_option(r)
    r.set_defaults(func=lambda args: report(report_options(args)))

    e = sub.add_parser("export", help="export evaluations, or approved answers, for sharing")
    data_options(e)
    e.add_argument(
        "--approved",
        action="store_true",
        help="export the latest approved answer per question (JSONL, CSV, one HTML page each)",
    )
    e.add_argument("--out", type=Path, default=Path("reports/export"), help="output folder")
    e.add_argument("--limit", type=int, help="at most N rows")
    anchor_option(e, "before anything is written")
    key_file_option(e)
    quiet_option(e)
    e.set_defaults(func=lambda args: export(export_options(args)))

    d = sub.add_parser("demo", help="the whole job offline on the embedded data sets")
    d.add_argument("--out", type=Path, default=Path("reports/demo"), help="output folder")
    d.add_argument("--store", type=Path, help="SQLite file (default: OUT/demo.db, made anew)")
    d.add_argument("--datasets", type=Path, help="data set folder")
    d.add_argument("--limit", type=int, help="at most N questions")
    quiet_option(d)
    d.set_defaults(
        func=lambda a: demo(
            DemoOptions(
                a.out, store=a.store, limit=a.limit, datasets=a.datasets, progress=not a.quiet
            )
        )
    )
