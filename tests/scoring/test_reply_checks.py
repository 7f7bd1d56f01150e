"""Replies that are not answers (cut off, junk) become fail findings in the evaluation."""

from __future__ import annotations

from tests.conftest import SEED, make_excerpt
from workbench.models import Answer, Severity
from workbench.scoring.evaluate import evaluate_answer
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.reply_checks import CUT_OFF, JUNK, reply_findings

GOOD = (
    "Chemotherapy uses medicines to kill cancer cells [ex-1]. Your care team can tell you "
    "what to expect. *This is general information, not medical advice.*"
)


def answer(text: str, **settings: object) -> Answer:
    return Answer("a-1", "r", SEED.id, "p@v1", "openai", "m", text, (), ("ex-1",), dict(settings))


def test_a_reply_cut_off_at_max_tokens_is_a_fail_finding() -> None:
    (finding,) = reply_findings(answer(GOOD[:60], finish_reason="length", max_tokens=32))
    assert finding.rule_id == CUT_OFF and finding.severity is Severity.FAIL
    assert "max_tokens (32)" in finding.message and "--max-tokens" in finding.fix_hint


def test_template_tokens_and_wordless_replies_are_junk() -> None:
    for text in ("<<SYS>>", "[INST] hi [/INST]", "<|im_start|>assistant", "...", "ok ok"):
        (finding,) = reply_findings(answer(text, finish_reason="stop"))
        assert finding.rule_id == JUNK and finding.severity is Severity.FAIL, text


def test_a_whole_answer_and_a_short_refusal_are_not_marked() -> None:
    assert reply_findings(answer(GOOD, finish_reason="stop")) == ()
    assert reply_findings(answer("I cannot answer that question.", finish_reason="stop")) == ()
    assert reply_findings(answer(GOOD)) == ()  # offline answers record no finish reason


def test_the_evaluation_carries_the_finding_so_the_desk_report_and_gate_count_it() -> None:
    excerpt = make_excerpt("ex-1", "Chemotherapy uses medicines to kill cancer cells.")
    cut = answer(GOOD[:60], finish_reason="length", max_tokens=32)
    evaluation = evaluate_answer(cut, SEED, [excerpt], OfflineJudge())
    assert CUT_OFF in {f.rule_id for f in evaluation.safety} and evaluation.safety_failed
