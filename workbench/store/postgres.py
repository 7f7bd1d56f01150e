"""The PostgreSQL adapter: the same store on a database server, for a team.

psycopg 3 with its connection pool: a kernel, a job runner or the review app keeps a
few connections open and each call borrows one: a read is one statement (one round
trip), a write one transaction (committed when the call returns, rolled back when it
raises). The schema is made by the same named, ordered
migrations as SQLite's (`pg_migrations` holds each one's dialect), under an advisory lock
so that two processes opening a new store at once do not both migrate it.

Appending a decision takes the chain's advisory lock before it reads the last hash, so
any number of writers append one at a time and every row links to the one before; the
insert trigger takes the same lock and checks the link, the rules and the order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from workbench.errors import ReviewError, StoreError
from workbench.models import Answer, Evaluation, ReviewDecision, Run
from workbench.store.base import ReviewRow, Store
from workbench.store.decision_log import GENESIS, DecisionDraft
from workbench.store.keys import LAST_KEYED_SQL, key_for_append, load_log_key
from workbench.store.location import StoreKind, StoreLocation
from workbench.store.migrations import MIGRATIONS
from workbench.store.pg_migrations import CHAIN_LOCK, MIGRATION_LOCK, PG_MIGRATIONS
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

__all__ = ["PostgresStore"]

Conn = psycopg.Connection[Any]
CONNECT_TIMEOUT_S = 10


def _insert(conn: Conn, table: str, row: dict[str, Any], tail: str = "") -> psycopg.Cursor[Any]:
    """Insert one row by column name (`tail`: an ON CONFLICT or RETURNING clause)."""
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) {}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, row)),
        sql.SQL(", ").join(sql.Placeholder() * len(row)),
        sql.SQL(tail),  # our own constant clauses only
    )
    return conn.execute(query, tuple(row.values()))


def _problem(exc: psycopg.Error) -> str:
    """The server's one-line message (without the PL/pgSQL context lines)."""
    return exc.diag.message_primary or str(exc).splitlines()[0]


