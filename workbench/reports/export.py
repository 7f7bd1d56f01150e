"""Writing reports and exports to disk: HTML, CSV, JSON and JSONL, each written atomically,
with the user's umask (0644 under the usual 022), and the log anchor beside them.

A folder that cannot be made or written is one `OutputError` naming it; files already
written stay as they were.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import OutputError
from workbench.models import utc_now
from workbench.reports.answer_page import render_answer_page, scores_summary, sources_of
from workbench.review.approved import ApprovedAnswer, Skipped
from workbench.store.decision_log import Anchor

__all__ = [
    "ApprovedExport",
    "ReportPaths",
    "ensure_writable",
    "write_anchor",
    "write_approved",
    "write_report_files",
    "write_rows",
    "write_text_atomic",
]


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where a report's files went."""

    html: Path
    csv: Path
    json: Path
    anchor: Path | None = None  # anchor.json, written when the decision log was intact
    pages: tuple[Path, ...] = ()  # the question and list pages of a split report


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the whole new content.

    The temporary file is created with mode 0666 less the umask, as any new file is (not
    mkstemp's 0600), so a report is as readable as the user's other files.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{path.parent}: cannot make the output folder ({exc.strerror or exc})"
        ) from exc
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise OutputError(
            f"{path.parent}: cannot write {path.name} there ({exc.strerror or exc})"
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write it ({exc.strerror or exc})") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def ensure_writable(folder: Path) -> None:
    """Make `folder` if need be and prove a file can be written there (an `OutputError`
    naming it otherwise), before a command starts work it could not save."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{folder}: cannot make the output folder ({exc.strerror or exc})"
        ) from exc
    probe = folder / f".write-check-{secrets.token_hex(6)}"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write there ({exc.strerror or exc})") from exc
    probe.unlink(missing_ok=True)


def write_anchor(out_dir: Path, anchor: Anchor, store: str | Path) -> Path:
    """Write `anchor.json`: the decision log's head as this output saw it.

    Keep it (or the `N:HASH` line printed with it) outside the store: `workbench verify
    --anchor FILE` then checks that the log still extends it.
    """
    data = {
        "decisions": anchor.count,
        "head": anchor.head,
        "anchor": str(anchor),
        "store": str(store),
        "written_at": utc_now().isoformat(),
        "check": f"workbench verify --store {store} --anchor {out_dir / 'anchor.json'}",
    }
    path = out_dir / "anchor.json"
    write_text_atomic(path, json.dumps(data, indent=1) + "\n")
    return path


def write_rows(out_dir: Path, frame: pd.DataFrame, stem: str = "evaluations") -> tuple[Path, Path]:
    """Write the rows as `<stem>.csv` and `<stem>.json` into `out_dir`."""
    csv, js = out_dir / f"{stem}.csv", out_dir / f"{stem}.json"
    write_text_atomic(csv, frame.to_csv(index=False))
    records = json.loads(frame.to_json(orient="records"))
    write_text_atomic(js, json.dumps(records, indent=1, ensure_ascii=False) + "\n")
    return csv, js


def write_report_files(
    out_dir: Path,
    html: str,
    frame: pd.DataFrame,
    tables: dict[str, pd.DataFrame] | None = None,
    pages: Iterable[tuple[str, str]] = (),
) -> ReportPaths:
    """Write `report.html`, `evaluations.csv` and `.json`, each table as CSV and JSON, and
    the pages of a split report ((relative path, HTML), written as they come).

    Pages an earlier report left in `questions/` (or `questions-N.html`) are removed
    first, so the folder never mixes two reports.
    """
    for old in [*out_dir.glob("questions/*.html"), *out_dir.glob("questions-*.html")]:
        old.unlink()
    written = []
    for relative, page in pages:
        write_text_atomic(out_dir / relative, page)
        written.append(out_dir / relative)
    write_text_atomic(out_dir / "report.html", html)
    csv, js = write_rows(out_dir, frame)
    for name, table in (tables or {}).items():
        write_rows(out_dir, table, name)
    return ReportPaths(out_dir / "report.html", csv, js, pages=tuple(written))


@dataclass(frozen=True, slots=True)
class ApprovedExport:
    """What an export of approved answers wrote, and what it left out."""

    jsonl: Path
    csv: Path
    pages: tuple[Path, ...]
    exported: int
    skipped: tuple[Skipped, ...]


def _approved_row(item: ApprovedAnswer) -> dict[str, Any]:
    return {
        "question_id": item.question.id,
        "question": item.question.text,
        "cancer_type": item.question.cancer_type,
        "answer_id": item.answer.id,
        "answer": item.answer.text,
        "edited_from": item.answer.parent_id,
        "prompt": item.answer.prompt_key,
        "backend": item.answer.backend,
        "model": item.answer.model,
        "sources": [s.as_row() for s in sources_of(item.excerpts)],
        "scores": scores_summary(item),
        "approved_by": item.approval.reviewer,
        "approved_account": item.approval.account,
        "approved_at": item.approval.created_at.isoformat(),
        "meaning": item.approval.meaning,
        "safety_overrides": list(item.approval.overrides),
        "override_reason": item.approval.reason if item.approval.overrides else None,
        "answer_sha256": item.approval.answer_sha256,
        "decision_id": item.approval.id,
    }


def write_approved(
    out_dir: Path, approved: Sequence[ApprovedAnswer], skipped: Sequence[Skipped]
) -> ApprovedExport:
    """Write `approved.jsonl`, `approved.csv`, `skipped.csv` and one page per answer."""
    rows = [_approved_row(item) for item in approved]
    jsonl = out_dir / "approved.jsonl"
    write_text_atomic(jsonl, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    flat = pd.DataFrame(
        [
            {
                **r,
                "sources": "; ".join(s["link"] for s in r["sources"]),
                "safety_overrides": "; ".join(r["safety_overrides"]),
                "scores": " | ".join(f"{s['judge']}: {s['summary']}" for s in r["scores"]),
            }
            for r in rows
        ]
    )
    csv = out_dir / "approved.csv"
    write_text_atomic(csv, flat.to_csv(index=False))
    write_text_atomic(
        out_dir / "skipped.csv",
        pd.DataFrame(
            [_skipped_row(s) for s in skipped], columns=["question_id", "answer_id", "reason"]
        ).to_csv(index=False),
    )
    pages = []
    for item in approved:
        page = out_dir / "pages" / f"{item.question.id}.html"
        write_text_atomic(page, render_answer_page(item))
        pages.append(page)
    return ApprovedExport(jsonl, csv, tuple(pages), len(approved), tuple(skipped))


def _skipped_row(s: Skipped) -> dict[str, str | None]:
    return {"question_id": s.question_id, "answer_id": s.answer_id, "reason": s.reason}
