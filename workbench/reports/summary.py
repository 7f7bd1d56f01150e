"""Summary figures per prompt version x backend/model x judge, from the evaluation frame."""

from __future__ import annotations

import pandas as pd

from workbench.reports.stats import bootstrap_mean

__all__ = ["GROUP", "rule_counts", "rule_pass_rates", "summary_frame"]

GROUP = ["prompt", "backend", "model", "judge"]


def _group_row(part: pd.DataFrame) -> dict[str, object]:
    scored = part[part["status"] == "scored"]
    ci = bootstrap_mean(scored["faithfulness"].astype(float).tolist())
    tokens = part["prompt_tokens"].fillna(0) + part["completion_tokens"].fillna(0)
    known_tokens = part["prompt_tokens"].notna() | part["completion_tokens"].notna()
    cost = part["cost_usd"]
    return {
        "answers": len(part),
        "faithfulness": ci.mean,
        "faithfulness_low": ci.low,
        "faithfulness_high": ci.high,
        "any_unsupported": float(scored["any_unsupported"].mean()) if len(scored) else None,
        "no_claims": int((part["status"] == "no_claims").sum()),
        "judge_failed": int((part["status"] == "judge_failed").sum()),
        "safety_failed": float((part["safety_fail"] > 0).mean()),
        "warnings_per_answer": float(part["safety_warn"].mean()),
        "relevance": _mean(part["relevance"]),
        "off_topic": _mean(part["relevance_flagged"]),
        "unstable": int(part["unstable"].sum()),
        "fk_grade": float(part["fk_grade"].mean()),
        "fk_grade_median": float(part["fk_grade"].median()),
        "smog": float(part["smog"].mean()),
        "within_grade_target": float(part["within_grade_target"].mean()),
        "tokens": int(tokens[known_tokens].sum()) if known_tokens.any() else None,
        "latency_s": float(part["latency_s"].mean()) if part["latency_s"].notna().any() else None,
        # Cost is known only when every answer's cost is; otherwise it says unknown.
        "cost_usd": float(cost.sum()) if len(cost) and cost.notna().all() else None,
        "stale": int(part["stale"].sum()),
    }


def _mean(column: pd.Series) -> float | None:
    """The mean of the known values (an answer not judged is left out), None if none."""
    known = column.dropna().astype(float)
    return float(known.mean()) if len(known) else None


def summary_frame(df: pd.DataFrame) -> pd.DataFrame:
    """One row per group: answers, mean faithfulness with its 95% bootstrap interval,
    unsupported share, judge failures, safety, relevance (mean score, share flagged off
    topic), answers whose repeated judgments disagree, readability, tokens, latency,
    cost, stale.

    `faithfulness` averages scored answers only; `no_claims` and `judge_failed` are counted,
    never folded into the mean as 0 or 1.
    """
    if df.empty:
        return pd.DataFrame(columns=[*GROUP, "answers"])
    rows = [
        {**dict(zip(GROUP, key, strict=True)), **_group_row(part)}
        for key, part in df.groupby(GROUP, sort=True)
    ]
    return pd.DataFrame(rows)


def _exploded(df: pd.DataFrame) -> pd.DataFrame:
    rules = df["safety_rules"].fillna("").astype(str)
    exploded = df.assign(rule=rules.str.split(";")).explode("rule")
    return exploded[exploded["rule"] != ""]


def rule_counts(df: pd.DataFrame) -> pd.DataFrame:
    """How many answers each safety rule fired on, per prompt version (rules x prompts)."""
    exploded = _exploded(df)
    if exploded.empty:
        return pd.DataFrame()
    return exploded.pivot_table(
        index="rule", columns="prompt", values="answer_id", aggfunc="count", fill_value=0
    )


def rule_pass_rates(df: pd.DataFrame, rule_ids: list[str]) -> pd.DataFrame:
    """Share of answers each rule passed (did not fire on), rules x prompt versions."""
    if df.empty:
        return pd.DataFrame(index=rule_ids)
    totals = df.groupby("prompt")["answer_id"].count()
    fired = rule_counts(df).reindex(index=rule_ids, columns=totals.index, fill_value=0)
    return 1 - fired.div(totals, axis=1)
