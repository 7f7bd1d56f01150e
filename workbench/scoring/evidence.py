"""Evidence units for the offline judge: excerpt sentences and adjacent pairs, pre-analysed.

An excerpt is cut into sentences; each sentence, and each pair of neighbours (a claim may
sum up two sentences), becomes a unit with its weighted terms, numbers and names.
Analysis is cached by excerpt text, since the same excerpts serve many answers.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.text import STOP_WORDS, sentences, stem, strip_citations, words
from workbench.scoring.lexicon import (
    HEDGE_WORDS,
    NEGATIONS,
    canonical,
    framed,
    numbers_in,
    term_weight,
    zipf,
)

__all__ = [
    "NEGATING_PREFIX",
    "PREFIX",
    "PREFIX_NOT",
    "Analysed",
    "EvidenceUnit",
    "analyse",
    "evidence_units",
    "is_negation",
    "joined",
    "names_in",
]

PREFIX = 5
# In `raw_stems`: "not" negates the next words of its clause, PREFIX_NOT only its own word.
PREFIX_NOT = "un-"
_NOT_NEGATING_AFTER_NOT = frozenset({"only", "just", "merely"})
_UN_WORDS_NOT_NEGATING = frozenset({"unless", "until", "untill", "undies"})
_SHORTEST_BASE = 4  # "under" is not "not der"
_COMMON_WORD = 3.0  # Zipf frequency of a common English word (`zipf`)
_NUMERIC_RE = re.compile(r"[\d.,%-]+")
_DRUG_SUFFIX_RE = re.compile(
    r"(?:mab|nib|cel|leucel|platin|taxel|rubicin|parib|ciclib|lisib|tecan|mustine|fosfamide)$"
)
# A capitalised word after a lower-case word, a digit or a comma: not a sentence start.
_PROPER_RE = re.compile(r"(?<=[a-z0-9,;]) (?:the )?([A-Z][a-z]{2,})\b")
_NOT_PROPER = frozenset({"the", "this", "that", "these", "those", "you", "your", "our"})
# "non-small cell" is not "small cell": a hyphen prefix that negates what follows.
NEGATING_PREFIX = "non"
_NAME_TAIL_RE = re.compile(r"(?:-[a-z]+)+$")
_PLURAL_ACRONYM_RE = re.compile(r"[A-Z]{2,}s")
_NAME_RE = re.compile(r"\b(?:[A-Z][a-z]*[A-Z0-9][A-Za-z0-9\-]*|[A-Z]{2,}[0-9]*|[A-Za-z]+\d+\w*)\b")


@dataclass(frozen=True, slots=True)
class Analysed:
    """A piece of text reduced to what the judge compares."""

    text: str
    terms: dict[str, float]  # canonical stem -> weight (content words, negations excluded)
    stems: frozenset[str]  # every content stem, canonical, for presence tests
    raw_stems: tuple[str, ...]  # stems in order, negations kept, not canonicalised
    numbers: frozenset[float]
    names: frozenset[str]  # acronyms, gene and drug names: compared sentence by sentence
    prefixes: frozenset[str]  # 5-letter stem prefixes, for near matches (metastasis ~ metastatic)
    proper: frozenset[str] = frozenset()  # capitalised words inside a sentence (Chrysler)


@dataclass(frozen=True, slots=True)
class EvidenceUnit:
    """One or two adjacent sentences of an excerpt."""

    excerpt_index: int
    sentence: str
    analysed: Analysed
    pair: bool = False


def proper_names_in(text: str) -> frozenset[str]:
    """Lower-cased capitalised words that are not the first word of a sentence."""
    return frozenset(
        m.group(1).lower()
        for m in _PROPER_RE.finditer(text)
        if m.group(1).lower() not in _NOT_PROPER
    )


def _bare_name(found: str) -> str:
    """A name without an inflection or a compound tail: "PACs" is "pac", "US-led" is "us"
    (a hyphen before lower-case letters joins a word, not a name: "PD-L1" stays whole)."""
    found = _NAME_TAIL_RE.sub("", found)
    if _PLURAL_ACRONYM_RE.fullmatch(found):
        found = found[:-1]
    return found.lower()


def names_in(text: str) -> frozenset[str]:
    """Lower-cased names: acronyms and gene or target names (HER2, CD19), drug names."""
    found = {_bare_name(m.group(0)) for m in _NAME_RE.finditer(text)}
    found |= {w for w in words(text) if len(w) > 5 and _DRUG_SUFFIX_RE.search(w)}
    return frozenset(found)


@lru_cache(maxsize=32768)
def analyse(text: str) -> Analysed:
    """Terms with weights, numbers and names of a sentence (cached).

    A framing lead-in ("These findings suggest that") and hedge words ("possibly") are
    not terms: what is checked is the statement they frame. They stay in `raw_stems`,
    where certainty is compared."""
    clean = strip_citations(text)
    terms: dict[str, float] = {}
    raw: list[str] = []
    lead = len(_split_compounds(words(clean[: len(clean) - len(framed(clean))])))
    tokens = _split_compounds(words(clean))
    for i, w in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if is_negation(w):
            if _negates(w, after):
                raw.append("not")
            continue  # "No. 1", "not only": neither a negation nor content
        base = _prefix_negated(w)
        if base:  # "unclear" says "not clear": either wording matches the other
            raw.append(PREFIX_NOT)
            w = base
        s = stem(w)
        raw.append(s)
        if i < lead or w in HEDGE_WORDS or w in STOP_WORDS or _NUMERIC_RE.fullmatch(w):
            continue  # numbers are compared on their own
        c = canonical(s)
        terms[c] = max(terms.get(c, 0.0), term_weight(w))
    prefixes = frozenset(t[:PREFIX] for t in terms if len(t) >= PREFIX)
    return Analysed(
        clean,
        terms,
        frozenset(terms),
        tuple(raw),
        numbers_in(clean),
        names_in(clean),
        prefixes,
        proper_names_in(clean),
    )


def is_negation(word: str) -> bool:
    """A word of negation ("not", "never", any "n't" form), by the word, not its stem:
    "hardly" and "rarely" negate, "hard" and "rare" do not."""
    return word in NEGATIONS or word.endswith("n't")


def _negates(word: str, after: str) -> bool:
    """Whether a negation word negates what follows: not "No. 1" (a number) nor
    "not only" (which asserts what it introduces, "not only X but Y")."""
    if word == "no" and _NUMERIC_RE.fullmatch(after):
        return False
    return after not in _NOT_NEGATING_AFTER_NOT


@lru_cache(maxsize=65536)
def _prefix_negated(word: str) -> str:
    """The word an "un-" word negates ("unclear" -> "clear", "unfit" -> "fit"), when the
    rest is itself a common English word; else empty ("under", "unique", "unless")."""
    if not word.startswith("un") or word in _UN_WORDS_NOT_NEGATING or word.startswith("union"):
        return ""
    base = word[2:]
    return base if len(base) >= _SHORTEST_BASE and zipf(base) >= _COMMON_WORD else ""


def _split_compounds(tokens: list[str]) -> list[str]:
    """Hyphenated words as their parts ("wrought-iron" -> wrought, iron), but a negating
    prefix stays on its word ("non-small" -> nonsmall)."""
    out: list[str] = []
    for token in tokens:
        if "-" not in token or _NUMERIC_RE.fullmatch(token):
            out.append(token)
            continue
        parts = [p for p in token.split("-") if p]
        if len(parts) > 1 and parts[0] == NEGATING_PREFIX:
            parts = [parts[0] + parts[1], *parts[2:]]  # "non-small" stays unlike "small"
        out.extend(parts)
    return out


def joined(first: Analysed, second: Analysed) -> Analysed:
    """Two adjacent sentences as one unit: the union of what each states, each sentence's
    first word still a sentence start (cheaper than analysing the pair's text again)."""
    terms = dict(first.terms)
    for term, weight in second.terms.items():
        terms[term] = max(terms.get(term, 0.0), weight)
    return Analysed(
        f"{first.text} {second.text}",
        terms,
        first.stems | second.stems,
        first.raw_stems + second.raw_stems,
        first.numbers | second.numbers,
        first.names | second.names,
        first.prefixes | second.prefixes,
        first.proper | second.proper,
    )


@lru_cache(maxsize=8192)
def _units_of(text: str, index: int) -> tuple[EvidenceUnit, ...]:
    units = [EvidenceUnit(index, s.text, analyse(s.text)) for s in sentences(text)]
    units += [
        EvidenceUnit(index, f"{a.sentence} {b.sentence}", joined(a.analysed, b.analysed), pair=True)
        for a, b in itertools.pairwise(units)
    ]
    return tuple(units)


def evidence_units(excerpts: tuple[str, ...]) -> list[EvidenceUnit]:
    """All units of all excerpts, single sentences first within each excerpt."""
    return [u for i, text in enumerate(excerpts) for u in _units_of(text, i)]
