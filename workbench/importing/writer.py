"""Writing imported excerpts into a data set folder, all or nothing.

Each document's excerpts go to `DIR/excerpts/<document key>.jsonl`, one JSON object a
line in the format `workbench.data.datasets` loads (and is checked by loading it back).
A folder without questions or prompts gets a copy of the embedded ones to start from,
so that it is a whole data set its team can edit (new questions, new prompt versions).
The files are first written to a new staging folder on DIR's own filesystem (inside DIR
when it exists, which may be a mount point; beside it when it does not), then renamed into
place: a failure leaves DIR as it was. Should a rename still cross filesystems, the file is
copied instead. Files and folders get the user's usual permissions (umask).
"""

from __future__ import annotations

import errno
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

__all__ = ["EXCERPTS", "STARTER_PARTS", "excerpt_row", "previous_excerpts", "write_documents"]

EXCERPTS = "excerpts"
STARTER_PARTS = ("questions", "prompts")  # copied into a folder that lacks them


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


def _copy_flat(source: Path, target: Path) -> None:
    """The files of a folder, copied without their modes (new files follow the umask)."""
    target.mkdir()
    for file in sorted(source.iterdir()):
        if file.is_file():
            shutil.copyfile(file, target / file.name)


def _move(source: Path, target: Path) -> None:
    """Rename `source` to `target` (replacing a file); across filesystems (EXDEV), copy it
    beside the target first and rename that, so the target is never half written."""
    try:
        os.replace(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    beside = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}")
    try:
        if source.is_dir():
            shutil.copytree(source, beside, copy_function=shutil.copyfile)
        else:
            shutil.copyfile(source, beside)
        os.replace(beside, target)
    finally:
        if beside.is_dir():
            shutil.rmtree(beside, ignore_errors=True)
        else:
            beside.unlink(missing_ok=True)


def write_documents(
    into: Path, files: Mapping[str, Sequence[Excerpt]], *, starter: Path | None = None
) -> tuple[list[Path], list[str]]:
    """Write each document's excerpts as `into/excerpts/<key>.jsonl`, and copy the
    `starter` folder's questions and prompts when `into` has none; return the excerpt
    files and the parts copied."""
    into = into.absolute()
    if into.exists() and not into.is_dir():
        raise DatasetError(into, "is a file: --into needs a folder")
    _check_unique(into, files)
    try:
        into.parent.mkdir(parents=True, exist_ok=True)
        # Inside DIR when it exists: on its filesystem even when DIR is a mount point.
        home = into if into.is_dir() else into.parent
        staging = home / f".{into.name}.import-{uuid.uuid4().hex[:12]}"
        os.mkdir(staging)  # mode 0o777 less the umask, unlike mkdtemp's 0o700
    except OSError as exc:
        raise DatasetError(into, f"cannot write there ({exc.strerror or exc})") from exc
    try:
        (staging / EXCERPTS).mkdir()
        for key, excerpts in files.items():
            _write_jsonl(staging / EXCERPTS / f"{key}.jsonl", excerpts)
        load_excerpts(staging / EXCERPTS)  # what we wrote must load as a data set
        copied = []
        for part in STARTER_PARTS:
            if starter is not None and not (into / part).exists() and (starter / part).is_dir():
                _copy_flat(starter / part, staging / part)
                copied.append(part)
        if not into.exists():
            _move(staging, into)
        else:
            for part in [EXCERPTS, *copied]:
                if not (into / part).exists():
                    _move(staging / part, into / part)
            for key in files:
                name = f"{key}.jsonl"
                if (staging / EXCERPTS / name).exists():
                    _move(staging / EXCERPTS / name, into / EXCERPTS / name)
    except OSError as exc:
        raise DatasetError(into, f"cannot write there ({exc.strerror or exc})") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [into / EXCERPTS / f"{key}.jsonl" for key in files], copied
