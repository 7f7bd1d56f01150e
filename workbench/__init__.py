"""The answer workbench: generate, score, review and report answers to cancer patients' questions.

The public API is listed in `__all__`; everything else may change between versions.
"""

# `agreement()` itself stays in its module: exported here it would shadow the submodule.
from workbench.data.datasets import load_corpus, load_excerpts, load_prompts, load_questions
from workbench.errors import (
    BudgetError,
    ConfigError,
    DatasetError,
    DocumentError,
    EndpointError,
    ModelError,
    OutputError,
    ReviewError,
    StoreError,
    WorkbenchError,
)
from workbench.importing import ImportResult, import_documents
from workbench.models import (
    Answer,
    ClaimVerdict,
    ContextScores,
    Decision,
    Evaluation,
    EvaluationStatus,
    Excerpt,
    PromptTemplate,
    Question,
    Relevance,
    ReviewDecision,
    SafetyFinding,
    Severity,
    Span,
    Verdict,
)
from workbench.reports.frame import frame
from workbench.review.agreement import agreement_frame
from workbench.review.approved import select_approved
from workbench.review.decisions import edit_answer, record_decision, verify_log
from workbench.runs.options import ExportOptions, ReportOptions
from workbench.runs.publish import export_approved, report
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.faithfulness import judge_claims, judge_faithfulness
from workbench.scoring.readability import Readability, readability
from workbench.scoring.relevance import judge_relevance
from workbench.scoring.safety import check_safety
from workbench.store import Store

__all__ = [
    "Answer",
    "BudgetError",
    "ClaimVerdict",
    "ConfigError",
    "ContextScores",
    "DatasetError",
    "Decision",
    "DocumentError",
    "EndpointError",
    "Evaluation",
    "EvaluationStatus",
    "Excerpt",
    "ExportOptions",
    "FaithfulnessResult",
    "ImportResult",
    "ModelError",
    "OutputError",
    "PromptTemplate",
    "Question",
    "Readability",
    "Relevance",
    "ReportOptions",
    "ReviewDecision",
    "ReviewError",
    "SafetyFinding",
    "Severity",
    "Span",
    "Store",
    "StoreError",
    "Verdict",
    "WorkbenchError",
    "agreement_frame",
    "check_safety",
    "edit_answer",
    "export_approved",
    "frame",
    "import_documents",
    "judge_claims",
    "judge_faithfulness",
    "judge_relevance",
    "load_corpus",
    "load_excerpts",
    "load_prompts",
    "load_questions",
    "readability",
    "record_decision",
    "report",
    "select_approved",
    "verify_log",
]
