"""The run form's controller: generate and score from the form, then rows and a chart.

`run_app` builds the form filled in with a notebook's parameters; `.run()` does what the
Run button does, so a notebook can run it as a cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import display

from workbench.reports.frame import evaluation_frame
from workbench.reports.summary import summary_frame
from workbench.reports.svg import bar_chart
from workbench.store import Store
from workbench.ui.common import FORM_BACKENDS, FORM_JUDGES, run_batches
from workbench.ui.events import attempt
from workbench.ui.forms import RunFormView, RunSpec
from workbench.workspace import Workspace

__all__ = ["RunController", "run_app"]


class RunController:
    """The run form's Run: generate, score, then the rows as a DataFrame and a chart."""

    def __init__(self, store: Store, data: Workspace, view: RunFormView) -> None:
        self.store, self.data, self.view = store, data, view
        self.results = pd.DataFrame()
        self.summary = pd.DataFrame()
        view.events.on("run", self.run)

    @property
    def widget(self) -> Any:
        """The form, for a notebook cell to display."""
        return self.view.widget

    def run(self) -> pd.DataFrame:
        """What the Run button does; returns the evaluation rows of the runs it made."""
        self.view.busy(True)
        try:
            run_ids = attempt(
                lambda m: self.view.show_notice("error", m),
                "Run",
                lambda: run_batches(self.store, self.data, self.view, self.view.spec()),
                refused="stopped",
            )
        finally:
            self.view.busy(False)
        if run_ids is None:
            return self.results
        spec = self.view.spec()
        frame = evaluation_frame(self.store, self.data.corpus)
        frame = frame[frame["run_id"].isin(run_ids) & (frame["judge"] == spec.judge)]
        self.results = frame.reset_index(drop=True)
        self.summary = summary_frame(self.results)
        with self.view.output:
            display(self.summary)  # type: ignore[no-untyped-call]
        labels = [str(p) for p in self.summary["prompt"]]
        self.view.show_chart(
            bar_chart(
                labels,
                [float(v) for v in self.summary["faithfulness"].fillna(0.0)],
                title="Mean faithfulness (scored answers)",
                maximum=1.0,
            )
            + bar_chart(
                labels,
                [float(v) for v in self.summary["fk_grade"].fillna(0.0)],
                title="Mean reading grade (target 8)",
                fmt="{:.1f}",
            )
        )
        self.view.show_notice("ok", f"{len(self.results)} answers in runs {', '.join(run_ids)}.")
        return self.results


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
    datasets: str | Path | None = None,
) -> RunController:
    """The run form, filled in with these values; show `.widget`, call `.run()` to run."""
    data = Workspace.resolve(datasets=datasets, store=store)
    initial = RunSpec(
        cancer_types=tuple(cancer_types),
        question_ids=tuple(question_ids),
        limit=limit,
        prompts=tuple(prompts),
        backend=backend,
        model=model,
        judge=judge,
        run_name=run_name,
    )
    view = RunFormView(
        cancer_types=sorted({q.cancer_type for q in data.corpus.questions}),
        prompts=sorted(data.corpus.prompts),
        backends=FORM_BACKENDS,
        judges=FORM_JUDGES,
        initial=initial,
    )
    return RunController(data.open_store(create=True), data, view)
