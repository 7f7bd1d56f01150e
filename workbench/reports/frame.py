"""Evaluations as a pandas DataFrame: one row per (answer, judge), ready for tables and CSV."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from workbench.data.datasets import Corpus, load_corpus
from workbench.errors import StoreError
from workbench.models import Answer, Evaluation, ReviewDecision, Severity, Verdict
from workbench.scoring.readability import GRADE_TARGET, above_grade
from workbench.scoring.staleness import is_stale
from workbench.store import SQLiteStore, Store

__all__ = ["COLUMNS", "evaluation_frame", "frame", "frame_of"]

COLUMNS = [
    "run_id", "prompt", "backend", "model", "judge", "question_id", "cancer_type", "question",
    "answer_id", "answer", "status", "faithfulness", "claims", "supported", "contradicted",
    "not_found", "any_unsupported", "flagged", "repeats", "faithfulness_spread", "unstable",
    "weakest_support", "safety_fail", "safety_warn", "safety_rules", "relevance",
    "relevance_flagged", "relevance_reason", "fk_grade", "smog",
    "within_grade_target", "prompt_tokens", "completion_tokens", "latency_s", "cost_usd",
    "stale", "review_status", "error",
]  # fmt: skip


def evaluation_frame(store: Store, corpus: Corpus) -> pd.DataFrame:
    """Every stored evaluation with its answer, question and latest review decision."""
    return frame_of(store.answers(), store.evaluations(), store.latest_decisions(), corpus)


def frame(store: Store | str | os.PathLike[str], corpus: Corpus | None = None) -> pd.DataFrame:
    """The evaluation rows of a store (a `Store` or the path of one), for pandas work.

    One row per (answer, judge): the question, prompt version, backend and model, the
    answer text, faithfulness and the claim counts by verdict, safety findings, reading
    grade, tokens, cost, staleness and the latest review decision. `corpus` defaults to
    the data sets `$WORKBENCH_DATASETS` (else the repository's) holds.
    """
    corpus = corpus if corpus is not None else load_corpus()
    if not isinstance(store, (str, os.PathLike)):
        return evaluation_frame(store, corpus)
    path = Path(store)
    if not path.is_file():
        raise StoreError(f"{path}: no store there; `workbench demo` or `generate` makes one")
    with SQLiteStore(path, create=False, read_only=True) as opened:
        return evaluation_frame(opened, corpus)


def frame_of(
    answers: Sequence[Answer],
    evaluations: Sequence[Evaluation],
    decisions: Mapping[str, ReviewDecision],
    corpus: Corpus,
) -> pd.DataFrame:
    """The same rows from records already loaded (a report reads them once, uses them twice)."""
    by_id = {a.id: a for a in answers}
    questions = {q.id: q for q in corpus.questions}
    rows = []
    for ev in evaluations:
        a = by_id[ev.answer_id]
        q = questions.get(a.question_id)
        counts = {v: sum(c.verdict is v for c in ev.claims) for v in Verdict}
        decision = decisions.get(a.id)
        supports = [c.support_score for c in ev.claims if c.support_score is not None]
        rows.append(
            {
                "run_id": a.run_id,
                "prompt": a.prompt_key,
                "backend": a.backend,
                "model": a.model,
                "judge": ev.judge,
                "question_id": a.question_id,
                "cancer_type": q.cancer_type if q else None,
                "question": q.text if q else None,
                "answer_id": a.id,
                "answer": a.text,
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
                "safety_fail": sum(f.severity is Severity.FAIL for f in ev.safety),
                "safety_warn": sum(f.severity is Severity.WARN for f in ev.safety),
                "safety_rules": ";".join(sorted({f.rule_id for f in ev.safety})),
                "relevance": ev.relevance.score if ev.relevance else None,
                "relevance_flagged": ev.relevance.flagged if ev.relevance else None,
                "relevance_reason": ev.relevance.reason if ev.relevance else None,
                "fk_grade": ev.fk_grade,
                "smog": ev.smog,
                "within_grade_target": ev.fk_grade is not None
                and not above_grade(ev.fk_grade, GRADE_TARGET),
                "prompt_tokens": a.prompt_tokens,
                "completion_tokens": a.completion_tokens,
                "latency_s": a.latency_s,
                "cost_usd": a.cost_usd,
                "stale": is_stale(ev, corpus.excerpts),
                "review_status": decision.decision.value if decision else "not reviewed",
                "error": ev.error,
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
