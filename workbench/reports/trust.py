"""How far to trust each judge on our own questions: its flags against clinicians' decisions.

A clinician who rejects an answer, or sends it back for editing, found a problem; the
judge found one when it marked any claim unsupported. Where both looked at the same
answer, their agreement and Cohen's kappa say how far the judge can stand in for review.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.review.agreement import cohen_kappa

__all__ = ["JudgeVsReviewers", "judge_vs_reviewers"]

_PROBLEM = {"reject", "needs_edit", "edit"}


@dataclass(frozen=True, slots=True)
class JudgeVsReviewers:
    """One judge's unsupported-claim flags against reviewers' latest decisions."""

    judge: str
    answers: int
    both_fine: int
    both_flagged: int
    judge_only: int  # the judge flagged an answer the reviewer approved
    reviewer_only: int  # the reviewer found a problem the judge did not flag
    agreement: float | None
    kappa: float | None
    disagreements: tuple[str, ...]


def judge_vs_reviewers(frame: pd.DataFrame) -> list[JudgeVsReviewers]:
    """Per judge, over scored answers that have a review decision."""
    out = []
    reviewed = frame[(frame["review_status"] != "not reviewed") & (frame["status"] == "scored")]
    for judge, part in reviewed.groupby("judge", sort=True):
        judge_flag = part["any_unsupported"].astype(bool)
        reviewer_flag = part["review_status"].isin(_PROBLEM)
        pairs = [
            ("flag" if j else "fine", "flag" if r else "fine")
            for j, r in zip(judge_flag, reviewer_flag, strict=True)
        ]
        agree = judge_flag == reviewer_flag
        out.append(
            JudgeVsReviewers(
                judge=str(judge),
                answers=len(part),
                both_fine=int((~judge_flag & ~reviewer_flag).sum()),
                both_flagged=int((judge_flag & reviewer_flag).sum()),
                judge_only=int((judge_flag & ~reviewer_flag).sum()),
                reviewer_only=int((~judge_flag & reviewer_flag).sum()),
                agreement=float(agree.mean()) if len(part) else None,
                kappa=cohen_kappa(pairs),
                disagreements=tuple(part.loc[~agree, "answer_id"]),
            )
        )
    return out
