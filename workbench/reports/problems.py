"""What needs a clinician: the problems a report opens with, each tied to its answer.

A problem is one reason for a clinician to read one answer: a fail-severity safety
finding (with the rule's message and the words it matched), claims the judge did not
find supported, or a judge that could not judge. Only the latest version of each answer
counts (an edit replaces the version it was made from). A problem is "open" until a
reviewer approves or rejects that version; decided ones are listed apart.

`FINDERS` is the extension point: each finder looks at one answer and one of its
evaluations and returns that answer's problems of one kind, in the order the report
lists the kinds. A new kind of check (an off-topic answer, answers whose repeats
disagree) adds its finder to the tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from workbench.models import (
    Answer,
    Decision,
    Evaluation,
    EvaluationStatus,
    ReviewDecision,
    Severity,
)

__all__ = ["FINDERS", "Finder", "Problem", "Problems", "find_problems"]

_DECIDED = frozenset({Decision.APPROVE, Decision.REJECT})


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason for a clinician to read one answer version."""

    kind: str  # "failed safety rule", "unsupported claims", "judge failed"
    answer_id: str
    question_id: str
    prompt: str
    judges: tuple[str, ...]  # the judges whose evaluations showed it
    what: str  # the rule's message, the weakest claim, the judge's error
    where: str = ""  # the words in the answer it is about, when known
    rank: int = 0  # the kind's place in FINDERS: the report lists lower ranks first
    review: str = "not reviewed"  # the latest decision on this version


Finder = Callable[[Answer, Evaluation], list[Problem]]


def failed_rules(answer: Answer, ev: Evaluation) -> list[Problem]:
    """A fail-severity safety finding: what the rule says, and the words it matched."""
    return [
        Problem(
            f"failed safety rule {f.rule_id}",
            answer.id,
            answer.question_id,
            answer.prompt_key,
            (ev.judge,),
            f.message,
            f.matched_text or "",
        )
        for f in ev.safety
        if f.severity is Severity.FAIL
    ]


def unsupported_claims(answer: Answer, ev: Evaluation) -> list[Problem]:
    """Claims the judge did not find supported: how many, and the weakest one."""
    if not ev.unsupported:
        return []
    weakest = ev.weakest[0] if ev.weakest else ev.unsupported[0]
    n = len(ev.unsupported)
    return [
        Problem(
            f"{n} unsupported claim{'s' if n > 1 else ''}",
            answer.id,
            answer.question_id,
            answer.prompt_key,
            (ev.judge,),
            f"{weakest.verdict.value.replace('_', ' ')}: {weakest.reason}".strip(": "),
            weakest.claim,
        )
    ]


def failed_judge(answer: Answer, ev: Evaluation) -> list[Problem]:
    """A judge that could not judge the answer: its claims are unchecked."""
    if ev.status is not EvaluationStatus.JUDGE_FAILED:
        return []
    return [
        Problem(
            "judge failed",
            answer.id,
            answer.question_id,
            answer.prompt_key,
            (ev.judge,),
            ev.error or "no reason given",
        )
    ]


def off_topic(answer: Answer, ev: Evaluation) -> list[Problem]:
    """An answer its relevance judge flags: it does not answer the question asked."""
    if ev.relevance is None or not ev.relevance.flagged:
        return []
    return [
        Problem(
            "does not answer the question",
            answer.id,
            answer.question_id,
            answer.prompt_key,
            (ev.judge,),
            f"relevance {ev.relevance.score:.2f}: {ev.relevance.reason}"
            if ev.relevance.score is not None
            else ev.relevance.reason,
        )
    ]


def unstable_judgments(answer: Answer, ev: Evaluation) -> list[Problem]:
    """A judge asked several times (`score --repeat`) that disagreed with itself."""
    if not ev.unstable:
        return []
    scores = ", ".join("none" if j.score is None else f"{j.score:.2f}" for j in ev.judgments)
    return [
        Problem(
            "unstable judgment",
            answer.id,
            answer.question_id,
            answer.prompt_key,
            (ev.judge,),
            f"{len(ev.judgments)} judgments disagree on the decision (scores {scores}; "
            f"mean {ev.faithfulness if ev.faithfulness is not None else 'none'})",
        )
    ]


FINDERS: tuple[Finder, ...] = (
    failed_rules,
    unsupported_claims,
    off_topic,
    unstable_judgments,
    failed_judge,
)


@dataclass(frozen=True, slots=True)
class Problems:
    """The problems of a store, open ones (no approval or rejection yet) apart."""

    open: tuple[Problem, ...]
    decided: tuple[Problem, ...]

    @property
    def answers(self) -> int:
        """How many answer versions have an open problem."""
        return len({p.answer_id for p in self.open})


def find_problems(
    answers: Sequence[Answer],
    evaluations: Sequence[Evaluation],
    decisions: Mapping[str, ReviewDecision],
    *,
    finders: Sequence[Finder] = FINDERS,
) -> Problems:
    """Every problem of the latest answer versions, worst kind first, then in answer order.

    The same problem seen by several judges (the safety rules run with every judge) is
    listed once, naming them all.
    """
    replaced = {a.parent_id for a in answers if a.parent_id is not None}
    by_id = {a.id: a for a in answers if a.id not in replaced}
    order = {a.id: n for n, a in enumerate(answers)}
    merged: dict[tuple[int, str, str, str, str], Problem] = {}
    for ev in evaluations:
        answer = by_id.get(ev.answer_id)
        if answer is None:
            continue
        for rank, finder in enumerate(finders):
            for p in finder(answer, ev):
                key = (rank, p.answer_id, p.kind, p.what, p.where)
                seen = merged.get(key)
                judges = (*seen.judges, *p.judges) if seen else p.judges
                decision = decisions.get(answer.id)
                review = decision.decision.value.replace("_", " ") if decision else "not reviewed"
                merged[key] = Problem(
                    p.kind,
                    p.answer_id,
                    p.question_id,
                    p.prompt,
                    judges,
                    p.what,
                    p.where,
                    rank,
                    review,
                )
    ranked = sorted(merged.values(), key=lambda p: (p.rank, order[p.answer_id]))
    decided = {a for a, d in decisions.items() if d.decision in _DECIDED}
    return Problems(
        tuple(p for p in ranked if p.answer_id not in decided),
        tuple(p for p in ranked if p.answer_id in decided),
    )
