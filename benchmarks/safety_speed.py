"""The safety check alone, cold: answers per second with the rules alone and with the model
layer, on the offline composer's answers to every demo question under every prompt (the
sentence split and the encoder's cache of recent texts cleared before each pass; two
passes of each, alternating, with the load average after each).

    .venv/bin/python benchmarks/safety_speed.py
"""

from __future__ import annotations

import os
import time

from workbench.data import text
from workbench.data.datasets import load_corpus
from workbench.encoders import load_encoder
from workbench.generation.offline import OfflineComposer
from workbench.generation.retrieval import BM25Retriever
from workbench.scoring.safety import check_safety, load_rules
from workbench.scoring.safety.model import load_safety_model


def main() -> None:
    corpus = load_corpus()
    retriever = BM25Retriever(corpus.excerpts.values())
    composer, rules = OfflineComposer(), load_rules()
    work = []
    for prompt in corpus.prompts.values():
        for q in corpus.questions:
            excerpts = [r.excerpt for r in retriever.retrieve(q)]
            work.append((composer.generate(q, excerpts, prompt).text, q))
    started = time.perf_counter()
    layer = load_safety_model()
    print(f"model layer loaded in {time.perf_counter() - started:.2f} s; {len(work)} answers")
    for model in (False, True, False, True):
        text._sentences.cache_clear()
        load_encoder().clear_cache()
        layer.encoder.clear_cache()  # the model layer's own (tuned) encoder
        started = time.perf_counter()
        for answer, q in work:
            check_safety(
                answer, cancer_type=q.cancer_type, question=q.text, rules=rules, model=model
            )
        rate = len(work) / (time.perf_counter() - started)
        print(
            f"{'rules and model layer' if model else 'rules alone':22} {rate:5.0f} answers/s cold"
            f"  (load average {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
