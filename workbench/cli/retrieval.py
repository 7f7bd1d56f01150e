"""`workbench retrieval`: did retrieval find the right excerpts? Retrievers measured on gold.

Prints recall@k, precision@k, MRR and nDCG@k per cancer type and overall for each
retriever (BM25, the sentence encoder, their hybrid) on the workspace's questions and
excerpts (the demo's, or `--excerpts` of an imported corpus with `--gold` naming its
relevant excerpts), and writes the per-question rows as CSV and JSON with `--out`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.cli.common import data_options, workspace_of
from workbench.reports.export import write_rows
from workbench.runs.retrieval import (
    DEFAULT_RETRIEVER,
    METRICS,
    RetrievalEvaluation,
    evaluate_retrieval,
)

__all__ = ["add_retrieval_command"]


def _table(result: RetrievalEvaluation) -> str:
    groups = list(next(iter(result.summary.values())))
    lines = [
        f"retrieval at k={result.k} on {result.excerpts} excerpts, gold {result.gold} "
        f"(default retriever: {DEFAULT_RETRIEVER})",
        f"{'retriever':10s} {'group':12s} {'questions':>9s} "
        + " ".join(
            f"{m + '@k' if m in ('recall', 'precision', 'ndcg') else m:>12s}" for m in METRICS
        ),
    ]
    for name, table in result.summary.items():
        for group in groups:
            row = table[group]
            lines.append(
                f"{name:10s} {group:12s} {int(row['questions']):9d} "
                + " ".join(f"{row[m]:12.3f}" for m in METRICS)
            )
    best = result.best()
    lines.append(f"best overall nDCG@{result.k}: {best}")
    return "\n".join(lines)


def retrieval(args: argparse.Namespace) -> int:
    """Measure the retrievers and print the table."""
    result = evaluate_retrieval(
        workspace_of(args),
        k=args.k,
        retrievers=tuple(args.retriever or ("bm25", "encoder", "hybrid")),
        gold=args.gold,
    )
    print(_table(result))
    if args.out is not None:
        csv, js = write_rows(args.out, result.rows(), "retrieval")
        print(f"rows: {csv}, {js}")
    return 0


def add_retrieval_command(sub: Any) -> None:
    """Add `retrieval` to the CLI's subcommands."""
    r = sub.add_parser(
        "retrieval",
        help="did retrieval find the right excerpts: recall, precision, MRR, nDCG per retriever",
        description="Measure retrievers (BM25, the sentence encoder, a hybrid) against gold "
        "relevant excerpts per question: recall@k, precision@k, MRR and nDCG@k per cancer "
        "type and overall.",
    )
    data_options(r)
    r.add_argument("--k", type=int, default=6, help="how many excerpts each retriever returns")
    r.add_argument(
        "--retriever",
        action="append",
        choices=("bm25", "encoder", "hybrid"),
        help="measure only this one (repeatable; default all three)",
    )
    r.add_argument(
        "--gold",
        type=Path,
        metavar="PATH",
        help="gold relevant excerpts, JSONL file or folder (default datasets/gold/retrieval/)",
    )
    r.add_argument("--out", type=Path, help="write the per-question rows (CSV and JSON) here")
    r.set_defaults(func=retrieval)
