"""The report's question list: each question with its answers' status, problems first.

Rows are light (records and badges, no HTML) so that a report over 100,000 answers
holds them all at once; an answer's HTML is made only when its page is written
(`answer_view`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.data.datasets import Corpus
from workbench.models import Answer, Evaluation, Excerpt, ReviewDecision
from workbench.reports.render import highlight_answer, status_label
from workbench.reports.status import Badge, QuestionStatus, answer_badges, question_status, rank_of
from workbench.scoring.staleness import stale_reasons

__all__ = ["Entry", "QuestionRow", "answer_view", "page_name", "question_rows"]

_SAFE_RE = re.compile(r"[^a-z0-9_-]+")


def page_name(question_id: str) -> str:
    """A file name for a question's page: its id when that is safe, else a slug and a hash.

    Lower case only, so two ids that differ in case never share a file on a
    case-insensitive file system.
    """
    slug = _SAFE_RE.sub("_", question_id.lower()).strip("_")[:60] or "question"
    if slug == question_id:
        return slug
    return f"{slug}-{hashlib.sha256(question_id.encode()).hexdigest()[:8]}"


@dataclass(frozen=True, slots=True)
class Entry:
    """One answer under one judge, with its badges and its stale reasons."""

    answer: Answer
    evaluation: Evaluation
    decision: ReviewDecision | None
    badges: tuple[Badge, ...]
    stale: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QuestionRow:
    """A question, its answers worst first, and its status."""

    id: str
    text: str
    cancer_type: str
    page: str
    entries: tuple[Entry, ...]
    status: QuestionStatus


def question_rows(
    corpus: Corpus,
    answers: Sequence[Answer],
    evaluations: Sequence[Evaluation],
    decisions: Mapping[str, ReviewDecision],
) -> list[QuestionRow]:
    """Every question with an evaluated answer, problems first, then in data set order."""
    by_id = {a.id: a for a in answers}
    grouped: dict[str, list[Entry]] = {}
    for ev in evaluations:
        a = by_id[ev.answer_id]
        decision = decisions.get(a.id)
        stale = tuple(stale_reasons(ev, corpus.excerpts))
        badges = answer_badges(ev, decision, stale=bool(stale))
        grouped.setdefault(a.question_id, []).append(Entry(a, ev, decision, badges, stale))
    known = {q.id: q for q in corpus.questions}
    order = {q.id: n for n, q in enumerate(corpus.questions)}
    rows = []
    for qid, entries in grouped.items():
        q = known.get(qid)
        entries.sort(key=_worst_first)
        rows.append(
            QuestionRow(
                qid,
                q.text if q else f"(question {qid} not loaded)",
                q.cancer_type if q else "?",
                page_name(qid),
                tuple(entries),
                question_status(e.badges for e in entries),
            )
        )
    rows.sort(key=lambda r: (*r.status.sort_key(), order.get(r.id, len(order)), r.id))
    return rows


def _worst_first(e: Entry) -> tuple[int, float]:
    """Worst badge first; within a badge, the judge's lowest score first."""
    score = e.evaluation.faithfulness
    return rank_of(e.badges), score if score is not None else 0.0


def _review(decision: ReviewDecision | None) -> str:
    """The latest decision in words; an approval over a failed safety rule says so, and why."""
    if decision is None:
        return "not reviewed"
    words = decision.decision.value.replace("_", " ")
    if decision.overrides:
        return (
            f"{words} by {decision.reviewer}, overriding failed safety rule(s) "
            f"{', '.join(decision.overrides)}: {decision.reason}"
        )
    return words


def answer_view(entry: Entry, excerpts: Mapping[str, Excerpt]) -> dict[str, Any]:
    """What the template shows of one answer: scores, badges, the marked text, claims."""
    a, ev = entry.answer, entry.evaluation
    return {
        "prompt": a.prompt_key,
        "backend": a.backend,
        "model": a.model,
        "judge": ev.judge,
        "status": status_label(ev.status, ev.error),
        "faithfulness": ev.faithfulness,
        "stale": entry.stale,
        "fk_grade": ev.fk_grade,
        "smog": ev.smog,
        "answer_id": a.id,
        "badges": entry.badges,
        "review": _review(entry.decision),
        "highlighted": highlight_answer(a.text, ev.claims, ev.safety),
        "claims": ev.weakest,
        "findings": ev.safety,
        "flagged": ev.flagged,
        "excerpts": [excerpts[i] for i in a.retrieved_ids if i in excerpts],
    }
