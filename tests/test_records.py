"""The review record against attackers and accidents, through the real command line.

Each test here is a case an auditor tried: a removed last decision, a chain rewritten end
to end, an approval over a failed safety rule, a store on a read-only mount, a copy taken
while the desk writes. Tampering is done the way someone with write access to the file
would do it: plain `sqlite3`, dropping and re-creating the triggers.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.readonly import read_only
from workbench.cli.main import main
from workbench.models import SafetyFinding, Severity
from workbench.store import SQLiteStore
from workbench.store.decision_log import decision_hash

KEY = "k" * 40


def _trigger_sql(db: sqlite3.Connection, name: str) -> str:
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    return str(sql)


def _without_trigger(path: Path, trigger: str, *statements: str) -> None:
    """Run statements with one trigger dropped, then put the trigger back, as an attacker."""
    db = sqlite3.connect(path, isolation_level=None)
    sql = _trigger_sql(db, trigger)
    db.execute(f"DROP TRIGGER {trigger}")
    for s in statements:
        db.execute(s)
    db.execute(sql)
    db.close()


@pytest.fixture
def answers(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Two generated, scored answers in ./workbench.db, made by the real commands."""
    assert main(["generate", "--limit", "2", "--prompt", "patient_answer@v1", "-q"]) == 0
    assert main(["score", "-q"]) == 0
    capsys.readouterr()
    with SQLiteStore("workbench.db") as store:
        return [a.id for a in store.answers()]


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert "Traceback" not in captured.err + captured.out
    assert len(err.splitlines()) == 1, err
    return err


