"""Keys by default: the first decision makes the user's key; a keyed log is published,
appended to and verified only with its key; an unkeyed one says what it cannot detect.

The config folder is the test's own (`tests/conftest.py` points `WORKBENCH_CONFIG_DIR` at
it), so no test reads or writes the user's real key.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import stat
from pathlib import Path

import pytest

from tests import pgcluster
from tests.oneline import one_line
from workbench.cli.main import main
from workbench.models import Decision
from workbench.review.decisions import record_decision
from workbench.store import SQLiteStore
from workbench.store.keys import config_key_file
from workbench.workspace import Workspace

UNKEYED = "cannot be detected without a key or an anchor kept elsewhere"


@pytest.fixture
def answers(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["generate", "--limit", "2", "--prompt", "patient_answer@v1", "-q"]) == 0
    assert main(["score", "-q"]) == 0
    capsys.readouterr()
    with SQLiteStore("workbench.db", log_key=None) as store:
        return [a.id for a in store.answers()]


def test_the_first_decision_makes_the_users_key_outside_the_store(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = config_key_file()
    assert not key_file.exists()
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    key = key_file.read_text().strip()
    assert len(key) == 64 and key.encode() not in Path("workbench.db").read_bytes()
    assert main(["decide", answers[1], "--reject", "--reason", "r", "--reviewer", "X"]) == 0
    assert key_file.read_text().strip() == key  # made once
    with SQLiteStore("workbench.db", log_key=None) as store:
        assert all(d.mac for d in store.decisions())
    capsys.readouterr()
    assert main(["verify"]) == 0
    assert "every keyed decision's MAC matches the key" in capsys.readouterr().out


def test_a_keyed_store_with_no_key_in_reach_publishes_nothing(
    answers: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    config_key_file().rename(tmp_path / "kept.key")
    capsys.readouterr()
    for command in (
        ["export", "--approved", "--out", "exp", "-q"],
        ["export", "--out", "rows", "-q"],
        ["report", "--out", "rep", "--no-calibration", "-q"],
        ["decide", answers[1], "--approve", "--reviewer", "Dr Ng"],
    ):
        assert main(command) == 2, command
        err = one_line(capsys)
        assert "no log key is in reach" in err and str(config_key_file()) in err, err
    assert not any(Path(p).exists() for p in ("exp", "rows", "rep"))
    assert main(["verify"]) == 2
    captured = capsys.readouterr()
    assert "1 decisions carry a keyed MAC that could not be checked" in captured.err
    assert "intact" not in captured.out
    # the key given back: all of it works again
    kept = tmp_path / "kept.key"
    assert main(["verify", "--key-file", str(kept)]) == 0
    assert main(["export", "--approved", "--out", "exp", "--key-file", str(kept), "-q"]) == 0
    os.environ["WORKBENCH_LOG_KEY_FILE"] = str(kept)
    try:
        assert main(["decide", answers[1], "--approve", "--reviewer", "Dr Ng"]) == 0
    finally:
        del os.environ["WORKBENCH_LOG_KEY_FILE"]


def test_another_key_cannot_append_and_fails_verify(
    answers: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    monkeypatch.setenv("WORKBENCH_LOG_KEY", "x" * 40)
    capsys.readouterr()
    assert main(["decide", answers[1], "--approve", "--reviewer", "Mallory"]) == 2
    assert "is not the key that signed this decision log" in one_line(capsys)
    assert main(["verify"]) == 1
    assert "keyed MAC does not match" in capsys.readouterr().err
    assert main(["export", "--approved", "--out", "exp", "-q"]) == 2
    one_line(capsys)


def test_an_unkeyed_log_says_what_it_cannot_detect(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with SQLiteStore("workbench.db", log_key=None) as store:  # as a workbench without keys
        record_decision(store, answers[0], Decision.APPROVE, reviewer="Dr Ng")
    assert not config_key_file().exists()
    capsys.readouterr()
    assert main(["verify"]) == 0
    assert UNKEYED in capsys.readouterr().out
    assert main(["export", "--approved", "--out", "exp", "-q"]) == 0
    assert UNKEYED in capsys.readouterr().out


def test_export_checks_an_anchor_before_it_writes(
    answers: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["decide", answers[0], "--approve", "--reviewer", "Dr Ng"]) == 0
    assert main(["decide", answers[1], "--approve", "--reviewer", "Dr Ng"]) == 0
    assert main(["export", "--approved", "--out", "first", "-q"]) == 0
    anchor = json.loads(Path("first/anchor.json").read_text())
    assert anchor["decisions"] == 2
    assert main(["export", "--approved", "--out", "again", "--anchor", "first/anchor.json"]) == 0
    db = sqlite3.connect("workbench.db", isolation_level=None)  # the tail and its counter go
    db.execute("DROP TRIGGER decision_log_no_delete")
    db.execute("DELETE FROM decision_log WHERE seq = 2")
    db.execute("UPDATE sqlite_sequence SET seq = 1 WHERE name = 'decision_log'")
    db.close()
    capsys.readouterr()
    args = ["export", "--approved", "--out", "third", "--anchor", "first/anchor.json", "-q"]
    assert main(args) == 2
    assert "no longer extends anchor" in one_line(capsys)
    assert not Path("third").exists()
    assert main(["export", "--approved", "--out", "third", "--anchor", "nonsense", "-q"]) == 2
    assert "nonsense" in one_line(capsys)


def test_a_team_on_postgresql_shares_one_key_file(
    postgres: pgcluster.Cluster,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    s = ["--store", postgres.create_database()]
    assert main(["generate", "--limit", "2", "--prompt", "patient_answer@v1", "-q", *s]) == 0
    assert main(["score", "-q", *s]) == 0
    with Workspace.resolve(store=s[1]).open_store(read_only=True) as store:
        a, b = (x.id for x in store.answers())
    team = tmp_path / "team.key"
    team.write_text(secrets.token_hex(32) + "\n")
    team.chmod(0o600)
    monkeypatch.setenv("WORKBENCH_LOG_KEY_FILE", str(team))
    for member, (answer, verdict) in {"alice": (a, "--approve"), "bob": (b, "--approve")}.items():
        monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path / member))
        assert main(["decide", answer, verdict, "--reviewer", member, *s]) == 0
        assert not (tmp_path / member).exists()  # the team key was in reach: none made
    capsys.readouterr()
    assert main(["verify", *s]) == 0
    assert "every keyed decision's MAC matches the key" in capsys.readouterr().out
    monkeypatch.delenv("WORKBENCH_LOG_KEY_FILE")  # carol has not got the team key
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path / "carol"))
    assert main(["decide", a, "--reject", "--reason", "x", "--reviewer", "carol", *s]) == 2
    assert "no log key is in reach" in one_line(capsys)
    assert main(["export", "--approved", "--out", "exp", "-q", *s]) == 2
    assert "no log key is in reach" in one_line(capsys)


def test_the_users_own_key_does_not_fail_an_older_unkeyed_store(
    answers: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with SQLiteStore("workbench.db", log_key=None) as store:  # written before keys
        record_decision(store, answers[0], Decision.APPROVE, reviewer="Dr Ng")
    assert main(["generate", "--limit", "1", "--store", "other.db", "-q"]) == 0
    with SQLiteStore("other.db") as other:  # the user's key is made for another store
        record_decision(other, other.answers()[0].id, Decision.APPROVE, reviewer="Dr Ng")
    assert config_key_file().exists()
    capsys.readouterr()
    assert main(["verify"]) == 0
    assert UNKEYED in capsys.readouterr().out
    assert main(["export", "--approved", "--out", "exp", "-q"]) == 0
    # a key named on purpose is the log's to carry: its MACs must be there
    monkeypatch.setenv("WORKBENCH_LOG_KEY_FILE", str(config_key_file()))
    assert main(["verify"]) == 1
    assert "no decision carries a keyed MAC" in capsys.readouterr().err
