"""Where a store is: a SQLite file or a PostgreSQL database, read from one string.

A path, or `sqlite:///relative/file.db` / `sqlite:////absolute/file.db`, names a SQLite
file; `postgresql://user@host:port/db` (or `postgres://`, and libpq's `?options`) names a
PostgreSQL database. Anything else that looks like a URL is one clear error. The URL's
password never reaches a message: `str()` of a location shows it masked.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from workbench.errors import ConfigError

__all__ = ["StoreKind", "StoreLocation"]

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")


class StoreKind(enum.StrEnum):
    """Which adapter serves a location."""

    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A store's location: its kind and its target (a file path, or a connection URL)."""

    kind: StoreKind
    target: str

    @classmethod
    def parse(cls, value: str | Path) -> StoreLocation:
        """The location a `--store` value or `$WORKBENCH_STORE` names."""
        if isinstance(value, Path):
            return cls(StoreKind.SQLITE, str(value))
        text = value.strip()
        match = _SCHEME.match(text)
        if match is None:
            return cls(StoreKind.SQLITE, text)
        scheme = match.group(1).lower()
        if scheme == "sqlite":
            path = text[len("sqlite:///") :] if text.startswith("sqlite:///") else ""
            if not path:
                raise ConfigError(
                    f"store {text!r}: a SQLite URL is sqlite:///relative/file.db or "
                    "sqlite:////absolute/file.db"
                )
            return cls(StoreKind.SQLITE, path)
        if scheme in ("postgresql", "postgres"):
            try:
                parts = urlsplit(text)
                parts.port  # noqa: B018 (a bad port raises here)
            except ValueError as exc:
                raise ConfigError(f"store {_masked(text)!r}: {exc}") from exc
            if not parts.path.strip("/"):
                raise ConfigError(
                    f"store {_masked(text)!r}: name the database, as in "
                    "postgresql://user@host:5432/workbench"
                )
            return cls(StoreKind.POSTGRESQL, text)
        raise ConfigError(
            f"store {_masked(text)!r}: unknown kind {scheme!r}; give a file path, "
            "sqlite:///file.db or postgresql://user@host/db"
        )

    @property
    def path(self) -> Path:
        """The SQLite file (only for a SQLite location)."""
        if self.kind is not StoreKind.SQLITE:
            raise ConfigError(f"store {self}: a PostgreSQL database is not a file")
        return Path(self.target)

    @property
    def is_file(self) -> bool:
        """True for a SQLite file."""
        return self.kind is StoreKind.SQLITE

    def __str__(self) -> str:
        return self.target if self.kind is StoreKind.SQLITE else _masked(self.target)


def _masked(url: str) -> str:
    """The URL with its password (if any) shown as ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{user.split(':')[0]}:***@{host}"))
