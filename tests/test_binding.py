"""A decision binds what is published: the answer's question, text, cited excerpts with
their versions, prompt version and run. Rows are rewritten the way someone with write
access to the database would (plain SQL, on SQLite and on PostgreSQL); `verify` names what
changed and the export never publishes an approved answer as something it was not.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from tests.storekit import RawDB
from tests.test_store import _migrated_up_to, _old_row
from workbench.cli.main import main
from workbench.data.datasets import Corpus, default_datasets_dir
from workbench.models import Answer, Decision, Run
from workbench.review.decisions import record_decision, verify_log
from workbench.store import Store
from workbench.store.decision_log import DecisionDraft
from workbench.store.rows import answer_row, run_row
from workbench.workspace import Workspace

pytestmark = pytest.mark.adapters


@pytest.fixture
def decided(
    store: Store, store_location: str, capsys: pytest.CaptureFixture[str]
) -> tuple[Answer, Answer]:
    """a approved (for its question), b rejected (for another), through the real commands."""
    s = ["--store", store_location]
    assert main(["generate", "--limit", "2", "--prompt", "patient_answer@v1", "-q", *s]) == 0
    assert main(["score", "-q", *s]) == 0
    a, b = store.answers()
    assert a.cited_ids and a.question_id != b.question_id
    assert main(["decide", a.id, "--approve", "--reviewer", "Dr Ng", *s]) == 0
    assert main(["decide", b.id, "--reject", "--reason", "wrong", "--reviewer", "Dr Ng", *s]) == 0
    assert main(["verify", *s]) == 0
    capsys.readouterr()
    return a, b


def _published(out: Path) -> list[dict[str, object]]:
    text = (out / "approved.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def _skipped(out: Path) -> dict[str, str]:
    with (out / "skipped.csv").open() as fh:
        return {row["answer_id"]: row["reason"] for row in csv.DictReader(fh)}


def test_swapping_question_ids_is_named_by_verify_and_never_published(
    decided: tuple[Answer, Answer],
    store_location: str,
    db: RawDB,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = decided
    db.execute("UPDATE answers SET question_id = 'swap' WHERE id = ?", (a.id,))
    db.execute("UPDATE answers SET question_id = ? WHERE id = ?", (a.question_id, b.id))
    db.execute("UPDATE answers SET question_id = ? WHERE id = ?", (b.question_id, a.id))
    s = ["--store", store_location]
    assert main(["verify", *s]) == 1
    err = capsys.readouterr().err
    assert f"{a.id} was approved for {a.question_id}; it now answers {b.question_id}" in err
    assert f"{b.id} was rejected for {b.question_id}; it now answers {a.question_id}" in err
    out = tmp_path / "exp"
    assert main(["export", "--approved", "--out", str(out), "-q", *s]) == 0
    assert _published(out) == []
    assert f"it now answers {b.question_id}" in _skipped(out)[a.id]
    assert not (out / "pages" / f"{b.question_id}.html").exists()


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("cited_ids", '["e-made-up"]', "it now cites e-made-up"),
        ("cited_ids", "[]", "it now cites nothing"),
        ("prompt_key", "patient_answer@v2", "it now says patient_answer@v2"),
        ("text", "Stop your treatment now.", "its text changed after it was approved"),
    ],
)
def test_changing_what_an_approval_covered_fails_verify_and_skips_the_export(
    decided: tuple[Answer, Answer],
    store_location: str,
    db: RawDB,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str,
    said: str,
) -> None:
    a, _ = decided
    db.execute(f"UPDATE answers SET {column} = ? WHERE id = ?", (value, a.id))
    s = ["--store", store_location]
    assert main(["verify", *s]) == 1
    assert said in capsys.readouterr().err
    out = tmp_path / "exp"
    assert main(["export", "--approved", "--out", str(out), "-q", *s]) == 0
    assert _published(out) == [] and said in _skipped(out)[a.id]


def test_an_answer_moved_to_another_run_or_removed_is_named(
    decided: tuple[Answer, Answer],
    store_location: str,
    db: RawDB,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b = decided
    db.execute(
        "INSERT INTO runs (id, prompt_key, backend, model, questions_source, settings, "
        "created_at) SELECT 'other', prompt_key, backend, model, questions_source, settings, "
        "created_at FROM runs WHERE id = ?",
        (a.run_id,),
    )
    db.execute("UPDATE answers SET run_id = 'other' WHERE id = ?", (a.id,))
    assert main(["verify", "--store", store_location]) == 1
    assert f"was approved in run {a.run_id}; it is now in run other" in capsys.readouterr().err
    db.drop_trigger("decision_log_no_delete")
    for table in ("evaluation_findings", "evaluations"):
        db.execute(f"DELETE FROM {table} WHERE answer_id = ?", (b.id,))
    if db.kind.value == "sqlite":
        db.execute("PRAGMA foreign_keys = OFF")
    else:
        db.execute("ALTER TABLE decision_log DROP CONSTRAINT decision_log_answer_id_fkey")
    db.execute("DELETE FROM answers WHERE id = ?", (b.id,))
    assert main(["verify", "--store", store_location]) == 1
    assert f"{b.id} was rejected in row 2; it is gone" in capsys.readouterr().err


def test_an_excerpt_changed_since_the_approval_holds_the_answer_back(
    decided: tuple[Answer, Answer], store_location: str, tmp_path: Path
) -> None:
    a, _ = decided
    data = tmp_path / "data"
    shutil.copytree(default_datasets_dir(), data)
    cited = a.cited_ids[0]
    for file in (data / "excerpts").glob("*.jsonl"):
        rows = [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
        for row in rows:
            if row["id"] == cited:
                row["text"] += " A sentence added after the approval."
                row["version"] += 1
        file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "exp"
    s = ["--store", store_location, "--datasets", str(data)]
    assert main(["export", "--approved", "--out", str(out), "-q", *s]) == 0
    assert _published(out) == []
    assert f"excerpt {cited} changed since it was approved" in _skipped(out)[a.id]
    out2 = tmp_path / "exp2"
    assert main(["export", "--approved", "--out", str(out2), "-q", "--store", store_location]) == 0
    assert [r["answer_id"] for r in _published(out2)] == [a.id]


def test_decisions_from_before_the_binding_are_checked_on_what_they_covered(
    store_location: str, corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    _migrated_up_to(store_location, "006_evaluation_findings_for_review_queue")
    q = corpus.questions[0]
    old = Answer("a-old", "r1", q.id, "p@v1", "offline", "m", "Text.", (), ())
    draft = DecisionDraft("d-1", old.id, "Dr Ng", "ng", Decision.APPROVE, "", old.created_at)
    row = _old_row(draft, old)
    with RawDB(store_location) as db:
        db.execute(
            "INSERT INTO runs (id, prompt_key, backend, model, questions_source, settings, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            tuple(run_row(Run("r1", "p@v1", "offline", "m", "test")).values()),
        )
        cols = answer_row(old)
        marks = ", ".join("?" * len(cols))
        db.execute(
            f"INSERT INTO answers ({', '.join(cols)}) VALUES ({marks})", tuple(cols.values())
        )
        db.execute(
            f"INSERT INTO decision_log ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            tuple(row.values()),
        )
    with Workspace.resolve(store=store_location).open_store() as store:  # migrates to 007
        check = verify_log(store)
        assert check.ok and check.notes and "row 1" in check.notes[0]
        new = Answer("a-new", "r1", corpus.questions[1].id, "p@v1", "offline", "m", "More.", (), ())
        store.add_answer(new)
        made = record_decision(store, new.id, Decision.APPROVE, reviewer="Dr Ng")
        assert made.binding is not None and made.binding.question_id == new.question_id
        assert verify_log(store, key=store.log_key).ok
    assert main(["verify", "--store", store_location]) == 0
    assert "older binding: 1 decisions (row 1)" in capsys.readouterr().out
    with RawDB(store_location) as db:  # the older row's text is still what it covered
        db.execute("UPDATE answers SET text = 'Changed.' WHERE id = 'a-old'")
    assert main(["verify", "--store", store_location]) == 1
    assert "a-old: its text changed after it was approved" in capsys.readouterr().err


def test_a_row_without_binding_after_bound_ones_is_caught(
    decided: tuple[Answer, Answer],
    store_location: str,
    db: RawDB,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An approval forged as an old-style row (narrower binding) with a correct link."""
    a, b = decided
    (last,) = db.execute("SELECT hash FROM decision_log ORDER BY seq DESC LIMIT 1")
    draft = DecisionDraft("d-forged", b.id, "Dr Ng", "ng", Decision.APPROVE, "", a.created_at)
    row = _old_row(draft, b, prev=str(last[0]))
    db.execute(
        f"INSERT INTO decision_log ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    assert main(["verify", "--store", store_location]) == 1
    assert "older, narrower binding though decisions before it do not" in capsys.readouterr().err
