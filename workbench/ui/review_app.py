"""The review panel's controller: wires the view to the review desk, and `review_app`.

Every decision is written to the store by the desk the moment the button is pressed, in
its own transaction, so a dead kernel loses nothing that was confirmed on screen. A
refused decision (a `WorkbenchError`) is shown and nothing is saved; any other failure is
shown as NOT SAVED on the panel and raised again, so logs and tests see it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from workbench.data.datasets import Corpus
from workbench.models import Decision, Evaluation, EvaluationStatus
from workbench.reports.render import (
    decision_history,
    evidence_card,
    findings_list,
    notice,
    review_answer,
    review_header,
)
from workbench.review.desk import QueueFilter, ReviewDesk, ReviewItem
from workbench.runs.review import open_desk, stale_reasons
from workbench.ui.events import attempt
from workbench.ui.review_view import ReviewView
from workbench.workspace import Workspace

__all__ = ["ReviewController", "review_app"]

T = TypeVar("T")

_SHORT = {
    "supported": "supported",
    "contradicted": "NOT SUPPORTED (contradicted)",
    "not_found": "NOT SUPPORTED (not found)",
}


def _support(score: float | None) -> str:
    return "" if score is None else f" ({score:.2f})"


def claim_options(ev: Evaluation | None) -> tuple[list[tuple[str, int]], int | None]:
    """The claim list's labels (plain text, each claim in full), weakest first, and the
    first one to look at.

    Unsupported claims come first, then the rest; within each, the lowest support score
    first. Each label keeps the claim's number in the answer and shows its support.
    """
    if ev is None:
        return [], None
    failed = ev.status is EvaluationStatus.JUDGE_FAILED
    order = sorted(
        range(len(ev.claims)),
        key=lambda i: (
            ev.claims[i].verdict.is_supported,
            ev.claims[i].support_score if ev.claims[i].support_score is not None else 1.0,
            i,
        ),
    )
    options = []
    for i in order:
        c = ev.claims[i]
        label = "JUDGE FAILED" if failed else _SHORT[c.verdict.value] + _support(c.support_score)
        options.append((f"{i + 1}. {label}: {c.claim}", i))
    return options, options[0][1] if options else None


class ReviewController:
    """Moves through the queue, draws items, and turns clicks into recorded decisions."""

    def __init__(self, desk: ReviewDesk, view: ReviewView, *, reviewer: str | None = None) -> None:
        self.desk, self.view = desk, view
        self.reviewer = ""
        self.which = QueueFilter.NOT_REVIEWED
        self.ids: list[str] = []
        self.pos = 0
        self.item: ReviewItem | None = None
        self.shown: str | None = None  # the answer whose inputs the boxes hold
        self.judge_index = 0
        events = view.events
        events.on("start", self.start)
        events.on("filter", self.choose)
        events.on("previous", lambda: self.move(-1))
        events.on("next", lambda: self.move(+1))
        events.on("refresh", self.refresh)
        events.on("claim", self.select_claim)
        events.on("judge", self.select_judge)
        events.on("decide", self.decide)
        events.on("edit", self.open_editor)
        events.on("save_edit", self.save_edit)
        events.on("cancel_edit", view.close_editor)
        if reviewer:
            self.start(reviewer)

    @property
    def widget(self) -> object:
        """The panel, for a notebook cell to display."""
        return self.view.widget

    def start(self, name: str) -> None:
        """Take the reviewer's name (once per session) and open the queue."""
        if not name.strip():
            self.view.show_notice("error", "Type your name first: it is signed on each decision.")
            return
        self.reviewer = name.strip()
        self.view.show_reviewer(notice("info", f"Reviewing as {self.reviewer}"))
        self.view.show_notice("info", "Decisions are saved the moment you click.")
        self.choose(self.which)

    def choose(self, which: QueueFilter) -> None:
        """Show the answers under another filter, from the first."""
        self.which = QueueFilter(which)
        self.desk.queue.sync()
        self.ids, self.pos = self.desk.queue.ids(self.which), 0
        self.draw()

    def refresh(self) -> None:
        """Read the whole queue again: new answers, new scores, other reviewers' decisions."""
        current = self.item.answer.id if self.item else None
        self.desk.queue.reload()
        self.ids = self.desk.queue.ids(self.which)
        self.pos = self.ids.index(current) if current in self.ids else 0
        self.draw()

    def move(self, step: int) -> None:
        """Previous or next in the current filter (other reviewers' decisions counted too)."""
        self.desk.queue.sync()
        if self.ids:
            self.pos = max(0, min(len(self.ids) - 1, self.pos + step))
        self.draw()

    def draw(self, item: ReviewItem | None = None) -> None:
        """Show the item at the current position (or the one given) and the counts."""
        if item is None and not self.ids:
            self.item, self.shown = None, None
            self.view.clear_inputs()
            self._show_counts()
            self.view.show_empty(f"No answers under “{self.which.value}”.")
            return
        self.item = item or self.desk.item(self.ids[self.pos])
        if self.item.answer.id != self.shown:  # never carry typed text to another answer
            self.view.clear_inputs()
            self.shown = self.item.answer.id
        self.view.show_override(self.item.failed_rules)
        self._show_counts()
        self.judge_index = 0
        ev = self._evaluation()
        options, selected = claim_options(ev)
        stale = [
            reason
            for e in self.item.evaluations
            for reason in stale_reasons(e, self.desk.corpus.excerpts)
        ]
        header = review_header(
            self.item.answer, self.item.question, self.item.evaluations, self.item.latest, stale
        )
        findings = findings_list(self.item.answer.text, ev.safety if ev else ())
        judges = [e.judge for e in self.item.evaluations]
        self.view.show_item(header, judges, options, selected, findings)
        self.view.show_history(decision_history(self.item.trail))
        self.select_claim(selected)

    def _show_counts(self) -> None:
        line = " · ".join(
            _count_words(which, *self.desk.queue.left(which)) for which in QueueFilter
        )
        if self.item is not None and self.ids and self.ids[self.pos] != self.item.answer.id:
            where = f"not under “{self.which.value}” any more"
        else:
            where = f"{self.pos + 1} of {len(self.ids)}" if self.ids else "0 of 0"
        self.view.show_counts(notice("info", line), where)
        if self.reviewer:
            mine = self.desk.progress(self.reviewer, self.which)
            self.view.show_progress(
                notice(
                    "info",
                    f"· {mine.reviewed_today} reviewed by you today · "
                    f"{mine.left} of {mine.in_queue} left in “{self.which.value}”",
                )
            )

    def _evaluation(self) -> Evaluation | None:
        evs = self.item.evaluations if self.item else ()
        return evs[self.judge_index] if self.judge_index < len(evs) else None

    def select_judge(self, index: int) -> None:
        """Show another judge's claims."""
        self.judge_index = index
        options, selected = claim_options(self._evaluation())
        self.view.show_claims(options, selected)
        self.select_claim(selected)

    def select_claim(self, index: int | None) -> None:
        """Outline a claim in the answer and show its evidence and reason."""
        if self.item is None:
            return
        ev = self._evaluation()
        answer = review_answer(self.item.answer.text, ev, index)
        if ev is None:
            card = notice("info", "Not scored yet: run `workbench score`.")
        elif index is None or index >= len(ev.claims):
            card = notice("info", "No checkable claims." if not ev.error else ev.error)
        else:
            claim = ev.claims[index]
            excerpt = self.item.excerpts.get(claim.evidence_id or "")
            card = evidence_card(index, claim, excerpt)
        self.view.show_answer(answer, card)

    def _attempt(self, what: str, action: Callable[[], T]) -> T | None:
        return attempt(lambda m: self.view.show_notice("error", m), what, action)

    def decide(self, decision: Decision, reason: str, override_safety: bool = False) -> None:
        """Record approve, reject or needs edit on the current version, then go on.

        Approving an answer that fails a fail-severity safety rule needs the override box
        ticked and a reason; the rules overridden are recorded with the approval.
        """
        item = self.item
        if item is None:
            return
        made = self._attempt(
            "Decision",
            lambda: self.desk.decide(
                item.answer.id,
                decision,
                reviewer=self.reviewer,
                reason=reason,
                override_safety=override_safety and decision is Decision.APPROVE,
            ),
        )
        if made is None:
            return
        self.view.clear_reason()
        self._advance(item.answer.id)
        self.view.show_notice(
            "ok",
            f"Saved: {made.decision.value.replace('_', ' ')} of the answer to "
            f"“{_asked(item)}” ({item.answer.prompt_key}) by {made.reviewer} at "
            f"{made.created_at:%H:%M:%S} UTC.",
        )

    def _advance(self, current: str) -> None:
        after = self.ids[self.pos + 1] if self.pos + 1 < len(self.ids) else None
        self.ids = self.desk.queue.ids(self.which)
        if after in self.ids:
            self.pos = self.ids.index(after)
        elif current in self.ids:
            self.pos = min(self.ids.index(current) + 1, len(self.ids) - 1)
        else:
            self.pos = max(0, min(self.pos, len(self.ids) - 1))
        self.draw()

    def open_editor(self) -> None:
        """Open the current text for editing."""
        if self.item is not None:
            self.view.open_editor(self.item.answer.text)

    def save_edit(self, text: str, reason: str) -> None:
        """Save the edit as a new version, re-score it, and show its verdicts."""
        item = self.item
        if item is None:
            return
        result = self._attempt(
            "Edit",
            lambda: self.desk.edit(item.answer.id, text, reviewer=self.reviewer, reason=reason),
        )
        if result is None:
            return
        self.ids = self.desk.queue.ids(self.which)
        new_id = result.item.answer.id
        if new_id in self.ids:
            self.pos = self.ids.index(new_id)
        self.draw(result.item)
        self.view.show_notice(
            "ok",
            f"Saved: your edit of the answer to “{_asked(item)}” as a new version; "
            + (result.note or "re-scored: its verdicts are shown."),
        )


# Queues that mix answers with and without a decision: their counts say which is which.
_MIXED = (QueueFilter.FLAGGED, QueueFilter.WARNINGS, QueueFilter.ALL)


def _count_words(which: QueueFilter, undecided: int, held: int) -> str:
    """A queue's count: "flagged: 1 open, 2 decided" (a rejected or approved answer is no
    longer open), or plain for queues that hold only one or the other."""
    if which in _MIXED:
        return f"{which.value}: {undecided} open, {held - undecided} decided"
    return f"{which.value}: {held}"


def _asked(item: ReviewItem) -> str:
    """The question an item answers, as the reviewer read it."""
    return item.question.text if item.question else f"question {item.answer.question_id}"


def review_app(
    store: str | Path | None = None,
    *,
    reviewer: str | None = None,
    judge: str = "offline",
    datasets: str | Path | None = None,
    corpus: Corpus | None = None,
) -> ReviewController:
    """The review panel over a store; show `.view.widget` in a notebook."""
    data = Workspace.resolve(datasets=datasets, store=store)
    desk = open_desk(data, judge=judge, corpus=corpus)
    return ReviewController(desk, ReviewView(), reviewer=reviewer)
