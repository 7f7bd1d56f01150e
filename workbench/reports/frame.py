"""Evaluations as a pandas DataFrame: one row per (answer, judge), ready for tables and CSV.

`frame()`, the public one, also has a row for each answer no judge has scored yet: its
judge and scores empty, its `status` "not scored", so nothing generated goes missing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from workbench.data.datasets import Corpus, load_corpus
from workbench.errors import StoreError
from workbench.models import (
    Answer,
    ContextScores,
    Evaluation,
    Question,
    ReviewDecision,
    Severity,
    Verdict,
)
from workbench.scoring.readability import GRADE_TARGET, above_grade
from workbench.scoring.relevance import OFF_TOPIC_RULE
from workbench.scoring.staleness import is_stale
from workbench.store import SQLiteStore, Store

__all__ = ["COLUMNS", "NOT_SCORED", "evaluation_frame", "frame", "frame_of"]

NOT_SCORED = "not scored"  # the status of an answer no judge has scored

COLUMNS = [
    "run_id", "prompt", "backend", "model", "judge", "question_id", "cancer_type", "question",
    "answer_id", "answer", "status", "faithfulness", "claims", "supported", "contradicted",
    "not_found", "any_unsupported", "flagged", "repeats", "faithfulness_spread", "unstable",
    "weakest_support", "safety_fail", "safety_warn", "safety_rules", "relevance",
    "relevance_flagged", "relevance_reason", "ragas_relevance", "ragas_relevance_reason",
    "context_precision", "context_id_precision", "context_id_recall", "context_reason",
    "fk_grade", "smog",
    "within_grade_target", "prompt_tokens", "completion_tokens", "latency_s", "cost_usd",
    "stale", "review_status", "error",
]  # fmt: skip


def evaluation_frame(store: Store, corpus: Corpus, *, unscored: bool = False) -> pd.DataFrame:
    """Every stored evaluation with its answer, question and latest review decision
    (and, with `unscored`, a row for each answer no judge has scored)."""
    return frame_of(
        store.answers(),
        store.evaluations(),
        store.latest_decisions(),
        corpus,
        unscored=unscored,
    )


def frame(store: Store | str | os.PathLike[str], corpus: Corpus | None = None) -> pd.DataFrame:
    """The evaluation rows of a store (a `Store` or the path of one), for pandas work.

    One row per (answer, judge): the question, prompt version, backend and model, the
    answer text, faithfulness and the claim counts by verdict, safety findings, reading
    grade, tokens, cost, staleness and the latest review decision. An answer no judge
    has scored yet has one row with its judge and scores empty and `status` "not
    scored". `corpus` defaults to the data sets `$WORKBENCH_DATASETS` (else the
    repository's) holds.
    """
    corpus = corpus if corpus is not None else load_corpus()
    if not isinstance(store, (str, os.PathLike)):
        return evaluation_frame(store, corpus, unscored=True)
    path = Path(store)
    if not path.is_file():
        raise StoreError(f"{path}: no store there; `workbench demo` or `generate` makes one")
    with SQLiteStore(path, create=False, read_only=True) as opened:
        return evaluation_frame(opened, corpus, unscored=True)


def frame_of(
    answers: Sequence[Answer],
    evaluations: Sequence[Evaluation],
    decisions: Mapping[str, ReviewDecision],
    corpus: Corpus,
    *,
    unscored: bool = False,
) -> pd.DataFrame:
    """The same rows from records already loaded (a report reads them once, uses them twice)."""
    by_id = {a.id: a for a in answers}
    questions = {q.id: q for q in corpus.questions}
    rows = []
    for ev in evaluations:
        a = by_id[ev.answer_id]
        counts = {v: sum(c.verdict is v for c in ev.claims) for v in Verdict}
        supports = [c.support_score for c in ev.claims if c.support_score is not None]
        # The relevance judge's warning has its own columns: safety counts safety only.
        safety = [f for f in ev.safety if f.rule_id != OFF_TOPIC_RULE]
        rows.append(
            {
                **_answer_fields(a, questions, decisions),
                "judge": ev.judge,
                "status": ev.status.value,
                "faithfulness": ev.faithfulness,
                "claims": len(ev.claims),
                "supported": counts[Verdict.SUPPORTED],
                "contradicted": counts[Verdict.CONTRADICTED],
                "not_found": counts[Verdict.NOT_FOUND],
                "any_unsupported": bool(ev.unsupported),
                "flagged": ev.flagged,
                "repeats": len(ev.judgments) or 1,
                "faithfulness_spread": ev.spread,
                "unstable": ev.unstable,
                "weakest_support": min(supports) if supports else None,
                "safety_fail": sum(f.severity is Severity.FAIL for f in safety),
                "safety_warn": sum(f.severity is Severity.WARN for f in safety),
                "safety_rules": ";".join(sorted({f.rule_id for f in safety})),
                "relevance": ev.relevance.score if ev.relevance else None,
                "relevance_flagged": ev.relevance.flagged if ev.relevance else None,
                "relevance_reason": ev.relevance.reason if ev.relevance else None,
                "ragas_relevance": ev.llm_relevance.score if ev.llm_relevance else None,
                "ragas_relevance_reason": ev.llm_relevance.reason if ev.llm_relevance else None,
                **_context_fields(ev.context),
                "fk_grade": ev.fk_grade,
                "smog": ev.smog,
                "within_grade_target": ev.fk_grade is not None
                and not above_grade(ev.fk_grade, GRADE_TARGET),
                "stale": is_stale(ev, corpus.excerpts),
                "error": ev.error,
            }
        )
    if unscored:
        judged = {ev.answer_id for ev in evaluations}
        rows += [_unscored_row(a, questions, decisions) for a in answers if a.id not in judged]
    return pd.DataFrame(rows, columns=COLUMNS)


def _context_fields(c: ContextScores | None) -> dict[str, object]:
    """ragas' context figures (empty when not asked: `score --ragas-context`)."""
    return {
        "context_precision": c.precision if c else None,
        "context_id_precision": c.id_precision if c else None,
        "context_id_recall": c.id_recall if c else None,
        "context_reason": c.reason if c else None,
    }


def _answer_fields(
    a: Answer, questions: Mapping[str, Question], decisions: Mapping[str, ReviewDecision]
) -> dict[str, object]:
    """The columns an answer fills whether or not it is scored."""
    q = questions.get(a.question_id)
    decision = decisions.get(a.id)
    return {
        "run_id": a.run_id,
        "prompt": a.prompt_key,
        "backend": a.backend,
        "model": a.model,
        "question_id": a.question_id,
        "cancer_type": q.cancer_type if q else None,
        "question": q.text if q else None,
        "answer_id": a.id,
        "answer": a.text,
        "prompt_tokens": a.prompt_tokens,
        "completion_tokens": a.completion_tokens,
        "latency_s": a.latency_s,
        "cost_usd": a.cost_usd,
        "review_status": decision.decision.value if decision else "not reviewed",
    }


def _unscored_row(
    a: Answer, questions: Mapping[str, Question], decisions: Mapping[str, ReviewDecision]
) -> dict[str, object]:
    """An answer no judge has scored: its own fields, every score empty."""
    return {"status": NOT_SCORED, **_answer_fields(a, questions, decisions)}
