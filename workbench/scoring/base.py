"""The judge seam: what every faithfulness judge (offline, ragas, a test fake) provides.

`Judge` is synchronous; a judge that calls a remote model also provides `AsyncJudge`,
so a scoring batch can keep many answers in flight (`workbench.runs.batch`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt

__all__ = ["AsyncJudge", "FaithfulnessResult", "Judge"]


@dataclass(frozen=True, slots=True)
class FaithfulnessResult:
    """A judge's output for one answer: the verdicts, a score and the judge's decision.

    `status` says whether there was anything to score; `score` (higher is more
    faithful, 0..1) is None unless SCORED. `flagged` is the judge's own answer-level
    decision at its documented fixed threshold: True means "a reviewer should look at
    an unsupported part of this answer". A judge that could not judge says so in
    `error` with status JUDGE_FAILED (and does not flag).
    """

    status: EvaluationStatus
    score: float | None
    verdicts: tuple[ClaimVerdict, ...]
    error: str | None = None
    flagged: bool = False


class Judge(Protocol):
    """Judges the faithfulness of answers to their excerpts, claim by claim."""

    name: str

    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        """Split the answer into claims and judge each against the excerpts."""
        ...

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """Judge given claims (already split) against the excerpts."""
        ...


class AsyncJudge(Protocol):
    """A judge whose verdicts can be awaited, many at once; it closes its connections."""

    name: str

    async def ajudge(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> FaithfulnessResult:
        """Judge an answer against its excerpts; failure is a JUDGE_FAILED result."""
        ...

    async def aclose(self) -> None:
        """Release the connections it holds (it reopens them if used again)."""
        ...
