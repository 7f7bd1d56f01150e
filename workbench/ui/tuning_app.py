"""The prompt tuning form's controller: a new prompt version, and two versions side by side.

Saving writes a new YAML file through `workbench.data.datasets.save_prompt_version`, which never
overwrites a version. Comparing runs both versions on the chosen questions, with the
backend and judge of the form (offline, or a live endpoint and the ragas judge: pre-flight,
cost cap, progress and Cancel as in the run form), and shows each answer, claims marked,
with its scores. `await app.acompare()` does what the button does, from a notebook cell.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.data.datasets import save_prompt_version
from workbench.errors import ConfigError
from workbench.models import PromptTemplate
from workbench.reports.compare import compare_runs
from workbench.reports.render import Side, comparison_table
from workbench.runs.choices import Store, run_sync
from workbench.runs.guards import open_for_writing
from workbench.runs.parts import Endpoints, key_note
from workbench.ui.common import FORM_BACKENDS, FORM_JUDGES, FormJob, start_task
from workbench.ui.events import attempt
from workbench.ui.forms import TuningView
from workbench.workspace import Workspace

__all__ = ["TuningController", "tuning_app"]


class TuningController:
    """Edit a prompt into a new version (a new YAML file) and compare two versions."""

    def __init__(self, store: Store, data: Workspace, view: TuningView) -> None:
        self.store, self.data, self.view = store, data, view
        self.comparison = pd.DataFrame()
        self.job = FormJob(store, data, view)
        view.events.on("base", self.show_base)
        view.events.on("save", self.save)
        view.events.on("compare", self.start)
        view.events.on("preflight", lambda: self.job.preflight(view.comparison_spec))
        view.events.on("cancel", self.job.cancel)
        self.show_base(str(view.base.value))

    @property
    def widget(self) -> Any:
        """The form, for a notebook cell to display."""
        return self.view.widget

    def show_base(self, key: str) -> None:
        """Load a prompt version into the editor."""
        p = self.data.corpus.prompts[key]
        params = yaml.safe_dump(p.parameters, sort_keys=False) if p.parameters else ""
        self.view.show_prompt(p.description, p.system, p.user, params)

    def save(self) -> PromptTemplate | None:
        """Save the editor's text as the next version; never overwrites a file."""
        return attempt(lambda m: self.view.show_notice("error", m), "Prompt", self._save)

    def _save(self) -> PromptTemplate:
        v, draft = self.view, self.view.draft()
        try:
            params = yaml.safe_load(draft.parameters) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"the parameters are not valid YAML: {exc}") from exc
        if not isinstance(params, dict):
            raise ConfigError("the parameters must be a mapping, like `target_grade: 6`")
        base = self.data.corpus.prompts[draft.base]
        saved, path = save_prompt_version(
            base,
            system=draft.system,
            user=draft.user,
            description=draft.description,
            parameters=params,
            folder=self.data.prompts,
        )
        self.data = self.data.reloaded()
        keys = sorted(self.data.corpus.prompts)
        v.show_versions(keys, base.key, saved.key)
        v.show_notice("ok", f"Saved {saved.key} as {path}. Run it side by side with {base.key}.")
        return saved

    def start(self) -> None:
        """What the button does: the comparison as a task of the kernel's loop (or here)."""
        if self.job.task is not None and not self.job.task.done():
            return
        started = start_task(self.acompare)
        if isinstance(started, asyncio.Task):
            self.job.task = started

    def compare(self) -> pd.DataFrame:
        """The comparison to its end, from synchronous code; in a notebook, await
        `acompare()`."""
        return run_sync(self.acompare(), instead="app.acompare()")

    async def acompare(self) -> pd.DataFrame:
        """Run both versions on the subset; show their answers side by side with scores.

        The numbers are `compare_runs`'s: paired by question, B (the new version) minus A.
        """
        v = self.view
        v.busy(True)
        try:
            report = await self.job.arun(v.comparison_spec)
        finally:
            v.busy(False)
        job = self.job.job
        if report is None or job is None:
            return self.comparison
        left, right = job.run_ids
        run_ids = [job.run_ids[left], job.run_ids[right]]
        sides = [self._answers(run_id, job.judge.name) for run_id in run_ids]
        rows = [
            (q, sides[0].get(q.id, (None, None)), sides[1].get(q.id, (None, None)))
            for q in job.questions
        ]
        v.show_table(comparison_table((left, right), rows))
        paired = compare_runs(self.store, self.data.corpus, *run_ids, judge=job.judge.name).rows
        order = {q.id: n for n, q in enumerate(job.questions)}
        if len(paired):
            paired = paired.sort_values("question_id", key=lambda ids: ids.map(order))
        self.comparison = paired.reset_index(drop=True)
        done = (
            "Cancelled: what finished is shown; run again for the rest."
            if report.cancelled
            else f"{len(rows)} questions: {left} on the left, {right} on the right."
        )
        failed = f" {len(report.errors)} failed: listed below." if report.errors else ""
        v.show_notice("info" if report.cancelled else "ok", done + failed)
        return self.comparison

    def _answers(self, run_id: str, judge: str) -> dict[str, Side]:
        out: dict[str, Side] = {}
        for a in self.store.answers(run_ids=[run_id]):
            if a.parent_id is None:
                evs = [e for e in self.store.evaluations_of(a.id) if e.judge == judge]
                out[a.question_id] = (a, evs[0] if evs else None)
        return out


def tuning_app(
    store: str | Path | None = None,
    *,
    base: str | None = None,
    cancer_type: str = "",
    limit: int = 3,
    backend: str = "offline",
    model: str = "",
    judge: str = "offline",
    datasets: str | Path | None = None,
) -> TuningController:
    """The prompt tuning form, starting from `base` (default: the newest version). Model
    and endpoints not given come from the environment."""
    data = Workspace.resolve(datasets=datasets, store=store)
    keys = sorted(data.corpus.prompts)
    cancers = sorted({q.cancer_type for q in data.corpus.questions})
    # A mistyped parameter is one line on the form, which opens on the defaults instead.
    mistyped = []
    if base is not None and base not in keys:
        mistyped.append(
            f"prompt version {base!r} is not in {data.prompts} (known: {', '.join(keys)})"
        )
        base = None
    if cancer_type and cancer_type not in cancers:
        mistyped.append(
            f"cancer type {cancer_type!r} has no questions (known: {', '.join(cancers)})"
        )
        cancer_type = ""
    view = TuningView(
        prompts=keys,
        cancer_types=cancers,
        limit=limit,
        backends=FORM_BACKENDS,
        judges=FORM_JUDGES,
        endpoints=Endpoints.from_env(backend=backend, judge=judge, model=model),
        key_note=key_note(),
    )
    newest = max(data.corpus.prompts.values(), key=lambda p: (p.id, p.version)).key
    view.base.value = base or newest
    view.cancer.value = cancer_type
    view.show_versions(keys, keys[0], base or newest)
    controller = TuningController(open_for_writing(data, create=True), data, view)
    if mistyped:
        view.show_notice("error", "; ".join(mistyped) + ": the form starts from the defaults")
    return controller
