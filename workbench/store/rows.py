"""One mapping between the data model and the store's rows, shared by both adapters.

Each table's row is built here from a record (column name to value) and read back here,
so SQLite and PostgreSQL hold the same text for the same record: times as ISO 8601
text, lists and settings as canonical JSON text. A decision's row, its chain link and
its hash are made by `decision_row` alone, so the chain is computed identically whichever
database keeps it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from workbench.models import (
    Answer,
    Binding,
    ContextScores,
    Decision,
    Evaluation,
    EvaluationStatus,
    Judgment,
    Relevance,
    ReviewDecision,
    Run,
    Severity,
    Verdict,
)
from workbench.store.base import ReviewRow
from workbench.store.decision_log import (
    DecisionDraft,
    binding_of,
    decision_content,
    decision_hash,
    decision_mac,
    text_sha256,
)
from workbench.store.serialize import (
    finding_from_dict,
    finding_to_dict,
    verdict_from_dict,
    verdict_to_dict,
)

__all__ = [
    "Row",
    "answer_from_row",
    "answer_row",
    "decision_from_row",
    "decision_row",
    "evaluation_from_row",
    "evaluation_row",
    "findings_row",
    "recorded_decision_row",
    "review_row",
    "run_from_row",
    "run_row",
]


class Row(Protocol):
    """A fetched row, read by column name: a `sqlite3.Row`, or a dict from psycopg.

    Both schemas keep times and JSON as text, so either driver hands back the same
    Python types (str, int, float, None) and the readers below serve both.
    """

    def __getitem__(self, key: str, /) -> Any: ...


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def run_row(run: Run) -> dict[str, Any]:
    """The `runs` row of a run."""
    return {
        "id": run.id,
        "prompt_key": run.prompt_key,
        "backend": run.backend,
        "model": run.model,
        "questions_source": run.questions_source,
        "settings": _dumps(run.settings),
        "created_at": run.created_at.isoformat(),
    }


def answer_row(answer: Answer) -> dict[str, Any]:
    """The `answers` row of an answer version."""
    return {
        "id": answer.id,
        "run_id": answer.run_id,
        "question_id": answer.question_id,
        "prompt_key": answer.prompt_key,
        "backend": answer.backend,
        "model": answer.model,
        "text": answer.text,
        "cited_ids": _dumps(list(answer.cited_ids)),
        "retrieved_ids": _dumps(list(answer.retrieved_ids)),
        "settings": _dumps(answer.settings),
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": answer.completion_tokens,
        "latency_s": answer.latency_s,
        "cost_usd": answer.cost_usd,
        "created_at": answer.created_at.isoformat(),
        "parent_id": answer.parent_id,
    }


def evaluation_row(ev: Evaluation) -> dict[str, Any]:
    """The `evaluations` row of an evaluation."""
    return {
        "answer_id": ev.answer_id,
        "judge": ev.judge,
        "status": ev.status.value,
        "faithfulness": ev.faithfulness,
        "claims": _dumps([verdict_to_dict(c) for c in ev.claims]),
        "safety": _dumps([finding_to_dict(f) for f in ev.safety]),
        "fk_grade": ev.fk_grade,
        "smog": ev.smog,
        "error": ev.error,
        "excerpt_versions": _dumps(ev.excerpt_versions),
        "created_at": ev.created_at.isoformat(),
        **_relevance_columns(ev.relevance),
        **{f"llm_{k}": v for k, v in _relevance_columns(ev.llm_relevance).items()},
        "judgments": _dumps([_judgment_to_dict(j) for j in ev.judgments]),
        **_context_columns(ev.context),
    }


def _context_columns(c: ContextScores | None) -> dict[str, Any]:
    if c is None:
        return dict.fromkeys(
            (
                "context_precision",
                "context_verdicts",
                "context_id_precision",
                "context_id_recall",
                "context_reason",
                "context_judge",
            )
        )
    return {
        "context_precision": c.precision,
        "context_verdicts": _dumps(list(c.verdicts)),
        "context_id_precision": c.id_precision,
        "context_id_recall": c.id_recall,
        "context_reason": c.reason,
        "context_judge": c.judge,
    }


def _context_from_row(r: Row) -> ContextScores | None:
    judge = _get(r, "context_judge")
    if judge is None:
        return None
    return ContextScores(
        r["context_precision"],
        tuple(json.loads(r["context_verdicts"] or "[]")),
        r["context_id_precision"],
        r["context_id_recall"],
        r["context_reason"] or "",
        judge,
    )


def _relevance_columns(r: Relevance | None) -> dict[str, Any]:
    if r is None:
        return dict.fromkeys(
            ("relevance", "relevance_flagged", "relevance_reason", "relevance_judge")
        )
    return {
        "relevance": r.score,
        "relevance_flagged": int(r.flagged),
        "relevance_reason": r.reason,
        "relevance_judge": r.judge,
    }


def _judgment_to_dict(j: Judgment) -> dict[str, Any]:
    return {"repeat": j.repeat, "score": j.score, "flagged": j.flagged, "status": j.status.value}


def _relevance_from_row(r: Row, prefix: str = "") -> Relevance | None:
    judge = _get(r, f"{prefix}relevance_judge")
    if judge is None:
        return None
    return Relevance(
        r[f"{prefix}relevance"],
        bool(r[f"{prefix}relevance_flagged"]),
        r[f"{prefix}relevance_reason"] or "",
        judge,
    )


def _judgments_from_row(r: Row) -> tuple[Judgment, ...]:
    return tuple(
        Judgment(d["repeat"], d["score"], d["flagged"], EvaluationStatus(d["status"]))
        for d in json.loads(_get(r, "judgments") or "[]")
    )


def decision_row(
    draft: DecisionDraft, *, answer: Answer, prev_hash: str, log_key: bytes | None = None
) -> dict[str, Any]:
    """The `decision_log` row of a new decision on `answer` (as the store holds it inside
    the decision's transaction), bound to its text, question, prompt version, run and
    cited excerpts, chained to `prev_hash`, its hash signed (HMAC) with `log_key`."""
    binding = binding_of(answer, draft.excerpt_versions)
    chained = {
        "answer_sha256": text_sha256(answer.text),
        "meaning": draft.decision.meaning,
        "prev_hash": prev_hash,
    }
    digest = decision_hash(draft, **chained, binding=binding)
    return {
        **_stored(decision_content(draft, **chained, binding=binding)),
        "hash": digest,
        "mac": decision_mac(log_key, digest) if log_key else None,
    }


def recorded_decision_row(d: ReviewDecision) -> dict[str, Any]:
    """The `decision_log` row of a decision as it was recorded: its place, link, hash and
    MAC kept.

    Used to copy a log from one store to another; the receiving store's triggers still
    check that each row links to the last one.
    """
    content = decision_content(
        d, answer_sha256=d.answer_sha256, meaning=d.meaning, prev_hash=d.prev_hash
    )
    return {"seq": d.seq, **_stored(content), "hash": d.hash, "mac": d.mac}


def _stored(content: dict[str, Any]) -> dict[str, Any]:
    """The hashed content as columns: the overridden rules and the binding as JSON text
    (NULL for none)."""
    overrides, binding = content.get("overrides"), content.get("binding")
    return {
        **content,
        "overrides": _dumps(overrides) if overrides else None,
        "binding": _dumps(binding) if binding is not None else None,
    }


def _binding(text: str | None) -> Binding | None:
    if text is None:
        return None
    b = json.loads(text)
    cited = tuple((str(i), str(v)) for i, v in b["cited"])
    return Binding(b["question_id"], b["prompt_key"], b["run_id"], cited)


def run_from_row(r: Row) -> Run:
    """The run of a `runs` row."""
    return Run(
        r["id"],
        r["prompt_key"],
        r["backend"],
        r["model"],
        r["questions_source"],
        json.loads(r["settings"]),
        datetime.fromisoformat(r["created_at"]),
    )


def answer_from_row(r: Row) -> Answer:
    """The answer version of an `answers` row."""
    return Answer(
        id=r["id"],
        run_id=r["run_id"],
        question_id=r["question_id"],
        prompt_key=r["prompt_key"],
        backend=r["backend"],
        model=r["model"],
        text=r["text"],
        cited_ids=tuple(json.loads(r["cited_ids"])),
        retrieved_ids=tuple(json.loads(r["retrieved_ids"])),
        settings=json.loads(r["settings"]),
        prompt_tokens=r["prompt_tokens"],
        completion_tokens=r["completion_tokens"],
        latency_s=r["latency_s"],
        cost_usd=r["cost_usd"],
        created_at=datetime.fromisoformat(r["created_at"]),
        parent_id=r["parent_id"],
    )


def decision_from_row(r: Row) -> ReviewDecision:
    """The decision of a `decision_log` row."""
    return ReviewDecision(
        id=r["id"],
        seq=r["seq"],
        answer_id=r["answer_id"],
        answer_sha256=r["answer_sha256"],
        reviewer=r["reviewer"],
        account=r["account"],
        decision=Decision(r["decision"]),
        reason=r["reason"],
        meaning=r["meaning"],
        created_at=datetime.fromisoformat(r["created_at"]),
        prev_hash=r["prev_hash"],
        hash=r["hash"],
        new_answer_id=r["new_answer_id"],
        old_text=r["old_text"],
        new_text=r["new_text"],
        overrides=tuple(json.loads(_get(r, "overrides") or "[]")),
        mac=_get(r, "mac"),
        binding=_binding(_get(r, "binding")),
    )


def _get(r: Row, column: str) -> Any:
    """A column a store from before migration 005 or 007 (opened read-only) does not have:
    None.

    A `sqlite3.Row` without the column raises IndexError, a dict KeyError.
    """
    try:
        return r[column]
    except (IndexError, KeyError):
        return None


def evaluation_from_row(r: Row) -> Evaluation:
    """The evaluation of an `evaluations` row."""
    return Evaluation(
        answer_id=r["answer_id"],
        judge=r["judge"],
        status=EvaluationStatus(r["status"]),
        faithfulness=r["faithfulness"],
        claims=tuple(verdict_from_dict(d) for d in json.loads(r["claims"])),
        safety=tuple(finding_from_dict(d) for d in json.loads(r["safety"])),
        fk_grade=r["fk_grade"],
        smog=r["smog"],
        error=r["error"],
        excerpt_versions=json.loads(r["excerpt_versions"]),
        created_at=datetime.fromisoformat(r["created_at"]),
        relevance=_relevance_from_row(r),
        llm_relevance=_relevance_from_row(r, "llm_"),
        judgments=_judgments_from_row(r),
        context=_context_from_row(r),
    )


def findings_row(ev: Evaluation) -> dict[str, Any]:
    """What the review queue needs of an evaluation, counted once (`evaluation_findings`)."""
    return {
        "answer_id": ev.answer_id,
        "judge": ev.judge,
        "judge_failed": int(ev.status is EvaluationStatus.JUDGE_FAILED),
        "fails": sum(f.severity is Severity.FAIL for f in ev.safety),
        "warnings": sum(f.severity is Severity.WARN for f in ev.safety),
        "contradicted": sum(c.verdict is Verdict.CONTRADICTED for c in ev.claims),
        "not_found": sum(c.verdict is Verdict.NOT_FOUND for c in ev.claims),
        "off_topic": int(ev.off_topic),
        "unstable": int(ev.unstable),
    }


def review_row(r: Row) -> ReviewRow:
    """A review queue row from `id, question_id, prompt_key, found, decision` (`found`: per
    evaluation "judge_failed,fails,warnings,contradicted,not_found,off_topic,unstable",
    joined with ";")."""
    found = [[int(n) for n in ev.split(",")] for ev in (r["found"] or "").split(";") if ev]
    most = [max(column) for column in zip(*found, strict=True)] if found else [0] * 7
    return ReviewRow(
        r["id"],
        r["question_id"],
        r["prompt_key"],
        bool(found),
        Decision(r["decision"]) if r["decision"] else None,
        judge_failed=bool(most[0]),
        fails=most[1],
        warnings=most[2],
        contradicted=most[3],
        not_found=most[4],
        off_topic=bool(most[5]),
        unstable=bool(most[6]),
    )
