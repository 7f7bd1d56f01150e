"""Summary figures per prompt version x backend/model x judge, from the evaluation frame."""

from __future__ import annotations

import pandas as pd

__all__ = ["GROUP", "rule_counts", "summary_frame"]

GROUP = ["prompt", "backend", "model", "judge"]


def summary_frame(df: pd.DataFrame) -> pd.DataFrame:
    """One row per group: answers, mean faithfulness, unsupported share, safety, readability.

    `faithfulness` averages scored answers only; `no_claims` and `judge_failed` are counted,
    never folded into the mean as 0 or 1.
    """
    if df.empty:
        return pd.DataFrame(columns=[*GROUP, "answers"])
    scored = df["status"] == "scored"
    out = (
        df.assign(
            scored=scored,
            no_claims=df["status"] == "no_claims",
            judge_failed=df["status"] == "judge_failed",
            safety_failed=df["safety_fail"] > 0,
            faithfulness_scored=df["faithfulness"].where(scored),
        )
        .groupby(GROUP, sort=True)
        .agg(
            answers=("answer_id", "count"),
            faithfulness=("faithfulness_scored", "mean"),
            any_unsupported=("any_unsupported", "mean"),
            no_claims=("no_claims", "sum"),
            judge_failed=("judge_failed", "sum"),
            safety_failed=("safety_failed", "mean"),
            warnings_per_answer=("safety_warn", "mean"),
            fk_grade=("fk_grade", "mean"),
            smog=("smog", "mean"),
            within_grade_target=("within_grade_target", "mean"),
        )
        .reset_index()
    )
    return out


def rule_counts(df: pd.DataFrame) -> pd.DataFrame:
    """How many answers each safety rule fired on, per prompt version (rules x prompts)."""
    exploded = df.assign(rule=df["safety_rules"].str.split(";")).explode("rule")
    exploded = exploded[exploded["rule"].fillna("") != ""]
    if exploded.empty:
        return pd.DataFrame()
    return exploded.pivot_table(
        index="rule", columns="prompt", values="answer_id", aggfunc="count", fill_value=0
    )
