"""The report opens in headless Chromium with no request leaving the page."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.chromium import ARGS, CHROMIUM, require_chromium
from workbench.data.datasets import Corpus
from workbench.reports.assemble import write_report
from workbench.runs.demo import DemoResult, run_demo
from workbench.store import SQLiteStore

SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def test_the_report_loads_nothing_from_anywhere(tmp_path: Path) -> None:
    require_chromium()
    result = run_demo(tmp_path / "demo", limit=6, progress=False)
    page_url = result.paths.html.resolve().as_uri()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_url, wait_until="networkidle")
        assert page.title() == "Demo: offline answers"
        assert page.locator("svg").count() >= 4
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert requests == [page_url]
    shutil.copy(tmp_path / "report.png", SCREENSHOTS / "report.png")


def test_a_split_report_fits_1280_px_and_opens_its_worst_question_offline(
    demo: DemoResult, corpus: Corpus, tmp_path: Path
) -> None:
    """The demo's report split into pages: the 17-column summary fits the page at 1280 px,
    the question list opens on the hard fail, and no page asks the network for anything."""
    with SQLiteStore(demo.store_path) as store:
        paths, _ = write_report(store, corpus, tmp_path / "split", title="Split", split_at=100)
    index_url = paths.html.resolve().as_uri()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(index_url, wait_until="networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        table, box = page.evaluate(
            "() => { const t = document.querySelector('table.summary');"
            " return [t.scrollWidth, t.parentElement.clientWidth]; }"
        )
        assert table <= box  # it fits; the box would scroll if a long model name made it wider
        assert page.locator("table.summary tr").first.locator("th").count() == 17
        page.screenshot(path=str(tmp_path / "top.png"))
        first = page.locator("table.questions a").first
        assert page.locator("table.questions tr").nth(1).locator(".badge.fail").count() == 1
        first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith(".html") and "/questions/" in page.url
        assert page.locator(".answer .badge.fail").count() == 1
        assert page.locator(".answer ul li").count() > 0  # its Markdown list renders
        page.screenshot(path=str(tmp_path / "question.png"))
        browser.close()
    assert all(r.startswith("file://") for r in requests) and len(requests) == 2
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "top.png", SCREENSHOTS / "report_top.png")
    shutil.copy(tmp_path / "question.png", SCREENSHOTS / "report_problem_question.png")


def test_the_demo_report_names_its_failing_answer_before_any_judge_statistics(
    demo: DemoResult,
) -> None:
    """By position on the page at 1280 px: a failing answer's row in "Needs a clinician"
    sits above the first judge statistic, and its link opens that answer."""
    require_chromium()
    with SQLiteStore(demo.store_path) as store:
        failing = [
            ev.answer_id for ev in store.evaluations() if ev.safety_failed
        ]  # the demo's hard fails
    assert failing
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(demo.paths.html.resolve().as_uri(), wait_until="networkidle")

        def top(selector: str) -> float:
            return float(page.locator(selector).first.bounding_box()["y"])  # type: ignore[index]

        row = "table.problems tr:has-text('failed safety rule')"
        shown = [i for i in failing if i in page.locator(row).first.inner_text()]
        assert len(shown) == 1
        assert top(row) < 1000  # on the first screen
        for statistic in ("text=ROC AUC", "text=gold claims", "#trust"):
            assert top(row) < top(statistic)
        assert top("#trust") > top("#questions")  # the scorers' statistics follow the answers
        page.locator(f"{row} a").first.click()
        target = page.evaluate("decodeURIComponent(location.hash.slice(1))")
        assert target.startswith(f"a-{shown[0]}-")
        assert page.locator(f"[id='{target}']").is_visible()
        assert page.locator(f"[id='{target}'] .badge.fail").count() == 1
        browser.close()
