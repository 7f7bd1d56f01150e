"""The store's schema: small, named, ordered migrations, applied once each.

A migration is SQL, or a function of the connection when it must check something first.
Review decisions live in `decision_log`, which triggers keep append-only and honest.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from workbench.errors import StoreError
from workbench.store.decision_log import GENESIS

__all__ = ["DECISION_LOG_COLUMNS", "MIGRATIONS", "RELEVANCE_AND_REPEATS", "apply"]

Migration = str | Callable[[sqlite3.Connection], None]

_SQL: list[tuple[str, str]] = [
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


# The decision log's columns after `seq`, the same on both databases (`pg_migrations`);
# `{trim}` names the dialect's white-space trim. Migration 003 made them: never edit them,
# add a migration instead (a test pins the text of every migration).
DECISION_LOG_COLUMNS = """\
    id TEXT NOT NULL UNIQUE,
    answer_id TEXT NOT NULL REFERENCES answers(id),
    answer_sha256 TEXT NOT NULL,
    reviewer TEXT NOT NULL CHECK (length({trim}(reviewer)) > 0),
    account TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject', 'needs_edit', 'edit')),
    reason TEXT NOT NULL,
    meaning TEXT NOT NULL,
    created_at TEXT NOT NULL,
    new_answer_id TEXT REFERENCES answers(id),
    old_text TEXT,
    new_text TEXT,
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL UNIQUE,"""

_DECISION_LOG = f"""
CREATE TABLE decision_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
{DECISION_LOG_COLUMNS.format(trim="trim")}
    CHECK (decision = 'approve' OR length(trim(reason)) > 0),
    CHECK (decision != 'edit'
           OR (new_answer_id IS NOT NULL AND old_text IS NOT NULL AND new_text IS NOT NULL)));
CREATE INDEX decision_log_answer ON decision_log(answer_id);
CREATE TRIGGER decision_log_no_update BEFORE UPDATE ON decision_log
    BEGIN SELECT RAISE(ABORT, 'review decisions are append-only: record a new decision'); END;
CREATE TRIGGER decision_log_no_delete BEFORE DELETE ON decision_log
    BEGIN SELECT RAISE(ABORT, 'review decisions are append-only: record a new decision'); END;
CREATE TRIGGER decision_log_links_to_the_last BEFORE INSERT ON decision_log
    WHEN NEW.prev_hash != COALESCE(
        (SELECT hash FROM decision_log ORDER BY seq DESC LIMIT 1), '{GENESIS}')
    BEGIN SELECT RAISE(ABORT, 'a decision must link to the last decision in the log'); END;
CREATE TRIGGER decision_log_approve_latest_only BEFORE INSERT ON decision_log
    WHEN NEW.decision = 'approve'
         AND EXISTS (SELECT 1 FROM answers WHERE parent_id = NEW.answer_id)
    BEGIN SELECT RAISE(ABORT,
        'this answer version has been edited since: approve its latest version'); END;
CREATE TRIGGER decision_log_answer_exists BEFORE INSERT ON decision_log
    WHEN NOT EXISTS (SELECT 1 FROM answers WHERE id = NEW.answer_id)
    BEGIN SELECT RAISE(ABORT, 'no such answer'); END;
"""


# `mac`: HMAC-SHA256 of the row's hash under a key kept outside the store (NULL when the
# writer had no key). `overrides`: JSON list of the fail-severity safety rules an approval
# was given over; such an approval needs a reason, and an approval of an answer with a
# fail-severity finding needs it.
_MAC_AND_OVERRIDES = """
ALTER TABLE decision_log ADD COLUMN mac TEXT;
ALTER TABLE decision_log ADD COLUMN overrides TEXT;
CREATE TRIGGER decision_log_override_needs_a_reason BEFORE INSERT ON decision_log
    WHEN NEW.overrides IS NOT NULL
         AND (NEW.decision != 'approve' OR length(trim(NEW.reason)) = 0
              OR json_array_length(NEW.overrides) = 0)
    BEGIN SELECT RAISE(ABORT,
        'a safety override is an approval with the rules it overrides and a reason'); END;
CREATE TRIGGER decision_log_safety_fail_needs_override BEFORE INSERT ON decision_log
    WHEN NEW.decision = 'approve' AND NEW.overrides IS NULL
         AND EXISTS (SELECT 1 FROM evaluations e, json_each(e.safety) f
                     WHERE e.answer_id = NEW.answer_id
                       AND json_extract(f.value, '$.severity') = 'fail')
    BEGIN SELECT RAISE(ABORT,
        'this answer fails a safety rule: approving it needs a safety override with a reason');
    END;
