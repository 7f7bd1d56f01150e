"""A clinician's clicks in a real browser: `workbench review` served by Voila, in Chromium.

Starts the command on a free loopback port over a small scored store, opens it in headless
Debian Chromium driven by Playwright, approves one answer and rejects another with a
reason, then reads both decisions back from the store. The action bar must sit beside
the answer, in sight without scrolling. A screenshot is left at
reports/browser/review_panel.png for people to look at. `.ci/run` installs Chromium;
elsewhere the test fails when there is none, naming the package to install.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from tests.chromium import ARGS, CHROMIUM, require_chromium
from workbench.data.datasets import Corpus, select_questions
from workbench.generation.offline import OfflineComposer
from workbench.models import ClaimVerdict, SafetyFinding, Severity, Verdict
from workbench.runs.batch import generate_batch, score_batch
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.safety import load_rules
from workbench.store import SQLiteStore

SCREENSHOT = Path(__file__).resolve().parents[2] / "reports" / "browser" / "review_panel.png"

# No skip: a missing browser must not pass quietly (.ci/run installs it when missing).
require_chromium()

from playwright import sync_api  # noqa: E402  (after the browser check, on purpose)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"workbench review exited: {log.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    pytest.fail(f"workbench review did not listen on {port}: {log.read_text()}")


def _scored_store(tmp_path: Path, corpus: Corpus) -> Path:
    db = tmp_path / "review.db"
    with SQLiteStore(db) as store:
        questions = select_questions(corpus, cancer_types=["breast"], limit=3)
        generate_batch(store, corpus, OfflineComposer(), "patient_answer@v1", questions,
                       questions_source="browser test", progress=False)  # fmt: skip
        score_batch(store, corpus, OfflineJudge(), rules=load_rules(), progress=False)
    return db


@contextmanager
def _serving(db: Path, tmp_path: Path, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    """`workbench review` over `db` on a free port: the server process, `.port` set."""
    port, log = _free_port(), tmp_path / "voila.log"
    command = [str(Path(sys.executable).with_name("workbench")), "review", "--store", str(db),
               "--port", str(port), "--no-browser", *options]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    server.port = port  # type: ignore[attr-defined]
    try:
        _wait_for_port(port, server, log)
        yield server
    finally:
        server.terminate()  # the command became Voila: this pid is the server
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def served(tmp_path: Path, corpus: Corpus) -> Iterator[tuple[str, Path]]:
    db = _scored_store(tmp_path, corpus)
    with _serving(db, tmp_path) as server:
        yield f"http://127.0.0.1:{server.port}/", db  # type: ignore[attr-defined]


def _kernels(server: subprocess.Popen[bytes]) -> int:
    """The kernels the server runs now: its child processes running ipykernel."""
    count = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        count += ppid == server.pid and b"ipykernel" in cmdline
    return count


def _open_desk(page: sync_api.Page, url: str) -> None:
    page.goto(url, timeout=120_000)
    page.locator(".wb-reviewer input").wait_for(timeout=120_000)  # the notebook ran


def test_the_desk_loads_nothing_from_outside_and_closed_pages_free_their_kernels(
    tmp_path: Path, corpus: Corpus
) -> None:
    """Every request of two page loads is recorded: none leaves 127.0.0.1. Each load has
    its kernel; once both pages are closed, the server shuts their kernels down."""
    db = _scored_store(tmp_path, corpus)
    with _serving(db, tmp_path, "--cull-after", "20") as server:
        url = f"http://127.0.0.1:{server.port}/"  # type: ignore[attr-defined]
        requests: list[str] = []
        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                context = browser.new_context()
                context.on("request", lambda r: requests.append(r.url))
                pages = [context.new_page() for _ in range(2)]
                for page in pages:
                    _open_desk(page, url)
                pages[0].locator(".wb-reviewer input").fill("Dr Browser")
                pages[0].locator(".wb-start").click()
                pages[0].locator(".wb-approve").wait_for()
                assert _kernels(server) == 2
                for page in pages:
                    page.close()
            finally:
                browser.close()
        # Long enough that a kernel is not taken while its page still loads on a busy
        # machine (Voila runs the notebook before the page connects to its kernel).
        deadline = time.monotonic() + 120
        while _kernels(server) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _kernels(server) == 0
    assert len(requests) > 20  # the page, its scripts, styles and the kernel's sockets
    outside = [r for r in requests if not r.startswith(("http://127.0.0.1:", "ws://127.0.0.1:"))]
    assert outside == []


def test_approve_and_reject_by_clicking_in_chromium(served: tuple[str, Path]) -> None:
    url, db = served
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 2300})
            page.goto(url, timeout=120_000)
            name = page.locator(".wb-reviewer input")
            name.wait_for(timeout=120_000)  # Voila runs the notebook first
            name.fill("Dr Browser")
            page.locator(".wb-start").click()
            page.locator(".wb-approve").wait_for()
            assert page.locator("body").inner_text().count("a = ") == 0  # no code cells shown
            first = page.locator(".wb-header-box code").first.inner_text()
            answer = page.locator(".wb-answer").bounding_box()
            approve = page.locator(".wb-approve").bounding_box()
            assert answer and approve  # in sight on a 1280 x 800 screen, no scrolling
            assert approve["y"] + approve["height"] <= 800
            assert approve["x"] > answer["x"] + answer["width"]  # beside the answer
            assert approve["y"] < answer["y"] + answer["height"]
            page.locator(".wb-approve").click()
            status = page.locator(".wb-status")
            status.get_by_text("Saved: approve of the answer to “").wait_for()
            second = page.locator(".wb-header-box code").first.inner_text()
            page.locator(".wb-reason textarea").fill("Overstates what the trial showed.")
            page.locator(".wb-reject").click()
            status.get_by_text("Saved: reject").wait_for()
            page.locator(".wb-filter").scroll_into_view_if_needed()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    with SQLiteStore(db) as store:
        got = [(d.answer_id, d.decision.value, d.reviewer, d.reason) for d in store.decisions()]
    assert got == [
        (first, "approve", "Dr Browser", ""),
        (second, "reject", "Dr Browser", "Overstates what the trial showed."),
    ]
    assert first != second and SCREENSHOT.stat().st_size > 10_000


def test_the_failing_rule_leads_the_answer_and_labels_are_whole(
    tmp_path: Path, corpus: Corpus
) -> None:
    """At 1000 px high: the failed rule's message is above the answer and on screen; the
    override label is not cut; each claim's radio button sits on its claim's first line."""
    db = _scored_store(tmp_path, corpus)
    fail = SafetyFinding(
        "stop-standard-treatment", Severity.FAIL, "Tells the reader to stop treatment.", "h"
    )
    long_claim = ClaimVerdict(
        "CAR-T cell therapy for breast cancer is being studied only in clinical trials, and a "
        "person in such a trial who gets a fever, feels faint or becomes confused should call "
        "the care team right away or go to the emergency room, day or night.",
        None, Verdict.SUPPORTED, "The excerpt says so.", None, None, "offline", 0.9,
    )  # fmt: skip
    with SQLiteStore(db) as store:
        target = store.answers()[0].id
        for ev in store.evaluations_of(target):  # a claim of several lines among its claims
            store.add_evaluation(
                replace(ev, safety=(*ev.safety, fail), claims=(*ev.claims, long_claim))
            )
    with _serving(db, tmp_path) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            _open_desk(page, f"http://127.0.0.1:{server.port}/")  # type: ignore[attr-defined]
            page.locator(".wb-reviewer input").fill("Dr Browser")
            page.locator(".wb-start").click()
            page.locator(".wb-filter").get_by_text("flagged").click()
            problem = page.locator(".wb-problems").get_by_text("Tells the reader to stop")
            problem.wait_for()
            box, answer = problem.bounding_box(), page.locator(".wb-answer").bounding_box()
            assert box and answer and box["y"] + box["height"] <= min(answer["y"], 1000)
            label = page.locator(".wb-override label.widget-label-basic")
            assert label.is_visible() and label.inner_text() == "Override failed safety rules"
            cut = label.evaluate(
                "e => [...e.querySelectorAll('*'), e].some("
                "n => n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).overflow"
                " !== 'visible')"
            )
            assert not cut
            lines = page.locator(".wb-claims .widget-radio-box label")
            assert lines.count() > 0
            for n in range(lines.count()):
                offset = lines.nth(n).evaluate(
                    "l => l.querySelector('input').getBoundingClientRect().top"
                    " - l.getBoundingClientRect().top"
                )
                assert offset < 12  # on the first line of the claim, however long it is
            tall = lines.evaluate_all("ls => Math.max(...ls.map(l => l.offsetHeight))")
            assert tall > 30  # a claim of several lines was among them
        finally:
            browser.close()
