"""Repeat judging: ask an LLM judge several times per answer and say whether it agrees with itself.

An LLM judge may give an answer all-supported once and all-unsupported on a later call.
`score --repeat K` asks it K times (each repeat is its own cache key, so a rerun is
served from the cache and stays free); `combine` keeps every judgment and scores the
answer with their mean, and `Evaluation.unstable` says when the judgments disagree on
the decision. The offline judges are deterministic, the same text always gets the same
judgment (`is_deterministic`): they are judged once, whatever K.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol, runtime_checkable

from workbench.models import EvaluationStatus, Judgment
from workbench.scoring.base import AsyncJudge, FaithfulnessResult
from workbench.scoring.faithfulness import JUDGE_NAME as OFFLINE_JUDGE

__all__ = ["RepeatableJudge", "combine", "is_deterministic"]


@runtime_checkable
class RepeatableJudge(Protocol):
    """A judge that can be asked again: `for_repeat(n)` is the same judge whose calls are
    cached under repeat `n` (repeat 0 is the judge itself)."""

    name: str

    def for_repeat(self, repeat: int) -> AsyncJudge: ...


def is_deterministic(judge: str) -> bool:
    """Whether the judge named so gives the same judgment every time (the offline ones)."""
    return judge == OFFLINE_JUDGE or judge.startswith("offline")


def combine(
    results: Sequence[FaithfulnessResult],
) -> tuple[FaithfulnessResult, tuple[Judgment, ...]]:
    """One result for the answer and every judgment: the first scored repeat's verdicts,
    with the mean of the scored repeats as its score and flagged when any repeat flagged
    (a reviewer should look); JUDGE_FAILED only when no repeat could judge."""
    judgments = tuple(Judgment(i, r.score, r.flagged, r.status) for i, r in enumerate(results))
    scored = [r for r in results if r.status is EvaluationStatus.SCORED and r.score is not None]
    if not scored:
        return results[0], judgments
    mean = round(sum(r.score or 0.0 for r in scored) / len(scored), 4)
    first = scored[0]
    return replace(first, score=mean, flagged=any(r.flagged for r in scored)), judgments
