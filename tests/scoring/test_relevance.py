"""The relevance judge: what a question asks for, and whether an answer gives it."""

from __future__ import annotations

import pytest

import workbench
from workbench.data.datasets import load_gold_relevance
from workbench.models import Severity
from workbench.scoring.relevance import (
    OFF_TOPIC_RULE,
    THRESHOLD,
    Ask,
    asks_of,
    delivers,
    judge_relevance,
    off_topic_finding,
)


@pytest.mark.parametrize(
    ("question", "first"),
    [
        ("Can stage 4 lung cancer be cured?", Ask.YES_NO),
        ("What are the side effects of tamoxifen?", Ask.SIDE_EFFECTS),
        ("How long does recovery take after surgery?", Ask.DURATION),
        ("What is the difference between AML and CLL?", Ask.COMPARISON),
        ("Should I choose surgery or radiation?", Ask.COMPARISON),
        ("I have a fever during chemo. What should I do?", Ask.WHAT_TO_DO),
        ("How does immunotherapy work?", Ask.HOW_IT_WORKS),
        ("Will my insurance pay for a clinical trial?", Ask.COST_OR_ACCESS),
        ("What is the survival rate for pancreatic cancer?", Ask.PROGNOSIS),
        ("What causes non-Hodgkin lymphoma?", Ask.CAUSE_OR_RISK),
        ("What does HER2-positive mean?", Ask.DEFINITION),
        ("What is smoldering myeloma?", Ask.DEFINITION),
        ("Is active surveillance safe for low-risk prostate cancer?", Ask.YES_NO),
        ("Who should get screened for lung cancer?", Ask.OTHER),
    ],
)
def test_what_a_question_asks_for(question: str, first: Ask) -> None:
    assert asks_of(question)[0] is first


def test_a_two_part_question_asks_both() -> None:
    assert asks_of("What is stage 4 breast cancer, and is there a cure?") == (
        Ask.DEFINITION,
        Ask.YES_NO,
    )


def test_delivery_needs_the_kind_of_content_asked_for() -> None:
    assert delivers(Ask.DURATION, "Most people go home after 3 to 7 days.")
    assert not delivers(Ask.DURATION, "Recovery is different for everyone.")
    assert delivers(Ask.SIDE_EFFECTS, "It can cause hot flashes and tiredness.")
    assert delivers(Ask.OTHER, "anything")


def test_an_answer_beside_the_point_is_flagged_and_the_answer_is_not() -> None:
    question = "Can stage 4 lung cancer be cured?"
    on = judge_relevance(
        question,
        "In most cases stage 4 lung cancer cannot be cured, but treatment can help people "
        "live longer and feel better.",
    )
    off = judge_relevance(
        question,
        "Lung cancer is the leading cause of cancer death. Its stages go from 0 to 4, and "
        "stage 4 means it has spread to distant organs.",
    )
    assert on.score is not None and off.score is not None
    assert 0 <= off.score < THRESHOLD <= on.score <= 1
    assert off.flagged and not on.flagged
    assert off.reason.startswith("does not answer the question")
    assert on.reason.startswith("answers the question")
    assert judge_relevance(question, off_answer := "Lung cancer is common.") == judge_relevance(
        question, off_answer
    )  # deterministic


def test_nothing_to_judge_is_none_not_zero() -> None:
    r = judge_relevance("Can it be cured?", "  [lung-ov-002] ")
    assert r.score is None and not r.flagged and "nothing to judge" in r.reason


def test_a_flag_becomes_a_warning_finding() -> None:
    off = judge_relevance(
        "How long does recovery take after colon surgery?",
        "Colon surgery removes the part of the colon with the tumor and nearby lymph nodes.",
    )
    (finding,) = off_topic_finding(off)
    assert finding.rule_id == OFF_TOPIC_RULE and finding.severity is Severity.WARN
    assert finding.source == off.judge and finding.message == off.reason


def test_the_development_gold_ranks_on_topic_above_off_topic() -> None:
    """The development set the judge was set on (the held-out figure is in the docs):
    a guard against a change that breaks the judge, not a claim of accuracy."""
    rows = load_gold_relevance()
    groups: dict[str, dict[str, float]] = {}
    for r in rows:
        if r.id.startswith("dev-"):
            score = judge_relevance(r.question, r.answer).score
            assert score is not None
            groups.setdefault(r.group, {})[r.label] = score
    wins = sum(g["on_topic"] > g["off_topic"] for g in groups.values())
    assert len(groups) >= 40 and wins / len(groups) >= 0.9


def test_judge_relevance_is_public() -> None:
    assert "judge_relevance" in workbench.__all__
    assert workbench.judge_relevance is judge_relevance
