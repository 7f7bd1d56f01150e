"""Migrations already released never change: a store that applied one keeps what it made.

Each migration's SQL, on each dialect, is pinned by its SHA-256 as it was released. A
change to the schema is a new migration (and a new line here), never an edit of an old
one, also when its text is assembled from shared pieces (`DECISION_LOG_COLUMNS`).
"""

from __future__ import annotations

import hashlib
import sqlite3

from workbench.store.migrations import MIGRATIONS, apply
from workbench.store.pg_migrations import PG_MIGRATIONS

# The first 16 hex digits of the SHA-256 of what each migration runs.
RELEASED = {
    "001_runs_answers_evaluations": ("501937d8d3fbb09a", "4d8304c66fc9b08d"),
    "002_review_decisions_append_only": ("1728de9f7e1a40ca", "e3b0c44298fc1c14"),
    "003_decision_log_hash_chained": ("ceb21091406772b9", "a2a523b52dd01d11"),
    "004_index_answers_parent_for_review_queue": ("2c0c508c8679552d", "2c0c508c8679552d"),
    "005_decision_log_mac_and_safety_overrides": ("9b3ac33f1f2e3931", "122d7ee6dc9c2cd7"),
    "006_evaluation_findings_for_review_queue": ("d60096740cd24497", "47048bc4b2cae49a"),
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def test_no_released_sqlite_migration_runs_other_sql() -> None:
    db = sqlite3.connect(":memory:", isolation_level=None)
    ran: dict[str, str] = {}
    for name, migration in MIGRATIONS:  # each on the schema the ones before it made
        statements: list[str] = []
        db.set_trace_callback(statements.append)  # the SQL a function-migration runs, too
        apply(db, migration)
        db.set_trace_callback(None)
        ran[name] = _digest("\n".join(statements))
    db.close()
    assert {name: ran[name] for name in RELEASED} == {n: s for n, (s, _) in RELEASED.items()}


def test_no_released_postgresql_migration_has_other_text() -> None:
    released = {name: _digest(PG_MIGRATIONS[name]) for name in RELEASED}
    assert released == {name: pg for name, (_, pg) in RELEASED.items()}
