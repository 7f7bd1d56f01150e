"""Markup in answers, excerpts, reasons and findings reaches the panel escaped, never live."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import ipywidgets as w

from workbench.data.datasets import Corpus
from workbench.models import (
    Answer,
    ClaimVerdict,
    Evaluation,
    EvaluationStatus,
    Excerpt,
    Question,
    Run,
    SafetyFinding,
    Severity,
    Span,
    Verdict,
)
from workbench.review.desk import ReviewDesk
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import SQLiteStore, Store
from workbench.ui.review_app import ReviewController
from workbench.ui.review_view import ReviewView

XSS = '<img src=x onerror="alert(1)">'
SCRIPT = "<script>alert(2)</script>"
ALLOWED = {
    "style", "p", "b", "i", "code", "q", "blockquote", "ul", "li", "span", "mark", "sup", "a",
    "div", "h3", "strong", "br", "ol", "del", "ins", "details", "summary",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _html_values(widget: Any) -> list[str]:
    out = [widget.value] if isinstance(widget, w.HTML) else []
    for child in getattr(widget, "children", ()):
        out += _html_values(child)
    return out


def _assert_inert(widget: Any) -> str:
    text = "\n".join(_html_values(widget))
    parser = _Tags()
    parser.feed(text)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED, f"live <{tag}> in the panel"
        for name, value in attrs:
            assert not name.startswith("on"), f"live {name}= on <{tag}>"
            if name == "href":
                assert (value or "").startswith("https://"), value
    return text


def _hostile(path: Path) -> tuple[Store, Corpus, str]:
    excerpt = Excerpt(
        "x-1", f"CAR-T uses T cells. {XSS}", "breast", ("overview",), f"Source {SCRIPT}",
        f"Section {XSS}", "https://www.cancer.gov/x", date(2026, 1, 1),
    )  # fmt: skip
    bad_link = Excerpt(
        "x-2", "Another excerpt.", "breast", ("overview",), "Bad link", "S",
        "javascript:alert(3)", date(2026, 1, 1),
    )  # fmt: skip
    question = Question("q-x", f"What is CAR-T? {XSS}", "breast")
    text = f"## How it works\nCAR-T uses T cells {XSS} [x-1].\nAlso {SCRIPT} [x-2]."
    store = SQLiteStore(path)
    store.ensure_run(Run("r", "p@v1", "offline", "m", "test"))
    store.add_answer(Answer("a-x", "r", "q-x", "p@v1", "offline", "m", text, ("x-1",),
                            ("x-1", "x-2")))  # fmt: skip
    start = text.index("CAR-T")
    store.add_evaluation(
        Evaluation(
            "a-x", "offline", EvaluationStatus.SCORED, 0.5,
            (
                ClaimVerdict(f"CAR-T uses T cells {XSS}", Span(start, start + 40),
                             Verdict.SUPPORTED, f"reason {SCRIPT}", "x-1", f"sentence {XSS}",
                             "offline"),
                ClaimVerdict(f"Also {SCRIPT}", None, Verdict.NOT_FOUND, f"why {XSS}", "x-2",
                             None, "offline"),
            ),
            (SafetyFinding("rule-x", Severity.FAIL, f"message {XSS}", f"fix {SCRIPT}",
                           Span(start, start + 10), f"matched {XSS}"),),
            7.0, 8.0,
        )
    )  # fmt: skip
    corpus = Corpus((question,), {"x-1": excerpt, "x-2": bad_link}, {})
    return store, corpus, text


def test_every_untrusted_value_is_escaped_in_the_panel(tmp_path: Path) -> None:
    store, corpus, text = _hostile(tmp_path / "x.db")
    panel = ReviewController(
        ReviewDesk(store, corpus, judge=OfflineJudge()), ReviewView(), reviewer=f"Dr {XSS}"
    )
    shown = _assert_inert(panel.view.widget)
    assert "&lt;img src=x onerror=" in shown and "&lt;script&gt;" in shown
    for index in (0, 1):  # each claim's evidence, reason and source
        panel.view.claims.value = index
        shown = _assert_inert(panel.view.widget)
        assert "&lt;img" in panel.view.evidence.value or "&lt;script" in panel.view.evidence.value
    assert "javascript:" not in shown  # a link that is not http(s) is shown as text only

    panel.view.reason.value = f"rejected {XSS}"
    panel.view.reject.click()
    panel.view.filter.value = "rejected"
    assert "rejected &lt;img" in _assert_inert(panel.view.widget)

    panel.view.filter.value = "all"
    panel.view.edit.click()
    panel.view.editor.value = text + f"\nNew claim {XSS} about T cells [x-1]."
    panel.view.reason.value = f"edit {SCRIPT}"
    panel.view.save_edit.click()
    assert "Saved: your edit" in panel.view.status.value
    shown = _assert_inert(panel.view.widget)
    assert "New claim &lt;img" in shown
    assert "<ins>&lt;img" in panel.view.history.value or "&lt;img" in panel.view.history.value
    assert "Why: <q>edit &lt;script" in panel.view.history.value  # the history escapes too
    store.close()
