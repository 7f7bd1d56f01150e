"""The command line: `workbench generate | score | report | export | runs | compare |
gate | decide | verify | backup | agreement | review | demo | import | store copy |
retrieval | local-server`.

Each command group lives in its own module and turns its arguments into typed options
once; the command calls the library with them and prints what it did. A
`WorkbenchError` prints as one clear line and exits 2; anything else is a bug and shows
its traceback. A batch (`generate`, `score`) with failed items exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from workbench.cli.batch import add_batch_commands
from workbench.cli.compare import add_run_commands
from workbench.cli.gate import add_gate_command
from workbench.cli.imports import add_import_command
from workbench.cli.local_server import add_local_server_command
from workbench.cli.records import add_record_commands
from workbench.cli.reporting import add_output_commands
from workbench.cli.retrieval import add_retrieval_command
from workbench.cli.review import add_review_commands
from workbench.cli.store import add_store_commands
from workbench.errors import WorkbenchError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command."""
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Generate, score and report plain-language answers to cancer patients' "
        "questions. Runs offline by default.",
        epilog="exit status: 0 done; 1 something failed (generate, score: some items, what "
        "finished is kept and the same command tries the rest again; verify: the decision log "
        "is broken; gate: a threshold is missed); 2 bad input or settings (nothing done is lost)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_batch_commands(sub)
    add_output_commands(sub)
    add_review_commands(sub)
    add_record_commands(sub)
    add_run_commands(sub)
    add_import_command(sub)
    add_gate_command(sub)
    add_retrieval_command(sub)
    add_store_commands(sub)
    add_local_server_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except WorkbenchError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `workbench ... | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
