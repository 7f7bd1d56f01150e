"""The report's question list, its Markdown, and its split into pages past a size."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbench.data.datasets import Corpus
from workbench.models import (
    Answer,
    ClaimVerdict,
    Decision,
    Evaluation,
    EvaluationStatus,
    Run,
    SafetyFinding,
    Severity,
    Span,
    Verdict,
)
from workbench.reports.assemble import write_report
from workbench.reports.html import Layout, ReportData, question_page_name, render_question_page
from workbench.reports.questions import page_name, question_rows
from workbench.reports.render import highlight_answer, rich_text
from workbench.review.decisions import record_decision
from workbench.runs.demo import DemoResult
from workbench.store import SQLiteStore, Store

ALLOWED = {
    "p": {"class"}, "br": set(), "strong": {"class"}, "em": set(), "code": set(), "ul": set(),
    "ol": {"start"}, "li": set(), "mark": {"class", "title"}, "sup": {"class"},
}  # fmt: skip
VOID = {"br"}


class _Tags(HTMLParser):
    """Every tag and attribute, and whether the tags nest."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, set[str]]] = []
        self.stack: list[str] = []
        self.nested = True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, {a for a, _ in attrs}))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.nested = False


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert parser.nested and not parser.stack, html
    return parser


PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "**<img src=x onerror=alert(1)>**",
    "*</em><script>alert(1)</script>*",
    "`<svg onload=alert(1)>`",
    '- <a href="javascript:alert(1)">x</a>',
    "1. <iframe src=//evil.example></iframe>",
    "## <style>body{display:none}</style>",
    '_"><script>alert(1)</script>_',
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_renders_only_its_own_tags_and_escapes_the_rest(payload: str) -> None:
    text = f"## Heading\nIntro with **bold** and *it*.\n\n{payload}\n- a\n- {payload}\n"
    marks = [(0, len(text), "claim supported", 'x" onmouseover="alert(1)', "")]
    html = str(rich_text(text, marks))
    for tag, attrs in _tags(html).seen:
        assert tag in ALLOWED and attrs <= ALLOWED[tag], (tag, attrs, html)
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert 'title="x&#34; onmouseover=&#34;alert(1)"' in html


def test_markdown_lists_emphasis_and_headings() -> None:
    text = (
        "## What it is\nCAR-T uses **your own** T cells and *changes* them.\n\n"
        "- first point\n- second `dose` point\n\n3. third\n4. fourth\nAfter 2*3*4 = 24."
    )
    html = str(rich_text(text))
    assert '<p class="md-h"><strong class="heading">What it is</strong></p>' in html
    assert "<strong>your own</strong>" in html and "<em>changes</em>" in html
    assert "<ul><li>first point</li><li>second <code>dose</code> point</li></ul>" in html
    assert '<ol start="3"><li>third</li><li>fourth</li></ol>' in html
    assert "<p>After 2*3*4 = 24.</p>" in html


def test_claim_marks_split_at_list_and_emphasis_boundaries_and_still_nest() -> None:
    text = "Intro.\n- It is **given through\n- a vein** once."
    start = text.index("It is")
    verdict = ClaimVerdict(
        "It is given through a vein once.", Span(start, len(text)), Verdict.NOT_FOUND,
        "r", None, None, "offline",
    )  # fmt: skip
    finding = SafetyFinding(
        "rule-x", Severity.WARN, "m", "h", Span(text.index("given"), text.index("vein"))
    )
    html = str(highlight_answer(text, [verdict], [finding]))
    _tags(html)
    assert html.count('<mark class="claim not_found"') == 2  # one piece per list item
    assert '<mark class="finding warn" title="rule-x">' in html


def _add(
    store: Store, qid: str, n: int, *, status: EvaluationStatus = EvaluationStatus.SCORED,
    verdict: Verdict = Verdict.SUPPORTED, severity: Severity | None = None,
) -> str:  # fmt: skip
    aid = f"a-{qid}-{n}"
    store.ensure_run(Run(f"r{n}", "p@1", "offline", "m", "t"))
    store.add_answer(Answer(aid, f"r{n}", qid, "p@1", "offline", "m", "Some text.", (), ()))
    claims = (ClaimVerdict("Some text.", Span(0, 10), verdict, "r", None, None, "offline"),)
    findings = (SafetyFinding("rule", severity, "m", "h"),) if severity else ()
    score = None if status is not EvaluationStatus.SCORED else 1.0
    store.add_evaluation(Evaluation(aid, "offline", status, score, claims, findings, 6.0, 7.0))
    return aid


