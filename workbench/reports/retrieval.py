"""The report's "did retrieval find the right excerpts" section, from the stored answers.

Each answer keeps the excerpt ids retrieval gave it; where the gold names the relevant
excerpts of its question (`datasets/gold/retrieval/`), they are scored as
`workbench retrieval` scores a retriever (recall, precision, MRR and nDCG at the number
retrieved), averaged per run over its first answer versions, with the questions whose
retrieval missed a relevant excerpt named. Beside it, ragas' context figures where
`score --judge ragas --ragas-context` stored them (`context_rows`): per run and judge,
the mean LLM context precision, the ID-based precision and recall, and how many answers
the judge could not judge, with the first reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.data.datasets import GoldRetrieval, embedded_datasets_dir, load_gold_retrieval
from workbench.generation.retrieval_measure import METRICS, ranking_scores
from workbench.models import Answer, Evaluation

__all__ = ["ContextRow", "RetrievalRow", "context_rows", "gold_for_report", "retrieval_rows"]


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


@dataclass(frozen=True, slots=True)
class ContextRow:
    """One run's stored ragas context figures, by one judge (means over what it judged)."""

    run_id: str
    judge: str
    answers: int  # answers with context figures stored
    precision: float | None  # LLM context precision (None: none judged)
    id_precision: float | None  # against the gold (None: no gold names its questions)
    id_recall: float | None
    failed: int  # answers the judge could not judge
    failure: str  # the first failure's reason ("" when none failed)


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def context_rows(answers: Sequence[Answer], evaluations: Sequence[Evaluation]) -> list[ContextRow]:
    """Per run and context judge, the mean ragas context figures of its first answers."""
    run_of = {a.id: a.run_id for a in answers if a.parent_id is None}
    groups: dict[tuple[str, str], list[Evaluation]] = {}
    for ev in evaluations:
        if ev.context is not None and ev.answer_id in run_of:
            groups.setdefault((run_of[ev.answer_id], ev.context.judge), []).append(ev)
    rows = []
    for (run_id, judge), evs in groups.items():
        scores = [ev.context for ev in evs if ev.context is not None]
        failed = [c for c in scores if c.precision is None]
        rows.append(
            ContextRow(
                run_id,
                judge,
                len(scores),
                _mean([c.precision for c in scores]),
                _mean([c.id_precision for c in scores]),
                _mean([c.id_recall for c in scores]),
                len(failed),
                failed[0].reason if failed else "",
            )
        )
    return rows


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
