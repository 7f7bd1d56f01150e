"""The report opens in headless Chromium with no request leaving the page."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

from workbench.runs.demo import run_demo

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def test_the_report_loads_nothing_from_anywhere(tmp_path: Path) -> None:
    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    result = run_demo(tmp_path / "demo", limit=6, progress=False)
    page_url = result.paths.html.resolve().as_uri()
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
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
