"""The store interface: what every face and library module may ask of a store.

Two adapters implement it, `SQLiteStore` (one file, one machine) and `PostgresStore` (a
database server, for a team); `Workspace.open_store()` picks one from the store's
location. Nothing above the store knows which one it talks to. Both keep the same
tables, made by the same named migrations, hold the same text per record (`rows`), and
let the database itself keep the decision log append-only and chained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol, Self

from workbench.models import Answer, Decision, Evaluation, ReviewDecision, Run
from workbench.store.decision_log import DecisionDraft

__all__ = ["ReviewRow", "Risk", "Store"]

# fails, contradicted, judge failed, not found, unstable, off topic, warnings
Risk = tuple[int, int, int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One answer version in the review queue: what the queue filters, orders and counts.

    The counts are the most any one judge's evaluation found. `flagged` is what needs a
    clinician: a fail-severity finding, a claim not supported, a judge that failed, an
    answer that does not answer the question (`off_topic`) or a judge whose repeated
    judgments disagree (`unstable`); `warned` is a warning only (reading level and the
    like); `risk` orders a queue, the riskiest first.
    """

    answer_id: str
    question_id: str
    prompt_key: str
    scored: bool
    decision: Decision | None
    fails: int = 0
    contradicted: int = 0
    not_found: int = 0
    judge_failed: bool = False
    warnings: int = 0
    off_topic: bool = False
    unstable: bool = False

    # Worked out once per row (the queue filters, counts and orders 10,000 on a click):
    # flagged (a fail finding, an unsupported claim, a failed judge, an answer beside the
    # question, unstable judgments), warned (warnings only, nothing flagged), risk
    # (larger is riskier).
    flagged: bool = field(init=False)
    warned: bool = field(init=False)
    risk: Risk = field(init=False)

    def __post_init__(self) -> None:
        flagged = bool(
            self.fails
            or self.contradicted
            or self.not_found
            or self.judge_failed
            or self.off_topic
            or self.unstable
        )
        object.__setattr__(self, "flagged", flagged)
        object.__setattr__(self, "warned", self.warnings > 0 and not flagged)
        # Hard fails, then contradicted claims, a failed judge (nothing was checked),
        # claims not found, unstable judgments, an answer beside the question, then warnings.
        risk = (self.fails, self.contradicted, int(self.judge_failed), self.not_found)
        more = (int(self.unstable), int(self.off_topic), self.warnings)
        object.__setattr__(self, "risk", (*risk, *more))


class Store(Protocol):
    """Runs, answers, evaluations and the chained review decision log.

    `log_key` signs each new decision's hash (HMAC-SHA256) when set; `read_only` says the
    store was opened for reading only (no migration, no write).
    """

    log_key: bytes | None
    read_only: bool

    @property
    def location(self) -> str:
        """Where the store is, for messages and reports (a path, or a URL without password)."""
        ...

    def close(self) -> None:
        """Release the connection(s)."""
        ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # runs and answers
    def ensure_run(self, run: Run) -> Run:
        """Record a run unless one with its id exists; return the stored run."""
        ...

    def run(self, run_id: str) -> Run:
        """The run with this id (a `StoreError` when there is none)."""
        ...

    def runs(self) -> list[Run]:
        """All runs, oldest first."""
        ...

    def answered_question_ids(self, run_id: str) -> set[str]:
        """Questions that already have a generated answer in this run (for resuming)."""
        ...

    def add_answer(self, answer: Answer) -> None:
        """Store one answer, in its own transaction, so a crash loses at most the current one."""
        ...

    def answers(self, *, run_ids: Sequence[str] | None = None) -> list[Answer]:
        """Answers, optionally of some runs, in the order they were stored."""
        ...

    def answer(self, answer_id: str) -> Answer:
        """The answer version with this id (a `StoreError` when there is none)."""
        ...

    def newer_version_of(self, answer_id: str) -> str | None:
        """The id of the version made from this answer by an edit, if any."""
        ...

    # evaluations
    def add_evaluation(self, ev: Evaluation) -> None:
        """Store an evaluation; a re-score by the same judge replaces the earlier one."""
        ...

    def scored_answer_ids(self, judge: str) -> set[str]:
        """Answers this judge has already evaluated (for resuming a scoring batch)."""
        ...

    def evaluations(self, *, judge: str | None = None) -> list[Evaluation]:
        """Evaluations, optionally of one judge, in the order of their answers."""
        ...

    def evaluations_of(self, answer_id: str) -> list[Evaluation]:
        """The evaluations of one answer version, one per judge."""
        ...

    # the decision log
    def append_decision(
        self, draft: DecisionDraft, *, new_answer: Answer | None = None
    ) -> ReviewDecision:
        """Append a decision, chained to the last one, in one transaction (with an edit's
        new answer version). The database refuses what the rules forbid (`ReviewError`)."""
        ...

    def copy_decision(
        self, decision: ReviewDecision, *, new_answer: Answer | None = None
    ) -> ReviewDecision:
        """Append a decision recorded elsewhere as it was (place, link and hash kept), for
        copying a log between stores; the database still checks that it links to the last."""
        ...

    def decisions(self, *, since_seq: int = 0, limit: int | None = None) -> list[ReviewDecision]:
        """Decisions in log order, after `since_seq`."""
        ...

    def decisions_of(self, answer_id: str) -> list[ReviewDecision]:
        """The decisions on one answer version, in log order."""
        ...

    def last_decision_seq(self) -> int:
        """The sequence number of the newest decision in the log (0 when empty)."""
        ...

    def decision_count(self, *, reviewer: str, since: datetime) -> int:
        """How many decisions `reviewer` signed since `since` (edits included)."""
        ...

    def decision_counter(self) -> int | None:
        """How many decisions the store has ever numbered, kept apart from the rows, so a
        removed tail shows; None when it has none."""
        ...

    # the database itself
    def integrity_problems(self, *, quick: bool = False, limit: int = 20) -> list[str]:
        """What the database's own integrity check finds wrong; [] when sound."""
        ...

    def checkpoint(self) -> None:
        """Make every committed write durable in the database's main files."""
        ...

    def backup(self, dest: Path) -> None:
        """Copy the store to the new file `dest`: one consistent snapshot (a SQLite file)."""
        ...

    def latest_decisions(self) -> dict[str, ReviewDecision]:
        """The latest decision per answer version id."""
        return {d.answer_id: d for d in self.decisions()}

    # the review queue
    def review_rows(self, *, answer_ids: Sequence[str] | None = None) -> list[ReviewRow]:
        """Each latest answer version (none edited from it) with its review standing.

        `flagged` means some evaluation of it has a claim not supported, a fail-severity
        finding, a judge that failed, an off-topic verdict or unstable repeated judgments;
        `decision` is its latest decision, if any. In answer order.
        """
        ...
