"""The batch runner: generate answers for a question set, then score them; both resume.

One runner, async at its core. `agenerate_batch` and `ascore_batch` work on every item
still to do with a pool of workers: twice as many as a remote client lets calls out at
once, so while `concurrency` calls are out as many more are prepared (excerpts
retrieved, prompt built) and a slot that frees up is taken at once; one worker for a
backend or judge that runs in-process. `generate_batch` and `score_batch` are the same
batches called from synchronous code: a synchronous backend or judge is adapted, and the
coroutine runs to its end in place (it never waits, so it needs no event loop, in a
notebook too); a remote one runs in a new event loop (`await` it in a notebook).

Each answer and each evaluation is committed as soon as it is ready: a batch killed at
any point keeps what it finished, and the rerun does only the rest. A failed question
(an EndpointError after the retries) is recorded in the report and the batch goes on; a
judge's failure is stored as an evaluation that says "judge failed", and the next
scoring batch tries it again, whichever way it is called.

`on_item` (optional) is told of every item as it finishes, failed or not (`ItemDone`):
the forms move their progress bar and list errors from it. An in-process batch hands
the event loop back between items, so a form running it as a task stays responsive and
can be cancelled; a cancelled batch keeps every item it committed.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from tqdm.auto import tqdm

from workbench.data.datasets import Corpus
from workbench.errors import WorkbenchError
from workbench.generation.base import AsyncGenerator, Generation, Generator
from workbench.generation.retrieval import BM25Retriever
from workbench.llm.settings import DEFAULT_CONCURRENCY
from workbench.llm.sync import run_sync
from workbench.models import Answer, EvaluationStatus, Excerpt, PromptTemplate, Question
from workbench.runs.plan import answers_to_score, make_answer, plan_generation
from workbench.scoring.base import AsyncJudge, FaithfulnessResult, Judge
from workbench.scoring.evaluate import (
    AsyncContextJudge,
    AsyncRelevanceJudge,
    AsyncSafetyJudge,
    aevaluate_answer,
    encode_ahead,
    scoring_inputs,
)
from workbench.scoring.repeat import is_deterministic
from workbench.scoring.safety import RuleSet
from workbench.store import Store

__all__ = [
    "BatchReport",
    "ItemDone",
    "OnItem",
    "agenerate_batch",
    "ascore_batch",
    "generate_batch",
    "score_batch",
]

T = TypeVar("T")
P = ParamSpec("P")
ENCODE_AHEAD = 64  # answers whose sentences are encoded together (see `encode_ahead`)
Part = TypeVar("Part")


@dataclass(slots=True)
class BatchReport:
    """What a batch did: new items, items it found already done, and failures by id.

    `failed` holds every item that did not succeed, with why: a question with no answer
    (nothing stored), or an answer whose judge failed (stored as a "judge failed"
    evaluation, tried again by the next batch). `done` counts only the successes.
    """

    run_id: str | None = None
    done: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no item failed."""
        return not self.failed


@dataclass(frozen=True, slots=True)
class ItemDone:
    """One item a batch finished: a question answered or an answer judged, or a failure.

    `error` says why the item failed (the endpoint gave up, the judge failed, inputs are
    missing); None when it went through. `done` of `total` counts this batch's items.
    """

    stage: str  # "generate" or "score"
    item_id: str  # the question id (generate) or the answer id (score)
    question_id: str
    done: int
    total: int
    error: str | None = None


OnItem = Callable[[ItemDone], None]


async def _pool(
    items: Sequence[T], work: Callable[[T], Awaitable[None]], width: int, bar: tqdm[Any]
) -> None:
    """Run `work` on every item with `width` workers; the first unexpected error cancels
    the rest and propagates. One worker runs the items in order, with no task at all, and
    hands the loop back after each (in-process work never waits on its own)."""
    pending = iter(items)

    async def worker() -> None:
        for item in pending:  # one shared iterator: each item goes to one worker
            await work(item)
            bar.update(1)
            if width <= 1:
                await asyncio.sleep(0)

    try:
        if width <= 1:
            await worker()
            return
        async with asyncio.TaskGroup() as group:
            for _ in range(min(width, len(items))):
                group.create_task(worker())
    except BaseExceptionGroup as errors:
        raise errors.exceptions[0] from None
    finally:
        bar.close()


