"""Opening the project's SQLite files: WAL mode, a long busy timeout, one clear error."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workbench.errors import StoreError

__all__ = ["connect_wal"]


def connect_wal(path: Path, what: str) -> sqlite3.Connection:
    """An autocommit connection in WAL mode; callers write in `BEGIN IMMEDIATE` blocks.

    Several processes can then read while one writes, and a writer waits (up to 30 s) for
    another instead of failing with "database is locked".
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path, isolation_level=None, timeout=30.0)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA busy_timeout=30000")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open the {what} ({exc})") from exc
    return db
