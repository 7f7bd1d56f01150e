"""The PostgreSQL dialect of each migration: same names, same order, same tables.

`PG_MIGRATIONS` maps every name of `workbench.store.migrations.MIGRATIONS` to the SQL
that makes the same change on PostgreSQL; the adapter refuses to open a store when a
name has no dialect here, and a test pins the two lists to each other. Columns keep the
SQLite types' meaning (times and JSON as text), so a copy between the two is exact (the
decision log's columns are one text for both, `DECISION_LOG_COLUMNS`); an `answers.pos`
identity stands in for SQLite's rowid (the order answers were stored).

The decision log's rules live in PL/pgSQL triggers, as SQLite's live in its triggers:
no UPDATE, DELETE or TRUNCATE; a reason for reject and needs-edit; each row links to the
last; approval of the latest version only; the answer exists. The insert trigger takes
the chain's advisory lock first, so writers that bypass the library are serialised too,
and numbers the row (gapless, in commit order).
"""

from __future__ import annotations

from workbench.store.decision_log import GENESIS
from workbench.store.migrations import (
    CONTEXT_COLUMNS,
    DECISION_LOG_COLUMNS,
    RELEVANCE_AND_REPEATS,
)

__all__ = ["CHAIN_LOCK", "MIGRATION_LOCK", "PG_MIGRATIONS"]

# Keys of the transaction-level advisory locks (any fixed 64-bit numbers, one per purpose).
CHAIN_LOCK = 7_366_208_601  # appending to the decision log
MIGRATION_LOCK = 7_366_208_602  # migrating the schema

_REFUSE = "USING ERRCODE = 'integrity_constraint_violation'"

_DECISION_LOG = f"""
CREATE TABLE decision_log (
    seq BIGINT PRIMARY KEY,
{DECISION_LOG_COLUMNS.format(trim="btrim")}
    CONSTRAINT decision_log_reason_check CHECK (decision = 'approve' OR length(btrim(reason)) > 0),
    CONSTRAINT decision_log_edit_check CHECK (decision != 'edit'
        OR (new_answer_id IS NOT NULL AND old_text IS NOT NULL AND new_text IS NOT NULL)));
CREATE INDEX decision_log_answer ON decision_log(answer_id);

CREATE FUNCTION decision_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'review decisions are append-only: record a new decision' {_REFUSE};
END $$;
CREATE TRIGGER decision_log_no_update BEFORE UPDATE ON decision_log
    FOR EACH ROW EXECUTE FUNCTION decision_log_append_only();
CREATE TRIGGER decision_log_no_delete BEFORE DELETE ON decision_log
    FOR EACH ROW EXECUTE FUNCTION decision_log_append_only();
CREATE TRIGGER decision_log_no_truncate BEFORE TRUNCATE ON decision_log
    FOR EACH STATEMENT EXECUTE FUNCTION decision_log_append_only();

CREATE FUNCTION decision_log_before_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq BIGINT;
    last_hash TEXT;
BEGIN
    -- One writer at a time past this point, until its transaction ends.
    PERFORM pg_advisory_xact_lock({CHAIN_LOCK});
    IF NOT EXISTS (SELECT 1 FROM answers WHERE id = NEW.answer_id) THEN
        RAISE EXCEPTION 'no such answer' {_REFUSE};
    END IF;
    IF NEW.decision = 'approve'
       AND EXISTS (SELECT 1 FROM answers WHERE parent_id = NEW.answer_id) THEN
        RAISE EXCEPTION
            'this answer version has been edited since: approve its latest version' {_REFUSE};
    END IF;
    SELECT seq, hash INTO last_seq, last_hash FROM decision_log ORDER BY seq DESC LIMIT 1;
    IF NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '{GENESIS}') THEN
        RAISE EXCEPTION 'a decision must link to the last decision in the log' {_REFUSE};
    END IF;
    IF NEW.seq IS NULL THEN
        NEW.seq := COALESCE(last_seq, 0) + 1;
    ELSIF NEW.seq <= COALESCE(last_seq, 0) THEN
        RAISE EXCEPTION 'a decision must come after the last decision in the log' {_REFUSE};
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decision_log_checks BEFORE INSERT ON decision_log
    FOR EACH ROW EXECUTE FUNCTION decision_log_before_insert();
"""

# The keyed MAC and the safety overrides (as SQLite's 005), and the store's own count of
# the decisions it ever numbered (SQLite keeps it in sqlite_sequence): a trigger owned by
# the store's owner raises it, and no reviewer may write it, so a removed tail shows.
_MAC_OVERRIDES_AND_COUNTER = f"""
ALTER TABLE decision_log ADD COLUMN mac TEXT;
ALTER TABLE decision_log ADD COLUMN overrides TEXT;
CREATE FUNCTION decision_log_overrides_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.overrides IS NOT NULL AND (NEW.decision != 'approve'
            OR length(btrim(NEW.reason)) = 0 OR jsonb_array_length(NEW.overrides::jsonb) = 0)
    THEN
        RAISE EXCEPTION
            'a safety override is an approval with the rules it overrides and a reason'
            {_REFUSE};
    END IF;
    IF NEW.decision = 'approve' AND NEW.overrides IS NULL AND EXISTS (
            SELECT 1 FROM evaluations e, jsonb_array_elements(e.safety::jsonb) f
            WHERE e.answer_id = NEW.answer_id AND f.value ->> 'severity' = 'fail') THEN
        RAISE EXCEPTION
            'this answer fails a safety rule: approving it needs a safety override with a reason'
            {_REFUSE};
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decision_log_overrides BEFORE INSERT ON decision_log
    FOR EACH ROW EXECUTE FUNCTION decision_log_overrides_check();
CREATE TABLE decision_log_counter (n BIGINT NOT NULL);
INSERT INTO decision_log_counter SELECT COALESCE(MAX(seq), 0) FROM decision_log;
CREATE FUNCTION decision_log_count() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE decision_log_counter SET n = GREATEST(n, NEW.seq);
    RETURN NULL;
END $$;
CREATE TRIGGER decision_log_counted AFTER INSERT ON decision_log
    FOR EACH ROW EXECUTE FUNCTION decision_log_count();
CREATE FUNCTION decision_log_counter_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.n >= OLD.n THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the decision counter only goes up' {_REFUSE};
END $$;
CREATE TRIGGER decision_log_counter_only_up BEFORE UPDATE OR DELETE ON decision_log_counter
    FOR EACH ROW EXECUTE FUNCTION decision_log_counter_guard();
"""

