"""The batch runner: batches resume where they stopped (nothing lost, nothing made twice), and
every entry point retries a failed judgment the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from workbench.data.datasets import Corpus
from workbench.errors import WorkbenchError
from workbench.generation.base import Generation
from workbench.generation.offline import OfflineComposer
from workbench.models import ClaimVerdict, EvaluationStatus, Excerpt, PromptTemplate, Question
from workbench.runs.batch import BatchReport, ascore_batch, generate_batch, score_batch
from workbench.scoring.base import FaithfulnessResult
from workbench.scoring.faithfulness import OfflineJudge
from workbench.store import Store


class CrashingComposer(OfflineComposer):
    """Dies (as a kill would) after `after` answers."""

    def __init__(self, after: int) -> None:
        self.after, self.calls = after, 0

    def generate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        self.calls += 1
        if self.calls > self.after:
            raise KeyboardInterrupt
        return super().generate(question, excerpts, prompt)


class PickyComposer(OfflineComposer):
    def generate(
        self, question: Question, excerpts: Sequence[Excerpt], prompt: PromptTemplate
    ) -> Generation:
        if question.id.endswith("2"):
            raise WorkbenchError("the endpoint refused this question")
        return super().generate(question, excerpts, prompt)


def test_a_crashed_batch_resumes_without_losing_or_repeating(store: Store, corpus: Corpus) -> None:
    questions = list(corpus.questions[:6])
    with pytest.raises(KeyboardInterrupt):
        generate_batch(
            store,
            corpus,
            CrashingComposer(after=3),
            "patient_answer@v1",
            questions,
            questions_source="t",
            progress=False,
        )
    assert len(store.answers()) == 3
    again = CrashingComposer(after=100)
    report = generate_batch(
        store, corpus, again, "patient_answer@v1", questions, questions_source="t", progress=False
    )
    assert (report.done, report.skipped, again.calls) == (3, 3, 3)
    assert sorted(a.question_id for a in store.answers()) == sorted(q.id for q in questions)


def test_a_failed_question_is_reported_and_the_batch_goes_on(store: Store, corpus: Corpus) -> None:
    questions = [q for q in corpus.questions if q.id.endswith(("1", "2"))][:4]
    report = generate_batch(
        store,
        corpus,
        PickyComposer(),
        "patient_answer@v1",
        questions,
        questions_source="t",
        progress=False,
    )
    failed = [qid for qid, _ in report.failed]
    assert failed and all(q.endswith("2") for q in failed)
    assert report.done == len(questions) - len(failed)


def test_scoring_scores_each_answer_once_unless_asked_again(store: Store, corpus: Corpus) -> None:
    generate_batch(
        store,
        corpus,
        OfflineComposer(),
        "patient_answer@v1",
        list(corpus.questions[:3]),
        questions_source="t",
        progress=False,
    )
    first = score_batch(store, corpus, OfflineJudge(), progress=False)
    second = score_batch(store, corpus, OfflineJudge(), progress=False)
    assert (first.done, second.done, second.skipped) == (3, 0, 3)
    assert score_batch(store, corpus, OfflineJudge(), rescore=True, progress=False).done == 3
    evaluations = store.evaluations()
    assert len(evaluations) == 3
    for ev in evaluations:
        assert ev.status is EvaluationStatus.SCORED and ev.fk_grade is not None
        assert ev.excerpt_versions


def test_a_changed_excerpt_makes_its_evaluations_stale_and_only_those_are_rescored(
    store: Store, corpus: Corpus
) -> None:
    from dataclasses import replace

    from workbench.scoring.staleness import stale_reasons

    generate_batch(
        store,
        corpus,
        OfflineComposer(),
        "patient_answer@v1",
        list(corpus.questions[:5]),
        questions_source="t",
        progress=False,
    )
    score_batch(store, corpus, OfflineJudge(), progress=False)
    target = store.answers()[0].retrieved_ids[0]
    changed = replace(
        corpus.excerpts[target],
        text=corpus.excerpts[target].text + " More.",
        version=corpus.excerpts[target].version + 1,
    )
    newer = replace(corpus, excerpts={**corpus.excerpts, target: changed})
    affected = {a.id for a in store.answers() if target in a.retrieved_ids}
    stale = {ev.answer_id for ev in store.evaluations() if stale_reasons(ev, newer.excerpts)}
    assert stale == affected and 0 < len(stale) < 5
    (ev,) = [e for e in store.evaluations() if e.answer_id in stale][:1]
    assert stale_reasons(ev, newer.excerpts) == [f"excerpt {target} changed (v1 -> v2)"]
    report = score_batch(store, newer, OfflineJudge(), stale=True, progress=False)
    assert report.done == len(affected)
    assert not any(stale_reasons(e, newer.excerpts) for e in store.evaluations())
    assert score_batch(store, newer, OfflineJudge(), stale=True, progress=False).done == 0


class _FailsOnce:
    """A judge whose first judgment of the first answer fails, as a cut-off reply would."""

    name = "flaky"

    def __init__(self) -> None:
        self.inner, self.seen = OfflineJudge(), set[str]()

    def _result(self, text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        first = not self.seen
        self.seen.add(text)
        if first:
            return FaithfulnessResult(
                EvaluationStatus.JUDGE_FAILED, None, (), "judge failed: the reply was cut off"
            )
        return self.inner.judge(text, excerpts)


class SyncFlakyJudge(_FailsOnce):
    def judge(self, answer_text: str, excerpts: Sequence[Excerpt]) -> FaithfulnessResult:
        return self._result(answer_text, excerpts)

    def verify(self, claims: Sequence[str], excerpts: Sequence[Excerpt]) -> list[ClaimVerdict]:
        return self.inner.verify(claims, excerpts)


class AsyncFlakyJudge(_FailsOnce):
    async def ajudge(
        self, answer_text: str, excerpts: Sequence[Excerpt], *, question: str | None = None
    ) -> FaithfulnessResult:
        await asyncio.sleep(0)  # a real await, as a remote judge makes
        return self._result(answer_text, excerpts)

    async def aclose(self) -> None:
        return None


def _score_sync(store: Store, corpus: Corpus, judge: object) -> BatchReport:
    return score_batch(store, corpus, judge, progress=False)  # type: ignore[arg-type]


def _score_async(store: Store, corpus: Corpus, judge: object) -> BatchReport:
    return asyncio.run(ascore_batch(store, corpus, judge, progress=False))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("entry", "make_judge"),
    [
        (_score_sync, SyncFlakyJudge),
        (_score_sync, AsyncFlakyJudge),
        (_score_async, AsyncFlakyJudge),
    ],
    ids=["sync-call-sync-judge", "sync-call-async-judge", "awaited-async-judge"],
)
def test_every_entry_point_retries_a_failed_judgment_the_same_way(
    store: Store,
    corpus: Corpus,
    entry: Callable[[Store, Corpus, object], BatchReport],
    make_judge: Callable[[], _FailsOnce],
) -> None:
    questions = list(corpus.questions[:3])
    generate_batch(
        store,
        corpus,
        OfflineComposer(),
        "patient_answer@v1",
        questions,
        questions_source="t",
        progress=False,
    )
    judge = make_judge()
    first = entry(store, corpus, judge)
    assert (first.done, len(first.failed), first.skipped) == (2, 1, 0)  # the failure is kept
    statuses = [e.status for e in store.evaluations(judge="flaky")]
    assert statuses.count(EvaluationStatus.JUDGE_FAILED) == 1
    again = entry(store, corpus, judge)  # only the failed one is judged again
    assert (again.done, again.skipped) == (1, 2)
    assert all(e.status is EvaluationStatus.SCORED for e in store.evaluations(judge="flaky"))
    third = entry(store, corpus, judge)
    assert (third.done, third.skipped) == (0, 3)
