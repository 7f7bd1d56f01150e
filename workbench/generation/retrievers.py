"""Retrievers beside BM25: by the sentence encoder, and a hybrid of the two.

`EncoderRetriever` ranks excerpts by the cosine of their encoder vectors to the
question's (the shared encoder seam, `workbench.encoders`); `HybridRetriever` fuses the
BM25 and encoder rankings by reciprocal rank (each list gives 1 / (60 + rank)), which
needs no score scaling. Both prefer the question's own cancer type (or general
excerpts) as BM25 does. `RETRIEVERS` names them for `workbench retrieval`; which one
generation uses by default was chosen by the measured figures
(docs/relevance-and-retrieval.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

import numpy as np

from workbench.encoders import Encoder, load_encoder
from workbench.generation.retrieval import BM25Retriever, retriever_for
from workbench.generation.retrieval_measure import Retriever
from workbench.models import Excerpt, Question, RetrievedExcerpt

__all__ = ["RETRIEVERS", "EncoderRetriever", "HybridRetriever", "make_retriever"]

_OTHER_TYPE_PENALTY = 0.1  # cosine taken off an excerpt about a different cancer
_RRF_K = 60  # the usual reciprocal-rank constant: flattens the top of each list
_POOL = 50  # how deep each ranking goes into the fusion


def _query(question: Question) -> str:
    return " ".join([question.text, question.cancer_type, *question.tags])


class EncoderRetriever:
    """Excerpts ranked by encoder cosine to the question (text, cancer type, tags)."""

    def __init__(self, excerpts: Iterable[Excerpt], *, encoder: Encoder | None = None) -> None:
        self.excerpts: tuple[Excerpt, ...] = tuple(excerpts)
        self.encoder = encoder or load_encoder()
        texts = [f"{e.section}: {e.text}" for e in self.excerpts]
        self._vectors = self.encoder.encode(texts)
        self._types = np.array([e.cancer_type for e in self.excerpts])

    def retrieve(self, question: Question, *, k: int = 6) -> list[RetrievedExcerpt]:
        """The top `k` excerpts, best first; ties keep corpus order."""
        if not self.excerpts:
            return []
        q = self.encoder.encode([_query(question)])[0]
        scores = self._vectors @ q
        other = ~np.isin(self._types, [question.cancer_type, "general"])
        scores = np.where(other, scores - _OTHER_TYPE_PENALTY, scores)
        order = np.lexsort((np.arange(len(scores)), -scores))[:k]
        return [
            RetrievedExcerpt(self.excerpts[int(i)], rank, round(float(scores[i]), 4))
            for rank, i in enumerate(order, start=1)
        ]


class HybridRetriever:
    """BM25 and the encoder fused by reciprocal rank."""

    def __init__(self, bm25: BM25Retriever, encoder: EncoderRetriever) -> None:
        self.bm25, self.encoder = bm25, encoder

    def retrieve(self, question: Question, *, k: int = 6) -> list[RetrievedExcerpt]:
        """The top `k` by fused rank, best first; ties go to the BM25 order."""
        fused: dict[str, float] = {}
        first_seen: dict[str, Excerpt] = {}
        for ranking in (
            self.bm25.retrieve(question, k=_POOL),
            self.encoder.retrieve(question, k=_POOL),
        ):
            for r in ranking:
                fused[r.excerpt.id] = fused.get(r.excerpt.id, 0.0) + 1 / (_RRF_K + r.rank)
                first_seen.setdefault(r.excerpt.id, r.excerpt)
        order = sorted(fused, key=lambda i: -fused[i])[:k]  # stable: BM25's order breaks ties
        return [
            RetrievedExcerpt(first_seen[i], rank, round(fused[i], 6))
            for rank, i in enumerate(order, start=1)
        ]


@lru_cache(maxsize=4)
def _encoder_retriever(excerpts: tuple[Excerpt, ...]) -> EncoderRetriever:
    return EncoderRetriever(excerpts)


def _hybrid(excerpts: tuple[Excerpt, ...]) -> HybridRetriever:
    return HybridRetriever(retriever_for(excerpts), _encoder_retriever(excerpts))


RETRIEVERS: dict[str, Callable[[tuple[Excerpt, ...]], Retriever]] = {
    "bm25": retriever_for,
    "encoder": _encoder_retriever,
    "hybrid": _hybrid,
}


def make_retriever(name: str, excerpts: Iterable[Excerpt]) -> Retriever:
    """The retriever called `name` over these excerpts (built once per corpus and kept)."""
    return RETRIEVERS[name](tuple(excerpts))
