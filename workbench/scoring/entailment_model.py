"""Local entailment models in Hugging Face format: found on disk, never downloaded.

A model folder is either an ONNX export (`model.onnx` and `tokenizer.json`, as Optimum's
`optimum-cli export onnx --task text-classification` writes them), run by onnxruntime
with the `tokenizers` library (both dependencies), or a PyTorch folder run by
transformers and torch (the `entailment-torch` extra, never needed by the default
install). `config.json`'s `id2label` says which output means "entailed": a label named
like entailment, consistent, supported or faithful; with two unnamed labels, label 1
(MiniCheck's convention); with one output, its sigmoid (HHEM's). `find_model` looks in a
folder the user names, then in the Hugging Face cache; nothing is fetched.

A model returns, for each (premise, hypothesis) pair, the probability that the premise
entails the hypothesis, and of contradiction when it has such a label.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from workbench.errors import ConfigError

__all__ = [
    "EntailmentModel",
    "LabelMap",
    "OnnxEntailmentModel",
    "Scores",
    "find_model",
    "label_map",
    "load_model",
]

MAX_TOKENS = 512  # the longest pair given to the model; longer ones lose their premise's end
_ENTAILED_RE = re.compile(r"entail|consisten|support|faithful|grounded|^true$|^yes$", re.I)
_CONTRADICTED_RE = re.compile(r"contradict|hallucinat|inconsisten|refute|unsupported", re.I)


@dataclass(frozen=True, slots=True)
class Scores:
    """A pair's probability of entailment, and of contradiction (None: no such label)."""

    entailed: float
    contradicted: float | None = None


@dataclass(frozen=True, slots=True)
class LabelMap:
    """Which output column means entailed (and contradicted); `sigmoid` for one logit."""

    entailed: int
    contradicted: int | None = None
    sigmoid: bool = False


class EntailmentModel(Protocol):
    """Scores (premise, hypothesis) pairs; `name` says which model it is."""

    name: str

    def scores(self, pairs: Sequence[tuple[str, str]]) -> list[Scores]:
        """One `Scores` per pair, in order."""
        ...


def label_map(config: dict[str, Any], outputs: int, entailed: str | None = None) -> LabelMap:
    """Which output means entailed, from `config.json`'s labels (or `entailed`, a label
    name or index the user gives); a `ConfigError` when it cannot be told."""
    if outputs == 1:
        return LabelMap(0, None, sigmoid=True)
    raw = config.get("id2label") or {}
    labels = {int(k): str(v) for k, v in raw.items()}
    if entailed is not None:
        if entailed.isdigit() and int(entailed) < outputs:
            return LabelMap(int(entailed))
        found = [i for i, name in labels.items() if name.lower() == entailed.lower()]
        if not found:
            raise ConfigError(f"the model has no label {entailed!r}; its labels: {labels}")
        return LabelMap(found[0])
    yes = [i for i, name in labels.items() if _ENTAILED_RE.search(name)]
    no = [i for i, name in labels.items() if _CONTRADICTED_RE.search(name) and i not in yes]
    if len(yes) == 1:
        return LabelMap(yes[0], no[0] if len(no) == 1 else None)
    if outputs == 2:
        return LabelMap(1, 0)  # LABEL_1 = supported (MiniCheck), LABEL_0 = not
    raise ConfigError(
        f"cannot tell which of the model's labels means entailed ({labels}): "
        "name it with --entailment-label"
    )


def _probabilities(logits: np.ndarray, labels: LabelMap) -> list[Scores]:
    logits = np.asarray(logits, dtype=np.float64)
    if logits.ndim == 1:
        logits = logits[:, None]
    if labels.sigmoid:
        return [Scores(float(1 / (1 + np.exp(-row[0])))) for row in logits]
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    return [
        Scores(
            float(row[labels.entailed]),
            None if labels.contradicted is None else float(row[labels.contradicted]),
        )
        for row in probs
    ]


def _cache_roots() -> list[Path]:
    roots = []
    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            roots.append(Path(os.environ[var]))
    home = os.environ.get("HF_HOME")
    roots.append(Path(home) / "hub" if home else Path.home() / ".cache" / "huggingface" / "hub")
    return roots