"""


def _decision_log(db: sqlite3.Connection) -> None:
    """Replace the first, unchained decision table by the hash-chained log."""
    (rows,) = db.execute("SELECT count(*) FROM review_decisions").fetchone()
    if rows:
        raise StoreError(
            f"this store holds {rows} review decisions in the old, unchained table; "
            "export them before upgrading: they cannot be chained after the fact"
        )
    for statement in (
        "DROP TRIGGER review_decisions_no_update",
        "DROP TRIGGER review_decisions_no_delete",
        "DROP TABLE review_decisions",
    ):
        db.execute(statement)
    for statement in _statements(_DECISION_LOG):
        db.execute(statement)


RELEVANCE_AND_REPEATS = """
ALTER TABLE evaluations ADD COLUMN relevance REAL;
ALTER TABLE evaluations ADD COLUMN relevance_flagged INTEGER;
ALTER TABLE evaluations ADD COLUMN relevance_reason TEXT;
ALTER TABLE evaluations ADD COLUMN relevance_judge TEXT;
ALTER TABLE evaluations ADD COLUMN judgments TEXT NOT NULL DEFAULT '[]';
ALTER TABLE evaluations ADD COLUMN llm_relevance REAL;
ALTER TABLE evaluations ADD COLUMN llm_relevance_flagged INTEGER;
ALTER TABLE evaluations ADD COLUMN llm_relevance_reason TEXT;
ALTER TABLE evaluations ADD COLUMN llm_relevance_judge TEXT;
"""

# ragas' context precision (and the ID-based figures against the gold relevant excerpts)
# per evaluation, and the review queue's off-topic and unstable counts (backfilled from
# the stored relevance verdicts and judgments).
CONTEXT_COLUMNS = """
ALTER TABLE evaluations ADD COLUMN context_precision REAL;
ALTER TABLE evaluations ADD COLUMN context_verdicts TEXT;
ALTER TABLE evaluations ADD COLUMN context_id_precision REAL;
ALTER TABLE evaluations ADD COLUMN context_id_recall REAL;
ALTER TABLE evaluations ADD COLUMN context_reason TEXT;
ALTER TABLE evaluations ADD COLUMN context_judge TEXT;
ALTER TABLE evaluation_findings ADD COLUMN off_topic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evaluation_findings ADD COLUMN unstable INTEGER NOT NULL DEFAULT 0;
"""

CONTEXT_AND_QUEUE_FLAGS = (
    CONTEXT_COLUMNS
    + """
UPDATE evaluation_findings SET
    off_topic = COALESCE((SELECT e.relevance_flagged FROM evaluations e
        WHERE e.answer_id = evaluation_findings.answer_id
        AND e.judge = evaluation_findings.judge), 0),
    unstable = (SELECT COUNT(DISTINCT json_extract(x.value, '$.flagged'))
        FROM evaluations e, json_each(e.judgments) x
        WHERE e.answer_id = evaluation_findings.answer_id
        AND e.judge = evaluation_findings.judge
        AND json_extract(x.value, '$.status') = 'scored') > 1;
"""
)

MIGRATIONS: list[tuple[str, Migration]] = [
    *_SQL,
    ("003_decision_log_hash_chained", _decision_log),
    # The review queue finds each answer's latest version by its edits (parent_id).
    (
        "004_index_answers_parent_for_review_queue",
        "CREATE INDEX IF NOT EXISTS answers_parent ON answers(parent_id);",
    ),
    ("005_decision_log_mac_and_safety_overrides", _MAC_AND_OVERRIDES),
    # What each evaluation found, counted once when it is stored, so the review queue
    # reads a few small integers per answer instead of every claim list (22 MB of JSON
    # over 10,000 answers). Written in the same transaction as the evaluation.
    (
        "006_evaluation_findings_for_review_queue",
        """
        CREATE TABLE evaluation_findings (
            answer_id TEXT NOT NULL, judge TEXT NOT NULL, judge_failed INTEGER NOT NULL,
            fails INTEGER NOT NULL, warnings INTEGER NOT NULL,
            contradicted INTEGER NOT NULL, not_found INTEGER NOT NULL,
            PRIMARY KEY (answer_id, judge));
        INSERT INTO evaluation_findings
        SELECT e.answer_id, e.judge, e.status = 'judge_failed',
            (SELECT COUNT(*) FROM json_each(e.safety) x
             WHERE json_extract(x.value, '$.severity') = 'fail'),
            (SELECT COUNT(*) FROM json_each(e.safety) x
             WHERE json_extract(x.value, '$.severity') = 'warn'),
            (SELECT COUNT(*) FROM json_each(e.claims) x
             WHERE json_extract(x.value, '$.verdict') = 'contradicted'),
            (SELECT COUNT(*) FROM json_each(e.claims) x
             WHERE json_extract(x.value, '$.verdict') = 'not_found')
        FROM evaluations e;
        """,
    ),
    # What a decision covers beyond the answer id and text hash (`decision_log.Binding`,
    # canonical JSON, inside the hashed content): the question, the prompt version, the
    # run, the cited excerpts with their versions. NULL on rows recorded before: those
    # are verified on what they covered, and `verify` names them.
    ("007_decision_log_binding", "ALTER TABLE decision_log ADD COLUMN binding TEXT;"),
    # Does the answer answer the question (the relevance judge), and each judgment when a
    # judge was asked several times (`score --repeat`). Older rows: not judged, one judgment.
    ("008_evaluation_relevance_and_repeats", RELEVANCE_AND_REPEATS),
    # ragas' context precision and recall per evaluation (`score --judge ragas`), and the
    # review queue's flagged queue holding off-topic and unstable answers.
    ("012_evaluation_context_and_queue_flags", CONTEXT_AND_QUEUE_FLAGS),
]


def apply(db: sqlite3.Connection, migration: Migration) -> None:
    """Run one migration inside the caller's transaction."""
    if callable(migration):
        migration(db)
    else:
        for statement in _statements(migration):
            db.execute(statement)


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
