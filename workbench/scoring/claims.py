"""Claim splitting: which sentences of an answer state checkable facts.

A claim is a sentence (or a `;`-separated part of one) that asserts something about the
world. Headings, questions, link lists, the safety footer, refusals and advice addressed
to the reader ("Ask your care team…", "If you have a fever, call…") are not claims:
they cannot be true or false against an excerpt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.data.answer_format import FOOTER_RE
from workbench.data.text import CITATION_RE, content_stems, sentences, strip_citations
from workbench.models import Span
from workbench.scoring.lexicon import is_caveat

__all__ = ["Claim", "split_claims"]

_NON_CLAIM_SECTIONS = re.compile(
    r"questions? to ask|learn more|sources|references|further reading|resources", re.IGNORECASE
)
_GENERAL_ONLY_RE = re.compile(r"general information only", re.IGNORECASE)
_URL_RE = re.compile(r"https?://\S+|\[[^\]]*\]\([^)]*\)")
_REFUSAL_RE = re.compile(
    r"^(?:i(?:'m| am) (?:sorry|not able|unable)|i (?:cannot|can't|can not|do not|don't) "
    r"(?:answer|provide|give|help|know)|sorry\b|as an ai\b)",
    re.IGNORECASE,
)
# Advice to the reader: imperative openings, optionally after an "If …," clause.
_IMPERATIVES = (
    "ask",
    "call",
    "talk",
    "tell",
    "contact",
    "go",
    "visit",
    "please",
    "search",
    "see",
    "learn",
    "speak",
    "discuss",
    "seek",
    "get",
    "keep",
    "write",
    "bring",
    "check with",
    "make sure",
    "don't",
    "do not",
    "never",
    "remember",
    "consider",
    "find",
    "read",
    "let",
    "use",
    "take",
)
# "Use of X …" is a noun phrase, not an instruction: an imperative is not followed by "of".
_ADVICE_RE = re.compile(
    r"^(?:if\b[^,]{0,160},\s*|when\b[^,]{0,160},\s*|before\b[^,]{0,160},\s*)?"
    r"(?:" + "|".join(re.escape(w) for w in _IMPERATIVES) + r")\b(?!\s+of\b)",
    re.IGNORECASE,
)
_MIN_CONTENT_WORDS = 2
_REPLY_WORDS = frozenset({"yes", "no", "ok", "okay", "sure"})  # a bare reply checks nothing
_DIGIT_RE = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Claim:
    """A checkable statement of an answer and its span (None for a claim given alone)."""

    text: str
    span: Span | None


def _is_claim(text: str, *, short: bool = False) -> bool:
    """Whether a sentence part states something checkable.

    `short` (an answer with no other claim) also takes one-word answers ("Lyon.") and
    advice that states a number ("Take 650 mg every hour."): they can be checked, and an
    answer made only of them would otherwise go unjudged.
    """
    bare = _URL_RE.sub(" ", text).strip()
    if not bare or bare.endswith("?") or bare.endswith(":"):
        return False
    if FOOTER_RE.search(bare) or _GENERAL_ONLY_RE.search(bare) or _REFUSAL_RE.search(bare):
        return False
    if is_caveat(bare):  # "More studies are needed": weakens, adds no fact to check
        return False
    content = [s for s in content_stems(bare) if s not in _REPLY_WORDS]
    if _ADVICE_RE.search(bare):
        return short and bool(_DIGIT_RE.search(bare)) and len(content) >= _MIN_CONTENT_WORDS
    return len(content) >= (1 if short else _MIN_CONTENT_WORDS)


def _parts(text: str, span: Span) -> list[tuple[str, Span]]:
    """Split a sentence at semicolons, keeping spans."""
    out: list[tuple[str, Span]] = []
    start = 0
    for m in re.finditer(r";\s+", text):
        out.append((text[start : m.start()], Span(span.start + start, span.start + m.start())))
        start = m.end()
    out.append((text[start:], Span(span.start + start, span.end)))
    return out


def split_claims(answer: str) -> list[Claim]:
    """The checkable claims of an answer, in order, each with its span.

    An answer with no claim by the usual test is read again with the `short` test, so
    a one-word answer or a bare dosing instruction is still checked; a refusal, a bare
    referral or a yes/no stays without claims.
    """
    return _split(answer, short=False) or _split(answer, short=True)


def _split(answer: str, *, short: bool) -> list[Claim]:
    claims: list[Claim] = []
    skipping_section = False
    for sentence in sentences(answer):
        if sentence.line_prefix.startswith("#"):
            skipping_section = bool(_NON_CLAIM_SECTIONS.search(sentence.text))
            continue
        if skipping_section or (
            sentence.text.startswith(("*", "_")) and sentence.text.endswith(("*", "_"))
        ):
            continue
        for text, span in _parts(sentence.text, sentence.span):
            bare = CITATION_RE.sub("", text).strip().rstrip(".").strip()
            if _is_claim(bare, short=short):
                claims.append(Claim(strip_citations(text), span))
    return claims
