"""JSON-ready dicts for the data model, and back: one mapping used by the store and exports."""

from __future__ import annotations

from typing import Any

from workbench.models import ClaimVerdict, SafetyFinding, Severity, Span, Verdict

__all__ = ["finding_from_dict", "finding_to_dict", "verdict_from_dict", "verdict_to_dict"]


def _span(span: Span | None) -> list[int] | None:
    return [span.start, span.end] if span else None


def _unspan(raw: Any) -> Span | None:
    return Span(int(raw[0]), int(raw[1])) if raw else None


def verdict_to_dict(v: ClaimVerdict) -> dict[str, Any]:
    """A claim verdict as plain JSON types."""
    return {
        "claim": v.claim,
        "span": _span(v.span),
        "verdict": v.verdict.value,
        "reason": v.reason,
        "evidence_id": v.evidence_id,
        "evidence_sentence": v.evidence_sentence,
        "judge": v.judge,
        "support_score": v.support_score,
    }


def verdict_from_dict(d: dict[str, Any]) -> ClaimVerdict:
    """The inverse of `verdict_to_dict`."""
    return ClaimVerdict(
        claim=d["claim"],
        span=_unspan(d.get("span")),
        verdict=Verdict(d["verdict"]),
        reason=d["reason"],
        evidence_id=d.get("evidence_id"),
        evidence_sentence=d.get("evidence_sentence"),
        judge=d["judge"],
        support_score=d.get("support_score"),
    )


def finding_to_dict(f: SafetyFinding) -> dict[str, Any]:
    """A safety finding as plain JSON types."""
    return {
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "message": f.message,
        "fix_hint": f.fix_hint,
        "span": _span(f.span),
        "matched_text": f.matched_text,
        "source": f.source,
        **({} if f.probability is None else {"probability": f.probability}),
    }


def finding_from_dict(d: dict[str, Any]) -> SafetyFinding:
    """The inverse of `finding_to_dict`."""
    return SafetyFinding(
        rule_id=d["rule_id"],
        severity=Severity(d["severity"]),
        message=d["message"],
        fix_hint=d["fix_hint"],
        span=_unspan(d.get("span")),
        matched_text=d.get("matched_text"),
        source=d.get("source", "rules"),  # stores written before the LLM safety judge
        probability=d.get("probability"),  # only the model layer's findings have one
    )
