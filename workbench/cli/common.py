"""What every command shares: the store and data set options, turned into a `Workspace`
once, and the way a batch's outcome is printed."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench.reports.summary import summary_frame
from workbench.runs.batch import BatchReport
from workbench.runs.choices import CallStats
from workbench.workspace import STORE_ENV, STORE_NAME, Workspace

__all__ = [
    "FAILED_ITEMS",
    "batch_status",
    "data_options",
    "print_batch",
    "print_summary",
    "quiet_option",
    "store_option",
    "store_workspace",
    "workspace_of",
]

FAILED_ITEMS = 1  # some items of a batch failed (2 is bad input, as for every command)

SUMMARY_COLUMNS = [
    "prompt",
    "backend",
    "judge",
    "answers",
    "faithfulness",
    "any_unsupported",
    "no_claims",
    "judge_failed",
    "safety_failed",
    "fk_grade",
    "smog",
]


NO_VALUE = "–"  # as the HTML report prints a value that does not exist


def _fixed(value: object) -> str:
    return NO_VALUE if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


_FORMATS = {column: _fixed for column in SUMMARY_COLUMNS}


def store_option(p: argparse.ArgumentParser) -> None:
    """`--store`, the store every command reads or writes."""
    p.add_argument(
        "--store",
        help="SQLite file (a path or sqlite:///file.db) or PostgreSQL database "
        f"(postgresql://user@host/db) (default: ${STORE_ENV}, else ./{STORE_NAME})",
    )


def data_options(p: argparse.ArgumentParser) -> None:
    """`--datasets`, `--questions`, `--excerpts`, `--prompts` and `--store`."""
    p.add_argument(
        "--datasets",
        type=Path,
        help="data set folder (default: $WORKBENCH_DATASETS, else the repo's datasets/)",
    )
    p.add_argument("--questions", type=Path, help="questions JSONL file or folder")
    p.add_argument("--excerpts", type=Path, help="excerpts JSONL file or folder")
    p.add_argument("--prompts", type=Path, help="prompt template folder or YAML file")
    store_option(p)


def quiet_option(p: argparse.ArgumentParser) -> None:
    """`-q`: no progress bars."""
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


def workspace_of(args: argparse.Namespace) -> Workspace:
    """The workspace of a command with the data set options."""
    return Workspace.resolve(
        datasets=args.datasets,
        store=args.store,
        questions=args.questions,
        excerpts=args.excerpts,
        prompts=args.prompts,
    )


def store_workspace(args: argparse.Namespace) -> Workspace:
    """The workspace of a command with only `--store`."""
    return Workspace.resolve(store=args.store)


def print_batch(verb: str, report: BatchReport, calls: CallStats | None = None) -> None:
    """One line for the batch, a line per failure (on stderr), and the LLM calls made."""
    where = f" in run {report.run_id}" if report.run_id else ""
    failed = f", failed {len(report.failed)}" if report.failed else ""
    print(f"{verb} {report.done}{failed}, already done {report.skipped}{where}")
    for item, why in report.failed:
        print(f"  failed {item}: {why}", file=sys.stderr)
    if calls is not None:
        print(calls.describe())


def batch_status(reports: Sequence[BatchReport]) -> int:
    """The exit status of batch commands: FAILED_ITEMS when any item failed, else 0.

    Says so on stderr, with what a rerun does: what finished is kept, the rest is tried again.
    """
    failed = sum(len(r.failed) for r in reports)
    if not failed:
        return 0
    print(
        f"workbench: {failed} item(s) failed (exit status {FAILED_ITEMS}); what finished is "
        "kept, and the same command tries the failed ones again",
        file=sys.stderr,
    )
    return FAILED_ITEMS


def print_summary(frame: pd.DataFrame) -> None:
    """The summary table of an evaluation frame, one row per prompt, backend and judge."""
    summary = summary_frame(frame)
    if summary.empty:
        print("no evaluations in the store yet")
        return
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        table = summary[SUMMARY_COLUMNS].astype(object).where(summary[SUMMARY_COLUMNS].notna())
        print(table.to_string(index=False, na_rep=NO_VALUE, formatters=_FORMATS))
