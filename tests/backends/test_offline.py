"""The offline composer writes cited, sectioned answers from excerpt sentences only."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tests.conftest import SEED, make_excerpt, make_prompt
from workbench.data.answer_format import DISCLAIMER, NO_EVIDENCE, TRIAL_SEARCH_URL
from workbench.data.datasets import Corpus
from workbench.data.text import extract_citations, sentences, strip_citations
from workbench.generation.offline import OfflineComposer
from workbench.generation.retrieval import BM25Retriever
from workbench.models import Answer, Run
from workbench.runs.batch import generate_batch
from workbench.store import SQLiteStore


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


def test_it_answers_the_question_by_default_under_a_new_name_old_runs_kept(
    corpus: Corpus, tmp_path: Path
) -> None:
    """Composer 2 answers first by default (its settings say so); `answer_first: false`
    gives the word-overlap choice; a store's composer-1 run stays as it was beside it."""
    question = corpus.question("q-lung-06")  # "Can stage 4 lung cancer be cured?"
    excerpts = [r.excerpt for r in BM25Retriever(corpus.excerpts.values()).retrieve(question)]
    shipped = corpus.prompts["patient_answer@v2"]
    before = replace(shipped, parameters={**shipped.parameters, "answer_first": False})
    now = OfflineComposer().generate(question, excerpts, shipped)
    old = OfflineComposer().generate(question, excerpts, before)
    assert now.settings["answer_first"] is True and old.settings["answer_first"] is False
    assert now.text.startswith("## How it works\nNon-small cell lung cancer that is found early")
    assert now.text != old.text
    with SQLiteStore(tmp_path / "s.db") as store:
        run = Run("patient_answer@v2.offline.extractive-composer-1", shipped.key, "offline",
                  "extractive-composer-1", "t")  # fmt: skip
        store.ensure_run(run)
        kept = Answer("a-old", run.id, question.id, shipped.key, "offline", run.model, old.text,
                      (), tuple(e.id for e in excerpts))  # fmt: skip
        store.add_answer(kept)
        generate_batch(store, corpus, OfflineComposer(), shipped.key, [question],
                       questions_source="t", progress=False)  # fmt: skip
        runs = {r.id: r for r in store.runs()}
        assert set(runs) == {run.id, "patient_answer@v2.offline.extractive-composer-2"}
        assert store.answer("a-old") == kept
