"""Readability: Flesch-Kincaid grade and SMOG of the prose a patient reads.

Before scoring, the disclaimer sentence(s), headings, the "where to learn more" list, citation
markers, links and drug names are taken out: they are needed words that a patient does not
have to parse, and counting them would punish every answer alike. Syllables are counted
with a vowel-group rule (no dictionary download), which agrees with dictionary counts on
most plain English words.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.answer_format import FOOTER_RE
from workbench.data.numbers import rounded
from workbench.data.text import sentences, strip_citations

__all__ = [
    "GRADE_DIGITS",
    "GRADE_TARGET",
    "Readability",
    "above_grade",
    "prose_for_readability",
    "readability",
    "syllables",
]

GRADE_TARGET = 8.0
# Grades are shown with one decimal, and compared the way they are shown: 8.03 reads as
# "grade 8.0", which is within a grade-8 target, so it must not count as above it.
GRADE_DIGITS = 1


def above_grade(grade: float, target: float = GRADE_TARGET) -> bool:
    """True when `grade`, rounded as it is shown, is above `target`."""
    return rounded(grade, GRADE_DIGITS) > target


# Generic drug-name stems (USAN): -mab antibodies, -nib kinase inhibitors, -cel cell
# therapies, -platin, -taxel, -rubicin, -tinib, -lisib, -parib, -ciclib and the like.
_DRUG_RE = re.compile(
    r"\b[a-z]+(?:mab|nib|cel|leucel|platin|taxel|rubicin|parib|ciclib|lisib|zumab|ximab|"
    r"umab|tecan|mustine|fosfamide|trexate|citabine|rouracil|tinib|rafenib|lutamide|relix)\b",
    re.IGNORECASE,
)
_LINK_RE = re.compile(r"https?://\S+|\[[^\]]*\]\([^)]*\)")
_SOURCES_HEADING_RE = re.compile(r"learn more|sources|references|resources", re.IGNORECASE)
_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")
_VOWEL_GROUP_RE = re.compile(r"[aeiouy]+")
_ITALIC_LINE_RE = re.compile(r"\s*(?:\*(?=\S)|_)")  # "*This is ...*", not a "* " bullet


@dataclass(frozen=True, slots=True)
class Readability:
    """Reading-level figures of a text. Grades are US school grades; None when no prose."""

    fk_grade: float | None
    smog: float | None
    words: int
    sentences: int
    polysyllables: int


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables in an English word by vowel groups, with the silent-e and -le rules."""
    w = word.lower().strip("'’")
    if not w:
        return 0
    if w.isdigit():
        return max(1, len(w))  # numbers are read aloud; a rough count is enough
    count = len(_VOWEL_GROUP_RE.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    elif w.endswith("le") and len(w) > 2 and w[-3] not in "aeiouy" and count == 1:
        count += 1
    if (
        count > 1
        and len(w) > 3
        and (
            (w.endswith("ed") and w[-3] not in "td") or (w.endswith("es") and w[-3] not in "sxzcgh")
        )
    ):
        count -= 1  # "treated" keeps its -ed, "lymphocytes" and "states" lose the -es
    return max(1, count)


def _footer_lines(text: str) -> set[int]:
    """Lines that are a footer block of their own: set apart in italics ("*This is ...*")."""
    return {
        i
        for i, line in enumerate(text.splitlines())
        if FOOTER_RE.search(line) and _ITALIC_LINE_RE.match(line)
    }


def prose_for_readability(text: str) -> list[str]:
    """The sentences a patient has to read: no disclaimer, headings, links, citations or
    drug names.

    Only the disclaimer sentence is left out (or a footer line set apart in italics, which
    is all disclaimer), never the paragraph around it: a one-paragraph answer that ends in
    "This is not medical advice." keeps all its other sentences.
    """
    kept: list[str] = []
    footer = _footer_lines(text)
    in_sources = False
    for s in sentences(text):
        if FOOTER_RE.search(s.text) or (footer and text.count("\n", 0, s.span.start) in footer):
            continue
        if s.line_prefix.startswith("#"):
            in_sources = bool(_SOURCES_HEADING_RE.search(s.text))
            continue
        if in_sources:  # titles and links of sources are looked up, not read as prose
            continue
        body = _LINK_RE.sub(" ", strip_citations(s.text))
        body = _DRUG_RE.sub("drug", body)
        if _WORD_RE.search(body):
            kept.append(body)
    return kept


def readability(text: str) -> Readability:
    """Flesch-Kincaid grade and SMOG of the patient-facing prose of `text`."""
    prose = prose_for_readability(text)
    n_words = n_syll = n_poly = 0
    for sentence in prose:
        for w in _WORD_RE.findall(sentence):
            s = syllables(w)
            n_words += 1
            n_syll += s
            n_poly += s >= 3
    n_sent = len(prose)
    if n_words == 0:
        return Readability(None, None, 0, 0, 0)
    fk = 0.39 * n_words / n_sent + 11.8 * n_syll / n_words - 15.59
    smog = 1.0430 * math.sqrt(n_poly * 30 / n_sent) + 3.1291
    return Readability(round(fk, 2), round(smog, 2), n_words, n_sent, n_poly)
