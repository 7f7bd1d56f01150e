"""The export form's controller: approved answers out, and the evaluation report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import display

from workbench.approved import select_approved
from workbench.export import ApprovedExport, ReportPaths, write_approved
from workbench.jobs import calibrate, make_judge, write_report
from workbench.store import Store
from workbench.ui.common import Workspace
from workbench.ui.events import attempt
from workbench.ui.forms import ExportView
from workbench.ui.settings import output_dir, store_path

__all__ = ["ExportController", "export_app"]


class ExportController:
    """Write the approved answers and the evaluation report into a folder."""

    def __init__(self, store: Store, data: Workspace, view: ExportView) -> None:
        self.store, self.data, self.view = store, data, view
        self.skipped = pd.DataFrame()
        view.events.on("export", self.export)
        view.events.on("report", self.report)

    @property
    def widget(self) -> Any:
        """The form, for a notebook cell to display."""
        return self.view.widget

    def _show(self, m: str) -> None:
        self.view.show_notice("error", m)

    def export(self) -> ApprovedExport | None:
        """Export the latest approved version per question; list the questions skipped."""
        result = attempt(self._show, "Export", self._export)
        if result is not None:
            self.skipped = pd.DataFrame(
                [(s.question_id, s.answer_id, s.reason) for s in result.skipped],
                columns=["question_id", "answer_id", "reason"],
            )
            self.view.show_notice(
                "ok",
                f"Exported {result.exported} approved answers to {result.jsonl} and "
                f"{result.csv}; skipped {len(result.skipped)} questions (listed below).",
            )
            self.view.output.clear_output()
            with self.view.output:
                display(self.skipped)  # type: ignore[no-untyped-call]
        return result

    def _export(self) -> ApprovedExport:
        approved, skipped = select_approved(self.store, self.data.corpus)
        return write_approved(Path(str(self.view.out.value)), approved, skipped)

    def report(self) -> ReportPaths | None:
        """Write report.html with its CSV and JSON."""
        paths = attempt(self._show, "Report", self._report)
        if paths is not None:
            self.view.show_notice("ok", f"Report written: {paths.html} (and {paths.csv}).")
        return paths

    def _report(self) -> ReportPaths:
        judge = make_judge("offline")
        calibration = (
            calibrate(self.data.corpus, judge, self.data.folder)
            if self.view.calibrate.value
            else None
        )
        paths, _ = write_report(
            self.store,
            self.data.corpus,
            Path(str(self.view.out.value)),
            calibration=calibration,
            datasets=self.data.folder,
        )
        return paths


def export_app(
    store: str | Path | None = None,
    *,
    out: str | Path | None = None,
    datasets: str | Path | None = None,
) -> ExportController:
    """The export form over a store, writing to `out` (default: reports/export)."""
    view = ExportView(out=str(output_dir(out, "export")))
    return ExportController(Store(store_path(store)), Workspace.load(datasets), view)
