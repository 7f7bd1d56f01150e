"""Which reader reads a file: by its name's ending, checked against its first bytes.

A file that cannot be opened, an unknown ending, or content that is not what the ending
says ends in one `DocumentError` naming the file and what to do.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from workbench.errors import DocumentError
from workbench.importing.blocks import Document
from workbench.importing.docx_reader import read_docx
from workbench.importing.html_reader import read_html
from workbench.importing.pdf_reader import read_pdf
from workbench.importing.text_reader import markdown_blocks, text_blocks

__all__ = ["FORMATS", "format_of", "read_document"]

FORMATS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
}
_HINTS = {
    ".doc": "the old Word format: save it as .docx",
    ".rtf": "save it as .docx or plain text",
    ".odt": "save it as .docx",
    ".pages": "export it as .docx or PDF",
}


def format_of(path: Path) -> str:
    """The format a file's name ending says, or a `DocumentError` for an unknown one."""
    suffix = path.suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    known = ", ".join(sorted(FORMATS))
    hint = _HINTS.get(suffix, f"known endings: {known}")
    raise DocumentError(path, f"unknown format {suffix or '(no ending)'!r}: {hint}")


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as exc:
        raise DocumentError(path, "is a folder, not a file") from exc
    except OSError as exc:
        raise DocumentError(path, f"cannot read the file ({exc.strerror or exc})") from exc


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            path, f"not UTF-8 text (byte {exc.start}): save it as UTF-8 and import again"
        ) from exc


def read_document(path: Path) -> Document:
    """Read one file with the reader its format needs."""
    fmt = format_of(path)
    raw = _read_bytes(path)
    if not raw.strip():
        raise DocumentError(path, "the file is empty")
    if fmt == "pdf":
        if not raw.lstrip()[:5].startswith(b"%PDF"):
            raise DocumentError(path, "not a PDF (it does not start with %PDF)")
        return read_pdf(path)
    if fmt == "docx":
        if not zipfile.is_zipfile(path):
            raise DocumentError(path, "not a DOCX file (a DOCX is a zip archive)")
        return read_docx(path)
    if fmt == "html":
        return read_html(path, raw)
    text = _decode(path, raw)
    if fmt == "markdown":
        title, blocks = markdown_blocks(text)
        return Document(path, fmt, tuple(blocks), title)
    title, blocks = text_blocks(text)
    return Document(path, fmt, tuple(blocks), title)
