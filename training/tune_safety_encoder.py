"""Fine-tune the sentence encoder's top two layers for the safety model layer.

    .venv/bin/pip install -e '.[train]'                 # scikit-learn and a CPU PyTorch
    .venv/bin/python training/tune_safety_encoder.py    # then train_safety_model.py
    make train-safety                                   # both, in order

Writes `workbench/scoring/safety/safety_tuned_layers.npz`: layers 5 and 6 of
all-MiniLM-L6-v2 in the shipped graph's own form (int8 matrices with a scale per output
column, float32 biases and norms, under the graph's initializer names), which
`workbench.encoders.load_tuned_encoder` puts in place of the published ones at run time
(onnxruntime; no PyTorch). The embeddings and the first four layers stay as published,
so their hidden states are computed once.

Data: the training answers of `train_safety_model.py` (`gold_groups`), never its
development group; each sentence with its labels over the seven classes (a weak label
that is unknown is left out of the loss).
Objective: per sentence, one logistic loss per class over a linear head on the
sentence's unit vector times 20 (the head is discarded: the shipped heads are fitted
afterwards over the tuned encoder's vectors), a positive weighted by the class's
negatives per positive (at most 10). Four epochs of AdamW (4e-5 for the layers, 2e-3
for the head, weight decay 0.01), batches of 32 sentences, seed 22. These settings were
fixed before the first run and not searched; the development group was used once, to see
that the tuned encoder beats the frozen one (docs/safety.md).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from minilm_torch import MiniLM, Weights  # beside this script
from tokenizers import Tokenizer
from torch import nn
from train_safety_model import LABELS, SEED, gold_groups, sentence_labels

from workbench.data.text import sentences
from workbench.encoders import load_tuned_encoder, model_file, tokenizer_file
from workbench.encoders.minilm import MAX_TOKENS, write_tuned_layers
from workbench.scoring.safety import load_rules
from workbench.scoring.safety.model import TUNED_FILE, sentence_texts

START = 4  # layers below this index stay frozen
EPOCHS = 4
BATCH = 32
LAYER_RATE, HEAD_RATE, DECAY = 4e-5, 2e-3, 0.01
SCALE = 20.0
MAX_POSITIVE_WEIGHT = 10.0


def _batch(tokenizer: Tokenizer, texts: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    encoded = tokenizer.encode_batch(texts)
    width = max(len(e.ids) for e in encoded)
    ids = torch.zeros(len(texts), width, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for i, e in enumerate(encoded):
        ids[i, : len(e.ids)] = torch.tensor(e.ids)
        mask[i, : len(e.ids)] = 1
    return ids, mask


def training_sentences() -> tuple[list[str], torch.Tensor]:
    """Every sentence of the training answers, and its labels (1, 0, -1 unknown)."""
    rules = load_rules()
    train, _ = gold_groups(rules)
    texts: list[str] = []
    labels: list[np.ndarray] = []
    for _, gold in train:
        split = sentences(gold.answer)
        y = sentence_labels(gold, [s.span for s in split], rules)
        texts += sentence_texts(split)
        labels += list(y)
    return texts, torch.tensor(np.array(labels), dtype=torch.float32)


def main() -> None:
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    order_rng = random.Random(SEED)
    model_path, _ = model_file()
    weights = Weights(model_path)
    model = MiniLM(weights)
    tokenizer = Tokenizer.from_file(str(tokenizer_file()))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    texts, y = training_sentences()
    print(f"{len(texts)} sentences; positives per class:", file=sys.stderr)
    for label, n in zip(LABELS, (y == 1).sum(0).tolist(), strict=True):
        print(f"  {label}: {int(n)}", file=sys.stderr)

    model.eval()
    hidden: list[torch.Tensor] = [torch.empty(0)] * len(texts)
    by_length = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.no_grad():
        for lo in range(0, len(by_length), 128):
            rows = by_length[lo : lo + 128]
            ids, mask = _batch(tokenizer, [texts[i] for i in rows])
            h = model.bottom(ids, mask, START)
            for r, i in enumerate(rows):
                hidden[i] = h[r, : int(mask[r].sum())].clone()

    for p in model.parameters():
        p.requires_grad = False
    tuned = [p for layer in model.layers[START:] for p in layer.parameters()]
    for p in tuned:
        p.requires_grad = True
    head = nn.Linear(384, len(LABELS))
    positives = (y == 1).sum(0).clamp(min=1)
    positive_weight = ((y == 0).sum(0) / positives).clamp(max=MAX_POSITIVE_WEIGHT)
    optimiser = torch.optim.AdamW(
        [{"params": tuned, "lr": LAYER_RATE}, {"params": head.parameters(), "lr": HEAD_RATE}],
        weight_decay=DECAY,
    )
    order = list(range(len(texts)))
    for epoch in range(EPOCHS):
        order_rng.shuffle(order)
        model.train()
        total, started = 0.0, time.perf_counter()
        for lo in range(0, len(order), BATCH):
            rows = order[lo : lo + BATCH]
            width = max(hidden[i].shape[0] for i in rows)
            x = torch.zeros(len(rows), width, 384)
            mask = torch.zeros(len(rows), width, dtype=torch.long)
            for r, i in enumerate(rows):
                n = hidden[i].shape[0]
                x[r, :n] = hidden[i]
                mask[r, :n] = 1
            logits = head(model.top(x, mask, START) * SCALE)
            target = y[rows]
            known = (target >= 0).float()
            loss = nn.functional.binary_cross_entropy_with_logits(
                logits,
                target.clamp(min=0),
                weight=known,
                pos_weight=positive_weight,
                reduction="sum",
            ) / known.sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach()) * len(rows)
        print(
            f"epoch {epoch + 1}: loss {total / len(order):.4f} "
            f"({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )

    model.eval()
    arrays: dict[str, np.ndarray] = {}
    for layer in model.layers[START:]:
        arrays.update(layer.initializers(weights))
    write_tuned_layers(TUNED_FILE, model_path, arrays)
    check(model, tokenizer, TUNED_FILE)
    print(f"wrote {TUNED_FILE} ({TUNED_FILE.stat().st_size} bytes)", file=sys.stderr)


def check(model: MiniLM, tokenizer: Tokenizer, path: Path) -> None:
    """The written layers, run by onnxruntime, give the vectors PyTorch gives (within the
    int8 rounding of the weights)."""
    probe = ["Call your care team now if you have a fever.", "Rest at home; it will pass."]
    ids, mask = _batch(tokenizer, probe)
    with torch.no_grad():
        mine = model.top(model.bottom(ids, mask, START), mask, START).numpy()
    theirs = load_tuned_encoder(path, None).encode(probe)
    cosines = (mine * theirs).sum(axis=1)
    if cosines.min() < 0.999:
        sys.exit(f"{path}: onnxruntime's vectors differ from PyTorch's (cosines {cosines})")


if __name__ == "__main__":
    main()
