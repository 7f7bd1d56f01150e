"""Store commands: `workbench store copy --from SRC --to DST` (SQLite ↔ PostgreSQL)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workbench.runs import records
from workbench.runs.options import CopyOptions
from workbench.workspace import Workspace

__all__ = ["add_store_commands"]


def cmd_copy(args: argparse.Namespace) -> int:
    source_ws, target_ws = Workspace.resolve(store=args.source), Workspace.resolve(store=args.to)
    report = records.copy(CopyOptions(source_ws, target_ws))
    print(
        f"copied {report.runs} runs, {report.answers} answer versions, {report.evaluations} "
        f"evaluations and {report.decisions} decisions from {source_ws.store} to {target_ws.store}"
    )
    check = report.check
    if check.ok:
        print(
            f"decision log verified on arrival: {check.count} decisions, every hash and link holds"
        )
        return 0
    print(
        f"decision log BROKEN at row {check.first_bad_seq} of {check.count}: {check.problem}",
        file=sys.stderr,
    )
    return 1


def add_store_commands(sub: Any) -> None:
    """Add `store copy` to the CLI's subcommands."""
    s = sub.add_parser("store", help="manage stores: copy one to another (SQLite or PostgreSQL)")
    actions = s.add_subparsers(dest="store_command", required=True, metavar="ACTION")
    c = actions.add_parser(
        "copy",
        help="copy a whole store (runs, answers, evaluations, the decision log with its "
        "hashes) into a new, empty store, and verify the chain on arrival",
    )
    c.add_argument(
        "--from", dest="source", required=True, metavar="SRC",
        help="the store to copy: a SQLite path or sqlite:///file.db, or postgresql://user@host/db",
    )  # fmt: skip
    c.add_argument("--to", required=True, metavar="DST", help="the new, empty store (same forms)")
    c.set_defaults(func=cmd_copy)
