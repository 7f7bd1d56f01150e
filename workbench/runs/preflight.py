"""The pre-flight of a run against an LLM endpoint: what it will ask, before it starts.

`generation_preflight` and `judging_preflight` list the calls a batch would make (the
questions not yet answered in their runs, the answers not yet judged), count those the
call cache will serve, and estimate tokens and cost (`workbench.llm.estimate`). The CLI
prints them and `check_budget` refuses a run above `--max-cost`; the forms can do the same.
Judging's pre-flight also analyses the excerpts the judge will quote, work the batch
would otherwise do between its calls. A form that generates and then judges in one go
also counts the judging of answers not written yet (`to_come`): each at the longest
answer the generating model may write, never served by the cache, so the figure stays
an upper bound.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, cast, runtime_checkable

from workbench.data.datasets import Corpus
from workbench.generation.retrieval import BM25Retriever, retriever_for
from workbench.llm.calls import LLMClient
from workbench.llm.estimate import CHARS_PER_TOKEN, Estimate, PlannedCall, estimate
from workbench.llm.settings import LLMSettings
from workbench.models import Excerpt, PromptTemplate, Question
from workbench.runs.plan import RETRIEVE_K, answers_to_score
from workbench.scoring.evaluate import scoring_inputs
from workbench.scoring.repeat import RepeatableJudge
from workbench.store import Store

__all__ = [
    "PlansAnswers",
    "PlansContextJudging",
    "PlansJudging",
    "PlansSafetyJudging",
    "context_judging_preflight",
    "generation_preflight",
    "judging_preflight",
    "local_server_note",
    "safety_judging_preflight",
]


@runtime_checkable
class PlansAnswers(Protocol):
    """A backend that calls an endpoint: it can list the calls an answer takes."""

    client: LLMClient

    def plan(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> list[PlannedCall]: ...


@runtime_checkable
class PlansJudging(Protocol):
    """A judge that calls an endpoint: it can list the calls a judgment takes."""

    client: LLMClient
    name: str

    def plan(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> list[PlannedCall]: ...


def local_server_note(settings: LLMSettings) -> str | None:
    """What to set for a local server, when several calls would go to it at once."""
    if not settings.local or settings.concurrency == 1:
        return None
    return (
        f"note: {settings.endpoint} is a local server; if it answers one request at a time "
        "(llama-cpp-python's server, llama-server --parallel 1, Ollama with "
        "OLLAMA_NUM_PARALLEL=1), run with --concurrency 1 "
        f"(or its number of parallel slots) and a --timeout longer than one answer takes; "
        f"{settings.concurrency} at once queue in the server, and calls that time out halve "
        "the concurrency by themselves"
    )


def generation_preflight(
    store: Store,
    corpus: Corpus,
    backend: PlansAnswers,
    questions: Sequence[Question],
    run_ids: Mapping[str, str],
    *,
    retriever: BM25Retriever | None = None,
) -> Estimate:
    """The calls of generating `questions` under each prompt key of `run_ids` (key -> run)."""
    retriever = retriever or retriever_for(corpus.excerpts.values())
    planned: list[PlannedCall] = []
    for key, run_id in run_ids.items():
        done = store.answered_question_ids(run_id)
        for q in questions:
            if q.id not in done:
                excerpts = [r.excerpt for r in retriever.retrieve(q, k=RETRIEVE_K)]
                planned += backend.plan(q, excerpts, corpus.prompts[key])
    return estimate("generation", planned, backend.client)


@runtime_checkable
class PlansSafetyJudging(Protocol):
    """A safety judge that calls an endpoint: one call per answer."""

    client: LLMClient

    def plan(
        self, answer_text: str, *, question: str | None = None, cancer_type: str | None = None
    ) -> list[PlannedCall]: ...


def safety_judging_preflight(
    store: Store,
    corpus: Corpus,
    safety_judge: PlansSafetyJudging,
    judge_name: str,
    *,
    run_ids: Sequence[str] | None = None,
    rescore: bool = False,
    stale: bool = False,
) -> Estimate:
    """The calls of the LLM safety judge on what a scoring batch by `judge_name` would score."""
    todo, _ = answers_to_score(
        store, corpus, judge_name, run_ids=run_ids, rescore=rescore, stale=stale
    )
    planned: list[PlannedCall] = []
    for answer in todo:
        inputs = scoring_inputs(answer, corpus)
        if not isinstance(inputs, str):
            question, _ = inputs
            planned += safety_judge.plan(
                answer.text, question=question.text, cancer_type=question.cancer_type
            )
    return estimate("safety judging", planned, safety_judge.client)


@runtime_checkable
class PlansContextJudging(Protocol):
    """A judge of the retrieved excerpts through an endpoint: one call per excerpt."""

    client: LLMClient

    def plan(
        self, question: str, answer_text: str, excerpts: Sequence[Excerpt]
    ) -> list[PlannedCall]: ...


def context_judging_preflight(
    store: Store,
    corpus: Corpus,
    context_judge: PlansContextJudging,
    judge_name: str,
    *,
    run_ids: Sequence[str] | None = None,
    rescore: bool = False,
    stale: bool = False,
    repeat: int = 1,
) -> Estimate:
    """The calls of judging the retrieved excerpts of what a scoring batch by `judge_name`
    would score (asked once per answer, whatever `repeat`)."""
    todo, _ = answers_to_score(
        store, corpus, judge_name, run_ids=run_ids, rescore=rescore, stale=stale, repeat=repeat
    )
    planned: list[PlannedCall] = []
    for answer in todo:
        inputs = scoring_inputs(answer, corpus)
        if not isinstance(inputs, str):
            question, excerpts = inputs
            planned += context_judge.plan(question.text, answer.text, excerpts)
    return estimate("context judging", planned, context_judge.client)


def judging_preflight(
    store: Store,
    corpus: Corpus,
    judge: PlansJudging,
    *,
    run_ids: Sequence[str] | None = None,
    rescore: bool = False,
    stale: bool = False,
    to_come: Sequence[Question] = (),
    answer_tokens: int = 0,
    retriever: BM25Retriever | None = None,
    repeat: int = 1,
) -> Estimate:
    """The calls of judging what a scoring batch with these options would judge.

    `to_come` are answers a generation batch will write first (one per question listed,
    a question listed once per run), counted at `answer_tokens` each. With `repeat` K,
    each answer's K askings (the ones already cached count as cache hits).
    """
    todo, _ = answers_to_score(
        store, corpus, judge.name, run_ids=run_ids, rescore=rescore, stale=stale, repeat=repeat
    )
    askings = [judge]
    if repeat > 1 and isinstance(judge, RepeatableJudge):
        askings += [cast(PlansJudging, judge.for_repeat(n)) for n in range(1, repeat)]
    planned: list[PlannedCall] = []
    for answer in todo:
        inputs = scoring_inputs(answer, corpus)
        if not isinstance(inputs, str):
            question, excerpts = inputs
            for asking in askings:
                planned += asking.plan(answer.text, excerpts, question=question.text)
    if to_come:
        retriever = retriever or BM25Retriever(corpus.excerpts.values())
        longest = "x" * int(answer_tokens * CHARS_PER_TOKEN)  # stands in for its size only
        for q in to_come:
            excerpts = [r.excerpt for r in retriever.retrieve(q, k=RETRIEVE_K)]
            planned += [
                PlannedCall(None, call.chars, call.max_tokens)  # unknown: never a cache hit
                for call in judge.plan(longest, excerpts, question=q.text)
            ]
    return estimate("judging", planned, judge.client)
