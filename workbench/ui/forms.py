"""The data scientist's forms: the run form, the prompt tuning form, the export form.

Views only: each shows what its controller gives it and emits events (`run`, `base`,
`save`, `compare`, `export`, `report`; the run and tuning forms' live-model fields add
`preflight` and `cancel`: `workbench.ui.endpoint_fields`). Every HTML value comes from
`workbench.reports.render` or `workbench.reports.svg`, which escape what they are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import ipywidgets as w
from markupsafe import Markup

from workbench.errors import ConfigError
from workbench.reports.render import PANEL_CSS, notice
from workbench.runs.parts import Endpoints
from workbench.ui.endpoint_fields import EndpointFields
from workbench.ui.events import Events
from workbench.ui.widgets import button

__all__ = ["ExportView", "PromptDraft", "RunFormView", "RunSpec", "TuningView"]

_WIDE = w.Layout(width="98%")


class _Form:
    """What every form has: events, a status line, an overall progress bar, an output area."""

    def __init__(self) -> None:
        self.events = Events()
        self.status = w.HTML()
        self.status.add_class("wb-status")
        self.progress = w.IntProgress(min=0, max=1, value=0, layout=w.Layout(width="50%"))
        self.progress.add_class("wb-progress")
        self.step = w.Label()
        self.step.add_class("wb-step")
        self.output = w.Output()

    def show_notice(self, kind: str, message: str) -> None:
        """A status line: `ok`, `error` or `info`."""
        self.status.value = str(notice(kind, message))

    def show_progress(self, done: int, total: int, label: str) -> None:
        """The overall progress of a job: a step per answer written and per answer judged."""
        self.progress.max = max(total, 1)
        self.progress.value = done
        self.step.value = label


@dataclass(frozen=True, slots=True)
class RunSpec:
    """What the run form (and the tuning form's comparison) asks for: which questions,
    which prompt versions, which backend and judge (and where they call), the cost cap."""

    cancer_types: tuple[str, ...] = ()
    question_ids: tuple[str, ...] = ()
    limit: int | None = None
    prompts: tuple[str, ...] = ()
    endpoints: Endpoints = field(default_factory=Endpoints)
    run_name: str = ""
    max_cost: float | None = None


@dataclass(frozen=True, slots=True)
class PromptDraft:
    """What the tuning form's editor holds: a new version of the prompt `base`."""

    base: str
    description: str
    system: str
    user: str
    parameters: str  # YAML text, parsed by the controller


class _LiveForm(_Form):
    """A form that runs jobs: the live-model fields, Cancel, and the errors of a run."""

    def __init__(
        self,
        *,
        backends: Sequence[str],
        judges: Sequence[str],
        endpoints: Endpoints,
        key_note: str,
    ) -> None:
        super().__init__()
        self.live = EndpointFields(
            self.events, backends=backends, judges=judges, initial=endpoints, key_note=key_note
        )

    def running(self, on: bool) -> None:
        """While a job runs: its start button waits, Cancel works."""
        self.live.running(on)


class RunFormView(_LiveForm):
    """Question set (or a filter of it), prompt versions, backend, model, judge; Run."""

    def __init__(
        self,
        *,
        cancer_types: Sequence[str],
        prompts: Sequence[str],
        backends: Sequence[str],
        judges: Sequence[str],
        initial: RunSpec,
        key_note: str,
    ) -> None:
        super().__init__(
            backends=backends, judges=judges, endpoints=initial.endpoints, key_note=key_note
        )
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
        self.run_name = w.Text(
            value=initial.run_name,
            description="Run name",
            placeholder="prompt.backend.model (same name resumes)",
        )
        self.run = button("Run", "wb-run", "primary")
        self.rows = w.HTML()
        self.chart = w.HTML()
        self.run.on_click(lambda _: self.events.emit("run"))
        self.widget = w.VBox(
            [
                w.HTML(str(PANEL_CSS)),
                w.HBox([self.cancer, w.VBox([self.ids, self.limit])]),
                w.HBox([self.prompts, self.run_name]),
                self.live.fields,
                w.HBox([self.run, *self.live.controls, self.progress, self.step]),
                self.live.preflight,
                self.status,
                self.live.errors,
                self.output,
                self.rows,
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
            endpoints=self.live.endpoints(),
            run_name=str(self.run_name.value).strip(),
            max_cost=self.live.cost_cap(),
        )

    def busy(self, running: bool) -> None:
        """Disable Run while a run is going; Cancel works meanwhile."""
        self.run.disabled = running
        self.run.description = "Running…" if running else "Run"
        self.running(running)

    def show_rows(self, table: Markup) -> None:
        """The summary per prompt version, backend, model and judge."""
        self.rows.value = str(table)

    def show_chart(self, chart: Markup) -> None:
        """The summary chart (inline SVG)."""
        self.chart.value = str(chart)


class TuningView(_LiveForm):
    """Edit a prompt into a new version; compare two versions on a subset of questions."""

    def __init__(
        self,
        *,
        prompts: Sequence[str],
        cancer_types: Sequence[str],
        limit: int,
        backends: Sequence[str],
        judges: Sequence[str],
        endpoints: Endpoints,
        key_note: str,
    ) -> None:
        super().__init__(backends=backends, judges=judges, endpoints=endpoints, key_note=key_note)
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
                w.HBox([self.cancer, self.limit]),
                self.live.fields,
                w.HBox([self.compare, *self.live.controls, self.progress, self.step]),
                self.live.preflight,
                self.status,
                self.live.errors,
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
        if self.left.value == self.right.value:
            raise ConfigError(f"{self.left.value} is on both sides: choose two versions to compare")
        return RunSpec(
            cancer_types=(cancer,) if cancer else (),
            limit=int(self.limit.value),
            prompts=(str(self.left.value), str(self.right.value)),
            endpoints=self.live.endpoints(),
            max_cost=self.live.cost_cap(),
        )

    def show_versions(self, prompts: Sequence[str], left: str, right: str) -> None:
        """The prompt versions to compare, with the two chosen."""
        for box, value in ((self.left, left), (self.right, right)):
            box.options = list(prompts)
            box.value = value

    def show_table(self, table: Markup) -> None:
        """The side-by-side answers."""
        self.table.value = str(table)

    def busy(self, running: bool) -> None:
        """Disable the comparison while one is going; Cancel works meanwhile."""
        self.compare.disabled = running
        self.running(running)


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
