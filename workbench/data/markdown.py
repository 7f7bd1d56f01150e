"""The small Markdown an answer may use, as offsets into its text (no HTML here).

Answers come back with headings, bullet and numbered lists, **bold**, *italic* and
`code`. This module finds them and says where each one's words sit in the original text,
so that claim and finding spans (offsets into the same text) still line up; the
rendering module escapes the words and adds the tags. Anything else (links, raw HTML,
tables) stays plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

__all__ = ["Inline", "Line", "inline_marks", "lines"]

LineKind = Literal["heading", "bullet", "number", "text", "blank"]

_HEADING_RE = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+")
_BULLET_RE = re.compile(r"[ \t]*[-*+•][ \t]+")
_NUMBER_RE = re.compile(r"[ \t]*(\d{1,4})[.)][ \t]+")


@dataclass(frozen=True, slots=True)
class Line:
    """One line: its kind, and where its words start and end (marker left out)."""

    kind: LineKind
    start: int
    end: int
    number: int | None = None  # a numbered item's own number


def lines(text: str) -> Iterator[Line]:
    """The lines of `text` with their block kind and content offsets."""
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        body = raw.rstrip("\r")
        if not body.strip():
            yield Line("blank", pos, pos)
        elif m := _HEADING_RE.match(body):
            yield Line("heading", pos + m.end(), pos + len(body.rstrip("# \t")))
        elif m := _BULLET_RE.match(body):
            yield Line("bullet", pos + m.end(), pos + len(body))
        elif m := _NUMBER_RE.match(body):
            yield Line("number", pos + m.end(), pos + len(body), int(m.group(1)))
        else:
            yield Line("text", pos + len(body) - len(body.lstrip()), pos + len(body))
        pos = end + 1


InlineKind = Literal["strong", "em", "code"]


@dataclass(frozen=True, slots=True)
class Inline:
    """Emphasis or code over `start:end`; its delimiters sit just outside and are hidden."""

    kind: InlineKind
    start: int
    end: int
    width: int  # the delimiter's length on each side

    @property
    def hidden(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The two delimiter ranges."""
        return (self.start - self.width, self.start), (self.end, self.end + self.width)


_DELIMITER_RE = re.compile(r"[*_`]")
_INLINE: tuple[tuple[InlineKind, re.Pattern[str], int], ...] = (
    ("code", re.compile(r"`([^`\n]+)`"), 1),
    ("strong", re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), 2),
    ("strong", re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"), 2),
    ("em", re.compile(r"(?<![*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![*\w])"), 1),
    ("em", re.compile(r"(?<![_\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![_\w])"), 1),
)


def inline_marks(text: str, start: int, end: int) -> list[Inline]:
    """Emphasis and code within `text[start:end]` that nest: code first, then bold, italic.

    A match that would cross one already taken (or sit inside code) is left as text.
    """
    taken: list[Inline] = []
    segment = text[start:end]
    if not _DELIMITER_RE.search(segment):
        return taken  # most lines: nothing to look for
    for kind, pattern, width in _INLINE:
        for m in pattern.finditer(segment):
            new = Inline(kind, start + m.start(1), start + m.end(1), width)
            outer = (new.start - width, new.end + width)
            if all(_nests(outer, t) for t in taken):
                taken.append(new)
    return sorted(taken, key=lambda i: (i.start - i.width, -i.end))


def _nests(outer: tuple[int, int], other: Inline) -> bool:
    """True when `outer` lies apart from `other`, or inside its words (not in code)."""
    o_start, o_end = other.start - other.width, other.end + other.width
    apart = outer[1] <= o_start or outer[0] >= o_end
    inside = other.kind != "code" and other.start <= outer[0] and outer[1] <= other.end
    around = outer[0] <= o_start and o_end <= outer[1]
    return apart or inside or around
