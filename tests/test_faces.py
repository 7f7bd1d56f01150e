"""Every face refuses the same bad store the same way: the CLI, each form, the public API.

Each bad store is made the way someone with write access to the file would make it
(plain SQL, a trigger dropped and put back); each face is asked to publish (or, for a
damaged store, to write) and must refuse with the same one line and write nothing.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import workbench
from workbench.cli.main import main
from workbench.errors import WorkbenchError
from workbench.models import Decision
from workbench.runs import records
from workbench.runs.options import DecideOptions, ExportOptions, ReportOptions
from workbench.store import SQLiteStore
from workbench.ui import export_app, review_app
from workbench.workspace import Workspace

Face = Callable[[Path, Path], str | None]  # (store, out folder) -> the refusal, or None


def _cli(*command: str) -> Face:
    def run(store: Path, out: Path) -> str | None:
        code = main([*command, "--out", str(out), "--store", str(store), "-q"])
        return None if code == 0 else f"exit {code}"

    return run


def _status_text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


def _form(button: str) -> Face:
    def run(store: Path, out: Path) -> str | None:
        try:
            app = export_app(store, out=out)
        except WorkbenchError as exc:  # the form could not even open the store
            return str(exc)
        app.view.calibrate.value = False
        getattr(app.view, button).click()
        text = _status_text(str(app.view.status.value))
        return None if "not saved" not in text and "stopped" not in text else text

    return run


def _api(report: bool) -> Face:
    def run(store: Path, out: Path) -> str | None:
        ws = Workspace.resolve(store=store)
        try:
            if report:
                workbench.report(ReportOptions(ws, out, judge=None))
            else:
                workbench.export_approved(ExportOptions(ws, out, approved=True))
        except WorkbenchError as exc:
            return str(exc)
        return None

    return run


PUBLISHING: dict[str, Face] = {
    "cli export --approved": _cli("export", "--approved"),
    "cli export": _cli("export"),
    "cli report": _cli("report", "--no-calibration"),
    "export form: Export": _form("export"),
    "export form: Report": _form("report"),
    "api export_approved": _api(report=False),
    "api report": _api(report=True),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two scored answers: b approved, then a approved and retracted by a reject (last),
    each decision keyed with a key no face is given."""
    folder = tmp_path_factory.mktemp("faces")
    old = Path.cwd()
    os.chdir(folder)
    try:
        assert main(["generate", "--limit", "2", "--prompt", "patient_answer@v1", "-q"]) == 0
        assert main(["score", "-q"]) == 0
        with SQLiteStore("workbench.db", log_key=b"k" * 40) as store:
            a, b = (x.id for x in store.answers())
            workbench.record_decision(store, b, Decision.APPROVE, reviewer="Dr Ali")
            workbench.record_decision(store, a, Decision.APPROVE, reviewer="Dr Ng")
            workbench.record_decision(
                store, a, Decision.REJECT, reviewer="Dr Ng", reason="wrong dose"
            )
            store.checkpoint()
    finally:
        os.chdir(old)
    return folder / "workbench.db"


def _raw(path: Path, trigger: str, *statements: str) -> None:
    db = sqlite3.connect(path, isolation_level=None)
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (trigger,)).fetchone()
    db.execute(f"DROP TRIGGER {trigger}")
    for s in statements:
        db.execute(s)
    db.execute(sql)
    db.close()


def retract_removed(path: Path) -> str:
    _raw(path, "decision_log_no_delete", "DELETE FROM decision_log WHERE seq = 3")
    return "row 3"


def row_rewritten(path: Path) -> str:
    _raw(path, "decision_log_no_update", "UPDATE decision_log SET reviewer = 'X' WHERE seq = 1")
    return "row 1"


