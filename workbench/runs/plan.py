"""What a batch will do before it does it: run and answer ids, the questions still to
answer, the answers still to judge, and the stored form of a generation.

The batch runner (`workbench.runs.batch`) and the pre-flight (`workbench.runs.preflight`)
plan from these same functions, so what the pre-flight counts is what the batch does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from workbench.data.datasets import Corpus
from workbench.data.text import extract_citations
from workbench.generation.base import Generation
from workbench.generation.retrieval import BM25Retriever, retriever_for
from workbench.models import Answer, EvaluationStatus, Excerpt, PromptTemplate, Question, Run
from workbench.scoring.staleness import is_stale
from workbench.store import Store

__all__ = [
    "RETRIEVE_K",
    "GenerationPlan",
    "answer_id",
    "answers_to_score",
    "default_run_id",
    "make_answer",
    "plan_generation",
    "run_id_for",
]

RETRIEVE_K = 6


class Named(Protocol):
    """What names a run: the backend and its model."""

    name: str
    model: str


def default_run_id(prompt_key: str, generator: Named) -> str:
    """A stable run id, so that the same command resumes the same run."""
    return f"{prompt_key}.{generator.name}.{generator.model}"


def run_id_for(run_name: str | None, prompt_key: str, prompt_count: int) -> str | None:
    """The run a user's `--run` name gives one prompt version: the name itself, or, when
    several prompt versions run under one name, `name.prompt_key` (None: the default id)."""
    if run_name and prompt_count > 1:
        return f"{run_name}.{prompt_key}"
    return run_name or None


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
    generator: Named,
    prompt_key: str,
    questions: Sequence[Question],
    *,
    questions_source: str,
    run_id: str | None = None,
    retriever: BM25Retriever | None = None,
) -> GenerationPlan:
    """Record the run (once) and list the questions not yet answered in it."""
    prompt = corpus.prompts[prompt_key]
    retriever = retriever or retriever_for(corpus.excerpts.values())
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
    generator: Named,
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


def answers_to_score(
    store: Store,
    corpus: Corpus,
    judge_name: str,
    *,
    run_ids: Sequence[str] | None = None,
    rescore: bool = False,
    stale: bool = False,
    repeat: int = 1,
) -> tuple[list[Answer], int]:
    """The answers a scoring batch will judge, and how many it skips as already done.

    Not yet judged by this judge, or judged but the judge failed (tried again), or judged
    fewer than `repeat` times; every one with `rescore`; with `stale`, only those judged
    against excerpts changed since.
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
        if done:
            judged = store.evaluations(judge=judge_name)
            done -= {e.answer_id for e in judged if e.status is EvaluationStatus.JUDGE_FAILED}
            if repeat > 1:
                done -= {e.answer_id for e in judged if len(e.judgments) < repeat}
        todo = [a for a in answers if a.id not in done]
    return todo, len(answers) - len(todo)
