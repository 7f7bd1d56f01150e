"""Generating and scoring as use cases: `generate` answers questions under prompt versions,
`score` judges what is not judged yet. Each opens the store for writing (its pages
checked first), gives its pre-flight before any endpoint call (and refuses above the
budget), runs the batch and returns what it did; a face prints it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from workbench.data.datasets import select_questions
from workbench.errors import ConfigError
from workbench.generation.backends import make_generator
from workbench.generation.retrieval import retriever_for
from workbench.llm.calls import CallStats
from workbench.llm.estimate import Estimate, check_budget
from workbench.llm.settings import LLMSettings
from workbench.models import Question
from workbench.reports.frame import evaluation_frame
from workbench.reports.retrieval import gold_for_report
from workbench.runs.batch import BatchReport, generate_batch, score_batch
from workbench.runs.guards import open_for_writing
from workbench.runs.options import GenerateOptions, ScoreOptions
from workbench.runs.plan import default_run_id, run_id_for
from workbench.runs.preflight import (
    PlansAnswers,
    PlansJudging,
    context_judging_preflight,
    generation_preflight,
    judging_preflight,
    local_server_note,
    safety_judging_preflight,
)
from workbench.scoring.evaluate import AsyncRelevanceJudge, warm_up
from workbench.scoring.judges import make_judge
from workbench.scoring.repeat import is_deterministic
from workbench.scoring.safety import unknown_cancer_types
from workbench.workspace import Workspace

if TYPE_CHECKING:
    from workbench.scoring.ragas_context import RagasContext

__all__ = ["BatchDone", "Notes", "ScoreResult", "generate", "score"]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True, slots=True)
class Notes:
    """Where a use case says things while it works: `say` (the pre-flight), `warn`."""

    say: Callable[[str], None] = _quiet
    warn: Callable[[str], None] = _quiet


@dataclass(frozen=True, slots=True)
class BatchDone:
    """One batch's outcome and the endpoint calls it made (None: it called none)."""

    report: BatchReport
    calls: CallStats | None = None


@dataclass(frozen=True, slots=True)
class ScoreResult:
    """The scoring batch, the LLM safety judge's calls, and the rows after it."""

    batch: BatchDone
    frame: pd.DataFrame
    safety_calls: CallStats | None = None


def _preflight(
    estimates: Sequence[Estimate],
    max_cost: float | None,
    settings: LLMSettings | None,
    notes: Notes,
) -> None:
    for e in estimates:
        notes.say(e.describe())
    note = local_server_note(settings) if settings is not None else None
    if note and any(e.calls > e.cached for e in estimates):
        notes.say(note)
    check_budget(estimates, max_cost)


def _unknown_cancer_types(questions: Sequence[Question], ws: Workspace, notes: Notes) -> None:
    """A warning (not an error: new cancer types are welcome) naming the known ones."""
    unknown = unknown_cancer_types(questions, ws.rules)
    if not unknown:
        return
    known = ", ".join(c.id for c in ws.rules.cancer_types)
    shown = ", ".join(f"{qid} ({kind!r})" for qid, kind in unknown[:10])
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    notes.warn(
        f"workbench: warning: {ws.questions}: the safety rules ({ws.rules_file}) do not know the "
        f"cancer type of {shown}{more}; known: {known}, general. Their answers are made and "
        "scored, but the investigational-therapy rule can only go by the question's words"
    )


def generate(o: GenerateOptions, notes: Notes = Notes()) -> list[BatchDone]:
    """Answer the chosen questions under each prompt version; one run each."""
    ws, corpus = o.workspace, o.workspace.corpus
    keys = list(o.prompts) or sorted(corpus.prompts)
    missing = [k for k in keys if k not in corpus.prompts]
    if missing:
        raise ConfigError(f"--prompt: unknown {missing}; known: {sorted(corpus.prompts)}")
    questions = select_questions(
        corpus, cancer_types=o.cancer_types, ids=o.question_ids, limit=o.limit
    )
    _unknown_cancer_types(questions, ws, notes)
    generator = make_generator(
        o.backend, settings=o.llm, cache_path=ws.cache_path, prices=ws.prices
    )
    run_ids = {
        k: run_id_for(o.run_name, k, len(keys)) or default_run_id(k, generator) for k in keys
    }
    retriever = retriever_for(corpus.excerpts.values())
    llm = generator if isinstance(generator, PlansAnswers) else None
    done = []
    with open_for_writing(ws, create=True) as store:
        if llm is not None:
            plan = generation_preflight(store, corpus, llm, questions, run_ids, retriever=retriever)
            _preflight([plan], o.max_cost, llm.client.settings, notes)
        for key in keys:
            if llm is not None:
                llm.client.stats = CallStats()  # each run's summary counts its own calls
            report = generate_batch(
                store,
                corpus,
                generator,
                key,
                questions,
                questions_source=str(ws.questions),
                run_id=run_ids[key],
                retriever=retriever,
                progress=o.progress,
            )
            done.append(BatchDone(report, llm.client.stats if llm else None))
    return done


