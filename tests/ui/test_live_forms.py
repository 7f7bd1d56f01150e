"""The run and tuning forms against a live endpoint: the loopback chat-completions server.

Each test clicks Run inside a running event loop, as a kernel would: the click starts the
job as a task and returns at once; the test then awaits the task (or clicks Cancel while
it runs) and reads the form.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.llm.conftest import KEY, _no_analytics_no_stray_endpoint, llm_env, server
from tests.loopback import LoopbackServer, Reply, smart_reply
from workbench.store import SQLiteStore
from workbench.ui import run_app, tuning_app

__all__ = ["_no_analytics_no_stray_endpoint", "llm_env", "server"]  # fixtures used here


def _values(widget: Any) -> list[str]:
    """Every string a widget tree shows: values, descriptions, placeholders, options."""
    out: list[str] = []
    for name in ("value", "description", "placeholder", "tooltip"):
        v = getattr(widget, name, None)
        if isinstance(v, str):
            out.append(v)
    out += [str(o) for o in getattr(widget, "options", ())]
    for child in getattr(widget, "children", ()):
        out += _values(child)
    return out


def _click_and_watch(app: Any, button: Any) -> tuple[asyncio.Task[Any], list[int]]:
    seen: list[int] = []
    app.view.progress.observe(lambda ch: seen.append(ch["new"]), names="value")
    button.click()
    assert app.task is not None and not app.task.done()  # the click returned; the job runs
    return app.task, seen


def test_run_form_generates_and_judges_with_a_live_endpoint(
    llm_env: LoopbackServer, tmp_path: Path
) -> None:
    app = run_app(tmp_path / "run.db", cancer_types=["lung"], limit=2, backend="openai",
                  judge="ragas")  # fmt: skip
    live = app.view.live
    assert (live.model.value, live.base_url.value) == ("gpt-4o-mini", llm_env.url)
    assert not live.model.disabled and not live.judge_model.disabled
    shown = " ".join(_values(app.widget))
    assert KEY not in shown and "API key: set in OPENAI_API_KEY" in shown

    async def kernel() -> None:
        task, seen = _click_and_watch(app, app.view.run)
        await task
        assert seen == list(range(1, 9))  # a step per answer written, then per answer judged

    app.view.live.max_cost.value = "1"
    asyncio.run(kernel())
    v = app.view
    assert v.progress.value == v.progress.max and v.step.value == "done"
    assert "pre-flight generation (gpt-4o-mini" in v.live.preflight.value
    assert "pre-flight judging (gpt-4o-mini" in v.live.preflight.value
    assert len(app.results) == 4 and set(app.results["judge"]) == {"ragas:gpt-4o-mini"}
    assert app.results["faithfulness"].notna().all()
    assert "4 answers in runs" in v.status.value and not v.run.disabled and v.live.cancel.disabled
    # One call per answer, two per judgment of a distinct answer text: the two prompt
    # versions get the same reply here, and an identical judge call in flight waits for
    # the first one's reply instead of going out again (whatever the machine's load).
    assert app.results["answer"].nunique() == 2
    assert llm_env.calls == 4 + 2 * 2


def test_the_cost_cap_refuses_a_run_before_any_call(
    llm_env: LoopbackServer, tmp_path: Path
) -> None:
    app = run_app(tmp_path / "run.db", cancer_types=["lung"], limit=2, backend="openai",
                  judge="ragas", max_cost=0.00001)  # fmt: skip
    app.view.live.check.click()  # the pre-flight alone
    assert "pre-flight generation" in app.view.live.preflight.value and llm_env.calls == 0
    asyncio.run(app.arun())
    assert "Run stopped: this run may cost up to $" in app.view.status.value
    assert llm_env.calls == 0 and app.results.empty
    app.view.live.max_cost.value = "ten"
    app.view.run.click()
    assert "cost cap &#39;ten&#39;: give a number of US dollars" in app.view.status.value


def test_failed_answers_are_listed_in_the_form_and_the_rest_go_on(
    llm_env: LoopbackServer, tmp_path: Path
) -> None:
    app = run_app(tmp_path / "run.db", question_ids=["q-lung-01", "q-lung-02"],
                  prompts=["patient_answer@v1"], backend="openai")  # fmt: skip
    questions = {q.id: q.text for q in app.data.corpus.questions}

    def q2_fails(request: dict[str, Any]) -> Reply:
        if questions["q-lung-02"] in str(request["messages"][-1]["content"]):
            return Reply(status=400)  # not retried: a bad request stays bad
        return smart_reply(request)

    llm_env.responder = q2_fails
    asyncio.run(app.arun())
    errors = app.view.live.errors.value
    assert "1 failed (the rest went on)" in errors and "q-lung-02" in errors
    assert questions["q-lung-02"] in errors
    assert list(app.results["question_id"]) == ["q-lung-01"]
    assert "1 failed: listed below" in app.view.status.value
    assert app.view.progress.value == app.view.progress.max


def test_cancel_stops_the_run_and_keeps_what_finished(
    llm_env: LoopbackServer, tmp_path: Path
) -> None:
    db = tmp_path / "run.db"
    app = run_app(db, cancer_types=["breast"], limit=6, prompts=["patient_answer@v1"],
                  backend="openai")  # fmt: skip
    quick = next(q.text for q in app.data.corpus.questions if q.id == "q-breast-01")

    def one_quick_answer(request: dict[str, Any]) -> Reply:
        reply = smart_reply(request)
        reply.delay = 0.0 if quick in str(request["messages"][-1]["content"]) else 1.5
        return reply

    llm_env.responder = one_quick_answer

    async def kernel() -> None:
        task, seen = _click_and_watch(app, app.view.run)
        while not seen:  # the widgets stay live: the loop runs the job and this test
            await asyncio.sleep(0.02)
        app.view.live.cancel.click()
        await task  # the job ends cleanly: no CancelledError out of the form
        assert task.done() and not task.cancelled()

    asyncio.run(kernel())
    assert "Cancelled:" in app.view.status.value and app.view.step.value == "cancelled"
    assert app.report is not None and app.report.cancelled
    with SQLiteStore(db) as store:
        kept = len(store.answers())
    assert kept == app.report.generated == 1  # the quick one; the five in flight were dropped
    asyncio.run(app.arun())  # Run again: only the rest
    with SQLiteStore(db) as store:
        assert len(store.answers()) == 6
    assert app.report is not None and app.report.generated == 6 - kept


def test_the_tuning_form_compares_two_versions_with_the_ragas_judge(
    llm_env: LoopbackServer, tmp_path: Path
) -> None:
    app = tuning_app(tmp_path / "t.db", cancer_type="lung", limit=1, judge="ragas")
    app.view.left.value, app.view.right.value = "patient_answer@v1", "patient_answer@v2"
    asyncio.run(app.acompare())
    assert app.view.table.value.count("judge ragas:gpt-4o-mini: scored") == 2
    assert llm_env.calls == 4  # offline answers, two judge calls each
    assert list(app.comparison["question_id"]) == ["q-lung-01"]
    app.view.right.value = "patient_answer@v1"
    app.view.compare.click()
    assert "on both sides: choose two versions" in app.view.status.value


def test_a_live_backend_without_settings_says_what_to_set(tmp_path: Path) -> None:
    app = run_app(tmp_path / "run.db", cancer_types=["lung"], limit=1, backend="openai")
    assert app.view.live.model.value == "" and "API key: none set" in app.view.live.key.value
    app.view.run.click()
    assert "Run stopped: no model name: set WORKBENCH_MODEL" in app.view.status.value
