"""What leaves the workbench: the report, the evaluation rows, the approved answers.

Every one of them passes `publishable_log` first (the log intact and matching its
answers, keyed where keyed, extending the anchors given), so the CLI, the export form and
a script refuse the same store the same way; each writes the log's anchor beside what it
wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.reports.assemble import write_report
from workbench.reports.export import (
    ApprovedExport,
    ReportPaths,
    write_anchor,
    write_approved,
    write_rows,
)
from workbench.reports.frame import evaluation_frame
from workbench.review.approved import select_approved
from workbench.runs.guards import open_for_reading, parse_anchors, publishable_log
from workbench.runs.options import ExportOptions, ReportOptions
from workbench.scoring.calibration import Calibration, calibrate
from workbench.scoring.judges import make_judge
from workbench.store.decision_log import ChainCheck

__all__ = [
    "ApprovedResult",
    "ReportResult",
    "RowsResult",
    "export_approved",
    "export_rows",
    "report",
]


@dataclass(frozen=True, slots=True)
class ReportResult:
    """The report's files, its rows, and the log as it checked it."""

    paths: ReportPaths
    frame: pd.DataFrame
    log: ChainCheck
    calibration: Calibration | None = None  # the judge and rules measured on the gold sets


@dataclass(frozen=True, slots=True)
class RowsResult:
    """The evaluation rows written as CSV and JSON."""

    csv: Path
    json: Path
    rows: int
    anchor: Path
    log: ChainCheck


@dataclass(frozen=True, slots=True)
class ApprovedResult:
    """The approved answers written, the questions skipped, and the anchor."""

    export: ApprovedExport
    anchor: Path
    log: ChainCheck


def report(o: ReportOptions) -> ReportResult:
    """Write the report, with the judge and the safety rules measured on the gold sets."""
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
    with open_for_reading(ws) as store:
        log = publishable_log(store, "the report", key_file=o.key_file)
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
    return ReportResult(paths, frame, log, calibration)


def export_rows(o: ExportOptions) -> RowsResult:
    """The evaluation rows (they carry review statuses) as CSV and JSON."""
    ws = o.workspace
    anchors = parse_anchors(o.anchors)
    with open_for_reading(ws) as store:
        log = publishable_log(store, "export", anchors=anchors, key_file=o.key_file)
        frame = evaluation_frame(store, ws.corpus)
        where = store.location
    if o.limit is not None:
        frame = frame.head(o.limit)
    csv, js = write_rows(o.out, frame)
    return RowsResult(csv, js, len(frame), write_anchor(o.out, log.head, where), log)


def export_approved(o: ExportOptions) -> ApprovedResult:
    """The latest approved answer per question, each re-checked against its approval, and
    the questions skipped with the reason. Nothing is written when the log is broken: a
    removed rejection must never let an answer out."""
    ws = o.workspace
    anchors = parse_anchors(o.anchors)
    with open_for_reading(ws) as store:
        log = publishable_log(store, "export", anchors=anchors, key_file=o.key_file)
        approved, skipped = select_approved(store, ws.corpus)
        where = store.location
    written = write_approved(o.out, approved, skipped)
    return ApprovedResult(written, write_anchor(o.out, log.head, where), log)
