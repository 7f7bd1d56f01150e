"""Retrieval: the excerpts for a question, by BM25 over stemmed content words.

Every backend gets the same excerpts for the same question, so answers differ by prompt
and model only. Excerpts about the question's own cancer type (or general ones) are
preferred: an excerpt about another cancer is kept only when it scores far better.

The index is built once per corpus and kept (`retriever_for`): each term's postings hold
the documents it occurs in with their BM25 weight already computed, so a question costs
a few array additions, not a pass over every excerpt (10,000 imported excerpts: see
`benchmarks/retrieval_scale.py`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from workbench.data.text import content_stems
from workbench.models import Excerpt, Question, RetrievedExcerpt

__all__ = ["BM25Retriever", "retriever_for"]

_OTHER_TYPE_PENALTY = 0.5  # an excerpt about a different cancer counts half
_CACHED_CORPORA = 4  # a session works on one or two corpora; a few more cost little


class BM25Retriever:
    """Okapi BM25 over excerpt text, source section and topics, with an inverted index."""

    def __init__(self, excerpts: Iterable[Excerpt], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.excerpts: tuple[Excerpt, ...] = tuple(excerpts)
        self.k1, self.b = k1, b
        docs = [Counter(content_stems(self._indexed_text(e))) for e in self.excerpts]
        lengths = [sum(d.values()) for d in docs]
        avg_len = (sum(lengths) / len(lengths)) if lengths else 0.0
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(doc.keys())
        n = len(docs)
        idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for i, (doc, length) in enumerate(zip(docs, lengths, strict=True)):
            norm = k1 * (1 - b + b * length / (avg_len or 1.0))
            for t, tf in doc.items():
                ids, weights = postings.setdefault(t, ([], []))
                ids.append(i)
                weights.append(idf[t] * tf * (k1 + 1) / (tf + norm))
        self._postings: dict[str, tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]] = {
            t: (np.array(ids, dtype=np.intp), np.array(w, dtype=np.float64))
            for t, (ids, w) in postings.items()
        }
        types = sorted({e.cancer_type for e in self.excerpts})
        self._type_codes = {t: code for code, t in enumerate(types)}
        self._types = np.array([self._type_codes[e.cancer_type] for e in self.excerpts])
        self._by_id = {e.id: e for e in self.excerpts}

    @staticmethod
    def _indexed_text(excerpt: Excerpt) -> str:
        topics = " ".join(t.replace("_", " ") for t in excerpt.topics)
        return f"{excerpt.text} {excerpt.section} {topics} {excerpt.cancer_type}"

    def _scores(self, query: str) -> npt.NDArray[np.float64]:
        scores = np.zeros(len(self.excerpts), dtype=np.float64)
        for t in content_stems(query):  # in query order, repeats counted, as BM25 sums
            posting = self._postings.get(t)
            if posting is not None:
                scores[posting[0]] += posting[1]
        return scores

    def scores(self, query: str) -> list[float]:
        """The BM25 score of every excerpt for the query, in corpus order."""
        return [float(s) for s in self._scores(query)]

    def retrieve(self, question: Question, *, k: int = 6) -> list[RetrievedExcerpt]:
        """The top `k` excerpts for a question, best first; ties keep corpus order."""
        query = " ".join([question.text, question.cancer_type, *question.tags])
        scores = self._scores(query)
        hits = np.flatnonzero(scores > 0)
        hit_scores = scores[hits]
        own = {self._type_codes.get(question.cancer_type, -1), self._type_codes.get("general", -1)}
        other = ~np.isin(self._types[hits], list(own))
        hit_scores[other] *= _OTHER_TYPE_PENALTY
        if 0 < k < len(hits):  # keep only what can make the top k (ties at the k-th kept)
            kth = np.partition(hit_scores, len(hits) - k)[len(hits) - k]
            keep = hit_scores >= kth
            hits, hit_scores = hits[keep], hit_scores[keep]
        order = np.lexsort((hits, -hit_scores))[:k]  # best score first, then corpus order
        return [
            RetrievedExcerpt(self.excerpts[int(hits[j])], rank, round(float(hit_scores[j]), 4))
            for rank, j in enumerate(order, start=1)
        ]

    def by_ids(self, ids: Sequence[str]) -> list[Excerpt]:
        """The excerpts with these ids, in the given order (unknown ids skipped)."""
        return [self._by_id[i] for i in ids if i in self._by_id]


@lru_cache(maxsize=_CACHED_CORPORA)
def _cached(excerpts: tuple[Excerpt, ...]) -> BM25Retriever:
    return BM25Retriever(excerpts)


def retriever_for(excerpts: Iterable[Excerpt]) -> BM25Retriever:
    """The retriever of these excerpts, built on first use and kept for the next batch,
    form click or pre-flight over the same corpus (excerpts are frozen, so a changed
    corpus is a new key and gets its own index)."""
    return _cached(tuple(excerpts))
