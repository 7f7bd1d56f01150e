"""The import form (in 03_prompt_tuning): documents into excerpts, then tune on them.

The view takes file or folder paths (one a line) and what to say about the source, and
emits `import`; the controller calls `workbench.runs.imports.import_into` and shows
its summary. A refused import (unknown format, image-only PDF, ...) is a notice, and
nothing is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import ipywidgets as w

from workbench.errors import ConfigError
from workbench.importing import ImportResult
from workbench.reports.render import PANEL_CSS, notice
from workbench.runs.imports import import_into
from workbench.runs.options import ImportOptions
from workbench.ui.events import Events, attempt
from workbench.ui.widgets import button
from workbench.workspace import project_dir

__all__ = ["ImportController", "ImportView", "import_app"]


_WIDE = w.Layout(width="98%")


class ImportView:
    """Paths, the target folder and the source's details; Import; the summary."""

    def __init__(self, *, into: str) -> None:
        self.events = Events()
        self.status = w.HTML()
        self.paths = w.Textarea(
            description="Documents",
            placeholder="PDF, HTML, Markdown, text or DOCX files or folders, one a line",
            layout=w.Layout(width="98%", height="80px"),
        )
        self.into = w.Text(value=into, description="Into folder", layout=_WIDE)
        self.source_title = w.Text(description="Title", placeholder="default: the document's")
        self.link = w.Text(description="Link", placeholder="https://...")
        self.version = w.Text(description="Version", placeholder="e.g. 2025.1")
        self.date = w.Text(description="Date", placeholder="YYYY-MM-DD")
        self.license = w.Text(description="License")
        self.cancer = w.Text(value="general", description="Cancer type")
        self.run = button("Import", "wb-import", "primary")
        self.summary = w.Textarea(disabled=True, layout=w.Layout(width="98%", height="160px"))
        self.run.on_click(lambda _: self.events.emit("import"))
        self.widget = w.VBox(
            [
                w.HTML(str(PANEL_CSS)),
                self.paths,
                self.into,
                w.HBox([self.source_title, self.link]),
                w.HBox([self.version, self.date, self.license]),
                w.HBox([self.cancer, self.run]),
                self.status,
                self.summary,
            ]
        )
        self.widget.add_class("wb-panel")

    def show_notice(self, kind: str, message: str) -> None:
        """A status line: `ok`, `error` or `info`."""
        self.status.value = str(notice(kind, message))

    def show_summary(self, text: str) -> None:
        """What the import added, changed and removed (plain text, never HTML)."""
        self.summary.value = text


class ImportController:
    """Run `import_documents` with what the form says."""

    def __init__(self, view: ImportView) -> None:
        self.view = view
        self.result: ImportResult | None = None
        view.events.on("import", self.run)

    @property
    def widget(self) -> Any:
        """The form, for a notebook cell to display."""
        return self.view.widget

    def run(self) -> ImportResult | None:
        """Import the documents; show the summary, or why nothing was imported."""
        result = attempt(
            lambda m: self.view.show_notice("error", m), "Import", self._run, refused="stopped"
        )
        if result is not None:
            self.result = result
        return result

    def _run(self) -> ImportResult:
        v = self.view
        paths = [line.strip() for line in str(v.paths.value).splitlines() if line.strip()]
        if not paths:
            raise ConfigError("name at least one document or folder")
        into = str(v.into.value).strip()
        if not into:
            raise ConfigError("name the folder to import into")
        when = str(v.date.value).strip()
        try:
            day = date.fromisoformat(when) if when else None
        except ValueError as exc:
            raise ConfigError(f"the date {when!r} is not like 2025-03-31") from exc
        v.show_notice("info", f"Importing {len(paths)} path(s)...")
        result = import_into(
            ImportOptions(
                tuple(Path(p) for p in paths),
                Path(into),
                source_title=str(v.source_title.value),
                link=str(v.link.value).strip(),
                version=str(v.version.value),
                date=day,
                license=str(v.license.value),
                cancer_type=str(v.cancer.value).strip() or "general",
            )
        )
        v.show_summary(result.summary())
        v.show_notice(
            "ok",
            f"{len(result.excerpts)} excerpts from {len(result.documents)} document(s) in "
            f"{into}. Use datasets={into!r} to answer and tune on them.",
        )
        return result


def import_app(into: str | Path | None = None) -> ImportController:
    """The import form, writing into `into` (default: `imported/` in the project folder)."""
    folder = Path(into) if into is not None else project_dir() / "imported"
    return ImportController(ImportView(into=str(folder)))
