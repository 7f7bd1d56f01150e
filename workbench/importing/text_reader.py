"""Markdown and plain text to blocks, by our own heading parser (no library needed).

Markdown: ATX headings (`## Treatment`), Setext headings (a line underlined with `===`
or `---`), fenced code kept as text, front matter skipped (its `title:` kept), inline
markup (links, emphasis, code, HTML tags) reduced to its words.

Plain text: paragraphs are separated by blank lines. A paragraph of one short line that
does not end like a sentence is a heading: numbered ones (`2.1 Surgery`) get their depth
as level, ALL-CAPS ones are level 1, others level 2. Such a line first in the file is
the document's title.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from workbench.importing.blocks import Block, clean_text

__all__ = ["markdown_blocks", "text_blocks"]

_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")
_LIST_RE = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_RULE_RE = re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$")
_IMAGE_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_REF_LINK_RE = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_LINK_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_CODE_RE = re.compile(r"`+([^`]*)`+")
_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>")
_NUMBERED_RE = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")
_SENTENCE_END = (".", ",", ";", ":", "!")
_MAX_HEADING_WORDS = 12


def _inline(text: str) -> str:
    text = _IMAGE_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _REF_LINK_RE.sub(r"\1", text)
    text = _CODE_RE.sub(r"\1", text)
    text = _TAG_RE.sub("", text)
    previous = None
    while previous != text:  # nested emphasis: ***x*** and **_x_**
        previous, text = text, _EMPHASIS_RE.sub(r"\2", text)
    return text


def _paragraph(lines: list[str]) -> str:
    """Wrapped lines joined by spaces; each list item keeps a line of its own."""
    out: list[str] = []
    for line in lines:
        if out and not _LIST_RE.match(line):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line.strip())
    return clean_text("\n".join(_inline(line) for line in out))


def _front_matter(lines: list[str]) -> tuple[str, int]:
    """The front matter's title and the index of the first line after it."""
    if not lines or lines[0].strip() != "---":
        return "", 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            title = ""
            for line in lines[1:end]:
                key, _, value = line.partition(":")
                if key.strip().lower() == "title":
                    title = value.strip().strip("\"'")
            return title, end + 1
    return "", 0


def markdown_blocks(source: str) -> tuple[str, list[Block]]:
    """The front matter title (or "") and the blocks of a Markdown text."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title, start = _front_matter(lines)
    blocks: list[Block] = []
    para: list[str] = []
    fence: str | None = None

    def flush() -> None:
        text = _paragraph(para)
        if text:
            blocks.append(Block(text))
        para.clear()

    for line in lines[start:]:
        if fence is not None:
            if line.strip().startswith(fence):
                fence = None
                flush()
            else:
                para.append(line)
            continue
        if m := _FENCE_RE.match(line):
            flush()
            fence = m.group(1)
            continue
        if (m := _SETEXT_RE.match(line)) and len(para) == 1 and not _LIST_RE.match(para[0]):
            heading = _paragraph(para)
            para.clear()
            blocks.append(Block(heading, 1 if m.group(1).startswith("=") else 2))
            continue
        if m := _ATX_RE.match(line):
            flush()
            heading = clean_text(_inline(m.group(2) or ""))
            if heading:
                blocks.append(Block(heading, len(m.group(1))))
            continue
        if not line.strip() or _RULE_RE.match(line) or _LINK_DEF_RE.match(line):
            flush()
            continue
        if _LIST_RE.match(line) and para and not _LIST_RE.match(para[0]):
            flush()  # a list after a sentence starts its own paragraph
        para.append(line)
    flush()
    return title, blocks


def _chunks(source: str) -> Iterator[list[str]]:
    para: list[str] = []
    for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.strip():
            para.append(line)
        elif para:
            yield para
            para = []
    if para:
        yield para


def _heading_level(line: str) -> int:
    """The heading level of a one-line paragraph, or 0 when it reads like body text."""
    text = line.strip()
    words = text.split()
    if not words or len(words) > _MAX_HEADING_WORDS or text.endswith(_SENTENCE_END):
        return 0
    if _LIST_RE.match(text) and not _NUMBERED_RE.match(text):
        return 0
    if m := _NUMBERED_RE.match(text):
        return min(m.group(1).count(".") + 1, 6)
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return 1
    return 2 if text[0].isupper() else 0


def text_blocks(source: str) -> tuple[str, list[Block]]:
    """The title (a heading-like first line, else "") and the blocks of a plain text:
    blank lines part paragraphs; short title-like lines head them."""
    chunks = list(_chunks(source))
    title = ""
    if chunks and len(chunks[0]) == 1 and len(chunks) > 1 and _heading_level(chunks[0][0]):
        title = clean_text(chunks.pop(0)[0])
    blocks: list[Block] = []
    for i, lines in enumerate(chunks):
        followed = i + 1 < len(chunks)
        if len(lines) == 2 and _SETEXT_RE.match(lines[1]):
            blocks.append(Block(clean_text(lines[0]), 1 if "=" in lines[1] else 2))
            continue
        level = _heading_level(lines[0]) if len(lines) == 1 and followed else 0
        text = _paragraph(lines)
        if text:
            blocks.append(Block(text, level))
    return title, blocks
