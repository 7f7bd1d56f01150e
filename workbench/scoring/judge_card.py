"""How a judge ranks and decides on labeled answers, and the judge card that records it.

`measure` takes one judge's continuous scores and fixed decisions on a labeled set
(faithful or hallucinated answers) and gives the ROC AUC (how well the score ranks a
faithful answer above a hallucinated one; ties count half) with its 95% bootstrap
interval, the balanced accuracy and confusion counts of the judge's own decision, the
share of tied faithful/hallucinated pairs within a group (answers to the same source) and
the throughput. `auc_gain` compares two judges on the same answers the same way. The
intervals resample whole groups (all answers to one source together, since they share
its words), with a fixed seed, so a rerun prints the same figures.

The judge card (`judge_card.json`, shipped beside this module) holds such figures for
the offline judge on public text and on our gold claims. Only
`benchmarks/public_judges.py --write-card` writes it; the report reads it with
`load_card`, so a reader sees how the judge does on text nobody here wrote.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "CARD_FILE",
    "RESAMPLES",
    "JudgeCard",
    "SetFigures",
    "auc_gain",
    "auc_interval",
    "balanced_accuracy",
    "best_balanced_accuracy",
    "load_card",
    "measure",
    "roc_auc",
    "tie_share",
    "write_card",
]

CARD_FILE = "judge_card.json"
RESAMPLES = 1000  # bootstrap rounds behind each interval


@dataclass(frozen=True, slots=True)
class SetFigures:
    """One judge on one labeled set. Positive = hallucinated (what a flag should catch)."""

    data_set: str
    judge: str
    n: int
    hallucinated: int
    auc: float  # score ranks faithful above hallucinated; 0.5 is chance
    balanced_accuracy: float | None  # of the judge's own fixed decision; None: it has none
    true_flags: int  # hallucinated and flagged
    false_flags: int  # faithful but flagged
    missed: int  # hallucinated, not flagged
    passed: int  # faithful, not flagged
    answers_per_s: float
    tied_pairs: float | None = None  # share of same-group faithful/hallucinated pairs tied
    failed: int = 0  # answers the judge could not score (left out of the figures)
    note: str = ""
    auc_low: float | None = None  # 95% bootstrap interval of `auc` (whole groups resampled)
    auc_high: float | None = None
    gain: float | None = None  # AUC over word overlap's on the same answers (`auc_gain`)
    gain_low: float | None = None  # its paired 95% interval
    gain_high: float | None = None


@dataclass(frozen=True, slots=True)
class JudgeCard:
    """What `--write-card` measured, with how and when."""

    judge: str
    judge_version: str
    threshold: float
    decision: str
    written: str  # ISO date (UTC)
    command: str
    figures: tuple[SetFigures, ...]
    baseline: tuple[SetFigures, ...]  # word overlap on the same sets, same run
    machine: str = ""  # where answers/s were measured, with the load at the time


def roc_auc(scores: Sequence[float], hallucinated: Sequence[bool]) -> float:
    """P(a faithful answer scores above a hallucinated one), ties counted half."""
    ranked = sorted(zip(scores, hallucinated, strict=True), key=lambda p: p[0])
    n_pos = sum(1 for h in hallucinated if not h)
    n_neg = len(hallucinated) - n_pos
    if not n_pos or not n_neg:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(ranked):  # average ranks over runs of equal scores
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + 1 + j) / 2
        rank_sum += mid * sum(1 for _, h in ranked[i:j] if not h)
        i = j
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def balanced_accuracy(flags: Sequence[bool], hallucinated: Sequence[bool]) -> float:
    """Mean of the recall on hallucinated answers (flagged) and on faithful ones (not)."""
    pos = [f for f, h in zip(flags, hallucinated, strict=True) if h]
    neg = [f for f, h in zip(flags, hallucinated, strict=True) if not h]
    if not pos or not neg:
        return float("nan")
    return (sum(pos) / len(pos) + sum(not f for f in neg) / len(neg)) / 2


def best_balanced_accuracy(scores: Sequence[float], hallucinated: Sequence[bool]) -> float:
    """The balanced accuracy at the best cut, chosen on these very labels (an upper bound)."""
    best = 0.0
    for cut in sorted(set(scores)):
        best = max(best, balanced_accuracy([s < cut for s in scores], hallucinated))
    return best


def _resampled(
    groups: Sequence[str], statistic: Callable[[list[int]], float], rounds: int, seed: int
) -> list[float]:
    """`statistic` over `rounds` resamples of the items, drawing whole groups with
    replacement; a resample whose statistic is undefined (one class only) is skipped."""
    members: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    blocks = list(members.values())
    rng = random.Random(seed)
    out = []
    for _ in range(rounds):
        picked = [i for b in rng.choices(blocks, k=len(blocks)) for i in b]
        value = statistic(picked)
        if value == value:  # not NaN
            out.append(value)
    return sorted(out)


def _middle(values: list[float], level: float) -> tuple[float, float]:
    """The bounds of the central `level` share of sorted `values` (a percentile interval)."""
    if not values:
        return float("nan"), float("nan")
    tail = (1 - level) / 2
    last = len(values) - 1
    return values[round(tail * last)], values[round((1 - tail) * last)]


def auc_interval(
    scores: Sequence[float],
    hallucinated: Sequence[bool],
    groups: Sequence[str],
    *,
    rounds: int = RESAMPLES,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """A bootstrap interval of `roc_auc`, resampling whole groups."""
    values = _resampled(
        groups, lambda ix: roc_auc([scores[i] for i in ix], [hallucinated[i] for i in ix]),
        rounds, seed,
    )  # fmt: skip
    return _middle(values, level)


def auc_gain(
    scores: Sequence[float],
    baseline: Sequence[float],
    hallucinated: Sequence[bool],
    groups: Sequence[str],
    *,
    rounds: int = RESAMPLES,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float, float]:
    """How much more AUC `scores` has than `baseline` on the same answers, with a paired
    bootstrap interval (both judges see the same resample): (gain, low, high)."""

    def gain(ix: list[int]) -> float:
        labels = [hallucinated[i] for i in ix]
        return roc_auc([scores[i] for i in ix], labels) - roc_auc([baseline[i] for i in ix], labels)

    low, high = _middle(_resampled(groups, gain, rounds, seed), level)
    return gain(list(range(len(scores)))), low, high


def tie_share(
    scores: Sequence[float], hallucinated: Sequence[bool], groups: Sequence[str]
) -> float | None:
    """Share of (faithful, hallucinated) pairs within a group that score the same."""
    by_group: dict[str, list[tuple[float, bool]]] = {}
    for s, h, g in zip(scores, hallucinated, groups, strict=True):
        by_group.setdefault(g, []).append((s, h))
    pairs = ties = 0
    for items in by_group.values():
        for s_f, h_f in items:
            if h_f:
                continue
            for s_h, h_h in items:
                if h_h:
                    pairs += 1
                    ties += abs(s_f - s_h) < 1e-9
    return ties / pairs if pairs else None


def measure(
    data_set: str,
    judge: str,
    scores: Sequence[float],
    flags: Sequence[bool] | None,
    hallucinated: Sequence[bool],
    seconds: float,
    *,
    groups: Sequence[str] | None = None,
    failed: int = 0,
    note: str = "",
) -> SetFigures:
    """The figures of one judge on one set (`flags` None: the judge has no decision)."""
    conf = [0, 0, 0, 0]
    if flags is not None:
        for f, h in zip(flags, hallucinated, strict=True):
            conf[(0 if f else 2) + (0 if h else 1)] += 1
    n = len(scores)
    low, high = auc_interval(scores, hallucinated, groups) if groups is not None else (None, None)
    return SetFigures(
        data_set=data_set,
        judge=judge,
        n=n,
        hallucinated=sum(hallucinated),
        auc=roc_auc(scores, hallucinated),
        balanced_accuracy=balanced_accuracy(flags, hallucinated) if flags is not None else None,
        true_flags=conf[0],
        false_flags=conf[1],
        missed=conf[2],
        passed=conf[3],
        answers_per_s=n / seconds if seconds > 0 else float("inf"),
        tied_pairs=tie_share(scores, hallucinated, groups) if groups is not None else None,
        failed=failed,
        note=note,
        auc_low=low,
        auc_high=high,
    )


def _figures(raw: Any) -> tuple[SetFigures, ...]:
    return tuple(SetFigures(**item) for item in raw)


def load_card(path: Path | None = None) -> JudgeCard | None:
    """The judge card shipped with the package (or at `path`); None if there is none."""
    try:
        if path is None:
            text = resources.files("workbench.scoring").joinpath(CARD_FILE).read_text("utf-8")
        else:
            text = path.read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    raw = json.loads(text)
    return JudgeCard(
        **{k: v for k, v in raw.items() if k not in ("figures", "baseline")},
        figures=_figures(raw["figures"]),
        baseline=_figures(raw["baseline"]),
    )


def write_card(card: JudgeCard, path: Path) -> None:
    """Write the card as indented JSON, numbers rounded to 6 places (not fewer: a figure
    printed to 3 places must read the same from the card as from the run that made it)."""

    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, 6)
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [rounded(v) for v in value]
        return value

    path.write_text(json.dumps(rounded(asdict(card)), indent=2) + "\n", encoding="utf-8")
