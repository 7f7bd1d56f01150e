"""Replies that are not whole answers: cut off at `max_tokens`, or junk.

A model's reply is stored as an answer whatever it is; its finish reason is kept in the
answer's settings. These checks turn what a weak or badly set up model returns into
safety findings of severity `fail`, so the review desk flags the answer, the report
counts it by rule and the gate holds it back:

- `reply.cut_off`: the finish reason was "length": the answer stops where the token
  limit fell, so a section, a citation or the closing advice may be missing.
- `reply.junk`: chat-template tokens (`<<SYS>>`, `[INST]`, `<|im_start|>`) leaked into
  the text, or it has fewer than `MIN_WORDS` words: not an answer at all (a short
  refusal of three words or more is not junk; the judge finds it has no claims).
"""

from __future__ import annotations

import re

from workbench.models import Answer, SafetyFinding, Severity, Span

__all__ = ["CUT_OFF", "JUNK", "MIN_WORDS", "reply_findings"]

CUT_OFF = "reply.cut_off"
JUNK = "reply.junk"
MIN_WORDS = 3
_TEMPLATE_RE = re.compile(r"<</?SYS>>|\[/?INST\]|<\|[a-z_]+\|>|<(?:start|end)_of_turn>")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


def reply_findings(answer: Answer) -> tuple[SafetyFinding, ...]:
    """The findings on a reply that is cut off or junk (none on a whole answer)."""
    findings = []
    leaked = _TEMPLATE_RE.search(answer.text)
    words = len(set(w.lower() for w in _WORD_RE.findall(answer.text)))
    if leaked or words < MIN_WORDS:
        what = f"chat-template text {leaked.group(0)!r}" if leaked else f"{words} distinct words"
        findings.append(
            SafetyFinding(
                JUNK,
                Severity.FAIL,
                f"the model's reply is not an answer ({what})",
                "check the model's chat template on the server, or use a larger model",
                Span(leaked.start(), leaked.end()) if leaked else None,
                leaked.group(0) if leaked else None,
            )
        )
    if answer.settings.get("finish_reason") == "length":
        limit = answer.settings.get("max_tokens")
        at = f" ({limit})" if limit else ""
        findings.append(
            SafetyFinding(
                CUT_OFF,
                Severity.FAIL,
                f"the answer was cut off at max_tokens{at}: it may end mid-sentence and miss "
                "a section, a citation or the closing advice",
                "generate it again with a larger --max-tokens (a new run), or ask for a "
                "shorter answer in the prompt",
            )
        )
    return tuple(findings)
