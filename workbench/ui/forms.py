"""The data scientist's forms: the run form, the prompt tuning form, the export form.

Views only: each shows what its controller gives it and emits events (`run`, `base`,
`save`, `compare`, `export`, `report`). Every HTML value comes from `workbench.reports.render`
or `workbench.reports.svg`, which escape what they are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ipywidgets as w
from markupsafe import Markup

from workbench.reports.render import PANEL_CSS, notice
from workbench.ui.events import Events
from workbench.ui.widgets import button

__all__ = ["ExportView", "PromptDraft", "RunFormView", "RunSpec", "TuningView"]

_WIDE = w.Layout(width="98%")


class _Form:
    """What every form has: events, a status line, an overall progress bar, an output area."""

    def __init__(self) -> None:
        self.events = Events()
        self.status = w.HTML()
        self.progress = w.IntProgress(min=0, max=1, value=0, layout=w.Layout(width="60%"))
        self.step = w.Label()
        self.output = w.Output()

    def show_notice(self, kind: str, message: str) -> None:
        """A status line: `ok`, `error` or `info`."""
        self.status.value = str(notice(kind, message))

    def show_progress(self, done: int, total: int, label: str) -> None:
        """The overall progress of a job (each batch also shows its own bar below)."""
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.step.value = label


@dataclass(frozen=True, slots=True)
class RunSpec:
    """What the run form (and the tuning form's comparison) asks for."""

    cancer_types: tuple[str, ...] = ()
    question_ids: tuple[str, ...] = ()
    limit: int | None = None
    prompts: tuple[str, ...] = ()
    backend: str = "offline"
    model: str = ""
    judge: str = "offline"
    run_name: str = ""


@dataclass(frozen=True, slots=True)
class PromptDraft:
    """What the tuning form's editor holds: a new version of the prompt `base`."""

    base: str
    description: str
    system: str
    user: str
    parameters: str  # YAML text, parsed by the controller


class RunFormView(_Form):
    """Question set (or a filter of it), prompt versions, backend, model, judge; Run."""

    def __init__(
        self,
        *,
        cancer_types: Sequence[str],
        prompts: Sequence[str],
        backends: Sequence[str],
        judges: Sequence[str],
        initial: RunSpec,
    ) -> None:
        super().__init__()
        self.cancer = w.SelectMultiple(
            options=list(cancer_types), value=initial.cancer_types, description="Cancer", rows=6
        )
        self.ids = w.Text(
            value=", ".join(initial.question_ids),
            description="Question ids",
            placeholder="all (or: q-breast-01, q-lung-02)",
            layout=_WIDE,
        )
        self.limit = w.BoundedIntText(
            value=initial.limit or 0, min=0, max=1_000_000, description="Limit (0: all)"
        )
        self.prompts = w.SelectMultiple(
            options=list(prompts),
            value=initial.prompts or tuple(prompts),
            description="Prompts",
            rows=4,
        )
        self.backend = w.Dropdown(
            options=list(backends), value=initial.backend, description="Backend"
        )
        self.model = w.Text(
            value=initial.model, description="Model", placeholder="the backend's default"
        )
        self.judge = w.Dropdown(options=list(judges), value=initial.judge, description="Judge")
        self.run_name = w.Text(
            value=initial.run_name,
            description="Run name",
            placeholder="prompt.backend.model (same name resumes)",
        )
        self.run = button("Run", "wb-run", "primary")
        self.chart = w.HTML()
        self.run.on_click(lambda _: self.events.emit("run"))
        self.widget = w.VBox(
            [
                w.HTML(str(PANEL_CSS)),
                w.HBox([self.cancer, w.VBox([self.ids, self.limit])]),
                w.HBox(
                    [self.prompts, w.VBox([self.backend, self.model, self.judge, self.run_name])]
                ),
                w.HBox([self.run, self.progress, self.step]),
                self.status,
                self.output,
                self.chart,
            ]
        )
        self.widget.add_class("wb-panel")

    def spec(self) -> RunSpec:
        """The form's values."""
        ids = tuple(i.strip() for i in str(self.ids.value).split(",") if i.strip())
        return RunSpec(
            cancer_types=tuple(self.cancer.value),
            question_ids=ids,
            limit=int(self.limit.value) or None,
            prompts=tuple(self.prompts.value),
            backend=str(self.backend.value),
            model=str(self.model.value).strip(),
            judge=str(self.judge.value),
            run_name=str(self.run_name.value).strip(),
        )

    def busy(self, running: bool) -> None:
        """Disable Run while a run is going."""
        self.run.disabled = running
        self.run.description = "Running…" if running else "Run"

    def show_chart(self, chart: Markup) -> None:
        """The summary chart (inline SVG)."""
        self.chart.value = str(chart)


class TuningView(_Form):
    """Edit a prompt into a new version; compare two versions on a subset of questions."""

    def __init__(self, *, prompts: Sequence[str], cancer_types: Sequence[str], limit: int) -> None:
        super().__init__()
        self.base = w.Dropdown(options=list(prompts), description="Start from")
        self.description = w.Text(description="Description", layout=_WIDE)
        self.system = w.Textarea(description="System", layout=w.Layout(width="98%", height="180px"))
        self.user = w.Textarea(description="User", layout=w.Layout(width="98%", height="100px"))
        self.parameters = w.Textarea(
            description="Parameters", layout=w.Layout(width="98%", height="100px")
        )
        self.save = button("Save as new version", "wb-save-prompt", "primary")
        self.left = w.Dropdown(options=list(prompts), description="Current")
        self.right = w.Dropdown(options=list(prompts), description="New")
        self.cancer = w.Dropdown(
            options=[("all", ""), *[(c, c) for c in cancer_types]], description="Cancer"
        )
        self.limit = w.BoundedIntText(value=limit, min=1, max=10_000, description="Questions")
        self.compare = button("Run side by side", "wb-compare", "primary")
        self.table = w.HTML()
        self.base.observe(lambda ch: self.events.emit("base", ch["new"]), names="value")
        self.save.on_click(lambda _: self.events.emit("save"))
        self.compare.on_click(lambda _: self.events.emit("compare"))
        self.widget = w.VBox(
            [
                w.HTML(str(PANEL_CSS)),
                self.base,
                self.description,
                self.system,
                self.user,
                self.parameters,
                self.save,
                w.HBox([self.left, self.right]),
                w.HBox([self.cancer, self.limit, self.compare]),
                w.HBox([self.progress, self.step]),
                self.status,
                self.output,
                self.table,
            ]
        )
        self.widget.add_class("wb-panel")

    def show_prompt(self, description: str, system: str, user: str, parameters: str) -> None:
        """A prompt's text in the editor."""
        self.description.value = description
        self.system.value = system
        self.user.value = user
        self.parameters.value = parameters

    def draft(self) -> PromptDraft:
        """The editor's values."""
        return PromptDraft(
            base=str(self.base.value),
            description=str(self.description.value),
            system=str(self.system.value),
            user=str(self.user.value),
            parameters=str(self.parameters.value),
        )

    def comparison_spec(self) -> RunSpec:
        """The comparison the form asks for: the two versions, on the chosen questions."""
        cancer = str(self.cancer.value)
        return RunSpec(
            cancer_types=(cancer,) if cancer else (),
            limit=int(self.limit.value),
            prompts=(str(self.left.value), str(self.right.value)),
        )

    def show_versions(self, prompts: Sequence[str], left: str, right: str) -> None:
        """The prompt versions to compare, with the two chosen."""
        for box, value in ((self.left, left), (self.right, right)):
            box.options = list(prompts)
            box.value = value

    def show_table(self, table: Markup) -> None:
        """The side-by-side answers."""
        self.table.value = str(table)


class ExportView(_Form):
    """Export approved answers; write the evaluation report."""

    def __init__(self, *, out: str) -> None:
        super().__init__()
        self.out = w.Text(value=out, description="Folder", layout=_WIDE)
        self.calibrate = w.Checkbox(value=True, description="Measure the judge on the gold set")
        self.export = button("Export approved answers", "wb-export", "primary")
        self.report = button("Write the evaluation report", "wb-report", "info")
        self.export.on_click(lambda _: self.events.emit("export"))
        self.report.on_click(lambda _: self.events.emit("report"))
        self.widget = w.VBox(
            [
                w.HTML(str(PANEL_CSS)),
                self.out,
                w.HBox([self.export, self.report, self.calibrate]),
                self.status,
                self.output,
            ]
        )
        self.widget.add_class("wb-panel")