def pages_damaged(path: Path) -> str:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.seek(size // 2 - (size // 2) % 4096)
        fh.write(os.urandom(8192))
    return "damaged"


def keyed_without_key(path: Path) -> str:
    return "no log key is in reach"


BAD_STORES = {
    "keyed, no key in reach": keyed_without_key,
    "retracting reject removed": retract_removed,
    "a decision rewritten": row_rewritten,
    "damaged pages": pages_damaged,
}


@pytest.fixture(params=sorted(BAD_STORES))
def bad_store(request: pytest.FixtureRequest, base: Path, tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "bad.db"
    shutil.copy(base, path)
    return path, BAD_STORES[request.param](path)


def test_every_publishing_face_refuses_the_same_bad_store_the_same_way(
    bad_store: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, where = bad_store
    said: dict[str, str] = {}
    for name, face in PUBLISHING.items():
        out = tmp_path / name.replace(" ", "_").replace(":", "")
        capsys.readouterr()
        refused = face(store, out)
        captured = capsys.readouterr()
        assert refused is not None, f"{name} published from a bad store"
        if name.startswith("cli"):
            assert refused == "exit 2" and "Traceback" not in captured.err, name
            (line,) = captured.err.strip().splitlines()
            refused = line.removeprefix("workbench: ")
        said[name] = refused
        assert not out.exists() or not any(out.iterdir()), f"{name} wrote {list(out.iterdir())}"
    for name, message in said.items():
        assert str(store) in message and where in message, (name, message)
    exports = {said[n] for n in said if "export" in n.lower() and "report" not in n.lower()}
    reports = {said[n] for n in said if "report" in n.lower()}
    # the forms prefix what they did ("Export stopped: "); the reason itself is the same
    assert len({m.split(": ", 1)[-1] if m.startswith(("Export", "Report")) else m
                for m in exports}) == 1, exports  # fmt: skip
    assert len({m.split(": ", 1)[-1] if m.startswith(("Export", "Report")) else m
                for m in reports}) == 1, reports  # fmt: skip


def test_every_writing_face_refuses_a_damaged_store_before_its_first_write(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "bad.db"
    shutil.copy(base, store)
    with SQLiteStore(store, log_key=None) as s:
        answer = s.answers()[0].id
    pages_damaged(store)
    before = store.read_bytes()
    said = []
    capsys.readouterr()
    assert main(["decide", answer, "--approve", "--reviewer", "X", "--store", str(store)]) == 2
    said.append(capsys.readouterr().err.strip().removeprefix("workbench: "))
    with pytest.raises(WorkbenchError) as raised:
        records.decide(DecideOptions(Workspace.resolve(store=store), answer, Decision.APPROVE, "X"))
    said.append(str(raised.value))
    with pytest.raises(WorkbenchError) as raised:
        review_app(store, reviewer="X")
    said.append(str(raised.value))
    assert main(["score", "--rescore", "--store", str(store), "-q"]) == 2
    said.append(capsys.readouterr().err.strip().removeprefix("workbench: "))
    assert len(set(said)) == 1, said
    assert str(store) in said[0] and "damaged" in said[0]
    assert store.read_bytes() == before


def test_every_writing_face_refuses_a_keyed_log_without_its_key(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "keyed.db"
    shutil.copy(base, store)
    with SQLiteStore(store, log_key=None) as s:
        answer = s.answers()[0].id
    said = []
    capsys.readouterr()
    args = ["decide", answer, "--reject", "--reason", "r", "--reviewer", "X", "--store", str(store)]
    assert main(args) == 2
    said.append(capsys.readouterr().err.strip().removeprefix("workbench: "))
    ws = Workspace.resolve(store=store)
    with pytest.raises(WorkbenchError) as raised:
        records.decide(DecideOptions(ws, answer, Decision.REJECT, "X", reason="r"))
    said.append(str(raised.value))
    desk = review_app(store, reviewer="X").desk
    with pytest.raises(WorkbenchError) as raised:
        desk.decide(answer, Decision.REJECT, reviewer="X", reason="r")
    said.append(str(raised.value))
    assert len(set(said)) == 1, said
    assert "no log key is in reach" in said[0]
    with SQLiteStore(store, log_key=None) as s:
        assert len(s.decisions()) == 3
