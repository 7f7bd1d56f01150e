"""The store: one SQLite file holding runs, answers, evaluations and review decisions.

WAL mode, and every write in its own `BEGIN IMMEDIATE` transaction, so two kernels or a
kernel and the CLI can write at once without "database is locked". The schema grows by
small, named, ordered migrations recorded in `migrations`. Review decisions are
append-only: triggers refuse UPDATE and DELETE on them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.errors import StoreError
from workbench.models import (
    Answer,
    Decision,
    Evaluation,
    EvaluationStatus,
    ReviewDecision,
    Run,
)
from workbench.serialize import (
    finding_from_dict,
    finding_to_dict,
    verdict_from_dict,
    verdict_to_dict,
)

__all__ = ["Store"]

_MIGRATIONS: list[tuple[str, str]] = [
    (
        "001_runs_answers_evaluations",
        """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY, prompt_key TEXT NOT NULL, backend TEXT NOT NULL,
            model TEXT NOT NULL, questions_source TEXT NOT NULL, settings TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE answers (
            id TEXT PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id),
            question_id TEXT NOT NULL, prompt_key TEXT NOT NULL, backend TEXT NOT NULL,
            model TEXT NOT NULL, text TEXT NOT NULL, cited_ids TEXT NOT NULL,
            retrieved_ids TEXT NOT NULL, settings TEXT NOT NULL, prompt_tokens INTEGER,
            completion_tokens INTEGER, latency_s REAL, cost_usd REAL, created_at TEXT NOT NULL,
            parent_id TEXT REFERENCES answers(id));
        CREATE UNIQUE INDEX answers_one_per_question ON answers(run_id, question_id)
            WHERE parent_id IS NULL;
        CREATE TABLE evaluations (
            answer_id TEXT NOT NULL REFERENCES answers(id), judge TEXT NOT NULL,
            status TEXT NOT NULL, faithfulness REAL, claims TEXT NOT NULL,
            safety TEXT NOT NULL, fk_grade REAL, smog REAL, error TEXT,
            excerpt_versions TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (answer_id, judge));
        """,
    ),
    (
        "002_review_decisions_append_only",
        """
        CREATE TABLE review_decisions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
            answer_id TEXT NOT NULL REFERENCES answers(id), reviewer TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'needs_edit')),
            reason TEXT NOT NULL, edited_answer_id TEXT REFERENCES answers(id),
            created_at TEXT NOT NULL,
            CHECK (decision = 'approve' OR length(trim(reason)) > 0));
        CREATE TRIGGER review_decisions_no_update BEFORE UPDATE ON review_decisions
            BEGIN SELECT RAISE(ABORT, 'review decisions are append-only'); END;
        CREATE TRIGGER review_decisions_no_delete BEFORE DELETE ON review_decisions
            BEGIN SELECT RAISE(ABORT, 'review decisions are append-only'); END;
        """,
    ),
]


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class Store:
    """Runs, answers, evaluations and decisions in one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from exc
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.execute("PRAGMA busy_timeout=30000")
        self._migrate()

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)")
            done = {r[0] for r in db.execute("SELECT name FROM migrations")}
            known = {name for name, _ in _MIGRATIONS}
            if done - known:
                raise StoreError(
                    f"{self.path} was written by a newer workbench (migrations "
                    f"{sorted(done - known)}); upgrade the workbench to open it"
                )
            for name, sql in _MIGRATIONS:
                if name not in done:
                    for statement in _statements(sql):
                        db.execute(statement)
                    db.execute("INSERT INTO migrations(name) VALUES (?)", (name,))

    # runs and answers
    def ensure_run(self, run: Run) -> Run:
        """Record a run unless one with its id exists; return the stored run."""
        with self._write() as db:
            db.execute(
                "INSERT OR IGNORE INTO runs VALUES (?,?,?,?,?,?,?)",
                (
                    run.id,
                    run.prompt_key,
                    run.backend,
                    run.model,
                    run.questions_source,
                    _dumps(run.settings),
                    run.created_at.isoformat(),
                ),
            )
        return self.run(run.id)

    def run(self, run_id: str) -> Run:
        """The run with this id."""
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id!r}; `workbench runs` lists them")
        return _run(row)

    def runs(self) -> list[Run]:
        """All runs, oldest first."""
        return [_run(r) for r in self._db.execute("SELECT * FROM runs ORDER BY created_at, id")]

    def answered_question_ids(self, run_id: str) -> set[str]:
        """Questions that already have a generated answer in this run (for resuming)."""
        rows = self._db.execute(
            "SELECT question_id FROM answers WHERE run_id = ? AND parent_id IS NULL", (run_id,)
        )
        return {r[0] for r in rows}

    def add_answer(self, answer: Answer) -> None:
        """Store one answer, in its own transaction, so a crash loses at most the current one."""
        with self._write() as db:
            db.execute(
                "INSERT INTO answers VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    answer.id,
                    answer.run_id,
                    answer.question_id,
                    answer.prompt_key,
                    answer.backend,
                    answer.model,
                    answer.text,
                    _dumps(list(answer.cited_ids)),
                    _dumps(list(answer.retrieved_ids)),
                    _dumps(answer.settings),
                    answer.prompt_tokens,
                    answer.completion_tokens,
                    answer.latency_s,
                    answer.cost_usd,
                    answer.created_at.isoformat(),
                    answer.parent_id,
                ),
            )

    def answers(self, *, run_ids: Sequence[str] | None = None) -> list[Answer]:
        """Answers, optionally of some runs, in the order they were made."""
        sql, args = "SELECT * FROM answers", tuple[str, ...]()
        if run_ids is not None:
            sql += f" WHERE run_id IN ({','.join('?' * len(run_ids))})"
            args = tuple(run_ids)
        return [_answer(r) for r in self._db.execute(sql + " ORDER BY rowid", args)]

    # evaluations
    def add_evaluation(self, ev: Evaluation) -> None:
        """Store an evaluation; a re-score by the same judge replaces the earlier one."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO evaluations VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    ev.answer_id,
                    ev.judge,
                    ev.status.value,
                    ev.faithfulness,
                    _dumps([verdict_to_dict(c) for c in ev.claims]),
                    _dumps([finding_to_dict(f) for f in ev.safety]),
                    ev.fk_grade,
                    ev.smog,
                    ev.error,
                    _dumps(ev.excerpt_versions),
                    ev.created_at.isoformat(),
                ),
            )

    def scored_answer_ids(self, judge: str) -> set[str]:
        """Answers this judge has already evaluated (for resuming a scoring batch)."""
        rows = self._db.execute("SELECT answer_id FROM evaluations WHERE judge = ?", (judge,))
        return {r[0] for r in rows}

    def evaluations(self, *, judge: str | None = None) -> list[Evaluation]:
        """Evaluations, optionally of one judge, in the order of their answers."""
        sql = "SELECT e.* FROM evaluations e JOIN answers a ON a.id = e.answer_id"
        args: tuple[str, ...] = ()
        if judge is not None:
            sql, args = sql + " WHERE e.judge = ?", (judge,)
        return [_evaluation(r) for r in self._db.execute(sql + " ORDER BY a.rowid", args)]

    # review decisions
    def add_decision(self, decision: ReviewDecision) -> None:
        """Append a review decision."""
        with self._write() as db:
            db.execute(
                "INSERT INTO review_decisions(id, answer_id, reviewer, decision, reason, "
                "edited_answer_id, created_at) VALUES (?,?,?,?,?,?,?)",
                (
                    decision.id,
                    decision.answer_id,
                    decision.reviewer,
                    decision.decision.value,
                    decision.reason,
                    decision.edited_answer_id,
                    decision.created_at.isoformat(),
                ),
            )

    def latest_decisions(self) -> dict[str, ReviewDecision]:
        """The latest decision per answer id."""
        out: dict[str, ReviewDecision] = {}
        for r in self._db.execute("SELECT * FROM review_decisions ORDER BY seq"):
            out[r["answer_id"]] = ReviewDecision(
                r["id"],
                r["answer_id"],
                r["reviewer"],
                Decision(r["decision"]),
                r["reason"],
                datetime.fromisoformat(r["created_at"]),
                r["edited_answer_id"],
            )
        return out


def _statements(sql: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    out: list[str] = []
    buf = ""
    for piece in sql.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n;"):
                out.append(buf.strip())
            buf = ""
    return out


def _run(r: sqlite3.Row) -> Run:
    return Run(
        r["id"],
        r["prompt_key"],
        r["backend"],
        r["model"],
        r["questions_source"],
        json.loads(r["settings"]),
        datetime.fromisoformat(r["created_at"]),
    )


def _answer(r: sqlite3.Row) -> Answer:
    return Answer(
        id=r["id"],
        run_id=r["run_id"],
        question_id=r["question_id"],
        prompt_key=r["prompt_key"],
        backend=r["backend"],
        model=r["model"],
        text=r["text"],
        cited_ids=tuple(json.loads(r["cited_ids"])),
        retrieved_ids=tuple(json.loads(r["retrieved_ids"])),
        settings=json.loads(r["settings"]),
        prompt_tokens=r["prompt_tokens"],
        completion_tokens=r["completion_tokens"],
        latency_s=r["latency_s"],
        cost_usd=r["cost_usd"],
        created_at=datetime.fromisoformat(r["created_at"]),
        parent_id=r["parent_id"],
    )


def _evaluation(r: sqlite3.Row) -> Evaluation:
    return Evaluation(
        answer_id=r["answer_id"],
        judge=r["judge"],
        status=EvaluationStatus(r["status"]),
        faithfulness=r["faithfulness"],
        claims=tuple(verdict_from_dict(d) for d in json.loads(r["claims"])),
        safety=tuple(finding_from_dict(d) for d in json.loads(r["safety"])),
        fk_grade=r["fk_grade"],
        smog=r["smog"],
        error=r["error"],
        excerpt_versions=json.loads(r["excerpt_versions"]),
        created_at=datetime.fromisoformat(r["created_at"]),
    )
