"""Answer-level signals of the offline judge: how much of an answer the sources hold.

Two signals, each in 0..1 and higher when more faithful, with no weight fitted to any
data set:

- *overlap*: the share of the words of the answer's claims found anywhere in the
  sources: the word overlap baseline, kept whole so the judge keeps what it knows (over
  the claims, so a footer, headings or questions to ask do not count against it);
- *alignment*: for each claim, its own word overlap times the weighted coverage of its
  content by its best window of one to three consecutive sentences of one source
  (`coverage`, as for evidence units); the minimum over the claims with content words,
  so the single most novel or most scattered sentence drives it.

Windows and word sets are built once per set of sources (cached).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.data.text import sentences, words
from workbench.scoring.evidence import analyse
from workbench.scoring.matching import cover

__all__ = ["WINDOW", "Signals", "claim_signals", "signals"]

WINDOW = 3  # the longest run of consecutive source sentences a claim is aligned to


@dataclass(frozen=True, slots=True)
class Signals:
    """An answer's overlap and alignment (0..1, higher is more faithful)."""

    overlap: float
    alignment: float


@lru_cache(maxsize=256)
def _source_words(sources: tuple[str, ...]) -> frozenset[str]:
    return frozenset(words(" ".join(sources)))


Window = tuple[frozenset[str], frozenset[str]]  # content stems and their prefixes


@lru_cache(maxsize=256)
def _windows(sources: tuple[str, ...], smallest: int = 1) -> tuple[Window, ...]:
    """Every run of `smallest` to `WINDOW` consecutive sentences of one source, as the
    union of its sentences' content stems and prefixes (what `cover` compares)."""
    out: list[Window] = []
    for text in sources:
        sents = [analyse(s.text) for s in sentences(text)]
        for size in range(smallest, WINDOW + 1):
            for i in range(len(sents) - size + 1):
                run = sents[i : i + size]
                out.append(
                    (
                        frozenset().union(*(a.stems for a in run)),
                        frozenset().union(*(a.prefixes for a in run)),
                    )
                )
    return tuple(out)


def _share(text: str, known: frozenset[str]) -> float:
    ws = words(text)
    return sum(w in known for w in ws) / len(ws) if ws else 1.0


def claim_signals(
    claims: Sequence[str], sources: tuple[str, ...], near: Sequence[float] | None = None
) -> list[Signals]:
    """Each claim's own overlap and alignment (a claim with no content words aligns at 1:
    only numbers, which the verdict checks). `near` as for `signals`."""
    known = _source_words(sources)
    windows = _windows(sources, 1 if near is None else WINDOW)
    out: list[Signals] = []
    for i, text in enumerate(claims):
        share = _share(text, known)
        claim = analyse(text)
        if not claim.terms:
            out.append(Signals(share, 1.0))
            continue
        local = max((cover(claim, *w) for w in windows), default=0.0)
        if near is not None:
            local = max(local, near[i])
        out.append(Signals(share, share * local))
    return out


def signals(
    claims: Sequence[str], sources: tuple[str, ...], near: Sequence[float] | None = None
) -> Signals:
    """The signals of an answer whose checkable claims are `claims`, against `sources`.

    `near`, when given, is each claim's best coverage by one or two adjacent sentences
    (the judge's evidence units hold them), so only longer windows are scanned here.
    Without claims both are 1 (nothing to check); without sources, both are 0."""
    each = claim_signals(claims, sources, near)
    alignment = min((s.alignment for s in each), default=1.0)
    return Signals(_share(" ".join(claims), _source_words(sources)), alignment)
