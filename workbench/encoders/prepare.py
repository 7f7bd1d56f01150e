"""The encoder's fast graph: derived once per machine from the registry package's weights.

The package ships all-MiniLM-L6-v2 with int8 weights that onnxruntime turns back into
float32 matrices: on a two-core machine about 2,300 word pieces a second on one thread.
`prepared_model` derives a graph that runs the same network about twice as fast, in
three steps done by onnxruntime's own tools:

1. onnxruntime's basic graph optimisations fold the int8 weights into float32 ones;
2. its transformer optimiser fuses each layer's bias, GELU and residual layer norms into
   single kernels (BERT fusion: 12 heads, width 384);
3. dynamic int8 quantisation, one scale per output channel, makes the matrix products
   integer ones.

The derived vectors keep a cosine above 0.98 with the package graph's on our gold
answers (`tests/test_encoders.py` checks it), and the safety heads and the relevance
judge's constants were fitted over the derived graph. Derivation takes about 15 s, once:
the file goes to the workbench's cache folder (`WORKBENCH_MODEL_CACHE`, else
`$XDG_CACHE_HOME/workbench`, else `~/.cache/workbench`), named by the source's sha256,
with a sidecar holding its own sha256 so that a damaged copy is derived again, never run.
`make install` derives it, so that the first scoring run loads in well under 2 s.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import tempfile
from pathlib import Path

from workbench.errors import ModelError

__all__ = ["CACHE_ENV", "METHOD", "cache_dir", "derive", "file_sha256", "prepared_model"]

CACHE_ENV = "WORKBENCH_MODEL_CACHE"
# What the derived graph is, in the encoder's name: heads fitted over it say so.
METHOD = "fused-q8c"
_HEADS, _WIDTH = 12, 384


def cache_dir() -> Path:
    """Where derived model files live (created on first use)."""
    raw = os.environ.get(CACHE_ENV, "").strip()
    if raw:
        return Path(raw).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "workbench"


def file_sha256(path: Path) -> str:
    """The file's sha256, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def derive(source: Path, target: Path) -> None:
    """Write the fast graph of `source` (the package's ONNX file) to `target`."""
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    with tempfile.TemporaryDirectory(prefix="workbench-encoder-") as tmp:
        folded, fused = Path(tmp) / "folded.onnx", Path(tmp) / "fused.onnx"
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        model = optimizer.optimize_model(
            str(folded), model_type="bert", num_heads=_HEADS, hidden_size=_WIDTH, opt_level=0
        )
        model.save_model_to_file(str(fused))
        logging.disable(logging.WARNING)  # the quantiser's advice on static quantisation
        try:
            quantize_dynamic(str(fused), str(target), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.disable(logging.NOTSET)


def prepared_model(source: Path, source_sha256: str) -> Path:
    """The fast graph of the package's model, derived on first use and then reused."""
    folder = cache_dir()
    target = folder / f"minilm-{source_sha256[:16]}-{METHOD}.onnx"
    sidecar = target.with_suffix(".sha256")
    if (
        target.is_file()
        and sidecar.is_file()
        and sidecar.read_text(encoding="utf-8").strip() == file_sha256(target)
    ):
        return target
    if file_sha256(source) != source_sha256:
        raise ModelError(
            f"{source}: the sentence encoder's model file is damaged (its sha256 is not "
            "the one its package pins): reinstall it with `make install`"
        )
    print(
        f"Preparing the sentence encoder for this machine (once, about 15 s): {target}",
        file=sys.stderr,
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".encoder-", suffix=".onnx")
        os.close(fd)
    except OSError as exc:
        raise ModelError(
            f"{folder}: cannot write the prepared sentence encoder there ({exc.strerror}): "
            f"set {CACHE_ENV} to a folder you can write"
        ) from None
    try:
        derive(source, Path(tmp))
        os.chmod(tmp, 0o644)
        digest = file_sha256(Path(tmp))
        os.replace(tmp, target)
        sidecar.write_text(digest + "\n", encoding="utf-8")
    except ModelError:
        raise
    except Exception as exc:  # onnxruntime's tools raise many kinds; one line for all
        raise ModelError(
            f"{source}: could not prepare the sentence encoder ({type(exc).__name__}: {exc})"
        ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target
