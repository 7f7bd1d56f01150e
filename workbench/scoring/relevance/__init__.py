"""Relevance: does an answer answer the question that was asked?

`asks` reads what a question asks for; `judge` is the offline judge over the shared
sentence encoder (`judge_relevance`).
"""

from workbench.scoring.relevance.asks import Ask, asks_of, delivers
from workbench.scoring.relevance.judge import (
    JUDGE_NAME,
    OFF_TOPIC_RULE,
    THRESHOLD,
    judge_relevance,
    off_topic_finding,
    relevance_texts,
)

__all__ = [
    "JUDGE_NAME",
    "OFF_TOPIC_RULE",
    "THRESHOLD",
    "Ask",
    "asks_of",
    "delivers",
    "judge_relevance",
    "off_topic_finding",
    "relevance_texts",
]
