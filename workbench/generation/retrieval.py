"""Retrieval: the excerpts for a question, by BM25 over stemmed content words.

Every backend gets the same excerpts for the same question, so answers differ by prompt
and model only. Excerpts about the question's own cancer type (or general ones) are
preferred: an excerpt about another cancer is kept only when it scores far better.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from workbench.data.text import content_stems
from workbench.models import Excerpt, Question, RetrievedExcerpt

__all__ = ["BM25Retriever"]

_OTHER_TYPE_PENALTY = 0.5  # an excerpt about a different cancer counts half


class BM25Retriever:
    """Okapi BM25 over excerpt text, source section and topics."""

    def __init__(self, excerpts: Iterable[Excerpt], *, k1: float = 1.5, b: float = 0.75) -> None:
        self.excerpts: tuple[Excerpt, ...] = tuple(excerpts)
        self.k1, self.b = k1, b
        self._docs = [Counter(content_stems(self._indexed_text(e))) for e in self.excerpts]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._avg_len = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    @staticmethod
    def _indexed_text(excerpt: Excerpt) -> str:
        topics = " ".join(t.replace("_", " ") for t in excerpt.topics)
        return f"{excerpt.text} {excerpt.section} {topics} {excerpt.cancer_type}"

    def scores(self, query: str) -> list[float]:
        """The BM25 score of every excerpt for the query, in corpus order."""
        terms = content_stems(query)
        out: list[float] = []
        for doc, length in zip(self._docs, self._lengths, strict=True):
            norm = self.k1 * (1 - self.b + self.b * length / (self._avg_len or 1.0))
            s = 0.0
            for t in terms:
                tf = doc.get(t, 0)
                if tf:
                    s += self._idf[t] * tf * (self.k1 + 1) / (tf + norm)
            out.append(s)
        return out

    def retrieve(self, question: Question, *, k: int = 6) -> list[RetrievedExcerpt]:
        """The top `k` excerpts for a question, best first; ties keep corpus order."""
        query = " ".join([question.text, question.cancer_type, *question.tags])
        ranked: list[tuple[float, int]] = []
        for i, (score, excerpt) in enumerate(zip(self.scores(query), self.excerpts, strict=True)):
            if score <= 0:
                continue
            if excerpt.cancer_type not in (question.cancer_type, "general"):
                score *= _OTHER_TYPE_PENALTY
            ranked.append((score, i))
        ranked.sort(key=lambda pair: (-pair[0], pair[1]))
        return [
            RetrievedExcerpt(self.excerpts[i], rank, round(score, 4))
            for rank, (score, i) in enumerate(ranked[:k], start=1)
        ]

    def by_ids(self, ids: Sequence[str]) -> list[Excerpt]:
        """The excerpts with these ids, in the given order (unknown ids skipped)."""
        index = {e.id: e for e in self.excerpts}
        return [index[i] for i in ids if i in index]