def test_a_removed_last_decision_is_caught_and_nothing_rejected_is_published(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    a = answers[0]
    assert main(["decide", a, "--approve", "--reviewer", "Dr Ng"]) == 0
    assert main(["decide", a, "--reject", "--reason", "wrong dose", "--reviewer", "Dr Ng"]) == 0
    _without_trigger(
        Path("workbench.db"),
        "decision_log_no_delete",
        "DELETE FROM decision_log WHERE seq = (SELECT max(seq) FROM decision_log)",
    )
    capsys.readouterr()
    assert main(["verify"]) == 1
    captured = capsys.readouterr()
    assert "row 2" in captured.err and "missing" in captured.err
    assert "intact" not in captured.out
    assert main(["export", "--approved", "--out", "exp", "-q"]) == 2
    err = _one_line_error(capsys)
    assert "decision log" in err and "workbench verify" in err
    assert not Path("exp/approved.jsonl").exists()


def test_verify_no_longer_says_row_3_of_2(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(3):
        assert main(["decide", answers[0], "--reject", "--reason", f"r{i}", "--reviewer", "X"]) == 0
    _without_trigger(
        Path("workbench.db"), "decision_log_no_delete", "DELETE FROM decision_log WHERE seq = 2"
    )
    capsys.readouterr()
    assert main(["verify"]) == 1
    err = capsys.readouterr().err
    assert "of 2" not in err and "row 2" in err


def _rewrite_second_as_approval(path: Path) -> None:
    """Turn the reject (row 2) into an approval and recompute every SHA-256 after it."""
    with SQLiteStore(path, log_key=None) as store:
        rows = store.decisions()
    db = sqlite3.connect(path, isolation_level=None)
    sql = _trigger_sql(db, "decision_log_no_update")
    db.execute("DROP TRIGGER decision_log_no_update")
    prev = rows[0].hash
    for d in rows[1:]:
        from dataclasses import replace

        from workbench.models import Decision

        forged = replace(d, decision=Decision.APPROVE, reason="", prev_hash=prev)
        meaning = Decision.APPROVE.meaning
        digest = decision_hash(
            forged, answer_sha256=d.answer_sha256, meaning=meaning, prev_hash=prev
        )
        db.execute(
            "UPDATE decision_log SET decision = 'approve', reason = '', meaning = ?, "
            "prev_hash = ?, hash = ? WHERE seq = ?",
            (meaning, prev, digest, d.seq),
        )
        prev = digest
    db.execute(sql)
    db.close()


def test_a_chain_rewritten_end_to_end_is_caught_by_the_key_and_by_an_anchor(
    answers: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKBENCH_LOG_KEY", KEY)
    a = answers[0]
    assert main(["decide", a, "--approve", "--reviewer", "Dr Ng"]) == 0
    assert main(["decide", a, "--reject", "--reason", "wrong dose", "--reviewer", "Dr Ng"]) == 0
    assert main(["export", "--approved", "--out", "exp", "-q"]) == 0
    out = capsys.readouterr().out
    anchor = json.loads(Path("exp/anchor.json").read_text())
    assert anchor["decisions"] == 2 and anchor["head"] in out
    assert KEY.encode() not in Path("workbench.db").read_bytes()

    _rewrite_second_as_approval(Path("workbench.db"))
    monkeypatch.delenv("WORKBENCH_LOG_KEY")
    # the plain chain is consistent again, but its MACs cannot be checked without the key...
    assert main(["verify"]) == 2
    captured = capsys.readouterr()
    assert "keyed check NOT MADE" in captured.out and "intact" not in captured.out
    assert "2 decisions carry a keyed MAC that could not be checked" in captured.err
    assert main(["verify", "--anchor", "exp/anchor.json"]) == 1  # ...but not with the anchor
    assert "anchor" in capsys.readouterr().err
    assert main(["verify", "--anchor", f"2:{anchor['head']}"]) == 1
    monkeypatch.setenv("WORKBENCH_LOG_KEY", KEY)
    assert main(["verify"]) == 1  # ...nor with the key
    assert "row 2" in capsys.readouterr().err
    assert main(["export", "--approved", "--out", "exp2", "-q"]) == 2
    _one_line_error(capsys)
    key_file = Path("log.key")
    key_file.write_text(KEY + "\n")
    monkeypatch.delenv("WORKBENCH_LOG_KEY")
    assert main(["verify", "--key-file", str(key_file)]) == 1


def test_a_tail_removed_with_its_counter_reset_is_caught_by_the_anchor(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    assert main(["decide", answers[1], "--approve", "--reviewer", "Dr Ng"]) == 0
    assert main(["report", "--out", "rep", "--no-calibration", "-q"]) == 0
    anchor = json.loads(Path("rep/anchor.json").read_text())
    assert anchor["head"] in Path("rep/report.html").read_text()
    assert main(["verify", "--anchor", "rep/anchor.json"]) == 0
    _without_trigger(
        Path("workbench.db"),
        "decision_log_no_delete",
        "DELETE FROM decision_log WHERE seq = 2",
        "UPDATE sqlite_sequence SET seq = 1 WHERE name = 'decision_log'",
    )
    assert main(["verify"]) == 0  # nothing inside the file remembers the second decision
    capsys.readouterr()
    assert main(["verify", "--anchor", "rep/anchor.json"]) == 1
    assert "holds 1" in capsys.readouterr().err


def test_a_wrong_or_bad_anchor_is_one_clear_line(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--anchor", "not-an-anchor"]) == 2
    assert "not-an-anchor" in _one_line_error(capsys)


def _fail_finding(answer_id: str) -> None:
    with SQLiteStore("workbench.db") as store:
        (ev,) = store.evaluations_of(answer_id)
        finding = SafetyFinding(
            "stop-standard-treatment", Severity.FAIL, "Tells the patient to stop treatment.", "h"
        )
        from dataclasses import replace

        store.add_evaluation(replace(ev, safety=(*ev.safety, finding)))


def test_approval_over_a_failed_safety_rule_is_a_deliberate_recorded_override(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = answers
    _fail_finding(a)
    assert main(["decide", a, "--approve", "--reviewer", "Dr Ng"]) == 2
    err = _one_line_error(capsys)
    assert "stop-standard-treatment" in err and "--override-safety" in err
    assert main(["decide", a, "--approve", "--override-safety", "--reviewer", "Dr Ng"]) == 2
    assert "reason" in _one_line_error(capsys)
    assert main(["decide", b, "--approve", "--override-safety", "--reason", "x"]) == 2
    assert "no failed safety rule" in _one_line_error(capsys)
    why = "Context makes clear the patient should talk to their team first."
    args = ["decide", a, "--approve", "--override-safety", "--reason", why, "--reviewer", "Dr Ng"]
    assert main(args) == 0
    assert "overriding" in capsys.readouterr().out
    with SQLiteStore("workbench.db") as store:
        (d,) = store.decisions_of(a)
    assert d.overrides == ("stop-standard-treatment",) and d.reason == why
    assert main(["verify"]) == 0
    # an override is part of the hashed row: changing it breaks the chain
    _without_trigger(
        Path("workbench.db"),
        "decision_log_no_update",
        "UPDATE decision_log SET overrides = NULL",
    )
    assert main(["verify"]) == 1
    capsys.readouterr()


def test_the_override_shows_on_the_page_and_in_the_report(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    a = answers[0]
    _fail_finding(a)
    why = "Reviewed with oncology: acceptable in context."
    assert main(["decide", a, "--approve", "--override-safety", "--reason", why]) == 0
    assert main(["export", "--approved", "--out", "exp", "-q"]) == 0
    (page,) = Path("exp/pages").glob("*.html")
    html = page.read_text()
    assert "Safety override" in html and "stop-standard-treatment" in html and why in html
    row = json.loads(Path("exp/approved.jsonl").read_text().splitlines()[0])
    assert row["safety_overrides"] == ["stop-standard-treatment"]
    assert main(["report", "--out", "rep", "--no-calibration", "-q"]) == 0
    report = Path("rep/report.html").read_text()
    assert "overriding failed safety rule" in report and "stop-standard-treatment" in report


def test_the_store_itself_refuses_an_approval_over_a_failed_rule(answers: list[str]) -> None:
    a = answers[0]
    _fail_finding(a)
    db = sqlite3.connect("workbench.db", isolation_level=None)
    with pytest.raises(sqlite3.IntegrityError, match="safety"):
        db.execute(
            "INSERT INTO decision_log (id, answer_id, answer_sha256, reviewer, account, decision,"
            " reason, meaning, created_at, prev_hash, hash) VALUES "
            "('x', ?, 's', 'r', 'a', 'approve', '', 'm', 't', ?, 'h')",
            (a, "0" * 64),
        )


def test_verify_reports_damaged_pages_and_other_commands_name_the_store(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--limit", "12", "-q"]) == 0
    assert main(["score", "-q"]) == 0
    path = Path("workbench.db")
    with SQLiteStore(path) as store:
        store.checkpoint()
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096)
        fh.write(os.urandom(8192))
    capsys.readouterr()
    assert main(["verify"]) == 1
    captured = capsys.readouterr()
    assert "damaged" in captured.err + captured.out and "Traceback" not in captured.err
    for command in (["runs"], ["report", "--out", "rep", "--no-calibration", "-q"], ["export"]):
        assert main(command) == 2, command
        err = _one_line_error(capsys)
        assert "workbench.db" in err and "damaged" in err


@pytest.mark.parametrize(
    "command",
    [
        ["verify"],
        ["runs"],
        ["score", "-q"],
        ["report", "--no-calibration", "-q"],
        ["export"],
        ["export", "--approved"],
        ["decide", "a-1", "--approve"],
        ["agreement"],
        ["backup", "--out", "copy.db"],
    ],
)
def test_a_mistyped_store_is_not_created(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--store", "typo.db"]) == 2
    assert "no store at typo.db" in _one_line_error(capsys)
    assert not Path("typo.db").exists()


def test_a_store_on_a_read_only_mount_verifies_reports_and_exports(
    answers: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    archive = tmp_path / "archive"
    archive.mkdir()
    assert main(["backup", "--out", str(archive / "copy.db")]) == 0
    with read_only(archive):
        s = ["--store", str(archive / "copy.db")]
        capsys.readouterr()
        assert main(["verify", *s]) == 0
        assert "1 decision" in capsys.readouterr().out
        assert main(["report", "--out", "rep", "--no-calibration", "-q", *s]) == 0
        assert main(["export", "--approved", "--out", "exp", "-q", *s]) == 0
        assert main(["runs", *s]) == 0
        assert sorted(p.name for p in archive.iterdir()) == ["copy.db"]


def test_outputs_are_world_readable_under_umask_022(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    old = os.umask(0o022)
    try:
        assert main(["report", "--out", "rep", "--no-calibration", "-q"]) == 0
        assert main(["export", "--approved", "--out", "exp", "-q"]) == 0
        assert main(["backup", "--out", "copy.db"]) == 0
    finally:
        os.umask(old)
    written = [*Path("rep").iterdir(), *Path("exp").rglob("*.*"), Path("copy.db")]
    assert any(p.name == "report.html" for p in written)
    for p in written:
        if p.is_file():
            assert stat.S_IMODE(p.stat().st_mode) == 0o644, p


@pytest.mark.parametrize("approved", [False, True])
def test_a_read_only_or_unmakeable_output_folder_is_one_clear_line(
    answers: list[str], capsys: pytest.CaptureFixture[str], approved: bool
) -> None:
    locked = Path("locked").absolute()
    locked.mkdir()
    Path("afile").write_text("x")
    extra = ["--approved"] if approved else []
    with read_only(locked):
        for out in (locked, locked / "deeper", Path("afile") / "out"):
            assert main(["export", *extra, "--out", str(out), "-q"]) == 2
            assert str(out) in _one_line_error(capsys)
        assert main(["report", "--out", str(locked), "--no-calibration", "-q"]) == 2
        assert str(locked) in _one_line_error(capsys)


WRITER = """
import sys
from workbench.models import Decision
from workbench.review.decisions import record_decision
from workbench.store import SQLiteStore
with SQLiteStore(sys.argv[1]) as store:
    for i in range(int(sys.argv[3])):
        record_decision(store, sys.argv[2], Decision.REJECT, reviewer="desk", reason=f"r{i}")
"""


def test_backup_while_the_desk_writes_keeps_every_committed_decision(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, "workbench.db", answers[0], "300"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    copies = []
    while writer.poll() is None and len(copies) < 5:
        out = Path(f"copy{len(copies)}.db")
        assert main(["backup", "--out", str(out)]) == 0
        copies.append(out)
    assert writer.wait() == 0
    assert main(["backup", "--out", "final.db"]) == 0
    for copy in [*copies, Path("final.db")]:
        capsys.readouterr()
        assert main(["verify", "--store", str(copy)]) == 0, copy
    with SQLiteStore("final.db") as store:
        assert len(store.decisions()) == 300
    assert main(["backup", "--out", "final.db"]) == 2  # never overwrites a file
    assert "exists" in _one_line_error(capsys)
