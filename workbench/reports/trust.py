"""How far to trust each judge: on public text (its judge card) and against clinicians.

`public_trust` pairs each judge that made the report's numbers with the judge card
measured on text nobody here wrote (`benchmarks/public_judges.py --write-card`); a
judge without a card is "not measured" there, never given another judge's figures.

A clinician who rejects an answer, or sends it back for editing, found a problem; the
judge found one when it flagged the answer (any claim unsupported). Where both looked
at the same answer, their agreement and Cohen's kappa say how far the judge can stand
in for review.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workbench.review.agreement import cohen_kappa
from workbench.scoring.judge_card import JudgeCard, SetFigures, load_card

__all__ = ["JudgeVsReviewers", "PublicTrust", "card_lines", "judge_vs_reviewers", "public_trust"]

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


@dataclass(frozen=True, slots=True)
class PublicTrust:
    """One judge of the report and its judge card's figures (None: not measured)."""

    judge: str
    card: JudgeCard | None
    rows: tuple[tuple[SetFigures, SetFigures | None], ...]  # (judge, overlap on the same set)


def public_trust(judges: list[str], card: JudgeCard | None = None) -> list[PublicTrust]:
    """Each judge with the card measured for it (the shipped card unless one is given)."""
    card = card if card is not None else load_card()
    out = []
    for judge in judges:
        mine = card if card is not None and card.judge == judge else None
        rows: tuple[tuple[SetFigures, SetFigures | None], ...] = ()
        if mine is not None:
            base = {f.data_set: f for f in mine.baseline}
            rows = tuple((f, base.get(f.data_set)) for f in mine.figures)
        out.append(PublicTrust(judge, mine, rows))
    return out


def card_lines(card: JudgeCard | None = None) -> list[str]:
    """The judge card's public figures as plain lines (the demo prints them)."""
    card = card if card is not None else load_card()
    if card is None:
        return ["offline judge on public text: not measured (no judge card)"]
    base = {f.data_set: f for f in card.baseline}
    out = []
    for f in card.figures:
        if f.data_set == "gold-claims":
            continue
        overlap = base.get(f.data_set)
        beside = f", word overlap AUC {overlap.auc:.3f}" if overlap else ""
        if overlap and f.gain is not None:
            beside += f" (gain {f.gain:+.3f}, 95% interval {f.gain_low:+.3f} to {f.gain_high:+.3f})"
        interval = (
            f" (95% interval {f.auc_low:.3f} to {f.auc_high:.3f})"
            if f.auc_low is not None and f.auc_high is not None
            else ""
        )
        out.append(
            f"{card.judge} judge v{card.judge_version} on {f.data_set} ({f.n} answers, public "
            f"text): ROC AUC {f.auc:.3f}{interval}{beside}, balanced accuracy "
            f"{f.balanced_accuracy or float('nan'):.3f} (judge card of {card.written})"
        )
    return out


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
