"""The offline backend: an extractive composer that needs no model, key or network.

It builds a sectioned, cited, plain-language answer from the retrieved excerpts: each
factual sentence is an excerpt sentence, lifted whole and followed by its excerpt id, so
every fact is traceable. The prompt template's parameters steer it: which sections, how
many sentences each, and the reading grade to aim at (simpler sentences are preferred).

It answers the question: every candidate sentence is scored by the relevance judge
against the question (does it give what is asked: a yes or no, a duration, side effects
...), and that fit, with the sentence's share of the question's words, decides which
sentences each section takes and in what order, the best fit first.

Its outputs are keyed by its model name (run ids are `<prompt>.offline.<model>`), so a
change of what it writes is a new name and stored runs stay what they were:
`extractive-composer-1` picked sentences by their share of the question's words alone;
`extractive-composer-2` (this one) answers the question by default, and a prompt with
`answer_first: false` makes the first composer's choices (the figures before and after:
`benchmarks/composer_relevance.py`). Each answer's settings record `answer_first`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from workbench.data.answer_format import (
    DISCLAIMER,
    EMERGENCY_ACTION,
    NO_EVIDENCE,
    SECTION_TITLES,
    TOPIC_SECTION,
    TRIAL_SEARCH_TITLE,
    TRIAL_SEARCH_URL,
)
from workbench.data.text import sentences, stem, words
from workbench.errors import ConfigError
from workbench.generation.base import Generation
from workbench.models import Excerpt, PromptTemplate, Question
from workbench.scoring.lexicon import term_weight
from workbench.scoring.readability import readability
from workbench.scoring.relevance import judge_relevance

__all__ = ["OfflineComposer"]

_FACT_SECTIONS = ("how_it_works", "where_it_stands", "risks")
_FILL_ORDER = ("where_it_stands", "risks", "how_it_works")
_TRIAL_RE = re.compile(r"clinical trial|being studied|investigational|experimental", re.I)
_STATUS_RE = re.compile(
    r"investigational|being studied|only (?:available |offered |given )?(?:in|through) "
    r"(?:a )?clinical trials?|not (?:yet )?approved",
    re.I,
)
_WARNING_SIGN_RE = re.compile(
    r"fever|low blood pressure|confus|seizure|breath|bleeding|faint|cytokine release|"
    r"neurotox|chest pain|allergic reaction",
    re.I,
)
_FIT_WEIGHT = 0.6  # the relevance judge's fit; the rest is the share of question words

_ACTION_RE = re.compile(
    r"call (?:your|the) (?:care team|doctor|nurse)|emergency room|\b911\b", re.I
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    sentence: str
    excerpt: Excerpt
    section: str
    relevance: float
    grade: float
    order: int
    fit: float = 0.0  # the relevance judge's score of the sentence as an answer


def _relevance(sentence: str, excerpt: Excerpt, query: dict[str, float], rank: int) -> float:
    stems = {stem(w) for w in words(sentence)}
    overlap = sum(w for s, w in query.items() if s in stems)
    if "investigational" in excerpt.topics and _TRIAL_RE.search(sentence):
        overlap *= 2  # that a therapy is trial-only is what keeps the answer safe
    return overlap / (1 + 0.15 * rank)  # earlier-ranked excerpts win ties


def _fitted(question: Question, pool: list[_Candidate]) -> list[_Candidate]:
    """The pool with each sentence's fit to the question, and relevance as the weighted
    mix of that fit and its share of the best word overlap (0 overlap stays 0: a sentence
    sharing no word with the question is never picked)."""
    top = max((c.relevance for c in pool), default=0.0) or 1.0
    fits: dict[str, float] = {}
    for c in pool:
        if c.relevance > 0 and c.sentence not in fits:
            fits[c.sentence] = judge_relevance(question.text, c.sentence).score or 0.0
    return [
        replace(
            c,
            fit=fits.get(c.sentence, 0.0),
            relevance=(1 - _FIT_WEIGHT) * c.relevance / top + _FIT_WEIGHT * fits[c.sentence],
        )
        if c.relevance > 0
        else c
        for c in pool
    ]


def _cite(sentence: str, excerpt_id: str) -> str:
    """The sentence with its citation before the final full stop."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!" else ""
    return f"{body[: len(body) - len(end)]} [{excerpt_id}]{end}"


def _questions_to_ask(used: Sequence[_Candidate]) -> list[str]:
    topics = {t for c in used for t in c.excerpt.topics}
    asks = ["What are my options, and what are the benefits and risks of each one for me?"]
    if "investigational" in topics:
        asks.append("Is there a clinical trial that could be a good fit for me?")
    if topics & {"side_effects", "warning_signs"}:
        asks.append("Which side effects or warning signs should make me call you, and how?")
    if topics & {"diagnosis", "staging", "screening"}:
        asks.append("Which tests do I need, and what will the results tell us?")
    asks.append("Who should I call if I have questions between visits?")
    return asks


