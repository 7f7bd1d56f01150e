"""Record commands: `workbench verify` checks the decision log and the store's pages;
`workbench backup` copies a store safely while others write."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.common import store_option, store_workspace
from workbench.errors import ConfigError, OutputError
from workbench.review.decisions import verify_log
from workbench.store.decision_log import KEY_ENV, KEY_FILE_ENV, Anchor, ChainCheck, load_log_key

__all__ = ["add_record_commands", "print_anchor"]


def print_anchor(check: ChainCheck, where: Path | None) -> None:
    """The log's head, for the user to keep outside the store."""
    saved = f" (saved in {where})" if where else ""
    print(
        f"decision log anchor: {check.head}{saved}; keep it: `workbench verify --anchor` checks it"
    )


def _anchors(texts: list[str] | None) -> list[Anchor]:
    out = []
    for text in texts or []:
        anchor = Anchor.parse(text)
        if isinstance(anchor, str):
            raise ConfigError(f"--anchor: {anchor}")
        out.append(anchor)
    return out


def _keyed_line(check: ChainCheck) -> str:
    if check.keyed is None:
        return (
            f"keyed check not possible: no log key given (set ${KEY_ENV} or ${KEY_FILE_ENV}, "
            "or --key-file); a chain rewritten with fresh SHA-256s would pass the plain check"
        )
    if not check.keyed:
        return "keyed check FAILED (see below)"
    before = (
        f"; {check.unkeyed_rows} earlier decisions were written without a key"
        if (check.unkeyed_rows)
        else ""
    )
    return f"keyed check: every keyed decision's MAC matches the key{before}"


def cmd_verify(args: argparse.Namespace) -> int:
    anchors = _anchors(args.anchor)
    key = load_log_key(args.key_file)
    with store_workspace(args).open_store(read_only=True) as store:
        check = verify_log(store, key=key, anchors=anchors, pages=True)
        path = store.location
    print(f"store {path} (opened read-only)")
    print(
        "pages: the database's integrity check finds no damage"
        if not check.damaged
        else "pages: see below"
    )
    if check.recorded is not None or check.count:
        print(
            f"counter: the store numbered {check.recorded or 0} decisions; "
            f"the log holds {check.count}"
        )
    print(_keyed_line(check))
    for anchor in check.anchors:
        print(f"anchor {anchor}: checked")
    if check.ok:
        print(
            f"decision log intact: {check.count} decisions, every hash, link and counter holds"
            + (f", extends {len(anchors)} anchor(s)" if anchors else "")
        )
        print(f"head: {check.head}")
        return 0
    for page in check.damaged:
        print(f"store DAMAGED: {page}", file=sys.stderr)
    for problem in check.problems:
        print(f"decision log BROKEN at row {problem.seq}: {problem.what}", file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists():
        raise OutputError(f"{out} exists: give a new file for the backup")
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: no such folder for the backup")
    with store_workspace(args).open_store(read_only=True) as store:
        store.backup(out)
        path = store.location
    with store_workspace(argparse.Namespace(store=out)).open_store(read_only=True) as copy:
        check = verify_log(copy, pages=True)
    state = "intact" if check.ok else f"BROKEN at row {check.first_bad_seq}: {check.problem}"
    print(f"backed up {path} to {out}: {check.count} decisions, log {state}, head {check.head}")
    return 0 if check.ok else 1


def add_record_commands(sub: Any) -> None:
    """Add `verify` and `backup` to the CLI's subcommands."""
    v = sub.add_parser(
        "verify",
        help="check the decision log (chain, counter, key, anchors) and the store's pages",
    )
    store_option(v)
    v.add_argument(
        "--anchor",
        action="append",
        metavar="FILE_OR_HASH",
        help="an anchor.json, N:HASH or HASH from an earlier export or report that the log "
        "must still extend (repeatable)",
    )
    v.add_argument(
        "--key-file",
        type=Path,
        help=f"file holding the log key (default: ${KEY_ENV}, else ${KEY_FILE_ENV})",
    )
    v.set_defaults(func=cmd_verify)

    b = sub.add_parser(
        "backup", help="copy the store with SQLite's online backup API (safe while others write)"
    )
    store_option(b)
    b.add_argument("--out", type=Path, required=True, help="the new file to write")
    b.set_defaults(func=cmd_backup)
