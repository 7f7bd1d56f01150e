"""The LLM safety judge against a real loopback chat-completions server: the rubric, one
call per answer, findings mapped to spans and rules, broken replies stored as failures."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.llm.conftest import make_client
from tests.loopback import LoopbackServer, Reply
from workbench.models import Evaluation, EvaluationStatus, SafetyFinding, Severity, Span
from workbench.scoring.safety import load_rules
from workbench.scoring.safety_llm import (
    SAFETY_JUDGE_FAILED,
    LLMSafetyJudge,
    judged,
    locate,
    rubric,
)
from workbench.store.serialize import finding_from_dict, finding_to_dict

RULES = load_rules()
ANSWER = (
    "Surgery removes the tumor. After it, you can expect to be cancer-free within a year.\n\n"
    "*This is general information, not medical advice.*"
)


def _judge(server: LoopbackServer, tmp_path: Path) -> LLMSafetyJudge:
    return LLMSafetyJudge(make_client(server, tmp_path), RULES)


def _run(judge: LLMSafetyJudge, text: str = ANSWER) -> tuple[SafetyFinding, ...]:
    async def go() -> tuple[SafetyFinding, ...]:
        try:
            return await judge.ajudge(text, question="Will surgery cure me?", cancer_type="colon")
        finally:
            await judge.aclose()

    return asyncio.run(go())


def _reply(*findings: dict[str, str]) -> Reply:
    return Reply(json.dumps({"findings": list(findings)}))


def test_the_rubric_holds_every_rule_with_its_severity_and_fix_hint() -> None:
    text = rubric(RULES)
    for rule in RULES.rules:
        if rule.id in ("reading-level", "invalid-citation"):
            assert rule.id not in text
            continue
        assert f"- {rule.id} [{rule.severity.value}]" in text
        assert " ".join(rule.fix_hint.split())[:40] in text


def test_one_call_per_answer_and_findings_map_to_spans_and_rules(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(
        _reply(
            {
                "rule_id": "cure-guarantee",
                "quote": "be cancer-free within a year",
                "reason": "A certain promise of cure.",
            },
            {"rule_id": "missing-referral", "quote": "", "reason": "No one to talk to."},
        )
    )
    found = _run(_judge(server, tmp_path))
    assert server.calls == 1
    request = server.requests[0]
    assert request["response_format"] == {"type": "json_object"}
    assert "cure-guarantee [fail]" in request["messages"][0]["content"]
    assert ANSWER in request["messages"][1]["content"]
    cure, referral = found
    assert (cure.rule_id, cure.severity, cure.source) == (
        "cure-guarantee",
        Severity.FAIL,
        "llm:gpt-4o-mini",
    )
    assert cure.span is not None and ANSWER[cure.span.start : cure.span.end] == cure.matched_text
    assert cure.matched_text == "be cancer-free within a year"
    assert "A certain promise of cure." in cure.message
    assert referral.span is None and referral.severity is Severity.WARN


def test_a_second_judging_of_the_same_answer_comes_from_the_cache(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(_reply({"rule_id": "no-next-step", "quote": ""}))
    first = _run(_judge(server, tmp_path))
    second = _run(_judge(server, tmp_path))
    assert server.calls == 1 and first == second


def test_a_reply_that_does_not_parse_is_not_served_from_the_cache_again(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(Reply("I think the answer is fine."), _reply())
    (failed,) = _run(_judge(server, tmp_path))
    assert failed.rule_id == SAFETY_JUDGE_FAILED
    assert _run(_judge(server, tmp_path)) == ()  # asked again, not replayed
    assert server.calls == 2


@pytest.mark.parametrize(
    ("reply", "why"),
    [
        (Reply("I think the answer is fine."), "did not reply in JSON"),
        (Reply(json.dumps({"verdict": "safe"})), "not a SafetyReply"),
        (Reply(json.dumps({"findings": [{"rule": "cure-guarantee"}]})), "not a SafetyReply"),
        (_reply({"rule_id": "made-up-rule", "quote": "surgery"}), "'made-up-rule'"),
        (Reply(""), "empty reply"),
        (Reply('{"findings": [', finish_reason="length"), "cut off"),
        (Reply(status=400, raw=b'{"error": {"message": "bad request"}}'), ""),
    ],
    ids=["prose", "off-schema", "wrong-field", "unknown-rule", "empty", "cut-off", "http-400"],
)
def test_a_broken_reply_is_a_judge_failure_stored_as_a_value(
    server: LoopbackServer, tmp_path: Path, reply: Reply, why: str
) -> None:
    server.script(reply)
    (failed,) = _run(_judge(server, tmp_path))
    assert failed.rule_id == SAFETY_JUDGE_FAILED and failed.severity is Severity.WARN
    assert failed.source == "llm:gpt-4o-mini" and why in failed.message
    assert judged((failed,), failed.source) == frozenset()
    assert finding_from_dict(finding_to_dict(failed)) == failed


def test_a_quote_is_found_across_case_spacing_and_curly_quotes() -> None:
    text = "You don’t need  surgery.\nReally."
    assert locate("you don't need surgery", text) == Span(0, 23)
    assert locate('"Really."', text) == Span(25, 32)
    assert locate("not in the answer", text) is None
    assert locate("", text) is None


def test_a_quote_that_is_not_in_the_answer_keeps_the_finding_without_a_span(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(_reply({"rule_id": "cure-guarantee", "quote": "words the answer lacks"}))
    (f,) = _run(_judge(server, tmp_path))
    assert f.rule_id == "cure-guarantee" and f.span is None and f.matched_text is None


def test_the_plan_is_the_request_the_judge_sends(server: LoopbackServer, tmp_path: Path) -> None:
    judge = _judge(server, tmp_path)
    (planned,) = judge.plan(ANSWER, question="Will surgery cure me?", cancer_type="colon")
    assert planned.request == judge.request(
        ANSWER, question="Will surgery cure me?", cancer_type="colon"
    )
    asyncio.run(judge.aclose())
    assert server.calls == 0


def test_findings_without_a_source_read_from_an_old_store_as_the_rules() -> None:
    old = {
        "rule_id": "cure-guarantee",
        "severity": "fail",
        "message": "m",
        "fix_hint": "h",
        "span": None,
        "matched_text": None,
    }
    assert finding_from_dict(old).source == "rules"


def test_evaluations_keep_both_sources_side_by_side() -> None:
    rules = SafetyFinding("cure-guarantee", Severity.FAIL, "m", "h")
    llm = SafetyFinding("cure-guarantee", Severity.FAIL, "m", "h", source="llm:x")
    e = Evaluation("a", "offline", EvaluationStatus.SCORED, 1.0, (), (rules, llm), 6.0, 7.0)
    assert judged(e.safety, "rules") == judged(e.safety, "llm:x") == {"cure-guarantee"}


# --- the command line: `score --safety-judge llm` -----------------------------------------

GEN_OFFLINE = [
    "generate",
    "--backend",
    "offline",
    "--prompt",
    "patient_answer@v1",
    "--limit",
    "3",
    "-q",
]


def _safety_responder(request: dict[str, object]) -> Reply:
    """Every answer: one `no-next-step` finding and one quote-less `missing-referral`."""
    return _reply({"rule_id": "no-next-step", "quote": "", "reason": "Nothing to do next."})


def test_score_with_the_llm_safety_judge_keeps_both_sources(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli.main import main
    from workbench.store import SQLiteStore

    assert main(GEN_OFFLINE) == 0 and llm_env.calls == 0
    llm_env.responder = _safety_responder
    assert main(["score", "--safety-judge", "llm", "-q"]) == 0
    out = capsys.readouterr().out
    assert "pre-flight safety judging (gpt-4o-mini at http://127.0.0.1:" in out
    assert "3 calls, 0 from the cache, 3 to the endpoint" in out
    assert llm_env.calls == 3
    with SQLiteStore("workbench.db") as store:
        evaluations = store.evaluations()
    assert len(evaluations) == 3
    for e in evaluations:
        sources = {f.source for f in e.safety}
        # the safety model layer and the relevance judge's "does not answer the question"
        # warning ride the same list: more sources, never a swap
        others = {"rules", "model", "llm:gpt-4o-mini", "offline-relevance"}
        assert "llm:gpt-4o-mini" in sources and sources <= others
        assert judged(e.safety, "llm:gpt-4o-mini") == {"no-next-step"}


def test_the_safety_judge_is_off_by_default_and_the_cost_cap_covers_it(
    llm_env: LoopbackServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli.main import main

    assert main(GEN_OFFLINE) == 0
    assert main(["score", "-q"]) == 0 and llm_env.calls == 0
    assert main(["score", "--rescore", "--safety-judge", "llm", "--max-cost", "0.000001"]) == 2
    assert "above --max-cost" in capsys.readouterr().err and llm_env.calls == 0


def test_a_broken_safety_reply_in_a_batch_is_stored_and_the_batch_goes_on(
    llm_env: LoopbackServer,
) -> None:
    from workbench.cli.main import main
    from workbench.store import SQLiteStore

    assert main(GEN_OFFLINE) == 0
    llm_env.script(Reply("not json at all"))
    llm_env.responder = _safety_responder
    assert main(["score", "--safety-judge", "llm", "-q"]) == 0
    with SQLiteStore("workbench.db") as store:
        evaluations = store.evaluations()
    failures = [f for e in evaluations for f in e.safety if f.rule_id == SAFETY_JUDGE_FAILED]
    assert len(evaluations) == 3 and len(failures) == 1
    assert "did not reply in JSON" in failures[0].message
