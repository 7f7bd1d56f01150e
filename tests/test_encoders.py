"""The sentence-encoder seam: the real shipped model, its cache, and its failures."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.encoders import (
    Encoder,
    MiniLMEncoder,
    ModelError,
    load_encoder,
    load_tuned_encoder,
    model_file,
    tokenizer_file,
)
from workbench.encoders.minilm import write_tuned_layers
from workbench.errors import WorkbenchError


def test_vectors_are_unit_rows_in_order_and_meaning_is_closer_than_words() -> None:
    encoder: Encoder = load_encoder()
    texts = [
        "Call your care team right away if you get a fever.",
        "Phone your oncology nurse straight away when your temperature goes up.",
        "Surgery removes the part of the bowel with the tumour.",
    ]
    vectors = encoder.encode(texts)
    assert vectors.shape == (3, encoder.dim) and encoder.dim == 384
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similar, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert similar > unrelated + 0.2
    # each row is the text's own vector, whatever else is in the batch (a new encoder: the
    # first one's cache would answer from the batch)
    model, sha = model_file()
    alone = MiniLMEncoder(model, tokenizer_file(), sha256=sha).encode([texts[2]])
    assert np.allclose(alone[0], vectors[2], atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_word_pieces_count_what_the_model_reads_cut_at_its_limit() -> None:
    encoder = load_encoder()
    assert encoder.pieces(["a fever"]) == 4  # [CLS] a fever [SEP]
    assert encoder.pieces(["a fever", "a fever"]) == 8
    assert encoder.pieces(["fever " * 500]) == 128
    assert encoder.pieces([]) == 0


def test_load_encoder_is_opened_once_per_process() -> None:
    first = load_encoder()
    assert load_encoder() is first
    assert first.name == "all-MiniLM-L6-v2-onnx-int8"


def test_repeated_texts_cost_once_and_the_cache_is_bounded() -> None:
    model, sha = model_file()
    encoder = MiniLMEncoder(model, tokenizer_file(), sha256=sha, cache_size=2)
    calls: list[int] = []
    run = encoder._run

    def counting(texts: list[str]) -> np.ndarray:  # type: ignore[type-arg]
        calls.append(len(texts))
        return run(texts)

    encoder._run = counting  # type: ignore[method-assign]
    out = encoder.encode(["a fever", "a fever", "a cough"])
    assert calls == [2] and np.allclose(out[0], out[1])
    encoder.encode(["a cough", "a fever"])
    assert calls == [2]  # both cached
    encoder.encode(["a rash"])  # evicts the least recent ("a cough")
    encoder.encode(["a cough"])
    assert calls == [2, 1, 1]


def test_a_missing_model_file_is_one_error_naming_it(tmp_path: Path) -> None:
    gone = tmp_path / "model.onnx"
    with pytest.raises(ModelError, match=f"{gone}: the sentence encoder's model file is missing"):
        MiniLMEncoder(gone, tokenizer_file())
    assert issubclass(ModelError, WorkbenchError)


def test_a_damaged_model_file_is_one_error_naming_it(tmp_path: Path) -> None:
    model, sha = model_file()
    damaged = tmp_path / "model.onnx"
    shutil.copyfile(model, damaged)
    with damaged.open("r+b") as f:
        f.seek(1_000_000)
        f.write(b"\0" * 64)
    with pytest.raises(ModelError, match=f"{damaged}: .*damaged"):
        MiniLMEncoder(damaged, tokenizer_file(), sha256=sha)
    truncated = tmp_path / "short.onnx"
    truncated.write_bytes(model.read_bytes()[:4096])
    with pytest.raises(ModelError, match=f"{truncated}: not a readable ONNX model"):
        MiniLMEncoder(truncated, tokenizer_file())
    bad_tokenizer = tmp_path / "tokenizer.json"
    bad_tokenizer.write_text("{not json")
    with pytest.raises(ModelError, match=f"{bad_tokenizer}: not a readable tokenizer file"):
        MiniLMEncoder(model, bad_tokenizer)


def test_the_model_can_be_pointed_at_another_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_ENCODER_MODEL", str(tmp_path / "elsewhere.onnx"))
    path, sha = model_file()
    assert path == tmp_path / "elsewhere.onnx" and sha is None


# --- the tuned encoder: the same graph with some initializers replaced --------------------

_BIAS = "inner.encoder.layer.5.output.dense.bias"


def _layers(path: Path, bias: np.ndarray) -> Path:
    write_tuned_layers(path, model_file()[0], {_BIAS: bias})
    return path


def test_tuned_layers_replace_the_graphs_weights_by_name(tmp_path: Path) -> None:
    shifted = _layers(tmp_path / "tuned.npz", np.full(384, 0.5, dtype=np.float32))
    model, sha = model_file()
    tuned = MiniLMEncoder(model, tokenizer_file(), sha256=sha, tuned=shifted)
    assert tuned.name == "all-MiniLM-L6-v2-onnx-int8+tuned"
    texts = ["Call your care team now.", "Rest at home."]
    mine, published = tuned.encode(texts), load_encoder().encode(texts)
    assert np.allclose(np.linalg.norm(mine, axis=1), 1.0, atol=1e-5)
    assert float((mine * published).sum(axis=1).max()) < 0.999  # the bias moved them
    # the published bias in place again gives the published vectors
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(model)).graph
    original = next(numpy_helper.to_array(i) for i in graph.initializer if i.name == _BIAS)
    same = MiniLMEncoder(model, tokenizer_file(), tuned=_layers(tmp_path / "same.npz", original))
    assert np.allclose(same.encode(texts), published, atol=1e-6)


def test_tuned_layers_that_do_not_fit_are_refused_when_written() -> None:
    model, _ = model_file()
    with pytest.raises(ValueError, match=f"{_BIAS}: float32\\[3\\], the graph's is"):
        write_tuned_layers(Path("unused.npz"), model, {_BIAS: np.zeros(3, dtype=np.float32)})
    with pytest.raises(ValueError, match=r"not in the graph .*no\.such\.weight"):
        write_tuned_layers(Path("unused.npz"), model, {"no.such.weight": np.zeros(3)})


def test_a_missing_damaged_or_foreign_tuned_file_is_one_error_naming_it(
    tmp_path: Path,
) -> None:
    model, _ = model_file()
    tokenizer = tokenizer_file()
    gone = tmp_path / "gone.npz"
    with pytest.raises(ModelError, match=f"{gone}: the sentence encoder's tuned layers file"):
        MiniLMEncoder(model, tokenizer, tuned=gone)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not an archive")
    with pytest.raises(ModelError, match=f"{junk}: not the tuned layers' arrays"):
        MiniLMEncoder(model, tokenizer, tuned=junk)
    fine = _layers(tmp_path / "fine.npz", np.zeros(384, dtype=np.float32))
    with pytest.raises(ModelError, match=f"{fine}: the sentence encoder's tuned layers are"):
        MiniLMEncoder(model, tokenizer, tuned=fine, tuned_sha256="0" * 64)
    other = tmp_path / "other.onnx"  # another copy of the graph, one byte changed
    data = bytearray(model.read_bytes())
    data[-1] ^= 1
    other.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=f"{fine}: tuned for another graph than {other}"):
        MiniLMEncoder(other, tokenizer, tuned=fine)


def test_the_tuned_encoder_is_opened_once_per_file(tmp_path: Path) -> None:
    layers = _layers(tmp_path / "t.npz", np.zeros(384, dtype=np.float32))
    assert load_tuned_encoder(layers, None) is load_tuned_encoder(layers, None)
    assert load_tuned_encoder(layers, None) is not load_encoder()
