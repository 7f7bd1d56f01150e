"""A tiny entailment model built here, offline, in the format Optimum exports: an ONNX
graph (`model.onnx`), a `tokenizer.json` and a `config.json` with its labels.

The graph sums token embeddings over the attention mask into three logits. Its weights
are random (seeded) except the word "entailed", which pushes the last logit up by a
wide margin, and "refuted", which pushes the first: so a pair holding "entailed" is
entailed whatever the rest says, and a label map can be checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

WORDS = (
    "the hospital opened a new radiation unit in march it treats about forty patients day "
    "guest house has twelve rooms and is free of charge entailed refuted surgery may help "
    "is are of to for with not"
).split()
LABELS = {0: "contradiction", 1: "neutral", 2: "entailment"}


def build(folder: Path, *, labels: dict[int, str] | None = None, outputs: int = 3) -> Path:
    """Write a tiny model into `folder` and return it."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    folder.mkdir(parents=True, exist_ok=True)
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for w in WORDS:
        vocab.setdefault(w, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)],
    )
    tok.save(str(folder / "tokenizer.json"))

    rng = np.random.default_rng(7)
    emb = rng.normal(0, 0.1, size=(len(vocab), outputs)).astype(np.float32)
    emb[vocab["entailed"], -1] = 20.0
    emb[vocab["refuted"], 0] = 20.0
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    types = helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "seq"])
    out = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", outputs])
    nodes = [
        helper.make_node("Gather", ["embeddings", "input_ids"], ["vectors"]),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["mask_f", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["vectors", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["logits"], keepdims=0),
        # token types are read (as an export's graph does) and weigh nothing
        helper.make_node("Cast", ["token_type_ids"], ["types_f"], to=TensorProto.FLOAT),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-entailment",
        [ids, mask, types],
        [out],
        initializer=[
            numpy_helper.from_array(emb, "embeddings"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(folder / "model.onnx"))
    config = {"id2label": {str(k): v for k, v in (labels or LABELS).items()}, "pad_token_id": 0}
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder
