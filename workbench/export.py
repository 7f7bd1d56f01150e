"""Writing reports and exports to disk: HTML, CSV and JSON, each written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["ReportPaths", "write_report_files", "write_rows", "write_text_atomic"]


@dataclass(frozen=True, slots=True)
class ReportPaths:
    """Where a report's files went."""

    html: Path
    csv: Path
    json: Path


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see either the old or the whole new content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_rows(out_dir: Path, frame: pd.DataFrame, stem: str = "evaluations") -> tuple[Path, Path]:
    """Write the rows as `<stem>.csv` and `<stem>.json` into `out_dir`."""
    csv, js = out_dir / f"{stem}.csv", out_dir / f"{stem}.json"
    write_text_atomic(csv, frame.to_csv(index=False))
    records = json.loads(frame.to_json(orient="records"))
    write_text_atomic(js, json.dumps(records, indent=1, ensure_ascii=False) + "\n")
    return csv, js


def write_report_files(out_dir: Path, html: str, frame: pd.DataFrame) -> ReportPaths:
    """Write `report.html`, `evaluations.csv` and `evaluations.json` into `out_dir`."""
    write_text_atomic(out_dir / "report.html", html)
    csv, js = write_rows(out_dir, frame)
    return ReportPaths(out_dir / "report.html", csv, js)
