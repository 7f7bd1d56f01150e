"""The LLM path's plumbing: settings, the endpoint seam, retries, the call cache, prices.

    settings   LLMSettings from OPENAI_* / WORKBENCH_* variables or options; the key secret
    client     ChatRequest, ChatReply, the ChatTransport seam and its `openai` adapter
    retry      bounded retries with jittered backoff, honouring Retry-After
    cache      the persistent call cache (SQLite beside the store)
    calls      LLMClient: cache, concurrency slots, retries and accounting together
    prices     the price table in datasets/prices.yaml
    estimate   the pre-flight estimate and the --max-cost check
    prompting  a prompt template and excerpts as chat messages, excerpts as inert data
    sync       running the async API from synchronous code (never inside a running loop)

Nothing here imports `openai` at import time, and nothing builds a client before a call.
"""

from __future__ import annotations

from pathlib import Path

from workbench.llm.cache import CallCache, cache_path_for
from workbench.llm.calls import CallStats, LLMClient
from workbench.llm.client import ChatReply, ChatRequest, ChatTransport, OpenAITransport
from workbench.llm.prices import load_prices
from workbench.llm.settings import LLMSettings, Secret

__all__ = [
    "CallStats",
    "ChatReply",
    "ChatRequest",
    "ChatTransport",
    "LLMClient",
    "LLMSettings",
    "Secret",
    "open_client",
]


def open_client(
    settings: LLMSettings,
    *,
    store_path: Path | str | None = None,
    cache_path: Path | str | None = None,
    cache: CallCache | None = None,
    transport: ChatTransport | None = None,
    prices: Path | None = None,
) -> LLMClient:
    """An LLM client for `settings`, with the call cache in the file `cache_path` (or beside
    the SQLite store file `store_path`) and the price table at `prices` (default: the
    default data set folder's)."""
    if cache is None and cache_path is not None:
        cache = CallCache(cache_path)
    elif cache is None and store_path is not None:
        cache = CallCache(cache_path_for(store_path))
    return LLMClient(
        settings,
        transport or OpenAITransport(settings),
        cache=cache,
        prices=load_prices(prices),
    )
