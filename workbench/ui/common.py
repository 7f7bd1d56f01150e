"""What the forms' controllers share: running batches from a form.

A batch run from a form shows an overall progress bar on the form and each batch's own
bar (tqdm) in the form's output area.
"""

from __future__ import annotations

from workbench.data.datasets import select_questions
from workbench.errors import ConfigError
from workbench.generation.backends import make_generator
from workbench.runs.batch import generate_batch, score_batch
from workbench.runs.plan import run_id_for
from workbench.scoring.judges import make_judge
from workbench.store import Store
from workbench.ui.forms import RunFormView, RunSpec, TuningView
from workbench.workspace import Workspace

__all__ = ["FORM_BACKENDS", "FORM_JUDGES", "run_batches"]

# The forms run a batch inside the click handler, synchronously. The LLM backend and the
# ragas judge run as asyncio batches, which a running kernel must `await`: from a notebook
# cell (`await agenerate_batch(...)`, `await ascore_batch(...)`) or from the command line.
FORM_BACKENDS = ("offline",)
FORM_JUDGES = ("offline",)


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
            report = generate_batch(
                store,
                data.corpus,
                generator,
                key,
                questions,
                questions_source=str(data.questions),
                run_id=run_id_for(spec.run_name, key, len(keys)),
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
            rules=data.rules,
        )
    form.show_progress(total, total, "done")
    return run_ids
