"""The review decision log's integrity: what a decision's hash covers, and checking a chain.

Each decision's hash is SHA-256 over its content (canonical JSON) and the previous
decision's hash, so editing, deleting or reordering any past decision breaks every hash
after it. `check_chain` walks the log in order and names the first row that does not fit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workbench.data.text import text_sha256
from workbench.models import Decision, ReviewDecision

__all__ = [
    "GENESIS",
    "ChainCheck",
    "DecisionDraft",
    "check_chain",
    "decision_content",
    "decision_hash",
    "text_sha256",
]

GENESIS = "0" * 64  # the "previous hash" of the first decision


@dataclass(frozen=True, slots=True)
class DecisionDraft:
    """A decision before the store gives it its place in the chain."""

    id: str
    answer_id: str
    reviewer: str
    account: str
    decision: Decision
    reason: str
    created_at: datetime
    new_answer_id: str | None = None
    old_text: str | None = None
    new_text: str | None = None


def decision_content(
    draft: DecisionDraft | ReviewDecision, *, answer_sha256: str, meaning: str, prev_hash: str
) -> dict[str, Any]:
    """The fields of a decision that its hash covers, as the log stores them."""
    return {
        "id": draft.id,
        "answer_id": draft.answer_id,
        "answer_sha256": answer_sha256,
        "reviewer": draft.reviewer,
        "account": draft.account,
        "decision": draft.decision.value,
        "reason": draft.reason,
        "meaning": meaning,
        "created_at": draft.created_at.isoformat(),
        "new_answer_id": draft.new_answer_id,
        "old_text": draft.old_text,
        "new_text": draft.new_text,
        "prev_hash": prev_hash,
    }


def decision_hash(
    draft: DecisionDraft | ReviewDecision, *, answer_sha256: str, meaning: str, prev_hash: str
) -> str:
    """The hash of a decision's content chained to the previous hash."""
    content = decision_content(
        draft, answer_sha256=answer_sha256, meaning=meaning, prev_hash=prev_hash
    )
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text_sha256(canonical)


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The outcome of checking the log: ok, or the first bad row and what is wrong with it."""

    count: int
    first_bad_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when every decision's hash and link hold."""
        return self.first_bad_seq is None


def check_chain(decisions: Sequence[ReviewDecision]) -> ChainCheck:
    """Check each decision's link to the one before and its own hash, in log order."""
    prev = GENESIS
    for d in decisions:
        if d.prev_hash != prev:
            return ChainCheck(
                len(decisions),
                d.seq,
                "its link to the decision before it is "
                "broken (a decision was removed, inserted or reordered)",
            )
        expected = decision_hash(
            d, answer_sha256=d.answer_sha256, meaning=d.meaning, prev_hash=d.prev_hash
        )
        if d.hash != expected:
            return ChainCheck(
                len(decisions),
                d.seq,
                "its content does not match its hash (the row was changed after it was recorded)",
            )
        prev = d.hash
    return ChainCheck(len(decisions))
