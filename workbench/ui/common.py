"""What the forms' controllers share: the data set folder they work on, and running batches.

A batch run from a form shows an overall progress bar on the form and each batch's own
bar (tqdm) in the form's output area.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.datasets import Corpus, default_datasets_dir, load_corpus
from workbench.errors import ConfigError
from workbench.jobs import make_generator, make_judge, rules_for, select_questions
from workbench.pipeline import generate_batch, score_batch
from workbench.store import Store
from workbench.ui.forms import RunFormView, RunSpec, TuningView

__all__ = ["FORM_BACKENDS", "FORM_JUDGES", "Workspace", "load_workspace_corpus", "run_batches"]

# The forms run a batch inside the click handler, synchronously. The LLM backend and the
# ragas judge run as asyncio batches, which a running kernel must `await`: from a notebook
# cell (`await agenerate_batch(...)`, `await ascore_batch(...)`) or from the command line.
FORM_BACKENDS = ("offline",)
FORM_JUDGES = ("offline",)


@dataclass(frozen=True, slots=True)
class Workspace:
    """A data set folder, its corpus, and its safety rules."""

    folder: Path
    corpus: Corpus

    @classmethod
    def load(cls, datasets: str | Path | None) -> Workspace:
        folder = Path(datasets) if datasets is not None else default_datasets_dir()
        return cls(folder, load_workspace_corpus(folder))


def load_workspace_corpus(folder: Path) -> Corpus:
    return load_corpus(
        questions=folder / "questions", excerpts=folder / "excerpts", prompts=folder / "prompts"
    )


def run_batches(
    store: Store, data: Workspace, form: RunFormView | TuningView, spec: RunSpec
) -> list[str]:
    """Generate under each prompt, then score those runs; returns the run ids."""
    generator = make_generator(spec.backend)
    if spec.model and spec.model != generator.model:
        raise ConfigError(
            f"the {spec.backend} backend answers with {generator.model!r} only; "
            f"choose a backend that offers {spec.model!r}"
        )
    questions = select_questions(
        data.corpus, cancer_types=spec.cancer_types, ids=spec.question_ids, limit=spec.limit
    )
    if not questions:
        raise ConfigError("no question matches the filter: widen it")
    keys = list(spec.prompts) or sorted(data.corpus.prompts)
    total, run_ids = len(keys) + 1, []
    form.output.clear_output()
    with form.output:  # each batch's own bar (tqdm) shows here
        for done, key in enumerate(keys):
            form.show_progress(done, total, f"generating {key} ({len(questions)} questions)")
            run_name = spec.run_name
            if run_name and len(keys) > 1:
                run_name = f"{run_name}.{key}"
            report = generate_batch(
                store,
                data.corpus,
                generator,
                key,
                questions,
                questions_source=str(data.folder / "questions"),
                run_id=run_name or None,
            )
            run_ids.append(report.run_id or "")
            for qid, why in report.failed:
                form.show_notice("error", f"{qid} failed: {why}")
        form.show_progress(len(keys), total, f"scoring with the {spec.judge} judge")
        score_batch(
            store,
            data.corpus,
            make_judge(spec.judge),
            run_ids=run_ids,
            rules=rules_for(data.folder),
        )
    form.show_progress(total, total, "done")
    return run_ids
