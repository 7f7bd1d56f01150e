"""The answer workbench: generate, score, review and report answers to cancer patients' questions.

The public API is listed in `__all__`; everything else may change between versions.
"""

from workbench.datasets import load_corpus, load_excerpts, load_prompts, load_questions
from workbench.errors import ConfigError, DatasetError, StoreError, WorkbenchError
from workbench.models import (
    Answer,
    ClaimVerdict,
    Evaluation,
    EvaluationStatus,
    Excerpt,
    PromptTemplate,
    Question,
    SafetyFinding,
    Severity,
    Span,
    Verdict,
)
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.faithfulness import judge_claims, judge_faithfulness
from workbench.scoring.readability import Readability, readability
from workbench.scoring.safety import check_safety
from workbench.store import Store

__all__ = [
    "Answer",
    "ClaimVerdict",
    "ConfigError",
    "DatasetError",
    "Evaluation",
    "EvaluationStatus",
    "Excerpt",
    "FaithfulnessResult",
    "PromptTemplate",
    "Question",
    "Readability",
    "SafetyFinding",
    "Severity",
    "Span",
    "Store",
    "StoreError",
    "Verdict",
    "WorkbenchError",
    "check_safety",
    "judge_claims",
    "judge_faithfulness",
    "load_corpus",
    "load_excerpts",
    "load_prompts",
    "load_questions",
    "readability",
]
