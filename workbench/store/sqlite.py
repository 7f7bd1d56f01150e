"""The SQLite adapter: a SQLite database (the file and, in WAL mode, its `-wal` and `-shm`
companions) holding runs, answers, evaluations and review decisions.

WAL mode, and every write in its own `BEGIN IMMEDIATE` transaction, so two kernels or a
kernel and the CLI can write at once without "database is locked". The schema grows by
small, named, ordered migrations recorded in `migrations`. Review decisions are
append-only: triggers refuse UPDATE and DELETE on them. A store opened read-only (for
verify, report and export, and on read-only media) never writes, not even a migration;
`create=False` refuses a path with no store instead of making an empty one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from workbench.errors import ReviewError, StoreError
from workbench.models import Answer, Evaluation, ReviewDecision, Run
from workbench.store.base import ReviewRow, Store
from workbench.store.decision_log import GENESIS, DecisionDraft
from workbench.store.keys import LAST_KEYED_SQL, key_for_append, load_log_key
from workbench.store.migrations import MIGRATIONS, apply
from workbench.store.rows import (
    answer_from_row,
    answer_row,
    decision_from_row,
    decision_row,
    evaluation_from_row,
    evaluation_row,
    findings_row,
    recorded_decision_row,
    review_row,
    run_from_row,
    run_row,
)
from workbench.store.sqlite_files import connect_read_only, connect_wal, store_error

__all__ = ["SQLiteStore"]


def _insert(
    db: sqlite3.Connection, table: str, row: dict[str, Any], verb: str = "INSERT"
) -> sqlite3.Cursor:
    """Insert one row by column name, so no statement depends on a migration's column order."""
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    return db.execute(f"{verb} INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


class SQLiteStore(Store):
    """Runs, answers, evaluations and decisions in one SQLite database.

    `create=False` raises "no store at PATH" rather than making an empty store;
    `read_only=True` opens it without writing anything (and on read-only media);
    `check_pages=True` runs SQLite's quick check first, so a damaged store is one clear
    error before anything is read from it. `log_key` signs each new decision's hash
    (HMAC-SHA256); by default ("env") it is looked for where `workbench.store.keys`
    says, and made in the user's config folder at the first decision on a log without
    MACs; None records no MAC (and refuses a decision on a keyed log). A zero-byte file
    is not a store.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        create: bool = True,
        read_only: bool = False,
        check_pages: bool = False,
        log_key: bytes | Literal["env"] | None = "env",
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.log_key = load_log_key() if log_key == "env" else log_key
        self._makes_key = log_key == "env"  # no key in reach: the first decision makes one
        if self.path.is_file() and self.path.stat().st_size == 0:
            raise StoreError(
                f"{self.path} is an empty file, not a store: give the store's path, or remove "
                "the file to make a new store there"
            )
        if not create and not self.path.is_file():
            raise StoreError(
                f"no store at {self.path}: check --store or $WORKBENCH_STORE "
                "(`workbench generate` or `workbench demo` makes one)"
            )
        if read_only:
            self._db = connect_read_only(self.path, "store")
        else:
            self._db = connect_wal(self.path, "store")
        self._db.row_factory = sqlite3.Row
        if check_pages:
            problems = self.integrity_problems(quick=True)
            if problems:
                self._db.close()
                raise StoreError(
                    f"{self.path}: the store is damaged ({problems[0]}): `workbench verify "
                    f"--store {self.path}` names the damaged pages; restore it from a "
                    "`workbench backup` copy"
                )
        if read_only:
            self._check_schema()
        else:
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()

    @property
    def location(self) -> str:
        """The file's path."""
        return str(self.path)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _newer(self, done: set[str]) -> None:
        known = {name for name, _ in MIGRATIONS}
        if done - known:
            raise StoreError(
                f"{self.path} was written by a newer workbench (migrations "
                f"{sorted(done - known)}); upgrade the workbench to open it"
            )

    def _check_schema(self) -> None:
        """A read-only store: refuse what is not a store, or one from a newer workbench."""
        found = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
        ).fetchone()
        if found is None:
            self._db.close()
            raise StoreError(f"{self.path}: not a workbench store (it has no migrations table)")
        self._newer({r[0] for r in self._db.execute("SELECT name FROM migrations")})

    def _migrate(self) -> None:
        with self._write() as db:
            db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY)")
            done = {r[0] for r in db.execute("SELECT name FROM migrations")}
            self._newer(done)
            for name, migration in MIGRATIONS:
                if name not in done:
                    apply(db, migration)
                    db.execute("INSERT INTO migrations(name) VALUES (?)", (name,))

    # runs and answers
    def ensure_run(self, run: Run) -> Run:
        """Record a run unless one with its id exists; return the stored run."""
        with self._write() as db:
            _insert(db, "runs", run_row(run), "INSERT OR IGNORE")
        return self.run(run.id)

    def run(self, run_id: str) -> Run:
        """The run with this id."""
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no run {run_id!r}; `workbench runs` lists them")
        return run_from_row(row)

    def runs(self) -> list[Run]:
        """All runs, oldest first."""
        rows = self._db.execute("SELECT * FROM runs ORDER BY created_at, id")
        return [run_from_row(r) for r in rows]

    def answered_question_ids(self, run_id: str) -> set[str]:
        """Questions that already have a generated answer in this run (for resuming)."""
        rows = self._db.execute(
            "SELECT question_id FROM answers WHERE run_id = ? AND parent_id IS NULL", (run_id,)
        )
        return {r[0] for r in rows}

    def add_answer(self, answer: Answer) -> None:
        """Store one answer, in its own transaction, so a crash loses at most the current one."""
        with self._write() as db:
            _insert(db, "answers", answer_row(answer))

    def answers(self, *, run_ids: Sequence[str] | None = None) -> list[Answer]:
        """Answers, optionally of some runs, in the order they were made."""
        sql, args = "SELECT * FROM answers", tuple[str, ...]()
        if run_ids is not None:
            sql += f" WHERE run_id IN ({','.join('?' * len(run_ids))})"
            args = tuple(run_ids)
        return [answer_from_row(r) for r in self._db.execute(sql + " ORDER BY rowid", args)]

    # evaluations
    def add_evaluation(self, ev: Evaluation) -> None:
        """Store an evaluation; a re-score by the same judge replaces the earlier one."""
        with self._write() as db:
            _insert(db, "evaluations", evaluation_row(ev), "INSERT OR REPLACE")
            _insert(db, "evaluation_findings", findings_row(ev), "INSERT OR REPLACE")

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
        return [evaluation_from_row(r) for r in self._db.execute(sql + " ORDER BY a.rowid", args)]

    # review decisions
    def answer(self, answer_id: str) -> Answer:
        """The answer version with this id."""
        row = self._db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no answer {answer_id!r}")
        return answer_from_row(row)

    def newer_version_of(self, answer_id: str) -> str | None:
        """The id of the version made from this answer by an edit, if any."""
        row = self._db.execute(
            "SELECT id FROM answers WHERE parent_id = ? ORDER BY rowid LIMIT 1", (answer_id,)
        ).fetchone()
        return str(row[0]) if row else None

    def append_decision(
        self, draft: DecisionDraft, *, new_answer: Answer | None = None
    ) -> ReviewDecision:
        """Append a decision to the log, chained to the last one, in one transaction.

        The answer is read from the store inside the transaction, so the decision binds
        the exact text, question, prompt version, run and citations decided on. An edit
        stores its new answer version in the same transaction. A keyed log takes the
        decision only under its key (`workbench.store.keys`). The store's triggers refuse
        what the rules forbid.
        """
        with self._write() as db:
            found = db.execute("SELECT * FROM answers WHERE id = ?", (draft.answer_id,)).fetchone()
            if found is None:
                raise StoreError(f"{self.path}: no answer {draft.answer_id!r}")
            self.log_key = key_for_append(
                self.log_key,
                db.execute(LAST_KEYED_SQL).fetchone(),
                may_create=self._makes_key,
                where=str(self.path),
            )
            if new_answer is not None:
                _insert(db, "answers", answer_row(new_answer))
            tail = db.execute("SELECT hash FROM decision_log ORDER BY seq DESC LIMIT 1")
            last = tail.fetchone()
            row = decision_row(
                draft,
                answer=answer_from_row(found),
                prev_hash=last[0] if last else GENESIS,
                log_key=self.log_key,
            )
            seq = self._append_row(db, row, draft.answer_id)
        return self.decisions(since_seq=(seq or 1) - 1, limit=1)[0]

    def copy_decision(
        self, decision: ReviewDecision, *, new_answer: Answer | None = None
    ) -> ReviewDecision:
        """Append a decision recorded elsewhere as it was; the triggers check its link."""
        with self._write() as db:
            if new_answer is not None:
                _insert(db, "answers", answer_row(new_answer))
            self._append_row(db, recorded_decision_row(decision), decision.answer_id)
        return self.decisions(since_seq=decision.seq - 1, limit=1)[0]

    @staticmethod
    def _append_row(db: sqlite3.Connection, row: dict[str, Any], answer_id: str) -> int | None:
        try:
            return _insert(db, "decision_log", row).lastrowid
        except sqlite3.IntegrityError as exc:  # a trigger or a check refused it
            raise ReviewError(f"the store refused the decision on {answer_id}: {exc}") from exc

    def decisions(self, *, since_seq: int = 0, limit: int | None = None) -> list[ReviewDecision]:
        """Decisions in log order, after `since_seq`."""
        sql = "SELECT * FROM decision_log WHERE seq > ? ORDER BY seq"
        args: tuple[int, ...] = (since_seq,)
        if limit is not None:
            sql, args = sql + " LIMIT ?", (since_seq, limit)
        return [decision_from_row(r) for r in self._db.execute(sql, args)]

    # the review queue: a few indexed queries, so a desk over 10,000 answers stays quick
    def review_rows(self, *, answer_ids: Sequence[str] | None = None) -> list[ReviewRow]:
        """Each latest answer version (none edited from it) with its review standing.

        What its evaluations found (the most any one judge found: fail and warn findings,
        contradicted and not-found claims, a judge that failed) and its latest decision,
        if any. In answer order.
        """
        sql = _REVIEW_ROWS
        args: tuple[str, ...] = ()
        if answer_ids is not None:
            sql += f" AND a.id IN ({','.join('?' * len(answer_ids))})"
            args = tuple(answer_ids)
        rows = self._db.execute(sql + " ORDER BY a.rowid", args)
        return [review_row(r) for r in rows]

    def decision_count(self, *, reviewer: str, since: datetime) -> int:
        """How many decisions `reviewer` signed since `since` (edits included)."""
        (n,) = self._db.execute(
            "SELECT COUNT(*) FROM decision_log WHERE reviewer = ? AND created_at >= ?",
            (reviewer, since.astimezone(UTC).isoformat()),
        ).fetchone()
        return int(n)

    def evaluations_of(self, answer_id: str) -> list[Evaluation]:
        """The evaluations of one answer version, one per judge."""
        rows = self._db.execute(
            "SELECT * FROM evaluations WHERE answer_id = ? ORDER BY judge", (answer_id,)
        )
        return [evaluation_from_row(r) for r in rows]

    def decisions_of(self, answer_id: str) -> list[ReviewDecision]:
        """The decisions on one answer version, in log order."""
        rows = self._db.execute(
            "SELECT * FROM decision_log WHERE answer_id = ? ORDER BY seq", (answer_id,)
        )
        return [decision_from_row(r) for r in rows]

    def decision_counter(self) -> int | None:
        """How many decisions the store has ever numbered (SQLite's autoincrement counter),
        kept apart from the rows, so a removed tail shows; None when it has none."""
        row = self._db.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'decision_log'"
        ).fetchone()
        return int(row[0]) if row else None

    def integrity_problems(self, *, quick: bool = False, limit: int = 20) -> list[str]:
        """What SQLite's integrity check (or quick check) finds wrong; [] when sound."""
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = [str(r[0]) for r in self._db.execute(f"PRAGMA {pragma}({int(limit)})")]
        except StoreError as exc:
            return [str(exc.__cause__ or exc)]
        return [] if rows == ["ok"] else rows

    def checkpoint(self) -> None:
        """Move what the `-wal` file holds into the database file."""
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def backup(self, dest: Path) -> None:
        """Copy the store to `dest` through SQLite's online backup API.

        Safe while others write: the copy is one consistent snapshot holding every
        committed transaction, including those still only in the `-wal` file.
        """
        if dest.exists():
            raise StoreError(f"{dest} exists: give a new file for the backup")
        tmp = dest.with_name(f".{dest.name}.partial")
        try:
            target = sqlite3.connect(tmp)
        except sqlite3.Error as exc:
            raise StoreError(f"{dest}: cannot write the backup ({exc})") from exc
        try:
            self._db.backup(target)
            target.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as exc:
            target.close()
            tmp.unlink(missing_ok=True)
            raise store_error(self.path, "store", exc) from exc
        target.close()
        try:
            tmp.rename(dest)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"{dest}: cannot write the backup ({exc.strerror})") from exc

    def last_decision_seq(self) -> int:
        """The sequence number of the newest decision in the log (0 when empty)."""
        (seq,) = self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM decision_log").fetchone()
        return int(seq)


# Per evaluation of the answer, "judge_failed,fails,warnings,contradicted,not_found,
# off_topic,unstable", joined with ";" (the row takes the most of each).
_REVIEW_ROWS = """
SELECT a.id, a.question_id, a.prompt_key,
    (SELECT group_concat(f.judge_failed || ',' || f.fails || ',' || f.warnings || ','
                         || f.contradicted || ',' || f.not_found || ',' || f.off_topic || ','
                         || f.unstable, ';')
     FROM evaluation_findings f WHERE f.answer_id = a.id) AS found,
    (SELECT d.decision FROM decision_log d WHERE d.answer_id = a.id
     ORDER BY d.seq DESC LIMIT 1) AS decision
FROM answers a
WHERE NOT EXISTS (SELECT 1 FROM answers c WHERE c.parent_id = a.id)
"""
