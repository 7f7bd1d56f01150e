"""ragas' context precision and recall for `score --judge ragas --ragas-context`.

Two kinds of figure, chosen for what the workbench has: a question, the answer, the
excerpts retrieval gave it and, for the demo's questions and any a user adds, the gold
relevant excerpt ids (`datasets/gold/retrieval/`). There are no reference answers.

- **LLM context precision without reference** (ragas' `ContextUtilization`, its
  `ContextPrecisionPrompt` with the answer in the reference's place): one call per
  retrieved excerpt asks whether it was useful in arriving at the answer (verdict 1 or
  0); the score is ragas' average precision of those verdicts in retrieval order, so
  useful excerpts ranked first score higher. It says whether the answer's excerpts were
  the ones it used, not whether they were the right ones.
- **ID-based context precision and recall** (ragas' `IDBasedContextPrecision` and
  `IDBasedContextRecall`, no LLM): the share of retrieved excerpts the gold names, and
  the share of the gold's excerpts retrieved. Empty when no gold names the question.

ragas' LLM context recall needs a reference answer to split into claims; with none,
it is not computed (the ID-based recall stands in). A failed call or a reply off the
schema is a value: precision None and the reason, the ID-based figures kept.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from ragas.metrics.collections.context_precision.util import (
    ContextPrecisionInput,
    ContextPrecisionOutput,
    ContextPrecisionPrompt,
)

from workbench.errors import EndpointError
from workbench.llm.calls import LLMClient
from workbench.llm.estimate import PlannedCall
from workbench.models import Answer, ContextScores, Excerpt, Question
from workbench.scoring.ragas_llm import RAGAS_MAX_TOKENS, WorkbenchRagasLLM

__all__ = ["RagasContext", "average_precision", "id_precision", "id_recall"]


def average_precision(verdicts: Sequence[int]) -> float:
    """ragas' context precision of 0/1 verdicts in rank order (0 when none is useful)."""
    hits, total = 0, 0.0
    for rank, verdict in enumerate(verdicts, start=1):
        if verdict:
            hits += 1
            total += hits / rank
    return total / hits if hits else 0.0


def id_precision(retrieved: Sequence[str], relevant: Sequence[str]) -> float | None:
    """The share of distinct retrieved ids the gold names (None: nothing retrieved)."""
    got = set(retrieved)
    return sum(i in set(relevant) for i in got) / len(got) if got else None


def id_recall(retrieved: Sequence[str], relevant: Sequence[str]) -> float | None:
    """The share of distinct gold ids retrieved (None: the gold names none)."""
    want = set(relevant)
    return sum(i in set(retrieved) for i in want) / len(want) if want else None


class RagasContext:
    """ragas' context figures of an answer's retrieved excerpts, through `client`.

    `gold` maps a question id to its relevant excerpt ids (the ID-based figures)."""

    def __init__(
        self,
        client: LLMClient,
        *,
        gold: Mapping[str, Sequence[str]],
        max_tokens: int = RAGAS_MAX_TOKENS,
    ) -> None:
        self.client = client
        self.gold = gold
        self.llm = WorkbenchRagasLLM(client, max_tokens=max_tokens)
        self.max_tokens = max_tokens
        self.name = f"ragas-context:{client.settings.model}"
        self._prompt = ContextPrecisionPrompt()

    def __repr__(self) -> str:
        return f"RagasContext({self.client!r})"

    def _prompts(self, question: str, answer_text: str, excerpts: Sequence[Excerpt]) -> list[str]:
        return [
            self._prompt.to_string(
                ContextPrecisionInput(question=question, context=e.text, answer=answer_text)
            )
            for e in excerpts
        ]

    def plan(
        self, question: str, answer_text: str, excerpts: Sequence[Excerpt]
    ) -> list[PlannedCall]:
        """The calls an answer's context precision takes: one per retrieved excerpt."""
        if not question.strip() or not answer_text.strip():
            return []
        requests = [
            self.llm.request(p, ContextPrecisionOutput)
            for p in self._prompts(question, answer_text, excerpts)
        ]
        return [PlannedCall(r, r.chars, self.max_tokens) for r in requests]

    async def _verdicts(self, prompts: Sequence[str]) -> tuple[int, ...]:
        """Each excerpt's verdict; the first failure, once every call has ended."""
        replies = await asyncio.gather(
            *(self.llm.agenerate(p, ContextPrecisionOutput) for p in prompts),
            return_exceptions=True,
        )
        verdicts = []
        for reply in replies:
            if isinstance(reply, BaseException):
                raise reply
            if reply.verdict not in (0, 1):
                raise EndpointError(f"the judge's verdict is {reply.verdict}, not 0 or 1")
            verdicts.append(reply.verdict)
        return tuple(verdicts)

    async def ajudge(
        self, question: Question, answer: Answer, excerpts: Sequence[Excerpt]
    ) -> ContextScores:
        """The context figures of `answer`; a failed judge is a reason, never a crash."""
        relevant = self.gold.get(question.id)
        ids = (
            (
                id_precision(answer.retrieved_ids, relevant),
                id_recall(answer.retrieved_ids, relevant),
            )
            if relevant is not None
            else (None, None)
        )
        why = "" if relevant is not None else "; no gold relevant excerpts name this question"

        def scores(
            precision: float | None, verdicts: tuple[int, ...], reason: str
        ) -> ContextScores:
            return ContextScores(precision, verdicts, *ids, reason + why, self.name)

        if not excerpts:
            return scores(None, (), "nothing to judge: no excerpts were retrieved")
        if not question.text.strip() or not answer.text.strip():
            return scores(None, (), "nothing to judge: the question or answer is empty")
        try:
            verdicts = await self._verdicts(self._prompts(question.text, answer.text, excerpts))
        except EndpointError as exc:
            return scores(None, (), f"ragas context precision failed: {exc}")
        useful = [e.id for e, v in zip(excerpts, verdicts, strict=True) if v]
        said = f": {', '.join(useful)}" if useful else ""
        reason = (
            f"ragas: {len(useful)} of {len(excerpts)} retrieved excerpts useful to the answer{said}"
        )
        return scores(round(average_precision(verdicts), 4), verdicts, reason)
