"""The `ragas` judge: faithfulness by ragas' own prompts, claim by claim.

ragas' `Faithfulness` returns a number. It gets there in two calls, which this judge
makes itself with ragas' own prompt classes and the same requests (so the score is what
`Faithfulness` computes from the same replies): `StatementGeneratorPrompt` splits the
answer into standalone statements, `NLIStatementPrompt` judges each against the joined
excerpts with a verdict and a reason. The verdicts are kept, placed on the answer and
on their best evidence (`workbench.scoring.ragas_mapping`), in the offline judge's shape.

Failure is a value: a call that failed after its retries, or a reply that is empty, cut
off, not JSON or not the expected JSON, gives status `judge_failed` with the error
"judge failed: <why>", never a NaN. Such a reply is not kept in the call cache, so the
next scoring batch asks the endpoint again. No statement (a refusal) is `no_claims`, no score.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from ragas.metrics.collections.faithfulness.util import (
    NLIStatementInput,
    NLIStatementOutput,
    NLIStatementPrompt,
    StatementGeneratorInput,
    StatementGeneratorOutput,
    StatementGeneratorPrompt,
)
from ragas.prompt.metrics.base_prompt import BasePrompt

from workbench.errors import ConfigError, EndpointError
from workbench.llm.calls import LLMClient
from workbench.llm.client import ChatReply, ChatRequest
from workbench.llm.estimate import PlannedCall
from workbench.llm.sync import run_sync
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, Verdict
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.ragas_llm import RAGAS_MAX_TOKENS, WorkbenchRagasLLM, parse_reply
from workbench.scoring.ragas_mapping import StatementVerdict, prime, to_claim_verdicts

__all__ = ["NO_QUESTION", "RagasJudge", "faithfulness_score"]

NO_QUESTION = "(the question was not given)"
In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out", bound=BaseModel)


def faithfulness_score(verdicts: NLIStatementOutput) -> float:
    """ragas' formula: the share of verdicts that are non-zero (NaN for none)."""
    if not verdicts.statements:
        return math.nan
    return sum(1 if s.verdict else 0 for s in verdicts.statements) / len(verdicts.statements)


class _Framed(Generic[In]):
    """A ragas prompt as the text around its input, cut once from ragas' own `to_string`.

    `to_string` rebuilds the JSON schema and the examples on every call; the frame keeps
    them, so a prompt costs one JSON dump of its input. `render(x) == prompt.to_string(x)`
    (the tests check it against ragas' own metric, request for request).
    """

    def __init__(self, prompt: BasePrompt[In, Any], sample: In) -> None:
        marker = sample.model_dump_json(indent=4, exclude_none=True)
        whole = prompt.to_string(sample)
        if whole.count(marker) != 1:  # pragma: no cover - a ragas whose prompts changed shape
            raise ConfigError("this ragas version's prompts are not supported: pin ragas==0.4.3")
        self.head, self.tail = whole.split(marker)

    def render(self, data: In) -> str:
        return self.head + data.model_dump_json(indent=4, exclude_none=True) + self.tail


