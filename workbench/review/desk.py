"""The review desk's logic: the queue, its filters and counts, one item, and the actions.

No widgets here. The review panel (`workbench.ui`) shows what this returns and calls its
actions; tests and the benchmark drive it directly. The queue holds one small row per
latest answer version in memory and keeps it in step with the decision log by reading
only the decisions made since it last looked, so moving to the next item costs a few
indexed queries however large the store is.

"Flagged" is what needs a clinician: a fail-severity safety finding, a claim the judge
did not find supported, a judge that failed, an answer its relevance judge finds does
not answer the question, or an LLM judge whose repeated judgments disagree on the
decision (`score --repeat`). Answers with warnings only (reading level and the like)
are a queue of their own. Every queue lists the riskiest first (`ReviewRow.risk`: hard
fails, contradicted claims, failed judges, claims not found, unstable judgments,
off-topic answers, warnings), then in answer order. `flags` and `risk` say the same
from evaluations in Python; tests pin them to the store's SQL.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime

from workbench.data.datasets import Corpus
from workbench.errors import ReviewError
from workbench.models import (
    Answer,
    Decision,
    Evaluation,
    EvaluationStatus,
    Excerpt,
    Question,
    ReviewDecision,
    Severity,
    Verdict,
)
from workbench.review.decisions import edit_answer, record_decision
from workbench.scoring.base import Judge
from workbench.scoring.evaluate import evaluate_answer, scoring_inputs
from workbench.scoring.safety import RuleSet
from workbench.store import ReviewRow, Risk, Store

__all__ = [
    "EditResult",
    "Progress",
    "QueueFilter",
    "ReviewDesk",
    "ReviewItem",
    "ReviewQueue",
    "flags",
    "risk",
    "warns",
]


class QueueFilter(enum.StrEnum):
    """Which answer versions the desk shows."""

    NOT_REVIEWED = "not reviewed"
    FLAGGED = "flagged"
    WARNINGS = "warnings"
    NEEDS_EDIT = "needs edit"
    APPROVED = "approved"
    REJECTED = "rejected"
    ALL = "all"


_BY_DECISION = {
    Decision.APPROVE: QueueFilter.APPROVED,
    Decision.REJECT: QueueFilter.REJECTED,
    Decision.NEEDS_EDIT: QueueFilter.NEEDS_EDIT,
}


def _matches(row: ReviewRow, which: QueueFilter) -> bool:
    if which is QueueFilter.ALL:
        return True
    if which is QueueFilter.FLAGGED:
        return row.flagged
    if which is QueueFilter.WARNINGS:
        return row.warned
    if which is QueueFilter.NOT_REVIEWED:
        return row.decision is None
    return row.decision is not None and _BY_DECISION.get(row.decision) is which


def flags(evaluations: tuple[Evaluation, ...]) -> bool:
    """True when any evaluation has a fail-severity finding, an unsupported claim, a
    failed judge, an off-topic verdict or unstable repeats (`ReviewRow.flagged` in SQL)."""
    return any(
        ev.safety_failed
        or ev.unsupported
        or ev.status is EvaluationStatus.JUDGE_FAILED
        or ev.off_topic
        or ev.unstable
        for ev in evaluations
    )


def warns(evaluations: tuple[Evaluation, ...]) -> bool:
    """True when some evaluation has a warning and nothing is flagged (`ReviewRow.warned`)."""
    return not flags(evaluations) and any(
        f.severity is Severity.WARN for ev in evaluations for f in ev.safety
    )


def risk(evaluations: tuple[Evaluation, ...]) -> Risk:
    """`ReviewRow.risk` from evaluations: the most any one judge found of each kind."""

    def findings(s: Severity) -> int:
        return max((sum(f.severity is s for f in ev.safety) for ev in evaluations), default=0)

    def claims(v: Verdict) -> int:
        return max((sum(c.verdict is v for c in ev.claims) for ev in evaluations), default=0)

    failed = any(ev.status is EvaluationStatus.JUDGE_FAILED for ev in evaluations)
    return (
        findings(Severity.FAIL),
        claims(Verdict.CONTRADICTED),
        int(failed),
        claims(Verdict.NOT_FOUND),
        int(any(ev.unstable for ev in evaluations)),
        int(any(ev.off_topic for ev in evaluations)),
        findings(Severity.WARN),
    )


@dataclass(frozen=True, slots=True)
class Progress:
    """One reviewer's progress: decisions signed today, and what is left in the queue."""

    reviewed_today: int
    left: int  # answers in the current queue with no decision yet
    in_queue: int


