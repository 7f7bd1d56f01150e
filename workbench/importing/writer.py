"""Writing imported excerpts into a data set folder, all or nothing.

Each document's excerpts go to `DIR/excerpts/<document key>.jsonl`, one JSON object a
line in the format `workbench.data.datasets` loads (and is checked by loading it back). The
files are first written to a new folder beside DIR, then moved into place: a failure
leaves DIR as it was. Files and folders get the user's usual permissions (umask).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from workbench.data.datasets import load_excerpts
from workbench.errors import DatasetError
from workbench.models import Excerpt

__all__ = ["EXCERPTS", "excerpt_row", "previous_excerpts", "write_documents"]

EXCERPTS = "excerpts"


def excerpt_row(e: Excerpt) -> dict[str, Any]:
    """An excerpt as one line of an excerpt file, fields in the documented order."""
    return {
        "id": e.id,
        "cancer_type": e.cancer_type,
        "topics": list(e.topics),
        "text": e.text,
        "source_title": e.source_title,
        "section": e.section,
        "link": e.link,
        "date": e.date.isoformat(),
        "version": e.version,
        "basis": e.basis,
        "pages": list(e.pages),
        "license": e.license,
        "source_version": e.source_version,
    }


def previous_excerpts(into: Path, key: str) -> dict[str, Excerpt]:
    """The excerpts an earlier import of this document wrote, by id (none: empty)."""
    file = into / EXCERPTS / f"{key}.jsonl"
    return {e.id: e for e in load_excerpts(file)} if file.is_file() else {}


def _check_unique(into: Path, files: Mapping[str, Sequence[Excerpt]]) -> None:
    """No imported id may already belong to another excerpt file in the folder."""
    folder = into / EXCERPTS
    if not folder.is_dir():
        return
    ours = {f"{key}.jsonl" for key in files}
    new_ids = {e.id: key for key, excerpts in files.items() for e in excerpts}
    for other in sorted(folder.glob("*.jsonl")):
        if other.name in ours:
            continue
        for e in load_excerpts(other):
            if e.id in new_ids:
                raise DatasetError(
                    other,
                    f"id {e.id!r} is already here; the import of {new_ids[e.id]!r} "
                    "would make it twice: give the document another --source-title",
                )


def _write_jsonl(file: Path, excerpts: Sequence[Excerpt]) -> None:
    with file.open("w", encoding="utf-8") as fh:
        for e in excerpts:
            fh.write(json.dumps(excerpt_row(e), ensure_ascii=False) + "\n")


def write_documents(into: Path, files: Mapping[str, Sequence[Excerpt]]) -> list[Path]:
    """Write each document's excerpts as `into/excerpts/<key>.jsonl`; return the paths."""
    into = into.absolute()
    if into.exists() and not into.is_dir():
        raise DatasetError(into, "is a file: --into needs a folder")
    _check_unique(into, files)
    into.parent.mkdir(parents=True, exist_ok=True)
    staging = into.parent / f".{into.name}.import-{uuid.uuid4().hex[:12]}"
    os.mkdir(staging)  # mode 0o777 less the umask, unlike mkdtemp's 0o700
    try:
        (staging / EXCERPTS).mkdir()
        for key, excerpts in files.items():
            _write_jsonl(staging / EXCERPTS / f"{key}.jsonl", excerpts)
        load_excerpts(staging / EXCERPTS)  # what we wrote must load as a data set
        if not into.exists():
            os.rename(staging, into)
        elif not (into / EXCERPTS).exists():
            os.rename(staging / EXCERPTS, into / EXCERPTS)
        else:
            for key in files:
                name = f"{key}.jsonl"
                os.replace(staging / EXCERPTS / name, into / EXCERPTS / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [into / EXCERPTS / f"{key}.jsonl" for key in files]
