"""How well a retriever finds the excerpts that answer a question, against gold labels.

For each question with gold relevant excerpt ids (`datasets/gold/retrieval/`), a
retriever's top `k` is compared with them: recall@k (share of the relevant excerpts
found), precision@k (share of the `k` places holding a relevant one), MRR (1 / rank of
the first relevant one, 0 if none is in the top `k`) and nDCG@k (binary gains, so a
relevant excerpt counts more the higher it is ranked; 1 when every relevant excerpt
leads the list). Figures are per question, then averaged per cancer type and overall.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from workbench.data.datasets import Corpus, GoldRetrieval
from workbench.errors import DatasetError
from workbench.models import Question, RetrievedExcerpt

__all__ = [
    "METRICS",
    "QuestionScore",
    "Retriever",
    "check_gold",
    "measure_retriever",
    "ranking_scores",
    "summarise",
]

METRICS = ("recall", "precision", "mrr", "ndcg")


class Retriever(Protocol):
    """Anything that ranks excerpts for a question (`BM25Retriever`, the encoder, a hybrid)."""

    def retrieve(self, question: Question, *, k: int = 6) -> list[RetrievedExcerpt]: ...


@dataclass(frozen=True, slots=True)
class QuestionScore:
    """One retriever's figures on one question."""

    retriever: str
    question_id: str
    cancer_type: str
    found: tuple[str, ...]  # the top k, best first
    relevant: tuple[str, ...]
    recall: float
    precision: float
    mrr: float
    ndcg: float


def ranking_scores(found: Sequence[str], relevant: Sequence[str], k: int) -> dict[str, float]:
    """recall@k, precision@k, MRR and nDCG@k of one ranked list against the relevant ids."""
    top = list(found)[:k]
    wanted = set(relevant)
    hits = [i for i, excerpt_id in enumerate(top) if excerpt_id in wanted]
    dcg = sum(1 / math.log2(i + 2) for i in hits)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(wanted), k)))
    return {
        "recall": len(hits) / len(wanted) if wanted else 0.0,
        "precision": len(hits) / k if k else 0.0,
        "mrr": 1 / (hits[0] + 1) if hits else 0.0,
        "ndcg": dcg / ideal if ideal else 0.0,
    }


def check_gold(gold: Sequence[GoldRetrieval], corpus: Corpus, where: str) -> None:
    """Refuse gold that names a question or an excerpt the corpus does not have."""
    for row in gold:
        if row.question_id not in {q.id for q in corpus.questions}:
            raise DatasetError(where, f"question {row.question_id!r} is not in the questions")
        missing = [i for i in row.relevant if i not in corpus.excerpts]
        if missing:
            raise DatasetError(
                where, f"question {row.question_id!r}: excerpts {missing} are not in the corpus"
            )


def measure_retriever(
    name: str, retriever: Retriever, corpus: Corpus, gold: Sequence[GoldRetrieval], *, k: int
) -> list[QuestionScore]:
    """The retriever's figures on every gold question (gold checked by `check_gold`)."""
    questions = {q.id: q for q in corpus.questions}
    out: list[QuestionScore] = []
    for row in gold:
        question = questions[row.question_id]
        found = tuple(r.excerpt.id for r in retriever.retrieve(question, k=k))
        scores = ranking_scores(found, row.relevant, k)
        out.append(
            QuestionScore(
                name, question.id, question.cancer_type, found, tuple(row.relevant), **scores
            )
        )
    return out


def summarise(scores: Sequence[QuestionScore]) -> dict[str, dict[str, float]]:
    """Mean figures per cancer type and `overall` (each question counts once)."""
    groups: dict[str, list[QuestionScore]] = {}
    for s in scores:
        groups.setdefault(s.cancer_type, []).append(s)
    out = {t: _means(groups[t]) for t in sorted(groups)}
    out["overall"] = _means(scores)
    return out


def _means(scores: Sequence[QuestionScore]) -> dict[str, float]:
    n = len(scores)
    table: Mapping[str, float] = {
        m: sum(float(getattr(s, m)) for s in scores) / n if n else 0.0 for m in METRICS
    }
    return {**table, "questions": float(n)}
