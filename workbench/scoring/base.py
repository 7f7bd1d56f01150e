"""The judge seam: what every faithfulness judge (offline, ragas, a test fake) provides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt

__all__ = ["FaithfulnessResult", "Judge"]


@dataclass(frozen=True, slots=True)
class FaithfulnessResult:
    """A judge's output for one answer: the verdicts and the share supported.

    `status` says whether there was anything to score; `score` is None unless SCORED.
    A judge that could not judge says so in `error` with status JUDGE_FAILED.
    """

    status: EvaluationStatus
    score: float | None
    verdicts: tuple[ClaimVerdict, ...]
    error: str | None = None


class Judge(Protocol):
    """Judges the faithfulness of answers to their excerpts, claim by claim."""

    name: str

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        """Split the answer into claims and judge each against the excerpts."""
        ...

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """Judge given claims (already split) against the excerpts."""
        ...
