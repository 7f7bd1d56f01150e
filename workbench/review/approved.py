"""Which answers may leave the workbench: the latest approved version per question.

An answer version is exportable when it is the latest version of its answer (no edit was
made from it), its latest decision is an approval, and it is still what the approval
covered: its text, and (for approvals bound since migration 007) its question, prompt
version, run and cited excerpts, each excerpt still at the version the reviewer saw in
the loaded data set. Per question the most recently approved such version goes out;
every other question is listed as skipped, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.data.datasets import Corpus
from workbench.models import Answer, Decision, Evaluation, Excerpt, Question, ReviewDecision
from workbench.scoring.staleness import fingerprint
from workbench.store import Store
from workbench.store.decision_log import UNKNOWN_VERSION, changed_since

__all__ = ["ApprovedAnswer", "Skipped", "changed_excerpts", "not_as_approved", "select_approved"]


@dataclass(frozen=True, slots=True)
class ApprovedAnswer:
    """An answer version cleared for patients, with what it rests on."""

    question: Question
    answer: Answer
    approval: ReviewDecision
    evaluations: tuple[Evaluation, ...]
    excerpts: tuple[Excerpt, ...]  # the excerpts it cites, in citation order


@dataclass(frozen=True, slots=True)
class Skipped:
    """A question with answers but none exportable, and why."""

    question_id: str
    answer_id: str | None
    reason: str


def changed_excerpts(approval: ReviewDecision, corpus: Corpus) -> str | None:
    """Which cited excerpt is no longer the version the approval was given on (None: all
    are, or the approval predates the binding)."""
    if approval.binding is None:
        return None
    for excerpt_id, seen in approval.binding.cited:
        now = corpus.excerpts.get(excerpt_id)
        if now is None:
            return f"it cites {excerpt_id}, which the loaded data set does not have"
        if seen != UNKNOWN_VERSION and fingerprint(now) != seen:
            return (
                f"excerpt {excerpt_id} changed since it was approved ({seen} then, "
                f"{fingerprint(now)} now): review it again"
            )
    return None


def not_as_approved(approval: ReviewDecision, answer: Answer, corpus: Corpus) -> str | None:
    """Why `answer` is no longer what `approval` covered (None: it still is)."""
    return changed_since(approval, answer) or changed_excerpts(approval, corpus)


def _why_not(
    answer: Answer, latest: ReviewDecision | None, newer: str | None, corpus: Corpus
) -> str:
    if newer is not None:
        return f"edited into version {newer}, which is not approved yet"
    if latest is None:
        return "not reviewed yet"
    if latest.decision is Decision.APPROVE:
        changed = not_as_approved(latest, answer, corpus) or "it changed after it was approved"
        return f"changed since approval: {changed}"
    words = latest.decision.value.replace("_", " ")
    return f"latest decision is {words} by {latest.reviewer}: {latest.reason}"


def select_approved(
    store: Store, corpus: Corpus, *, question_ids: Sequence[str] | None = None
) -> tuple[list[ApprovedAnswer], list[Skipped]]:
    """The exportable answer per question, and the questions skipped with reasons."""
    answers = store.answers()
    decisions = store.latest_decisions()
    children = {a.parent_id: a.id for a in answers if a.parent_id}
    evaluations: dict[str, list[Evaluation]] = {}
    for ev in store.evaluations():
        evaluations.setdefault(ev.answer_id, []).append(ev)
    questions = {q.id: q for q in corpus.questions}
    by_question: dict[str, list[Answer]] = {}
    for a in answers:
        if question_ids is None or a.question_id in question_ids:
            by_question.setdefault(a.question_id, []).append(a)

    approved: list[ApprovedAnswer] = []
    skipped: list[Skipped] = []
    for qid, versions in by_question.items():
        ok = [
            (decisions[a.id], a)
            for a in versions
            if a.id not in children
            and a.id in decisions
            and decisions[a.id].decision is Decision.APPROVE
            and not_as_approved(decisions[a.id], a, corpus) is None
        ]
        if qid not in questions:
            skipped.append(Skipped(qid, None, "the question is not in the loaded data set"))
        elif ok:
            approval, answer = max(ok, key=lambda pair: pair[0].seq)
            cited = [corpus.excerpts[i] for i in answer.cited_ids if i in corpus.excerpts]
            approved.append(
                ApprovedAnswer(
                    questions[qid],
                    answer,
                    approval,
                    tuple(evaluations.get(answer.id, ())),
                    tuple(cited),
                )
            )
        else:  # explain with the version decided on last, or the newest one
            decided = [a for a in versions if a.id in decisions]
            last = max(decided, key=lambda a: decisions[a.id].seq) if decided else versions[-1]
            reason = _why_not(last, decisions.get(last.id), children.get(last.id), corpus)
            skipped.append(Skipped(qid, last.id, reason))
    order = {q.id: i for i, q in enumerate(corpus.questions)}
    approved.sort(key=lambda x: order[x.question.id])
    skipped.sort(key=lambda s: (order.get(s.question_id, len(order)), s.question_id))
    return approved, skipped
