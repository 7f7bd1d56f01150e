"""Prompt comparison: two runs on the same questions, paired question by question.

Faithfulness differences get a paired bootstrap interval and win / loss / tie counts
(an answer judged several times counts with its mean), relevance differences (does the
answer answer the question) a paired interval too;
safety rules that started or stopped firing are counted; the questions that moved most
come first, with both answers, so a reader can see what changed. The scores compared
are one judge's: the one that scored the two runs, or the one named (`pick_judge`); a
judge that scored neither run is refused, never compared as empty numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.data.datasets import Corpus
from workbench.errors import ConfigError
from workbench.models import Answer, Evaluation, EvaluationStatus, Run
from workbench.reports.stats import Estimate, WinLossTie, paired_difference, win_loss_tie
from workbench.store import Store

__all__ = ["Comparison", "compare_runs", "pick_judge", "resolve_run"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Run B against run A (differences are B minus A)."""

    run_a: str
    run_b: str
    judge: str
    rows: pd.DataFrame  # one row per paired question, biggest movement first
    faithfulness: Estimate  # paired mean difference, over questions scored in both
    outcome: WinLossTie  # B's wins, losses and ties on faithfulness
    grade: Estimate  # paired mean difference in Flesch-Kincaid grade (lower reads easier)
    relevance: Estimate  # paired mean difference in relevance, over questions judged in both
    rule_changes: pd.DataFrame  # rule, answers firing in A, in B, started, stopped
    unpaired: int  # questions answered in only one of the runs


def _relevance(ev: Evaluation | None) -> float | None:
    return ev.relevance.score if ev is not None and ev.relevance is not None else None


def _rules(ev: Evaluation | None) -> set[str]:
    return {f.rule_id for f in ev.safety} if ev else set()


def resolve_run(runs: Sequence[Run], name: str, *, where: str = "the store") -> str:
    """The id of the run `name` names: a run id, or a prompt version only one run used.

    A prompt version several runs used, or a name no run has, is a `ConfigError` that
    lists the candidates.
    """
    ids = [r.id for r in runs]
    if name in ids:
        return name
    matches = [r.id for r in runs if r.prompt_key == name]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ConfigError(
            f"{name!r} names {len(matches)} runs in {where}; give one run id: " + ", ".join(matches)
        )
    known = sorted(set(ids) | {r.prompt_key for r in runs})
    raise ConfigError(
        f"no run or prompt version {name!r} in {where}; "
        + (f"known: {', '.join(known)}" if known else "it has no runs yet")
    )


def pick_judge(evaluations: Sequence[Evaluation], wanted: str | None, where: str) -> str:
    """The judge whose scores to use: `wanted`, else the only one that scored these answers.

    A `ConfigError` names the judges there when `wanted` is not one of them, when
    several are and none was named, or says that nothing is scored yet.
    """
    judges = sorted({ev.judge for ev in evaluations})
    if not judges:
        raise ConfigError(
            f"no answer of these runs is scored in {where}: `workbench score` scores them"
        )
    if wanted is not None:
        if wanted not in judges:
            raise ConfigError(
                f"judge {wanted!r} scored none of these answers in {where}; "
                f"judges there: {', '.join(judges)} (choose one with --judge)"
            )
        return wanted
    if len(judges) > 1:
        raise ConfigError(
            f"several judges scored these answers in {where}: choose one with --judge "
            f"({', '.join(judges)})"
        )
    return judges[0]


def _first_answers(store: Store, run_id: str) -> dict[str, Answer]:
    answers = store.answers(run_ids=[run_id])
    if not answers:
        raise ConfigError(f"run {run_id!r} has no answers in {store.location}")
    return {a.question_id: a for a in answers if a.parent_id is None}


