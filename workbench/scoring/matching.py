"""Comparisons between a claim and an evidence sentence, for the offline judge.

How much of the claim the sentence holds, which names it shares, and whether it says the
opposite (a negation or an antonym) or says it with less certainty.
"""

from __future__ import annotations

import re
from functools import lru_cache

from workbench.data.text import STOP_WORDS, stem, words
from workbench.scoring.evidence import (
    NEGATING_PREFIX,
    PREFIX,
    PREFIX_NOT,
    Analysed,
    is_negation,
)
from workbench.scoring.lexicon import (
    ANTONYMS,
    HEDGES,
    NEGATIVE_POLARITY,
    STRONG_BOOSTERS,
    TIME_UNITS,
    UNIVERSALS,
    WEAK_BOOSTERS,
)

__all__ = [
    "certainty_gap",
    "cover",
    "coverage",
    "flips",
    "initialisms",
    "name_in",
    "named",
    "norm",
]

_STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS)
_CLAUSE_BREAKS = frozenset(
    stem(w) for w in ("and", "or", "but", "so", "because", "which", "that", "while", "whereas")
)
_POLARITY_LICENSORS = frozenset({"if", "whether"})  # "any" and "ever" after them widen, not boost
_FOCUS_WORDS = 2  # a negation governs the next two content words of its clause
_NEAR_MATCH = 0.7  # credit for a shared 5-letter stem prefix (metastasis ~ metastatic)


def _has(term: str, unit: Analysed) -> bool:
    return term in unit.stems or (len(term) >= PREFIX and term[:PREFIX] in unit.prefixes)


def coverage(claim: Analysed, unit: Analysed) -> float:
    """Weighted share of the claim's content words that the unit holds."""
    return cover(claim, unit.stems, unit.prefixes)


def cover(claim: Analysed, stems: frozenset[str], prefixes: frozenset[str]) -> float:
    """Weighted share of the claim's content words among `stems` (a shared stem prefix
    earns part credit)."""
    total = sum(claim.terms.values())
    if total == 0:
        return 0.0
    got = 0.0
    for term, weight in claim.terms.items():
        if term in stems:
            got += weight
        elif len(term) >= PREFIX and term[:PREFIX] in prefixes:
            got += _NEAR_MATCH * weight
    return got / total


def norm(text: str) -> str:
    """Lower-case words joined by single spaces, padded, for whole-word tests."""
    return " " + re.sub(r"[^a-z0-9]+", " ", text.lower()) + " "


def name_in(name: str, normed_text: str) -> bool:
    """Whether a name occurs at a word start ("brca" is in "brca1 or brca2")."""
    return " " + norm(name).strip() in normed_text


_CAPITALISED_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*")
_LONGEST_ACRONYM = 8
_LINKS = frozenset({"of", "and", "for", "the", "on", "in", "to", "&"})  # inside a full name


@lru_cache(maxsize=4096)
def initialisms(text: str) -> frozenset[str]:
    """The initials of every run of capitalised words in `text`, lower-cased: "New York
    Police Department" gives "nypd" (and "ny", "yp", ...); linking words ("of", "and") may
    sit inside a run without a letter ("Department of Defense" gives "dd"); "D.C." gives
    "dc". An acronym a text spells out is a name that text uses."""
    out: set[str] = set()
    tokens = _CAPITALISED_RE.findall(text)
    for i, first in enumerate(tokens):
        if not first[0].isupper():
            continue
        letters = ""
        for t in tokens[i:]:
            if t[0].isupper():
                letters += t[0].lower()
                if len(letters) >= 2:
                    out.add(letters)
                if len(letters) == _LONGEST_ACRONYM:
                    break
            elif t.lower() not in _LINKS:
                break
    return frozenset(out)


def named(name: str, normed_text: str, text: str) -> bool:
    """Whether a text uses a name: as a word start (`name_in`) or spelled out as its
    initials ("NYPD" where the text says "New York Police Department")."""
    return name_in(name, normed_text) or (name.isalpha() and name in initialisms(text))