def _teller(
    stage: str, total: int, on_item: OnItem | None
) -> Callable[[str, str, str | None], None]:
    """What tells `on_item` of each finished item, counting them (nothing without one)."""
    count = 0

    def tell(item_id: str, question_id: str, error: str | None) -> None:
        nonlocal count
        count += 1
        if on_item is not None:
            on_item(ItemDone(stage, item_id, question_id, count, total, error))

    return tell


def _width(part: object) -> int:
    """Workers for a batch: twice the calls a remote client lets out at once, else one."""
    if isinstance(part, _InProcess):
        return 1
    return 2 * int(getattr(part, "concurrency", DEFAULT_CONCURRENCY))


class _InProcess:
    """Marks a synchronous backend or judge adapted to the async seam."""

    async def aclose(self) -> None:
        """Nothing to release."""


class _AsyncGeneration(_InProcess):
    """A synchronous `Generator` behind the `AsyncGenerator` seam."""

    def __init__(self, generator: Generator) -> None:
        self.inner, self.name, self.model = generator, generator.name, generator.model

    async def agenerate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        return self.inner.generate(question, excerpts, prompt)


class _AsyncJudging(_InProcess):
    """A synchronous `Judge` behind the `AsyncJudge` seam."""

    def __init__(self, judge: Judge) -> None:
        self.inner, self.name = judge, judge.name

    async def ajudge(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> FaithfulnessResult:
        return self.inner.judge(answer_text, excerpts)


def _async_generator(generator: Generator | AsyncGenerator) -> AsyncGenerator:
    if hasattr(generator, "agenerate"):
        return cast(AsyncGenerator, generator)
    return _AsyncGeneration(generator)


def _async_judge(judge: Judge | AsyncJudge) -> AsyncJudge:
    if hasattr(judge, "ajudge"):
        return cast(AsyncJudge, judge)
    return _AsyncJudging(judge)


def _run(batch: Coroutine[Any, Any, T], *, in_process: bool, instead: str) -> T:
    """Run a batch coroutine from synchronous code.

    In-process parts never wait, so the coroutine is run to its end in place. Otherwise
    it gets an event loop of its own, after everything allocated so far (ragas, langchain
    and pandas imports: millions of objects) is moved out of the garbage collector's
    sight (`gc.freeze`): a full collection over them stalls the loop for a fifth of a
    second, during which no reply is read and no request sent.
    """
    if in_process:
        while True:  # a bare yield (`sleep(0)`) hands the loop back; there is none to hand
            try:
                waited_on = batch.send(None)
            except StopIteration as finished:
                return finished.value  # type: ignore[no-any-return]
            if waited_on is not None:
                batch.close()
                raise RuntimeError("an in-process batch waited on something")  # a bug
    gc.freeze()
    return run_sync(batch, instead=instead)


async def agenerate_batch(
    store: Store,
    corpus: Corpus,
    backend: Generator | AsyncGenerator,
    prompt_key: str,
    questions: Sequence[Question],
    *,
    questions_source: str,
    run_id: str | None = None,
    retriever: BM25Retriever | None = None,
    progress: bool = True,
    on_item: OnItem | None = None,
) -> BatchReport:
    """Answer every question not yet answered in the run, many at once; a commit each."""
    generator = _async_generator(backend)
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
    tell = _teller("generate", len(plan.todo), on_item)

    async def work(question: Question) -> None:
        retrieved = plan.excerpts_for(question)
        try:
            gen = await generator.agenerate(question, retrieved, plan.prompt)
        except WorkbenchError as exc:  # one bad question must not stop the batch
            report.failed.append((question.id, str(exc)))
            tell(question.id, question.id, str(exc))
            return
        store.add_answer(make_answer(plan, generator, question, retrieved, gen))
        report.done += 1
        tell(question.id, question.id, None)

    bar = tqdm(
        total=len(plan.todo), desc=f"generate {plan.run.id}", disable=not progress, unit="answer"
    )
    try:
        await _pool(plan.todo, work, _width(generator), bar)
    finally:
        await generator.aclose()
    return report


async def ascore_batch(
    store: Store,
    corpus: Corpus,
    scorer: Judge | AsyncJudge,
    *,
    run_ids: Sequence[str] | None = None,
    rules: RuleSet | None = None,
    rescore: bool = False,
    stale: bool = False,
    progress: bool = True,
    safety_judge: AsyncSafetyJudge | None = None,
    safety_model: bool = True,
    on_item: OnItem | None = None,
    repeat: int = 1,
    relevance_judge: AsyncRelevanceJudge | None = None,
    context_judge: AsyncContextJudge | None = None,
) -> BatchReport:
    """Evaluate every answer this judge has not scored yet, or whose judging failed.

    With `rescore`, every answer; with `stale`, only answers whose evaluation by this
    judge was made against excerpts that have changed since. A `safety_judge` (the LLM
    safety judge) adds its findings beside the rules' and the model layer's
    (`safety_model=False` leaves the model layer out). With `repeat` K above 1, an LLM
    judge is asked K times per answer (answers judged fewer times are judged again;
    the repeats already asked come from the call cache); a deterministic judge once.
    A `relevance_judge` (ragas' response relevancy) is asked beside the offline one, a
    `context_judge` (ragas' context precision and recall) of the retrieved excerpts.
    """
    judge = _async_judge(scorer)
    if is_deterministic(judge.name):
        repeat = 1
    todo, skipped = answers_to_score(
        store, corpus, judge.name, run_ids=run_ids, rescore=rescore, stale=stale, repeat=repeat
    )
    report = BatchReport(skipped=skipped)
    tell = _teller("score", len(todo), on_item)
    # Each chunk's sentences are encoded in one call as its first answer comes up.
    ahead = {todo[i].id: todo[i : i + ENCODE_AHEAD] for i in range(0, len(todo), ENCODE_AHEAD)}

    async def work(answer: Answer) -> None:
        if answer.id in ahead:
            encode_ahead(_pairs(ahead.pop(answer.id), corpus), safety_model=safety_model)
        inputs = scoring_inputs(answer, corpus)
        if isinstance(inputs, str):
            report.failed.append((answer.id, inputs))
            tell(answer.id, answer.question_id, inputs)
            return
        question, excerpts = inputs
        evaluation = await aevaluate_answer(
            answer,
            question,
            excerpts,
            judge,
            rules=rules,
            safety_judge=safety_judge,
            safety_model=safety_model,
            repeat=repeat,
            relevance_judge=relevance_judge,
            context_judge=context_judge,
        )
        store.add_evaluation(evaluation)  # a judge failure too: a value the report counts
        failed = evaluation.status is EvaluationStatus.JUDGE_FAILED
        if failed:
            report.failed.append((answer.id, evaluation.error or "judge failed"))
        else:
            report.done += 1
        tell(answer.id, answer.question_id, evaluation.error if failed else None)

    bar = tqdm(total=len(todo), desc=f"score ({judge.name})", disable=not progress, unit="answer")
    width = max(_width(judge), _width(safety_judge)) if safety_judge else _width(judge)
    try:
        await _pool(todo, work, width, bar)
    finally:
        await judge.aclose()
        if safety_judge is not None:
            await safety_judge.aclose()
    return report


def _pairs(answers: Sequence[Answer], corpus: Corpus) -> list[tuple[str, str]]:
    """(question, answer) texts of the answers whose question the corpus holds."""
    texts = {q.id: q.text for q in corpus.questions}
    return [(texts[a.question_id], a.text) for a in answers if a.question_id in texts]


def _called_from_sync_code(
    batch: Callable[Concatenate[Store, Corpus, Part, P], Coroutine[Any, Any, BatchReport]],
    remote: str,
) -> Callable[Concatenate[Store, Corpus, Part, P], BatchReport]:
    """The batch `batch`, called from synchronous code: run in place when its part (the
    backend or judge) is in-process, in an event loop of its own when the part has the
    `remote` method (an endpoint's)."""

    def call(
        store: Store, corpus: Corpus, part: Part, /, *args: P.args, **kw: P.kwargs
    ) -> BatchReport:
        coro = batch(store, corpus, part, *args, **kw)
        remote_parts = [part, kw.get("safety_judge")]  # a safety judge calls an endpoint too
        in_process = not any(hasattr(p, remote) for p in remote_parts if p is not None)
        return _run(coro, in_process=in_process, instead=f"{batch.__name__}(...)")

    call.__name__ = batch.__name__.removeprefix("a")
    call.__doc__ = f"`{batch.__name__}`, called from synchronous code."
    return call


generate_batch = _called_from_sync_code(agenerate_batch, "agenerate")
score_batch = _called_from_sync_code(ascore_batch, "ajudge")
