"""The offline composer writes cited, sectioned answers from excerpt sentences only."""

from __future__ import annotations

import re

from tests.conftest import SEED, make_excerpt, make_prompt
from workbench.data.answer_format import DISCLAIMER, NO_EVIDENCE, TRIAL_SEARCH_URL
from workbench.data.datasets import Corpus
from workbench.data.text import extract_citations, sentences, strip_citations
from workbench.generation.offline import OfflineComposer
from workbench.generation.retrieval import BM25Retriever


def _answer(corpus: Corpus, key: str, question=SEED) -> tuple[str, list[str]]:
    retrieved = [r.excerpt for r in BM25Retriever(corpus.excerpts.values()).retrieve(question)]
    text = OfflineComposer().generate(question, retrieved, corpus.prompts[key]).text
    return text, [e.id for e in retrieved]


def test_every_factual_sentence_is_an_excerpt_sentence_citing_a_retrieved_excerpt(
    corpus: Corpus,
) -> None:
    text, retrieved = _answer(corpus, "patient_answer@v1")
    assert text.rstrip().endswith(DISCLAIMER)
    cited = extract_citations(text)
    assert cited and set(cited) <= set(retrieved)
    for s in sentences(text):
        ids = extract_citations(s.text)
        if ids:
            (eid,) = ids
            assert strip_citations(s.text) in corpus.excerpts[eid].text


def test_the_seed_answer_says_car_t_is_trial_only_for_breast_cancer(corpus: Corpus) -> None:
    text, _ = _answer(corpus, "patient_answer@v1")
    assert re.search(r"clinical trial", text, re.IGNORECASE)
    assert TRIAL_SEARCH_URL in text
    for title in (
        "## How it works",
        "## Where it stands",
        "## Risks and side effects",
        "## Questions to ask your care team",
        "## Where to learn more",
    ):
        assert title in text


def test_two_prompt_versions_give_visibly_different_answers(corpus: Corpus) -> None:
    v1, _ = _answer(corpus, "patient_answer@v1")
    v2, _ = _answer(corpus, "patient_answer@v2")
    assert "## Questions to ask your care team" in v1
    assert "## Questions to ask your care team" not in v2
    assert len(extract_citations(v2)) < len(extract_citations(v1)) or len(v2) < len(v1)


def test_no_relevant_excerpt_gives_an_honest_no_answer() -> None:
    excerpt = make_excerpt("x-1", "Bananas are yellow fruit.")
    gen = OfflineComposer().generate(SEED, [excerpt], make_prompt())
    assert gen.text.startswith(NO_EVIDENCE) and DISCLAIMER in gen.text
