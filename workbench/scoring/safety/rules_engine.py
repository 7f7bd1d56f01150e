"""The rules layer of the safety check: one answer against `datasets/safety_rules.yaml`.

Owns applying the rules to an answer's text and returning `SafetyFinding`s that point at
the text that fired. What a rule matches is data (loaded and compiled once by
`workbench.scoring.safety_rules`); how each kind of rule is applied is code here:

    forbidden        every match is a finding, unless negated, not addressed to the reader,
                     in a question, or beside an `exempt` pattern in its sentence
    required         a finding without a span when no pattern matches anywhere
    conditional      a trigger needs every `require` group, anywhere or nearby; with
                     `asked`, a trigger in a question that asks what to do needs them
                     anywhere in the answer
    investigational  reads the therapy and cancer-type tables
    citations        cited ids must have been retrieved; factual answers must cite
    readability      Flesch-Kincaid grade above the rule's maximum

No rule looks at another's result, so a disclaimer never rescues a `fail`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from functools import lru_cache
from pathlib import Path

from workbench.data.text import CITATION_RE, marker_ids, sentences, words
from workbench.models import Question, SafetyFinding, Severity, Span
from workbench.scoring.readability import above_grade, readability
from workbench.scoring.safety_rules import (
    Pattern,
    Rule,
    RuleSet,
    default_rules_path,
    load_rules,
)

__all__ = ["RuleSet", "check_rules", "default_rules", "unknown_cancer_types"]

# A Markdown heading, or a line that is only bold text ("**Risks**"), opens a section.
_HEADING_RE = re.compile(r"^[ \t]*(?:#{1,6}[ \t]|\*\*[^*\n]+\*\*:?[ \t]*$)", re.MULTILINE)
_LEAD_MARKUP_RE = re.compile(r"^(?:[\s>*_#•\-\"(]|\d+[.)](?=\s))+")
# Curly quotes and no-break spaces read as plain ones; every swap keeps the length.
_STRAIGHTEN = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


class _Answer:
    """An answer, the check's inputs and the lookups rules share, built once per check."""

    def __init__(
        self,
        text: str,
        rules: RuleSet,
        cancer_type: str | None,
        question: str | None,
        retrieved_ids: Collection[str] | None,
    ) -> None:
        self.original = text
        # Citation markers are blanked out (same length, so spans hold): an id such as
        # [gen-fever-003] is not a mention of fever. The citation rule reads `cited_text`.
        self.cited_text = text.translate(_STRAIGHTEN)
        self.text = CITATION_RE.sub(lambda m: " " * len(m.group(0)), self.cited_text)
        lower = self.text.lower()
        self.lower = lower if len(lower) == len(text) else None  # for the substring pre-check
        self.rules = rules
        self.cancer_type, self.question, self.retrieved_ids = cancer_type, question, retrieved_ids
        self.sentences = sentences(self.text)
        self._starts = [s.span.start for s in self.sentences]
        self._questions = [s.text.rstrip(" *_\"')]").endswith("?") for s in self.sentences]
        self._headings = [m.start() for m in _HEADING_RE.finditer(self.text)]
        self._windows: dict[tuple[str, ...], list[tuple[int, int]]] = {}

    def windows(self, needs: tuple[str, ...]) -> list[tuple[int, int]]:
        """The stretches of text worth scanning for a pattern that `needs` one of these.

        A stretch runs from one sentence's start to the next one's: patterns match inside
        a sentence, and scanning only the sentences that hold a needed string is what keeps
        a check fast (the regex engine costs time per character scanned).
        """
        if not needs or self.lower is None:
            return [(0, len(self.text))]
        if needs not in self._windows:
            n = len(self._starts)
            hit: set[int] = set()
            for lit in needs:
                at = self.lower.find(lit)
                while at >= 0:
                    i = max(0, bisect_right(self._starts, at) - 1)
                    hit.add(i)
                    at = self.lower.find(lit, self._starts[i + 1]) if i + 1 < n else -1
            self._windows[needs] = [
                (self._starts[i] if i else 0, self._starts[i + 1] if i + 1 < n else len(self.text))
                for i in sorted(hit)
            ]
        return self._windows[needs]

    def sentence_index(self, pos: int) -> int:
        return max(0, bisect_right(self._starts, pos) - 1)

    def section_index(self, pos: int) -> int:
        return bisect_right(self._headings, pos)

    def is_heading(self, sentence: int) -> bool:
        return bool(self.sentences) and self.sentences[sentence].line_prefix.startswith("#")

    def is_question(self, pos: int) -> bool:
        return bool(self._questions) and self._questions[self.sentence_index(pos)]

    def sentence_text(self, pos: int) -> str:
        return self.sentences[self.sentence_index(pos)].text if self.sentences else self.text

    def addressed(self, before: str) -> bool:
        """Whether the clause words before a match make it an instruction to the reader."""
        return self.rules.imperative.fullmatch(before + " " if before else "") is not None

    def clause_before(self, pos: int) -> str:
        """The words between the start of `pos`'s clause and `pos`, without list markup."""
        i = bisect_right(self._starts, pos) - 1
        start = self._starts[i] if i >= 0 else 0
        for m in self.rules.clause_break.finditer(self.text, start, pos):
            start = m.end()
        return _LEAD_MARKUP_RE.sub("", self.text[start:pos]).strip()

    def finding(
        self,
        rule: Rule,
        message: str | None = None,
        span: tuple[int, int] | None = None,
        severity: Severity | None = None,
    ) -> SafetyFinding:
        if span is None:
            return SafetyFinding(
                rule.id, severity or rule.severity, message or rule.message, rule.fix_hint
            )
        s, e = span
        return SafetyFinding(
            rule.id,
            severity or rule.severity,
            message or rule.message,
            rule.fix_hint,
            Span(s, e),
            self.original[s:e],
        )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _hits(
    a: _Answer,
    patterns: Sequence[Pattern],
    negators: re.Pattern[str] | None,
    *,
    skip_questions: bool = False,
    exempt: Sequence[re.Pattern[str]] = (),
    first: bool = False,
) -> list[tuple[int, int]]:
    """Spans of the matches that count, in text order; overlapping matches count once."""
    found: list[tuple[int, int]] = []
    for p in patterns:
        for m in (m for lo, hi in a.windows(p.needs) for m in p.regex.finditer(a.text, lo, hi)):
            s, e = _trim(a.text, m.start(), m.end())
            if s >= e or any(s < fe and fs < e for fs, fe in found):
                continue
            if p.imperative or p.negatable:
                before = a.clause_before(s)
                if p.imperative and not a.addressed(before):
                    continue
                if p.negatable and negators is not None and negators.search(before):
                    continue
            if skip_questions and a.is_question(s):
                continue
            if p.sentence is not None and not p.sentence.search(a.sentence_text(s)):
                continue
            if exempt and any(x.search(a.sentence_text(s)) for x in exempt):
                continue
            found.append((s, e))
            if first:
                return found
    return sorted(found)