def _ragas_relevance(judge: object, o: ScoreOptions) -> AsyncRelevanceJudge | None:
    """ragas' response relevancy beside the offline judge: `--judge ragas --ragas-relevancy`."""
    client = getattr(judge, "client", None)
    if not o.ragas_relevancy or o.judge != "ragas" or client is None:
        return None
    from workbench.scoring.ragas_relevance import RagasRelevance  # imports ragas

    return RagasRelevance(client, max_tokens=getattr(judge, "max_tokens", 1024))


def _ragas_context(judge: object, o: ScoreOptions) -> RagasContext | None:
    """ragas' context figures of the retrieved excerpts: `--judge ragas --ragas-context`,
    the ID-based ones against the workspace's gold relevant excerpts."""
    client = getattr(judge, "client", None)
    if not o.ragas_context or o.judge != "ragas" or client is None:
        return None
    from workbench.scoring.ragas_context import RagasContext  # imports ragas

    gold = {g.question_id: tuple(g.relevant) for g in gold_for_report(o.workspace.datasets)}
    return RagasContext(client, gold=gold, max_tokens=getattr(judge, "max_tokens", 1024))


def score(o: ScoreOptions, notes: Notes = Notes()) -> ScoreResult:
    """Judge every answer not yet judged (or whose judging failed), with safety and
    readability; return the batch and the rows."""
    if o.repeat < 1:
        raise ConfigError(f"--repeat must be at least 1, not {o.repeat}")
    ws, corpus = o.workspace, o.workspace.corpus
    judge = make_judge(
        o.judge,
        settings=o.llm,
        cache_path=ws.cache_path,
        prices=ws.prices,
        max_tokens=o.judge_max_tokens,
    )
    llm = judge if isinstance(judge, PlansJudging) else None
    if o.repeat > 1 and is_deterministic(judge.name):
        notes.say(
            f"judge {judge.name} is deterministic (the same answer always gets the same "
            f"judgment): each answer is judged once, not {o.repeat} times"
        )
    safety = None
    if o.safety_llm is not None:
        from workbench.scoring.safety_llm import open_safety_judge  # imports the LLM path

        safety = open_safety_judge(o.safety_llm, ws.rules, cache_path=ws.cache_path)
    context = _ragas_context(judge, o)
    with open_for_writing(ws) as store:
        plans = [
            judging_preflight(
                store,
                corpus,
                llm,
                run_ids=o.run_ids,
                rescore=o.rescore,
                stale=o.stale,
                repeat=o.repeat,
            )
            for llm in ([llm] if llm is not None else [])
        ]
        if safety is not None:
            plans.append(
                safety_judging_preflight(
                    store,
                    corpus,
                    safety,
                    judge.name,
                    run_ids=o.run_ids,
                    rescore=o.rescore,
                    stale=o.stale,
                )
            )
        if context is not None:
            plans.append(
                context_judging_preflight(
                    store,
                    corpus,
                    context,
                    judge.name,
                    run_ids=o.run_ids,
                    rescore=o.rescore,
                    stale=o.stale,
                    repeat=o.repeat,
                )
            )
        if plans:
            settings = llm.client.settings if llm is not None else None
            _preflight(plans, o.max_cost, settings, notes)
            # rules, the model layer and word lists load now, not while the first replies wait
            warm_up(ws.rules, safety_model=o.safety_model)
        report = score_batch(
            store,
            corpus,
            judge,
            run_ids=o.run_ids,
            rules=ws.rules,
            rescore=o.rescore,
            stale=o.stale,
            progress=o.progress,
            safety_judge=safety,
            repeat=o.repeat,
            relevance_judge=_ragas_relevance(judge, o),
            context_judge=context,
            safety_model=o.safety_model,
        )
        frame = evaluation_frame(store, corpus)
    return ScoreResult(
        BatchDone(report, llm.client.stats if llm is not None else None),
        frame,
        safety.client.stats if safety is not None else None,
    )
