"""HTML to blocks with trafilatura: the page's main text, without navigation, footers,
cookie banners and other boilerplate; headings kept with their level.

trafilatura turns the page into a small XML tree (`head`, `p`, `list`, `table`, ...),
which is walked here in order. Nothing is fetched: the file's bytes are all it sees.
A page nested deeper than the parser goes is flattened first (`html_depth`); text that
still cannot be reached stops the import with a message, never vanishes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from workbench.errors import DocumentError
from workbench.importing.blocks import Block, Document, clean_text
from workbench.importing.html_depth import PARSER_DEPTH, flatten, too_deep, unreached

__all__ = ["read_html"]


def _text(element: Any) -> str:
    for br in element.iter("lb"):  # a line break inside a paragraph parts two words
        br.tail = " " + (br.tail or "")
    return clean_text("".join(element.itertext()))


def _list_text(element: Any) -> str:
    items = [_text(item) for item in element.iter("item")]
    return "\n".join(f"- {item}" for item in items if item)


def _table_text(element: Any) -> str:
    rows = []
    for row in element.iter("row"):
        cells = [_text(cell) for cell in row.iter("cell")]
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)


def _level(element: Any) -> int:
    rend = str(element.get("rend", "h2"))
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1].isdigit() else 2


def _blocks(main: Any) -> list[Block]:
    blocks: list[Block] = []
    for element in main:
        tag = element.tag
        if tag == "head":
            text, level = _text(element), _level(element)
        elif tag == "list":
            text, level = _list_text(element), 0
        elif tag == "table":
            text, level = _table_text(element), 0
        else:
            text, level = _text(element), 0
        if text:
            blocks.append(Block(text, level))
    return blocks


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def read_html(path: Path, raw: bytes) -> Document:
    """The main text of an HTML page as blocks, with its title, stated date and URL."""
    import trafilatura

    page: str | bytes = raw
    if too_deep(raw):
        from trafilatura.utils import decode_file

        page = flatten(decode_file(raw))
        lost = unreached(page)
        if lost:
            raise DocumentError(
                path,
                f"text could not be reached below elements nested over {PARSER_DEPTH} deep "
                f"(from \u201c{lost}\u201d): simplify the page's nesting and import it again",
            )
    xml = trafilatura.extract(
        page,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=True,
        favor_recall=True,
        # only a date the page states in its metadata, never one guessed from the text
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if not xml:
        raise DocumentError(path, "no main text found in this HTML page")
    doc = ElementTree.fromstring(xml)
    main = doc.find("main")
    blocks = _blocks(main) if main is not None else []
    if not any(not b.is_heading for b in blocks):
        raise DocumentError(path, "no main text found in this HTML page")
    url = str(doc.get("url") or "")
    return Document(
        path,
        "html",
        tuple(blocks),
        clean_text(str(doc.get("title") or "")),
        _iso_date(doc.get("date")),
        url if url.startswith(("https://", "http://")) else "",
    )
