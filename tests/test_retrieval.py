"""Retrieval: the indexed BM25 against the formula, ties, the cancer-type preference, and
the index kept per corpus instead of being built for every batch."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

import pytest

from tests.conftest import make_excerpt
from workbench.data.datasets import Corpus
from workbench.data.text import content_stems
from workbench.generation.retrieval import BM25Retriever, retriever_for
from workbench.models import Excerpt, Question
from workbench.runs.plan import plan_generation
from workbench.store import Store

EXCERPTS = [
    make_excerpt("a", "Surgery removes the tumor. Surgery is common for early breast cancer."),
    make_excerpt("b", "Radiation therapy uses high-energy rays to kill cancer cells."),
    make_excerpt("c", "Chemotherapy uses drugs to stop cancer cells growing.", cancer_type="lung"),
    make_excerpt("d", "Hormone therapy blocks hormones that some breast cancers need to grow."),
    make_excerpt("e", "Surgery for lung cancer may remove a lobe of the lung.", cancer_type="lung"),
]


def _reference(
    excerpts: list[Excerpt], query: str, k1: float = 1.5, b: float = 0.75
) -> list[float]:
    """BM25 written out from the formula, one document at a time."""
    docs = [Counter(content_stems(BM25Retriever._indexed_text(e))) for e in excerpts]
    avg = sum(sum(d.values()) for d in docs) / len(docs)
    n = len(docs)
    out = []
    for d in docs:
        length, s = sum(d.values()), 0.0
        for t in content_stems(query):
            df = sum(1 for other in docs if t in other)
            if d[t]:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                s += idf * d[t] * (k1 + 1) / (d[t] + k1 * (1 - b + b * length / avg))
        out.append(s)
    return out


@pytest.mark.parametrize("query", ["surgery breast", "cancer cells cancer", "lung lobe", "xyz"])
def test_indexed_scores_are_the_formula(query: str) -> None:
    assert BM25Retriever(EXCERPTS).scores(query) == pytest.approx(_reference(EXCERPTS, query))


def test_other_cancer_types_count_half_and_ties_keep_corpus_order() -> None:
    r = BM25Retriever(EXCERPTS)
    q = Question("q", "What does surgery do?", "breast")
    got = {x.excerpt.id: x.score for x in r.retrieve(q, k=5)}
    raw = dict(zip("abcde", r.scores("What does surgery do? breast"), strict=True))
    assert got["e"] == pytest.approx(round(raw["e"] * 0.5, 4))
    assert got["a"] == pytest.approx(round(raw["a"], 4))
    twins = [make_excerpt("x", EXCERPTS[1].text), make_excerpt("y", EXCERPTS[1].text)]
    ranked = BM25Retriever([*twins, EXCERPTS[0]]).retrieve(
        Question("q", "radiation rays", "breast")
    )
    assert [x.excerpt.id for x in ranked[:2]] == ["x", "y"]
    assert BM25Retriever(EXCERPTS).retrieve(q, k=0) == []


def test_the_index_is_kept_per_corpus_and_a_changed_excerpt_gets_a_new_one() -> None:
    first = retriever_for(EXCERPTS)
    assert retriever_for(list(EXCERPTS)) is first
    edited = [replace(EXCERPTS[0], text="Surgery takes out the tumor.", version=2), *EXCERPTS[1:]]
    assert retriever_for(edited) is not first


def test_batches_over_one_corpus_share_the_index(corpus: Corpus, store: Store) -> None:
    class Gen:
        name, model = "offline", "m"

    key = sorted(corpus.prompts)[0]
    one = plan_generation(store, corpus, Gen(), key, corpus.questions[:1], questions_source="q")
    two = plan_generation(store, corpus, Gen(), key, corpus.questions[:1], questions_source="q")
    assert one.retriever is two.retriever
