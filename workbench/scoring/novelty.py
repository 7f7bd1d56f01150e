"""Answer-level signals of the offline judge: what an answer adds that no source states.

Each signal is in 0..1, higher when more faithful, and uses no weight fitted to any data:

- *overlap*: the share of the answer's words found anywhere in the sources (the word
  overlap baseline, kept whole so the judge keeps what it knows);
- *alignment*: the weakest claim's own word overlap times the weighted coverage of its
  content by its best window of one to three consecutive sentences of one source, so the
  single most novel or most scattered sentence drives it;
- *mass*: novel content counted, not averaged: each content word occurrence no source
  states weighs its rarity (`term_weight`; 0.3 of it when only a stem prefix matches),
  each number no source states and each name no source uses weighs `NOVEL_WEIGHT` (the
  rarest word's weight); the signal is 1 / (1 + mass / NOVEL_WEIGHT).

Two single signals are kept for measurement beside them: the longest run of consecutive
content words no source states, and the count of novel numbers and names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.text import STOP_WORDS, sentences, stem, words
from workbench.scoring.evidence import PREFIX, Analysed, analyse
from workbench.scoring.lexicon import canonical
from workbench.scoring.matching import coverage, name_in, norm
from workbench.scoring.support import NEAR_MATCH, SourceIndex

__all__ = ["NOVEL_WEIGHT", "Signals", "signals"]

NOVEL_WEIGHT = 6.0  # a novel number or name weighs as much as the rarest word
_WINDOW = 3  # the longest window of consecutive source sentences a claim is aligned to
_STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS) | {"not"}
_COMMON_ABBREVIATIONS = frozenset({"er", "iv", "us", "uk", "md", "rn", "am", "pm", "ok", "tv"})


@dataclass(frozen=True, slots=True)
class Signals:
    """An answer's signals (0..1, higher is more faithful) and the raw counts behind them."""

    overlap: float
    alignment: float
    mass: float
    novel_mass: float
    longest_run: int
    novel_specifics: int


@lru_cache(maxsize=256)
def _source_words(sources: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words(" ".join(sources)))


@lru_cache(maxsize=256)
def _windows(sources: tuple[str, ...]) -> tuple[Analysed, ...]:
    """Every run of one to `_WINDOW` consecutive sentences of one source, analysed."""
    out: list[Analysed] = []
    for text in sources:
        sents = [s.text for s in sentences(text)]
        for size in range(1, _WINDOW + 1):
            out += [analyse(" ".join(sents[i : i + size])) for i in range(len(sents) - size + 1)]
    return tuple(out)


def _share(text: str, known: frozenset[str]) -> float:
    ws = words(text)
    return sum(w in known for w in ws) / len(ws) if ws else 1.0


def _credit(term: str, index: SourceIndex) -> float:
    if term in index.where:
        return 1.0
    if len(term) >= PREFIX and term[:PREFIX] in index.prefix_where:
        return NEAR_MATCH
    return 0.0


def signals(
    answer: str, claims: Sequence[str], sources: tuple[str, ...], index: SourceIndex
) -> Signals:
    """The signals of an answer whose checkable claims are `claims`, against `sources`."""
    known = _source_words(sources)
    windows = _windows(sources)
    normed = norm(" ".join(sources))
    alignment = 1.0
    mass = 0.0
    longest = 0
    specifics: set[str] = set()
    for text in claims:
        c = analyse(text)
        local = max((coverage(c, w) for w in windows), default=0.0)
        alignment = min(alignment, _share(text, known) * local)
        run = 0
        content = _content_stems(c)
        for raw in c.raw_stems:
            if raw in _STOP_STEMS or raw not in content:
                continue
            term = canonical(raw)
            credit = _credit(term, index)
            mass += c.terms.get(term, 0.0) * (1.0 - credit)
            run = run + 1 if credit == 0.0 else 0
            longest = max(longest, run)
        specifics |= {f"#{n:g}" for n in c.numbers - index.numbers}
        specifics |= {
            n
            for n in c.names | c.proper
            if n not in _COMMON_ABBREVIATIONS and not name_in(n, normed)
        }
    mass += NOVEL_WEIGHT * len(specifics)
    return Signals(
        overlap=_share(answer, known),
        alignment=alignment if claims else 1.0,
        mass=1.0 / (1.0 + mass / NOVEL_WEIGHT),
        novel_mass=mass,
        longest_run=longest,
        novel_specifics=len(specifics),
    )


def _content_stems(c: Analysed) -> frozenset[str]:
    """The raw stems of the claim that are content words (their canonical form weighs)."""
    return frozenset(r for r in c.raw_stems if canonical(r) in c.terms)

