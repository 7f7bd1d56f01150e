"""Word knowledge for the offline judge: weights, negations, antonyms, hedges, numbers.

General English, not tuned to any data set: term weights come from the `wordfreq`
frequency list (a rare word carries more meaning than a common one), and the small
tables below list function words whose meaning flips or weakens a claim.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from wordfreq import get_frequency_dict

from workbench.data.text import stem

__all__ = [
    "ANTONYMS",
    "CAVEAT_RE",
    "FRAMING_RE",
    "HEDGES",
    "HEDGE_WORDS",
    "NEGATIONS",
    "NEGATIVE_POLARITY",
    "STRONG_BOOSTERS",
    "TIME_UNITS",
    "UNIVERSALS",
    "WEAK_BOOSTERS",
    "canonical",
    "framed",
    "is_caveat",
    "numbers_in",
    "term_weight",
    "zipf",
]

# fmt: off
NEGATIONS = frozenset(
    {"no", "not", "never", "none", "nor", "neither", "cannot", "can't", "won't", "don't",
     "doesn't", "isn't", "aren't", "wasn't", "weren't", "didn't", "shouldn't", "without",
     "nothing", "nobody", "unable", "n't", "rarely", "seldom", "hardly"}
)

# Each pair flips a claim's meaning; stored both ways, by stem.
_ANTONYM_WORDS = [
    ("increase", "decrease"), ("increase", "reduce"), ("increase", "lower"), ("raise", "lower"),
    ("higher", "lower"), ("more", "less"), ("more", "fewer"), ("greater", "smaller"),
    ("larger", "smaller"), ("bigger", "smaller"), ("before", "after"), ("common", "rare"),
    ("frequent", "rare"), ("slowly", "quickly"), ("slower", "faster"), ("slowly", "faster"),
    ("slow", "fast"), ("slowly", "rapidly"), ("benign", "malignant"), ("early", "late"),
    ("same", "different"), ("most", "least"), ("above", "below"), ("better", "worse"),
    ("improve", "worsen"), ("safe", "unsafe"), ("effective", "ineffective"), ("start", "stop"),
    ("inside", "outside"), ("first", "last"), ("young", "old"), ("younger", "older"),
    ("high", "low"), ("strong", "weak"), ("stronger", "weaker"), ("gain", "loss"),
    ("approved", "unapproved"), ("available", "unavailable"), ("allow", "forbid"),
    ("all", "none"), ("always", "never"), ("men", "women"), ("male", "female"),
    ("adults", "children"), ("shrink", "grow"), ("kill", "protect"), ("positive", "negative"),
    ("mild", "serious"), ("mild", "severe"), ("minor", "serious"), ("easy", "hard"),
    ("easy", "difficult"), ("indolent", "aggressive"),
]
ANTONYMS: dict[str, frozenset[str]] = {}
for _a, _b in _ANTONYM_WORDS:
    sa, sb = stem(_a), stem(_b)
    ANTONYMS[sa] = ANTONYMS.get(sa, frozenset()) | {sb}
    ANTONYMS[sb] = ANTONYMS.get(sb, frozenset()) | {sa}

# Words that make a claim certain or universal, and words that make evidence tentative.
# The boosters are words, not stems: "certain areas" is not "certainly", "completed" not
# "completely".
STRONG_BOOSTERS = frozenset((
    "always", "all", "every", "everyone", "guarantee", "guaranteed", "certainly", "definitely",
    "completely", "entirely", "totally", "cure", "cures", "cured", "proven", "never", "must"))
# Surer than tentative evidence ("proves" where it says "suggests"): an addition.
WEAK_BOOSTERS = frozenset((
    "will", "ever", "only", "any", "prove", "proves", "confirm", "confirms", "establish",
    "establishes", "demonstrate", "demonstrates", "clearly"))
# One universal quantifier says what another does ("all counts" = "every count").
UNIVERSALS = frozenset(stem(w) for w in (
    "all", "every", "everyone", "everybody", "everything", "each", "entire", "whole"))
# Under a negation these only widen it ("without any", "never ever"): no certainty added.
NEGATIVE_POLARITY = frozenset({"any", "ever"})
HEDGES = frozenset(stem(w) for w in (
    "may", "might", "can", "could", "some", "often", "many", "most", "usually", "sometimes",
    "possible", "possibly", "likely", "help", "helps", "several", "certain", "option",
    "suggest", "suggests", "suggested", "indicate", "indicates", "appear", "appears", "seem",
    "seems", "potentially", "probably"))
# Words that only soften a statement; never the fact itself, so never content to check.
HEDGE_WORDS = frozenset({
    "possibly", "potentially", "likely", "probably", "perhaps", "apparently", "seemingly",
    "presumably", "arguably"})
# A lead-in that frames a statement as a finding or an interpretation ("These findings
# suggest that", "In conclusion, the study shows", "It is likely that"): the statement
# after it is what is checked, against the source's own findings and conclusions.
FRAMING_RE = re.compile(
    r"^(?:(?:in conclusion|in summary|overall|taken together|collectively|thus|therefore|"
    r"hence|together)\s*,?\s*)?"
    r"(?:(?:it\s+(?:is|seems|appears)\s+(?:possible|likely|plausible|probable)?\s*that)\s+|"
    r"(?:(?:these|the|our|this|such|present|current|its)\s+)*"
    r"(?P<subject>(?:results?|findings?|data|study|studies|analys[ie]s|observations?|evidence|"
    r"trials?|work|research|authors?|investigators?|review|outcomes?|articles?|reports?|"
    r"papers?|abstracts?|writers?)\s+)?"
    r"(?:(?:may|might|could|would|do|does|did|seem to|appear to|strongly|further)\s+)*"
    r"(?:suggest|suggests|suggested|indicate|indicates|indicated|show|shows|showed|shown|"
    r"demonstrate|demonstrates|demonstrated|imply|implies|implied|support|supports|"
    r"supported|confirm|confirms|confirmed|reveal|reveals|revealed|conclude|concludes|"
    r"concluded|highlight|highlights|found|find|finds|"
    # reporting verbs: "the authors note that", "the article argues that"
    r"notes?|noted|states?|stated|reports?|reported|argues?|argued|explains?|explained|"
    r"emphasi[sz]es?|emphasi[sz]ed|stress(?:es|ed)?|says?|said|warns?|warned|"
    r"acknowledges?|acknowledged|mentions?|mentioned|points? out|pointed out)"
    r"\s+(?P<that>that\s+)?)",
    re.IGNORECASE,
)
# A caveat that asserts no fact of its own ("More studies are needed to confirm this"):
# a hedge that weakens what the source says, never an addition to it.
CAVEAT_RE = re.compile(
    r"\b(?:further|more|additional|larger|future|prospective|randomi[sz]ed|long-term|"
    r"well-designed|controlled)\b[\w\s,-]{0,40}?\b(?:stud(?:y|ies)|research|trials?|"
    r"investigations?|data|work|evidence|follow-up)\b[\w\s,-]{0,30}?\b(?:is|are)?\s*"
    r"(?:needed|required|warranted|necessary|called for)\b"
    r"|\b(?:interpreted|viewed)\s+with\s+caution\b",
    re.IGNORECASE,
)
# "every day" is a frequency, not a claim about everyone.
TIME_UNITS = frozenset(stem(w) for w in ("day", "week", "month", "year", "time", "hour", "night"))

# Lay words and their clinical twins, mapped to one stem so either matches the other.
_SYNONYMS = [
    ("tumor", "tumour", "mass", "lump", "growth"), ("spread", "metastasize", "metastasis"),
    ("doctor", "physician", "oncologist"), ("drug", "medicine", "medication"),
    ("kill", "destroy"), ("cancerous", "malignant"), ("noncancerous", "benign"),
    ("check", "test", "exam", "examine"), ("tired", "fatigue", "exhausted"),
    ("belly", "abdomen", "abdominal"), ("throw", "vomit", "vomiting"), ("sick", "ill"),
    ("chance", "likelihood", "odds", "risk"), ("child", "children", "kid", "kids"),
    ("radiation", "radiotherapy"), ("chemo", "chemotherapy"), ("vein", "iv", "intravenous"),
    ("blood", "hematologic"), ("remove", "removal"), ("surgery", "operation"),
    ("find", "detect", "identify", "spot"), ("study", "trial", "research", "investigate"),
    ("approved", "authorized", "licensed"), ("immune", "immunity"), ("symptom", "sign"),
    ("treat", "treatment", "therapy"), ("lab", "laboratory"),
    ("change", "engineer", "modify", "alter", "reprogram"), ("collect", "gather"),
    ("grow", "multiply", "expand"), ("infuse", "infusion"), ("help", "aid", "assist"),
    ("fever", "temperature"), ("infection", "infect"), ("begin", "start"), ("big", "large"),
    ("small", "little", "tiny"), ("quick", "fast", "rapid"), ("quickly", "rapidly", "fast"),
    ("stage", "extent"), ("diagnose", "find"), ("alone", "itself"), ("near", "close"),
    ("phone", "call"), ("emergency", "er"),
]
# fmt: on
_CANONICAL: dict[str, str] = {}
for _group in _SYNONYMS:
    _head = stem(_group[0])
    for _w in _group:
        _CANONICAL.setdefault(stem(_w), _head)

# fmt: off
_NUMBER_WORDS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1000, "half": 50, "twice": 2, "second": 2,
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
    "tenth": 10,
}
# fmt: on
_RATIO_RE = re.compile(
    r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:in|out of)\s+"
    r"(?:a |an |every )?(\d+|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand)\b",
    re.IGNORECASE,
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "one": 1}
_NUMBER_RE = re.compile(r"(?<![A-Za-z])\d+(?:[.,]\d+)*(?![A-Za-z]*\d)")
# "stage one" is a number though "one" alone usually is not
_ROMAN_RE = re.compile(r"\b(?:stage|grade|phase|type|class)\s+(iv|v|i{1,3}|one)\b", re.IGNORECASE)
_COMPOUND_NUMBER_RE = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[- ]"
    r"(one|two|three|four|five|six|seven|eight|nine)\b",
    re.IGNORECASE,
)
_WORD_NUMBER_RE = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_ALNUM_RE = re.compile(r"\b[A-Za-z]+\d+[A-Za-z\d]*\b")  # HER2, BRCA1, CD19: names, not numbers


@lru_cache(maxsize=1)
def _frequencies() -> dict[str, float]:
    return get_frequency_dict("en", wordlist="best")


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-case English word (0 for unknown words, 7+ for 'the')."""
    f = _frequencies().get(word, 0.0)
    return math.log10(f * 1e9) if f > 0 else 0.0