class ReviewQueue:
    """The latest answer versions with their standing, kept in step with the decision log."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._order: list[str] = []
        self._rows: dict[str, ReviewRow] = {}
        self._seen = 0
        self._counted: dict[QueueFilter, list[int]] | None = None
        self._ranked: list[str] | None = None
        self.reload()

    def reload(self) -> None:
        """Read every row again: new answers, new scores, everyone's decisions."""
        self._seen = self._store.last_decision_seq()
        rows = self._store.review_rows()
        self._order = [r.answer_id for r in rows]
        self._rows = {r.answer_id: r for r in rows}
        self._counted = self._ranked = None

    def sync(self) -> None:
        """Apply the decisions made since the last look, by anyone, in log order."""
        for d in self._store.decisions(since_seq=self._seen):
            self._seen = d.seq
            if d.decision is Decision.EDIT and d.new_answer_id:
                self._replace(d.answer_id, d.new_answer_id)
            elif d.answer_id in self._rows:
                old = self._rows[d.answer_id]
                new = self._rows[d.answer_id] = replace(old, decision=d.decision)
                if self._counted is not None:
                    _count(self._counted, old, -1)
                    _count(self._counted, new, +1)

    def refresh(self, answer_id: str) -> None:
        """Read one row again (after it was scored)."""
        for row in self._store.review_rows(answer_ids=[answer_id]):
            self._rows[row.answer_id] = row
            self._counted = self._ranked = None

    def _replace(self, old: str, new: str) -> None:
        fresh = self._store.review_rows(answer_ids=[new])
        if not fresh:  # edited again since: a later decision in the log replaces it
            return
        at = self._order.index(old) if old in self._order else len(self._order)
        self._order[at : at + 1] = [new]
        self._rows.pop(old, None)
        self._rows[new] = fresh[0]
        self._counted = self._ranked = None

    def ids(self, which: QueueFilter) -> list[str]:
        """The answer ids under a filter, the riskiest first, then in answer order."""
        if self._ranked is None:  # scores and versions change it, decisions do not
            rows = self._rows
            self._ranked = sorted(self._order, key=lambda i: rows[i].risk, reverse=True)
        return [i for i in self._ranked if _matches(self._rows[i], which)]

    def left(self, which: QueueFilter) -> tuple[int, int]:
        """How many answers under a filter have no decision yet, and how many it holds."""
        undecided, held = self._tally()[which]
        return undecided, held

    def counts(self) -> dict[QueueFilter, int]:
        """How many answer versions each filter holds."""
        return {which: held for which, (_, held) in self._tally().items()}

    def _tally(self) -> dict[QueueFilter, list[int]]:
        """Per filter, [undecided, held]: one pass over the rows, then kept in step with
        each decision (drawing an item asks for it on every click)."""
        if self._counted is None:
            self._counted = {which: [0, 0] for which in QueueFilter}
            for row in self._rows.values():
                _count(self._counted, row, +1)
        return self._counted

    def row(self, answer_id: str) -> ReviewRow | None:
        """The queue's row for an answer version, if it is a latest version."""
        return self._rows.get(answer_id)


def _count(tallies: dict[QueueFilter, list[int]], row: ReviewRow, sign: int) -> None:
    """Add (or take away) a row from the filters' [undecided, held] tallies."""
    undecided = row.decision is None
    by_decision = (
        QueueFilter.NOT_REVIEWED
        if row.decision is None
        else _BY_DECISION.get(row.decision, QueueFilter.ALL)
    )
    for which, on in (
        (QueueFilter.ALL, True),
        (by_decision, by_decision is not QueueFilter.ALL),
        (QueueFilter.FLAGGED, row.flagged),
        (QueueFilter.WARNINGS, row.warned),
    ):
        if on:
            tally = tallies[which]
            tally[0] += sign * undecided
            tally[1] += sign


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """Everything the reviewer sees about one answer version."""

    answer: Answer
    question: Question | None
    evaluations: tuple[Evaluation, ...]
    excerpts: dict[str, Excerpt]  # the retrieved and cited excerpts the corpus has
    history: tuple[ReviewDecision, ...]
    newer_version: str | None
    # The decisions on this version and on every version it was edited from, in log
    # order: the answer's whole story, edits included.
    trail: tuple[ReviewDecision, ...] = ()

    @property
    def latest(self) -> ReviewDecision | None:
        """The latest decision on this version, if any."""
        return self.history[-1] if self.history else None

    @property
    def flagged(self) -> bool:
        """Whether some evaluation raised a concern."""
        return flags(self.evaluations)

    @property
    def failed_rules(self) -> tuple[str, ...]:
        """The fail-severity safety rules some evaluation found: approving needs an override."""
        return tuple(
            sorted(
                {
                    f.rule_id
                    for ev in self.evaluations
                    for f in ev.safety
                    if f.severity is Severity.FAIL
                }
            )
        )


