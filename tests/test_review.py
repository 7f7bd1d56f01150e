"""Review records: append-only, chained, enforced by the database itself, safe under several
writers; on both adapters (SQLite, PostgreSQL)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.storekit import INTEGRITY_ERRORS, RawDB
from workbench.errors import ReviewError
from workbench.models import Answer, Decision, Run
from workbench.review.decisions import current_account, edit_answer, record_decision, verify_log
from workbench.store import Store
from workbench.store.decision_log import GENESIS, text_sha256
from workbench.workspace import Workspace

pytestmark = pytest.mark.adapters


def _answers(store: Store, n: int = 2) -> list[Answer]:
    store.ensure_run(Run("r1", "p@v1", "offline", "m", "test"))
    out = []
    for i in range(n):
        a = Answer(
            f"a-{i}", "r1", f"q{i}", "p@v1", "offline", "m", f"Answer {i} [e1].", ("e1",), ("e1",)
        )
        store.add_answer(a)
        out.append(a)
    return out


def test_a_decision_records_who_what_why_when_and_the_exact_text(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "dr.ng")
    (a, _) = _answers(store)
    d = record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
    assert (d.reviewer, d.account, d.decision) == ("Dr Ng", "jupyterhub:dr.ng", Decision.APPROVE)
    assert d.meaning == "approved for patient use"
    assert d.answer_sha256 == text_sha256(a.text)
    assert d.created_at.tzinfo is not None and d.prev_hash == GENESIS and d.seq == 1
    assert store.latest_decisions() == {a.id: d}


def test_the_account_falls_back_to_the_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert current_account().startswith("os:")


@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.NEEDS_EDIT])
def test_reject_and_needs_edit_need_a_reason_in_the_library_and_in_the_store(
    store: Store, db: RawDB, decision: Decision
) -> None:
    (a, _) = _answers(store)
    with pytest.raises(ReviewError, match="needs a reason"):
        record_decision(store, a.id, decision, reviewer="Dr Ng", reason="  ")
    with pytest.raises(INTEGRITY_ERRORS, match=r"(?i)check"):
        db.execute(
            "INSERT INTO decision_log (id, answer_id, answer_sha256, reviewer, account, decision,"
            " reason, meaning, created_at, prev_hash, hash) VALUES "
            "('x', ?, 's', 'r', 'a', ?, '', 'm', 't', ?, 'h')",
            (a.id, decision.value, GENESIS),
        )


def test_the_store_refuses_update_and_delete_of_decisions(store: Store, db: RawDB) -> None:
    (a, _) = _answers(store)
    record_decision(store, a.id, Decision.REJECT, reviewer="Dr Ng", reason="wrong dose")
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        db.execute("UPDATE decision_log SET decision = 'approve'")
    with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
        db.execute("DELETE FROM decision_log")
    if db.kind == "postgresql":  # TRUNCATE skips row triggers: a statement trigger refuses it
        with pytest.raises(INTEGRITY_ERRORS, match="append-only"):
            db.execute("TRUNCATE decision_log")
    assert len(store.decisions()) == 1
    assert not hasattr(store, "delete_decision") and not hasattr(store, "update_decision")


def test_an_edit_makes_a_new_version_and_only_the_latest_can_be_approved(
    store: Store, db: RawDB
) -> None:
    (a, _) = _answers(store)
    record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
    new, d = edit_answer(
        store, a.id, "Answer 0, clearer [e1].", reviewer="Dr Ng", reason="plainer words"
    )
    assert new.parent_id == a.id and store.answer(new.id).text == "Answer 0, clearer [e1]."
    assert (d.decision, d.old_text, d.new_text, d.new_answer_id) == (
        Decision.EDIT,
        a.text,
        new.text,
        new.id,
    )
    with pytest.raises(ReviewError, match="approve its latest version"):
        record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
    # The store refuses it too, whoever writes.
    last = db.execute("SELECT hash FROM decision_log ORDER BY seq DESC LIMIT 1")[0][0]
    with pytest.raises(INTEGRITY_ERRORS, match="edited since"):
        db.execute(
            "INSERT INTO decision_log (id, answer_id, answer_sha256, reviewer, account, decision,"
            " reason, meaning, created_at, prev_hash, hash) VALUES "
            "('x', ?, 's', 'r', 'a', 'approve', '', 'm', 't', ?, 'h')",
            (a.id, last),
        )
    record_decision(store, new.id, Decision.APPROVE, reviewer="Dr Ng")
    assert verify_log(store).ok


def test_verify_names_the_first_changed_or_removed_row(store: Store, db: RawDB) -> None:
    a, b = _answers(store)
    for i in range(4):
        record_decision(
            store, a.id if i % 2 else b.id, Decision.REJECT, reviewer="Dr Ng", reason=f"reason {i}"
        )
    assert verify_log(store).ok and verify_log(store).count == 4
    db.drop_trigger("decision_log_no_update")  # someone with file or owner access
    db.execute("UPDATE decision_log SET reason = 'nothing wrong' WHERE seq = 2")
    check = verify_log(store)
    assert (check.ok, check.first_bad_seq) == (False, 2)
    assert "changed" in check.problem


def test_verify_notices_a_deleted_row(store: Store, db: RawDB) -> None:
    (a, _) = _answers(store)
    for i in range(3):
        record_decision(store, a.id, Decision.REJECT, reviewer="Dr Ng", reason=f"r{i}")
    db.drop_trigger("decision_log_no_delete")
    db.execute("DELETE FROM decision_log WHERE seq = 2")
    check = verify_log(store)
    assert (check.ok, check.first_bad_seq) == (False, 2)  # the missing row itself is named
    assert "row 2 is missing" in check.problem


def test_a_row_that_does_not_link_to_the_last_is_refused(store: Store, db: RawDB) -> None:
    (a, _) = _answers(store)
    record_decision(store, a.id, Decision.REJECT, reviewer="Dr Ng", reason="r")
    with pytest.raises(INTEGRITY_ERRORS, match="link to the last"):
        db.execute(
            "INSERT INTO decision_log (id, answer_id, answer_sha256, reviewer, account, decision,"
            " reason, meaning, created_at, prev_hash, hash) VALUES "
            "('x', ?, 's', 'r', 'a', 'reject', 'r', 'm', 't', ?, 'h')",
            (a.id, GENESIS),
        )
    with pytest.raises(INTEGRITY_ERRORS, match=r"no such answer|FOREIGN KEY|foreign key"):
        last = db.execute("SELECT hash FROM decision_log ORDER BY seq DESC LIMIT 1")[0][0]
        db.execute(
            "INSERT INTO decision_log (id, answer_id, answer_sha256, reviewer, account, decision,"
            " reason, meaning, created_at, prev_hash, hash) VALUES "
            "('y', 'a-none', 's', 'r', 'a', 'approve', '', 'm', 't', ?, 'h')",
            (last,),
        )
    assert verify_log(store).ok and verify_log(store).count == 1


WRITER = textwrap.dedent(
    """
    import sys
    from workbench.models import Decision
    from workbench.review.decisions import record_decision
    from workbench.workspace import Workspace

    location, who, n, answers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    with Workspace.resolve(store=location).open_store() as store:
        for i in range(n):
            record_decision(store, f"a-{i % answers}", Decision.REJECT, reviewer=who,
                            reason=f"{who} {i}")
    """
)


def _writers(location: str, writers: int, each: int, answers: int) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, location, f"kernel-{w}", str(each), str(answers)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(writers)
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err


@pytest.mark.parametrize(("writers", "each"), [(2, 250), (6, 50)])
def test_several_processes_writing_at_once_lose_nothing_and_keep_one_chain(
    store_location: str, writers: int, each: int
) -> None:
    with Workspace.resolve(store=store_location).open_store(create=True) as store:
        _answers(store, n=4)
    _writers(store_location, writers, each, answers=4)
    with Workspace.resolve(store=store_location).open_store() as store:
        decisions = store.decisions()
        check = verify_log(store)
    total = writers * each
    assert len(decisions) == total and check.ok and check.count == total
    assert [d.seq for d in decisions] == list(range(1, total + 1))  # no gap, no repeat
    assert sorted(d.reason for d in decisions) == sorted(
        f"kernel-{w} {i}" for w in range(writers) for i in range(each)
    )


def test_the_database_refuses_an_unsafe_approval_without_an_override(
    store: Store, db: RawDB
) -> None:
    from workbench.models import Evaluation, EvaluationStatus, SafetyFinding, Severity

    (a, _) = _answers(store)
    finding = SafetyFinding("stop-standard-treatment", Severity.FAIL, "Says stop.", "h")
    store.add_evaluation(
        Evaluation(a.id, "offline", EvaluationStatus.SCORED, 1.0, (), (finding,), 8.0, 9.0)
    )
    insert = (
        "INSERT INTO decision_log (id, answer_id, answer_sha256, reviewer, account, decision,"
        " reason, meaning, created_at, prev_hash, hash, overrides) VALUES "
        "('x', ?, 's', 'r', 'a', 'approve', ?, 'm', 't', ?, 'h', ?)"
    )
    with pytest.raises(INTEGRITY_ERRORS, match="needs a safety override"):
        db.execute(insert, (a.id, "", GENESIS, None))
    with pytest.raises(INTEGRITY_ERRORS, match="rules it overrides and a reason"):
        db.execute(insert, (a.id, "", GENESIS, '["stop-standard-treatment"]'))
    d = record_decision(
        store, a.id, Decision.APPROVE, reviewer="Dr Ng", reason="fine here", override_safety=True
    )
    assert d.overrides == ("stop-standard-treatment",)
    assert verify_log(store).ok and store.decision_counter() == 1
