"""Batches: generate answers for a question set, then score them; both resume after a crash.

Each answer and each evaluation is committed on its own, so a batch killed half-way keeps
what it finished, and the same command started again does only the rest. The planning
and record-making helpers are shared with the concurrent batches of `pipeline_async`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tqdm.auto import tqdm

from workbench.backends.base import Generation, Generator
from workbench.datasets import Corpus
from workbench.errors import WorkbenchError
from workbench.models import Answer, EvaluationStatus, Excerpt, PromptTemplate, Question, Run
from workbench.retrieval import BM25Retriever
from workbench.scoring.base import Judge
from workbench.scoring.evaluate import evaluate_answer
from workbench.scoring.safety import RuleSet
from workbench.staleness import is_stale
from workbench.store import Store
from workbench.text import extract_citations

__all__ = [
    "BatchReport",
    "GenerationPlan",
    "answer_id",
    "answers_to_score",
    "default_run_id",
    "generate_batch",
    "make_answer",
    "plan_generation",
    "score_batch",
    "scoring_inputs",
]

RETRIEVE_K = 6


@dataclass(slots=True)
class BatchReport:
    """What a batch did: new items, items it found already done, and failures by id."""

    run_id: str | None = None
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


class _Named(Protocol):
    name: str
    model: str


def default_run_id(prompt_key: str, generator: _Named) -> str:
    """A stable run id, so that the same command resumes the same run."""
    return f"{prompt_key}.{generator.name}.{generator.model}"


def answer_id(run_id: str, question_id: str) -> str:
    """A short stable id for the generated answer to a question in a run."""
    digest = hashlib.sha256(f"{run_id}\0{question_id}".encode()).hexdigest()
    return f"a-{digest[:12]}"


@dataclass(frozen=True, slots=True)
class GenerationPlan:
    """A run, its prompt, the questions still to answer, and where their excerpts come from."""

    run: Run
    prompt: PromptTemplate
    todo: list[Question]
    skipped: int
    retriever: BM25Retriever

    def excerpts_for(self, question: Question) -> list[Excerpt]:
        """The excerpts a question is answered from, best first."""
        return [r.excerpt for r in self.retriever.retrieve(question, k=RETRIEVE_K)]


def plan_generation(
    store: Store,
    corpus: Corpus,
    generator: _Named,
    prompt_key: str,
    questions: Sequence[Question],
    *,
    questions_source: str,
    run_id: str | None = None,
    retriever: BM25Retriever | None = None,
) -> GenerationPlan:
    """Record the run (once) and list the questions not yet answered in it."""
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
    done = store.answered_question_ids(run.id)
    todo = [q for q in questions if q.id not in done]
    return GenerationPlan(run, prompt, todo, len(questions) - len(todo), retriever)


def make_answer(
    plan: GenerationPlan,
    generator: _Named,
    question: Question,
    retrieved: Sequence[Excerpt],
    gen: Generation,
) -> Answer:
    """The stored form of a generation: ids, citations, usage, latency and cost."""
    return Answer(
        id=answer_id(plan.run.id, question.id),
        run_id=plan.run.id,
        question_id=question.id,
        prompt_key=plan.prompt.key,
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
    plan = plan_generation(
        store,
        corpus,
        generator,
        prompt_key,
        questions,
        questions_source=questions_source,
        run_id=run_id,
        retriever=retriever,
    )
    report = BatchReport(run_id=plan.run.id, skipped=plan.skipped)
    desc = f"generate {plan.run.id}"
    for question in tqdm(plan.todo, desc=desc, disable=not progress, unit="answer"):
        retrieved = plan.excerpts_for(question)
        try:
            gen = generator.generate(question, retrieved, plan.prompt)
        except WorkbenchError as exc:  # one bad question must not stop the batch
            report.failed.append((question.id, str(exc)))
            continue
        store.add_answer(make_answer(plan, generator, question, retrieved, gen))
        report.done += 1
    return report


def answers_to_score(
    store: Store,
    corpus: Corpus,
    judge_name: str,
    *,
    run_ids: Sequence[str] | None = None,
    rescore: bool = False,
    stale: bool = False,
    retry_failed: bool = False,
) -> tuple[list[Answer], int]:
    """The answers a scoring batch will judge, and how many it skips as already done.

    With `stale`, only those whose evaluation was made against excerpts changed since;
    with `retry_failed`, also those whose evaluation says the judge failed.
    """
    answers = store.answers(run_ids=run_ids)
    if stale:
        outdated = {
            ev.answer_id
            for ev in store.evaluations(judge=judge_name)
            if is_stale(ev, corpus.excerpts)
        }
        todo = [a for a in answers if a.id in outdated]
    else:
        done = set() if rescore else store.scored_answer_ids(judge_name)
        if retry_failed and done:
            failed = store.evaluations(judge=judge_name)
            done -= {e.answer_id for e in failed if e.status is EvaluationStatus.JUDGE_FAILED}
        todo = [a for a in answers if a.id not in done]
    return todo, len(answers) - len(todo)


def scoring_inputs(answer: Answer, corpus: Corpus) -> tuple[Question, list[Excerpt]] | str:
    """The question and excerpts an answer is judged against, or why they are missing."""
    try:
        question = corpus.question(answer.question_id)
    except KeyError:
        return f"question {answer.question_id!r} is not loaded"
    missing = [i for i in answer.retrieved_ids if i not in corpus.excerpts]
    if missing:
        return f"excerpts {missing} are not in the corpus"
    return question, [corpus.excerpts[i] for i in answer.retrieved_ids]


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
    todo, skipped = answers_to_score(
        store, corpus, judge.name, run_ids=run_ids, rescore=rescore, stale=stale
    )
    report = BatchReport(skipped=skipped)
    for answer in tqdm(todo, desc=f"score ({judge.name})", disable=not progress, unit="answer"):
        inputs = scoring_inputs(answer, corpus)
        if isinstance(inputs, str):
            report.failed.append((answer.id, inputs))
            continue
        question, excerpts = inputs
        store.add_evaluation(evaluate_answer(answer, question, excerpts, judge, rules=rules))
        report.done += 1
    return report
