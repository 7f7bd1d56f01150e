"""PDF to blocks with pypdf: text runs with their font size and place, headings by size.

pypdf reports each run of text with its font and text matrix. Lines are grouped into
paragraphs by the gap between them and by font; a line clearly larger than the body
font (or a short line set wholly in bold) is a heading, and heading sizes rank into
levels. A run of lines whose text runs start at the same column positions (two columns
or more, two lines or more) is a table: it becomes one block, a line per row with cells
parted by ` | `, as the HTML and DOCX readers write tables, so its header row is never
taken for a heading nor its rows run together.
Running headers and footers are dropped: small type in the top or bottom band
of the page, and lines that repeat on most pages. A paragraph broken by a page or
column break, mid-sentence, is joined again. Encrypted PDFs and PDFs without a text
layer are refused: OCR is not done.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from workbench.errors import DocumentError
from workbench.importing.blocks import Block, Document, clean_text

__all__ = ["read_pdf"]

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb06": "st",
    }
)
_HEADING_RATIO = 1.15  # a line this much larger than the body font is a heading
_MARGIN_BAND = 0.06  # top and bottom share of the page where running heads live
_PARAGRAPH_GAP = 1.6  # a gap over this many line sizes starts a paragraph
_MAX_HEADING_WORDS = 14
_ENDS_SENTENCE = (".", "!", "?", ":", ";")
_DIGITS_RE = re.compile(r"\d+")
_LIST_MARK_RE = re.compile(
    r"^(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]$|^[\u2022\u25e6\u25aa\u00b7*\u2013-]$"
)


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    page: int
    y: float
    size: float
    bold: bool
    height: float  # the page's height, for the margin bands
    columns: tuple[tuple[float, str], ...] = ()  # each text run's left edge and text
    table: bool = False  # the rows of a table, already joined (see `_tables`)


def _bold(font: Any) -> bool:
    name = str(font.get("/BaseFont", "")) if font else ""
    return any(w in name for w in ("Bold", "Black", "Heavy", "Semibold", "SemiBold"))


def _page_lines(page: Any, number: int) -> list[_Line]:
    height = float(page.mediabox.height)
    lines: list[_Line] = []
    runs: list[tuple[str, float, float, bool, float]] = []

    def end_line() -> None:
        text = clean_text("".join(r[0] for r in runs).translate(_LIGATURES))
        if text:
            first = next(r for r in runs if r[0].strip())
            size = max(r[2] for r in runs if r[0].strip())
            bold = all(r[3] for r in runs if r[0].strip())
            columns = tuple(
                (round(r[4], 1), clean_text(r[0].translate(_LIGATURES)))
                for r in runs
                if r[0].strip()
            )
            lines.append(_Line(text, number, first[1], size, bold, height, columns))
        runs.clear()

    def visit(text: str, cm: list[float], tm: list[float], font: Any, font_size: float) -> None:
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                end_line()
            if piece:
                c = tm[2] * cm[0] + tm[3] * cm[2]
                d = tm[2] * cm[1] + tm[3] * cm[3]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                runs.append((piece, y, abs(font_size) * math.hypot(c, d), _bold(font), x))

    page.extract_text(visitor_text=visit)
    end_line()
    return lines


def _body_size(lines: list[_Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0]


def _in_band(line: _Line) -> bool:
    return line.y > line.height * (1 - _MARGIN_BAND) or line.y < line.height * _MARGIN_BAND


def _drop_running_heads(lines: list[_Line], body: float, pages: int) -> list[_Line]:
    """Running heads and feet: the outermost lines of a page, in its top or bottom band,
    set smaller than the body text or repeated at the same height on most pages (digits
    aside: page numbers change). Dropping stops at the first line that is not one."""

    def shape(line: _Line) -> tuple[str, int]:
        return _DIGITS_RE.sub("#", line.text), round(line.y)

    per_page = Counter(key for key, _ in {(shape(ln), ln.page) for ln in lines if _in_band(ln)})
    repeated = {k for k, n in per_page.items() if pages >= 2 and n >= max(2, pages / 2)}

    def running(line: _Line) -> bool:
        return _in_band(line) and (line.size < body * 0.95 or shape(line) in repeated)

    dropped: set[int] = set()
    for page in {ln.page for ln in lines}:
        on_page = sorted(
            (i for i, ln in enumerate(lines) if ln.page == page), key=lambda i: lines[i].y
        )
        for order in (on_page, on_page[::-1]):  # from the bottom edge, then from the top
            for i in order:
                if not running(lines[i]):
                    break
                dropped.add(i)
    return [ln for i, ln in enumerate(lines) if i not in dropped]


def _heading_levels(lines: list[_Line], body: float) -> dict[float, int]:
    sizes = sorted({round(ln.size, 1) for ln in lines if ln.size >= body * _HEADING_RATIO})
    return {size: level for level, size in enumerate(reversed(sizes), start=1)}


def _level(line: _Line, levels: dict[float, int]) -> int:
    level = levels.get(round(line.size, 1), 0)
    if level:
        return min(level, 6)
    short = len(line.text.split()) <= _MAX_HEADING_WORDS
    if line.bold and short and not line.text.endswith(_ENDS_SENTENCE):
        return min(len(levels) + 1, 6)
    return 0


def _continues(prev: Block, line: _Line) -> bool:
    """A paragraph cut by a page or column break mid-sentence goes on in this line."""
    return not prev.text.endswith(_ENDS_SENTENCE) and line.text[:1].islower()


def _tables(lines: list[_Line]) -> list[_Line]:
    """Runs of at least two lines on one page whose text runs start at the same columns
    (two or more) joined into one table line: a row per line, cells parted by ` | `."""
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        starts = tuple(x for x, _ in lines[i].columns)
        j = i + 1
        while (
            len(starts) >= 2
            and j < len(lines)
            and lines[j].page == lines[i].page
            and tuple(x for x, _ in lines[j].columns) == starts
        ):
            j += 1
        marks = all(_LIST_MARK_RE.match(ln.columns[0][1]) for ln in lines[i:j])
        if j - i >= 2 and not marks:  # a numbered or bulleted list is not a table
            rows = "\n".join(" | ".join(t for _, t in ln.columns) for ln in lines[i:j])
            out.append(replace(lines[i], text=rows, bold=False, table=True))
        else:
            out.extend(lines[i:j])
        i = j
    return out


def _blocks(lines: list[_Line], body: float) -> list[Block]:
    levels = _heading_levels([ln for ln in lines if not ln.table], body)
    blocks: list[Block] = []
    prev: _Line | None = None
    for line in lines:
        if line.table:  # a table is a block of its own, never joined or made a heading
            blocks.append(Block(line.text, 0, (line.page,)))
            prev = None
            continue
        level = _level(line, levels)
        if prev is not None and blocks:
            same_style = level == blocks[-1].level and (level > 0 or line.bold == prev.bold)
            gap = prev.y - line.y if line.page == prev.page else -1.0
            near = 0 < gap <= _PARAGRAPH_GAP * max(line.size, prev.size)
            broken = gap <= 0 and level == 0 and _continues(blocks[-1], line)
            if same_style and (near or broken):
                last = blocks[-1]
                pages = tuple(sorted({*last.pages, line.page}))
                blocks[-1] = replace(last, text=_join(last.text, line.text), pages=pages)
                prev = line
                continue
        blocks.append(Block(line.text, level, (line.page,)))
        prev = line
    return blocks


def _join(left: str, right: str) -> str:
    if left.endswith("-") and left[-2:-1].isalpha() and right[:1].islower():
        return left + right  # a word hyphenated at the line end keeps its hyphen
    return f"{left} {right}"


def _pdf_date(metadata: Any) -> date | None:
    for attr in ("modification_date", "creation_date"):
        try:
            value = getattr(metadata, attr, None)
        except (ValueError, TypeError):
            continue
        if value is not None:
            return value.date()  # type: ignore[no-any-return]
    return None


def read_pdf(path: Path) -> Document:
    """The blocks of a PDF's text layer, with its title and date from the metadata."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(
                path, "the PDF is encrypted with a password: import a copy without one"
            )
        pages = list(reader.pages)
        lines = [ln for i, page in enumerate(pages, start=1) for ln in _page_lines(page, i)]
        metadata = reader.metadata
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DocumentError(path, f"the PDF is encrypted and cannot be read ({exc})") from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DocumentError(path, f"not a readable PDF ({exc})") from exc
    no_text = (
        "no text layer on its pages (scanned or image-only?): OCR is not done; "
        "import a PDF that has its text, or run OCR on it first"
    )
    inside = [ln for ln in lines if not _in_band(ln)]
    if not inside:  # nothing, or only running heads such as a browser's date and URL
        raise DocumentError(path, no_text)
    body = _body_size(inside)
    lines = _tables(_drop_running_heads(lines, body, len(pages)))
    blocks = _blocks(lines, body) if lines else []
    if not any(not b.is_heading for b in blocks):
        raise DocumentError(path, no_text)
    title = clean_text(str(metadata.title or "")) if metadata else ""
    return Document(path, "pdf", tuple(blocks), title, _pdf_date(metadata) if metadata else None)