class PostgresStore(Store):
    """Runs, answers, evaluations and decisions in one PostgreSQL database."""

    def __init__(
        self,
        url: str,
        *,
        create: bool = True,
        read_only: bool = False,
        log_key: bytes | Literal["env"] | None = "env",
        max_connections: int = 4,
    ) -> None:
        self.url = url
        self.read_only = read_only
        self.log_key = load_log_key() if log_key == "env" else log_key
        self._makes_key = log_key == "env"  # no key in reach: the first decision makes one
        self._shown = str(StoreLocation(StoreKind.POSTGRESQL, url))
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                found = conn.execute("SELECT to_regclass('migrations') IS NOT NULL").fetchone()
                if not (found and found[0]) and (read_only or not create):
                    raise StoreError(
                        f"no store at {self._shown}: check --store or $WORKBENCH_STORE "
                        "(`workbench generate` or `workbench demo` makes one)"
                    )
                if read_only:
                    self._pending({r[0] for r in conn.execute("SELECT name FROM migrations")})
                else:
                    conn.rollback()
                    self._migrate(conn)
        except psycopg.Error as exc:
            raise StoreError(f"{self._shown}: cannot open the store ({_problem(exc)})") from exc
        # A read is one statement and one round trip; a write is its own transaction.
        kwargs: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S, "autocommit": True}
        if read_only:  # the server itself refuses every write on these connections
            kwargs["options"] = "-c default_transaction_read_only=on"
        self._pool: ConnectionPool[Conn] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_connections,
            kwargs=kwargs,
            name="workbench-store",
            open=True,
        )

    @property
    def location(self) -> str:
        """The connection URL, its password masked."""
        return self._shown

    def close(self) -> None:
        """Close the pool's connections."""
        self._pool.close()

    @contextmanager
    def _conn(self) -> Iterator[Conn]:
        """One pooled connection (in autocommit mode) for one call."""
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, PoolTimeout) as exc:
            raise StoreError(f"{self._shown}: the database did not answer ({exc})") from exc

    @contextmanager
    def _tx(self) -> Iterator[Conn]:
        """One pooled connection for one transaction: committed on return, else rolled back."""
        with self._conn() as conn, conn.transaction():
            yield conn

    def _rows(self, query: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The rows of one read (a single statement: its own consistent snapshot)."""
        with self._conn() as conn, conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(query, args).fetchall()

    def _migrate(self, conn: Conn) -> None:
        step = "the migrations table"
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                found = conn.execute("SELECT to_regclass('migrations') IS NOT NULL").fetchone()
                if not (found and found[0]):
                    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY)")
                done = {r[0] for r in conn.execute("SELECT name FROM migrations")}
                for name in self._pending(done):
                    step = f"migration {name}"
                    if PG_MIGRATIONS[name].strip():
                        conn.execute(PG_MIGRATIONS[name])
                    conn.execute("INSERT INTO migrations(name) VALUES (%s)", (name,))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"{self._shown}: the store needs {step}, which this role may not make "
                f"({_problem(exc)}); open it once as the role that owns the store"
            ) from exc

    def _pending(self, done: set[str]) -> list[str]:
        known = [name for name, _ in MIGRATIONS]
        if done - set(known):
            raise StoreError(
                f"{self._shown} was written by a newer workbench (migrations "
                f"{sorted(done - set(known))}); upgrade the workbench to open it"
            )
        missing = [name for name in known if name not in PG_MIGRATIONS]
        if missing:
            raise StoreError(f"migrations {missing} have no PostgreSQL dialect")
        return [name for name in known if name not in done]

    # runs and answers
    def ensure_run(self, run: Run) -> Run:
        """Record a run unless one with its id exists; return the stored run."""
        with self._tx() as conn:
            _insert(conn, "runs", run_row(run), "ON CONFLICT (id) DO NOTHING")
        return self.run(run.id)

    def run(self, run_id: str) -> Run:
        """The run with this id."""
        rows = self._rows("SELECT * FROM runs WHERE id = %s", (run_id,))
        if not rows:
            raise StoreError(f"{self._shown}: no run {run_id!r}; `workbench runs` lists them")
        return run_from_row(rows[0])

    def runs(self) -> list[Run]:
        """All runs, oldest first."""
        return [run_from_row(r) for r in self._rows("SELECT * FROM runs ORDER BY created_at, id")]

    def answered_question_ids(self, run_id: str) -> set[str]:
        """Questions that already have a generated answer in this run (for resuming)."""
        query = "SELECT question_id FROM answers WHERE run_id = %s AND parent_id IS NULL"
        return {r["question_id"] for r in self._rows(query, (run_id,))}

    def add_answer(self, answer: Answer) -> None:
        """Store one answer, in its own transaction."""
        with self._tx() as conn:
            _insert(conn, "answers", answer_row(answer))

    def answers(self, *, run_ids: Sequence[str] | None = None) -> list[Answer]:
        """Answers, optionally of some runs, in the order they were stored."""
        if run_ids is None:
            rows = self._rows("SELECT * FROM answers ORDER BY pos")
        else:
            rows = self._rows(
                "SELECT * FROM answers WHERE run_id = ANY(%s) ORDER BY pos", (list(run_ids),)
            )
        return [answer_from_row(r) for r in rows]

    def answer(self, answer_id: str) -> Answer:
        """The answer version with this id."""
        rows = self._rows("SELECT * FROM answers WHERE id = %s", (answer_id,))
        if not rows:
            raise StoreError(f"{self._shown}: no answer {answer_id!r}")
        return answer_from_row(rows[0])

    def newer_version_of(self, answer_id: str) -> str | None:
        """The id of the version made from this answer by an edit, if any."""
        query = "SELECT id FROM answers WHERE parent_id = %s ORDER BY pos LIMIT 1"
        rows = self._rows(query, (answer_id,))
        return str(rows[0]["id"]) if rows else None

    # evaluations
    def add_evaluation(self, ev: Evaluation) -> None:
        """Store an evaluation; a re-score by the same judge replaces the earlier one."""
        row = evaluation_row(ev)
        update = ", ".join(f"{c} = EXCLUDED.{c}" for c in row if c not in ("answer_id", "judge"))
        found = findings_row(ev)  # what the review queue reads, in the same transaction
        again = ", ".join(f"{c} = EXCLUDED.{c}" for c in found if c not in ("answer_id", "judge"))
        with self._tx() as conn:
            _insert(
                conn, "evaluations", row, f"ON CONFLICT (answer_id, judge) DO UPDATE SET {update}"
            )
            _insert(
                conn,
                "evaluation_findings",
                found,
                f"ON CONFLICT (answer_id, judge) DO UPDATE SET {again}",
            )

    def scored_answer_ids(self, judge: str) -> set[str]:
        """Answers this judge has already evaluated."""
        rows = self._rows("SELECT answer_id FROM evaluations WHERE judge = %s", (judge,))
        return {r["answer_id"] for r in rows}

    def evaluations(self, *, judge: str | None = None) -> list[Evaluation]:
        """Evaluations, optionally of one judge, in the order of their answers."""
        query = "SELECT e.* FROM evaluations e JOIN answers a ON a.id = e.answer_id"
        args: tuple[str, ...] = ()
        if judge is not None:
            query, args = query + " WHERE e.judge = %s", (judge,)
        return [evaluation_from_row(r) for r in self._rows(query + " ORDER BY a.pos", args)]

    def evaluations_of(self, answer_id: str) -> list[Evaluation]:
        """The evaluations of one answer version, one per judge."""
        query = "SELECT * FROM evaluations WHERE answer_id = %s ORDER BY judge"
        return [evaluation_from_row(r) for r in self._rows(query, (answer_id,))]

    # the decision log
    def append_decision(
        self, draft: DecisionDraft, *, new_answer: Answer | None = None
    ) -> ReviewDecision:
        """Append a decision to the log, chained to the last one, in one transaction.

        The chain's lock is taken first, so the last hash read here is still the last
        when the row goes in; the answer's text is read inside the same transaction.
        """
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            with conn.cursor(row_factory=dict_row) as cur:  # after the lock: the last commit
                answer = cur.execute(
                    "SELECT * FROM answers WHERE id = %s", (draft.answer_id,)
                ).fetchone()
            if answer is None:
                raise StoreError(f"{self._shown}: no answer {draft.answer_id!r}")
            last = conn.execute(
                "SELECT hash FROM decision_log ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            self.log_key = key_for_append(
                self.log_key,
                conn.execute(LAST_KEYED_SQL).fetchone(),
                may_create=self._makes_key,
                where=self._shown,
            )
            if new_answer is not None:
                _insert(conn, "answers", answer_row(new_answer))
            row = decision_row(
                draft,
                answer=answer_from_row(answer),
                prev_hash=last[0] if last else GENESIS,
                log_key=self.log_key,
            )
            seq = self._append_row(conn, row, draft.answer_id)
        return decision_from_row({**row, "seq": seq})  # exactly the row the database took

    def copy_decision(
        self, decision: ReviewDecision, *, new_answer: Answer | None = None
    ) -> ReviewDecision:
        """Append a decision recorded elsewhere as it was; the trigger checks its link."""
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (CHAIN_LOCK,))
            if new_answer is not None:
                _insert(conn, "answers", answer_row(new_answer))
            row = recorded_decision_row(decision)
            self._append_row(conn, row, decision.answer_id)
        return decision_from_row(row)

    @staticmethod
    def _append_row(conn: Conn, row: dict[str, Any], answer_id: str) -> int:
        try:
            (seq,) = _insert(conn, "decision_log", row, "RETURNING seq").fetchone()  # type: ignore[misc]
        except psycopg.IntegrityError as exc:  # a trigger or a check refused it
            raise ReviewError(
                f"the store refused the decision on {answer_id}: {_problem(exc)}"
            ) from exc
        return int(seq)

    def decisions(self, *, since_seq: int = 0, limit: int | None = None) -> list[ReviewDecision]:
        """Decisions in log order, after `since_seq`."""
        query = "SELECT * FROM decision_log WHERE seq > %s ORDER BY seq"
        args: tuple[int, ...] = (since_seq,)
        if limit is not None:
            query, args = query + " LIMIT %s", (since_seq, limit)
        return [decision_from_row(r) for r in self._rows(query, args)]

    def decisions_of(self, answer_id: str) -> list[ReviewDecision]:
        """The decisions on one answer version, in log order."""
        query = "SELECT * FROM decision_log WHERE answer_id = %s ORDER BY seq"
        return [decision_from_row(r) for r in self._rows(query, (answer_id,))]

    def last_decision_seq(self) -> int:
        """The sequence number of the newest decision in the log (0 when empty)."""
        rows = self._rows("SELECT COALESCE(MAX(seq), 0) AS seq FROM decision_log")
        return int(rows[0]["seq"])

    def decision_counter(self) -> int | None:
        """How many decisions the store has ever numbered (kept by a trigger in its own
        table, apart from the rows); None for a store from before migration 005."""
        try:
            rows = self._rows("SELECT n FROM decision_log_counter")
        except psycopg.errors.UndefinedTable:
            return None
        return int(rows[0]["n"]) if rows else None

    # the database itself
    def integrity_problems(self, *, quick: bool = False, limit: int = 20) -> list[str]:
        """[]: the server keeps its own pages (WAL, checksums); its DBA checks them with
        `amcheck`. The log's content is checked by `verify` as on SQLite."""
        return []

    def checkpoint(self) -> None:
        """Nothing to do: a committed transaction is durable on the server."""

    def backup(self, dest: Path) -> None:
        """Copy the store to a new SQLite file `dest` (`workbench.store.copy`): every
        record, and the decision log with its hashes, MACs and row numbers."""
        from workbench.store.copy import copy_store
        from workbench.store.sqlite import SQLiteStore

        if dest.exists():
            raise StoreError(f"{dest} exists: give a new file for the backup")
        tmp = dest.with_name(f".{dest.name}.partial")
        tmp.unlink(missing_ok=True)
        with SQLiteStore(tmp, log_key=None) as target:
            copy_store(self, target)
        tmp.rename(dest)

    # the review queue
    def review_rows(self, *, answer_ids: Sequence[str] | None = None) -> list[ReviewRow]:
        """Each latest answer version with its review standing (see `Store.review_rows`)."""
        query, args = _REVIEW_ROWS, ()
        if answer_ids is not None:
            query, args = query + " AND a.id = ANY(%s)", (list(answer_ids),)  # type: ignore[assignment]
        return [review_row(r) for r in self._rows(query + " ORDER BY a.pos", args)]

    def decision_count(self, *, reviewer: str, since: datetime) -> int:
        """How many decisions `reviewer` signed since `since` (edits included)."""
        rows = self._rows(
            "SELECT COUNT(*) AS n FROM decision_log WHERE reviewer = %s AND created_at >= %s",
            (reviewer, since.astimezone(UTC).isoformat()),
        )
        return int(rows[0]["n"])


# The same query as the SQLite adapter's: per evaluation what it found, joined with ";".
_REVIEW_ROWS = """
SELECT a.id, a.question_id, a.prompt_key,
    (SELECT string_agg(f.judge_failed || ',' || f.fails || ',' || f.warnings || ','
                       || f.contradicted || ',' || f.not_found || ',' || f.off_topic || ','
                       || f.unstable, ';')
     FROM evaluation_findings f WHERE f.answer_id = a.id) AS found,
    (SELECT d.decision FROM decision_log d WHERE d.answer_id = a.id
     ORDER BY d.seq DESC LIMIT 1) AS decision
FROM answers a
WHERE NOT EXISTS (SELECT 1 FROM answers c WHERE c.parent_id = a.id)
"""
