"""The offline relevance judge: does the answer answer the question that was asked?

Three signals, each in 0..1, with fixed weights (set on the development gold before any
held-out text was read; `docs/relevance-and-retrieval.md` has the figures):

- closeness (0.4): the sentence encoder's cosine between the question and the answer's
  opening (the encoder reads its first 128 tokens), mapped from [0.3, 0.8] to [0, 1];
- aim (0.4): whether the answer reads more like a reply to this question than to its
  neighbours, the same topic asked another way ("What is X?", "What causes X?", "What is
  the outlook for X?" ...; those asking what this question asks are left out). An answer
  of true background facts about the same disease sits closer to "What is X?" than to
  "Can X be cured?": the margin of cosines, times 5, centred on 0.5;
- delivery (0.2): whether the answer holds the kind of content the question asks for
  (`asks.delivers`: a time span for "how long", named effects for side effects, ...),
  the share of asks delivered; a question whose ask is not read counts its closeness.

The answer is flagged when the weighted score is below 0.58: the cut that best parts the
two spent blind groups' off-topic answers from their on-topic ones (Youden's J), fixed
before a third blind group was read (docs/relevance-and-retrieval.md). The encoder is the shared
seam (`workbench.encoders`); the question and its neighbours are the same texts for
every answer to it, so the encoder's cache makes the cost one encoded text per answer
(`relevance_texts` lists what it encodes, for a batch to encode ahead). Reading the
opening as the mean of its sentences' vectors (which the safety layer encodes anyway)
would cost nothing, but ranked and flagged worse on answers written outside the project
(docs/relevance-and-retrieval.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from workbench.data.answer_format import DISCLAIMER
from workbench.data.text import STOP_WORDS, strip_citations
from workbench.encoders import Encoder, load_encoder
from workbench.models import Relevance, SafetyFinding, Severity
from workbench.scoring.relevance.asks import Ask, asks_of, delivers

__all__ = [
    "JUDGE_NAME",
    "OFF_TOPIC_RULE",
    "THRESHOLD",
    "RelevanceSignals",
    "asked_texts",
    "judge_relevance",
    "off_topic_finding",
    "relevance_signals",
    "relevance_texts",
]

JUDGE_NAME = "offline-relevance"
OFF_TOPIC_RULE = "off_topic"  # the warning finding the desk and the report show
THRESHOLD = 0.58  # fixed on the two spent blind groups, before the third was read
_WEIGHTS = (0.4, 0.4, 0.2)  # closeness, aim, delivery
_CLOSE_LOW, _CLOSE_SPAN = 0.3, 0.5
_MARGIN_GAIN = 5.0
_SAME_QUESTION = 0.9  # a neighbour this close to the question is the question itself

# Words that say what is asked rather than what about: left out of the topic.
_ASK_WORDS = frozenset(
    """what how when why who which where whom whose is are can could will would should does
    do did has have may might must cure cured curable cures treat treated treatment
    treatments side effect effects long take takes last lasts symptom symptoms sign signs
    cause causes caused risk risks outlook survival rate rates life expectancy difference
    differences between better worse mean means meaning diagnose diagnosed
    prevent happen happens work works option options available approved safe need get""".split()
)
_NEIGHBOURS = (
    "What is {t}?",
    "What are the symptoms of {t}?",
    "How is {t} treated?",
    "What causes {t}?",
    "What is the outlook for {t}?",
    "How is {t} diagnosed?",
    "What are the side effects of treatment for {t}?",
)
_ASK_NAMES = {
    Ask.YES_NO: "a yes or no",
    Ask.DURATION: "how long",
    Ask.SIDE_EFFECTS: "the side effects",
    Ask.COMPARISON: "a comparison",
    Ask.WHAT_TO_DO: "what to do",
    Ask.HOW_IT_WORKS: "how it works",
    Ask.COST_OR_ACCESS: "cost or access",
    Ask.PROGNOSIS: "the outlook",
    Ask.CAUSE_OR_RISK: "the cause or risk",
    Ask.DEFINITION: "what it is",
}
_WORD_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-']*")
_HEADING_RE = re.compile(r"^\s*#{1,6}\s+.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class RelevanceSignals:
    """The judge's signals for one answer (what `benchmarks/relevance_measures.py` reports)."""

    asks: tuple[Ask, ...]
    closeness: float  # raw cosine, question to answer
    margin: float  # closeness minus the nearest neighbour question's cosine
    nearest: str  # that neighbour question
    delivered: tuple[Ask, ...]  # the asks whose kind of content the answer holds

    @property
    def score(self) -> float:
        """The weighted score in 0..1."""
        close = _clip((self.closeness - _CLOSE_LOW) / _CLOSE_SPAN)
        aim = _clip(self.margin * _MARGIN_GAIN + 0.5)
        wanted = [a for a in self.asks if a is not Ask.OTHER]
        delivery = len(self.delivered) / len(wanted) if wanted else close
        w_close, w_aim, w_delivery = _WEIGHTS
        return round(w_close * close + w_aim * aim + w_delivery * delivery, 4)


