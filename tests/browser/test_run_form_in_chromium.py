"""The run form against a live endpoint, clicked in a real browser.

A launcher notebook (the run form only) is served by Voila, its kernel pointed at the
loopback chat-completions server through the standard variables. Headless Debian
Chromium presses Run: the job runs as a task in the kernel's event loop, the bar reaches
its end, the summary rows show, and the key is nowhere on the page. A screenshot is left
at reports/browser/run_form.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api

from tests.browser.test_review_in_chromium import _free_port, _wait_for_port
from tests.chromium import ARGS, CHROMIUM
from tests.loopback import LoopbackServer
from workbench.store import SQLiteStore

KEY = "sk-browser-DO-NOT-LEAK-777"
SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "browser" / "run_form.png"
CELLS = [
    "from workbench.ui import run_app",
    'app = run_app(cancer_types=["lung"], limit=2, prompts=["patient_answer@v1"],\n'
    '              backend="openai", judge="ragas")\napp.widget',
]


def _notebook(path: Path) -> Path:
    cells = [
        {"cell_type": "code", "metadata": {}, "source": src, "outputs": [],
         "execution_count": None}
        for src in CELLS
    ]  # fmt: skip
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb = {"cells": cells, "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb))
    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, LoopbackServer]]:
    db, port, log = tmp_path / "run.db", _free_port(), tmp_path / "voila.log"
    with LoopbackServer() as llm:
        env = dict(os.environ, OPENAI_BASE_URL=llm.url, OPENAI_API_KEY=KEY,
                   WORKBENCH_MODEL="gpt-4o-mini", WORKBENCH_STORE=str(db),
                   RAGAS_DO_NOT_TRACK="true", XDG_DATA_HOME=str(tmp_path / "xdg"))  # fmt: skip
        for name in ("WORKBENCH_JUDGE_MODEL", "WORKBENCH_JUDGE_BASE_URL", "WORKBENCH_DATASETS"):
            env.pop(name, None)
        command = [sys.executable, "-m", "voila", str(_notebook(tmp_path / "run.ipynb")),
                   "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0",
                   "--Voila.open_browser=False"]  # fmt: skip
        with log.open("wb") as out:
            server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out,
                                      stderr=subprocess.STDOUT)  # fmt: skip
        try:
            _wait_for_port(port, server, log)
            yield f"http://127.0.0.1:{port}/", db, llm
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def test_run_with_a_live_endpoint_by_clicking_in_chromium(
    served: tuple[str, Path, LoopbackServer],
) -> None:
    url, db, llm = served
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(url, timeout=120_000)
            run = page.locator(".wb-run")
            run.wait_for(timeout=120_000)
            assert page.locator(".wb-max-cost input").count() == 1
            run.click()
            page.locator(".wb-step").get_by_text("done").wait_for(timeout=120_000)
            page.locator(".wb-status").get_by_text("answers in runs").wait_for()
            body = page.locator("body").inner_text()
            assert "pre-flight generation (gpt-4o-mini" in body and "patient_answer@v1" in body
            bar = page.locator(".wb-progress .progress-bar").first
            assert bar.evaluate("e => e.style.width") == "100%"
            assert page.locator(".wb-rows table tr").count() == 2  # the summary rows
            assert KEY not in page.content()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    with SQLiteStore(db) as store:
        assert len(store.answers()) == 2
        assert {e.judge for e in store.evaluations()} == {"ragas:gpt-4o-mini"}
    assert llm.calls == 2 + 2 * 2
