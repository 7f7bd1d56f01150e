"""The safety model layer: one trained classifier per meaning class, read per sentence.

Each sentence of an answer is seen with its neighbours, the whole answer, the question and
the reader's cancer type: its features are the sentence's vector, the mean of its
neighbours' vectors, the mean of all the answer's sentence vectors, the question's vector,
the sentence times the question (element by element: "waiting" reads differently when
the question is about a fever), and whether it names a therapy that the rule file's
tables list as investigational for the reader's cancer. An answer costs one batch of its
sentences, and the question is cached.

Every vector comes from the shipped sentence encoder (`workbench.encoders`) with its top
two layers fine-tuned for these classes (`training/tune_safety_encoder.py`, shipped as
`safety_tuned_layers.npz` beside this module; relevance keeps the encoder as
published). The heads (weights, biases, thresholds) are trained over it by
`training/train_safety_model.py` and shipped as `model_heads.npz` and
`model_heads.json`; thresholds were fixed on the development group of the gold. A
missing or damaged file is a `ModelError`.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.data.text import Sentence, sentence_texts
from workbench.encoders import Encoder, load_encoder, load_tuned_encoder
from workbench.errors import ModelError
from workbench.models import SAFETY_CLASSES
from workbench.scoring.safety_rules import RuleSet

__all__ = [
    "HEADS_FILE",
    "TUNED_FILE",
    "Head",
    "SafetyModel",
    "SentenceScores",
    "features",
    "investigational_flags",
    "load_heads",
    "load_safety_model",
    "sentence_texts",
]

HEADS_FILE = Path(__file__).with_name("model_heads.npz")
SPEC_FILE = HEADS_FILE.with_suffix(".json")
# The encoder's top layers as tuned for this layer (training/tune_safety_encoder.py)
TUNED_FILE = HEADS_FILE.with_name("safety_tuned_layers.npz")
Array = npt.NDArray[np.float32]


def investigational_flags(
    texts: Sequence[str],
    rules: RuleSet,
    *,
    cancer_type: str | None,
    question: str | None,
    answer: str,
) -> Array:
    """1.0 for each sentence that names a therapy investigational for the reader's cancer.

    Whose cancer it is comes from the cancer type and the question, as for the rule; the
    answer's own words only when neither names one.
    """
    cancers = rules.cancers_in(cancer_type, field=True) | rules.cancers_in(question)
    if not cancers:
        cancers = rules.cancers_in(answer)
    therapies = [t for t in rules.therapies if cancers & t.investigational_for]
    return np.array(
        [float(any(t.regex.search(s) for t in therapies)) for s in texts], dtype=np.float32
    )


def features(sentences: Array, question: Array | None, flags: Array) -> Array:
    """The feature rows of an answer's sentences (see the module docstring)."""
    n, dim = sentences.shape
    padded = np.zeros((n + 2, dim), dtype=np.float32)
    padded[1:-1] = sentences
    count = np.full((n, 1), 2.0, dtype=np.float32)
    if n:
        count[0] -= 1
        count[-1] -= 1
    neighbours = (padded[:-2] + padded[2:]) / np.maximum(count, 1.0)
    whole = np.broadcast_to(sentences.mean(axis=0) if n else np.zeros(dim, np.float32), (n, dim))
    q = np.zeros(dim, dtype=np.float32) if question is None else question
    asked = np.broadcast_to(q, (n, dim))
    return np.hstack([sentences, neighbours, whole, asked, sentences * q, flags[:, None]]).astype(
        np.float32
    )


@dataclass(frozen=True, slots=True)
class Head:
    """One class's classifier: dense layers (ReLU between), a sigmoid, a threshold."""

    label: str
    layers: tuple[tuple[Array, Array], ...]
    threshold: float

    def probabilities(self, x: Array) -> Array:
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        logits = np.clip(x[:, 0], -30.0, 30.0)
        return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)


@dataclass(frozen=True, slots=True)
class SentenceScores:
    """Each class's probability for each sentence of one answer."""

    sentences: tuple[Sentence, ...]
    probabilities: dict[str, Array]


class SafetyModel:
    """The shipped heads over the shipped encoder."""

    def __init__(self, encoder: Encoder, heads: Sequence[Head], *, name: str) -> None:
        self.encoder = encoder
        self.heads = {h.label: h for h in heads}
        self.name = name

    def threshold(self, label: str) -> float:
        return self.heads[label].threshold

    def score(
        self,
        split: Sequence[Sentence],
        rules: RuleSet,
        *,
        answer: str,
        cancer_type: str | None,
        question: str | None,
    ) -> SentenceScores:
        """Every class's probability for every sentence in `split` (the answer's split)."""
        texts = sentence_texts(split)
        if not texts:
            return SentenceScores((), {h: np.zeros(0, np.float32) for h in self.heads})
        asked = question.strip() if question else ""
        vectors = self.encoder.encode([*texts, asked] if asked else texts)
        flags = investigational_flags(
            texts, rules, cancer_type=cancer_type, question=question, answer=answer
        )
        x = features(vectors[: len(texts)], vectors[-1] if asked else None, flags)
        return SentenceScores(
            tuple(split), {label: h.probabilities(x) for label, h in self.heads.items()}
        )


def _bad(path: Path, why: str) -> ModelError:
    return ModelError(f"{path}: the safety model's file {why}: reinstall the workbench")


def load_heads(
    heads: Path = HEADS_FILE, spec: Path = SPEC_FILE
) -> tuple[list[Head], dict[str, Any]]:
    """The heads and their description (the model card's summary), checked."""
    for path in (heads, spec):
        if not path.is_file():
            raise _bad(path, "is missing")
    try:
        meta = json.loads(spec.read_text(encoding="utf-8"))
        thresholds = {str(k): float(v) for k, v in meta["thresholds"].items()}
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _bad(spec, "is damaged (not the JSON the training script writes)") from None
    out: list[Head] = []
    try:
        # read whole first: np.load leaves the file open when it is not an archive
        with np.load(io.BytesIO(heads.read_bytes()), allow_pickle=False) as arrays:
            for label in SAFETY_CLASSES:
                layers: list[tuple[Array, Array]] = []
                while f"{label}.w{len(layers)}" in arrays:
                    i = len(layers)
                    w = np.asarray(arrays[f"{label}.w{i}"], dtype=np.float32)
                    b = np.asarray(arrays[f"{label}.b{i}"], dtype=np.float32)
                    layers.append((w, b))
                if not layers or label not in thresholds:
                    raise _bad(heads, f"has no classifier for {label!r}")
                out.append(Head(label, tuple(layers), thresholds[label]))
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile):
        raise _bad(heads, "is damaged (not the arrays the training script writes)") from None
    return out, meta


@lru_cache(maxsize=1)
def load_safety_model() -> SafetyModel:
    """The shipped safety model layer, opened once per process."""
    heads, meta = load_heads()
    tuned = meta.get("tuned_layers")
    if isinstance(tuned, dict):  # the heads were trained over the tuned encoder
        encoder: Encoder = load_tuned_encoder(
            HEADS_FILE.with_name(str(tuned.get("file"))), str(tuned.get("sha256"))
        )
    else:
        encoder = load_encoder()
    if meta.get("encoder") != encoder.name or heads[0].layers[0][0].shape[0] != 5 * encoder.dim + 1:
        raise _bad(HEADS_FILE, f"was trained over another encoder than {encoder.name}")
    return SafetyModel(encoder, heads, name=str(meta.get("name", "safety-model")))
