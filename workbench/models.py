"""The data model: plain, frozen, typed records that every other module may import.

Records loaded from user files are validated in `workbench.data.datasets` (pydantic); inside
the library they travel as these frozen dataclasses. Times are timezone-aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "HARMFUL_CLASSES",
    "SAFETY_CLASSES",
    "Answer",
    "Binding",
    "ClaimVerdict",
    "ContextScores",
    "Decision",
    "Evaluation",
    "EvaluationStatus",
    "Excerpt",
    "Judgment",
    "PromptTemplate",
    "Question",
    "Relevance",
    "RetrievedExcerpt",
    "ReviewDecision",
    "Run",
    "SafetyFinding",
    "Severity",
    "Span",
    "Verdict",
    "utc_now",
]


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Question:
    """A patient's question."""

    id: str
    text: str
    cancer_type: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A guideline excerpt with its source: written by us over public facts, or imported
    from a team's own documents (`workbench.importing`).

    `section` is the heading path ("Treatment > CAR T-cell therapy"); `version` goes up
    by one each time the text changes, which is what makes evaluations stale.
    """

    id: str
    text: str
    cancer_type: str
    topics: tuple[str, ...]
    source_title: str
    section: str
    link: str
    date: date
    version: int = 1
    basis: str = ""
    # Imported excerpts also carry these (hand-written ones leave them empty):
    pages: tuple[int, ...] = ()  # the PDF pages the text was printed on
    license: str = ""  # the source's license, e.g. "Public domain (US government work)"
    source_version: str = ""  # the document version this text last changed in


@dataclass(frozen=True, slots=True)
class RetrievedExcerpt:
    """An excerpt chosen for a question, with its retrieval rank and score."""

    excerpt: Excerpt
    rank: int
    score: float


@dataclass(frozen=True, slots=True)
class PromptTemplate:
    """A versioned prompt. A change makes a new version; versions are never edited."""

    id: str
    version: int
    description: str
    system: str
    user: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """`id@vN`, the name runs and reports use."""
        return f"{self.id}@v{self.version}"


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets `[start, end)` into an answer's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Answer:
    """One generated answer to one question under one prompt version."""

    id: str
    run_id: str
    question_id: str
    prompt_key: str
    backend: str
    model: str
    text: str
    cited_ids: tuple[str, ...]
    retrieved_ids: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_s: float | None = None
    cost_usd: float | None = None
    created_at: datetime = field(default_factory=utc_now)
    parent_id: str | None = None


class Verdict(enum.StrEnum):
    """A claim's standing against the evidence."""

    SUPPORTED = "supported"
    CONTRADICTED = "contradicted"
    NOT_FOUND = "not_found"

    @property
    def is_supported(self) -> bool:
        """Only `supported` counts as supported: not found is unsupported (medical default)."""
        return self is Verdict.SUPPORTED


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    """A judge's verdict on one claim of an answer.

    `support_score` (0..1) says how much of the claim the evidence holds, continuous so
    claims and answers can be ranked; the offline judge keeps every unsupported claim
    below its fixed threshold, and None means the judge gave none.
    """

    claim: str
    span: Span | None
    verdict: Verdict
    reason: str
    evidence_id: str | None
    evidence_sentence: str | None
    judge: str
    support_score: float | None = None


class Severity(enum.StrEnum):
    """How bad a safety finding is: a `fail` is never rescued by a disclaimer."""

    FAIL = "fail"
    WARN = "warn"


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    """One safety check that fired on an answer, and where."""

    rule_id: str
    severity: Severity
    message: str
    fix_hint: str
    span: Span | None = None
    matched_text: str | None = None
    # Who found it: "rules" (the rule file), "model" (the local safety model layer) or
    # "llm:<model>" (the LLM safety judge).
    source: str = "rules"
    # The model layer's probability for the sentence it points at; None for other sources.
    probability: float | None = None


# The meaning classes of the safety model layer and gold sentence labels, each with the
# rule id it stands for. The first five are harmful (present: a finding); the last two are
# safety language (absent: a finding).
SAFETY_CLASSES: dict[str, str] = {
    "dose_advice": "dosing-instruction",
    "outcome_promise": "cure-guarantee",
    "stop_treatment": "stop-standard-treatment",
    "investigational_available": "investigational-as-available",
    "warning_without_urgency": "emergency-without-action",
    "disclaimer": "missing-disclaimer",
    "referral": "missing-referral",
}
HARMFUL_CLASSES = (
    "dose_advice",
    "outcome_promise",
    "stop_treatment",
    "investigational_available",
    "warning_without_urgency",
)


@dataclass(frozen=True, slots=True)
class Relevance:
    """Does the answer answer the question? A judge's score in 0..1 (None: nothing to
    judge), its own fixed decision (`flagged`: it does not answer what was asked), and
    a one-line reason."""

    score: float | None
    flagged: bool
    reason: str
    judge: str


@dataclass(frozen=True, slots=True)
class ContextScores:
    """Did retrieval give the answer the right excerpts? ragas' context figures.

    `precision` is ragas' LLM context precision without a reference answer (its
    `ContextUtilization`): the judge says of each retrieved excerpt whether it was useful
    in arriving at the answer (`verdicts`, in retrieval order), scored as average
    precision, so useful excerpts ranked first score higher. None: not asked, or the
    judge failed (`reason` says why). `id_precision` and `id_recall` are ragas' ID-based
    context precision and recall against the gold relevant excerpts of the question
    (None: no gold names it). No reference answers exist, so ragas' LLM context recall
    (which needs one) is not computed.
    """

    precision: float | None
    verdicts: tuple[int, ...]
    id_precision: float | None
    id_recall: float | None
    reason: str
    judge: str


