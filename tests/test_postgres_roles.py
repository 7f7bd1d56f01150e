"""A team's PostgreSQL roles, as docs/operations.md sets them up: the owner migrates, a
reviewer may record decisions and edits but not change or remove them, nor alter a table."""

from __future__ import annotations

import uuid

import psycopg
import pytest

from tests import pgcluster
from workbench.errors import StoreError
from workbench.models import Answer, Decision, Evaluation, EvaluationStatus, Run
from workbench.review.decisions import edit_answer, record_decision, verify_log
from workbench.workspace import Workspace

# The statements of docs/operations.md ("Teams: the same store on PostgreSQL"), with the
# names made unique.
GRANTS = """
CREATE ROLE {owner} LOGIN;
CREATE ROLE {reviewers} NOLOGIN;
CREATE ROLE {dr} LOGIN IN ROLE {reviewers};
CREATE DATABASE {db} OWNER {owner};
"""
REVIEWER_GRANTS = """
GRANT CONNECT ON DATABASE {db} TO {reviewers};
GRANT USAGE ON SCHEMA public TO {reviewers};
GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reviewers};
GRANT INSERT ON decision_log, answers TO {reviewers};
GRANT INSERT, UPDATE ON evaluations, evaluation_findings TO {reviewers};
"""


def _as(cluster: pgcluster.Cluster, role: str, db: str) -> str:
    return cluster.database_url(db).replace(f"{pgcluster.SUPERUSER}@", f"{role}@")


def test_a_reviewer_records_decisions_and_edits_but_cannot_alter_them(
    postgres: pgcluster.Cluster,
) -> None:
    tag = uuid.uuid4().hex[:8]
    names = {k: f"{k}_{tag}" for k in ("owner", "reviewers", "dr", "db")}
    with psycopg.connect(postgres.url, autocommit=True) as su:
        for statement in GRANTS.format(**names).strip().splitlines():
            su.execute(statement)  # type: ignore[arg-type]
    owner_url, dr_url = (
        _as(postgres, names["owner"], names["db"]),
        _as(postgres, names["dr"], names["db"]),
    )
    with pytest.raises(StoreError, match="may not make"):  # nothing granted yet: no tables
        Workspace.resolve(store=dr_url).open_store(create=True)

    with Workspace.resolve(store=owner_url).open_store(create=True) as store:  # the owner migrates
        store.ensure_run(Run("r1", "p@v1", "offline", "m", "t"))
        store.add_answer(Answer("a-1", "r1", "q1", "p@v1", "offline", "m", "Text [e1].", (), ()))
    with psycopg.connect(owner_url, autocommit=True) as owner:
        for statement in REVIEWER_GRANTS.format(**names).strip().splitlines():
            owner.execute(statement)  # type: ignore[arg-type]

    with Workspace.resolve(store=dr_url).open_store() as store:
        record_decision(store, "a-1", Decision.NEEDS_EDIT, reviewer="Dr Ng", reason="long")
        new, _ = edit_answer(store, "a-1", "Shorter [e1].", reviewer="Dr Ng", reason="short")
        for score in (0.5, 1.0):  # the desk scores an edit at once; a re-score replaces it
            store.add_evaluation(
                Evaluation(new.id, "offline", EvaluationStatus.SCORED, score, (), (), 8.0, 9.0)
            )
        assert [e.faithfulness for e in store.evaluations_of(new.id)] == [1.0]
        record_decision(store, new.id, Decision.APPROVE, reviewer="Dr Ng")
        assert verify_log(store).ok and verify_log(store).count == 3

    with psycopg.connect(dr_url, autocommit=True) as dr:
        for statement in (
            "UPDATE decision_log SET reason = 'x'",
            "DELETE FROM decision_log",
            "TRUNCATE decision_log",
            "ALTER TABLE decision_log DISABLE TRIGGER decision_log_no_update",
            "DROP TRIGGER decision_log_no_update ON decision_log",
            "UPDATE answers SET text = 'x'",
            "CREATE TABLE mine (x int)",
            "UPDATE decision_log_counter SET n = 0",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                dr.execute(statement)  # type: ignore[arg-type]
