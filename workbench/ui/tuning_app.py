"""The prompt tuning form's controller: a new prompt version, and two versions side by side.

Saving writes a new YAML file through `workbench.data.datasets.save_prompt_version`, which never
overwrites a version. Comparing runs both versions on the chosen questions and shows each
answer, claims marked, with its scores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.data.datasets import save_prompt_version, select_questions
from workbench.errors import ConfigError
from workbench.models import PromptTemplate
from workbench.reports.compare import compare_runs
from workbench.reports.render import Side, comparison_table
from workbench.store import Store
from workbench.ui.common import run_batches
from workbench.ui.events import attempt
from workbench.ui.forms import TuningView
from workbench.workspace import Workspace

__all__ = ["TuningController", "tuning_app"]


class TuningController:
    """Edit a prompt into a new version (a new YAML file) and compare two versions."""

    def __init__(self, store: Store, data: Workspace, view: TuningView) -> None:
        self.store, self.data, self.view = store, data, view
        self.comparison = pd.DataFrame()
        view.events.on("base", self.show_base)
        view.events.on("save", self.save)
        view.events.on("compare", self.compare)
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

    def compare(self) -> pd.DataFrame:
        """Run both versions on the subset; show their answers side by side with scores.

        The numbers are `compare_runs`'s: paired by question, B (the new version) minus A.
        """
        v = self.view
        spec = v.comparison_spec()
        run_ids = attempt(
            lambda m: v.show_notice("error", m),
            "Comparison",
            lambda: run_batches(self.store, self.data, v, spec),
            refused="stopped",
        )
        if run_ids is None:
            return self.comparison
        left, right = spec.prompts
        questions = select_questions(
            self.data.corpus, cancer_types=spec.cancer_types, limit=spec.limit
        )
        sides = [self._answers(run_id, spec.judge) for run_id in run_ids]
        rows = [
            (q, sides[0].get(q.id, (None, None)), sides[1].get(q.id, (None, None)))
            for q in questions
        ]
        v.show_table(comparison_table((left, right), rows))
        paired = compare_runs(self.store, self.data.corpus, *run_ids, judge=spec.judge).rows
        order = {q.id: n for n, q in enumerate(questions)}
        self.comparison = paired.sort_values(
            "question_id", key=lambda ids: ids.map(order)
        ).reset_index(drop=True)
        v.show_notice("ok", f"{len(rows)} questions: {left} on the left, {right} on the right.")
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
    datasets: str | Path | None = None,
) -> TuningController:
    """The prompt tuning form, starting from `base` (default: the newest version)."""
    data = Workspace.resolve(datasets=datasets, store=store)
    keys = sorted(data.corpus.prompts)
    view = TuningView(
        prompts=keys,
        cancer_types=sorted({q.cancer_type for q in data.corpus.questions}),
        limit=limit,
    )
    newest = max(data.corpus.prompts.values(), key=lambda p: (p.id, p.version)).key
    view.base.value = base or newest
    view.cancer.value = cancer_type
    view.show_versions(keys, keys[0], base or newest)
    return TuningController(data.open_store(create=True), data, view)