class RagasJudge:
    """Faithfulness by ragas' statement and NLI prompts through an `LLMClient`."""

    def __init__(self, client: LLMClient, *, max_tokens: int = RAGAS_MAX_TOKENS) -> None:
        self.client = client
        self.llm = WorkbenchRagasLLM(client, max_tokens=max_tokens)
        self.max_tokens = max_tokens
        self.name = f"ragas:{client.settings.model}"
        self.concurrency = client.settings.concurrency
        self._statements = _Framed(
            StatementGeneratorPrompt(), StatementGeneratorInput(question="\x00q", answer="\x00a")
        )
        self._nli = _Framed(NLIStatementPrompt(), NLIStatementInput(context="\x00c", statements=[]))

    def __repr__(self) -> str:
        return f"RagasJudge({self.client!r})"

    def for_repeat(self, repeat: int) -> RagasJudge:
        """The same judge asking again: its calls are cached under `repeat`."""
        again = copy.copy(self)
        again.llm = WorkbenchRagasLLM(self.client, max_tokens=self.max_tokens, repeat=repeat)
        return again

    # the two requests
    def statements_request(self, answer_text: str, question: str | None) -> ChatRequest:
        """The request that splits the answer into statements."""
        data = StatementGeneratorInput(question=question or NO_QUESTION, answer=answer_text)
        return self.llm.request(self._statements.render(data), StatementGeneratorOutput)

    def verdicts_request(
        self, statements: Sequence[str], excerpts: Sequence[Excerpt]
    ) -> ChatRequest:
        """The request that judges the statements against the joined excerpts."""
        data = NLIStatementInput(
            context="\n".join(e.text for e in excerpts), statements=list(statements)
        )
        return self.llm.request(self._nli.render(data), NLIStatementOutput)

    async def _ask(self, request: ChatRequest, model: type[Out]) -> Out:
        """The reply to `request` as `model`; a reply that is not one is never cached."""

        def check(reply: ChatReply) -> object:
            return parse_reply(reply, model, self.max_tokens)

        reply = await self.client.complete(request, check=check)
        return parse_reply(reply, model, self.max_tokens)

    async def _verdicts(
        self, statements: Sequence[str], excerpts: Sequence[Excerpt]
    ) -> NLIStatementOutput:
        return await self._ask(self.verdicts_request(statements, excerpts), NLIStatementOutput)

    # judging
    async def ajudge(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> FaithfulnessResult:
        """Judge an answer against its excerpts; the question helps resolve pronouns."""
        if not answer_text.strip():
            return FaithfulnessResult(EvaluationStatus.NO_CLAIMS, None, ())
        if not excerpts:
            return _failed("no excerpts were retrieved for this answer")
        try:
            request = self.statements_request(answer_text, question)
            statements = (await self._ask(request, StatementGeneratorOutput)).statements
            if not statements:
                return FaithfulnessResult(EvaluationStatus.NO_CLAIMS, None, ())
            nli = await self._verdicts(statements, excerpts)
        except EndpointError as exc:
            return _failed(str(exc))
        if not nli.statements:
            return _failed(f"the judge gave no verdicts for {len(statements)} statements")
        verdicts = to_claim_verdicts(
            [StatementVerdict(s.statement, s.reason, s.verdict) for s in nli.statements],
            answer_text,
            excerpts,
            self.name,
        )
        score = faithfulness_score(nli)
        # ragas' own decision is its score: any statement it did not find supported flags.
        return FaithfulnessResult(EvaluationStatus.SCORED, score, verdicts, flagged=score < 1.0)

    def judge(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> FaithfulnessResult:
        """`ajudge`, synchronously (not inside a running event loop)."""
        coro = self.ajudge(answer_text, excerpts, question=question)
        return run_sync(coro, closing=self, instead="judge.ajudge(...)")

    async def averify(
        self, claims: Sequence[str], excerpts: Sequence[Excerpt]
    ) -> list[ClaimVerdict]:
        """Judge already-split claims (one NLI call); a failure is each claim's reason."""
        try:
            if not excerpts:
                raise EndpointError("no excerpts to judge against")
            nli = await self._verdicts(claims, excerpts)
        except EndpointError as exc:
            return [_unjudged(c, f"judge failed: {exc}", self.name) for c in claims]
        given = [StatementVerdict(s.statement, s.reason, s.verdict) for s in nli.statements]
        mapped = list(
            to_claim_verdicts(given[: len(claims)], " ".join(claims), excerpts, self.name)
        )
        mapped += [
            _unjudged(c, "judge failed: no verdict given", self.name) for c in claims[len(mapped) :]
        ]
        return mapped

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        """`averify`, synchronously (not inside a running event loop)."""
        return run_sync(self.averify(claims, excerpts), closing=self, instead="judge.averify(...)")

    # pre-flight and housekeeping
    def plan(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> list[PlannedCall]:
        """The two calls an answer needs; the second is exact once the first is cached.

        It also analyses the excerpts' sentences for the evidence mapping, so that work
        is done before the batch rather than between its calls.
        """
        prime(excerpts)
        first = self.statements_request(answer_text, question)
        planned = [PlannedCall(first, first.chars, self.max_tokens)]
        cached = self.client.peek(first)
        try:
            statements = (
                parse_reply(cached, StatementGeneratorOutput, self.max_tokens).statements
                if cached
                else None
            )
        except EndpointError:  # a broken reply cached by an older version: asked again
            planned, statements = [PlannedCall(None, first.chars, self.max_tokens)], None
        if statements is None:
            guess = self.verdicts_request([answer_text], excerpts)
            planned.append(PlannedCall(None, guess.chars, self.max_tokens))
        elif statements:
            second = self.verdicts_request(statements, excerpts)
            planned.append(PlannedCall(second, second.chars, self.max_tokens))
        return planned

    async def aclose(self) -> None:
        """Close the endpoint connections."""
        await self.client.aclose()


def _failed(why: str) -> FaithfulnessResult:
    return FaithfulnessResult(EvaluationStatus.JUDGE_FAILED, None, (), error=f"judge failed: {why}")


def _unjudged(claim: str, reason: str, judge: str) -> ClaimVerdict:
    return ClaimVerdict(claim, None, Verdict.NOT_FOUND, reason, None, None, judge)
