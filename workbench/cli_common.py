"""What every command shares: the default store and the data set options."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.datasets import Corpus, default_datasets_dir, load_corpus

__all__ = ["DEFAULT_STORE", "corpus_from_args", "data_options", "store_option"]

DEFAULT_STORE = Path("workbench.db")


def store_option(p: argparse.ArgumentParser) -> None:
    """`--store`, the SQLite file every command reads or writes."""
    p.add_argument(
        "--store",
        type=Path,
        default=DEFAULT_STORE,
        help=f"SQLite store (default: ./{DEFAULT_STORE})",
    )


def data_options(p: argparse.ArgumentParser) -> None:
    """`--datasets`, `--questions`, `--excerpts`, `--prompts` and `--store`."""
    p.add_argument("--datasets", type=Path, help="data set folder (default: the repo's datasets/)")
    p.add_argument("--questions", type=Path, help="questions JSONL file or folder")
    p.add_argument("--excerpts", type=Path, help="excerpts JSONL file or folder")
    p.add_argument("--prompts", type=Path, help="prompt template folder or YAML file")
    store_option(p)


def corpus_from_args(args: argparse.Namespace) -> Corpus:
    """Load the data sets the options name (the repository's by default)."""
    folder = args.datasets or default_datasets_dir()
    return load_corpus(
        questions=args.questions or folder / "questions",
        excerpts=args.excerpts or folder / "excerpts",
        prompts=args.prompts or folder / "prompts",
    )