def find_model(name: str) -> Path:
    """The folder of model `name`: a folder path, or a repository id ("org/model") whose
    files are already in the Hugging Face cache. Never downloads."""
    given = Path(name).expanduser()
    if given.is_dir():
        return given
    if "/" in name and not given.exists():
        cached = "models--" + name.replace("/", "--")
        for root in _cache_roots():
            snapshots = root / cached / "snapshots"
            ref = root / cached / "refs" / "main"
            if ref.is_file() and (snapshots / ref.read_text().strip()).is_dir():
                return snapshots / ref.read_text().strip()
            found = (
                sorted(snapshots.glob("*"), key=lambda p: p.stat().st_mtime)
                if snapshots.is_dir()
                else []
            )
            if found:
                return found[-1]
    raise ConfigError(
        f"entailment model {name!r} not found: give a model folder, or download it first "
        f"(nothing is downloaded for you), e.g. `huggingface-cli download {name}`"
    )


def _read_config(folder: Path) -> dict[str, Any]:
    path = folder / "config.json"
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable model config ({exc})") from exc
    return data if isinstance(data, dict) else {}


class OnnxEntailmentModel:
    """An ONNX export of a sequence-pair classifier, run by onnxruntime on the CPU."""

    def __init__(self, folder: Path, *, entailed: str | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = folder.name
        self._folder = folder
        try:
            self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = max(1, (os.cpu_count() or 2) // 2)
            self._session = onnxruntime.InferenceSession(
                str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime and tokenizers raise their own kinds
            raise ConfigError(f"{folder}: not a loadable ONNX model ({exc})") from exc
        config = _read_config(folder)
        self._inputs = [i.name for i in self._session.get_inputs()]
        shape = self._session.get_outputs()[0].shape
        outputs = shape[-1] if isinstance(shape[-1], int) else len(config.get("id2label", {})) or 1
        self._labels = label_map(config, outputs, entailed)
        pad = next(
            (t for t in ("[PAD]", "<pad>") if self._tokenizer.token_to_id(t) is not None), None
        )
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="only_first")
        pad_id = self._tokenizer.token_to_id(pad) if pad else config.get("pad_token_id", 0)
        self._tokenizer.enable_padding(pad_id=int(pad_id or 0), pad_token=pad or "[PAD]")

    def scores(self, pairs: Sequence[tuple[str, str]]) -> list[Scores]:
        """Entailment probabilities for a batch of (premise, hypothesis) pairs."""
        if not pairs:
            return []
        encoded = self._tokenizer.encode_batch([(p, h) for p, h in pairs])
        arrays = {
            "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encoded], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
        }
        feed = {name: arrays[name] for name in self._inputs if name in arrays}
        (logits, *_) = self._session.run(None, feed)
        return _probabilities(logits, self._labels)


class TorchEntailmentModel:
    """A PyTorch-format folder run by transformers (the `entailment-torch` extra)."""

    def __init__(self, folder: Path, *, entailed: str | None = None) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ConfigError(
                f"{folder} holds a PyTorch model: pip install 'answer-workbench[entailment-torch]'"
                ", or export it to ONNX (optimum-cli export onnx --task text-classification)"
            ) from exc
        self.name = folder.name
        self._torch = torch
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
            self._model = AutoModelForSequenceClassification.from_pretrained(
                str(folder), local_files_only=True
            ).eval()
        except Exception as exc:  # transformers raises many kinds for a bad folder
            raise ConfigError(f"{folder}: not a loadable PyTorch model ({exc})") from exc
        config = _read_config(folder)
        self._labels = label_map(config, int(self._model.config.num_labels), entailed)

    def scores(self, pairs: Sequence[tuple[str, str]]) -> list[Scores]:
        """Entailment probabilities for a batch of (premise, hypothesis) pairs."""
        if not pairs:
            return []
        batch = self._tokenizer(
            [p for p, _ in pairs],
            [h for _, h in pairs],
            truncation="only_first",
            max_length=MAX_TOKENS,
            padding=True,
            return_tensors="pt",
        )
        with self._torch.no_grad():
            logits = self._model(**batch).logits.numpy()
        return _probabilities(logits, self._labels)


def load_model(name: str, *, entailed: str | None = None) -> EntailmentModel:
    """The entailment model `name` (a folder or a cached repository id): its ONNX export
    when the folder has one, else its PyTorch weights."""
    folder = find_model(name)
    if (folder / "model.onnx").is_file():
        return OnnxEntailmentModel(folder, entailed=entailed)
    if (folder / "onnx" / "model.onnx").is_file():
        return OnnxEntailmentModel(folder / "onnx", entailed=entailed)
    if any((folder / f).is_file() for f in ("model.safetensors", "pytorch_model.bin")):
        return TorchEntailmentModel(folder, entailed=entailed)
    raise ConfigError(
        f"{folder}: no model.onnx (with tokenizer.json) and no PyTorch weights in this folder"
    )