def compare_runs(
    store: Store,
    corpus: Corpus,
    run_a: str,
    run_b: str,
    *,
    judge: str | None = None,
    evaluations: Sequence[Evaluation] | None = None,
) -> Comparison:
    """Compare two runs' generated answers on the questions both answered.

    Under `judge`, or the only judge that scored them (`pick_judge`: a `ConfigError`
    otherwise). Pass `evaluations` (of any judges) when they are already loaded.
    """
    a_answers, b_answers = _first_answers(store, run_a), _first_answers(store, run_b)
    ids = {a.id for a in a_answers.values()} | {b.id for b in b_answers.values()}
    loaded = store.evaluations() if evaluations is None else evaluations
    ours = [ev for ev in loaded if ev.answer_id in ids]
    where = f"runs {run_a!r} and {run_b!r} of {store.location}"
    judge = pick_judge(ours, judge, where)
    evals = {ev.answer_id: ev for ev in ours if ev.judge == judge}
    texts = {q.id: q.text for q in corpus.questions}
    rows = []
    for qid in [q for q in a_answers if q in b_answers]:
        a, b = a_answers[qid], b_answers[qid]
        ea, eb = evals.get(a.id), evals.get(b.id)
        fa = ea.faithfulness if ea and ea.status is EvaluationStatus.SCORED else None
        fb = eb.faithfulness if eb and eb.status is EvaluationStatus.SCORED else None
        ra, rb = _rules(ea), _rules(eb)
        diff = fb - fa if fa is not None and fb is not None else None
        grade_a, grade_b = (ea.fk_grade if ea else None), (eb.fk_grade if eb else None)
        rel_a, rel_b = _relevance(ea), _relevance(eb)
        rows.append(
            {
                "question_id": qid,
                "question": texts.get(qid, qid),
                "faithfulness_a": fa,
                "faithfulness_b": fb,
                "difference": diff,
                "outcome": None
                if diff is None
                else "win"
                if diff > 1e-9
                else "loss"
                if diff < -1e-9
                else "tie",
                "fk_grade_a": grade_a,
                "fk_grade_b": grade_b,
                "relevance_a": rel_a,
                "relevance_b": rel_b,
                "rules_started": ";".join(sorted(rb - ra)),
                "rules_stopped": ";".join(sorted(ra - rb)),
                "movement": abs(diff or 0.0)
                + 0.1 * len(ra ^ rb)
                + 0.01 * abs((grade_b or 0.0) - (grade_a or 0.0))
                + abs((rel_b or 0.0) - (rel_a or 0.0)),
                "answer_a_id": a.id,
                "answer_b_id": b.id,
                "answer_a": a.text,
                "answer_b": b.text,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        raise ConfigError(f"runs {run_a!r} and {run_b!r} share no question")
    frame = frame.sort_values("movement", ascending=False, kind="stable").reset_index(drop=True)
    scored = frame.dropna(subset=["faithfulness_a", "faithfulness_b"])
    graded = frame.dropna(subset=["fk_grade_a", "fk_grade_b"])
    judged = frame.dropna(subset=["relevance_a", "relevance_b"])
    return Comparison(
        run_a=run_a,
        run_b=run_b,
        judge=judge,
        rows=frame,
        faithfulness=paired_difference(
            scored["faithfulness_a"].tolist(), scored["faithfulness_b"].tolist()
        ),
        outcome=win_loss_tie(scored["faithfulness_a"].tolist(), scored["faithfulness_b"].tolist()),
        grade=paired_difference(graded["fk_grade_a"].tolist(), graded["fk_grade_b"].tolist()),
        relevance=paired_difference(judged["relevance_a"].tolist(), judged["relevance_b"].tolist()),
        rule_changes=_rule_changes(evals, a_answers, b_answers),
        unpaired=len(set(a_answers) ^ set(b_answers)),
    )


def _rule_changes(
    evals: dict[str, Evaluation], a: dict[str, Answer], b: dict[str, Answer]
) -> pd.DataFrame:
    paired = [q for q in a if q in b]
    counts: dict[str, list[int]] = {}
    for qid in paired:
        ra, rb = _rules(evals.get(a[qid].id)), _rules(evals.get(b[qid].id))
        for rule in ra | rb:
            c = counts.setdefault(rule, [0, 0, 0, 0])
            c[0] += rule in ra
            c[1] += rule in rb
            c[2] += rule in rb - ra
            c[3] += rule in ra - rb
    return pd.DataFrame(
        [
            {"rule": r, "fired_a": c[0], "fired_b": c[1], "started": c[2], "stopped": c[3]}
            for r, c in sorted(counts.items())
        ],
        columns=["rule", "fired_a", "fired_b", "started", "stopped"],
    )
