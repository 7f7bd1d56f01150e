"""Bad inputs an auditor tried: each ends in one line naming what is wrong, exit 2, and
nothing written (or, for an import into another filesystem, the import done right)."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import pgcluster
from tests.oneline import one_line
from tests.readonly import read_only
from tests.storekit import RawDB
from workbench.cli.main import main
from workbench.data.datasets import default_datasets_dir
from workbench.importing import writer
from workbench.store import SQLiteStore

NOTE = "# Diet\n\n## Eating well\n\nEating well helps many people during cancer treatment.\n"


@contextmanager
def _other_filesystem(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`folder` on a filesystem of its own (a tmpfs mounted there), as a mount point is;
    where mounting is not allowed, renames out of the folder fail with EXDEV at the seam."""
    folder.mkdir()
    if os.geteuid() == 0:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode == 0:
            try:
                yield "tmpfs mount"
            finally:
                subprocess.run(["umount", str(folder)], check=True)
            return
    inside = str(folder.absolute())

    def crossing(real):  # type: ignore[no-untyped-def]
        def rename(src: os.PathLike[str] | str, dst: os.PathLike[str] | str) -> None:
            if str(Path(dst).absolute()).startswith(inside) != str(Path(src).absolute()).startswith(
                inside
            ):
                raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
            real(src, dst)

        return rename

    monkeypatch.setattr(writer.os, "rename", crossing(os.rename))
    monkeypatch.setattr(writer.os, "replace", crossing(os.replace))
    yield "simulated EXDEV"


def test_import_into_a_mount_point_of_another_filesystem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "diet.md"
    doc.write_text(NOTE)
    into = tmp_path / "mnt"
    with _other_filesystem(into, monkeypatch):
        code = main(["import", str(doc), "--into", str(into)])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err and code == 0, captured.err
        assert [p.name for p in (into / "excerpts").iterdir()] == ["diet.jsonl"]
        assert not [p for p in into.iterdir() if p.name.startswith(".")]
        # again, into a folder that now holds a data set: the changed file replaces the old
        doc.write_text(NOTE.replace("many", "most"))
        assert main(["import", str(doc), "--into", str(into)]) == 0
        assert "most people" in (into / "excerpts" / "diet.jsonl").read_text()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".mnt")]


def test_demo_into_a_read_only_folder_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only(locked):
        assert main(["demo", "--out", str(locked), "--limit", "1", "-q"]) == 2
        assert str(locked) in one_line(capsys)
        assert main(["demo", "--out", str(locked / "deeper"), "--limit", "1", "-q"]) == 2
        assert str(locked / "deeper") in one_line(capsys)
    assert list(locked.iterdir()) == []


def test_an_empty_excerpts_file_in_a_datasets_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "data"
    shutil.copytree(default_datasets_dir(), folder)
    (folder / "excerpts" / "zz-empty.jsonl").write_text("\n")
    assert main(["generate", "--datasets", str(folder), "--limit", "1", "-q"]) == 2
    err = one_line(capsys)
    assert "zz-empty.jsonl" in err and "no excerpts" in err
    assert not Path("workbench.db").exists()
    (folder / "excerpts" / "zz-empty.jsonl").unlink()
    (folder / "questions" / "zz-empty.jsonl").write_text("")
    assert main(["generate", "--datasets", str(folder), "--limit", "1", "-q"]) == 2
    assert "zz-empty.jsonl" in one_line(capsys)


def test_a_refused_store_copy_leaves_its_target_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--limit", "1", "-q"]) == 0
    target = tmp_path / "team.db"
    # a target that is already a store with records
    assert main(["store", "copy", "--from", "workbench.db", "--to", str(target)]) == 0
    before = target.read_bytes()
    capsys.readouterr()
    assert main(["store", "copy", "--from", "workbench.db", "--to", str(target)]) == 2
    assert "not empty" in one_line(capsys) and target.read_bytes() == before
    # a zero-byte file, and a file that is not a store: refused, untouched
    for name, content in (("empty.db", b""), ("notes.db", b"my notes " * 100)):
        other = tmp_path / name
        other.write_bytes(content)
        assert main(["store", "copy", "--from", "workbench.db", "--to", str(other)]) == 2
        assert name in one_line(capsys) and other.read_bytes() == content
    # a source whose log is broken: the new target is never made
    assert main(["decide", _answer(), "--reject", "--reason", "r", "--reviewer", "X"]) == 0
    assert main(["decide", _answer(), "--reject", "--reason", "s", "--reviewer", "X"]) == 0
    db = sqlite3.connect("workbench.db", isolation_level=None)
    db.execute("DROP TRIGGER decision_log_no_delete")
    db.execute("DELETE FROM decision_log WHERE seq = 1")
    db.close()
    fresh = tmp_path / "fresh.db"
    assert main(["store", "copy", "--from", "workbench.db", "--to", str(fresh)]) == 2
    assert "nothing was copied" in one_line(capsys)
    assert not fresh.exists() and not Path(f"{fresh}-wal").exists()


def _answer() -> str:
    with SQLiteStore("workbench.db", log_key=None) as store:
        return store.answers()[0].id


@pytest.mark.parametrize(
    "command",
    [
        ["generate", "--limit", "1", "-q"],
        ["score", "-q"],
        ["decide", "a-1", "--approve", "--reviewer", "X"],
        ["verify"],
        ["export", "--approved", "--out", "exp", "-q"],
        ["report", "--out", "rep", "--no-calibration", "-q"],
        ["runs"],
    ],
)
def test_a_zero_byte_file_is_not_a_store(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    Path("empty.db").write_bytes(b"")
    assert main([*command, "--store", "empty.db"]) == 2
    err = one_line(capsys)
    assert "empty.db is an empty file, not a store" in err
    assert Path("empty.db").read_bytes() == b""
    assert not Path("empty.db-wal").exists() and not Path("exp").exists()


def test_writes_refuse_a_store_with_damaged_pages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "--limit", "12", "-q"]) == 0
    assert main(["score", "-q"]) == 0
    answer = _answer()
    path = Path("workbench.db")
    with SQLiteStore(path, log_key=None) as store:
        store.checkpoint()
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096)
        fh.write(os.urandom(8192))
    before = path.read_bytes()
    capsys.readouterr()
    for command in (
        ["decide", answer, "--approve", "--reviewer", "X"],
        ["generate", "--limit", "13", "-q"],
        ["score", "--rescore", "-q"],
    ):
        assert main(command) == 2, command
        err = one_line(capsys)
        assert "workbench.db" in err and "damaged" in err
    assert path.read_bytes() == before


def test_a_refused_copy_makes_no_schema_in_a_postgresql_target(
    postgres: pgcluster.Cluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--limit", "1", "-q"]) == 0
    for reason in ("r", "s"):
        assert main(["decide", _answer(), "--reject", "--reason", reason, "--reviewer", "X"]) == 0
    db = sqlite3.connect("workbench.db", isolation_level=None)
    db.execute("DROP TRIGGER decision_log_no_delete")
    db.execute("DELETE FROM decision_log WHERE seq = 1")
    db.close()
    url = postgres.create_database()
    capsys.readouterr()
    assert main(["store", "copy", "--from", "workbench.db", "--to", url]) == 2
    assert "nothing was copied" in one_line(capsys)
    with RawDB(url) as raw:
        assert raw.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
