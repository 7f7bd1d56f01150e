"""Statistics for reports and prompt comparison: bootstrap intervals and paired outcomes.

Percentile bootstrap with a fixed seed, so a report is reproducible: the same numbers give
the same interval. A sample too small to resample gives no interval, not a fake one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Estimate", "WinLossTie", "bootstrap_mean", "paired_difference", "win_loss_tie"]

DEFAULT_RESAMPLES = 2000
_BLOCK = 4_000_000  # resampled values held at once (32 MB of indices)


@dataclass(frozen=True, slots=True)
class Estimate:
    """A mean with its percentile-bootstrap confidence interval (None when n < 2)."""

    mean: float | None
    low: float | None
    high: float | None
    n: int
    level: float = 0.95

    def __str__(self) -> str:
        if self.mean is None:
            return "–"
        if self.low is None or self.high is None:
            return f"{self.mean:.2f}"
        return f"{self.mean:.2f} [{self.low:.2f}, {self.high:.2f}]"


def bootstrap_mean(
    values: Sequence[float],
    *,
    level: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """The mean of `values` and its `level` percentile-bootstrap interval."""
    data = np.asarray(values, dtype=float)
    n = len(data)
    if n == 0:
        return Estimate(None, None, None, 0, level)
    mean = float(data.mean())
    if n < 2:
        return Estimate(mean, None, None, n, level)
    rng = np.random.default_rng(seed)
    # Resamples are drawn in blocks of rows, so memory stays bounded at 100,000 values; the
    # generator's stream is the same as one (resamples, n) draw, and so is the interval.
    rows = max(1, _BLOCK // n)
    means = np.concatenate(
        [
            data[rng.integers(0, n, size=(min(rows, resamples - done), n))].mean(axis=1)
            for done in range(0, resamples, rows)
        ]
    )
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail], method="inverted_cdf")
    return Estimate(mean, float(low), float(high), n, level)


def paired_difference(
    a: Sequence[float],
    b: Sequence[float],
    *,
    level: float = 0.95,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Estimate:
    """Mean of b - a over paired items, with a paired bootstrap interval (pairs resampled)."""
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in length: {len(a)} and {len(b)}")
    diffs = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return bootstrap_mean(diffs.tolist(), level=level, resamples=resamples, seed=seed)


@dataclass(frozen=True, slots=True)
class WinLossTie:
    """How often b beat a, lost to it, or tied, item by item."""

    wins: int
    losses: int
    ties: int


def win_loss_tie(a: Sequence[float], b: Sequence[float], *, tolerance: float = 1e-9) -> WinLossTie:
    """Count items where b is higher than a (win), lower (loss), or within `tolerance` (tie)."""
    if len(a) != len(b):
        raise ValueError(f"paired samples differ in length: {len(a)} and {len(b)}")
    wins = sum(1 for x, y in zip(a, b, strict=True) if y - x > tolerance)
    losses = sum(1 for x, y in zip(a, b, strict=True) if x - y > tolerance)
    return WinLossTie(wins, losses, len(a) - wins - losses)
