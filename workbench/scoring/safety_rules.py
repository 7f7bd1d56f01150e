"""The safety rule file: its format, its validation and its compiled form.

Owns turning `datasets/safety_rules.yaml` into a `RuleSet`. Pydantic checks the file's
shape (`extra="forbid"`); then `{name}` references in regexes are expanded from the file's
word lists and every regex is compiled, once, here. Any problem raises `DatasetError`
naming the file, the YAML line, the rule and the field. Applying the rules is
`workbench.scoring.safety`; the rule kinds are described at the top of the YAML file.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workbench.data.datasets import default_datasets_dir
from workbench.data.yamlfile import Loc, YamlFile, read_yaml
from workbench.errors import DatasetError
from workbench.models import Severity
from workbench.scoring.readability import GRADE_TARGET
from workbench.scoring.safety_spec import (
    AnyRuleSpec,
    CitationsSpec,
    ConditionalSpec,
    ForbiddenSpec,
    GroupSpec,
    InvestigationalSpec,
    Kind,
    PatternSpec,
    ReadabilitySpec,
    RequiredSpec,
    RuleFileSpec,
)

__all__ = [
    "CancerType",
    "Example",
    "Kind",
    "Pattern",
    "Requirement",
    "Rule",
    "RuleSet",
    "Therapy",
    "default_rules_path",
    "load_rules",
]

RULES_FILE = "safety_rules.yaml"
_FLAGS = re.IGNORECASE | re.MULTILINE
_LIST_REF_RE = re.compile(r"\{([A-Za-z_]\w*)\}")  # `{name}`; `{2}` stays a quantifier

# Placeholders each kind's messages may use, with sample values to try them at load time.
_MESSAGE_FIELDS: dict[str, dict[str, object]] = {
    "investigational": {"therapy": "CAR T-cell therapy", "cancer": "breast cancer", "missing": "x"},
    "citations": {"id": "x-001"},
    "readability": {"fk_grade": 9.0, "smog": 9.0, "max_grade": 8.0},
}


# --- the compiled form ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled regex and how the engine treats its matches."""

    regex: re.Pattern[str]
    negatable: bool  # a negator earlier in the clause cancels the match
    imperative: bool  # the match must be addressed to the reader
    needs: tuple[str, ...] = ()  # lower-case strings one of which every match contains
    sentence: re.Pattern[str] | None = None  # the match's sentence must also contain this


@dataclass(frozen=True, slots=True)
class Requirement:
    """A group of patterns of which at least one must match; `name` says what is missing."""

    name: str
    patterns: tuple[Pattern, ...]


@dataclass(frozen=True, slots=True)
class Example:
    """One of a rule's own test texts: `fires` says whether the rule must fire on it."""

    text: str
    fires: bool
    cancer_type: str | None = None
    question: str | None = None
    retrieved_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    """One compiled rule. Fields a kind does not use keep their defaults."""

    id: str
    kind: Kind
    severity: Severity
    message: str
    fix_hint: str
    examples: tuple[Example, ...] = ()
    patterns: tuple[Pattern, ...] = ()  # forbidden, required; the trigger of conditional
    negators: re.Pattern[str] | None = None
    exempt: tuple[re.Pattern[str], ...] = ()
    skip_questions: bool = False
    require: tuple[Requirement, ...] = ()
    near: int | None = None
    same_section: bool = False
    deferral: tuple[Pattern, ...] = ()  # in the trigger's sentence: fires anyway
    deferral_severity: Severity | None = None
    deferral_message: str = ""
    asked: tuple[Pattern, ...] = ()  # the question asks what to do: its triggers count
    asked_severity: Severity | None = None
    asked_message: str = ""
    message_uncited: str = ""
    min_words: int = 1
    not_factual: tuple[re.Pattern[str], ...] = ()
    max_grade: float = GRADE_TARGET


