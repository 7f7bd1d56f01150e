"""The review queue: one SQL pass agrees with the evaluations, and stays in step with the log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workbench.data.datasets import Corpus, select_questions
from workbench.generation.offline import OfflineComposer
from workbench.models import Answer, Decision, Run
from workbench.review.decisions import edit_answer, record_decision
from workbench.review.desk import QueueFilter, ReviewDesk, ReviewQueue, flags
from workbench.runs.batch import generate_batch, score_batch
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import Store


def _scored(path: Path, corpus: Corpus) -> Store:
    store = Store(path)
    questions = select_questions(corpus, limit=6)
    for key in sorted(corpus.prompts):
        generate_batch(store, corpus, OfflineComposer(), key, questions, questions_source="t",
                       progress=False)  # fmt: skip
    score_batch(store, corpus, OfflineJudge(), progress=False)
    return store


def test_flagged_in_sql_is_flagged_in_python(tmp_path: Path, corpus: Corpus) -> None:
    with _scored(tmp_path / "s.db", corpus) as store:
        rows = store.review_rows()
        by_answer: dict[str, list] = {}
        for ev in store.evaluations():
            by_answer.setdefault(ev.answer_id, []).append(ev)
        assert len(rows) == 12 and all(r.scored for r in rows)
        assert {r.answer_id for r in rows if r.flagged} == {
            a for a, evs in by_answer.items() if flags(tuple(evs))
        }
        assert any(r.flagged for r in rows) and not all(r.flagged for r in rows)


def test_the_queue_follows_decisions_and_edits_by_anyone(tmp_path: Path, corpus: Corpus) -> None:
    with _scored(tmp_path / "s.db", corpus) as store:
        queue = ReviewQueue(store)
        first, second, third = queue.ids(QueueFilter.ALL)[:3]
        with Store(store.path) as other:  # another kernel
            record_decision(other, first, Decision.APPROVE, reviewer="A")
            record_decision(other, second, Decision.NEEDS_EDIT, reviewer="B", reason="long")
            new, _ = edit_answer(other, third, "Shorter text [x].", reviewer="B", reason="short")
        assert queue.counts()[QueueFilter.NOT_REVIEWED] == 12
        queue.sync()
        counts = queue.counts()
        assert counts[QueueFilter.APPROVED] == 1 and counts[QueueFilter.NEEDS_EDIT] == 1
        assert counts[QueueFilter.ALL] == 12 and counts[QueueFilter.NOT_REVIEWED] == 10
        assert queue.ids(QueueFilter.ALL)[2] == new.id  # the new version takes the old one's place
        assert queue.row(third) is None and queue.row(new.id).scored is False  # type: ignore[union-attr]


def test_an_edit_from_the_desk_is_scored_at_once(tmp_path: Path, corpus: Corpus) -> None:
    with _scored(tmp_path / "s.db", corpus) as store:
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
    with Store(tmp_path / "s.db") as store:
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
    with Store(tmp_path / "s.db") as store:
        db = sqlite3.connect(store.path)
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        done = {r[0] for r in db.execute("SELECT name FROM migrations")}
        db.close()
    assert "answers_parent" in names and "004_index_answers_parent_for_review_queue" in done
