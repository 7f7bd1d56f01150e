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
    Judgment,
    Relevance,
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

    scored = EvaluationStatus.SCORED
    off_topic = Relevance(0.2, True, "does not answer the question: ...", "second")
    on_topic = Relevance(0.9, False, "answers the question", "second")
    unstable = (Judgment(0, 1.0, False, scored), Judgment(1, 0.5, True, scored))
    steady = (Judgment(0, 1.0, False, scored), Judgment(1, 1.0, False, scored))
    kinds: list[tuple[EvaluationStatus, tuple[ClaimVerdict, ...], tuple[SafetyFinding, ...],
                      Relevance | None, tuple[Judgment, ...]]] = [
        (EvaluationStatus.JUDGE_FAILED, (), (), None, ()),
        (scored, (), (fail, fail, warn), None, ()),
        (scored, (claim(Verdict.NOT_FOUND), claim(Verdict.SUPPORTED)), (), on_topic, ()),
        (scored, (claim(Verdict.CONTRADICTED),), (warn,), None, steady),
        (scored, (), (fail,), None, ()),
        (scored, (claim(Verdict.SUPPORTED),), (warn,), off_topic, ()),
        (scored, (claim(Verdict.SUPPORTED),), (warn, warn), None, ()),
        (scored, (claim(Verdict.SUPPORTED),), (), on_topic, unstable),
        (scored, (claim(Verdict.SUPPORTED),), (), on_topic, steady),
    ]  # fmt: skip
    for answer, (status, claims, safety, relevance, judgments) in zip(
        store.answers(), kinds, strict=False
    ):
        store.add_evaluation(
            Evaluation(answer.id, "second", status, None, claims, safety, 9.0, 9.0,
                       relevance=relevance, judgments=judgments)
        )  # fmt: skip


def _concerned(store: Store) -> set[str]:
    """The answers the second judge raised a concern about in `_second_opinions` (not the
    7th: warnings only; not the 9th: steady repeats)."""
    ids = [a.id for a in store.answers()]
    return {ids[i] for i in (0, 1, 2, 3, 4, 5, 7)}


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
        second = [r for r in rows if r.answer_id in _concerned(store)]
        assert len(second) == 7 and all(r.flagged for r in second)
        ids = [a.id for a in store.answers()]
        assert store.review_rows(answer_ids=[ids[5]])[0].off_topic
        assert [r.answer_id for r in rows if r.unstable] == [ids[7]]  # not the steady 9th
        others = [r for r in rows if r.flagged and r not in second]  # the offline judges'
        assert all(r.off_topic or r.fails or r.not_found or r.contradicted for r in others)
        assert any(r.warned for r in rows)
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
            any(
                ev.safety_failed or ev.unsupported or ev.error or ev.off_topic or ev.unstable
                for ev in it.evaluations
            )
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
        clean = [i for i in queue.ids(QueueFilter.ALL) if not queue.row(i).fails]  # type: ignore[union-attr]
        first, second, third = clean[:3]  # approving a hard fail needs an override
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
    _before_012(db)
    db.execute("DELETE FROM migrations WHERE name = '006_evaluation_findings_for_review_queue'")
    db.commit()
    db.close()
    with SQLiteStore(tmp_path / "s.db") as store:
        after = {r.answer_id: (r.flagged, r.warned, r.risk) for r in store.review_rows()}
        concerned = _concerned(store)
    assert after == before and all(after[i][0] for i in concerned)


def _before_012(db: sqlite3.Connection) -> None:
    """Take migration 012's columns out, as a store made before it had none."""
    for column in ("precision", "verdicts", "id_precision", "id_recall", "reason", "judge"):
        db.execute(f"ALTER TABLE evaluations DROP COLUMN context_{column}")
    db.execute("DELETE FROM migrations WHERE name = '012_evaluation_context_and_queue_flags'")


def test_a_store_from_before_012_gets_its_off_topic_and_unstable_answers_flagged(
    tmp_path: Path, corpus: Corpus
) -> None:
    with _scored(tmp_path / "s.db", corpus) as store:
        _second_opinions(store)
        before = {r.answer_id: (r.flagged, r.warned, r.risk) for r in store.review_rows()}
        assert any(r.off_topic for r in store.review_rows())
    db = sqlite3.connect(tmp_path / "s.db")
    for column in ("off_topic", "unstable"):
        db.execute(f"ALTER TABLE evaluation_findings DROP COLUMN {column}")
    _before_012(db)
    db.commit()
    db.close()
    with SQLiteStore(tmp_path / "s.db") as store:
        rows = store.review_rows()
    assert {r.answer_id: (r.flagged, r.warned, r.risk) for r in rows} == before
    assert sum(r.unstable for r in rows) == 1 and sum(r.off_topic for r in rows) >= 1
