"""A run as the forms start it: answer under each prompt version, then judge those runs.

`RunJob` plans one (the questions each run still has to answer, the answers still to
judge), gives its pre-flight (endpoint calls, cache hits, tokens and the most it can
cost, for each part that calls an endpoint; `check_budget` refuses it above a cap), runs
it with the batch runner in the caller's event loop (`await job.arun()`), so a notebook's
widgets stay live while it works. Every finished item is counted and every failed one
kept as an `ItemError` the moment it happens: a job cancelled half way (its task
cancelled) still reports what it kept, and running it again does only the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.generation.base import AsyncGenerator, Generator
from workbench.generation.retrieval import BM25Retriever
from workbench.llm.estimate import Estimate
from workbench.llm.settings import LLMSettings
from workbench.models import Question
from workbench.runs.batch import ItemDone, OnItem, agenerate_batch, ascore_batch
from workbench.runs.plan import answers_to_score, default_run_id, run_id_for
from workbench.runs.preflight import (
    PlansAnswers,
    PlansJudging,
    generation_preflight,
    judging_preflight,
)
from workbench.scoring.base import AsyncJudge, Judge
from workbench.store import Store
from workbench.workspace import Workspace

__all__ = ["ItemError", "JobReport", "RunJob"]

# An answer the offline composer is still to write, for a remote judge's pre-flight: its
# answers are shorter than the token limit an endpoint gets by default.
_DEFAULT_ANSWER_TOKENS = LLMSettings(model="any").max_tokens


@dataclass(frozen=True, slots=True)
class ItemError:
    """One item that failed: which stage, which question or answer, and why."""

    stage: str  # "generate" or "score"
    item_id: str
    question_id: str
    message: str


@dataclass(slots=True)
class JobReport:
    """What a job did so far: answers written, answers judged, failures, cancelled or not."""

    run_ids: list[str]
    generated: int = 0
    scored: int = 0
    errors: list[ItemError] = field(default_factory=list)
    cancelled: bool = False


class RunJob:
    """Answer `questions` under each prompt version of `keys`, then judge those runs."""

    def __init__(
        self,
        store: Store,
        workspace: Workspace,
        generator: Generator | AsyncGenerator,
        judge: Judge | AsyncJudge,
        keys: Sequence[str],
        questions: Sequence[Question],
        *,
        run_name: str = "",
    ) -> None:
        self.store, self.workspace = store, workspace
        self.generator, self.judge = generator, judge
        self.questions = list(questions)
        self.run_ids = {
            k: run_id_for(run_name, k, len(keys)) or default_run_id(k, generator) for k in keys
        }
        self.retriever = BM25Retriever(workspace.corpus.excerpts.values())
        self.report = JobReport(list(self.run_ids.values()))

    def to_answer(self) -> dict[str, list[Question]]:
        """Per prompt version, the questions its run has not answered yet."""
        out = {}
        for key, run_id in self.run_ids.items():
            done = self.store.answered_question_ids(run_id)
            out[key] = [q for q in self.questions if q.id not in done]
        return out

    def total(self) -> int:
        """Items still to do: each answer to write, and each answer to judge (new ones too)."""
        new = sum(len(qs) for qs in self.to_answer().values())
        todo, _ = answers_to_score(
            self.store,
            self.workspace.corpus,
            self.judge.name,
            run_ids=list(self.run_ids.values()),
        )
        return 2 * new + len(todo)

    def preflight(self) -> list[Estimate]:
        """What the parts that call an endpoint will ask of it (none: nothing to pay)."""
        corpus, out = self.workspace.corpus, []
        to_answer = self.to_answer()
        answer_tokens = _DEFAULT_ANSWER_TOKENS
        if isinstance(self.generator, PlansAnswers):
            answer_tokens = self.generator.client.settings.max_tokens
            out.append(
                generation_preflight(
                    self.store,
                    corpus,
                    self.generator,
                    self.questions,
                    self.run_ids,
                    retriever=self.retriever,
                )
            )
        if isinstance(self.judge, PlansJudging):
            out.append(
                judging_preflight(
                    self.store,
                    corpus,
                    self.judge,
                    run_ids=list(self.run_ids.values()),
                    to_come=[q for qs in to_answer.values() for q in qs],
                    answer_tokens=answer_tokens,
                    retriever=self.retriever,
                )
            )
        return out

    async def arun(self, on_item: OnItem | None = None) -> JobReport:
        """Answer, then judge; `self.report` is up to date after every item, even when the
        task running this is cancelled half way."""
        report = self.report

        def record(item: ItemDone) -> None:
            if item.error is not None:
                report.errors.append(
                    ItemError(item.stage, item.item_id, item.question_id, item.error)
                )
            elif item.stage == "generate":
                report.generated += 1
            else:
                report.scored += 1
            if on_item is not None:
                on_item(item)

        corpus = self.workspace.corpus
        for key, questions in self.to_answer().items():
            await agenerate_batch(
                self.store,
                corpus,
                self.generator,
                key,
                questions,
                questions_source=str(self.workspace.questions),
                run_id=self.run_ids[key],
                retriever=self.retriever,
                progress=False,
                on_item=record,
            )
        await ascore_batch(
            self.store,
            corpus,
            self.judge,
            run_ids=list(self.run_ids.values()),
            rules=self.workspace.rules,
            progress=False,
            on_item=record,
        )
        return report
