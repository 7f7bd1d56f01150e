"""The review queue: one SQL pass agrees with the evaluations, and stays in step with the log.

The SQL definitions of flagged, warned and risk (`Store.review_rows`) are pinned to the
Python ones (`flags`, `warns`, `risk`) over evaluations with every kind of concern.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workbench.data.datasets import Corpus, load_corpus, select_questions
from workbench.generation.offline import OfflineComposer
from workbench.models import (
    Answer,
    ClaimVerdict,
    Decision,
    Evaluation,
    EvaluationStatus,
    Run,
    SafetyFinding,
    Severity,
    Verdict,
)
from workbench.review.decisions import edit_answer, record_decision
from workbench.review.desk import QueueFilter, ReviewDesk, ReviewQueue, flags, risk, warns
from workbench.runs.batch import generate_batch, score_batch
from workbench.runs.demo import run_demo
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import SQLiteStore, Store
from workbench.workspace import Workspace


def _open(location: str | Path) -> Store:
    return Workspace.resolve(store=location).open_store(create=True)


def _scored(path: str | Path, corpus: Corpus) -> Store:
    store = _open(path)
    questions = select_questions(corpus, limit=6)
    for key in sorted(corpus.prompts):
        generate_batch(store, corpus, OfflineComposer(), key, questions, questions_source="t",
                       progress=False)  # fmt: skip
    score_batch(store, corpus, OfflineJudge(), progress=False)
    return store


def _second_opinions(store: Store) -> None:
    """A second judge's evaluations with every kind of concern, some together."""
    fail = SafetyFinding("cure-guarantee", Severity.FAIL, "promises a cure", "hedge")
    warn = SafetyFinding("reading-level", Severity.WARN, "grade 11", "shorter sentences")

    def claim(verdict: Verdict) -> ClaimVerdict:
        return ClaimVerdict("A claim.", None, verdict, "why", None, None, "second")

    kinds = [
        (EvaluationStatus.JUDGE_FAILED, (), ()),
        (EvaluationStatus.SCORED, (), (fail, fail, warn)),
        (EvaluationStatus.SCORED, (claim(Verdict.NOT_FOUND), claim(Verdict.SUPPORTED)), ()),
        (EvaluationStatus.SCORED, (claim(Verdict.CONTRADICTED),), (warn,)),
        (EvaluationStatus.SCORED, (claim(Verdict.SUPPORTED),), (warn, warn)),
        (EvaluationStatus.SCORED, (), (fail,)),
    ]
    for answer, (status, claims, safety) in zip(store.answers(), kinds, strict=False):
        store.add_evaluation(
            Evaluation(answer.id, "second", status, None, claims, safety, 9.0, 9.0)
        )


@pytest.mark.adapters
def test_flagged_warned_and_risk_in_sql_are_the_same_in_python(
    store_location: str, corpus: Corpus
) -> None:
    with _scored(store_location, corpus) as store:
        _second_opinions(store)
        rows = store.review_rows()
        by_answer: dict[str, list[Evaluation]] = {}
        for ev in store.evaluations():
            by_answer.setdefault(ev.answer_id, []).append(ev)
        assert len(rows) == 12 and all(r.scored for r in rows)
        for row in rows:
            evs = tuple(by_answer[row.answer_id])
            assert (row.flagged, row.warned, row.risk) == (flags(evs), warns(evs), risk(evs))
        assert sum(r.flagged for r in rows) == 5 and any(r.warned for r in rows)
        assert not all(r.flagged or r.warned for r in rows)
        queue = ReviewQueue(store)
        flagged = queue.ids(QueueFilter.FLAGGED)
        assert [queue.row(i).risk for i in flagged] == sorted(  # type: ignore[union-attr]
            (queue.row(i).risk for i in flagged),
            reverse=True,  # type: ignore[union-attr]
        )
        assert queue.row(flagged[0]).fails == 2  # type: ignore[union-attr]
        assert not set(flagged) & set(queue.ids(QueueFilter.WARNINGS))