class OfflineComposer:
    """Composes answers from excerpt sentences; deterministic and offline."""

    name = "offline"
    model = "extractive-composer-2"  # 1: before it answered the question by default

    def generate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        """A sectioned, cited answer to `question` from `excerpts` (best first)."""
        started = time.perf_counter()
        params = prompt.parameters
        sections = list(params.get("sections", list(SECTION_TITLES)))
        unknown = [s for s in sections if s not in SECTION_TITLES]
        if unknown:
            raise ConfigError(
                f"prompt {prompt.key}: parameters.sections has unknown section(s) {unknown}; "
                f"known: {sorted(SECTION_TITLES)}"
            )
        per_section = int(params.get("sentences_per_section", 2))
        target = float(params.get("target_grade", 8))
        answer_first = bool(params.get("answer_first", True))
        chosen = self._choose(question, excerpts, sections, per_section, target, answer_first)
        text = self._render(chosen, sections)
        settings: dict[str, object] = {
            "sentences_per_section": per_section,
            "target_grade": target,
            "answer_first": answer_first,
        }
        return Generation(text, settings, latency_s=time.perf_counter() - started)

    def _choose(
        self,
        question: Question,
        excerpts: Sequence[Excerpt],
        sections: Sequence[str],
        per_section: int,
        target: float,
        answer_first: bool = True,
    ) -> dict[str, list[_Candidate]]:
        query: dict[str, float] = {}
        for w in words(question.text):
            query[stem(w)] = max(query.get(stem(w), 0.0), term_weight(w))
        pool: list[_Candidate] = []
        for rank, excerpt in enumerate(excerpts):
            # A sentence may serve any section its excerpt's topics feed; it is used once.
            feeds = {TOPIC_SECTION.get(t, "how_it_works") for t in excerpt.topics}
            for s in sentences(excerpt.text):
                grade = readability(s.text).fk_grade or 0.0
                relevance = _relevance(s.text, excerpt, query, rank)
                for section in sorted(feeds):
                    pool.append(_Candidate(s.text, excerpt, section, relevance, grade, len(pool)))
        if answer_first:
            pool = _fitted(question, pool)
        chosen: dict[str, list[_Candidate]] = {}
        used: set[str] = set()
        # Where a therapy stands and its risks are filled first: they keep an answer safe.
        for section in sorted((s for s in sections if s in _FACT_SECTIONS), key=_FILL_ORDER.index):
            candidates = [
                c
                for c in pool
                if c.section == section and c.relevance > 0 and c.sentence not in used
            ]
            # Among the more relevant half, the sentence nearest the grade target comes first.
            top = max((c.relevance for c in candidates), default=0.0)
            candidates.sort(
                key=lambda c: (
                    c.relevance < top / 2,
                    round(max(c.grade - target, 0.0)),
                    -c.relevance,
                    c.order,
                )
            )
            picked: list[_Candidate] = []
            for c in candidates:
                if len(picked) == per_section:
                    break
                if c.sentence not in {p.sentence for p in picked}:
                    picked.append(c)
            if picked:
                chosen[section] = sorted(picked, key=lambda c: (-c.fit, c.order))
                used.update(c.sentence for c in picked)
        self._add_status(chosen, pool, used)
        return chosen

    @staticmethod
    def _add_status(
        chosen: dict[str, list[_Candidate]], pool: list[_Candidate], used: set[str]
    ) -> None:
        """Material about an investigational therapy must come with its status (trial-only)."""
        picked = [c for cs in chosen.values() for c in cs]
        if not any(
            "investigational" in c.excerpt.topics or _TRIAL_RE.search(c.sentence) for c in picked
        ):
            return
        if any(_STATUS_RE.search(c.sentence) for c in picked):
            return
        status = [
            c
            for c in pool
            if "investigational" in c.excerpt.topics
            and _STATUS_RE.search(c.sentence)
            and c.sentence not in used
        ]
        if status:
            best = max(status, key=lambda c: (c.relevance, -c.order))
            stands = chosen.setdefault("where_it_stands", [])
            stands.append(replace(best, section="where_it_stands"))
            stands.sort(key=lambda c: c.order)

    def _render(self, chosen: dict[str, list[_Candidate]], sections: Sequence[str]) -> str:
        used = [c for picked in chosen.values() for c in picked]
        if not used:
            return f"{NO_EVIDENCE}\n\n{DISCLAIMER}\n"
        blocks: list[str] = []
        for section in sections:
            title = f"## {SECTION_TITLES[section]}"
            if section in chosen:
                lines = [_cite(c.sentence, c.excerpt.id) for c in chosen[section]]
                said = " ".join(c.sentence for c in chosen[section])
                if _WARNING_SIGN_RE.search(said) and not _ACTION_RE.search(said):
                    lines.append(EMERGENCY_ACTION)
                blocks.append(title + "\n" + " ".join(lines))
            elif section == "questions_to_ask":
                asks = "\n".join(f"- {q}" for q in _questions_to_ask(used))
                blocks.append(f"{title}\n{asks}")
            elif section == "learn_more":
                blocks.append(title + "\n" + "\n".join(self._sources(used)))
        if "questions_to_ask" not in sections:
            blocks.append("Bring your questions about this to your next visit with your care team.")
        blocks.append(DISCLAIMER)
        return "\n\n".join(blocks) + "\n"

    @staticmethod
    def _sources(used: Sequence[_Candidate]) -> list[str]:
        seen: dict[str, str] = {}
        for c in used:
            seen.setdefault(c.excerpt.link, c.excerpt.source_title)
        if any("investigational" in c.excerpt.topics for c in used):
            seen.setdefault(TRIAL_SEARCH_URL, TRIAL_SEARCH_TITLE)
        return [f"- {title}: {link}" for link, title in seen.items()]
