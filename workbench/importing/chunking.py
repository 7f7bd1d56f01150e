"""Blocks to section-sized chunks: split on the document's own headings first, then on
paragraphs to a target length, never in the middle of a sentence.

Each chunk knows its section path (the headings above it, outermost first), its number
within the section, and the pages its paragraphs were printed on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.data.text import sentences
from workbench.importing.blocks import Block

__all__ = ["MAX_WORDS", "TARGET_WORDS", "Chunk", "Section", "chunk_sections", "sections_of"]

TARGET_WORDS = 120  # our hand-written excerpts run 35 to 100 words
MAX_WORDS = 220  # a paragraph longer than this is split between sentences
MIN_CHARS = 10  # what the excerpt schema accepts


@dataclass(frozen=True, slots=True)
class Section:
    """The paragraphs under one heading path."""

    path: tuple[str, ...]
    paragraphs: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Chunk:
    """One excerpt-to-be: its section, its number in the section (from 1), text, pages."""

    path: tuple[str, ...]
    occurrence: int  # how many earlier sections had the same path (repeated headings)
    number: int
    text: str
    pages: tuple[int, ...]


def _title_heading(blocks: Sequence[Block]) -> Block | None:
    """The document's one top heading, which names the document, not a section."""
    headings = [b for b in blocks if b.is_heading]
    if not headings:
        return None
    top = min(b.level for b in headings)
    tops = [b for b in headings if b.level == top]
    first_heading = headings[0]
    if len(tops) == 1 and first_heading is tops[0] and len(headings) > 1:
        return tops[0]
    return None


def sections_of(
    blocks: Sequence[Block], *, title: str = "", top_is_title: bool = True
) -> tuple[str, list[Section]]:
    """The document's title and its sections.

    With `top_is_title` (web pages, PDFs, Markdown, where a lone H1 names the page), a
    heading that is the only one at the top level and comes first is the title, not a
    section; else the title is `title`. Paragraphs before any heading go under the title.
    """
    title_block = _title_heading(blocks) if top_is_title else None
    doc_title = title_block.text if title_block else title
    stack: list[tuple[int, str]] = []
    sections: list[Section] = []
    current: list[Block] = []

    def flush() -> None:
        if current:
            path = tuple(text for _, text in stack) or ((doc_title,) if doc_title else ())
            sections.append(Section(path, tuple(current)))
            current.clear()

    for block in blocks:
        if block is title_block:
            flush()
            continue
        if block.is_heading:
            flush()
            while stack and stack[-1][0] >= block.level:
                stack.pop()
            stack.append((block.level, block.text))
        else:
            current.append(block)
    flush()
    return doc_title, sections


def _word_count(text: str) -> int:
    return len(text.split())


def _split_long(block: Block) -> list[Block]:
    """A paragraph over MAX_WORDS as pieces of whole sentences near TARGET_WORDS."""
    if _word_count(block.text) <= MAX_WORDS:
        return [block]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in sentences(block.text):
        raw = block.text[sentence.span.start : sentence.span.end]
        if current and _word_count(" ".join([*current, raw])) > TARGET_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.append(raw)
    if current:
        pieces.append(" ".join(current))
    return [Block(p, 0, block.pages) for p in pieces]


def _pack(paragraphs: Iterable[Block]) -> list[list[Block]]:
    """Whole paragraphs packed greedily up to TARGET_WORDS a chunk."""
    chunks: list[list[Block]] = []
    words = 0
    for para in (piece for p in paragraphs for piece in _split_long(p)):
        n = _word_count(para.text)
        if chunks and words and words + n <= TARGET_WORDS:
            chunks[-1].append(para)
            words += n
        else:
            chunks.append([para])
            words = n
    return chunks


def chunk_sections(sections: Sequence[Section]) -> list[Chunk]:
    """Every section as chunks, in document order."""
    seen: dict[tuple[str, ...], int] = {}
    out: list[Chunk] = []
    for section in sections:
        occurrence = seen.get(section.path, 0)
        seen[section.path] = occurrence + 1
        number = 0
        for group in _pack(section.paragraphs):
            text = "\n".join(p.text for p in group)
            if len(text) < MIN_CHARS:
                continue
            number += 1
            pages = tuple(sorted({page for p in group for page in p.pages}))
            out.append(Chunk(section.path, occurrence, number, text, pages))
    return out
