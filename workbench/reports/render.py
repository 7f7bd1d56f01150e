"""HTML rendering of untrusted text: answers, excerpts, reasons and findings.

Model and excerpt text may hold markup (`<img onerror=...>`). Everything that reaches a
report or a widget goes through here and comes out escaped; only the tags this module
adds itself are live.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping, Sequence

import pandas as pd
from markupsafe import Markup, escape

from workbench.data.answer_format import FOOTER_RE
from workbench.data.markdown import inline_marks, lines
from workbench.data.text import CITATION_RE, marker_ids
from workbench.models import (
    Answer,
    ClaimVerdict,
    Evaluation,
    EvaluationStatus,
    Excerpt,
    Question,
    ReviewDecision,
    SafetyFinding,
    Severity,
)

__all__ = [
    "NO_FINDINGS",
    "PANEL_CSS",
    "answer_sections",
    "breakable",
    "comparison_table",
    "decision_history",
    "error_table",
    "evidence_card",
    "failed_rules_box",
    "findings_list",
    "found_by",
    "frame_table",
    "highlight_answer",
    "line_list",
    "notice",
    "review_answer",
    "review_header",
    "rich_text",
    "scores_line",
    "status_label",
    "text_block",
]


_VERDICT_LABEL = {
    "supported": "supported",
    "contradicted": "contradicted by the evidence",
    "not_found": "not found in the evidence",
}


_SEPARATOR = re.compile(r"(?<=[@·:/_.\-])")


def breakable(text: object) -> Markup:
    """Escaped text that may wrap after a separator (@ · : / _ . -), never mid-word: an
    id such as `patient_answer@v1` breaks at its parts in a narrow table cell."""
    return Markup("<wbr>").join(escape(part) for part in _SEPARATOR.split(str(text)))


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
    """The answer as escaped HTML: its Markdown (headings, lists, bold, italic, code) as
    tags, each claim marked by its verdict and each finding underlined.

    Marks that overlap each other or a list or emphasis boundary are split at it, so the
    markup always nests.
    """
    marks: list[_Mark] = []
    for v in verdicts:
        if v.span is not None:
            label = _VERDICT_LABEL[v.verdict.value]
            marks.append((v.span.start, v.span.end, f"claim {v.verdict.value}", label, ""))
    return rich_text(text, marks + _finding_marks(findings))


_Mark = tuple[int, int, str, str, str]  # start, end, css classes, title, number after it


def _finding_marks(findings: Sequence[SafetyFinding]) -> list[_Mark]:
    return [
        (f.span.start, f.span.end, f"finding {f.severity.value}", f.rule_id, "")
        for f in findings
        if f.span is not None
    ]


def _marked(text: str, marks: list[_Mark]) -> Markup:
    marks.sort(key=lambda m: (m[0], -m[1]))
    out: list[Markup] = []
    pos = 0
    for start, end, css, title, number in marks:
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(text_block(text[pos:start]))
        out.append(
            Markup('<mark class="{}" title="{}">{}</mark>').format(
                css, title, text_block(text[start:end])
            )
        )
        if number:
            out.append(Markup('<sup class="claim-no">{}</sup>').format(number))
        pos = end
    out.append(text_block(text[pos:]))
    return Markup("").join(out)


FAILED_PREFIX = "judge failed: "


def status_label(status: EvaluationStatus, error: str | None) -> str:
    """Words for an evaluation status; a failed judge says why (once "judge failed", whether
    or not the judge's own error already starts so)."""
    if status is EvaluationStatus.JUDGE_FAILED:
        why = (error or "").removeprefix(FAILED_PREFIX).strip()
        return f"{FAILED_PREFIX}{why or 'no reason given'}"
    if status is EvaluationStatus.NO_CLAIMS:
        return "no checkable claims"
    return "scored"


_CITE_RE = re.compile(r"\s*" + CITATION_RE.pattern)  # with the space before the marker


def _cited_line(line: str, numbers: dict[str, int], same_as: Mapping[str, str]) -> Markup:
    """A line with its citation markers as numbered links to the sources list."""
    out: list[Markup] = []
    pos = 0
    for m in _CITE_RE.finditer(line):
        out.append(escape(line[pos : m.start()]))
        for cid in dict.fromkeys(same_as.get(i, i) for i in marker_ids(m)):
            n = numbers.setdefault(cid, len(numbers) + 1)
            out.append(Markup('<sup><a href="#source-{}">{}</a></sup>').format(n, n))
        pos = m.end()
    out.append(escape(line[pos:]))
    return Markup("").join(out)


def answer_sections(
    text: str, numbers: dict[str, int], same_as: Mapping[str, str] | None = None
) -> Markup:
    """An answer's Markdown-like text as escaped HTML: headings, lists, paragraphs.

    Citation markers become numbered links; `numbers` (id -> number) is filled in the
    order ids are first cited, for the sources list. `same_as` maps an excerpt id to
    the id that stands for its source, so excerpts of one source share one number. The
    footer line is left out: the page prints the disclaimer itself.
    """
    same_as = same_as or {}
    blocks: list[Markup] = []
    items: list[Markup] = []

    def close_list() -> None:
        if items:
            blocks.append(Markup("<ul>{}</ul>").format(Markup("").join(items)))
            items.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or FOOTER_RE.search(line):
            close_list()
            continue
        if line.startswith("#"):
            close_list()
            blocks.append(Markup("<h2>{}</h2>").format(line.lstrip("#").strip()))
        elif line.startswith(("- ", "* ", "• ")):
            items.append(Markup("<li>{}</li>").format(_cited_line(line[2:], numbers, same_as)))
        else:
            close_list()
            blocks.append(Markup("<p>{}</p>").format(_cited_line(line, numbers, same_as)))
    close_list()
    return Markup("\n").join(blocks)


# The review panel. Every value below comes from the store or the data sets and is escaped;
# a widget shows only what these functions return.

PANEL_CSS = Markup(
    "<style>"
    ".wb-panel mark.claim.supported{background:#dff3e0}"
    ".wb-panel mark.claim.contradicted,.wb-panel mark.claim.not_found{background:#f9c9c9}"
    ".wb-panel mark.claim.judge_failed{background:#e0e0e0;text-decoration:line-through wavy}"
    ".wb-panel mark.claim.selected{outline:2px solid #1a4f8b}"
    ".wb-panel mark.finding{background:none;border-bottom:2px dotted #c0504d}"
    ".wb-panel .claim-no{color:#1a4f8b;font-weight:bold}"
    ".wb-panel .meta{color:#555;font-size:90%}"
    ".wb-panel .notice-error{color:#a00;font-weight:bold}"
    ".wb-panel .notice-ok{color:#276127}"
    ".wb-panel .sev-fail{color:#a00;font-weight:bold}"
    "</style>"
)

_FAILED = "judge_failed"


def review_answer(text: str, evaluation: Evaluation | None, selected: int | None = None) -> Markup:
    """The answer with claims numbered and marked by verdict, the selected one outlined.

    When the judge failed, its claims are marked as such, never as supported.
    """
    if evaluation is None:
        return text_block(text)
    failed = evaluation.status is EvaluationStatus.JUDGE_FAILED
    marks: list[_Mark] = []
    for i, v in enumerate(evaluation.claims):
        if v.span is None:
            continue
        kind = _FAILED if failed else v.verdict.value
        label = "the judge failed" if failed else _VERDICT_LABEL[v.verdict.value]
        css = f"claim {kind}" + (" selected" if i == selected else "")
        marks.append((v.span.start, v.span.end, css, label, str(i + 1)))
    return _marked(text, marks + _finding_marks(evaluation.safety))


def scores_line(ev: Evaluation) -> str:
    """One evaluation in words: judge, status, faithfulness, unsupported claims, safety, grade."""
    parts = [f"judge {ev.judge}: {status_label(ev.status, ev.error)}"]
    if ev.faithfulness is not None:
        parts.append(f"faithfulness {ev.faithfulness:.2f}")
    parts.append(f"{len(ev.unsupported)} of {len(ev.claims)} claims not supported")
    fails = sum(f.severity.value == "fail" for f in ev.safety)
    parts.append(f"safety: {fails} fail, {len(ev.safety) - fails} warn")
    if ev.fk_grade is not None:
        parts.append(f"reading grade {ev.fk_grade:.1f}")
    return " · ".join(parts)


def review_header(
    answer: Answer,
    question: Question | None,
    evaluations: Sequence[Evaluation],
    latest: ReviewDecision | None,
    stale: Sequence[str] = (),
) -> Markup:
    """The question, the failed safety rules (message and the words they matched), the
    prompt version, backend and model, the scores and the standing: what needs a
    clinician comes before the answer itself.

    `stale` lists why the scores no longer match the excerpts (they changed since).
    """
    asked = question.text if question else f"(question {answer.question_id} is not loaded)"
    kind = f"{question.cancer_type}, " if question else ""
    scores = [Markup("<li>{}</li>").format(scores_line(ev)) for ev in evaluations]
    standing = (
        f"{latest.decision.value.replace('_', ' ')} by {latest.reviewer}"
        + (f": {latest.reason}" if latest.reason else "")
        if latest
        else "not reviewed yet"
    )
    return Markup(
        '<div class="wb-header"><h3>{}</h3>{}<p class="meta">{}{} · prompt <b>{}</b> · '
        "{} / {} · answer <code>{}</code>{}</p><ul>{}</ul>{}<p>Review: {}</p></div>"
    ).format(
        asked,
        failed_rules_box(answer.text, evaluations),
        kind,
        answer.question_id,
        answer.prompt_key,
        answer.backend,
        answer.model,
        answer.id,
        Markup(" · edited from <code>{}</code>").format(answer.parent_id)
        if answer.parent_id
        else "",
        Markup("").join(scores) or Markup("<li>not scored yet</li>"),
        Markup('<p class="wb-stale"><b>Stale:</b> {} Score it again before deciding.</p>').format(
            "; ".join(stale) + "."
        )
        if stale
        else "",
        standing,
    )


def failed_rules_box(text: str, evaluations: Sequence[Evaluation]) -> Markup:
    """Each fail-severity finding once (whichever judge's evaluation holds it): the rule,
    its message, the words of the answer it matched, and how to fix it."""
    seen: dict[tuple[str, str], SafetyFinding] = {}
    for ev in evaluations:
        for f in ev.safety:
            if f.severity is Severity.FAIL:
                span = text[f.span.start : f.span.end] if f.span else (f.matched_text or "")
                seen.setdefault((f.rule_id, span), f)
    if not seen:
        return Markup("")
    items = [
        Markup("<li><b>Failed safety rule <code>{}</code>:</b> {}{} <i>{}</i></li>").format(
            f.rule_id, f.message, Markup(" at <q>{}</q>").format(span) if span else "", f.fix_hint
        )
        for (_, span), f in seen.items()
    ]
    return Markup('<div class="wb-problems"><ul>{}</ul></div>').format(Markup("").join(items))


def _safe_link(link: str) -> str | None:
    return link if link.startswith(("https://", "http://")) else None


def evidence_card(index: int, verdict: ClaimVerdict, excerpt: Excerpt | None) -> Markup:
    """One claim's verdict with the judge's reason and its evidence excerpt and source."""
    label = _VERDICT_LABEL[verdict.verdict.value]
    if excerpt is None:
        source = Markup('<p class="meta">No evidence excerpt{}.</p>').format(
            f" ({verdict.evidence_id} is not in the loaded data sets)"
            if verdict.evidence_id
            else ""
        )
    else:
        link = _safe_link(excerpt.link)
        title = (
            Markup('<a href="{}" target="_blank" rel="noopener noreferrer">{}</a>').format(
                link, excerpt.source_title
            )
            if link
            else escape(excerpt.source_title)
        )
        source = Markup(
            "<p>Evidence sentence: <q>{}</q></p><blockquote>{}</blockquote>"
            '<p class="meta">{} · {} · <code>{}</code> v{}</p>'
        ).format(
            verdict.evidence_sentence or "",
            excerpt.text,
            title,
            excerpt.section,
            excerpt.id,
            excerpt.version,
        )
    return Markup(
        '<div class="wb-evidence"><p><b>Claim {}</b> ({}, judge {}): {}</p>'
        "<p>Reason: {}</p>{}</div>"
    ).format(index + 1, label, verdict.judge, verdict.claim, verdict.reason, source)


# What an answer without findings shows: no check fired, which is not a finding of safety.
NO_FINDINGS = (
    "No safety check fired (rules, model layer). That does not make the answer safe: read it."
)


def found_by(f: SafetyFinding) -> str:
    """Which layer found a finding, in words: rules, model layer (with its probability),
    or the LLM judge (with its model)."""
    if f.source == "rules":
        return "rules"
    if f.source == "model":
        return "model layer" + (f" (p={f.probability:.2f})" if f.probability is not None else "")
    return f"LLM judge ({f.source.removeprefix('llm:')})"


def findings_list(text: str, findings: Sequence[SafetyFinding]) -> Markup:
    """Safety findings, each with the layer that found it and the words it points at."""
    if not findings:
        return Markup('<p class="meta">{}</p>').format(NO_FINDINGS)
    items = []
    for f in sorted(findings, key=lambda f: f.source != "rules"):  # the rules' first
        span = text[f.span.start : f.span.end] if f.span else (f.matched_text or "")
        by = found_by(f)
        items.append(
            Markup(
                '<li><span class="sev-{}">{}</span> <span class="source">[{}]</span> '
                "<code>{}</code>: {}{} <i>{}</i></li>"
            ).format(
                f.severity.value,
                f.severity.value,
                by,
                f.rule_id,
                f.message,
                Markup(" at <q>{}</q>").format(span) if span else "",
                f.fix_hint,
            )
        )
    return Markup("<ul>{}</ul>").format(Markup("").join(items))


_WORDS_RE = re.compile(r"\s+|[^\s]+")


def _edit_diff(before: str, after: str) -> Markup:
    """The edit word by word: removed words struck through, added words underlined."""
    old, new = _WORDS_RE.findall(before), _WORDS_RE.findall(after)
    out: list[Markup] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op in ("replace", "delete"):
            out.append(Markup("<del>{}</del>").format("".join(old[i1:i2])))
        if op in ("replace", "insert"):
            out.append(Markup("<ins>{}</ins>").format("".join(new[j1:j2])))
        if op == "equal":
            out.append(escape("".join(old[i1:i2])))
    return Markup('<div class="wb-diff">{}</div>').format(
        Markup("").join(out).replace("\n", Markup("<br>"))
    )


def decision_history(decisions: Sequence[ReviewDecision]) -> Markup:
    """Who decided what on an answer (all its versions), when and why; edits before/after."""
    if not decisions:
        return Markup('<p class="meta">No decision yet.</p>')
    items = []
    for d in decisions:
        edit = Markup("")
        if d.old_text is not None and d.new_text is not None:
            edit = Markup(
                "{}<details><summary>before / after</summary><div class=wb-before-after>"
                "<div><b>Before</b>{}</div><div><b>After</b> (<code>{}</code>){}</div>"
                "</div></details>"
            ).format(
                _edit_diff(d.old_text, d.new_text),
                text_block(d.old_text),
                d.new_answer_id or "",
                text_block(d.new_text),
            )
        who = d.reviewer + (f" ({d.account})" if d.account and d.account != d.reviewer else "")
        items.append(
            Markup(
                '<li><span class="meta">{:%Y-%m-%d %H:%M} UTC</span> <b>{}</b>: {} '
                '<span class="meta">on <code>{}</code></span>{}{}</li>'
            ).format(
                d.created_at,
                who,
                d.meaning,
                d.answer_id,
                Markup("<br>Why: <q>{}</q>").format(d.reason) if d.reason else "",
                edit,
            )
        )
    return Markup('<ol class="wb-history">{}</ol>').format(Markup("").join(items))


def frame_table(frame: pd.DataFrame) -> Markup:
    """A small table (a run's summary) as HTML, every cell escaped."""
    html = frame.to_html(
        index=False, escape=True, na_rep="", float_format=lambda v: f"{v:.2f}", border=0
    )
    return Markup('<div class="wb-rows" style="overflow-x:auto">{}</div>').format(Markup(html))


def line_list(title: str, lines: Sequence[str]) -> Markup:
    """A titled list of plain lines (a pre-flight, say); nothing when there are none."""
    if not lines:
        return Markup("")
    return Markup("<p><b>{}</b></p><ul>{}</ul>").format(
        title, Markup("").join(Markup("<li>{}</li>").format(line) for line in lines)
    )


def error_table(title: str, rows: Sequence[tuple[str, str, str, str]]) -> Markup:
    """Failed items, one row each: stage, question, the item's id, the error."""
    if not rows:
        return Markup("")
    body = Markup("").join(
        Markup("<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>").format(*row)
        for row in rows
    )
    return Markup(
        '<p class="notice-error">{}</p><table class="wb-error-table"><tr><th>Stage</th>'
        "<th>Question</th><th>Item</th><th>Error</th></tr>{}</table>"
    ).format(title, body)


def notice(kind: str, message: str) -> Markup:
    """A status line: kind is `ok`, `error` or `info`."""
    return Markup('<p class="notice-{}">{}</p>').format(kind, message)


Side = tuple[Answer | None, Evaluation | None]


def comparison_table(
    labels: tuple[str, str], rows: Sequence[tuple[Question, Side, Side]]
) -> Markup:
    """Two prompt versions' answers side by side per question, each with its scores."""

    def cell(side: Side) -> Markup:
        answer, ev = side
        if answer is None:
            return Markup('<td class="meta">no answer</td>')
        scores = scores_line(ev) if ev else "not scored"
        return Markup('<td><p class="meta">{}</p>{}</td>').format(
            scores, review_answer(answer.text, ev)
        )

    body = [
        Markup("<tr><th colspan=2>{} <span class=meta>({})</span></th></tr><tr>{}{}</tr>").format(
            q.text, q.id, cell(left), cell(right)
        )
        for q, left, right in rows
    ]
    return Markup(
        '<table class="wb-compare" style="table-layout:fixed;width:100%"><tr><th>{}</th>'
        "<th>{}</th></tr>{}</table>"
    ).format(labels[0], labels[1], Markup("").join(body))


# Markdown, escaped. `workbench.data.markdown` finds the structure as offsets into the
# text; here every piece of text is escaped and only the tags below are added.

_INLINE_TAG = {"strong": "strong", "em": "em", "code": "code"}
# order, start, end, opening tag, closing tag; the tags are ours, every text piece escaped
_Wrap = tuple[tuple[int, int, int, int], int, int, str, str]


def _esc(text: str) -> str:
    return str(escape(text))


def _inline(text: str, start: int, end: int, marks: Sequence[_Mark]) -> str:
    """`text[start:end]` escaped, with emphasis and the marks that touch it as nested tags.

    Built as a plain string of escaped pieces and our own tags (a report has 100,000 of
    these lines); `rich_text` hands it out as Markup.
    """
    wraps: list[_Wrap] = []
    for n, (m_start, m_end, css, title, _) in enumerate(marks):
        lo, hi = max(start, m_start), min(end, m_end)
        if lo < hi:
            tag = f'<mark class="{_esc(css)}" title="{_esc(title)}">'
            wraps.append(((0, m_start, -m_end, n), lo, hi, tag, "</mark>"))
    hidden: list[tuple[int, int]] = []
    for n, inl in enumerate(inline_marks(text, start, end)):
        name = _INLINE_TAG[inl.kind]
        wraps.append(((1, inl.start, -inl.end, n), inl.start, inl.end, f"<{name}>", f"</{name}>"))
        hidden.extend(inl.hidden)
    if not wraps:
        return _esc(text[start:end])
    cuts = sorted(
        {start, end}
        | {p for w in wraps for p in (w[1], w[2])}
        | {p for h in hidden for p in h if start <= p <= end}
    )
    out: list[str] = []
    stack: list[_Wrap] = []
    for p, q in itertools.pairwise(cuts):
        if any(h0 <= p and q <= h1 for h0, h1 in hidden):
            continue  # a delimiter: not shown
        want = sorted((w for w in wraps if w[1] <= p and q <= w[2]), key=lambda w: w[0])
        keep = 0
        while keep < min(len(stack), len(want)) and stack[keep] is want[keep]:
            keep += 1
        out.extend(w[4] for w in reversed(stack[keep:]))
        out.extend(w[3] for w in want[keep:])
        stack = want
        out.append(_esc(text[p:q]))
    out.extend(w[4] for w in reversed(stack))
    return "".join(out)


def rich_text(text: str, marks: Sequence[_Mark] = ()) -> Markup:
    """Markdown text as escaped HTML blocks: headings, bullet and numbered lists,
    paragraphs (a single line break kept as one), bold, italic and code; `marks` are
    (start, end, css, title, _) spans of the original text to highlight."""
    blocks: list[str] = []
    para: list[str] = []
    items: list[str] = []
    list_tag: str | None = None
    list_start = 1

    def close() -> None:
        nonlocal list_tag
        if para:
            blocks.append("<p>" + "<br>".join(para) + "</p>")
            para.clear()
        if items and list_tag is not None:
            start = f' start="{list_start}"' if list_tag == "ol" and list_start != 1 else ""
            blocks.append(f"<{list_tag}{start}>" + "".join(items) + f"</{list_tag}>")
            items.clear()
        list_tag = None

    for line in lines(text):
        body = _inline(text, line.start, line.end, marks)
        if line.kind in ("bullet", "number"):
            tag = "ul" if line.kind == "bullet" else "ol"
            if list_tag != tag or para:
                close()
                list_tag, list_start = tag, line.number or 1
            items.append(f"<li>{body}</li>")
        elif line.kind == "heading":
            close()
            blocks.append(f'<p class="md-h"><strong class="heading">{body}</strong></p>')
        elif line.kind == "text":
            if items:
                close()
            para.append(body)
        else:
            close()
    close()
    return Markup("\n".join(blocks))
