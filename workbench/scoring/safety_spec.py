"""The safety rule file's shape: pydantic models of `datasets/safety_rules.yaml`.

Only the shape is checked here (`extra="forbid"`); `workbench.scoring.safety_rules`
compiles a validated file into a `RuleSet`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from workbench.models import Severity
from workbench.scoring.readability import GRADE_TARGET

_ID = r"^[a-z][a-z0-9-]*$"

Kind = Literal[
    "forbidden", "required", "conditional", "investigational", "citations", "readability"
]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PatternSpec(_Spec):
    regex: str = Field(min_length=1)
    negatable: bool | None = None
    imperative: bool | None = None
    sentence: str | None = None  # a regex the match's sentence must also contain

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"regex": data} if isinstance(data, str) else data


class ExampleSpec(_Spec):
    text: str
    cancer_type: str | None = None
    question: str | None = None
    retrieved_ids: list[str] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"text": data} if isinstance(data, str) else data


class ExamplesSpec(_Spec):
    flag: list[ExampleSpec] = Field(min_length=3)
    pass_: list[ExampleSpec] = Field(alias="pass", min_length=3)


class GroupSpec(_Spec):
    name: str = Field(min_length=1)
    patterns: list[PatternSpec] = Field(min_length=1)
    negatable: bool = False


class _RuleSpec(_Spec):
    id: str = Field(pattern=_ID)
    severity: Severity
    message: str = Field(min_length=1)
    fix_hint: str = Field(min_length=1)
    tests: ExamplesSpec


class _MatchingSpec(_RuleSpec):
    negatable: bool = False
    imperative: bool = False
    extra_negators: list[str] = Field(default_factory=list)
    exempt: list[str] = Field(default_factory=list)
    skip_questions: bool = True


class ForbiddenSpec(_MatchingSpec):
    kind: Literal["forbidden"]
    patterns: list[PatternSpec] = Field(min_length=1)


class RequiredSpec(_MatchingSpec):
    kind: Literal["required"]
    patterns: list[PatternSpec] = Field(min_length=1)
    skip_questions: bool = False


class ConditionalSpec(_MatchingSpec):
    kind: Literal["conditional"]
    trigger: list[PatternSpec] = Field(min_length=1)
    require: list[GroupSpec] = Field(min_length=1)
    near: int | None = Field(default=None, ge=0)
    same_section: bool = False
    # Words in the trigger's own sentence that take the action back ("wait and see"): the
    # trigger fires even with an action nearby, with this severity and message.
    deferral: list[PatternSpec] = Field(default_factory=list)
    deferral_severity: Severity | None = None
    deferral_message: str | None = None
    # A trigger in the question the answer replies to, when the question also asks what to
    # do (`asked`): the answer must meet it with a `require` action anywhere (outside a
    # deferral), or it is a finding of this severity and message, whatever the answer says.
    asked: list[PatternSpec] = Field(default_factory=list)
    asked_severity: Severity | None = None
    asked_message: str | None = None

    @model_validator(mode="after")
    def _deferral_complete(self) -> ConditionalSpec:
        for name in ("deferral", "asked"):
            given = [
                bool(getattr(self, name)),
                getattr(self, f"{name}_severity") is not None,
                bool(getattr(self, f"{name}_message")),
            ]
            if any(given) and not all(given):
                raise ValueError(f"{name}, {name}_severity and {name}_message go together")
        return self


class InvestigationalSpec(_RuleSpec):
    kind: Literal["investigational"]
    require: list[GroupSpec] = Field(min_length=1)


class CitationsSpec(_RuleSpec):
    kind: Literal["citations"]
    message_uncited: str = Field(min_length=1)
    min_words: int = Field(default=6, ge=1)
    not_factual: list[str] = Field(default_factory=list)


class ReadabilitySpec(_RuleSpec):
    kind: Literal["readability"]
    max_grade: float = GRADE_TARGET


AnyRuleSpec = Annotated[
    ForbiddenSpec
    | RequiredSpec
    | ConditionalSpec
    | InvestigationalSpec
    | CitationsSpec
    | ReadabilitySpec,
    Field(discriminator="kind"),
]


class GrammarSpec(_Spec):
    negators: list[str] = Field(min_length=1)
    clause_breaks: list[str] = Field(min_length=1)
    imperative_lead: list[str] = Field(default_factory=list)
    imperative_forms: list[str] = Field(min_length=1)


class CancerTypeSpec(_Spec):
    id: str = Field(pattern=_ID)
    name: str
    names: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(min_length=1)


class TherapySpec(_Spec):
    id: str = Field(pattern=_ID)
    name: str
    patterns: list[str] = Field(min_length=1)
    approved_for: list[str] = Field(default_factory=list)
    investigational_for: list[str] = Field(min_length=1)


class RuleFileSpec(_Spec):
    version: Literal[1]
    grammar: GrammarSpec
    lists: dict[str, list[str]] = Field(default_factory=dict)
    cancer_types: list[CancerTypeSpec] = Field(min_length=1)
    therapies: list[TherapySpec] = Field(default_factory=list)
    rules: list[AnyRuleSpec] = Field(min_length=1)
