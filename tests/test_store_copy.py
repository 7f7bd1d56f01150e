"""`workbench store copy`: the demo store to PostgreSQL and back, every record and hash kept,
the chain verified on arrival, the same approved answers exported from each copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import pgcluster
from tests.storekit import RawDB
from workbench.cli.main import main
from workbench.models import Decision
from workbench.review.decisions import edit_answer, record_decision
from workbench.runs.demo import run_demo
from workbench.workspace import Workspace


def _reviewed_demo(tmp_path: Path) -> Path:
    """A demo store with approvals, a rejection, an edit and an approval of the edit."""
    demo = run_demo(tmp_path / "demo", limit=6, progress=False)
    with Workspace.resolve(store=demo.store_path).open_store() as store:
        a, b, c, d, *_ = store.answers()
        record_decision(store, a.id, Decision.APPROVE, reviewer="Dr Ng")
        record_decision(store, b.id, Decision.REJECT, reviewer="Dr Ng", reason="wrong stage")
        record_decision(store, c.id, Decision.APPROVE, reviewer="Dr Ali")
        new, _ = edit_answer(store, c.id, c.text + "\nAsk your care team.", reviewer="Dr Ng",
                             reason="add the next step")  # fmt: skip
        record_decision(store, new.id, Decision.APPROVE, reviewer="Dr Ng")
        record_decision(store, d.id, Decision.NEEDS_EDIT, reviewer="Dr Ali", reason="too long")
    return demo.store_path


def _everything(location: str) -> tuple[object, ...]:
    with Workspace.resolve(store=location).open_store() as s:
        return (s.runs(), s.answers(), s.evaluations(), s.decisions(), s.review_rows())


def _approved(location: str, out: Path) -> list[dict[str, object]]:
    assert main(["export", "--approved", "--store", location, "--out", str(out), "-q"]) == 0
    return [json.loads(line) for line in (out / "approved.jsonl").read_text().splitlines()]


def test_the_demo_store_goes_to_postgresql_and_back_unchanged(
    tmp_path: Path, postgres: pgcluster.Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(_reviewed_demo(tmp_path))
    team, back = postgres.create_database(), str(tmp_path / "back.db")
    assert main(["store", "copy", "--from", source, "--to", team]) == 0
    out = capsys.readouterr().out
    assert "6 decisions" in out and "verified on arrival" in out and "every hash" in out
    assert main(["store", "copy", "--from", team, "--to", f"sqlite:///{back}"]) == 0
    capsys.readouterr()

    original = _everything(source)
    assert _everything(team) == original and _everything(back) == original
    answers = []
    for where in (source, team, back):
        assert main(["verify", "--store", where]) == 0
        _, *said = capsys.readouterr().out.splitlines()  # the first line names the store
        answers.append(said)
    assert answers[0] == answers[1] == answers[2]  # the same answer in either database
    assert any("6 decisions, every hash, link and counter holds" in line for line in answers[0])
    exported = [
        _approved(where, tmp_path / f"out{i}") for i, where in enumerate((source, team, back))
    ]
    assert len(exported[0]) == 2 and exported[0] == exported[1] == exported[2]


def test_a_copy_goes_only_into_an_empty_store_and_never_from_a_broken_log(
    tmp_path: Path, postgres: pgcluster.Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    source = str(_reviewed_demo(tmp_path))
    team = postgres.create_database()
    assert main(["store", "copy", "--from", source, "--to", team]) == 0
    assert main(["store", "copy", "--from", source, "--to", team]) == 2
    assert "is not empty" in capsys.readouterr().err
    with RawDB(team) as db:
        db.drop_trigger("decision_log_no_update")
        db.execute("UPDATE decision_log SET reason = 'fine' WHERE seq = 2")
    assert main(["verify", "--store", team]) == 1
    assert main(["store", "copy", "--from", team, "--to", str(tmp_path / "x.db")]) == 2
    err = capsys.readouterr().err
    assert "broken at row 2" in err and "nothing was copied" in err
