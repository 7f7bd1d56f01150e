"""The export form's controller: approved answers out, and the evaluation report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import display

from workbench.reports.assemble import write_report
from workbench.reports.export import ApprovedExport, ReportPaths, write_approved
from workbench.review.approved import select_approved
from workbench.scoring.calibration import calibrate
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import Store
from workbench.ui.events import attempt
from workbench.ui.forms import ExportView
from workbench.workspace import Workspace, output_dir

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
        ws = self.data
        calibration = None
        if self.view.calibrate.value:
            calibration = calibrate(
                ws.gold_corpus,
                OfflineJudge(),
                gold_claims=ws.gold_claims,
                gold_safety=ws.gold_safety,
                rules=ws.rules,
            )
        paths, _ = write_report(
            self.store,
            ws.corpus,
            Path(str(self.view.out.value)),
            rules=ws.rules,
            rules_path=ws.rules_file,
            datasets_folder=ws.datasets,
            calibration=calibration,
        )
        return paths


def export_app(
    store: str | Path | None = None,
    *,
    out: str | Path | None = None,
    datasets: str | Path | None = None,
) -> ExportController:
    """The export form over a store, writing to `out` (default: reports/export)."""
    data = Workspace.resolve(datasets=datasets, store=store)
    view = ExportView(out=str(output_dir(out, "export")))
    return ExportController(data.open_store(), data, view)
