"""Plain-text helpers shared by retrieval, generation and scoring.

Sentence splitting with character spans, word tokens with stems, stop words, and the
inline citation markers (`[excerpt-id]`) that answers use to cite excerpts.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

from workbench.models import Span

__all__ = [
    "CITATION_RE",
    "STOP_WORDS",
    "Sentence",
    "content_stems",
    "extract_citations",
    "marker_ids",
    "sentence_texts",
    "sentences",
    "stem",
    "strip_citations",
    "text_sha256",
    "words",
]

# `[brca-tx-003]` or `[brca-tx-003, lung-ov-001]`, but not a Markdown link `[text](url)`.
CITATION_RE = re.compile(r"\[\s*([A-Za-z0-9][\w.\-]*(?:\s*[,;]\s*[A-Za-z0-9][\w.\-]*)*)\s*\](?!\()")
_ID_SEPARATOR_RE = re.compile(r"\s*[,;]\s*")
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[-'’.][A-Za-z0-9]+)*")
# A sentence ends at . ! ? (possibly followed by quotes or brackets) before white space.
_BOUNDARY_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
_ABBREVIATIONS = frozenset(
    {
        "e.g.",
        "i.e.",
        "dr.",
        "mr.",
        "mrs.",
        "ms.",
        "vs.",
        "etc.",
        "u.s.",
        "st.",
        "no.",
        "approx.",
        "fig.",
    }
)
_MARKUP_PREFIX_RE = re.compile(r"^\s*(?:#{1,6}\s+|[-*•]\s+|\d+[.)]\s+|>\s*)")

STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself nor of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves often usually sometimes called known one ones may might must""".split()
)
# Negation is meaning, not noise: these words stay out of STOP_WORDS on purpose.
_NEGATIONS = frozenset({"no", "not", "never", "none", "neither", "nor", "without", "cannot", "n't"})

_stemmer = snowballstemmer.stemmer("english")


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of a text with its span; `text` has Markdown prefixes removed."""

    text: str
    span: Span
    line_prefix: str = ""


def _split_line(line: str, offset: int) -> Iterator[tuple[str, int]]:
    start = 0
    for m in _BOUNDARY_RE.finditer(line):
        candidate = line[start : m.start()].rstrip()
        last_word = candidate.rsplit(None, 1)[-1].lower() if candidate.split() else ""
        if last_word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.){1,3}", last_word):
            continue
        nxt = line[m.end() : m.end() + 1]
        if nxt and nxt.islower():  # "3 p.m. daily" or a list of lower-case items
            continue
        yield line[start : m.end()], offset + start
        start = m.end()
    if line[start:].strip():
        yield line[start:], offset + start


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences, line by line, with spans into `text`.

    Headings, bullets and numbering are removed from `Sentence.text` and kept in
    `line_prefix`; the span covers only the sentence itself. The claims, the safety
    rules and readability each split the same answer: the split is cached.
    """
    return list(_sentences(text))


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[Sentence, ...]:
    out: list[Sentence] = []
    pos = 0
    for raw_line in text.splitlines(keepends=True):
        line = raw_line.rstrip("\r\n")
        m = _MARKUP_PREFIX_RE.match(line)
        prefix = m.group(0) if m else ""
        body_start = len(prefix)
        for chunk, start in _split_line(line[body_start:], pos + body_start):
            stripped = chunk.strip()
            if not stripped:
                continue
            lead = len(chunk) - len(chunk.lstrip())
            s = start + lead
            out.append(Sentence(stripped, Span(s, s + len(stripped)), prefix.strip()))
            prefix = ""
        pos += len(raw_line)
    return tuple(out)


def sentence_texts(split: Sequence[Sentence]) -> list[str]:
    """What the sentence encoder reads of each sentence: its words, without citation
    markers (the safety layer and the relevance judge read the same texts, so a sentence
    is encoded once)."""
    return [" ".join(CITATION_RE.sub(" ", s.text).split()) or s.text for s in split]


def words(text: str) -> list[str]:
    """Lower-cased word tokens (numbers kept, inner hyphens and points kept)."""
    return [w.lower().replace("’", "'") for w in _WORD_RE.findall(text)]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lower-case word."""
    return str(_stemmer.stemWord(word))


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry content: stop words dropped, negations kept."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS or w in _NEGATIONS]


def text_sha256(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def marker_ids(marker: re.Match[str]) -> list[str]:
    """The excerpt ids inside one `CITATION_RE` match: `[a-1, b-2]` -> ["a-1", "b-2"]."""
    return [part for part in _ID_SEPARATOR_RE.split(marker.group(1)) if part]


def extract_citations(text: str) -> list[str]:
    """Excerpt ids cited inline as `[id]` or `[id, id]`, in order, without repeats."""
    seen: dict[str, None] = {}
    for m in CITATION_RE.finditer(text):
        for part in marker_ids(m):
            seen.setdefault(part, None)
    return list(seen)


def strip_citations(text: str) -> str:
    """The text with its citation markers removed."""
    return re.sub(r"\s+([.,;:!?])", r"\1", CITATION_RE.sub("", text)).strip()
