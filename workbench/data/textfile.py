"""Reading a user's text file: UTF-8 (a byte-order mark is accepted), and one clear error
naming the file, the line and the byte offset when it is not UTF-8 or cannot be read."""

from __future__ import annotations

import codecs
from pathlib import Path

from workbench.errors import DatasetError

__all__ = ["read_text"]


def read_text(path: Path, what: str) -> str:
    """The file's text; a `DatasetError` for an unreadable or non-UTF-8 file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(path, f"cannot read the {what}: {exc.strerror or exc}") from exc
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(raw) - len(body)
        line = raw.count(b"\n", 0, offset) + 1
        raise DatasetError(
            path,
            f"not UTF-8 text: byte {offset} (0x{raw[offset]:02x}) cannot be read as UTF-8; "
            "save the file as UTF-8",
            line=line,
        ) from exc
