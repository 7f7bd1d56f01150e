"""Property-based tests: the loaders never end in a traceback; the chain always catches tampering.

Hypothesis throws random bytes, random JSON and random truncations at the data set loaders
(a `DatasetError` naming the file is the only failure allowed), and random deletions, swaps
and rewrites at the decision chain (each must be caught by `check_chain`, and those that a
rewrite of every SHA-256 hides must be caught by the key or by an anchor).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.data.datasets import load_excerpts, load_prompts, load_questions
from workbench.errors import DatasetError
from workbench.models import Decision, ReviewDecision
from workbench.store.decision_log import (
    GENESIS,
    Anchor,
    DecisionDraft,
    check_chain,
    decision_hash,
    decision_mac,
)

KEY = b"a key that lives outside the store"
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from(["id", "text", "cancer_type", "tags", "topics", "link", "date"])
rows = st.dictionaries(field_names | st.text(max_size=5), json_values, max_size=6)

VALID = (
    b'{"id": "q1", "text": "What is stage 2 breast cancer?", "cancer_type": "breast"}\n'
    b'{"id": "q2", "text": "Is lymphoma curable?", "cancer_type": "lymphoma", "tags": ["a"]}\n'
)


def _only_dataset_errors(path: Path, load: object) -> None:
    try:
        load(path)  # type: ignore[operator]
    except DatasetError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc).strip()


@FAST
@given(data=st.binary(max_size=400))
def test_random_bytes_never_end_in_a_traceback(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_bytes(data)
    for load in (load_questions, load_excerpts):
        _only_dataset_errors(path, load)
    yaml_file = path.with_suffix(".yaml")
    yaml_file.write_bytes(data)
    _only_dataset_errors(yaml_file, load_prompts)


@FAST
@given(lines=st.lists(rows | json_values, min_size=1, max_size=4))
def test_random_json_lines_never_end_in_a_traceback(tmp_path: Path, lines: list[object]) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    for load in (load_questions, load_excerpts):
        _only_dataset_errors(path, load)


@FAST
@given(cut=st.integers(min_value=0, max_value=len(VALID)), junk=st.binary(max_size=3))
def test_truncated_files_never_end_in_a_traceback(tmp_path: Path, cut: int, junk: bytes) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_bytes(VALID[:cut] + junk)
    _only_dataset_errors(path, load_questions)


# The chain, built as the store builds it (pure Python, as any adapter must compute it).
def _chain(n: int, *, key: bytes | None = KEY) -> list[ReviewDecision]:
    out: list[ReviewDecision] = []
    prev = GENESIS
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(n):
        decision = [Decision.APPROVE, Decision.REJECT, Decision.NEEDS_EDIT][i % 3]
        overrides = ("stop-standard-treatment",) if i % 4 == 3 else ()
        draft = DecisionDraft(
            id=f"d-{i}",
            answer_id=f"a-{i % 3}",
            reviewer=f"Dr {i}",
            account="os:test",
            decision=decision,
            reason="" if decision is Decision.APPROVE and not overrides else f"reason {i}",
            created_at=start + timedelta(minutes=i),
            overrides=overrides,
        )
        sha = f"{i:064x}"
        digest = decision_hash(draft, answer_sha256=sha, meaning=decision.meaning, prev_hash=prev)
        out.append(
            ReviewDecision(
                id=draft.id,
                seq=i + 1,
                answer_id=draft.answer_id,
                answer_sha256=sha,
                reviewer=draft.reviewer,
                account=draft.account,
                decision=decision,
                reason=draft.reason,
                meaning=decision.meaning,
                created_at=draft.created_at,
                prev_hash=prev,
                hash=digest,
                overrides=overrides,
                mac=decision_mac(key, digest) if key else None,
            )
        )
        prev = digest
    return out


def _rehash(rows: list[ReviewDecision]) -> list[ReviewDecision]:
    """What an attacker without the key can do: recompute every SHA-256, renumber rows."""
    prev, out = GENESIS, []
    for i, d in enumerate(rows):
        digest = decision_hash(d, answer_sha256=d.answer_sha256, meaning=d.meaning, prev_hash=prev)
        out.append(replace(d, seq=i + 1, prev_hash=prev, hash=digest))
        prev = digest
    return out


def test_an_untouched_chain_holds_with_key_counter_and_anchor() -> None:
    rows = _chain(7)
    check = check_chain(rows, recorded=7, key=KEY, anchors=[Anchor(4, rows[3].hash)])
    assert check.ok and check.keyed is True and check.head == Anchor(7, rows[-1].hash)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 12), data=st.data())
def test_any_deletion_is_caught_by_the_counter(n: int, data: st.DataObject) -> None:
    rows = _chain(n)
    gone = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))
    kept = [d for i, d in enumerate(rows) if i not in gone]
    check = check_chain(kept, recorded=n)
    assert not check.ok and check.first_bad_seq == min(gone) + 1


@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 12), data=st.data())
def test_any_swap_of_two_rows_is_caught(n: int, data: st.DataObject) -> None:
    rows = _chain(n)
    i, j = data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    swapped = list(rows)
    swapped[i], swapped[j] = replace(rows[j], seq=rows[i].seq), replace(rows[i], seq=rows[j].seq)
    assert not check_chain(swapped, recorded=n).ok


FIELDS = ["answer_id", "answer_sha256", "reviewer", "account", "reason", "meaning", "id"]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10), data=st.data())
def test_any_rewritten_field_is_caught_and_a_full_rehash_is_caught_by_key_or_anchor(
    n: int, data: st.DataObject
) -> None:
    rows = _chain(n)
    i = data.draw(st.integers(0, n - 1))
    change = data.draw(
        st.sampled_from(["decision", "overrides", "created_at", *FIELDS]), label="field"
    )
    d = rows[i]
    if change == "decision":
        new = replace(
            d, decision=Decision.REJECT if d.decision is Decision.APPROVE else Decision.APPROVE
        )
    elif change == "overrides":
        new = replace(d, overrides=() if d.overrides else ("some-rule",))
    elif change == "created_at":
        new = replace(d, created_at=d.created_at + timedelta(seconds=1))
    else:
        new = replace(
            d, **{change: getattr(d, change) + data.draw(st.text(min_size=1, max_size=3))}
        )
    tampered = [*rows[:i], new, *rows[i + 1 :]]
    check = check_chain(tampered, recorded=n)
    assert not check.ok and check.first_bad_seq == i + 1
    rehashed = _rehash(tampered)
    assert check_chain(rehashed, recorded=n).ok  # the plain chain alone cannot tell...
    assert not check_chain(rehashed, recorded=n, key=KEY).ok  # ...the key can
    anchor = Anchor(n, rows[-1].hash)
    assert not check_chain(rehashed, recorded=n, anchors=[anchor]).ok  # ...and so can an anchor
    stripped = [replace(r, mac=None) for r in rehashed]
    assert not check_chain(stripped, recorded=n, key=KEY).ok  # removing the MACs does not help


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 10), data=st.data())
def test_a_truncated_tail_with_its_counter_reset_is_caught_by_any_later_anchor(
    n: int, data: st.DataObject
) -> None:
    rows = _chain(n)
    keep = data.draw(st.integers(0, n - 1))
    at = data.draw(st.integers(keep + 1, n))
    anchor = Anchor(at, rows[at - 1].hash)
    assert check_chain(rows[:keep], recorded=keep, key=KEY if keep else None).ok
    assert not check_chain(rows[:keep], recorded=keep, anchors=[anchor]).ok


@pytest.fixture(scope="module")
def chained_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real store with six decisions on two answers."""
    from workbench.models import Answer, Run
    from workbench.review.decisions import record_decision
    from workbench.store import SQLiteStore

    path = tmp_path_factory.mktemp("chain") / "chain.db"
    with SQLiteStore(path, log_key=KEY) as store:
        store.ensure_run(Run("r1", "p@v1", "offline", "m", "test"))
        for i in range(2):
            store.add_answer(
                Answer(f"a-{i}", "r1", f"q{i}", "p@v1", "offline", "m", f"A {i}.", (), ())
            )
        for i in range(6):
            record_decision(store, f"a-{i % 2}", Decision.REJECT, reviewer="Dr", reason=f"r{i}")
        store.checkpoint()
    return path


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    action=st.sampled_from(["delete", "swap", "update"]),
    rows=st.lists(st.integers(1, 6), min_size=1, max_size=3, unique=True),
)
def test_sql_tampering_with_a_real_store_is_always_caught(
    chained_store: Path, tmp_path: Path, action: str, rows: list[int]
) -> None:
    from workbench.review.decisions import verify_log
    from workbench.store import SQLiteStore

    path = tmp_path / f"{uuid.uuid4().hex}.db"
    path.write_bytes(chained_store.read_bytes())
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("DROP TRIGGER decision_log_no_update")
    db.execute("DROP TRIGGER decision_log_no_delete")
    if action == "delete":
        db.execute(f"DELETE FROM decision_log WHERE seq IN ({','.join(map(str, rows))})")
    elif action == "swap":
        a, b = rows[0], rows[0] % 6 + 1
        db.execute("UPDATE decision_log SET seq = -1 WHERE seq = ?", (a,))
        db.execute("UPDATE decision_log SET seq = ? WHERE seq = ?", (a, b))
        db.execute("UPDATE decision_log SET seq = ? WHERE seq = -1", (b,))
    else:
        for seq in rows:
            db.execute("UPDATE decision_log SET reason = reason || '!' WHERE seq = ?", (seq,))
    db.close()
    with SQLiteStore(path, read_only=True) as store:
        check = verify_log(store, key=KEY)
    assert not check.ok
