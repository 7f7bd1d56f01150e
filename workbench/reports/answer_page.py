"""One patient-facing HTML page per approved answer, with its sources and provenance."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from workbench.data.answer_format import DISCLAIMER
from workbench.reports.render import answer_sections, status_label
from workbench.review.approved import ApprovedAnswer

__all__ = ["render_answer_page", "scores_summary"]

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


def render_answer_page(item: ApprovedAnswer) -> str:
    """The page as an HTML string; every value from the answer or excerpts is escaped."""
    numbers: dict[str, int] = {}
    body = answer_sections(item.answer.text, numbers)
    by_id = {e.id: e for e in item.excerpts}
    sources: list[dict[str, Any]] = [
        {
            "number": n,
            "title": by_id[i].source_title,
            "section": by_id[i].section,
            "link": by_id[i].link,
        }
        for i, n in sorted(numbers.items(), key=lambda kv: kv[1])
        if i in by_id
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
