"""One answer's full evaluation: faithfulness by a judge, safety rules and readability."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.models import Answer, Evaluation, Excerpt, Question
from workbench.scoring.base import Judge
from workbench.scoring.readability import readability
from workbench.scoring.safety import RuleSet, check_safety
from workbench.staleness import fingerprint

__all__ = ["evaluate_answer"]


def evaluate_answer(
    answer: Answer,
    question: Question,
    excerpts: Sequence[Excerpt],
    judge: Judge,
    *,
    rules: RuleSet | None = None,
) -> Evaluation:
    """Score an answer against the excerpts it was given; records the excerpt versions."""
    result = judge.judge(answer.text, excerpts)
    findings = check_safety(
        answer.text,
        cancer_type=question.cancer_type,
        question=question.text,
        retrieved_ids=answer.retrieved_ids,
        rules=rules,
    )
    level = readability(answer.text)
    return Evaluation(
        answer_id=answer.id,
        judge=judge.name,
        status=result.status,
        faithfulness=result.score,
        claims=result.verdicts,
        safety=findings,
        fk_grade=level.fk_grade,
        smog=level.smog,
        error=result.error,
        excerpt_versions={e.id: fingerprint(e) for e in excerpts},
    )
