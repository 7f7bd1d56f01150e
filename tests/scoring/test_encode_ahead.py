"""Encoding ahead: one call for a batch's texts leaves nothing for the evaluations to encode."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data.datasets import Corpus
from workbench.encoders import MiniLMEncoder, load_encoder
from workbench.generation.offline import OfflineComposer
from workbench.generation.retrieval import BM25Retriever
from workbench.models import Answer, Excerpt, Question
from workbench.scoring.evaluate import encode_ahead, evaluate_answer
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.safety.model import load_safety_model


def _work(corpus: Corpus) -> list[tuple[Answer, Question, list[Excerpt]]]:
    """Six demo questions, each with its composed answer and its excerpts."""
    retriever = BM25Retriever(corpus.excerpts.values())
    prompt = sorted(corpus.prompts.items())[0][1]
    out = []
    for q in corpus.questions[:6]:
        excerpts = [r.excerpt for r in retriever.retrieve(q)]
        text = OfflineComposer().generate(q, excerpts, prompt).text
        ids = tuple(e.id for e in excerpts)
        answer = Answer(f"a-{q.id}", "r", q.id, "p", "offline", "m", text, (), ids)
        out.append((answer, q, excerpts))
    return out


def test_encoding_ahead_covers_every_text_an_evaluation_encodes(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _work(corpus)
    published, tuned = load_encoder(), load_safety_model().encoder
    assert isinstance(published, MiniLMEncoder) and isinstance(tuned, MiniLMEncoder)
    encoded: dict[str, list[str]] = {"relevance": [], "safety": []}
    for name, encoder in (("relevance", published), ("safety", tuned)):
        run = encoder._run

        def recording(texts: list[str], run=run, name=name) -> np.ndarray:  # type: ignore[no-untyped-def,type-arg]
            encoded[name].extend(texts)
            return run(texts)

        monkeypatch.setattr(encoder, "_run", recording)
    ahead: dict[str, dict[str, int]] = {}
    for layer in ("on", "off"):
        monkeypatch.setenv("WORKBENCH_SAFETY_MODEL", layer)
        for encoder in (published, tuned):
            encoder.clear_cache()
        for texts in encoded.values():
            texts.clear()
        encode_ahead([(q.text, a.text) for a, q, _ in work])
        ahead[layer] = {name: len(texts) for name, texts in encoded.items()}
        for answer, question, excerpts in work:
            evaluate_answer(answer, question, excerpts, OfflineJudge())
        for name, texts in encoded.items():  # every vector came from the caches
            assert texts[ahead[layer][name] :] == []
    # relevance's texts go to the published encoder either way; the sentences go to the
    # safety layer's tuned encoder, and not at all for a model layer that does not run
    assert ahead["on"]["relevance"] == ahead["off"]["relevance"] > 0
    assert ahead["on"]["safety"] > 0 == ahead["off"]["safety"]
    for encoder in (published, tuned):
        encoder.clear_cache()
