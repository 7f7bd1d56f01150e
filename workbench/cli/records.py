"""Record commands: `workbench verify` checks the decision log and the store's pages;
`workbench backup` copies a store safely while others write."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.cli.common import store_option, store_workspace
from workbench.runs import records
from workbench.runs.choices import (
    KEY_ENV,
    KEY_FILE_ENV,
    ChainCheck,
    config_key_file,
    key_places,
)
from workbench.runs.guards import UNKEYED_NOTE, unchecked_macs
from workbench.runs.options import BackupOptions, VerifyOptions

__all__ = ["add_record_commands", "anchor_option", "key_file_option", "print_anchor"]

EXIT_NO_KEY = 2  # keyed decisions and no key to check them: a setting is missing


def print_anchor(check: ChainCheck, where: Path | None) -> None:
    """The log's head, for the user to keep outside the store, and what no key means."""
    saved = f" (saved in {where})" if where else ""
    print(
        f"decision log anchor: {check.head}{saved}; keep it: `workbench verify --anchor` checks it"
    )
    if check.count and check.keyed is None:
        print(f"note: {UNKEYED_NOTE}")


def anchor_option(p: argparse.ArgumentParser, when: str) -> None:
    """`--anchor`, repeatable: a point the log must still extend."""
    p.add_argument(
        "--anchor",
        action="append",
        metavar="FILE_OR_HASH",
        help="an anchor.json, N:HASH or HASH from an earlier export or report that the log "
        f"must still extend, checked {when} (repeatable)",
    )


def key_file_option(p: argparse.ArgumentParser) -> None:
    """`--key-file`: the decision log's key, over the places it is looked for."""
    p.add_argument(
        "--key-file",
        type=Path,
        help=f"file holding the log key (default: ${KEY_ENV}, else ${KEY_FILE_ENV}, "
        f"else {config_key_file()})",
    )


def _keyed_line(check: ChainCheck) -> str:
    if check.keyed is None and unchecked_macs(check):
        return (
            f"keyed check NOT MADE: {unchecked_macs(check)} decisions carry a keyed MAC and no "
            "log key is in reach (see below)"
        )
    if check.keyed is None:
        return f"keyed check not possible: {UNKEYED_NOTE}"
    if not check.keyed:
        return "keyed check FAILED (see below)"
    before = (
        f"; {check.unkeyed_rows} earlier decisions were written without a key"
        if check.unkeyed_rows
        else ""
    )
    return f"keyed check: every keyed decision's MAC matches the key{before}"


def cmd_verify(args: argparse.Namespace) -> int:
    o = VerifyOptions(store_workspace(args), tuple(args.anchor or ()), args.key_file)
    result = records.verify(o)
    check = result.check
    print(f"store {result.location} (opened read-only)")
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
    for line in check.notes:
        print(line)
    for anchor in check.anchors:
        print(f"anchor {anchor}: checked")
    if check.log_ok and check.changed:
        print(f"decision log chain holds ({check.count} decisions); answers changed since:")
    if check.ok and unchecked_macs(check):
        print(
            f"decision log chain holds ({check.count} decisions, every hash, link and "
            "counter), but its MACs were not checked"
        )
    if not check.ok:
        for page in check.damaged:
            print(f"store DAMAGED: {page}", file=sys.stderr)
        for problem in check.problems:
            print(f"decision log BROKEN at row {problem.seq}: {problem.what}", file=sys.stderr)
        for problem in check.changed:
            print(
                f"answer CHANGED since row {problem.seq} decided on it: {problem.what}",
                file=sys.stderr,
            )
        return 1
    if unchecked_macs(check):
        print(f"head: {check.head}")
        print(
            f"workbench: {unchecked_macs(check)} decisions carry a keyed MAC that could not be "
            f"checked: no log key in reach (looked in {key_places(args.key_file)})",
            file=sys.stderr,
        )
        return EXIT_NO_KEY
    print(
        f"decision log intact: {check.count} decisions, every hash, link and counter holds"
        + (f", extends {result.anchors} anchor(s)" if result.anchors else "")
    )
    print(f"head: {check.head}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    result = records.backup(BackupOptions(store_workspace(args), args.out))
    check = result.check
    state = "intact" if check.ok else f"BROKEN at row {check.first_bad_seq}: {check.problem}"
    print(
        f"backed up {result.source} to {result.out}: {check.count} decisions, log {state}, "
        f"head {check.head}"
    )
    return 0 if check.ok else 1


def add_record_commands(sub: Any) -> None:
    """Add `verify` and `backup` to the CLI's subcommands."""
    v = sub.add_parser(
        "verify",
        help="check the decision log (chain, counter, rows against their answers, key, "
        "anchors) and the store's pages",
    )
    store_option(v)
    anchor_option(v, "with the rest")
    key_file_option(v)
    v.set_defaults(func=cmd_verify)

    b = sub.add_parser(
        "backup", help="copy the store with SQLite's online backup API (safe while others write)"
    )
    store_option(b)
    b.add_argument("--out", type=Path, required=True, help="the new file to write")
    b.set_defaults(func=cmd_backup)
