"""The report's "did retrieval find the right excerpts" section, from the stored answers.

Each answer keeps the excerpt ids retrieval gave it; where the gold names the relevant
excerpts of its question (`datasets/gold/retrieval/`), they are scored as
`workbench retrieval` scores a retriever (recall, precision, MRR and nDCG at the number
retrieved), averaged per run over its first answer versions, with the questions whose
retrieval missed a relevant excerpt named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.data.datasets import GoldRetrieval, embedded_datasets_dir, load_gold_retrieval
from workbench.generation.retrieval_measure import METRICS, ranking_scores
from workbench.models import Answer

__all__ = ["RetrievalRow", "gold_for_report", "retrieval_rows"]


@dataclass(frozen=True, slots=True)
class RetrievalRow:
    """One run's retrieval against the gold: mean figures and the questions it missed."""

    run_id: str
    questions: int  # answered questions that have gold
    k: float  # mean number of excerpts retrieved per answer
    recall: float
    precision: float
    mrr: float
    ndcg: float
    missed: tuple[tuple[str, tuple[str, ...]], ...]  # question id, relevant ids not found


def gold_for_report(datasets_folder: Path) -> list[GoldRetrieval]:
    """The data set folder's gold relevant excerpts, else the embedded ones; none if
    neither exists (a report is never refused for want of retrieval gold)."""
    for folder in (
        datasets_folder / "gold" / "retrieval",
        embedded_datasets_dir() / "gold" / "retrieval",
    ):
        if folder.exists():
            return load_gold_retrieval(folder)
    return []


def retrieval_rows(answers: Sequence[Answer], gold: Sequence[GoldRetrieval]) -> list[RetrievalRow]:
    """Per run, its first answer versions' retrieval scored against the gold."""
    relevant = {g.question_id: tuple(g.relevant) for g in gold}
    runs: dict[str, list[tuple[Answer, tuple[str, ...]]]] = {}
    for a in answers:
        if a.parent_id is None and a.question_id in relevant:
            runs.setdefault(a.run_id, []).append((a, relevant[a.question_id]))
    rows = []
    for run_id, pairs in runs.items():
        scores = [ranking_scores(a.retrieved_ids, want, len(a.retrieved_ids)) for a, want in pairs]
        n = len(scores)
        means = {m: sum(s[m] for s in scores) / n for m in METRICS}
        missed = tuple(
            (a.question_id, tuple(i for i in want if i not in a.retrieved_ids))
            for a, want in pairs
            if any(i not in a.retrieved_ids for i in want)
        )
        k = sum(len(a.retrieved_ids) for a, _ in pairs) / n
        rows.append(RetrievalRow(run_id, n, k, **means, missed=missed))
    return rows
