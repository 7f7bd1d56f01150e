"""HTML rendering of untrusted text: answers, excerpts, reasons and findings.

Model and excerpt text may hold markup (`<img onerror=...>`). Everything that reaches a
report or a widget goes through here and comes out escaped; only the tags this module
adds itself are live.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from workbench.models import ClaimVerdict, EvaluationStatus, SafetyFinding
from workbench.text import CITATION_RE

__all__ = ["answer_sections", "highlight_answer", "status_label", "text_block"]

_FOOTER_RE = re.compile(r"not (?:a substitute for )?(?:professional )?medical advice", re.I)

_VERDICT_LABEL = {
    "supported": "supported",
    "contradicted": "contradicted by the evidence",
    "not_found": "not found in the evidence",
}


def _line(line: str) -> Markup:
    if line.startswith("#"):  # a Markdown heading of the answer's own sections
        return Markup('<strong class="heading">{}</strong>').format(line.lstrip("#").strip())
    return escape(line)


def text_block(text: str) -> Markup:
    """Escaped text with line breaks kept and Markdown headings shown as headings."""
    return Markup("<br>").join(_line(line) for line in text.split("\n"))


def highlight_answer(
    text: str,
    verdicts: Sequence[ClaimVerdict],
    findings: Sequence[SafetyFinding] = (),
) -> Markup:
    """The answer, escaped, with each claim marked by its verdict and each finding underlined.

    Overlapping marks are dropped after the first, so the markup always nests.
    """
    marks: list[tuple[int, int, str, str]] = []
    for v in verdicts:
        if v.span is not None:
            label = _VERDICT_LABEL[v.verdict.value]
            marks.append((v.span.start, v.span.end, f"claim {v.verdict.value}", label))
    for f in findings:
        if f.span is not None:
            marks.append((f.span.start, f.span.end, f"finding {f.severity.value}", f.rule_id))
    marks.sort(key=lambda m: (m[0], -m[1]))
    out: list[Markup] = []
    pos = 0
    for start, end, css, title in marks:
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(text_block(text[pos:start]))
        out.append(
            Markup('<mark class="{}" title="{}">{}</mark>').format(
                css, title, text_block(text[start:end])
            )
        )
        pos = end
    out.append(text_block(text[pos:]))
    return Markup("").join(out)


def status_label(status: EvaluationStatus, error: str | None) -> str:
    """Words for an evaluation status; a failed judge says why."""
    if status is EvaluationStatus.JUDGE_FAILED:
        return f"judge failed: {error or 'no reason given'}"
    if status is EvaluationStatus.NO_CLAIMS:
        return "no checkable claims"
    return "scored"


_CITE_RE = re.compile(r"\s*" + CITATION_RE.pattern)  # with the space before the marker


def _cited_line(line: str, numbers: dict[str, int]) -> Markup:
    """A line with its citation markers as numbered links to the sources list."""
    out: list[Markup] = []
    pos = 0
    for m in _CITE_RE.finditer(line):
        out.append(escape(line[pos : m.start()]))
        for cid in re.split(r"\s*[,;]\s*", m.group(1)):
            n = numbers.setdefault(cid, len(numbers) + 1)
            out.append(Markup('<sup><a href="#source-{}">{}</a></sup>').format(n, n))
        pos = m.end()
    out.append(escape(line[pos:]))
    return Markup("").join(out)


def answer_sections(text: str, numbers: dict[str, int]) -> Markup:
    """An answer's Markdown-like text as escaped HTML: headings, lists, paragraphs.

    Citation markers become numbered links; `numbers` (id -> number) is filled in the
    order ids are first cited, for the sources list. The footer line is left out: the
    page prints the disclaimer itself.
    """
    blocks: list[Markup] = []
    items: list[Markup] = []

    def close_list() -> None:
        if items:
            blocks.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or _FOOTER_RE.search(line):
            close_list()
            continue
        if line.startswith("#"):
            close_list()
            blocks.append(Markup("<h2>{}</h2>").format(line.lstrip("#").strip()))
        elif line.startswith(("- ", "* ", "• ")):
            items.append(Markup("<li>{}</li>").format(_cited_line(line[2:], numbers)))
        else:
            close_list()
            blocks.append(Markup("<p>{}</p>").format(_cited_line(line, numbers)))
    close_list()
    return Markup("\n").join(blocks)
