"""Relevance: does an answer answer the question that was asked?

`asks` reads what a question asks for; `judge` is the offline judge over the shared
sentence encoder (`judge_relevance`).
"""

from workbench.scoring.relevance.asks import Ask, asks_of, delivers
from workbench.scoring.relevance.judge import (
    JUDGE_NAME,
    OFF_TOPIC_RULE,
    THRESHOLD,
    asked_texts,
    judge_relevance,
    off_topic_finding,
    opening_texts,
)

__all__ = [
    "JUDGE_NAME",
    "OFF_TOPIC_RULE",
    "THRESHOLD",
    "Ask",
    "asked_texts",
    "asks_of",
    "delivers",
    "judge_relevance",
    "off_topic_finding",
    "opening_texts",
]