def test_on_the_demo_store_flagged_holds_only_what_needs_a_clinician_hard_fail_first(
    tmp_path: Path,
) -> None:
    demo = run_demo(tmp_path / "demo", progress=False)
    with SQLiteStore(demo.store_path) as store:
        desk = ReviewDesk(store, load_corpus(), judge=OfflineJudge())
        flagged = desk.queue.ids(QueueFilter.FLAGGED)
        items = [desk.item(i) for i in flagged]
        assert items and all(
            any(ev.safety_failed or ev.unsupported or ev.error for ev in it.evaluations)
            for it in items
        )
        assert any(ev.safety_failed for ev in items[0].evaluations)  # the hard fail first
        all_ids = desk.queue.ids(QueueFilter.ALL)
        reading_only = [i for i in all_ids if desk.queue.row(i).warned]  # type: ignore[union-attr]
        assert len(reading_only) > len(flagged)  # the reading-level warnings wait apart
        assert not set(reading_only) & set(flagged)
        assert set(desk.queue.ids(QueueFilter.WARNINGS)) == set(reading_only)


@pytest.mark.adapters
def test_the_queue_follows_decisions_and_edits_by_anyone(
    store_location: str, corpus: Corpus
) -> None:
    with _scored(store_location, corpus) as store:
        queue = ReviewQueue(store)
        first, second, third = queue.ids(QueueFilter.ALL)[:3]
        with _open(store_location) as other:  # another kernel
            record_decision(other, first, Decision.APPROVE, reviewer="A")
            record_decision(other, second, Decision.NEEDS_EDIT, reviewer="B", reason="long")
            new, _ = edit_answer(other, third, "Shorter text [x].", reviewer="B", reason="short")
        assert queue.counts()[QueueFilter.NOT_REVIEWED] == 12
        queue.sync()
        counts = queue.counts()
        assert counts[QueueFilter.APPROVED] == 1 and counts[QueueFilter.NEEDS_EDIT] == 1
        assert counts[QueueFilter.ALL] == 12 and counts[QueueFilter.NOT_REVIEWED] == 10
        everyone = queue.ids(QueueFilter.ALL)  # the new version takes the old one's place
        assert new.id in everyone and third not in everyone
        assert queue.row(third) is None and queue.row(new.id).scored is False  # type: ignore[union-attr]


@pytest.mark.adapters
def test_an_edit_from_the_desk_is_scored_at_once(store_location: str, corpus: Corpus) -> None:
    with _scored(store_location, corpus) as store:
        desk = ReviewDesk(store, corpus, judge=OfflineJudge())
        old = desk.queue.ids(QueueFilter.ALL)[0]
        text = store.answer(old).text + "\nThis always cures cancer."
        result = desk.edit(old, text, reviewer="Dr Ng", reason="test")
        assert result.evaluation is not None and result.item.evaluations == (result.evaluation,)
        assert result.item.answer.parent_id == old and result.item.flagged
        assert desk.queue.row(result.item.answer.id).flagged  # type: ignore[union-attr]


def test_an_edit_of_an_answer_whose_question_is_gone_is_saved_but_not_scored(
    tmp_path: Path, corpus: Corpus
) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        store.ensure_run(Run("r", "p@v1", "offline", "m", "t"))
        store.add_answer(Answer("a-1", "r", "q-gone", "p@v1", "offline", "m", "Text.", (), ()))
        result = ReviewDesk(store, corpus, judge=OfflineJudge()).edit(
            "a-1", "New text.", reviewer="Dr Ng", reason="r"
        )
        assert (
            result.evaluation is None
            and "not scored: question 'q-gone' is not loaded" in result.note
        )
        assert result.item.question is None


def test_the_queue_index_migration_is_recorded(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        db = sqlite3.connect(store.path)
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        done = {r[0] for r in db.execute("SELECT name FROM migrations")}
        db.close()
    assert "answers_parent" in names and "004_index_answers_parent_for_review_queue" in done


def test_a_store_from_before_the_findings_table_gets_it_filled_in(
    tmp_path: Path, corpus: Corpus
) -> None:
    with _scored(tmp_path / "s.db", corpus) as store:
        _second_opinions(store)
        before = {r.answer_id: (r.flagged, r.warned, r.risk) for r in store.review_rows()}
    db = sqlite3.connect(tmp_path / "s.db")  # as the store was before migration 006
    db.execute("DROP TABLE evaluation_findings")
    db.execute("DELETE FROM migrations WHERE name = '006_evaluation_findings_for_review_queue'")
    db.commit()
    db.close()
    with SQLiteStore(tmp_path / "s.db") as store:
        after = {r.answer_id: (r.flagged, r.warned, r.risk) for r in store.review_rows()}
    assert after == before and sum(flagged for flagged, _, _ in after.values()) == 5
