"""Concurrent batches for backends and judges that call a remote model.

The same runs, ids and resumption as `workbench.pipeline`, but every answer still to do
is worked on by a pool of twice as many workers as the client lets calls out at once:
while `concurrency` calls are out, as many more are prepared (excerpts retrieved, prompt
built) and waiting for a slot, so the endpoint always has work and a slot that frees up
is taken at once. Each answer and each evaluation is
committed as soon as it is ready: a batch killed at any point keeps what it finished,
and the rerun does only the rest. A failure (an EndpointError after the retries) is
recorded for that question and the batch goes on; a judge's failure is stored as an
evaluation that says "judge failed" (and is tried again by the next run).

From a notebook: `report = await agenerate_batch(...)` (no `nest_asyncio`). From
synchronous code (the CLI): `run_batch(agenerate_batch(...))`.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, TypeVar

from tqdm.auto import tqdm

from workbench.backends.base import AsyncGenerator
from workbench.datasets import Corpus
from workbench.errors import ConfigError, WorkbenchError
from workbench.llm.settings import DEFAULT_CONCURRENCY
from workbench.models import Answer, Question
from workbench.pipeline import (
    BatchReport,
    GenerationPlan,
    answers_to_score,
    make_answer,
    plan_generation,
    scoring_inputs,
)
from workbench.retrieval import BM25Retriever
from workbench.scoring.base import AsyncJudge
from workbench.scoring.evaluate import aevaluate_answer
from workbench.scoring.safety import RuleSet
from workbench.store import Store

__all__ = ["agenerate_batch", "ascore_batch", "run_batch"]

T = TypeVar("T")


async def _pool(
    items: Sequence[T], work: Callable[[T], Awaitable[None]], width: int, bar: tqdm[Any]
) -> None:
    """Run `work` on every item with `width` workers; the first unexpected error cancels
    the rest and propagates. Each worker prepares its next item while others are out."""
    pending = iter(items)

    async def worker() -> None:
        for item in pending:  # one shared iterator: each item goes to one worker
            await work(item)
            bar.update(1)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(width, len(items))):
                group.create_task(worker())
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None
    finally:
        bar.close()


def _width(part: object) -> int:
    """Workers for a batch: twice the calls its client lets out at once."""
    return 2 * int(getattr(part, "concurrency", DEFAULT_CONCURRENCY))


async def _generate_one(
    store: Store,
    plan: GenerationPlan,
    generator: AsyncGenerator,
    question: Question,
    report: BatchReport,
) -> None:
    retrieved = plan.excerpts_for(question)
    try:
        gen = await generator.agenerate(question, retrieved, plan.prompt)
    except WorkbenchError as exc:  # one bad question must not stop the batch
        report.failed.append((question.id, str(exc)))
        return
    store.add_answer(make_answer(plan, generator, question, retrieved, gen))
    report.done += 1


async def agenerate_batch(
    store: Store,
    corpus: Corpus,
    generator: AsyncGenerator,
    prompt_key: str,
    questions: Sequence[Question],
    *,
    questions_source: str,
    run_id: str | None = None,
    retriever: BM25Retriever | None = None,
    progress: bool = True,
) -> BatchReport:
    """Answer every question not yet answered in the run, many at once; a commit each."""
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

    async def work(question: Question) -> None:
        await _generate_one(store, plan, generator, question, report)

    bar = tqdm(total=len(plan.todo), desc=f"generate {plan.run.id}", disable=not progress)
    try:
        await _pool(plan.todo, work, _width(generator), bar)
    finally:
        await generator.aclose()
    return report


async def _score_one(
    store: Store,
    corpus: Corpus,
    judge: AsyncJudge,
    answer: Answer,
    rules: RuleSet | None,
    report: BatchReport,
) -> None:
    inputs = scoring_inputs(answer, corpus)
    if isinstance(inputs, str):
        report.failed.append((answer.id, inputs))
        return
    question, excerpts = inputs
    store.add_evaluation(await aevaluate_answer(answer, question, excerpts, judge, rules=rules))
    report.done += 1


async def ascore_batch(
    store: Store,
    corpus: Corpus,
    judge: AsyncJudge,
    *,
    run_ids: Sequence[str] | None = None,
    rules: RuleSet | None = None,
    rescore: bool = False,
    stale: bool = False,
    progress: bool = True,
) -> BatchReport:
    """Evaluate every answer this judge has not scored yet, or whose judging failed."""
    todo, skipped = answers_to_score(
        store,
        corpus,
        judge.name,
        run_ids=run_ids,
        rescore=rescore,
        stale=stale,
        retry_failed=True,
    )
    report = BatchReport(skipped=skipped)

    async def work(answer: Answer) -> None:
        await _score_one(store, corpus, judge, answer, rules, report)

    bar = tqdm(total=len(todo), desc=f"score ({judge.name})", disable=not progress)
    try:
        await _pool(todo, work, _width(judge), bar)
    finally:
        await judge.aclose()
    return report


def run_batch(batch: Coroutine[Any, Any, T]) -> T:
    """Run a batch coroutine from synchronous code (refused inside a running loop).

    Everything allocated so far (ragas, langchain and pandas imports: millions of
    objects) is first moved out of the garbage collector's sight (`gc.freeze`): a full
    collection over them stalls the event loop for a fifth of a second, during which
    no reply is read and no request sent.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        gc.freeze()
        return asyncio.run(batch)
    batch.close()
    raise ConfigError("an event loop is running here (a notebook?): `await` the batch instead")
