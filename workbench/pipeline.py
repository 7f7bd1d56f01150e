"""Batches: generate answers for a question set, then score them; both resume after a crash.

Each answer and each evaluation is committed on its own, so a batch killed half-way keeps
what it finished, and the same command started again does only the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from tqdm.auto import tqdm

from workbench.backends.base import Generator
from workbench.datasets import Corpus
from workbench.errors import WorkbenchError
from workbench.models import Answer, Question, Run
from workbench.retrieval import BM25Retriever
from workbench.scoring.base import Judge
from workbench.scoring.evaluate import evaluate_answer
from workbench.scoring.safety import RuleSet
from workbench.staleness import is_stale
from workbench.store import Store
from workbench.text import extract_citations

__all__ = ["BatchReport", "answer_id", "default_run_id", "generate_batch", "score_batch"]

RETRIEVE_K = 6


@dataclass(slots=True)
class BatchReport:
    """What a batch did: new items, items it found already done, and failures by id."""

    run_id: str | None = None
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def default_run_id(prompt_key: str, generator: Generator) -> str:
    """A stable run id, so that the same command resumes the same run."""
    return f"{prompt_key}.{generator.name}.{generator.model}"


def answer_id(run_id: str, question_id: str) -> str:
    """A short stable id for the generated answer to a question in a run."""
    digest = hashlib.sha256(f"{run_id}\0{question_id}".encode()).hexdigest()
    return f"a-{digest[:12]}"


def generate_batch(
    store: Store,
    corpus: Corpus,
    generator: Generator,
    prompt_key: str,
    questions: Sequence[Question],
    *,
    questions_source: str,
    run_id: str | None = None,
    retriever: BM25Retriever | None = None,
    progress: bool = True,
) -> BatchReport:
    """Answer every question not yet answered in the run; one commit per answer."""
    prompt = corpus.prompts[prompt_key]
    retriever = retriever or BM25Retriever(corpus.excerpts.values())
    run = store.ensure_run(
        Run(
            id=run_id or default_run_id(prompt.key, generator),
            prompt_key=prompt.key,
            backend=generator.name,
            model=generator.model,
            questions_source=questions_source,
        )
    )
    report = BatchReport(run_id=run.id)
    done = store.answered_question_ids(run.id)
    todo = [q for q in questions if q.id not in done]
    report.skipped = len(questions) - len(todo)
    for question in tqdm(todo, desc=f"generate {run.id}", disable=not progress, unit="answer"):
        retrieved = [r.excerpt for r in retriever.retrieve(question, k=RETRIEVE_K)]
        try:
            gen = generator.generate(question, retrieved, prompt)
        except WorkbenchError as exc:  # one bad question must not stop the batch
            report.failed.append((question.id, str(exc)))
            continue
        store.add_answer(
            Answer(
                id=answer_id(run.id, question.id),
                run_id=run.id,
                question_id=question.id,
                prompt_key=prompt.key,
                backend=generator.name,
                model=generator.model,
                text=gen.text,
                cited_ids=tuple(extract_citations(gen.text)),
                retrieved_ids=tuple(e.id for e in retrieved),
                settings=gen.settings,
                prompt_tokens=gen.prompt_tokens,
                completion_tokens=gen.completion_tokens,
                latency_s=gen.latency_s,
                cost_usd=gen.cost_usd,
            )
        )
        report.done += 1
    return report


def score_batch(
    store: Store,
    corpus: Corpus,
    judge: Judge,
    *,
    run_ids: Sequence[str] | None = None,
    rules: RuleSet | None = None,
    rescore: bool = False,
    stale: bool = False,
    progress: bool = True,
) -> BatchReport:
    """Evaluate every answer this judge has not yet scored (all of them with `rescore`).

    With `stale`, only answers whose evaluation by this judge was made against excerpts
    that have changed since are scored again.
    """
    answers = store.answers(run_ids=run_ids)
    if stale:
        outdated = {
            ev.answer_id
            for ev in store.evaluations(judge=judge.name)
            if is_stale(ev, corpus.excerpts)
        }
        todo = [a for a in answers if a.id in outdated]
    else:
        done = set() if rescore else store.scored_answer_ids(judge.name)
        todo = [a for a in answers if a.id not in done]
    report = BatchReport(skipped=len(answers) - len(todo))
    for answer in tqdm(todo, desc=f"score ({judge.name})", disable=not progress, unit="answer"):
        missing = [i for i in answer.retrieved_ids if i not in corpus.excerpts]
        try:
            question = corpus.question(answer.question_id)
        except KeyError:
            report.failed.append((answer.id, f"question {answer.question_id!r} is not loaded"))
            continue
        if missing:
            report.failed.append((answer.id, f"excerpts {missing} are not in the corpus"))
            continue
        excerpts = [corpus.excerpts[i] for i in answer.retrieved_ids]
        store.add_evaluation(evaluate_answer(answer, question, excerpts, judge, rules=rules))
        report.done += 1
    return report