PG_MIGRATIONS: dict[str, str] = {
    "001_runs_answers_evaluations": """
        CREATE TABLE runs (
            id TEXT PRIMARY KEY, prompt_key TEXT NOT NULL, backend TEXT NOT NULL,
            model TEXT NOT NULL, questions_source TEXT NOT NULL, settings TEXT NOT NULL,
            created_at TEXT NOT NULL);
        CREATE TABLE answers (
            pos BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
            id TEXT PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id),
            question_id TEXT NOT NULL, prompt_key TEXT NOT NULL, backend TEXT NOT NULL,
            model TEXT NOT NULL, text TEXT NOT NULL, cited_ids TEXT NOT NULL,
            retrieved_ids TEXT NOT NULL, settings TEXT NOT NULL, prompt_tokens BIGINT,
            completion_tokens BIGINT, latency_s DOUBLE PRECISION, cost_usd DOUBLE PRECISION,
            created_at TEXT NOT NULL, parent_id TEXT REFERENCES answers(id));
        CREATE UNIQUE INDEX answers_one_per_question ON answers(run_id, question_id)
            WHERE parent_id IS NULL;
        CREATE TABLE evaluations (
            answer_id TEXT NOT NULL REFERENCES answers(id), judge TEXT NOT NULL,
            status TEXT NOT NULL, faithfulness DOUBLE PRECISION, claims TEXT NOT NULL,
            safety TEXT NOT NULL, fk_grade DOUBLE PRECISION, smog DOUBLE PRECISION, error TEXT,
            excerpt_versions TEXT NOT NULL, created_at TEXT NOT NULL,
            PRIMARY KEY (answer_id, judge));
    """,
    # SQLite stores once had an unchained decision table, which 003 replaces when empty;
    # a PostgreSQL store never had one, so this step is recorded and makes nothing.
    "002_review_decisions_append_only": "",
    "003_decision_log_hash_chained": _DECISION_LOG,
    "004_index_answers_parent_for_review_queue": (
        "CREATE INDEX IF NOT EXISTS answers_parent ON answers(parent_id);"
    ),
    "005_decision_log_mac_and_safety_overrides": _MAC_OVERRIDES_AND_COUNTER,
    "006_evaluation_findings_for_review_queue": """
        CREATE TABLE evaluation_findings (
            answer_id TEXT NOT NULL, judge TEXT NOT NULL, judge_failed INTEGER NOT NULL,
            fails INTEGER NOT NULL, warnings INTEGER NOT NULL,
            contradicted INTEGER NOT NULL, not_found INTEGER NOT NULL,
            PRIMARY KEY (answer_id, judge));
        INSERT INTO evaluation_findings
        SELECT e.answer_id, e.judge, (e.status = 'judge_failed')::int,
            (SELECT COUNT(*) FROM jsonb_array_elements(e.safety::jsonb) x
             WHERE x.value ->> 'severity' = 'fail'),
            (SELECT COUNT(*) FROM jsonb_array_elements(e.safety::jsonb) x
             WHERE x.value ->> 'severity' = 'warn'),
            (SELECT COUNT(*) FROM jsonb_array_elements(e.claims::jsonb) x
             WHERE x.value ->> 'verdict' = 'contradicted'),
            (SELECT COUNT(*) FROM jsonb_array_elements(e.claims::jsonb) x
             WHERE x.value ->> 'verdict' = 'not_found')
        FROM evaluations e;
    """,
    "007_decision_log_binding": "ALTER TABLE decision_log ADD COLUMN binding TEXT;",
    # The same columns and types as SQLite's (REAL as DOUBLE PRECISION).
    "008_evaluation_relevance_and_repeats": RELEVANCE_AND_REPEATS.replace(
        " REAL;", " DOUBLE PRECISION;"
    ),
    "012_evaluation_context_and_queue_flags": CONTEXT_COLUMNS.replace(
        " REAL;", " DOUBLE PRECISION;"
    )
    + """
UPDATE evaluation_findings f SET
    off_topic = COALESCE(e.relevance_flagged, 0),
    unstable = ((SELECT COUNT(DISTINCT x.value ->> 'flagged')
        FROM jsonb_array_elements(e.judgments::jsonb) x
        WHERE x.value ->> 'status' = 'scored') > 1)::int
FROM evaluations e WHERE e.answer_id = f.answer_id AND e.judge = f.judge;
""",
}