@dataclass(frozen=True, slots=True)
class Judgment:
    """One of several judgments of the same answer by the same judge (`score --repeat`):
    its faithfulness score, its decision and whether it could judge at all."""

    repeat: int  # 0, 1, ... in the order asked
    score: float | None
    flagged: bool
    status: EvaluationStatus


class EvaluationStatus(enum.StrEnum):
    """Whether the faithfulness judge could score the answer."""

    SCORED = "scored"
    NO_CLAIMS = "no_claims"  # e.g. a refusal: nothing to check, which is neither 0 nor 1
    JUDGE_FAILED = "judge_failed"


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The scores of one answer: faithfulness claim by claim, safety, readability."""

    answer_id: str
    judge: str
    status: EvaluationStatus
    faithfulness: float | None
    claims: tuple[ClaimVerdict, ...]
    safety: tuple[SafetyFinding, ...]
    fk_grade: float | None
    smog: float | None
    error: str | None = None
    # Excerpt id -> fingerprint ("v2:3f9a..."): what the answer was judged against.
    excerpt_versions: dict[str, str] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utc_now)
    relevance: Relevance | None = None  # None: not judged (stores before migration 008)
    # ragas' response relevancy beside it, with `--judge ragas` (None: not asked).
    llm_relevance: Relevance | None = None
    # Each judgment when the judge was asked more than once; `faithfulness` is their mean.
    judgments: tuple[Judgment, ...] = ()
    # ragas' context precision and recall, with `--judge ragas` (None: not asked).
    context: ContextScores | None = None

    @property
    def spread(self) -> float | None:
        """Highest minus lowest faithfulness over the repeats (None without two scores)."""
        scores = [j.score for j in self.judgments if j.score is not None]
        return round(max(scores) - min(scores), 4) if len(scores) > 1 else None

    @property
    def unstable(self) -> bool:
        """The repeats disagree on the decision: flagged in one judgment, not in another."""
        decided = {j.flagged for j in self.judgments if j.status is EvaluationStatus.SCORED}
        return len(decided) > 1

    @property
    def off_topic(self) -> bool:
        """Its relevance judge decided the answer does not answer the question."""
        return self.relevance is not None and self.relevance.flagged

    @property
    def unsupported(self) -> tuple[ClaimVerdict, ...]:
        """The claims the judge did not find supported."""
        return tuple(c for c in self.claims if not c.verdict.is_supported)

    @property
    def flagged(self) -> bool:
        """The judge's own answer-level decision (`FaithfulnessResult.flagged`).

        Every judge we ship flags an answer when any claim is not supported (the offline
        judge: support below its fixed threshold, or a name, number, negation or
        overclaim the excerpts do not back), so the stored verdicts carry the decision
        and stores written before it existed need nothing new.
        """
        return self.status is EvaluationStatus.SCORED and bool(self.unsupported)

    @property
    def weakest(self) -> tuple[ClaimVerdict, ...]:
        """The claims, weakest first: unsupported before supported, then by support."""
        return tuple(
            sorted(
                self.claims,
                key=lambda c: (
                    c.verdict.is_supported,
                    c.support_score if c.support_score is not None else 1.0,
                ),
            )
        )

    @property
    def safety_failed(self) -> bool:
        """True when any `fail`-severity safety rule fired."""
        return any(f.severity is Severity.FAIL for f in self.safety)


@dataclass(frozen=True, slots=True)
class Run:
    """One batch: a prompt version through one backend and model over a question set."""

    id: str
    prompt_key: str
    backend: str
    model: str
    questions_source: str
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utc_now)


class Decision(enum.StrEnum):
    """A reviewer's decision on one answer version. An edit makes a new version."""

    APPROVE = "approve"
    REJECT = "reject"
    NEEDS_EDIT = "needs_edit"
    EDIT = "edit"

    @property
    def meaning(self) -> str:
        """What the reviewer's signature on this decision means."""
        return _MEANINGS[self]


_MEANINGS = {
    Decision.APPROVE: "approved for patient use",
    Decision.REJECT: "rejected: not for patient use",
    Decision.NEEDS_EDIT: "returned for editing",
    Decision.EDIT: "edited the answer text into a new version",
}


@dataclass(frozen=True, slots=True)
class Binding:
    """What a decision covers of the answer besides its id and text hash: the question it
    answers, the prompt version and run that made it, and each excerpt it cites with the
    version (fingerprint) the reviewer saw ("unknown" when none was loaded or judged).

    Decisions recorded before the store's migration 007 carry none (`binding` None): they
    cover the answer id and its text only.
    """

    question_id: str
    prompt_key: str
    run_id: str
    cited: tuple[tuple[str, str], ...]  # (excerpt id, version), in citation order

    @property
    def cited_ids(self) -> tuple[str, ...]:
        """The cited excerpt ids, in citation order."""
        return tuple(excerpt_id for excerpt_id, _ in self.cited)


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """A human decision on an answer version, as recorded in the append-only log.

    `reviewer` is the name given in the form or on the command line; `account` is who
    the environment says is logged in (JupyterHub user, else the OS user). `answer_sha256`
    is the hash of the exact text decided on; `binding`, what else of the answer it was
    decided on (None for decisions from before the binding existed). `hash` covers every
    field and `prev_hash`, the hash of the decision before it, so any later change breaks
    the chain.
    """

    id: str
    seq: int
    answer_id: str
    answer_sha256: str
    reviewer: str
    account: str
    decision: Decision
    reason: str
    meaning: str
    created_at: datetime
    prev_hash: str
    hash: str
    new_answer_id: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    overrides: tuple[str, ...] = ()  # fail-severity safety rules approved over, on purpose
    mac: str | None = None  # HMAC-SHA256 of `hash` under the log key, when one was set
    binding: Binding | None = None
