"""Does a sentence-embedding model add a meaning-level signal to the offline judge?

For each public set (as `public_judges.py` reads them) it embeds every sentence of the
answer and every sentence and adjacent pair of sentences of the sources with
all-MiniLM-L6-v2 (int8 ONNX weights; no PyTorch), takes each answer sentence's best
cosine to a source unit, and prints the ROC AUC of the weakest sentence's (E_min) and
the mean (E_mean) as answer scores, of the offline judge's score, and of the geometric
mean of the judge's score and E_mean (weights fixed, none fitted), with sentences
embedded per second.

The encoder is the project's own (`workbench.encoders`); its cache of recent texts is
what a scoring run has too, so a sentence seen twice is embedded once:

    .venv/bin/python benchmarks/embedding_signal.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from public_judges import Item, sets_in

from workbench.data.text import sentences
from workbench.encoders import load_encoder
from workbench.scoring.evidence import evidence_units
from workbench.scoring.faithfulness import judge_faithfulness
from workbench.scoring.judge_card import roc_auc


class Embedder:
    """The project's sentence encoder, counting the texts it was given."""

    def __init__(self) -> None:
        self.encoder = load_encoder()
        self.count = 0

    def __call__(self, texts: Sequence[str]) -> Any:
        self.count += len(texts)
        return self.encoder.encode(texts)


def _units(excerpts: tuple[str, ...]) -> list[str]:
    """The judge's evidence units: each sentence and each pair of adjacent sentences."""
    return [u.sentence for u in evidence_units(excerpts)]


def measure(items: list[Item], embed: Embedder) -> dict[str, float]:
    """AUC of each signal on `items`, and sentences embedded per second."""
    by_source: dict[tuple[str, ...], Any] = {}
    e_min, e_mean, judge, combined, labels = [], [], [], [], []
    started, before = time.perf_counter(), embed.count
    for item in items:
        if item.excerpts not in by_source:
            by_source[item.excerpts] = embed(_units(item.excerpts) or [" ".join(item.excerpts)])
        claims = [s.text for s in sentences(item.answer)] or [item.answer]
        best = (embed(claims) @ by_source[item.excerpts].T).max(axis=1).clip(0.0, 1.0)
        score = judge_faithfulness(item.answer, item.excerpts).score
        j = 1.0 if score is None else score
        e_min.append(float(best.min()))
        e_mean.append(float(best.mean()))
        judge.append(j)
        combined.append((j * float(best.mean())) ** 0.5)
        labels.append(item.hallucinated)
    elapsed = time.perf_counter() - started
    return {
        "E_min": roc_auc(e_min, labels),
        "E_mean": roc_auc(e_mean, labels),
        "offline judge": roc_auc(judge, labels),
        "geometric mean of judge and E_mean": roc_auc(combined, labels),
        "sentences/s": (embed.count - before) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", help="the shared data folder (default ../shared)")
    args = parser.parse_args()
    folder, sets = sets_in(args.shared)
    if not sets:
        sys.exit(f"no public set under {folder}/data: nothing to measure")
    embed = Embedder()
    for name, items in sets.items():
        figures = measure(items, embed)
        print(f"{name}: {len(items)} answers, {sum(i.hallucinated for i in items)} hallucinated")
        for signal, value in figures.items():
            print(f"  {signal:<36} {value:.3f}")


if __name__ == "__main__":
    main()
