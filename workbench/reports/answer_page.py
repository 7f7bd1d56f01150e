"""One patient-facing HTML page per approved answer, with its sources and provenance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from workbench.data.answer_format import DISCLAIMER
from workbench.models import Excerpt
from workbench.reports.render import answer_sections, status_label
from workbench.review.approved import ApprovedAnswer

__all__ = ["Source", "render_answer_page", "scores_summary", "sources_of"]

_ENV = Environment(
    loader=PackageLoader("workbench.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
)


def scores_summary(item: ApprovedAnswer) -> list[dict[str, str]]:
    """One line per judge: status, faithfulness, unsupported claims, safety, reading grade."""
    out = []
    for ev in item.evaluations:
        parts = [status_label(ev.status, ev.error)]
        if ev.faithfulness is not None:
            parts.append(f"faithfulness {ev.faithfulness:.2f}")
        parts.append(f"{len(ev.unsupported)} unsupported claim(s)")
        rules = sorted({f.rule_id for f in ev.safety})
        parts.append("safety findings: " + (", ".join(rules) if rules else "none"))
        if ev.fk_grade is not None:
            parts.append(f"reading grade {ev.fk_grade:.1f} (SMOG {ev.smog or 0:.1f})")
        out.append({"judge": ev.judge, "summary": "; ".join(parts)})
    return out


@dataclass(frozen=True, slots=True)
class Source:
    """One source document (title and link) and the excerpts of it an answer cites."""

    title: str
    link: str
    sections: tuple[str, ...]  # distinct, in citation order; empty ones left out
    excerpt_ids: tuple[str, ...]

    def as_row(self) -> dict[str, Any]:
        """The source as a JSON-ready mapping."""
        return {
            "title": self.title,
            "link": self.link,
            "sections": list(self.sections),
            "excerpt_ids": list(self.excerpt_ids),
        }


def sources_of(excerpts: Sequence[Excerpt]) -> list[Source]:
    """The cited excerpts grouped by source (same title and link), each source once."""
    groups: dict[tuple[str, str], list[Excerpt]] = {}
    for e in excerpts:
        groups.setdefault((e.source_title, e.link), []).append(e)
    return [
        Source(
            title,
            link,
            tuple(dict.fromkeys(e.section for e in group if e.section)),
            tuple(e.id for e in group),
        )
        for (title, link), group in groups.items()
    ]


def render_answer_page(item: ApprovedAnswer) -> str:
    """The page as an HTML string; every value from the answer or excerpts is escaped.

    Excerpts of one source share one number and one line in the sources list.
    """
    grouped = sources_of(item.excerpts)
    by_first = {s.excerpt_ids[0]: s for s in grouped}
    same_as = {i: s.excerpt_ids[0] for s in grouped for i in s.excerpt_ids}
    numbers: dict[str, int] = {}
    body = answer_sections(item.answer.text, numbers, same_as)
    sources: list[dict[str, Any]] = [
        {
            "number": n,
            "title": by_first[i].title,
            "section": "; ".join(by_first[i].sections),
            "link": by_first[i].link,
        }
        for i, n in sorted(numbers.items(), key=lambda kv: kv[1])
        if i in by_first
    ]
    return _ENV.get_template("answer_page.html.j2").render(
        question=item.question,
        body=body,
        sources=sources,
        disclaimer=DISCLAIMER.strip("*"),
        answer=item.answer,
        evaluations=scores_summary(item),
        approval=item.approval,
    )
