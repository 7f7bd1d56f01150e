"""Opening the project's SQLite files: WAL mode or read-only, a long busy timeout, and one
clear error naming the file for anything SQLite reports about it.

Every connection made here turns SQLite's own errors (a damaged page, a file that is not
a database, a read-only file, a lock held too long) into a `StoreError` that names the
file, raised where the statement runs or where its rows are read. Integrity errors (a
trigger or a constraint refusing a row) pass through unchanged: callers turn those into
the rule they broke.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from workbench.errors import StoreError

__all__ = ["connect_read_only", "connect_wal", "store_error"]


def store_error(path: Path, what: str, exc: sqlite3.Error) -> StoreError:
    """One line for what SQLite said about the file."""
    text = str(exc)
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return StoreError(
            f"{path}: the {what} is damaged ({text}): `workbench verify --store {path}` "
            "names the damaged pages; restore it from a `workbench backup` copy"
        )
    if "readonly" in text or "read-only" in text:
        return StoreError(f"{path}: the {what} is read-only here ({text}); this command writes")
    if "locked" in text:
        return StoreError(f"{path}: the {what} stayed locked by another writer for 30 s ({text})")
    return StoreError(f"{path}: cannot use the {what} ({text})")


def _passes(exc: sqlite3.Error) -> bool:
    """Errors that are the caller's business, not the file's."""
    return isinstance(
        exc, sqlite3.IntegrityError | sqlite3.ProgrammingError | sqlite3.InterfaceError
    )


class _Cursor(sqlite3.Cursor):
    """A cursor whose reads name the file when SQLite fails."""

    where: tuple[Path, str] = (Path(), "store")

    def _fail(self, exc: sqlite3.Error) -> StoreError:
        return store_error(*self.where, exc)

    def __next__(self) -> Any:
        try:
            return super().__next__()
        except sqlite3.Error as exc:
            if _passes(exc):
                raise
            raise self._fail(exc) from exc

    def __iter__(self) -> _Cursor:
        return self

    def fetchone(self) -> Any:
        try:
            return super().fetchone()
        except sqlite3.Error as exc:
            if _passes(exc):
                raise
            raise self._fail(exc) from exc

    def fetchall(self) -> list[Any]:
        try:
            return super().fetchall()
        except sqlite3.Error as exc:
            if _passes(exc):
                raise
            raise self._fail(exc) from exc


class _Connection(sqlite3.Connection):
    """A connection whose statements name the file when SQLite fails."""

    where: tuple[Path, str] = (Path(), "store")

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        cursor = self.cursor(_Cursor)
        cursor.where = self.where
        try:
            return cursor.execute(sql, parameters)
        except sqlite3.Error as exc:
            if _passes(exc):
                raise
            raise store_error(*self.where, exc) from exc


def _open(target: str, path: Path, what: str, *, uri: bool) -> _Connection:
    try:
        db = sqlite3.connect(
            target, isolation_level=None, timeout=30.0, uri=uri, factory=_Connection
        )
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the {what} ({exc})") from exc
    db.where = (path, what)
    return db


def connect_wal(path: Path, what: str) -> sqlite3.Connection:
    """An autocommit connection in WAL mode; callers write in `BEGIN IMMEDIATE` blocks.

    Several processes can then read while one writes, and a writer waits (up to 30 s) for
    another instead of failing with "database is locked".
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{path}: cannot make the {what}'s folder ({exc.strerror})") from exc
    db = _open(str(path), path, what, uri=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
    except StoreError as exc:
        db.close()
        raise StoreError(f"{path}: cannot open the {what} ({exc.__cause__})") from exc
    return db


def connect_read_only(path: Path, what: str) -> sqlite3.Connection:
    """A connection that cannot write, and works on read-only media.

    SQLite needs to create the `-shm` file beside a WAL store even to read it. When the
    folder is not writable and no `-wal` file is there (nothing unsaved to read), the
    file is opened as immutable; otherwise read-only, which reads the `-wal` too.
    """
    if not path.is_file():
        raise StoreError(f"no store at {path}")
    folder_writable = os.access(path.parent, os.W_OK)
    wal = Path(f"{path}-wal")
    immutable = not folder_writable and not (wal.exists() and wal.stat().st_size > 0)
    target = f"file:{quote(str(path.absolute()))}?mode=ro" + ("&immutable=1" if immutable else "")
    db = _open(target, path, what, uri=True)
    try:
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except StoreError as exc:
        db.close()
        raise StoreError(f"{path}: cannot open the {what} ({exc.__cause__})") from exc
    return db
