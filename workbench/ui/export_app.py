"""The export form's controller: approved answers out, and the evaluation report.

Both buttons call the use cases of `workbench.runs.publish`, the ones `workbench export
--approved` and `workbench report` call, so the form refuses what the command refuses
(a broken or unchecked decision log) with the same words, and writes nothing then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import display

from workbench.reports.export import ApprovedExport, ReportPaths
from workbench.runs import publish
from workbench.runs.guards import open_for_reading
from workbench.runs.options import ExportOptions, ReportOptions
from workbench.ui.events import attempt
from workbench.ui.forms import ExportView
from workbench.workspace import Workspace, output_dir

__all__ = ["ExportController", "export_app"]


class ExportController:
    """Write the approved answers and the evaluation report into a folder."""

    def __init__(self, data: Workspace, view: ExportView) -> None:
        self.data, self.view = data, view
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
        out = Path(str(self.view.out.value))
        return publish.export_approved(ExportOptions(self.data, out, approved=True)).export

    def report(self) -> ReportPaths | None:
        """Write report.html with its CSV and JSON."""
        paths = attempt(self._show, "Report", self._report)
        if paths is not None:
            self.view.show_notice("ok", f"Report written: {paths.html} (and {paths.csv}).")
        return paths

    def _report(self) -> ReportPaths:
        judge = "offline" if self.view.calibrate.value else None
        out = Path(str(self.view.out.value))
        return publish.report(ReportOptions(self.data, out, judge=judge)).paths


def export_app(
    store: str | Path | None = None,
    *,
    out: str | Path | None = None,
    datasets: str | Path | None = None,
) -> ExportController:
    """The export form over a store, writing to `out` (default: reports/export)."""
    data = Workspace.resolve(datasets=datasets, store=store)
    open_for_reading(data).close()  # a missing or damaged store is said now, not on a click
    view = ExportView(out=str(output_dir(out, "export")))
    return ExportController(data, view)
