"""What a patient's question asks for, and whether an answer's opening gives that kind of thing.

A question asks for one or more kinds of reply (`Ask`): a yes or no, a duration, side
effects, a comparison, what to do, how something works, cost or access, the outlook, a
cause or risk, a definition. `asks_of` reads them from the question's wording (patterns
over its words, no model), most specific first. `delivers` says whether a passage of an
answer holds the kind of content that ask needs: a time span for a duration, named
effects for side effects, a contrast for a comparison, an instruction for what to do.
An answer can be true, safe and about the same disease and still give none of it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

__all__ = ["Ask", "asks_of", "delivers"]


class Ask(enum.StrEnum):
    """A kind of reply a question asks for (the relevance gold's `asks` field)."""

    YES_NO = "yes_no"
    DURATION = "duration"
    SIDE_EFFECTS = "side_effects"
    COMPARISON = "comparison"
    WHAT_TO_DO = "what_to_do"
    HOW_IT_WORKS = "how_it_works"
    COST_OR_ACCESS = "cost_or_access"
    PROGNOSIS = "prognosis"
    CAUSE_OR_RISK = "cause_or_risk"
    DEFINITION = "definition"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class _Kind:
    ask: Ask
    question: re.Pattern[str]  # the question asks for this
    answer: re.Pattern[str]  # a passage gives this


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_TIME = (
    r"\b(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a few|"
    r"several|a couple of|many|a|an)\s*(?:to\s*\S+\s*)?(?:-\s*)?"
    r"(?:minutes?|hours?|days?|nights?|weeks?|months?|years?|cycles?|sessions?)\b|"
    r"\b(?:lifelong|for life|the rest of (?:your|their) li(?:fe|ves)|overnight)\b"
)
_EFFECTS = (
    r"side effects? (?:include|are|can|may|of)|can cause|may cause|causes?\b|"
    r"\b(?:tired(?:ness)?|fatigue|nausea|vomit\w*|diarrh\w+|constipat\w+|hair (?:loss|thinning)|"
    r"rash\w*|itch\w*|sores?|swelling|pain|numb\w*|tingl\w*|infections?|bleeding|bruis\w*|"
    r"hot flash\w*|sweats?|incontinen\w+|leak\w*|erection|fertility|anemia|low blood counts?|"
    r"blood clots?|weight (?:gain|loss)|appetite|cough|shortness of breath|dry\w*|redness|"
    r"peeling|inflam\w+|colitis|thyroid)\b"
)
_CONTRAST = (
    r"\b(?:than|whereas|unlike|while|both|neither|differ\w*|difference|versus|vs\.?|"
    r"compared?|comparison|same|similar|on the other hand|in contrast|instead|rather|"
    r"better|worse|faster|slower|more often|less often)\b"
)
_ACTION = (
    r"^\s*(?:call|ask|talk|tell|go|book|make|see|contact|search|take|keep|eat|drink|avoid|"
    r"stop|start|pinch|bring|check|get|use|write|rest|wash|try|do not|don't)\b|"
    r"\b(?:you should|you can|you may want|you need|it is best to|it's best to|"
    r"call (?:your|the|911)|go to (?:the|an) (?:emergency|er)|emergency room|right away|"
    r"as soon as|make an appointment|see (?:your|a) (?:doctor|dermatologist|specialist)|"
    r"ask (?:your|about)|talk (?:with|to) your|options? (?:include|are))\b"
)
_MECHANISM = (
    r"\b(?:works? by|work(?:s)? (?:like|in)|by (?:blocking|killing|stopping|targeting|"
    r"attacking|helping|using|removing|shrinking)|blocks?|attacks?|targets?|kills?|binds?|"
    r"switch\w*|trains?|helps? (?:the|your) (?:immune|body)|first\b|then\b|next\b|after that|"
    r"step|so that|which (?:lets|allows|means)|are (?:collected|given|removed|checked)|"
    r"is (?:done|given|made|used|collected|removed|checked|found|confirmed))\b"
)
_ACCESS = (
    r"\b(?:insurance|insurer|cover\w*|pay\w*|cost\w*|afford\w*|free|price|medicare|medicaid|"
    r"financial|search|clinicaltrials\.gov|1-800|website|call|ask (?:your|the)|"
    r"available|offered|eligible|refer\w*|find)\b"
)
_OUTLOOK = (
    r"\b(?:\d+\s*(?:in|out of)\s*\d+|\d+\s*(?:%|percent)|(?:five|5|ten|10)-year|survival|"
    r"surviv\w+|alive|live (?:longer|for|at least)|life expectancy|outlook|prognosis|cured?|"
    r"curable|remission|chance|odds|most people|many people|few people)\b"
)
_CAUSE = (
    r"\b(?:risk|causes?|caused|raises?|raising|increases?|linked|factors?|because|due to|"
    r"comes? from|exposure|inherit\w*|genes?|genetic|smok\w+|radon|virus|age|family history)\b"
)
_DEFINITION = (
    r"\b(?:means?|meaning|refers? to|is (?:a|an|the) (?:type|kind|form|protein|test|cancer|"
    r"way|word|term|group|stage|condition)|is called|are called|stands for|in which)\b"
)
_POLAR = (
    r"^\s*(?:yes|no|not always|not usually|usually|often|sometimes|rarely|it depends|"
    r"in (?:most|many|some) cases|most|many|for most)\b|"
    r"\b(?:can(?:not|'t)?|could|will|won't|is not|isn't|are not|aren't|does not|doesn't|"
    r"do not|don't|may|might|usually|rarely|possible|unlikely|likely)\b"
)

# Most specific first: "How long will I live?" is an outlook, not a duration.
_KINDS = (
    _Kind(
        Ask.PROGNOSIS,
        _re(
            r"surviv\w*|life expectancy|outlook|prognosis|how long (?:will|can|do|does) "
            r"(?:i|we|he|she|they|people|someone|my \w+) (?:live|have)|chances? (?:of|that)|"
            r"odds|\bdie\b|dying|fatal|terminal"
        ),
        _re(_OUTLOOK),
    ),
    _Kind(
        Ask.SIDE_EFFECTS,
        _re(
            r"side[- ]effects?|adverse|complications?|after[- ]effects?|"
            r"risks? of (?:the |this |a )?(?:treatment|surgery|therapy|procedure|transplant|drug)|"
            r"(?:make|cause) (?:me|my|you|your)\b.*\b(?:lose|fall out|sick|tired|infertile)|"
            r"hair (?:loss|fall)|will (?:it|this|the \w+) hurt"
        ),
        _re(_EFFECTS),
    ),
    _Kind(
        Ask.DURATION,
        _re(
            r"how long|how many (?:days|weeks|months|years|cycles|sessions)|how soon|"
            r"when will (?:i|my)|how quickly|duration"
        ),
        _re(_TIME),
    ),
    _Kind(
        Ask.COMPARISON,
        _re(
            r"difference|differ|better|worse|versus|\bvs\.?\b|compare|compared|"
            r"(?:should|do|would|can) (?:i|we) (?:choose|pick|have|get|do) \w+(?: \w+){0,4} or\b|"
            r"^\s*(?:is|are|should|would|do|does|can|will)\b[^?]*\bor\b|"
            r"which (?:is|one|treatment|option)"
        ),
        _re(_CONTRAST),
    ),
    _Kind(
        Ask.WHAT_TO_DO,
        _re(
            r"what (?:should|can|do|must) (?:i|we|you) do|what (?:now|next)|what to do|"
            r"what should (?:i|we) (?:eat|do|ask|expect|avoid)|should i (?:call|go|see|worry|"
            r"be worried|stop|keep)|how (?:can|do|should) (?:i|we) (?:manage|cope|deal|"
            r"prepare|lower|reduce|prevent|protect|help|care|handle)|what can i do"
        ),
        _re(_ACTION),
    ),
    _Kind(
        Ask.COST_OR_ACCESS,
        _re(
            r"insurance|cost|pay for|afford|covered|coverage|price|expensive|"
            r"where can (?:i|we)|how (?:can|do) (?:i|we) (?:find|get|join|access|sign up)|"
            r"find a (?:clinical )?trial|available (?:near|in|to)|eligible|qualify"
        ),
        _re(_ACCESS),
    ),
    _Kind(
        Ask.CAUSE_OR_RISK,
        _re(
            r"\bcauses?\b|caused|(?<!low-)(?<!high-)(?<!low )(?<!high )risk|why (?:did|do|does|is)|"
            r"increase|raise|linked|"
            r"hereditary|inherit|genetic|get \w+(?: \w+){0,3} if|prevent|contagious|catch"
        ),
        _re(_CAUSE),
    ),
    _Kind(
        Ask.HOW_IT_WORKS,
        _re(
            r"how (?:does|do|is|are) [^?]*\b(?:work|done|given|diagnosed|treated|found|"
            r"tested|staged|made|performed|measured|checked)|what happens (?:during|in|at|when)|"
            r"how (?:does|do) [^?]*\bwork|how to (?:diagnose|test|stage|treat|find out)"
        ),
        _re(_MECHANISM),
    ),
    _Kind(
        Ask.DEFINITION,
        _re(r"\bmean\b|meaning of|define|definition|stand for"),
        _re(_DEFINITION),
    ),
)
_YES_NO_QUESTION = _re(
    r"^\s*(?:is|are|can|could|will|would|should|does|do|did|has|have|may|must|am|was|were)\b"
)
_YES_NO = _Kind(Ask.YES_NO, _YES_NO_QUESTION, _re(_POLAR))
# "What is X?" asks what X is; "What are the signs of X?" or "the treatments for X" do not.
_WHAT_IS = _re(r"^\s*what(?:'s| is| are)\b(?![^?]*\b(?:of|for|symptoms?|signs?)\b)")
_BY_ASK = {k.ask: k for k in (*_KINDS, _YES_NO)}


def asks_of(question: str) -> tuple[Ask, ...]:
    """What the question asks for, most specific first; `(Ask.OTHER,)` when nothing is read.

    A question may ask two things ("What is stage 4 breast cancer, and is there a cure?"):
    each clause is read, and a yes/no opening counts only when nothing more specific is
    asked in the same clause ("Is chemotherapy better than surgery?" asks for a comparison).
    """
    found: list[Ask] = []
    for clause in re.split(r",\s*(?:and|or)\s+|\?\s+|;\s*", question.strip()):
        clause = clause.strip()
        if not clause:
            continue
        own = [k.ask for k in _KINDS if k.question.search(clause)]
        if not own and _YES_NO.question.search(clause):
            own = [Ask.YES_NO]
        if not own and _WHAT_IS.search(clause):
            own = [Ask.DEFINITION]
        found.extend(a for a in own if a not in found)
    return tuple(found) or (Ask.OTHER,)


def delivers(ask: Ask, passage: str) -> bool:
    """Whether `passage` holds the kind of content `ask` needs (always True for OTHER)."""
    kind = _BY_ASK.get(ask)
    return True if kind is None else bool(kind.answer.search(passage))