@dataclass(frozen=True, slots=True)
class CancerType:
    """A cancer type: `field_regex` reads a `cancer_type` value, `text_regex` running text."""

    id: str
    name: str
    field_regex: re.Pattern[str]
    text_regex: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Therapy:
    """A therapy that is approved for some cancer types and investigational for others."""

    id: str
    name: str
    regex: re.Pattern[str]
    approved_for: frozenset[str]
    investigational_for: frozenset[str]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The compiled rule file: rules in file order plus the tables the engine reads."""

    path: Path
    rules: tuple[Rule, ...]
    cancer_types: tuple[CancerType, ...]
    therapies: tuple[Therapy, ...]
    clause_break: re.Pattern[str]
    imperative: re.Pattern[str]  # full-matches the words before an addressed match

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id (KeyError if none)."""
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def cancers_in(self, text: str | None, *, field: bool = False) -> frozenset[str]:
        """Ids of the cancer types named in `text` (a `cancer_type` value if `field`)."""
        if not text:
            return frozenset()
        if field:
            text = text.replace("_", " ")  # "breast_cancer"
        return frozenset(
            c.id
            for c in self.cancer_types
            if c.text_regex.search(text) or (field and c.field_regex.search(text))
        )


def default_rules_path() -> Path:
    """The rule file in the data set folder (`$WORKBENCH_DATASETS` or the repository's)."""
    return default_datasets_dir() / RULES_FILE


def load_rules(path: Path | None = None) -> RuleSet:
    """Read, validate and compile the safety rules (default: `default_rules_path()`)."""
    source = read_yaml(path or default_rules_path(), "safety rules")
    if not isinstance(source.data, dict):
        raise DatasetError(source.path, "expected a mapping with 'version', 'grammar' and 'rules'")
    try:
        spec = RuleFileSpec.model_validate(source.data)
    except ValidationError as e:
        err = e.errors()[0]
        loc: Loc = tuple(err["loc"])
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "kind")
        more = f" (and {e.error_count() - 1} more problems)" if e.error_count() > 1 else ""
        raise _rule_error(source, loc, err["msg"] + more) from e
    return _Compiler(source, spec).compile()


def _rule_error(source: YamlFile, loc: Loc, message: str) -> DatasetError:
    """A located error whose message also names the rule it is in."""
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        raw = source.data["rules"][loc[1]] if loc[1] < len(source.data["rules"]) else None
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        message = f"rule {rule_id!r}: {message}" if rule_id else f"rule #{loc[1]}: {message}"
    return source.error(loc, message)


# --- a cheap pre-check: strings a match must contain ---------------------------------

# Python's regex engine tries an IGNORECASE alternation at every position of the text, so
# the engine only scans sentences that hold one of these strings. They are read off the
# parse tree by the standard library's own parser (private, fixed for pinned Python 3.11).
_sre_parser: Any = importlib.import_module("re._parser")
_sre: Any = importlib.import_module("re._constants")


def _needed_literals(seq: Any) -> set[str] | None:
    """Lower-case strings one of which every match of a parsed regex contains, or None.

    Of the candidates (a run of literal characters, or the union over an alternation's
    branches) the pick favours three letters or more, then fewer strings: each string
    costs a substring search per answer.
    """
    best: tuple[tuple[bool, int, int], set[str]] | None = None

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and all(found):
            shortest = min(map(len, found))
            key = (shortest >= 3, -len(found), shortest)
            if best is None or key > best[0]:
                best = (key, found)

    run = ""
    for op, av in seq:
        if op is _sre.LITERAL:
            run += chr(av).lower()
            continue
        consider({run} if run else None)
        run = ""
        if op is _sre.SUBPATTERN:
            consider(_needed_literals(av[-1]))
        elif op is _sre.BRANCH:
            parts = [_needed_literals(b) for b in av[1]]
            consider(None if None in parts else {x for p in parts for x in p or ()})
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT) and av[0] >= 1:
            consider(_needed_literals(av[2]))
    consider({run} if run else None)
    return None if best is None else best[1]


