"""DOCX to blocks with python-docx: paragraphs and tables in body order, headings by style.

A paragraph styled `Heading N` (or with an outline level, as custom heading styles have)
is a heading of level N; `Title` names the document. List paragraphs keep a `- ` mark;
a table becomes one block, a line per row with cells parted by ` | `.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from workbench.errors import DocumentError
from workbench.importing.blocks import Block, Document, clean_text

__all__ = ["read_docx"]

_HEADING_STYLE_RE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _outline_level(paragraph: Any) -> int:
    """1 + the outline level set on the paragraph or its style chain, else 0."""
    sources = [paragraph._p.pPr]
    style = paragraph.style
    while style is not None:
        sources.append(style.element.pPr)
        style = style.base_style
    for ppr in sources:
        if ppr is None:
            continue
        lvl = ppr.find(f"{_W}outlineLvl")
        if lvl is not None:
            value = int(lvl.get(f"{_W}val", "9"))
            return value + 1 if value < 9 else 0
    return 0


def _paragraph_block(paragraph: Any) -> tuple[str, int, bool]:
    """The text, the heading level (0 for body) and whether it is the title."""
    text = clean_text(paragraph.text)
    name = paragraph.style.name if paragraph.style is not None else ""
    if name == "Title":
        return text, 0, True
    if m := _HEADING_STYLE_RE.match(name):
        return text, int(m.group(1)), False
    level = _outline_level(paragraph)
    if level:
        return text, min(level, 6), False
    if "List" in name and text:
        text = f"- {text}"
    return text, 0, False


def _table_text(table: Any) -> str:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = clean_text(cell.text).replace("\n", " ")
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _broken_part(path: Path) -> str:
    """The name of the first XML part of the archive that does not parse."""
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                try:
                    etree.fromstring(archive.read(name))
                except etree.XMLSyntaxError:
                    return name
    return "a part of it"


def read_docx(path: Path) -> Document:
    """The blocks of a Word document, with its title and last-modified date."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from lxml import etree

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentError(path, f"not a readable DOCX file ({exc})") from exc
    except etree.XMLSyntaxError as exc:
        raise DocumentError(
            path, f"not a readable DOCX file: {_broken_part(path)} is not well-formed XML ({exc})"
        ) from exc
    blocks: list[Block] = []
    title = ""
    list_items: list[str] = []

    def flush_list() -> None:
        if list_items:
            blocks.append(Block("\n".join(list_items)))
            list_items.clear()

    for item in document.iter_inner_content():
        if isinstance(item, Table):
            flush_list()
            text = _table_text(item)
            if text:
                blocks.append(Block(text))
            continue
        assert isinstance(item, Paragraph)
        text, level, is_title = _paragraph_block(item)
        if not text:
            continue
        if is_title:
            title = title or text
        elif text.startswith("- ") and level == 0:
            list_items.append(text)
        else:
            flush_list()
            blocks.append(Block(text, level))
    flush_list()
    props = document.core_properties
    stamp = props.modified or props.created
    when: date | None = stamp.date() if stamp else None
    return Document(path, "docx", tuple(blocks), clean_text(props.title or "") or title, when)
