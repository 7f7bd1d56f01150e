"""The quality gate: thresholds a run's scores must meet before it ships, checked on a store.

Thresholds come from a small YAML file (`load_gate_spec`) or from code and options
(`GateSpec`); `check_gate` checks the generated answers of the chosen runs (edits are a
reviewer's, not the run's) under one judge and returns every check with what it saw.
A check that cannot be judged (no scored answer, an answer no judge has checked, too
few paired questions) fails: a gate never passes on missing evidence. With no answer
scored at all, or no check to make (every threshold off), it fails in one line.

    runs: [patient_answer@v2]      # run ids or prompt versions; empty: every run
    judge: offline                 # default: the only judge that scored them
    min_faithfulness: 0.9          # mean over scored answers
    min_faithfulness_low: 0.85     # lower end of its 95% bootstrap interval
    max_fail_findings: 0           # answers with a fail-severity safety finding
    max_unsupported_share: 0.1     # share of scored answers with an unsupported claim
    min_relevance: 0.6             # mean relevance (does the answer answer the question)
    max_unstable: 0                # answers whose repeated judgments disagree (--repeat)
    baseline: patient_answer@v1    # no significant drop against this run ...
    max_drop: 0.0                  # ... beyond this much (paired bootstrap, 95%)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.data.datasets import Corpus
from workbench.data.numbers import limit, shown
from workbench.data.yamlfile import read_yaml
from workbench.errors import ConfigError
from workbench.models import Answer, Evaluation, EvaluationStatus, Severity
from workbench.reports.compare import compare_runs, pick_judge, resolve_run
from workbench.reports.stats import bootstrap_mean
from workbench.scoring.repeat import is_deterministic
from workbench.store import Store

__all__ = ["GateCheck", "GateResult", "GateSpec", "check_gate", "load_gate_spec"]

_SHOWN_IDS = 5  # answers named in a failed check's detail


class GateSpec(BaseModel):
    """The thresholds; a threshold left out (None) is not checked.

    With nothing set, the gate still holds the one hard line: no answer with a
    fail-severity safety finding (`max_fail_findings: 0`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    runs: tuple[str, ...] = ()
    judge: str | None = None
    min_faithfulness: float | None = Field(default=None, ge=0, le=1)
    min_faithfulness_low: float | None = Field(default=None, ge=0, le=1)
    max_fail_findings: int | None = Field(default=0, ge=0)
    max_unsupported_share: float | None = Field(default=None, ge=0, le=1)
    min_relevance: float | None = Field(default=None, ge=0, le=1)
    max_unstable: int | None = Field(default=None, ge=0)
    baseline: str | None = None
    max_drop: float = Field(default=0.0, ge=0, le=1)


def load_gate_spec(path: Path) -> GateSpec:
    """Read a gate file; a wrong field is one error naming the file, line and field."""
    source = read_yaml(path, "gate file")
    try:
        return GateSpec.model_validate(source.data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise source.error(tuple(first["loc"]), first["msg"]) from exc


@dataclass(frozen=True, slots=True)
class GateCheck:
    """One threshold: what it asks, what the store showed, and whether it held."""

    name: str
    threshold: str
    observed: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True, slots=True)
class GateResult:
    """Every check of a gate over the chosen runs' answers.

    `judge` is None when no answer of the runs is scored: then no check has evidence.
    """

    store: str
    runs: tuple[str, ...]
    judge: str | None
    answers: int
    scored: int
    judge_failed: int
    checks: tuple[GateCheck, ...]
    unscored: int = 0  # answers this judge has not scored at all

    @property
    def passed(self) -> bool:
        """True when there was something to check and every check held."""
        return self.judge is not None and bool(self.checks) and all(c.passed for c in self.checks)

    def table(self) -> str:
        """The checks as a short fixed-width table, with a verdict line under it; one line
        when there is nothing to check or no evidence to check it on."""
        runs = ", ".join(self.runs)
        if self.judge is None:
            return (
                f"FAIL: no answer of {runs} is scored in {self.store} ({self.answers} answers): "
                "no check has evidence; `workbench score` scores them"
            )
        if not self.checks:
            return (
                "FAIL: no check to make: every threshold is off (--allow-fail-findings and "
                "no other threshold); a gate passes only on something checked"
            )
        rows = [("check", "threshold", "observed", "result")] + [
            (c.name, c.threshold, c.observed, "pass" if c.passed else "FAIL") for c in self.checks
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [
            f"gate on {runs} (judge {self.judge}; {self.answers} answers, "
            f"{self.scored} scored, {self.judge_failed} judge failures"
            + (f", {self.unscored} NOT SCORED" if self.unscored else "")
            + f") in {self.store}"
        ]
        lines += [
            "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        lines += [f"  {c.name}: {c.detail}" for c in self.checks if c.detail and not c.passed]
        missed = sum(not c.passed for c in self.checks)
        lines.append(
            f"PASS: {len(self.checks)} of {len(self.checks)} checks held"
            if self.passed
            else f"FAIL: {missed} of {len(self.checks)} checks missed"
        )
        return "\n".join(lines)


def _ids(
    evaluations: Sequence[Evaluation], answers: dict[str, Answer], *, rules: bool = False
) -> str:
    """The first few answers, each with its question (and its fail-severity rules)."""
    named = []
    for ev in evaluations[:_SHOWN_IDS]:
        about = answers[ev.answer_id].question_id
        if rules:
            fails = sorted({f.rule_id for f in ev.safety if f.severity is Severity.FAIL})
            about += ": " + ", ".join(fails)
        named.append(f"{ev.answer_id} ({about})")
    more = f" and {len(evaluations) - _SHOWN_IDS} more" if len(evaluations) > _SHOWN_IDS else ""
    return ", ".join(named) + more


def check_gate(store: Store, corpus: Corpus, spec: GateSpec) -> GateResult:
    """Check `spec` against the store; a bad run or judge name is a `ConfigError`."""
    where = str(store.location)
    runs = store.runs()
    run_ids = tuple(resolve_run(runs, name, where=where) for name in spec.runs) or tuple(
        r.id for r in runs
    )
    if not run_ids:
        raise ConfigError(f"{where} has no runs: `workbench generate` and `score` make them")
    answers: dict[str, Answer] = {
        a.id: a for a in store.answers(run_ids=list(run_ids)) if a.parent_id is None
    }
    evaluations = [ev for ev in store.evaluations() if ev.answer_id in answers]
    if not evaluations and spec.judge is None:
        return GateResult(store.location, run_ids, None, len(answers), 0, 0, (), len(answers))
    judge = pick_judge(evaluations, spec.judge, where)
    evaluations = [ev for ev in evaluations if ev.judge == judge]
    scored = [ev for ev in evaluations if ev.status is EvaluationStatus.SCORED]
    checks = _score_checks(spec, scored, answers)
    if spec.max_fail_findings is not None:
        checks.append(_fail_findings_check(spec.max_fail_findings, evaluations, answers))
    if spec.min_relevance is not None:
        checks.append(_relevance_check(spec.min_relevance, evaluations, answers))
    if spec.max_unstable is not None:
        checks.append(_unstable_check(spec.max_unstable, judge, scored, answers))
    if spec.baseline is not None:
        checks.append(_baseline_check(store, corpus, spec, run_ids, judge))
    failed = sum(ev.status is EvaluationStatus.JUDGE_FAILED for ev in evaluations)
    return GateResult(
        store.location,
        run_ids,
        judge,
        len(answers),
        len(scored),
        failed,
        tuple(checks),
        len(answers) - len(evaluations),
    )


def _fail_findings_check(
    most: int, evaluations: Sequence[Evaluation], answers: dict[str, Answer]
) -> GateCheck:
    """Answers with a fail-severity finding; an answer not checked at all is no evidence.

    The safety rules run on every evaluation, a judge failure included; an answer with no
    evaluation has not been checked, and the check fails naming it.
    """
    name, threshold = "answers with a fail-severity finding", f"<= {most}"
    failing = [ev for ev in evaluations if ev.safety_failed]
    checked = {ev.answer_id for ev in evaluations}
    unchecked = [a for a in answers.values() if a.id not in checked]
    if unchecked:
        named = ", ".join(f"{a.id} ({a.question_id})" for a in unchecked[:_SHOWN_IDS])
        more = f" and {len(unchecked) - _SHOWN_IDS} more" if len(unchecked) > _SHOWN_IDS else ""
        return GateCheck(
            name,
            threshold,
            f"{len(failing)}, {len(unchecked)} not checked",
            False,
            f"not checked: {named}{more}; `workbench score` checks them",
        )
    return GateCheck(
        name, threshold, str(len(failing)), len(failing) <= most, _ids(failing, answers, rules=True)
    )


def _relevance_check(
    least: float, evaluations: Sequence[Evaluation], answers: dict[str, Answer]
) -> GateCheck:
    """Mean relevance over the answers judged for it; none judged is no evidence."""
    name, threshold = "mean relevance", f">= {limit(least)}"
    judged = [ev for ev in evaluations if ev.relevance and ev.relevance.score is not None]
    if not judged:
        why = "no answer is judged for relevance; `workbench score --rescore` judges them"
        return GateCheck(name, threshold, "none", False, why)
    mean = sum(ev.relevance.score or 0.0 for ev in judged if ev.relevance) / len(judged)
    off = [ev for ev in judged if ev.relevance and ev.relevance.flagged]
    return GateCheck(
        name,
        threshold,
        f"{shown(mean, least, digits=3)} ({len(off)} of {len(judged)} off topic)",
        mean >= least,
        "off topic: " + _ids(off, answers) if off else "",
    )


def _unstable_check(
    most: int, judge: str, scored: Sequence[Evaluation], answers: dict[str, Answer]
) -> GateCheck:
    """Answers whose repeated judgments disagree on the decision. A deterministic judge
    gives the same judgment every time; an LLM judge's answers judged once are no
    evidence of stability."""
    name, threshold = "answers judged unstable", f"<= {most}"
    if is_deterministic(judge):
        return GateCheck(name, threshold, f"0 ({judge} is deterministic)", True)
    once = [ev for ev in scored if len(ev.judgments) < 2]
    if once:
        return GateCheck(
            name,
            threshold,
            f"{len(once)} judged once",
            False,
            f"judged once: {_ids(once, answers)}; `workbench score --repeat K` judges again",
        )
    unstable = [ev for ev in scored if ev.unstable]
    return GateCheck(
        name, threshold, str(len(unstable)), len(unstable) <= most, _ids(unstable, answers)
    )


def _score_checks(
    spec: GateSpec, scored: Sequence[Evaluation], answers: dict[str, Answer]
) -> list[GateCheck]:
    checks: list[GateCheck] = []
    estimate = bootstrap_mean([ev.faithfulness or 0.0 for ev in scored])
    for name, wanted, seen in (
        ("mean faithfulness", spec.min_faithfulness, estimate.mean),
        ("faithfulness, lower 95% bound", spec.min_faithfulness_low, estimate.low),
    ):
        if wanted is None:
            continue
        if seen is None:
            why = "no scored answer" if not scored else "fewer than 2 scored answers"
            checks.append(GateCheck(name, f">= {limit(wanted)}", "none", False, why))
        else:
            checks.append(
                GateCheck(
                    name, f">= {limit(wanted)}", shown(seen, wanted, digits=3), seen >= wanted
                )
            )
    if spec.max_unsupported_share is not None:
        wanted = spec.max_unsupported_share
        flagged = [ev for ev in scored if ev.unsupported]
        if not scored:
            checks.append(
                GateCheck(
                    "share with an unsupported claim",
                    f"<= {limit(wanted)}",
                    "none",
                    False,
                    "no scored answer",
                )
            )
        else:
            share = len(flagged) / len(scored)
            checks.append(
                GateCheck(
                    "share with an unsupported claim",
                    f"<= {limit(wanted)}",
                    f"{shown(share, wanted, digits=3)} ({len(flagged)} of {len(scored)})",
                    share <= wanted,
                    _ids(flagged, answers),
                )
            )
    return checks


def _baseline_check(
    store: Store, corpus: Corpus, spec: GateSpec, run_ids: tuple[str, ...], judge: str
) -> GateCheck:
    assert spec.baseline is not None
    name = f"no significant drop against {spec.baseline}"
    threshold = "upper 95% bound >= " + limit(-spec.max_drop or 0.0)
    if len(run_ids) != 1:
        raise ConfigError(
            f"baseline {spec.baseline!r}: name the one run to compare with it (runs: "
            f"{', '.join(run_ids)})"
        )
    baseline = resolve_run(store.runs(), spec.baseline, where=str(store.location))
    c = compare_runs(store, corpus, baseline, run_ids[0], judge=judge)
    d = c.faithfulness
    if d.mean is None or d.low is None or d.high is None:
        return GateCheck(name, threshold, "none", False, "fewer than 2 questions scored in both")
    high = shown(d.high, -spec.max_drop, digits=3)
    observed = f"{shown(d.mean, digits=3)} [{shown(d.low, digits=3)}, {high}]"
    return GateCheck(
        name,
        threshold,
        observed,
        d.high >= -spec.max_drop,
        f"faithfulness difference (run - baseline) over {d.n} paired questions; "
        f"wins {c.outcome.wins}, losses {c.outcome.losses}, ties {c.outcome.ties}",
    )
