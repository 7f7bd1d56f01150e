"""The persistent cache of LLM calls: one local SQLite file, per machine.

This is a store module (with `workbench.store`, the only LLM-path module that opens a
file). A reply is kept under the SHA-256 of the endpoint and the whole request (model,
messages, settings), so a rerun of an unchanged batch is served without a call, and any
change to a prompt, an excerpt or a setting is a new key. The file lives at
`<store folder>/.workbench/llm-cache.sqlite`, shared by the stores of that folder; with
a PostgreSQL store it stays a local file (in the project folder, or `$WORKBENCH_CACHE`):
it is a machine's cache, not the team's shared state (`Workspace.cache_path`).
WAL mode with `synchronous=NORMAL`: a process killed at any point keeps every committed
reply (only a power cut could lose the last few, which are then asked for again).
The request kept beside a reply holds prompts and excerpts, never the API key. Only
replies their caller could use are kept (`workbench.llm.calls`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from workbench.llm.client import ChatReply, ChatRequest
from workbench.models import utc_now
from workbench.store.sqlite_files import connect_wal

__all__ = ["CACHE_FILE", "CallCache", "cache_path_for"]

CACHE_FILE = Path(".workbench") / "llm-cache.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    reply TEXT NOT NULL,
    created_at TEXT NOT NULL)
"""


def cache_path_for(store_path: Path | str) -> Path:
    """Where the call cache of a store lives."""
    return Path(store_path).resolve().parent / CACHE_FILE


class CallCache:
    """Replies by request key, in one SQLite file; each put is its own transaction."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._db = connect_wal(self.path, "LLM call cache")
        # A power cut may lose the last few replies; they are simply fetched again.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)

    def close(self) -> None:
        """Close the connection."""
        self._db.close()

    def __enter__(self) -> CallCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> ChatReply | None:
        """The cached reply for this key, marked as cached, or None."""
        row = self._db.execute("SELECT reply FROM calls WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        data.update(cached=True, attempts=0)
        return ChatReply(**data)

    def has(self, key: str) -> bool:
        """Whether a reply is cached under this key."""
        return self._db.execute("SELECT 1 FROM calls WHERE key = ?", (key,)).fetchone() is not None

    def drop(self, key: str) -> None:
        """Forget the reply under this key, if any."""
        self._db.execute("DELETE FROM calls WHERE key = ?", (key,))

    def put(self, key: str, request: ChatRequest, reply: ChatReply) -> None:
        """Keep a reply (a later reply for the same key replaces it)."""
        data = asdict(reply)
        data.pop("cached"), data.pop("attempts")
        self._db.execute(
            "INSERT OR REPLACE INTO calls VALUES (?,?,?,?,?)",
            (
                key,
                request.model,
                json.dumps(request.payload(), ensure_ascii=False),
                json.dumps(data, ensure_ascii=False),
                utc_now().isoformat(),
            ),
        )

    def __len__(self) -> int:
        (n,) = self._db.execute("SELECT count(*) FROM calls").fetchone()
        return int(n)