def test_questions_sort_problems_first_with_their_status(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    q = [x.id for x in corpus.questions[:6]]
    approved = _add(store, q[0], 1)
    _add(store, q[1], 1, severity=Severity.WARN)
    _add(store, q[2], 1, status=EvaluationStatus.JUDGE_FAILED)
    _add(store, q[3], 1, verdict=Verdict.CONTRADICTED)
    _add(store, q[3], 2)
    _add(store, q[4], 1, severity=Severity.FAIL)
    rejected = _add(store, q[5], 1)
    record_decision(store, approved, Decision.APPROVE, reviewer="dr a")
    record_decision(store, rejected, Decision.REJECT, reviewer="dr a", reason="wrong stage")
    rows = question_rows(corpus, store.answers(), store.evaluations(), store.latest_decisions())
    assert [r.id for r in rows] == [q[4], q[3], q[2], q[5], q[1], q[0]]
    assert rows[1].status.chips() == [
        ("unsupported", "unsupported claim"), ("not-reviewed", "not reviewed × 2"),
    ]  # fmt: skip
    assert [b.key for b in rows[1].entries[0].badges] == ["unsupported", "not-reviewed"]
    paths, _ = write_report(store, corpus, tmp_path / "out")
    html = paths.html.read_text()
    question_list = html.split('<h2 id="questions">')[1].split("<h2>")[0]
    listed = re.findall(r'<a href="#q-([^"]+)">', question_list)
    assert listed == [page_name(i) for i in [q[4], q[3], q[2], q[5], q[1], q[0]]]
    for anchor in listed:
        assert f'id="q-{anchor}"' in html
    assert '<span class="badge rejected">rejected</span>' in html
    flagged = html.split("Flagged answers, lowest score first")[1].split("<h2")[0]
    assert f'<a href="#q-{page_name(q[3])}">{q[3]}</a>' in flagged  # linked to its question
    assert paths.pages == ()


def test_page_names_are_safe_and_distinct() -> None:
    assert page_name("q-lung-06") == "q-lung-06"
    odd = ["Q/../1", "q/../1", "q 1", "../../etc", "<b>"]
    names = [page_name(i) for i in odd]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9_-]+", n) for n in names)


def test_past_the_split_size_an_index_links_a_page_per_question(
    demo: DemoResult, corpus: Corpus, tmp_path: Path
) -> None:
    out = tmp_path / "split"
    with SQLiteStore(demo.store_path) as store:
        paths, frame = write_report(store, corpus, out, title="Split", split_at=100)
    index = paths.html.read_text()
    assert len(paths.pages) == frame["question_id"].nunique() == 61
    assert "Answers, question by question" not in index  # the answers live on their pages
    question_list = index.split('<h2 id="questions">')[1]
    links = re.findall(r'<a href="(questions/[^"#]+)">', question_list)
    assert len(links) == 61 and re.search(
        r"fail", question_list.split(links[0])[0].rsplit("<tr>", 1)[1]
    )
    for page in [paths.html, *paths.pages]:
        html = page.read_text()
        assert "<style>" in html and "default-src 'none'" in html
        assert not re.search(r"""(src|href)=["']?(https?:)?//(?!www\.cancer\.gov)""", html)
        for target in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', html):
            assert (page.parent / target).resolve().is_file(), (page, target)
    first = (out / links[0]).read_text()
    assert '<span class="badge fail">fail</span>' in first and '<a href="../report.html">' in first
    # written again as one page, the old question pages go
    with SQLiteStore(demo.store_path) as store:
        paths, _ = write_report(store, corpus, out)
    assert not list((out / "questions").glob("*.html")) and paths.pages == ()


def test_a_question_with_many_answers_pages_through_them(demo: DemoResult, corpus: Corpus) -> None:
    with SQLiteStore(demo.store_path) as store:
        answers, evaluations = store.answers(), store.evaluations()
        decisions = store.latest_decisions()
        rows = question_rows(corpus, answers, evaluations, decisions)
        data = ReportData(
            "T", store.path, corpus, Path("."), store.runs(), answers, evaluations, decisions,
            frame=None, rules_path=Path("r"), rule_count=0,  # type: ignore[arg-type]
        )  # fmt: skip
    layout = Layout(rows, True, 1000, answers_per_page=1)
    row = rows[0]
    assert layout.question_pages(row) == 2
    second = render_question_page(data, layout, row, 2, "report.html")
    assert f'href="{question_page_name(row, 1)}">previous answers' in second
    assert question_page_name(row, 2) == f"{row.page}.p2.html"
    assert "Answers 2–2 of 2" in second


def test_many_runs_fold_into_one_line_at_the_top(
    store: Store, corpus: Corpus, tmp_path: Path
) -> None:
    for n in range(9):
        _add(store, corpus.questions[0].id, n)
    html = write_report(store, corpus, tmp_path / "out")[0].html.read_text()
    top = html.split("How far to trust")[0]
    assert "<details><summary>9 runs: prompt versions p@1; backends and models offline / m" in top
    assert top.count("<li>Run <code>") == 9  # still all there, folded


def test_ids_in_the_summary_wrap_at_their_separators_never_mid_word() -> None:
    from workbench.reports.render import breakable

    assert str(breakable("patient_answer@v1")) == "patient_<wbr>answer@<wbr>v1"
    assert str(breakable("ragas:gpt-4o<x>")) == "ragas:<wbr>gpt-<wbr>4o&lt;x&gt;"
    base = Path(__file__).resolve().parents[2] / "workbench/reports/templates/_base.html.j2"
    assert "overflow-wrap: anywhere" not in base.read_text()
