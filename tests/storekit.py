"""Reaching past the store into its database, as someone with direct access could: for
the tests that show the database itself refuses, and that `verify` notices tampering.

`RawDB` speaks to either kind with the same calls (`?` placeholders, one error family),
so a test written once runs against SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

from workbench.store import StoreKind, StoreLocation

__all__ = ["INTEGRITY_ERRORS", "RawDB"]

# What either database raises when a constraint or a trigger refuses a write.
INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)


class RawDB:
    """A direct, autocommit connection to a store's database."""

    def __init__(self, location: str) -> None:
        self.location = StoreLocation.parse(location)
        self.kind = self.location.kind
        if self.kind is StoreKind.SQLITE:
            self._sqlite: sqlite3.Connection | None = sqlite3.connect(
                self.location.path, isolation_level=None
            )
            self._pg: psycopg.Connection[Any] | None = None
        else:
            self._sqlite = None
            self._pg = psycopg.connect(self.location.target, autocommit=True)

    def execute(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (with `?` placeholders); the rows it returns, if any."""
        if self._sqlite is not None:
            return self._sqlite.execute(query, params).fetchall()
        assert self._pg is not None
        cur = self._pg.execute(query.replace("?", "%s"), params)  # type: ignore[arg-type]
        return cur.fetchall() if cur.description else []

    def drop_trigger(self, name: str, table: str = "decision_log") -> None:
        """Remove a guard, as the owner of the database file or server could."""
        if self.kind is StoreKind.SQLITE:
            self.execute(f"DROP TRIGGER {name}")
        else:
            self.execute(f"DROP TRIGGER {name} ON {table}")

    def close(self) -> None:
        """Close the connection."""
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            self._pg.close()

    def __enter__(self) -> RawDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
