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
_ADVICE_RE = re.compile(
    r"^(?:if\b[^,]{0,160},\s*|when\b[^,]{0,160},\s*|before\b[^,]{0,160},\s*)?"
    r"(?:" + "|".join(re.escape(w) for w in _IMPERATIVES) + r")\b",
    re.IGNORECASE,
)
_MIN_CONTENT_WORDS = 2


@dataclass(frozen=True, slots=True)
class Claim:
    """A checkable statement of an answer and its span (None for a claim given alone)."""

    text: str
    span: Span | None


def _is_claim(text: str) -> bool:
    bare = _URL_RE.sub(" ", text).strip()
    if not bare or bare.endswith("?") or bare.endswith(":"):
        return False
    if FOOTER_RE.search(bare) or _GENERAL_ONLY_RE.search(bare):
        return False
    if _REFUSAL_RE.search(bare) or _ADVICE_RE.search(bare):
        return False
    return len(content_stems(bare)) >= _MIN_CONTENT_WORDS


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
    """The checkable claims of an answer, in order, each with its span."""
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
            if _is_claim(bare):
                claims.append(Claim(strip_citations(text), span))
    return claims