@lru_cache(maxsize=65536)
def term_weight(word: str) -> float:
    """How much meaning a word carries: rare words weigh more than common ones."""
    return min(6.0, max(0.3, 6.5 - zipf(word)))


def canonical(stemmed: str) -> str:
    """The shared stem of a word's synonym group, or the stem itself."""
    return _CANONICAL.get(stemmed, stemmed)


def numbers_in(text: str) -> frozenset[float]:
    """Numbers stated in the text: digits, number words, staged Roman numerals, ratios."""
    clean = _ALNUM_RE.sub(" ", text)
    out: set[float] = set()
    for m in _NUMBER_RE.finditer(clean):
        raw = m.group(0)
        token = raw.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", raw) else raw
        try:
            out.add(float(token.replace(",", ".")))
        except ValueError:
            continue
    for m in _COMPOUND_NUMBER_RE.finditer(clean):  # "fifty-five" is 55, not 50 and 5
        tens, unit = m.group(1).lower(), m.group(2).lower()
        out.add(_NUMBER_WORDS[tens] + _as_number(unit))
    for m in _WORD_NUMBER_RE.finditer(_COMPOUND_NUMBER_RE.sub(" ", clean)):
        out.add(float(_NUMBER_WORDS[m.group(1).lower()]))
    for m in _ROMAN_RE.finditer(clean):
        out.add(float(_ROMAN[m.group(1).lower()]))
    for m in _RATIO_RE.finditer(clean):  # "one in five" is also 20 (%)
        num, den = (_as_number(g) for g in m.groups())
        if den:
            out.add(round(100 * num / den, 1))
    return frozenset(out)


def _as_number(token: str) -> float:
    t = token.lower()
    return float(t) if t.isdigit() else float(_NUMBER_WORDS.get(t, 1 if t == "one" else 0))


def framed(text: str) -> str:
    """The statement inside a framing lead-in ("These results suggest that X" -> "X");
    the text itself when it has none. A lead-in needs a subject ("the study shows") or a
    "that" ("suggests that"), so "Support groups help" keeps its first word."""
    m = FRAMING_RE.match(text)
    if not m or not (
        m.group("subject") or m.group("that") or text[: m.end()].lower().startswith("it ")
    ):
        return text
    return text[m.end() :]


def is_caveat(text: str) -> bool:
    """Whether a sentence is only a caveat ("More studies are needed"): it opens with one,
    or its framed statement does ("The authors note that larger trials are needed")."""
    for statement in {text, framed(text)}:
        m = CAVEAT_RE.search(statement)
        if m is not None and len(statement[: m.start()].split()) <= 2:
            return True
    return False
