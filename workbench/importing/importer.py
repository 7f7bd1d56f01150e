"""`import_documents`: files in, excerpts out, written into a data set folder.

Every file is read and chunked before anything is written, so a bad file stops the
import with nothing changed. What each document gained, changed and lost since its last
import is reported per document.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from workbench.data.datasets import embedded_datasets_dir
from workbench.errors import ConfigError, DocumentError
from workbench.importing.blocks import Document
from workbench.importing.chunking import chunk_sections, sections_of
from workbench.importing.formats import FORMATS, read_document
from workbench.importing.ids import chunk_id, document_key, merge_version, slug
from workbench.importing.writer import previous_excerpts, write_documents
from workbench.models import Excerpt, utc_now

__all__ = ["DocumentReport", "ImportResult", "import_documents"]


@dataclass(frozen=True, slots=True)
class DocumentReport:
    """What the import did to one document's excerpts."""

    path: Path
    key: str
    title: str
    file: Path | None  # the excerpt file written (None when nothing was written)
    excerpts: tuple[Excerpt, ...]
    added: tuple[str, ...]
    changed: tuple[tuple[str, int, int], ...]  # id, old version, new version
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]

    def line(self) -> str:
        """One line: the document, where it went, and the counts."""
        where = f" -> {self.file}" if self.file else ""
        return (
            f"{self.path.name} ({self.title}){where}: {len(self.excerpts)} excerpts, "
            f"{len(self.added)} added, {len(self.changed)} changed, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


@dataclass(frozen=True, slots=True)
class ImportResult:
    """The excerpts of every imported document, and what changed in each."""

    excerpts: tuple[Excerpt, ...]
    documents: tuple[DocumentReport, ...]
    skipped: tuple[Path, ...] = field(default=())  # files in a folder with an unknown format
    copied: tuple[str, ...] = ()  # embedded parts copied into a folder that lacked them
    into: Path | None = None

    def summary(self) -> str:
        """What was added, changed and removed, document by document, id by id."""
        out: list[str] = []
        for doc in self.documents:
            out.append(doc.line())
            by_id = {e.id: e for e in doc.excerpts}
            out += [f"  added    {i}  {_where(by_id[i])}" for i in doc.added]
            out += [
                f"  changed  {i}  {_where(by_id[i])}  v{old} -> v{new}"
                for i, old, new in doc.changed
            ]
            out += [f"  removed  {i}" for i in doc.removed]
        out += [f"skipped {p} (unknown format)" for p in self.skipped]
        if self.copied and self.into is not None:
            parts = " and ".join(self.copied)
            out.append(
                f"copied the embedded {parts} into {self.into} to start from: edit them there"
            )
        return "\n".join(out)


def _where(e: Excerpt) -> str:
    pages = e.pages
    if not pages:
        return e.section
    span = f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}-{pages[-1]}"
    return f"{e.section} ({span})"


def _files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """The files to import (a folder: its known formats, sorted) and those skipped."""
    files: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            files += [p for p in inside if p.suffix.lower() in FORMATS]
            skipped += [p for p in inside if p.suffix.lower() not in FORMATS]
        else:
            files.append(path)
    if not files:
        raise ConfigError("no document to import: name PDF, HTML, Markdown, text or DOCX files")
    return files, skipped


@dataclass(frozen=True, slots=True)
class _Source:
    """What the caller says about the documents; empty means "ask the document"."""

    title: str
    link: str
    version: str
    date: date | None
    license: str
    cancer_type: str


def _excerpts(doc: Document, key: str, title: str, src: _Source, today: date) -> list[Excerpt]:
    _, sections = sections_of(doc.blocks, title=title, top_is_title=_top_is_title(doc))
    link = src.link or doc.link or doc.path.resolve().as_uri()
    when = src.date or doc.date or today
    out = []
    for chunk in chunk_sections(sections):
        top = chunk.path[0] if chunk.path else ""
        out.append(
            Excerpt(
                id=chunk_id(key, chunk),
                text=chunk.text,
                cancer_type=src.cancer_type,
                topics=(slug(top, 40).replace("-", "_") or "general",),
                source_title=title,
                section=" > ".join(chunk.path) or title,
                link=link,
                date=when,
                basis=f"imported from {doc.path.name}",
                pages=chunk.pages,
                license=src.license,
                source_version=src.version,
            )
        )
    return out