@dataclass(frozen=True, slots=True)
class EditResult:
    """An edit saved as a new version, and its evaluation (None when it could not be scored)."""

    item: ReviewItem
    decision: ReviewDecision
    evaluation: Evaluation | None
    note: str = ""


class ReviewDesk:
    """The queue and the actions over one store, with the corpus and judge for re-scoring."""

    def __init__(
        self, store: Store, corpus: Corpus, *, judge: Judge, rules: RuleSet | None = None
    ) -> None:
        self.store, self.corpus, self.judge, self.rules = store, corpus, judge, rules
        self._questions = {q.id: q for q in corpus.questions}
        self.queue = ReviewQueue(store)

    def item(self, answer_id: str) -> ReviewItem:
        """One answer version with its question, scores, evidence and decisions."""
        answer = self.store.answer(answer_id)
        wanted = dict.fromkeys([*answer.retrieved_ids, *answer.cited_ids])
        history = tuple(self.store.decisions_of(answer_id))
        earlier, parent = [], answer.parent_id
        while parent is not None:
            earlier += self.store.decisions_of(parent)
            parent = self.store.answer(parent).parent_id
        return ReviewItem(
            answer=answer,
            question=self._questions.get(answer.question_id),
            evaluations=tuple(self.store.evaluations_of(answer_id)),
            excerpts={i: self.corpus.excerpts[i] for i in wanted if i in self.corpus.excerpts},
            history=history,
            newer_version=self.store.newer_version_of(answer_id),
            trail=tuple(sorted([*earlier, *history], key=lambda d: d.seq)),
        )

    def progress(self, reviewer: str, which: QueueFilter) -> Progress:
        """The reviewer's decisions since midnight (the kernel's local time), and how many
        answers under `which` still wait for a decision."""
        midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
        left, held = self.queue.left(which)
        return Progress(self.store.decision_count(reviewer=reviewer, since=midnight), left, held)

    def decide(
        self,
        answer_id: str,
        decision: Decision,
        *,
        reviewer: str,
        reason: str = "",
        override_safety: bool = False,
    ) -> ReviewDecision:
        """Record approve, reject or needs edit now, in its own transaction."""
        made = record_decision(
            self.store,
            answer_id,
            decision,
            reviewer=reviewer,
            reason=reason,
            override_safety=override_safety,
            excerpts=self.corpus.excerpts,
        )
        self.queue.sync()
        return made

    def edit(self, answer_id: str, text: str, *, reviewer: str, reason: str) -> EditResult:
        """Save an edited text as a new version and score it at once with the desk's judge."""
        new, made = edit_answer(
            self.store,
            answer_id,
            text,
            reviewer=reviewer,
            reason=reason,
            excerpts=self.corpus.excerpts,
        )
        self.queue.sync()
        evaluation, note = None, ""
        try:
            evaluation = self._score(new)
        except ReviewError as exc:
            note = str(exc)
        else:
            self.store.add_evaluation(evaluation)
            self.queue.refresh(new.id)
        return EditResult(self.item(new.id), made, evaluation, note)

    def _score(self, answer: Answer) -> Evaluation:
        inputs = scoring_inputs(answer, self.corpus)
        if isinstance(inputs, str):
            raise ReviewError(f"saved, but not scored: {inputs}")
        question, excerpts = inputs
        return evaluate_answer(answer, question, excerpts, self.judge, rules=self.rules)
