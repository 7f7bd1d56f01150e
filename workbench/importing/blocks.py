"""What every reader returns: a document as an ordered list of headings and paragraphs.

A reader (PDF, HTML, DOCX, Markdown, plain text) knows its format; from here on nothing
does. A `Block` is a heading (level 1 to 6) or a body paragraph, with the pages it was
printed on when the format has pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

__all__ = ["Block", "Document", "clean_text"]

_SPACE_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True, slots=True)
class Block:
    """A heading (`level` 1 to 6) or a body paragraph (`level` 0), in reading order."""

    text: str
    level: int = 0
    pages: tuple[int, ...] = ()

    @property
    def is_heading(self) -> bool:
        """True for a heading."""
        return self.level > 0


@dataclass(frozen=True, slots=True)
class Document:
    """One source file read into blocks, with what the file says about itself."""

    path: Path
    format: str
    blocks: tuple[Block, ...]
    title: str = ""
    date: date | None = None
    link: str = ""


def clean_text(text: str) -> str:
    """Runs of spaces as one space, soft hyphens gone, lines trimmed, no blank lines."""
    text = text.replace(_SOFT_HYPHEN, "").replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
