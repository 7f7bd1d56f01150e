"""`workbench import PATH... --into DIR`: documents into excerpts (`workbench.importing`)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from workbench.runs.imports import import_into
from workbench.runs.options import ImportOptions

__all__ = ["add_import_command"]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 2025-03-31") from exc


def cmd_import(args: argparse.Namespace) -> int:
    result = import_into(
        ImportOptions(
            tuple(args.paths),
            args.into,
            source_title=args.source_title or "",
            link=args.link or "",
            version=args.version or "",
            date=args.date,
            license=args.license or "",
            cancer_type=args.cancer_type,
        )
    )
    print(result.summary())
    print(
        f"{len(result.excerpts)} excerpts from {len(result.documents)} document(s) in "
        f"{args.into}: use it with --datasets {args.into}"
    )
    return 0


def add_import_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `import` subcommand."""
    p = sub.add_parser(
        "import",
        help="import PDF, HTML, Markdown, text or DOCX documents as excerpts",
        description="Read documents into section-sized excerpts in a data set folder. "
        "Re-importing keeps the ids; changed sections get the next version.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or folders")
    p.add_argument(
        "--into", type=Path, metavar="DIR", required=True, help="data set folder to write into"
    )
    p.add_argument("--source-title", metavar="T", help="source title (default: the document's)")
    p.add_argument("--link", metavar="URL", help="link to the source (default: the page's URL)")
    p.add_argument("--version", metavar="V", help="the document's version, e.g. 2025.1")
    p.add_argument("--date", type=_date, metavar="D", help="the document's date, YYYY-MM-DD")
    p.add_argument("--license", metavar="L", help="the source's license or terms of use")
    p.add_argument(
        "--cancer-type", default="general", help="cancer type of the excerpts (default: general)"
    )
    p.set_defaults(func=cmd_import)
