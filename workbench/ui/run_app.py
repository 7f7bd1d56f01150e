"""The run form's controller: generate and score from the form, then rows and a chart.

`run_app` builds the form filled in with a notebook's parameters and the environment's
endpoint settings (never the key). Run shows the pre-flight, refuses a run above the cost
cap, and runs the job as a task in the kernel's event loop (`workbench.ui.common`);
Cancel stops it and keeps what finished. `await app.arun()` does what Run does, from a
notebook cell; `app.run()` from a script.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from workbench.reports.frame import evaluation_frame
from workbench.reports.render import frame_table
from workbench.reports.summary import summary_frame
from workbench.reports.svg import bar_chart
from workbench.runs.choices import Store, run_sync
from workbench.runs.guards import open_for_writing
from workbench.runs.job import JobReport
from workbench.runs.parts import Endpoints, key_note
from workbench.ui.common import FORM_BACKENDS, FORM_JUDGES, FormJob, start_task
from workbench.ui.forms import RunFormView, RunSpec
from workbench.workspace import Workspace

__all__ = ["RunController", "run_app"]


class RunController:
    """The run form's Run, Pre-flight and Cancel; then the rows as a DataFrame and a chart."""

    def __init__(self, store: Store, data: Workspace, view: RunFormView) -> None:
        self.store, self.data, self.view = store, data, view
        self.results = pd.DataFrame()
        self.summary = pd.DataFrame()
        self.job = FormJob(store, data, view)
        self.report: JobReport | None = None
        view.events.on("run", self.start)
        view.events.on("preflight", lambda: self.job.preflight(view.spec))
        view.events.on("cancel", self.job.cancel)

    @property
    def widget(self) -> Any:
        """The form, for a notebook cell to display."""
        return self.view.widget

    @property
    def task(self) -> asyncio.Task[Any] | None:
        """The running (or last) job's task, when it ran in an event loop."""
        return self.job.task

    def start(self) -> None:
        """What the Run button does: the job as a task of the kernel's loop (or here)."""
        if self.job.task is not None and not self.job.task.done():
            return
        started = start_task(self.arun)
        if isinstance(started, asyncio.Task):
            self.job.task = started

    def run(self) -> pd.DataFrame:
        """The job to its end, from synchronous code (a script); in a notebook, await
        `arun()`."""
        return run_sync(self.arun(), instead="app.arun()")

    async def arun(self) -> pd.DataFrame:
        """Run the form's job; returns the evaluation rows of its runs (what finished)."""
        self.view.busy(True)
        try:
            report = await self.job.arun(self.view.spec)
        finally:
            self.view.busy(False)
        if report is None or self.job.job is None:
            return self.results
        self.report = report
        self._show(report, self.job.job.judge.name)
        return self.results

    def _chart(self) -> Markup:
        labels = [str(p) for p in self.summary["prompt"]]
        return bar_chart(
            labels,
            [None if pd.isna(v) else float(v) for v in self.summary["faithfulness"]],
            title="Mean faithfulness (scored answers)",
            maximum=1.0,
            missing="no answer scored",
        ) + bar_chart(
            labels,
            [None if pd.isna(v) else float(v) for v in self.summary["fk_grade"]],
            title="Mean reading grade (target 8)",
            fmt="{:.1f}",
            missing="no answer graded",
        )

    def _show(self, report: JobReport, judge: str) -> None:
        frame = evaluation_frame(self.store, self.data.corpus)
        frame = frame[frame["run_id"].isin(report.run_ids) & (frame["judge"] == judge)]
        self.results = frame.reset_index(drop=True)
        self.summary = summary_frame(self.results)
        self.view.show_rows(frame_table(self.summary) if len(self.summary) else Markup(""))
        self.view.show_chart(self._chart() if len(self.results) else Markup(""))
        what = (
            f"Cancelled: {report.generated} answers written and {report.scored} judged "
            "are kept; Run again does the rest."
            if report.cancelled
            else f"{len(self.results)} answers in runs {', '.join(report.run_ids)}."
        )
        failed = f" {len(report.errors)} failed: listed below." if report.errors else ""
        self.view.show_notice("info" if report.cancelled else "ok", what + failed)


def run_app(
    store: str | Path | None = None,
    *,
    cancer_types: Sequence[str] = (),
    question_ids: Sequence[str] = (),
    limit: int | None = None,
    prompts: Sequence[str] = (),
    backend: str = "offline",
    model: str = "",
    judge: str = "offline",
    run_name: str = "",
    max_cost: float | None = None,
    datasets: str | Path | None = None,
) -> RunController:
    """The run form, filled in with these values; show `.widget`, then Run (or `await
    .arun()`). Model and endpoints not given come from the environment."""
    data = Workspace.resolve(datasets=datasets, store=store)
    initial = RunSpec(
        cancer_types=tuple(cancer_types),
        question_ids=tuple(question_ids),
        limit=limit,
        prompts=tuple(prompts),
        endpoints=Endpoints.from_env(backend=backend, judge=judge, model=model),
        run_name=run_name,
        max_cost=max_cost,
    )
    view = RunFormView(
        cancer_types=sorted({q.cancer_type for q in data.corpus.questions}),
        prompts=sorted(data.corpus.prompts),
        backends=FORM_BACKENDS,
        judges=FORM_JUDGES,
        initial=initial,
        key_note=key_note(),
    )
    if max_cost is not None:
        view.live.max_cost.value = f"{max_cost:g}"
    return RunController(open_for_writing(data, create=True), data, view)
