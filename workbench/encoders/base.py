"""The sentence-encoder seam: what a caller may rely on, whatever model is behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["Encoder", "Vectors"]

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Turns texts into sentence vectors.

    `encode` returns a float32 array of shape (len(texts), dim) whose rows have unit
    length (so a dot product is a cosine), in the order of `texts`; an empty input gives
    shape (0, dim). `name` says which model made the vectors (vectors of two names are
    not comparable).
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vectors: ...
