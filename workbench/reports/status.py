"""What needs a look: each answer's and each question's status, problems first.

An answer (under one judge) carries badges: a fail-severity safety finding, an
unsupported claim, a judge that failed, a warning, staleness, and the reviewer's latest
decision. A question's status sums its answers' badges; questions and answers sort by
their worst badge, so the report's list opens on what a clinician must see.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.models import Evaluation, EvaluationStatus, ReviewDecision, Severity

__all__ = ["BADGES", "Badge", "QuestionStatus", "answer_badges", "question_status", "rank_of"]


@dataclass(frozen=True, slots=True)
class Badge:
    """A status a reader scans for: its key (CSS class), words, and rank (0 is worst)."""

    key: str
    label: str
    rank: int
    problem: bool


BADGES = {
    b.key: b
    for b in (
        Badge("fail", "fail", 0, True),
        Badge("unsupported", "unsupported claim", 1, True),
        Badge("judge-failed", "judge failed", 2, True),
        Badge("rejected", "rejected", 3, True),
        Badge("needs-edit", "needs edit", 3, True),
        Badge("override", "safety override", 3, True),
        Badge("warning", "warning", 4, True),
        Badge("stale", "stale scores", 5, True),
        Badge("edited", "edited", 6, False),
        Badge("not-reviewed", "not reviewed", 7, False),
        Badge("approved", "approved", 8, False),
    )
}
_DECISION_BADGE = {
    "approve": "approved",
    "reject": "rejected",
    "needs_edit": "needs-edit",
    "edit": "edited",
}


def answer_badges(
    ev: Evaluation | None, decision: ReviewDecision | None, *, stale: bool = False
) -> tuple[Badge, ...]:
    """An answer's badges under one judge, worst first (None: not scored yet)."""
    keys: list[str] = []
    if ev is not None:
        if any(f.severity is Severity.FAIL for f in ev.safety):
            keys.append("fail")
        if ev.flagged:  # the judge's own decision: a claim it did not find supported
            keys.append("unsupported")
        if ev.status is EvaluationStatus.JUDGE_FAILED:
            keys.append("judge-failed")
        if any(f.severity is Severity.WARN for f in ev.safety):
            keys.append("warning")
    if stale:
        keys.append("stale")
    keys.append(_DECISION_BADGE.get(decision.decision.value, "") if decision else "not-reviewed")
    if decision is not None and decision.overrides:
        keys.append("override")  # approved although a fail-severity rule fired
    return tuple(sorted((BADGES[k] for k in keys if k), key=lambda b: b.rank))


@dataclass(frozen=True, slots=True)
class QuestionStatus:
    """A question's answers' badges counted, and where the question sorts."""

    counts: tuple[tuple[Badge, int], ...]  # worst first

    @property
    def worst(self) -> Badge | None:
        return self.counts[0][0] if self.counts else None

    @property
    def problems(self) -> int:
        """How many problem badges its answers carry in all."""
        return sum(n for b, n in self.counts if b.problem)

    def sort_key(self) -> tuple[int, int]:
        """Worst badge first, then more problems first."""
        return (self.worst.rank if self.worst else len(BADGES), -self.problems)

    def chips(self) -> list[tuple[str, str]]:
        """(css key, words) per badge: "fail x 2" (with a times sign), "approved"."""
        return [(b.key, b.label if n == 1 else f"{b.label} × {n}") for b, n in self.counts]


def question_status(badges: Iterable[tuple[Badge, ...]]) -> QuestionStatus:
    """The status of a question from its answers' badges."""
    counts: Counter[str] = Counter(b.key for per_answer in badges for b in per_answer)
    ordered = sorted(((BADGES[k], n) for k, n in counts.items()), key=lambda bn: bn[0].rank)
    return QuestionStatus(tuple(ordered))


def rank_of(badges: tuple[Badge, ...]) -> int:
    """Where an answer sorts among its question's answers (worst first)."""
    return badges[0].rank if badges else len(BADGES)