def _forbidden(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    spans = _hits(
        a, rule.patterns, rule.negators, skip_questions=rule.skip_questions, exempt=rule.exempt
    )
    return [a.finding(rule, span=span) for span in spans]


def _required(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    if _hits(a, rule.patterns, rule.negators, skip_questions=rule.skip_questions, first=True):
        return []
    return [a.finding(rule)]


def _conditional(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    found = _conditional_in_answer(rule, a)
    asked = _asked(rule, a)
    if asked is not None and not any(f.severity is asked.severity for f in found):
        found.append(asked)
    return found


def _asked(rule: Rule, a: _Answer) -> SafetyFinding | None:
    """The finding of a warning sign the question names and asks what to do about, when no
    sentence of the answer (none that defers) holds every `require` group's action."""
    if rule.asked_severity is None or not a.question:
        return None
    question = a.question.translate(_STRAIGHTEN)
    if not any(p.regex.search(question) for p in rule.asked):
        return None
    if not any(p.regex.search(question) for p in rule.patterns):
        return None
    _, actions = _actions(rule, a)
    if all(actions):
        return None
    return a.finding(rule, rule.asked_message, None, rule.asked_severity)


def _actions(rule: Rule, a: _Answer) -> tuple[set[int], list[list[int]]]:
    """The sentences a deferral holds, and each `require` group's matches outside them (a
    deferral takes back the actions in its sentence)."""
    deferred = {a.sentence_index(s) for s, _ in _hits(a, rule.deferral, rule.negators)}
    actions = [
        [s for s, _ in _hits(a, g.patterns, rule.negators) if a.sentence_index(s) not in deferred]
        for g in rule.require
    ]
    return deferred, actions


def _conditional_in_answer(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    triggers = _hits(
        a, rule.patterns, rule.negators, skip_questions=rule.skip_questions, exempt=rule.exempt
    )
    if not triggers:
        return []
    if rule.near is None and not rule.same_section:  # anywhere in the answer: one finding
        if all(_hits(a, g.patterns, rule.negators, first=True) for g in rule.require):
            return []
        return [a.finding(rule, span=triggers[0])]
    # A deferral takes back the actions in its sentence and fires the triggers in it.
    deferred, groups = _actions(rule, a)
    out: list[SafetyFinding] = []
    seen: set[int] = set()
    for span in triggers:
        sentence = a.sentence_index(span[0])
        if sentence in seen or a.is_heading(sentence):  # a title names, it does not warn
            continue
        seen.add(sentence)
        if sentence in deferred and rule.deferral_severity is not None:
            out.append(a.finding(rule, rule.deferral_message, span, rule.deferral_severity))
        elif not all(any(_near(rule, a, span[0], h) for h in hits) for hits in groups):
            out.append(a.finding(rule, span=span))
    return out


def _near(rule: Rule, a: _Answer, trigger: int, hit: int) -> bool:
    distance = abs(a.sentence_index(trigger) - a.sentence_index(hit))
    if rule.near is not None and distance <= rule.near:
        return True
    return rule.same_section and a.section_index(trigger) == a.section_index(hit)


def _investigational(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    rs = a.rules
    cancers = rs.cancers_in(a.cancer_type, field=True) | rs.cancers_in(a.question)
    if not cancers:  # the answer's own words only when nothing else says whose cancer it is
        cancers = rs.cancers_in(a.text)
    out: list[SafetyFinding] = []
    for therapy in rs.therapies:
        wrong = cancers & therapy.investigational_for
        mention = therapy.regex.search(a.text) if wrong else None
        if mention is None:
            continue
        missing = [
            g.name for g in rule.require if not _hits(a, g.patterns, rule.negators, first=True)
        ]
        if missing:
            names = ", ".join(c.name for c in rs.cancer_types if c.id in wrong)
            message = rule.message.format(
                therapy=therapy.name, cancer=names, missing=_what_is_missing(missing)
            )
            out.append(a.finding(rule, message, _trim(a.text, mention.start(), mention.end())))
    return out


def _what_is_missing(missing: list[str]) -> str:
    """'doing this: X', 'doing both of these: X and Y', 'doing all of these: X, Y and Z'."""
    if len(missing) == 1:
        return f"doing this: {missing[0]}"
    listed = ", ".join(missing[:-1]) + f" and {missing[-1]}"
    return f"doing {'both' if len(missing) == 2 else 'all'} of these: {listed}"


def unknown_cancer_types(questions: Collection[Question], rules: RuleSet) -> list[tuple[str, str]]:
    """(question id, cancer type) for questions whose cancer type the rule set cannot name.

    Such a question is still answered and scored, but the investigational-therapy rule
    cannot tell from its cancer type whose cancer it is (it falls back to the question's
    words). "general" is a cancer type on purpose: questions about no one cancer.
    """
    return [
        (q.id, q.cancer_type)
        for q in questions
        if q.cancer_type.strip().lower() != "general"
        and not rules.cancers_in(q.cancer_type, field=True)
    ]


def _citations(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    known = None if a.retrieved_ids is None else set(a.retrieved_ids)
    out: list[SafetyFinding] = []
    cited = False
    for m in CITATION_RE.finditer(a.cited_text):
        cited = True
        unknown = [i for i in marker_ids(m) if known is not None and i not in known]
        if unknown:
            out.append(
                a.finding(rule, rule.message.format(id=", ".join(unknown)), (m.start(), m.end()))
            )
    if not cited and any(_is_factual(rule, s.text, s.line_prefix) for s in a.sentences):
        out.append(a.finding(rule, rule.message_uncited))
    return out


def _is_factual(rule: Rule, sentence: str, line_prefix: str) -> bool:
    if line_prefix.startswith("#") or sentence.rstrip(" *_\"')").endswith("?"):
        return False
    if len(words(sentence)) < rule.min_words:
        return False
    return not any(p.search(sentence) for p in rule.not_factual)


def _readability(rule: Rule, a: _Answer) -> list[SafetyFinding]:
    r = readability(a.original)
    if r.fk_grade is None or not above_grade(r.fk_grade, rule.max_grade):
        return []
    message = rule.message.format(fk_grade=r.fk_grade, smog=r.smog or 0.0, max_grade=rule.max_grade)
    return [a.finding(rule, message)]


_CHECKS: dict[str, Callable[[Rule, _Answer], list[SafetyFinding]]] = {
    "forbidden": _forbidden,
    "required": _required,
    "conditional": _conditional,
    "investigational": _investigational,
    "citations": _citations,
    "readability": _readability,
}


@lru_cache(maxsize=4)
def _default_rules(path: Path) -> RuleSet:
    return load_rules(path)


def default_rules() -> RuleSet:
    """The default rule file, loaded once."""
    return _default_rules(default_rules_path())


def check_rules(
    text: str,
    *,
    cancer_type: str | None = None,
    question: str | None = None,
    retrieved_ids: Collection[str] | None = None,
    rules: RuleSet | None = None,
) -> tuple[SafetyFinding, ...]:
    """Every finding of the rules alone on an answer, in rule-file order, then by position.

    `cancer_type` and `question` say whose cancer it is (for investigational therapies);
    `retrieved_ids=None` skips the check that cited ids were retrieved. `rules=None` uses
    the default rule file, loaded once.
    """
    ruleset = rules if rules is not None else default_rules()
    answer = _Answer(text, ruleset, cancer_type, question, retrieved_ids)
    findings: list[SafetyFinding] = []
    for rule in ruleset.rules:
        found = _CHECKS[rule.kind](rule, answer)
        findings.extend(sorted(found, key=lambda f: f.span.start if f.span else -1))
    return tuple(findings)
