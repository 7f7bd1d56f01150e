"""One answer's full evaluation: faithfulness by a judge, safety rules, relevance, readability.

`evaluate_answer` uses a `Judge`; `aevaluate_answer` awaits an `AsyncJudge`. Both add the
same safety findings (the rules', and a reply cut off or junk: `reply_checks`), the
offline relevance judge's verdict (with a warning finding when the answer does not
answer the question) and readability to the judge's result. `scoring_inputs` finds the
question and excerpts an answer is judged against. `encode_ahead` encodes the sentences
of many answers in one go before they are evaluated one by one (a batch's speed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

from workbench.data.datasets import Corpus
from workbench.data.text import sentence_texts, sentences
from workbench.encoders import load_encoder
from workbench.models import (
    Answer,
    ContextScores,
    Evaluation,
    Excerpt,
    Judgment,
    Question,
    Relevance,
    SafetyFinding,
)
from workbench.scoring.base import AsyncJudge, FaithfulnessResult, Judge
from workbench.scoring.readability import readability
from workbench.scoring.relevance import judge_relevance, off_topic_finding, relevance_texts
from workbench.scoring.repeat import RepeatableJudge, combine
from workbench.scoring.reply_checks import reply_findings
from workbench.scoring.safety import RuleSet, check_safety, safety_model_enabled
from workbench.scoring.safety.model import load_safety_model
from workbench.scoring.staleness import fingerprint

__all__ = [
    "AsyncContextJudge",
    "AsyncRelevanceJudge",
    "AsyncSafetyJudge",
    "aevaluate_answer",
    "encode_ahead",
    "evaluate_answer",
    "scoring_inputs",
    "warm_up",
]


class AsyncRelevanceJudge(Protocol):
    """A relevance judge through an endpoint (ragas' response relevancy)."""

    name: str

    async def ajudge(self, question: str, answer: str) -> Relevance: ...


class AsyncContextJudge(Protocol):
    """A judge of the retrieved excerpts through an endpoint (ragas' context figures)."""

    name: str

    async def ajudge(
        self, question: Question, answer: Answer, excerpts: Sequence[Excerpt]
    ) -> ContextScores: ...


class AsyncSafetyJudge(Protocol):
    """A safety judge beside the rules (the LLM safety judge): findings with a `source`."""

    name: str

    async def ajudge(
        self, answer_text: str, *, question: str | None = None, cancer_type: str | None = None
    ) -> tuple[SafetyFinding, ...]: ...

    async def aclose(self) -> None: ...


def warm_up(rules: RuleSet | None = None, *, safety_model: bool = True) -> None:
    """Load what the first evaluation would (rules, word frequencies, the encoder and the
    safety model layer's heads)."""
    check_safety(
        "Warm up. Call your care team.", cancer_type="breast", rules=rules, model=safety_model
    )
    readability("Warm up. Call your care team.")
    judge_relevance("What should I do?", "Warm up. Call your care team.")


def encode_ahead(pairs: Sequence[tuple[str, str]], *, safety_model: bool = True) -> None:
    """Encode what evaluating these (question, answer) pairs will encode, in one call per
    encoder: each sorts its texts by length into full batches, and each answer's
    evaluation then finds its vectors in the encoder's cache (answer by answer, every
    small batch is padded to its longest sentence): what relevance reads, and every
    sentence and the question for the safety model layer (its own tuned encoder)."""
    relevance: list[str] = []
    safety: list[str] = []
    sentences_too = safety_model and safety_model_enabled()
    for question, answer in pairs:
        relevance += relevance_texts(question, answer)
        if sentences_too:
            safety += [question.strip(), *sentence_texts(sentences(answer))]
    if relevance:
        load_encoder().encode(relevance)
    if safety:
        load_safety_model().encoder.encode(safety)


def scoring_inputs(answer: Answer, corpus: Corpus) -> tuple[Question, list[Excerpt]] | str:
    """The question and excerpts an answer is judged against, or why they are missing."""
    try:
        question = corpus.question(answer.question_id)
    except KeyError:
        return f"question {answer.question_id!r} is not loaded"
    missing = [i for i in answer.retrieved_ids if i not in corpus.excerpts]
    if missing:
        return f"excerpts {missing} are not in the corpus"
    return question, [corpus.excerpts[i] for i in answer.retrieved_ids]


def evaluate_answer(
    answer: Answer,
    question: Question,
    excerpts: Sequence[Excerpt],
    judge: Judge,
    *,
    rules: RuleSet | None = None,
    safety_model: bool = True,
) -> Evaluation:
    """Score an answer against the excerpts it was given; records the excerpt versions.
    `safety_model=False` checks safety with the rules alone."""
    result = judge.judge(answer.text, excerpts)
    return _evaluation(answer, question, excerpts, judge.name, result, rules, safety_model)


async def aevaluate_answer(
    answer: Answer,
    question: Question,
    excerpts: Sequence[Excerpt],
    judge: AsyncJudge,
    *,
    rules: RuleSet | None = None,
    safety_judge: AsyncSafetyJudge | None = None,
    safety_model: bool = True,
    repeat: int = 1,
    relevance_judge: AsyncRelevanceJudge | None = None,
    context_judge: AsyncContextJudge | None = None,
) -> Evaluation:
    """`evaluate_answer` with an awaited judge, which is also given the question; with a
    `safety_judge`, its findings are kept beside the rules' (each marked by its source).
    With `repeat` above 1 and a judge that can ask again (`RepeatableJudge`), it is asked
    that many times: every judgment is kept and the score is their mean. A
    `relevance_judge` (ragas' response relevancy) is kept beside the offline one; a
    `context_judge` (ragas' context precision and recall) judges the retrieved excerpts."""
    result = await judge.ajudge(answer.text, excerpts, question=question.text)
    judgments: tuple[Judgment, ...] = ()
    if repeat > 1 and isinstance(judge, RepeatableJudge):
        more = [
            await judge.for_repeat(n).ajudge(answer.text, excerpts, question=question.text)
            for n in range(1, repeat)
        ]
        result, judgments = combine([result, *more])
    findings: tuple[SafetyFinding, ...] = ()
    if safety_judge is not None:
        findings = await safety_judge.ajudge(
            answer.text, question=question.text, cancer_type=question.cancer_type
        )
    evaluation = _evaluation(
        answer, question, excerpts, judge.name, result, rules, safety_model, findings
    )
    llm_relevance = None
    if relevance_judge is not None:
        llm_relevance = await relevance_judge.ajudge(question.text, answer.text)
    context = None
    if context_judge is not None:
        context = await context_judge.ajudge(question, answer, excerpts)
    return replace(evaluation, judgments=judgments, llm_relevance=llm_relevance, context=context)


def _evaluation(
    answer: Answer,
    question: Question,
    excerpts: Sequence[Excerpt],
    judge_name: str,
    result: FaithfulnessResult,
    rules: RuleSet | None,
    safety_model: bool,
    more_findings: tuple[SafetyFinding, ...] = (),
) -> Evaluation:
    findings = check_safety(
        answer.text,
        cancer_type=question.cancer_type,
        question=question.text,
        retrieved_ids=answer.retrieved_ids,
        rules=rules,
        model=safety_model,
    ) + reply_findings(answer)
    relevance = judge_relevance(question.text, answer.text)
    findings += off_topic_finding(relevance)
    level = readability(answer.text)
    return Evaluation(
        answer_id=answer.id,
        judge=judge_name,
        status=result.status,
        faithfulness=result.score,
        claims=result.verdicts,
        safety=findings + more_findings,
        fk_grade=level.fk_grade,
        smog=level.smog,
        error=result.error,
        excerpt_versions={e.id: fingerprint(e) for e in excerpts},
        relevance=relevance,
    )
