"""The store, on both adapters: round trips, resumable batches, migrations, clear errors;
SQLite's WAL mode; locations naming an adapter."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.storekit import INTEGRITY_ERRORS, RawDB
from workbench.errors import ConfigError, StoreError
from workbench.models import (
    Answer,
    ClaimVerdict,
    ContextScores,
    Decision,
    Evaluation,
    EvaluationStatus,
    Run,
    SafetyFinding,
    Severity,
    Span,
    Verdict,
)
from workbench.review.decisions import verify_log
from workbench.store import SQLiteStore, Store, StoreKind, StoreLocation
from workbench.store.decision_log import (
    GENESIS,
    DecisionDraft,
    decision_content,
    decision_hash,
    text_sha256,
)
from workbench.store.migrations import MIGRATIONS, apply
from workbench.store.pg_migrations import PG_MIGRATIONS
from workbench.store.rows import answer_row, run_row
from workbench.workspace import Workspace

pytestmark = pytest.mark.adapters


def _open(location: str) -> Store:
    return Workspace.resolve(store=location).open_store(create=True)


def _answer(store: Store, qid: str = "q1") -> Answer:
    store.ensure_run(Run("r1", "p@v1", "offline", "m", "test"))
    answer = Answer(
        f"a-{qid}",
        "r1",
        qid,
        "p@v1",
        "offline",
        "m",
        "Text [e1] — ünïcode ✓.",
        ("e1",),
        ("e1", "e2"),
        {"k": 1, "temperature": 0.2},
        prompt_tokens=12,
        latency_s=0.1,
        cost_usd=0.000123456789,
    )
    store.add_answer(answer)
    return answer


def test_the_sqlite_store_runs_in_wal_mode(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "w.db") as store:
        mode = sqlite3.connect(store.location).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_the_location_picks_the_adapter(store: Store, store_kind: str) -> None:
    assert (
        type(store).__name__ == {"sqlite": "SQLiteStore", "postgresql": "PostgresStore"}[store_kind]
    )


def test_answers_and_evaluations_round_trip(store: Store) -> None:
    answer = _answer(store)
    assert store.answers() == [answer] and store.answer(answer.id) == answer
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
    assert store.evaluations() == [ev] and store.evaluations_of(answer.id) == [ev]
    assert store.scored_answer_ids("offline") == {answer.id}
    rescored = Evaluation(
        answer.id, "offline", EvaluationStatus.JUDGE_FAILED, None, (), (), None, None, "timeout"
    )
    store.add_evaluation(rescored)  # a re-score by the same judge replaces the first
    assert store.evaluations() == [rescored]
    context = ContextScores(0.8333, (1, 0, 1), 0.5, 1.0, "ragas: 2 of 3 ...", "ragas-context:m")
    failed = ContextScores(None, (), None, None, "ragas context precision failed: x", "c:m")
    for c in (context, failed):
        store.add_evaluation(replace(ev, judge="ragas:m", context=c))
        assert store.evaluations_of(answer.id)[-1].context == c
    assert store.runs() == [store.run("r1")] and store.run("r1").settings == {}


def test_answers_keep_their_order_and_filter_by_run(store: Store) -> None:
    store.ensure_run(Run("r1", "p@v1", "offline", "m", "test"))
    store.ensure_run(Run("r2", "p@v2", "offline", "m", "test"))
    ids = [f"a-{i:02d}" for i in (5, 1, 9, 3)]
    for i, aid in enumerate(ids):
        run = "r1" if i % 2 else "r2"
        store.add_answer(Answer(aid, run, f"q{i}", "p@v1", "offline", "m", "T.", (), ()))
    assert [a.id for a in store.answers()] == ids
    assert [a.id for a in store.answers(run_ids=["r1"])] == [ids[1], ids[3]]


def test_one_generated_answer_per_question_and_run(store: Store) -> None:
    _answer(store)
    with pytest.raises(INTEGRITY_ERRORS):
        _answer(store)
    assert store.answered_question_ids("r1") == {"q1"}


def test_missing_runs_and_answers_are_clear_store_errors(store: Store) -> None:
    with pytest.raises(StoreError, match="no run 'nope'"):
        store.run("nope")
    with pytest.raises(StoreError, match="no answer 'nope'"):
        store.answer("nope")


def test_reopening_applies_no_migration_twice_and_a_newer_store_is_refused(
    store_location: str,
) -> None:
    _open(store_location).close()
    _open(store_location).close()
    with RawDB(store_location) as db:
        done = [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY name")]
        assert done == [name for name, _ in MIGRATIONS]
        db.execute("INSERT INTO migrations VALUES ('999_from_the_future')")
    with pytest.raises(StoreError, match="newer workbench"):
        _open(store_location)


def test_both_adapters_know_the_same_migrations_in_the_same_order() -> None:
    assert list(PG_MIGRATIONS) == [name for name, _ in MIGRATIONS]


def _migrated_up_to(location: str, last: str) -> None:
    """A new store made by a workbench whose newest migration was `last`."""
    names = [name for name, _ in MIGRATIONS]
    done = names[: names.index(last) + 1]
    where = StoreLocation.parse(location)
    if where.kind is StoreKind.SQLITE:
        db = sqlite3.connect(where.path, isolation_level=None)
        db.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY)")
        for _, migration in MIGRATIONS[: len(done)]:
            apply(db, migration)
        db.close()
    else:
        with psycopg.connect(where.target, autocommit=True) as conn:
            conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY)")
            for name in done:
                if PG_MIGRATIONS[name].strip():
                    conn.execute(PG_MIGRATIONS[name])
    with RawDB(location) as db:
        for name in done:
            db.execute("INSERT INTO migrations VALUES (?)", (name,))


def _insert(db: RawDB, table: str, row: dict[str, Any]) -> None:
    marks = ", ".join("?" * len(row))
    db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", tuple(row.values()))


def _old_row(draft: DecisionDraft, answer: Answer, prev: str = GENESIS) -> dict[str, Any]:
    """A decision row as a workbench from before migration 007 wrote it (no binding)."""
    chained = {"answer_sha256": text_sha256(answer.text), "meaning": draft.decision.meaning}
    content = decision_content(draft, **chained, prev_hash=prev)
    return {**content, "hash": decision_hash(draft, **chained, prev_hash=prev)}


def test_a_store_from_before_the_mac_and_overrides_reads_its_decisions_read_only(
    store_location: str,
) -> None:
    _migrated_up_to(store_location, "004_index_answers_parent_for_review_queue")
    answer = Answer("a-1", "r1", "q1", "p@v1", "offline", "m", "Text [e1].", ("e1",), ("e1",))
    draft = DecisionDraft(
        "d-1", answer.id, "Dr. Ng", "ng", Decision.APPROVE, "", datetime(2026, 1, 2, tzinfo=UTC)
    )
    row = _old_row(draft, answer)
    with RawDB(store_location) as db:
        _insert(db, "runs", run_row(Run("r1", "p@v1", "offline", "m", "test")))
        _insert(db, "answers", answer_row(answer))
        _insert(db, "decision_log", {k: v for k, v in row.items() if k not in ("mac", "overrides")})
    with Workspace.resolve(store=store_location).open_store(read_only=True) as store:
        (decision,) = store.decisions()
        assert store.decisions_of(answer.id) == [decision] and store.answer(answer.id) == answer
        assert verify_log(store).ok
    assert (decision.id, decision.seq, decision.hash) == ("d-1", 1, row["hash"])
    assert decision.overrides == () and decision.mac is None


def test_a_file_that_is_not_a_store_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 50)
    with pytest.raises(StoreError, match=r"notes\.db: cannot open the store"):
        SQLiteStore(path)


def test_a_server_that_does_not_answer_is_one_clear_error() -> None:
    url = "postgresql://nobody:secret@127.0.0.1:1/workbench"
    with pytest.raises(StoreError, match="cannot open the store") as err:
        _open(url)
    assert "secret" not in str(err.value) and "nobody:***@127.0.0.1:1" in str(err.value)


@pytest.mark.parametrize(
    ("value", "kind", "target"),
    [
        ("workbench.db", StoreKind.SQLITE, "workbench.db"),
        ("sqlite:///rel/w.db", StoreKind.SQLITE, "rel/w.db"),
        ("sqlite:////abs/w.db", StoreKind.SQLITE, "/abs/w.db"),
        ("postgresql://rev@db.example/wb", StoreKind.POSTGRESQL, "postgresql://rev@db.example/wb"),
        ("postgres://rev@db/wb?sslmode=require", StoreKind.POSTGRESQL, None),
    ],
)
def test_a_location_names_its_adapter(value: str, kind: StoreKind, target: str | None) -> None:
    location = StoreLocation.parse(value)
    assert location.kind is kind and location.target == (target or value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mysql://x@h/db", "unknown kind 'mysql'"),
        ("postgresql://x@h", "name the database"),
        ("sqlite://w.db", "sqlite:///relative"),
        ("postgresql://x:pw@h:notaport/db", "x:\\*\\*\\*@h"),
    ],
)
def test_a_bad_location_is_one_clear_error(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        StoreLocation.parse(value)
    assert ":pw@" not in str(err.value)


def test_the_call_cache_stays_a_local_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    beside = Workspace.resolve(store=tmp_path / "s" / "w.db").cache_path
    assert beside == tmp_path / "s" / ".workbench" / "llm-cache.sqlite"
    team = Workspace.resolve(store="postgresql://rev@db/wb").cache_path
    assert team == tmp_path / ".workbench" / "llm-cache.sqlite"  # the project folder
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "mine.sqlite"))
    assert Workspace.resolve(store="postgresql://rev@db/wb").cache_path == tmp_path / "mine.sqlite"


def test_the_review_server_hands_a_database_url_to_the_panel_as_is() -> None:
    from workbench.cli.review_server import voila_command

    url = "postgresql://dr.ng@db.example/wb?sslmode=require"
    _, env = voila_command(StoreLocation.parse(url), port=8866, open_browser=False, environ={})
    assert env["WORKBENCH_STORE"] == url
