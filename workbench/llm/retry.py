"""Retries with backoff: bounded, jittered, and polite to a server's Retry-After.

Only a `TransientError` (429, 5xx, timeout, dropped connection) is retried; anything else
is raised at once. The wait before retry n is `base * 2**(n-1)`, capped, with full jitter,
or the server's Retry-After when it asks for longer (itself capped, so a bad hint cannot
stall a batch).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from workbench.llm.client import TransientError

__all__ = ["RetryPolicy", "with_retries"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to wait: `max_retries` retries after the first attempt."""

    max_retries: int = 4
    base_s: float = 0.5
    cap_s: float = 20.0
    retry_after_cap_s: float = 60.0

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        backoff = rng.uniform(0, min(self.cap_s, self.base_s * 2 ** (retry - 1)))
        if retry_after is not None:
            return max(backoff, min(retry_after, self.retry_after_cap_s))
        return backoff


async def with_retries(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: Callable[[TransientError, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rng: random.Random | None = None,
) -> tuple[T, int]:
    """Run `attempt` until it succeeds or the retries run out; returns (result, attempts).

    The last TransientError propagates, its message saying how many attempts were made.
    """
    rng = rng or random.Random()
    for n in range(policy.max_retries + 1):
        try:
            return await attempt(), n + 1
        except TransientError as exc:
            if n == policy.max_retries:
                exc.args = (f"{exc.args[0]} (gave up after {n + 1} attempts)",)
                raise
            wait = policy.delay(n + 1, exc.retry_after, rng)
            if on_retry is not None:
                on_retry(exc, wait)
            await sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