def _clip(x: float) -> float:
    return min(max(x, 0.0), 1.0)


def _topic(question: str) -> str:
    """The question's subject: its words less stop words and the words of asking."""
    kept = [w for w in _WORD_RE.findall(question) if w.lower() not in STOP_WORDS | _ASK_WORDS]
    return " ".join(kept) or question.strip()


def relevance_texts(question: str, answer: str) -> list[str]:
    """Every text the judge encodes for this pair: the question, its neighbours and the
    answer's body (the encoder reads its first 128 tokens)."""
    return [*asked_texts(question), _answer_text(answer)]


def _answer_text(answer: str) -> str:
    """What the answer says: no citation markers, headings or the standing disclaimer."""
    text = _HEADING_RE.sub("", strip_citations(answer)).replace(DISCLAIMER, "")
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def asked_texts(question: str) -> tuple[str, ...]:
    """The question and the neighbour questions its answers are weighed against: the
    texts the judge encodes once per question (read once per question, then cached: a
    batch lists them ahead and each answer's judgment reads them again)."""
    asks = set(asks_of(question)) - {Ask.OTHER}
    topic = _topic(question)
    neighbours = (t.format(t=topic) for t in _NEIGHBOURS)
    return (question, *(n for n in neighbours if not set(asks_of(n)) & asks))


def relevance_signals(
    question: str, answer: str, *, encoder: Encoder | None = None
) -> RelevanceSignals | None:
    """The judge's signals, or None when the question or the answer says nothing."""
    body = _answer_text(answer)
    if not _WORD_RE.search(body) or not _WORD_RE.search(question):
        return None
    asks = asks_of(question)
    question_texts = asked_texts(question)
    neighbours = question_texts[1:]
    enc = encoder or load_encoder()
    asked = enc.encode(question_texts)
    q, others, a = asked[0], asked[1:], enc.encode([body])[0]
    closeness = float(q @ a)
    kept = [i for i in range(len(neighbours)) if float(others[i] @ q) < _SAME_QUESTION]
    if kept:
        sims = np.array([float(others[i] @ a) for i in kept])
        best = int(np.argmax(sims))
        margin, nearest = closeness - float(sims[best]), neighbours[kept[best]]
    else:
        margin, nearest = 0.1, ""
    delivered = tuple(a_ for a_ in asks if a_ is not Ask.OTHER and delivers(a_, body))
    return RelevanceSignals(asks, closeness, margin, nearest, delivered)


def judge_relevance(question: str, answer: str, *, encoder: Encoder | None = None) -> Relevance:
    """Does `answer` answer `question`? A score in 0..1 (None when there is nothing to
    judge), `flagged` below the fixed threshold, and a one-line reason.

    Offline and deterministic: the same texts always get the same result.
    """
    signals = relevance_signals(question, answer, encoder=encoder)
    if signals is None:
        return Relevance(
            None, False, "nothing to judge: the question or answer is empty", JUDGE_NAME
        )
    score = signals.score
    flagged = score < THRESHOLD
    return Relevance(score, flagged, _reason(signals, flagged), JUDGE_NAME)


def _reason(s: RelevanceSignals, flagged: bool) -> str:
    asked = [_ASK_NAMES[a] for a in s.asks if a in _ASK_NAMES]
    missing = [_ASK_NAMES[a] for a in s.asks if a in _ASK_NAMES and a not in s.delivered]
    if not flagged:
        said = f", it gives {' and '.join(asked)}" if asked and not missing else ""
        return f"answers the question{said}"
    if s.margin < 0 and s.nearest:
        why = f"it reads as an answer to {s.nearest!r} more than to the question asked"
    elif missing:
        why = f"the question asks for {' and '.join(missing)}, which the answer does not give"
    else:
        why = f"it has little in common with the question (closeness {s.closeness:.2f})"
    return f"does not answer the question: {why}"


def off_topic_finding(relevance: Relevance) -> tuple[SafetyFinding, ...]:
    """The warning finding of an answer its judge flags: "does not answer the question"."""
    if not relevance.flagged:
        return ()
    return (
        SafetyFinding(
            OFF_TOPIC_RULE,
            Severity.WARN,
            relevance.reason,
            "Answer what was asked in the first sentences, then add background.",
            source=relevance.judge,
        ),
    )
