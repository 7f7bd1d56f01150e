"""The SQLite store: WAL, round trips, resumable batches, append-only decisions, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from workbench.errors import StoreError
from workbench.models import (
    Answer,
    ClaimVerdict,
    Evaluation,
    EvaluationStatus,
    Run,
    SafetyFinding,
    Severity,
    Span,
    Verdict,
)
from workbench.store import Store
from workbench.store.migrations import MIGRATIONS


def _answer(store: Store, qid: str = "q1") -> Answer:
    store.ensure_run(Run("r1", "p@v1", "offline", "m", "test"))
    answer = Answer(
        f"a-{qid}",
        "r1",
        qid,
        "p@v1",
        "offline",
        "m",
        "Text [e1].",
        ("e1",),
        ("e1", "e2"),
        {"k": 1},
        latency_s=0.1,
    )
    store.add_answer(answer)
    return answer


def test_the_store_runs_in_wal_mode(store: Store) -> None:
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_answers_and_evaluations_round_trip(store: Store) -> None:
    answer = _answer(store)
    assert store.answers() == [answer]
    ev = Evaluation(
        answer.id,
        "offline",
        EvaluationStatus.SCORED,
        0.5,
        (
            ClaimVerdict(
                "Text", Span(0, 4), Verdict.CONTRADICTED, "why", "e1", "Ev.", "offline", 0.9
            ),
        ),
        (SafetyFinding("missing-disclaimer", Severity.WARN, "m", "h"),),
        7.5,
        9.1,
        excerpt_versions={"e1": "v1:0123456789ab"},
    )
    store.add_evaluation(ev)
    assert store.evaluations() == [ev]
    assert store.scored_answer_ids("offline") == {answer.id}


def test_one_generated_answer_per_question_and_run(store: Store) -> None:
    _answer(store)
    with pytest.raises(sqlite3.IntegrityError):
        _answer(store)
    assert store.answered_question_ids("r1") == {"q1"}


def test_reopening_applies_no_migration_twice_and_a_newer_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(MIGRATIONS)
    db.execute("INSERT INTO migrations VALUES ('999_from_the_future')")
    db.commit()
    with pytest.raises(StoreError, match="newer workbench"):
        Store(path)


def test_a_file_that_is_not_a_store_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 50)
    with pytest.raises(StoreError, match=r"notes\.db: cannot open the store"):
        Store(path)