class _Compiler:
    """Turns a validated `RuleFileSpec` into a `RuleSet`, checking what pydantic cannot."""

    def __init__(self, source: YamlFile, spec: RuleFileSpec):
        self.source, self.spec = source, spec
        self.path = source.path
        self.lists: dict[str, str] = {}
        self.items: dict[str, list[str]] = {}  # each list's items, `{name}`s in them expanded

    def error(self, loc: Loc, message: str) -> DatasetError:
        return _rule_error(self.source, loc, message)

    def expand(self, source: str, loc: Loc) -> str:
        def one(m: re.Match[str]) -> str:
            if m.group(1) not in self.lists:
                raise self.error(loc, f"unknown word list {{{m.group(1)}}} in {source!r}")
            return self.lists[m.group(1)]

        return _LIST_REF_RE.sub(one, source)

    def regex(self, source: str, loc: Loc, wrap: str = "{}") -> re.Pattern[str]:
        try:
            return re.compile(wrap.replace("{}", self.expand(source, loc)), _FLAGS)
        except re.error as e:
            raise self.error(loc, f"bad regex {source!r}: {e}") from e

    def alternation(self, items: Sequence[str], loc: Loc, wrap: str = "(?:{})") -> re.Pattern[str]:
        for i, s in enumerate(items):
            self.regex(s, (*loc, i))  # each alternative alone, so an error names its index
        return self.regex("|".join(f"(?:{s})" for s in items), loc, wrap)

    def patterns(
        self, specs: Sequence[PatternSpec], loc: Loc, negatable: bool, imperative: bool = False
    ) -> tuple[Pattern, ...]:
        out = []
        for i, p in enumerate(specs):
            sentence = None if p.sentence is None else self.regex(p.sentence, (*loc, i, "sentence"))
            # A pattern that is only a word list, `{name}`, is one pattern per item: each gets
            # its own pre-check strings, which keeps a long list cheap to scan.
            ref = _LIST_REF_RE.fullmatch(p.regex)
            sources = self.items[ref.group(1)] if ref and ref.group(1) in self.items else [p.regex]
            for source in sources:
                rx = self.regex(source, (*loc, i, "regex"))
                needs = _needed_literals(_sre_parser.parse(rx.pattern, rx.flags)) or ()
                out.append(
                    Pattern(
                        rx,
                        negatable if p.negatable is None else p.negatable,
                        imperative if p.imperative is None else p.imperative,
                        tuple(sorted(needs)),
                        sentence,
                    )
                )
        return tuple(out)

    def groups(self, specs: Sequence[GroupSpec], loc: Loc) -> tuple[Requirement, ...]:
        return tuple(
            Requirement(g.name, self.patterns(g.patterns, (*loc, i, "patterns"), g.negatable))
            for i, g in enumerate(specs)
        )

    def rule(self, i: int, r: AnyRuleSpec) -> Rule:
        loc: Loc = ("rules", i)
        try:
            r.message.format(**_MESSAGE_FIELDS.get(r.kind, {}))
        except (KeyError, IndexError, ValueError) as e:
            raise self.error((*loc, "message"), f"bad placeholder {e} in the message") from e
        examples = tuple(
            Example(
                e.text,
                fires,
                e.cancer_type,
                e.question,
                None if e.retrieved_ids is None else tuple(e.retrieved_ids),
            )
            for fires, group in ((True, r.tests.flag), (False, r.tests.pass_))
            for e in group
        )
        out = Rule(r.id, r.kind, r.severity, r.message.strip(), r.fix_hint.strip(), examples)
        negators = self.spec.grammar.negators
        if isinstance(r, ForbiddenSpec | RequiredSpec | ConditionalSpec):
            for j, s in enumerate(r.extra_negators):
                self.regex(s, (*loc, "extra_negators", j))
            negators = [*negators, *r.extra_negators]
            key, source = (
                ("trigger", r.trigger)
                if isinstance(r, ConditionalSpec)
                else ("patterns", r.patterns)
            )
            out = replace(
                out,
                patterns=self.patterns(source, (*loc, key), r.negatable, r.imperative),
                exempt=tuple(self.regex(s, (*loc, "exempt", j)) for j, s in enumerate(r.exempt)),
                skip_questions=r.skip_questions,
            )
        out = replace(
            out, negators=self.alternation(negators, ("grammar", "negators"), r"\b(?:{})\b")
        )
        if isinstance(r, ConditionalSpec | InvestigationalSpec):
            out = replace(out, require=self.groups(r.require, (*loc, "require")))
        if isinstance(r, ConditionalSpec):
            out = replace(
                out,
                near=r.near,
                same_section=r.same_section,
                deferral=self.patterns(r.deferral, (*loc, "deferral"), negatable=True),
                deferral_severity=r.deferral_severity,
                deferral_message=(r.deferral_message or "").strip(),
                asked=self.patterns(r.asked, (*loc, "asked"), negatable=False),
                asked_severity=r.asked_severity,
                asked_message=(r.asked_message or "").strip(),
            )
        elif isinstance(r, CitationsSpec):
            if "{" in r.message_uncited:
                raise self.error((*loc, "message_uncited"), "takes no placeholders")
            not_factual = (
                self.regex(s, (*loc, "not_factual", j)) for j, s in enumerate(r.not_factual)
            )
            out = replace(
                out,
                message_uncited=r.message_uncited.strip(),
                min_words=r.min_words,
                not_factual=tuple(not_factual),
            )
        elif isinstance(r, ReadabilitySpec):
            out = replace(out, max_grade=r.max_grade)
        return out

    def cancer_types(self) -> tuple[CancerType, ...]:
        out = []
        for i, c in enumerate(self.spec.cancer_types):
            names = [re.escape(n).replace(r"\ ", r"[\s_-]+") for n in c.names] or ["(?!)"]
            field_rx = self.regex(r"\b(?:" + "|".join(names) + r")\b", ("cancer_types", i, "names"))
            out.append(
                CancerType(
                    c.id,
                    c.name,
                    field_rx,
                    self.alternation(c.patterns, ("cancer_types", i, "patterns")),
                )
            )
        return tuple(out)

    def therapies(self, known: set[str]) -> tuple[Therapy, ...]:
        out = []
        for i, t in enumerate(self.spec.therapies):
            loc: Loc = ("therapies", i)
            for key in ("approved_for", "investigational_for"):
                for j, cid in enumerate(getattr(t, key)):
                    if cid not in known:
                        raise self.error((*loc, key, j), f"unknown cancer type {cid!r}")
            if both := set(t.approved_for) & set(t.investigational_for):
                raise self.error(
                    (*loc, "investigational_for"),
                    f"listed as both approved and investigational: {sorted(both)}",
                )
            out.append(
                Therapy(
                    t.id,
                    t.name,
                    self.alternation(t.patterns, (*loc, "patterns")),
                    frozenset(t.approved_for),
                    frozenset(t.investigational_for),
                )
            )
        return tuple(out)

    def compile(self) -> RuleSet:
        for name, items in self.spec.lists.items():
            for j, s in enumerate(items):
                self.regex(s, ("lists", name, j))  # a list may use the lists above it
            self.items[name] = [self.expand(s, ("lists", name)) for s in items]
            self.lists[name] = "(?:" + "|".join(f"(?:{x})" for x in self.items[name]) + ")"
        g = self.spec.grammar
        lead = (
            self.alternation(g.imperative_lead, ("grammar", "imperative_lead")).pattern
            if g.imperative_lead
            else "(?!)"
        )
        forms = self.alternation(g.imperative_forms, ("grammar", "imperative_forms")).pattern
        seen: dict[str, int] = {}
        for i, r in enumerate(self.spec.rules):
            if r.id in seen:
                raise self.error(("rules", i, "id"), f"duplicate id, also rules[{seen[r.id]}]")
            seen[r.id] = i
        cancers = self.cancer_types()
        return RuleSet(
            path=self.path,
            rules=tuple(self.rule(i, r) for i, r in enumerate(self.spec.rules)),
            cancer_types=cancers,
            therapies=self.therapies({c.id for c in cancers}),
            clause_break=self.alternation(g.clause_breaks, ("grammar", "clause_breaks")),
            imperative=re.compile(rf"(?:{lead}\s+)*(?:{forms}\s+)?", _FLAGS),
        )