def _top_is_title(doc: Document) -> bool:
    """A lone top heading names the document in web pages, PDFs and Markdown; Word and
    plain text have their own title (the Title style, a first title line)."""
    return doc.format in ("html", "pdf", "markdown")


def _title(doc: Document, given: str) -> str:
    if given:
        return given
    heading, _ = sections_of(doc.blocks, title=doc.title, top_is_title=_top_is_title(doc))
    return doc.title or heading or doc.path.stem.replace("_", " ").replace("-", " ")


def import_documents(
    paths: Sequence[str | Path],
    into: str | Path | None = None,
    *,
    source_title: str = "",
    link: str = "",
    version: str = "",
    date: date | None = None,
    license: str = "",
    cancer_type: str = "general",
    today: date | None = None,
) -> ImportResult:
    """Read PDF, HTML, Markdown, plain text and DOCX files into excerpts.

    With `into`, the excerpts are written to `into/excerpts/<document>.jsonl` (a folder
    `--datasets` accepts), versions settled against the previous import of the same
    document (the same `source_title`, else the same file name): unchanged text keeps
    its id and version, changed text keeps its id with the next version. Without `into`,
    nothing is written. Unset `source_title`, `link` and `date` come from the document
    itself where it says them (title, canonical URL, date), else the file name, its
    `file://` URL and `today` (default: the current UTC date).
    """
    if link and not link.startswith(("https://", "http://", "file://")):
        raise ConfigError(f"--link must be an http(s):// or file:// URL, not {link!r}")
    if not slug(cancer_type):
        raise ConfigError("--cancer-type must name a cancer type, e.g. breast or general")
    files, skipped = _files(Path(p) for p in paths)
    src = _Source(source_title.strip(), link, version.strip(), date, license.strip(), cancer_type)
    docs = [read_document(f) for f in files]  # every file read before anything is written
    shared_title = bool(src.title) and len(docs) > 1
    keyed: dict[str, tuple[Document, str]] = {}
    for doc in docs:
        title = _title(doc, src.title)
        if src.title:
            key = document_key(src.title, part=doc.path.stem if shared_title else "")
        else:
            key = document_key(doc.path.stem)
        if key in keyed:
            raise DocumentError(
                doc.path,
                f"would be filed as {key!r} like {keyed[key][0].path}: "
                "import them one at a time, each with its own --source-title",
            )
        keyed[key] = (doc, title)
    reports = []
    written: dict[str, list[Excerpt]] = {}
    for key, (doc, title) in keyed.items():
        previous = previous_excerpts(Path(into), key) if into is not None else {}
        merged = [
            merge_version(e, previous)
            for e in _excerpts(doc, key, title, src, today or utc_now().date())
        ]
        written[key] = [e for e, _ in merged]
        reports.append((doc, key, title, merged, previous))
    files_out, copied = (
        write_documents(Path(into), written, starter=embedded_datasets_dir())
        if into is not None
        else ([], [])
    )
    documents = []
    for i, (doc, key, title, merged, previous) in enumerate(reports):
        ids = {e.id for e, _ in merged}
        documents.append(
            DocumentReport(
                path=doc.path,
                key=key,
                title=title,
                file=files_out[i] if files_out else None,
                excerpts=tuple(e for e, _ in merged),
                added=tuple(e.id for e, what in merged if what == "added"),
                changed=tuple(
                    (e.id, previous[e.id].version, e.version)
                    for e, what in merged
                    if what == "changed"
                ),
                unchanged=tuple(e.id for e, what in merged if what == "unchanged"),
                removed=tuple(old for old in previous if old not in ids),
            )
        )
    return ImportResult(
        tuple(e for d in documents for e in d.excerpts),
        tuple(documents),
        tuple(skipped),
        tuple(copied),
        Path(into) if into is not None else None,
    )
