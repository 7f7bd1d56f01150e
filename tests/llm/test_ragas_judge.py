"""The ragas judge: ragas' own prompts, ragas' score, claim verdicts clinicians can read."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from openai import AsyncOpenAI
from ragas.llms.base import llm_factory
from ragas.metrics.collections import Faithfulness

from tests.conftest import make_excerpt
from tests.llm.conftest import KEY, make_client
from tests.loopback import NLI_MARK, LoopbackServer, Reply, _ragas_input, smart_reply
from workbench.llm.retry import RetryPolicy
from workbench.models import EvaluationStatus, Verdict
from workbench.scoring.ragas_judge import RagasJudge
from workbench.scoring.ragas_llm import WorkbenchRagasLLM

ANSWER = (
    "## How it works\n"
    "CAR T-cell therapy uses the patient's own T cells [cart-1]. "
    "The cells are changed in a lab to find cancer cells [cart-1].\n\n"
    "## Where it stands\n"
    "For breast cancer, CAR T-cell therapy always cures the disease [cart-2]."
)
EXCERPTS = [
    make_excerpt(
        "cart-1",
        "CAR T-cell therapy uses a patient's own T cells. The T cells are "
        "changed in a lab so they can find and attack cancer cells.",
    ),
    make_excerpt(
        "cart-2",
        "For breast cancer, CAR T-cell therapy is not approved and is only "
        "available in clinical trials.",
    ),
]
QUESTION = "How does CAR-T cell therapy work for breast cancer?"


def skeptical(request: dict[str, Any]) -> Reply:
    """ragas JSON whose verdicts say 0 to anything that promises a cure."""
    prompt = str(request["messages"][-1]["content"])
    if NLI_MARK in prompt:
        verdicts = [
            {
                "statement": s,
                "verdict": 0 if "cure" in s else 1,
                "reason": "The context says it is only in trials."
                if "cure" in s
                else "The context states this.",
            }
            for s in _ragas_input(prompt)["statements"]
        ]
        return Reply(json.dumps({"statements": verdicts}))
    return smart_reply(request)


def judge_with(server: LoopbackServer, **settings: object) -> RagasJudge:
    return RagasJudge(make_client(server, **settings))


def test_the_score_is_what_ragas_faithfulness_computes_from_the_same_replies(
    server: LoopbackServer,
) -> None:
    server.responder = skeptical
    ours = judge_with(server).judge(ANSWER, EXCERPTS, question=QUESTION)
    our_requests = list(server.requests)

    async def plain_ragas() -> float:
        client = AsyncOpenAI(base_url=server.url, api_key=KEY)
        try:
            metric = Faithfulness(llm=llm_factory("gpt-4o-mini", client=client))
            result = await metric.ascore(
                user_input=QUESTION,
                response=ANSWER,
                retrieved_contexts=[e.text for e in EXCERPTS],
            )
            return float(result.value)
        finally:
            await client.close()

    theirs = asyncio.run(plain_ragas())
    assert ours.status is EvaluationStatus.SCORED
    assert ours.score == theirs == pytest.approx(2 / 3)
    assert server.requests[len(our_requests) :] == our_requests  # byte for byte the same calls


def test_ragas_own_metric_runs_on_the_workbench_llm(server: LoopbackServer) -> None:
    server.responder = skeptical
    client = make_client(server)

    async def run() -> float:
        try:
            metric = Faithfulness(llm=WorkbenchRagasLLM(client))
            result = await metric.ascore(
                user_input=QUESTION, response=ANSWER, retrieved_contexts=[e.text for e in EXCERPTS]
            )
            return float(result.value)
        finally:
            await client.aclose()

    assert asyncio.run(run()) == pytest.approx(2 / 3)
    assert client.stats.endpoint_calls == 2


def test_each_statement_gets_its_span_its_evidence_and_the_judges_reason(
    server: LoopbackServer,
) -> None:
    server.responder = skeptical
    result = judge_with(server).judge(ANSWER, EXCERPTS, question=QUESTION)
    assert [v.verdict for v in result.verdicts] == [
        Verdict.SUPPORTED,
        Verdict.SUPPORTED,
        Verdict.NOT_FOUND,
    ]
    cure = result.verdicts[2]
    assert cure.span is not None and "always cures" in ANSWER[cure.span.start : cure.span.end]
    assert cure.evidence_id == "cart-2" and cure.evidence_sentence is not None
    assert cure.reason == "The context says it is only in trials."
    assert cure.judge == "ragas:gpt-4o-mini"
    lab = result.verdicts[1]
    assert lab.evidence_id == "cart-1" and "lab" in (lab.evidence_sentence or "")


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (Reply("{'statements': ['single quotes']"), "did not reply in JSON"),
        (Reply(""), "empty reply"),
        (Reply("I'm sorry, but I can't help with medical questions."), "it said “I'm sorry"),
        (Reply('{"claims": ["x"]}'), "not a StatementGeneratorOutput: statements: Field required"),
        (Reply('{"statements": ["a"', finish_reason="length"), "cut off at max_tokens"),
        (Reply(status=500), "HTTP 500"),
    ],
)
def test_a_judge_that_fails_says_so_and_why(server: LoopbackServer, reply: Reply, why: str) -> None:
    server.script(*[reply] * 4)
    result = judge_with(server).judge(ANSWER, EXCERPTS, question=QUESTION)
    assert result.status is EvaluationStatus.JUDGE_FAILED
    assert result.score is None and result.verdicts == ()
    assert result.error is not None and result.error.startswith("judge failed: ")
    assert why in result.error


def test_a_timeout_after_the_retries_is_a_judge_failure(server: LoopbackServer) -> None:
    server.script(*[Reply("{}", delay=1.0)] * 2)
    judge = RagasJudge(make_client(server, timeout_s=0.3, policy=RetryPolicy(1, base_s=0.01)))
    result = judge.judge(ANSWER, EXCERPTS)
    assert result.status is EvaluationStatus.JUDGE_FAILED
    assert "no reply within 0.3 s" in (result.error or "")


def test_fenced_json_from_a_chatty_model_is_accepted(server: LoopbackServer) -> None:
    server.script(Reply('```json\n{"statements": ["CAR T-cell therapy uses T cells."]}\n```'))
    result = judge_with(server).judge(ANSWER, EXCERPTS)
    assert result.status is EvaluationStatus.SCORED and result.score == 1.0


def test_no_statements_is_no_claims_not_a_score(server: LoopbackServer) -> None:
    server.script(Reply('{"statements": []}'))
    result = judge_with(server).judge("I'm sorry, I cannot answer that.", EXCERPTS)
    assert (result.status, result.score) == (EvaluationStatus.NO_CLAIMS, None)
    assert server.calls == 1


def test_no_verdicts_is_a_failure_not_a_nan(server: LoopbackServer) -> None:
    server.script(Reply('{"statements": ["A statement here."]}'), Reply('{"statements": []}'))
    result = judge_with(server).judge(ANSWER, EXCERPTS)
    assert result.status is EvaluationStatus.JUDGE_FAILED
    assert "no verdicts for 1 statements" in (result.error or "")


def test_verify_judges_given_claims_in_one_call(server: LoopbackServer) -> None:
    server.responder = skeptical
    verdicts = judge_with(server).verify(
        ["CAR T-cell therapy uses a patient's own T cells.", "It always cures breast cancer."],
        EXCERPTS,
    )
    assert [v.verdict for v in verdicts] == [Verdict.SUPPORTED, Verdict.NOT_FOUND]
    assert server.calls == 1


def test_the_sync_api_refuses_inside_a_running_loop_and_points_at_await(
    server: LoopbackServer,
) -> None:
    judge = judge_with(server)

    async def in_a_notebook() -> None:
        judge.judge(ANSWER, EXCERPTS)

    with pytest.raises(Exception, match=r"use `await judge.ajudge"):
        asyncio.run(in_a_notebook())
    assert not hasattr(asyncio, "_nest_patched")  # the loop is never patched

    async def awaited() -> EvaluationStatus:
        try:
            return (await judge.ajudge(ANSWER, EXCERPTS)).status
        finally:
            await judge.aclose()

    assert asyncio.run(awaited()) is EvaluationStatus.SCORED
