"""What the run and tuning forms' controllers share: running a job from a form.

`FormJob` builds a `workbench.runs.job.RunJob` from the form's values, shows its
pre-flight and refuses it above the cost cap, then runs it as a task in the kernel's
event loop, so the widgets stay live: the progress bar moves per answer written and per
answer judged, failed items are listed in the form as they happen, and Cancel stops the
task and keeps what it finished. Outside a running loop (a script, a test) the same job
runs to its end in place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from markupsafe import Markup

from workbench.data.datasets import select_questions
from workbench.errors import ConfigError
from workbench.reports.render import error_table, line_list
from workbench.runs.batch import ItemDone
from workbench.runs.choices import BACKENDS, JUDGES, Estimate, Store, check_budget
from workbench.runs.job import JobReport, RunJob
from workbench.ui.events import attempt
from workbench.ui.forms import RunFormView, RunSpec, TuningView
from workbench.workspace import Workspace

__all__ = ["FORM_BACKENDS", "FORM_JUDGES", "FormJob", "start_task"]

FORM_BACKENDS = BACKENDS
FORM_JUDGES = JUDGES

T = TypeVar("T")
_LOG = logging.getLogger("workbench.ui")
_STAGE = {"generate": "writing", "score": "judging"}


def start_task(work: Callable[[], Coroutine[Any, Any, T]]) -> asyncio.Task[T] | T:
    """Run `work()` as a task of the running loop (a kernel's), or to its end here."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work())
    task = loop.create_task(work())
    task.add_done_callback(_log_failure)
    return task


def _log_failure(task: asyncio.Task[Any]) -> None:
    """A job that failed (not refused, not cancelled) reaches the kernel's log too."""
    if not task.cancelled() and task.exception() is not None:
        _LOG.error("a form's job failed", exc_info=task.exception())


class FormJob:
    """A form's job: build, pre-flight, run with progress and Cancel, list what failed."""

    def __init__(self, store: Store, data: Workspace, form: RunFormView | TuningView) -> None:
        self.store, self.data, self.form = store, data, form
        self.task: asyncio.Task[Any] | None = None
        self.job: RunJob | None = None
        self._done = self._total = 0

    def show_error(self, message: str) -> None:
        self.form.show_notice("error", message)

    def build(self, spec: RunSpec) -> RunJob:
        """The job the form's values describe (ConfigError says what to change)."""
        questions = select_questions(
            self.data.corpus,
            cancer_types=spec.cancer_types,
            ids=spec.question_ids,
            limit=spec.limit,
        )
        if not questions:
            raise ConfigError("no question matches the filter: widen it")
        keys = list(spec.prompts) or sorted(self.data.corpus.prompts)
        e = spec.endpoints
        return RunJob(
            self.store,
            self.data,
            e.make_generator(self.data.cache_path),
            e.make_judge(self.data.cache_path),
            keys,
            questions,
            run_name=spec.run_name,
        )

    def show_preflight(self, estimates: list[Estimate], job: RunJob) -> None:
        lines = [e.describe() for e in estimates] or [
            f"{job.generator.name} backend and {job.judge.name} judge run here: "
            "no endpoint call, nothing to pay."
        ]
        self.form.live.show_preflight(line_list("Pre-flight", lines))

    def preflight(self, spec: Callable[[], RunSpec]) -> list[Estimate] | None:
        """What the Pre-flight button does: count calls, cache hits, tokens and cost."""

        def check() -> list[Estimate]:
            job = self.build(spec())
            estimates = job.preflight()
            self.show_preflight(estimates, job)
            return estimates

        self.form.show_notice("info", "Counting the calls…")
        made = attempt(self.show_error, "Pre-flight", check, refused="stopped")
        if made is not None:
            self.form.show_notice("ok", "Pre-flight done: Run starts it.")
        return made

    def cancel(self) -> None:
        """Stop the running job; what it finished stays in the store."""
        if self.task is not None and not self.task.done():
            self.form.show_notice("info", "Cancelling: finished answers are kept…")
            self.task.cancel()

    async def arun(self, spec: Callable[[], RunSpec]) -> JobReport | None:
        """Pre-flight, then the job, the bar moving per item; None when it was refused."""
        job = attempt(self.show_error, "Run", lambda: self._checked(spec()), refused="stopped")
        if job is None:
            return None
        self.job = job
        self.form.live.show_errors(error_table("", []))
        self._done, self._total = 0, job.total()
        self.form.show_progress(0, self._total, "starting")
        try:
            report = await job.arun(on_item=self._tick)
        except asyncio.CancelledError:
            report = job.report
            report.cancelled = True
        except Exception as exc:
            self.show_error(f"Run NOT FINISHED: {type(exc).__name__}: {exc}")
            raise
        label = "cancelled" if report.cancelled else "done"
        if not report.cancelled:
            self._done = self._total
        self.form.show_progress(self._done, self._total, label)
        return report

    def _checked(self, spec: RunSpec) -> RunJob:
        """The job, its pre-flight shown; refused (BudgetError) above the cost cap."""
        job = self.build(spec)
        estimates = job.preflight()
        self.show_preflight(estimates, job)
        check_budget(estimates, spec.max_cost)
        return job

    def _tick(self, item: ItemDone) -> None:
        self._done += 1
        if item.error is not None and item.stage == "generate":
            self._total -= 1  # an answer not written will not be judged
        self.form.show_progress(
            self._done,
            self._total,
            f"{_STAGE[item.stage]} {item.question_id} ({item.done} of {item.total})",
        )
        if item.error is not None and self.job is not None:
            self.form.live.show_errors(self._errors(self.job))

    def _errors(self, job: RunJob) -> Markup:
        questions = {q.id: q.text for q in self.data.corpus.questions}
        rows = [
            (e.stage, questions.get(e.question_id, e.question_id), e.item_id, e.message)
            for e in job.report.errors
        ]
        return error_table(f"{len(rows)} failed (the rest went on):", rows)