def _negation_focus(raw: tuple[str, ...], start: int) -> set[str]:
    out: set[str] = set()
    for t in raw[start + 1 :]:
        if t in _CLAUSE_BREAKS or t == "not" or len(out) == _FOCUS_WORDS:
            break
        if t not in _STOP_STEMS:
            out.add(t)
    return out


def _relevant_negations(side: Analysed, other: Analysed) -> int:
    """Negations on one side that govern something the other side talks about."""
    other_words = set(other.raw_stems)
    raw = side.raw_stems
    return sum(
        1
        for i, t in enumerate(raw)
        if (t == "not" and _negation_focus(raw, i) & other_words)
        or (t == PREFIX_NOT and i + 1 < len(raw) and raw[i + 1] in other_words)
    )


def flips(claim: Analysed, closest: Analysed) -> list[str]:
    """Reasons the claim says the opposite of its closest evidence sentence.

    Negations and antonyms are both weighed over that one sentence: a "not" in a
    neighbouring sentence (weighed in before judge version 3) flipped faithful claims.
    """
    reasons: list[str] = []
    if _relevant_negations(claim, closest) % 2 != _relevant_negations(closest, claim) % 2:
        reasons.append("negation")
    c_raw, s_raw = set(claim.raw_stems), set(closest.raw_stems)
    reasons += _prefix_flips(c_raw, s_raw) + _prefix_flips(s_raw, c_raw)
    for word in sorted(c_raw - s_raw):
        opposite = ANTONYMS.get(word, frozenset()) & (s_raw - c_raw)
        if opposite:
            reasons.append(f"'{word}' against '{sorted(opposite)[0]}'")
    return reasons


def _prefix_flips(one: set[str], other: set[str]) -> list[str]:
    """ "non-small" on one side where the other says "small"."""
    n = len(NEGATING_PREFIX)
    return [
        f"'{t}' against '{t[n:]}'"
        for t in sorted(one - other)
        if t.startswith(NEGATING_PREFIX)
        and len(t) > n + 2
        and any(o.startswith(t[n:]) for o in other)
    ]


def _frequency(after: tuple[str, ...]) -> bool:
    """ "every day", "every 3 weeks", "every other week": a frequency follows "every"."""
    return bool(after) and (
        after[0] in TIME_UNITS
        or (
            len(after) == 2
            and after[1] in TIME_UNITS
            and (
                after[0][:1].isdigit()
                or after[0] in ("other", "few", "two", "three", "four", "six")
            )
        )
    )


def certainty_gap(claim: Analysed, evidence: Analysed) -> list[str]:
    """Words that make the claim surer than the evidence: "always" where it says nothing
    of the kind, "will" where it says "may". Not a boost: a booster under a negation ("not
    always" is a hedge), "every day" (a frequency), "all" where the evidence says "every"
    (one universal for another), "any" or "ever" after "if" or "whether" ("whether it has
    ever"), "only" before a number (a count, "only 270")."""
    tokens = words(claim.text)
    stems = [stem(w) for w in tokens]
    said = set(evidence.raw_stems)
    if any(t.endswith("'ll") for t in said):
        said.add("will")  # "they'll" says "will"
    universal = bool(said & UNIVERSALS)
    hedged = bool(said & HEDGES)
    negated = licensed = False
    gap = []
    for i, (w, t) in enumerate(zip(tokens, stems, strict=True)):
        negation = is_negation(w)
        if negation or t in _CLAUSE_BREAKS:
            negated = negation
            licensed = licensed and t not in _CLAUSE_BREAKS
        licensed = licensed or w in _POLARITY_LICENSORS
        if (
            t in said
            or negation  # "never" is weighed as a negation (`flips`)
            or negated  # "not always", "not all", "not the only": weaker, not surer
            or (t == "everi" and _frequency(tuple(stems[i + 1 : i + 3])))
            or (universal and t in UNIVERSALS)
            or (licensed and w in NEGATIVE_POLARITY)
            or (w == "only" and i + 1 < len(tokens) and tokens[i + 1][:1].isdigit())
        ):
            continue
        if w in STRONG_BOOSTERS or (w in WEAK_BOOSTERS and hedged):
            gap.append(w)
    return gap
