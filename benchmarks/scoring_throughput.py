"""Offline scoring throughput: answers per second for claims + safety + relevance + readability.

Generates every demo question under every prompt version with the offline composer, then
scores the answers again and again (faithfulness by the offline judge, safety rules and
the safety model layer, the relevance judge on the shared encoder, readability), the way
`workbench score` does, minus the store (sentences encoded ahead, 64 answers at a time,
as its batch does). The encoder and the safety heads are loaded
before timing (once per process; the load time is printed) and the encoder's cache of
recent texts is cleared with the others for the cold pass. Prints a cold pass (every
cache cleared: the figure for new answers) and a rerun of the same answers over several
passes (claim analysis and sentence vectors cached: the figure for re-scoring).
`--rules-only` leaves the safety model layer out (as `WORKBENCH_SAFETY_MODEL=off` does).

    .venv/bin/python benchmarks/scoring_throughput.py [--passes 10] [--judge-only] [--rules-only]
        [--pieces]

`--pieces` also prints the word pieces a cold pass gives the encoder, split into the
safety layer's distinct sentences and relevance's distinct texts (answer openings,
questions and their neighbour questions): where the encoder's time goes.

`--judge-only` times the offline faithfulness judge alone. The load average is printed:
a figure taken on a loaded machine is not final.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

from workbench.data import text
from workbench.data.datasets import load_corpus
from workbench.data.text import stem
from workbench.encoders import load_encoder
from workbench.generation.offline import OfflineComposer
from workbench.generation.retrieval import BM25Retriever
from workbench.models import Answer, Excerpt, Question
from workbench.runs.batch import ENCODE_AHEAD
from workbench.scoring import evidence, lexicon, novelty, readability, tables
from workbench.scoring.evaluate import encode_ahead, evaluate_answer
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.relevance.judge import asked_texts, relevance_texts
from workbench.scoring.safety import load_rules
from workbench.scoring.safety.model import load_safety_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=10)
    parser.add_argument("--rules-only", action="store_true", help="no safety model layer")
    parser.add_argument("--judge-only", action="store_true", help="time the judge alone")
    parser.add_argument("--pieces", action="store_true", help="word pieces the encoder reads")
    args = parser.parse_args()
    model = not args.rules_only
    loaded = time.perf_counter()
    layer = load_safety_model() if model else None
    loaded = time.perf_counter() - loaded
    corpus = load_corpus()
    retriever = BM25Retriever(corpus.excerpts.values())
    composer, judge, rules = OfflineComposer(), OfflineJudge(), load_rules()
    work = []
    for key, prompt in sorted(corpus.prompts.items()):
        for q in corpus.questions:
            excerpts = [r.excerpt for r in retriever.retrieve(q)]
            answer_text = composer.generate(q, excerpts, prompt).text
            answer = Answer(
                f"{key}/{q.id}",
                "bench",
                q.id,
                key,
                "offline",
                "m",
                answer_text,
                (),
                tuple(e.id for e in excerpts),
            )
            work.append((answer, q, excerpts))

    def one_pass() -> tuple[float, int]:
        started = time.perf_counter()
        claims = 0
        for i, (answer, q, excerpts) in enumerate(work):
            if i % ENCODE_AHEAD == 0 and not args.judge_only:  # as `workbench score` does
                chunk = work[i : i + ENCODE_AHEAD]
                encode_ahead([(c[1].text, c[0].text) for c in chunk], safety_model=model)
            if args.judge_only:
                claims += len(judge.judge(answer.text, excerpts).verdicts)
                continue
            claims += len(
                evaluate_answer(answer, q, excerpts, judge, rules=rules, safety_model=model).claims
            )
        return time.perf_counter() - started, claims

    for cached in (
        evidence.analyse,
        evidence._units_of,
        lexicon.zipf,
        lexicon.term_weight,
        stem,
        text._sentences,
        readability.syllables,
        novelty._windows,
        novelty._source_words,
        tables._read,
        asked_texts,
    ):
        cached.cache_clear()
    load_encoder().clear_cache()
    if layer is not None:
        layer.encoder.clear_cache()  # the safety model layer's own (tuned) encoder
    cold, claims = one_pass()
    warm = [one_pass()[0] for _ in range(args.passes)]
    n = len(work)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"safety model layer: {layer.name} over {layer.encoder.name}, loaded in {loaded:.2f} s"
        if layer is not None
        else "safety model layer: off (rules alone)"
    )
    print("timed: " + ("the faithfulness judge alone" if args.judge_only else
                       "claims, safety rules and readability"))  # fmt: skip
    print(f"answers per pass: {n} ({claims} claims)")
    print(f"cold pass (caches cleared): {n / cold:.0f} answers/s")
    if args.pieces:
        safety, relevance = word_pieces(work)
        print(
            f"word pieces encoded cold: {safety + relevance} ({safety} in the answers' "
            f"distinct sentences, {relevance} in relevance's openings and questions)"
        )
    print(
        f"rerun of the same answers, {args.passes} passes: "
        f"{n * len(warm) / sum(warm):.0f} answers/s (best pass {n / min(warm):.0f}/s)"
    )


def word_pieces(work: list[tuple[Answer, Question, list[Excerpt]]]) -> tuple[int, int]:
    """Word pieces of the distinct sentences (safety) and of the distinct relevance texts
    not among them, over every answer of `work`: what a cold pass encodes."""
    sentences = {t for a, _, _ in work for t in text.sentence_texts(text.sentences(a.text))}
    asked = {t for a, q, _ in work for t in relevance_texts(q.text, a.text)} - sentences
    encoder = load_encoder()
    return encoder.pieces(sorted(sentences)), encoder.pieces(sorted(asked))


if __name__ == "__main__":
    main()
