"""Stable excerpt ids, and versions carried over from the previous import of a document.

An id is `<document>-<heading>-<hash>-<n>`: the document's key (from `--source-title`,
else from the file name, never from a title inside the file, which is too often a
generic "Untitled" or "Microsoft Word - Document1" that unrelated files share),
the section's own heading, a short hash of the whole heading path, and the chunk's
number in the section. It depends on where the text sits, not on the text, so an edited
section keeps its ids; its `version` goes up and its `source_version` becomes the new
document version, which is what the staleness check sees. Unchanged text keeps its
version, source version and date.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import replace

from workbench.importing.chunking import Chunk
from workbench.models import Excerpt

__all__ = ["chunk_id", "document_key", "merge_version", "slug"]

_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
_KEY_CHARS = 32
_HEADING_CHARS = 32


def slug(text: str, limit: int = 64) -> str:
    """Lower-case ASCII words joined by hyphens, at most `limit` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NON_WORD_RE.sub("-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-")


def _short(text: str, limit: int) -> str:
    """The slug, cut to `limit` with a hash of the whole text when longer, so that two
    long titles that start alike still differ."""
    full = slug(text, 1000)
    if len(full) <= limit:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:6]
    return f"{full[: limit - 7].rstrip('-')}-{digest}"


def document_key(name: str, *, part: str = "") -> str:
    """The key a document's excerpts are filed under: the slug of its `--source-title`,
    else of its file name; with `part` (the file name when several files share one
    source title), both."""
    key = _short(name, _KEY_CHARS) or "document"
    if part:
        key = f"{key[: _KEY_CHARS // 2].rstrip('-')}-{_short(part, _KEY_CHARS) or 'part'}"
    return key


def chunk_id(key: str, chunk: Chunk) -> str:
    """The chunk's id: stable while its document, heading path and place stay the same."""
    path = "\x1f".join(chunk.path) + f"\x1e{chunk.occurrence}"
    digest = hashlib.sha256(path.encode("utf-8")).hexdigest()[:6]
    heading = slug(chunk.path[-1], _HEADING_CHARS) if chunk.path else ""
    parts = (
        [key, heading, digest, str(chunk.number)] if heading else [key, digest, str(chunk.number)]
    )
    return "-".join(parts)


def merge_version(new: Excerpt, previous: Mapping[str, Excerpt]) -> tuple[Excerpt, str]:
    """The excerpt with its version settled against the previous import, and what happened:
    `added`, `changed` or `unchanged`."""
    old = previous.get(new.id)
    if old is None:
        return new, "added"
    if old.text == new.text:
        kept = replace(new, version=old.version, source_version=old.source_version, date=old.date)
        return kept, "unchanged"
    return replace(new, version=old.version + 1), "changed"
