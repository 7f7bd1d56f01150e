"""`workbench report`, `workbench export` and `workbench demo`: what a store holds, written
out for people to read and for other tools."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
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
from workbench.cli.records import print_anchor
from workbench.cli.review import export_approved
from workbench.llm.settings import LLMSettings
from workbench.reports.assemble import SPLIT_AT, write_report
from workbench.reports.export import write_anchor, write_rows
from workbench.reports.frame import evaluation_frame
from workbench.reports.trust import card_lines
from workbench.review.decisions import require_intact_log, verify_log
from workbench.runs.demo import run_demo
from workbench.scoring.calibration import calibrate
from workbench.scoring.judges import JUDGES, make_judge
from workbench.workspace import Workspace

__all__ = ["ReportOptions", "add_output_commands"]


@dataclass(frozen=True)
class ReportOptions:
    """`workbench report`, parsed."""

    workspace: Workspace
    out: Path
    title: str
    judge: str | None  # the judge measured on the gold claims; None: no calibration
    llm: LLMSettings | None
    split_at: int = SPLIT_AT

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ReportOptions:
        ragas = args.judge == "ragas" and not args.no_calibration
        return cls(
            workspace=workspace_of(args),
            out=args.out,
            title=args.title,
            judge=None if args.no_calibration else args.judge,
            llm=judge_settings(args, CallOptions()) if ragas else None,
            split_at=args.split_at,
        )


def report(o: ReportOptions) -> int:
    """Write the report, with the judge and safety rules measured on the gold sets."""
    ws = o.workspace
    calibration = None
    if o.judge is not None:
        judge = make_judge(o.judge, settings=o.llm, cache_path=ws.cache_path, prices=ws.prices)
        calibration = calibrate(
            ws.gold_corpus,
            judge,
            gold_claims=ws.gold_claims,
            gold_safety=ws.gold_safety,
            rules=ws.rules,
        )
    with ws.open_store(read_only=True, check_pages=True) as store:
        log = verify_log(store, key=store.log_key)
        paths, frame = write_report(
            store,
            ws.corpus,
            o.out,
            rules=ws.rules,
            rules_path=ws.rules_file,
            datasets_folder=ws.datasets,
            title=o.title,
            calibration=calibration,
            log=log,
            split_at=o.split_at,
        )
    print_summary(frame)
    pages = f" (+ {len(paths.pages)} question pages)" if paths.pages else ""
    print(f"report: {paths.html}{pages}\ncsv:    {paths.csv}\njson:   {paths.json}")
    if not log.ok:
        print(
            f"decision log BROKEN at row {log.first_bad_seq}: {log.problem}; the report says "
            "so and its review statuses cannot be trusted: run `workbench verify`",
            file=sys.stderr,
        )
        return 1
    print_anchor(log, paths.anchor)
    return 0


def export(ws: Workspace, out: Path, *, approved: bool, limit: int | None) -> int:
    """The evaluation rows as CSV and JSON, or (`approved`) the approved answers."""
    if approved:
        return export_approved(ws, out)
    with ws.open_store(read_only=True, check_pages=True) as store:
        log = require_intact_log(store, "export")  # the rows carry review statuses
        frame = evaluation_frame(store, ws.corpus)
        path = store.location
    if limit is not None:
        frame = frame.head(limit)
    csv, js = write_rows(out, frame)
    print(f"csv:  {csv}\njson: {js}\n{len(frame)} rows")
    print_anchor(log, write_anchor(out, log.head, path))
    return 0


def demo(
    out: Path, *, store: Path | None, limit: int | None, datasets: Path | None, progress: bool
) -> int:
    """The whole job offline, on a fresh store."""
    result = run_demo(out, store_path=store, limit=limit, datasets=datasets, progress=progress)
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
    quiet_option(r)
    r.set_defaults(func=lambda args: report(ReportOptions.from_args(args)))

    e = sub.add_parser("export", help="export evaluations, or approved answers, for sharing")
    data_options(e)
    e.add_argument(
        "--approved",
        action="store_true",
        help="export the latest approved answer per question (JSONL, CSV, one HTML page each)",
    )
    e.add_argument("--out", type=Path, default=Path("reports/export"), help="output folder")
    e.add_argument("--limit", type=int, help="at most N rows")
    quiet_option(e)
    e.set_defaults(
        func=lambda a: export(workspace_of(a), a.out, approved=a.approved, limit=a.limit)
    )

    d = sub.add_parser("demo", help="the whole job offline on the embedded data sets")
    d.add_argument("--out", type=Path, default=Path("reports/demo"), help="output folder")
    d.add_argument("--store", type=Path, help="SQLite file (default: OUT/demo.db, made anew)")
    d.add_argument("--datasets", type=Path, help="data set folder")
    d.add_argument("--limit", type=int, help="at most N questions")
    quiet_option(d)
    d.set_defaults(
        func=lambda a: demo(
            a.out, store=a.store, limit=a.limit, datasets=a.datasets, progress=not a.quiet
        )
    )
