"""One LLM client for a run: cache first, then bounded concurrency, retries and accounting.

`LLMClient.complete(request)` answers from the persistent call cache when it can (unless
the settings bypass it), else waits for one of `concurrency` slots, calls the transport
with retries and backoff, keeps the reply in the cache, and counts everything in
`CallStats`: endpoint calls, cache hits and misses, retries, tokens and cost. A slot is
held only while a request is in flight, never during a backoff wait. A reply is kept
before the call waiting for its slot goes out, so a process killed at any moment asks
again for at most the calls it had in flight. A call that timed out or lost its
connection halves the slots (down to one) for the rest of the run: a local server that
answers one request at a time queues the others until they time out, and fewer at once
is what gets them answered. A refused connection (nothing listening) does not: fewer at
once would not help.

Identical requests in flight at once are sent once (single flight): the second waits
for the first's reply and counts as a cache hit, so a run's call count does not depend
on timing. This holds whenever the cache is in use; `use_cache=False` sends every
request, as it asks.

A caller that can tell a usable reply from an unusable one (a judge that needs JSON of a
shape, a backend that needs text) passes that `check`: a reply that fails it is never
kept in the cache, and a cached reply that fails it is asked for again, so the next run
retries what failed instead of replaying it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from workbench.errors import EndpointError
from workbench.llm.cache import CallCache
from workbench.llm.client import ChatReply, ChatRequest, ChatTransport, TransientError
from workbench.llm.prices import FREE, Price, PriceTable
from workbench.llm.retry import RetryPolicy, with_retries
from workbench.llm.settings import LLMSettings

__all__ = ["CallStats", "Check", "LLMClient"]

Check = Callable[[ChatReply], object]  # raises EndpointError when a reply is unusable


def usable(reply: ChatReply, check: Check | None) -> bool:
    """Whether `reply` passes `check` (any reply does without one)."""
    if check is None:
        return True
    try:
        check(reply)
    except EndpointError:
        return False
    return True


@dataclass(slots=True)
class CallStats:
    """What a client did: the run summary's figures."""

    endpoint_calls: int = 0  # HTTP requests sent, retries included
    cache_hits: int = 0
    cache_misses: int = 0
    retries: int = 0
    failures: int = 0
    unusable: int = 0  # replies that came back but failed the caller's check (not cached)
    concurrency: tuple[int, int] | None = None  # (from, to) when timeouts lowered it
    lowered_after: set[str] = field(default_factory=set)  # "timeouts", "dropped connections"
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced_calls: int = 0  # calls whose cost is unknown (model not in the price table)
    models: set[str] = field(default_factory=set)

    def describe(self) -> str:
        """One line for the run summary."""
        cost = f"${self.cost_usd:.4f}"
        if self.unpriced_calls:
            unknown = ", ".join(sorted(self.models))
            cost += (
                f" + unknown for {self.unpriced_calls} calls ({unknown} not in the price "
                "table; --free for a local server)"
            )
        unusable = f", {self.unusable} unusable replies" if self.unusable else ""
        if self.concurrency is not None:
            was, now = self.concurrency
            why = " and ".join(sorted(self.lowered_after)) or "timeouts"
            unusable += f"; concurrency lowered from {was} to {now} after {why}"
        return (
            f"LLM calls: {self.endpoint_calls} to the endpoint ({self.retries} retries, "
            f"{self.failures} failed{unusable}); cache {self.cache_hits} hits, {self.cache_misses} "
            f"misses; tokens {self.prompt_tokens} in, {self.completion_tokens} out; "
            f"cost {cost}"
        )


class LLMClient:
    """Calls one endpoint and model through a transport, with a cache and a budget of slots."""

    def __init__(
        self,
        settings: LLMSettings,
        transport: ChatTransport,
        *,
        cache: CallCache | None = None,
        prices: PriceTable | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.cache = cache
        self.prices = prices
        self.policy = policy or RetryPolicy(max_retries=settings.max_retries)
        self.stats = CallStats()
        self.concurrency = settings.concurrency  # lowered by timeouts and dropped connections
        self._slots: _Slots | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: dict[str, asyncio.Future[ChatReply]] = {}

    def __repr__(self) -> str:
        return f"LLMClient({self.transport!r}, concurrency={self.settings.concurrency})"

    def _semaphore(self) -> _Slots:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = _Slots(self.concurrency), loop
        return self._slots

    def _back_off(self, slots: _Slots, why: str) -> None:
        """Halve the calls in flight (not below one) after a timeout or a dropped connection."""
        if slots.limit > 1:
            self.stats.lowered_after.add(why)
            slots.limit = self.concurrency = max(1, slots.limit // 2)
            self.stats.concurrency = (self.settings.concurrency, slots.limit)

    def peek(self, request: ChatRequest) -> ChatReply | None:
        """The reply the cache would serve for `request`, without counting it as a hit."""
        if self.cache is None or not self.settings.use_cache:
            return None
        return self.cache.get(request.cache_key(self.transport.endpoint))

    def cached(self, request: ChatRequest) -> bool:
        """Whether `complete(request)` would be served by the cache."""
        if self.cache is None or not self.settings.use_cache:
            return False
        return self.cache.has(request.cache_key(self.transport.endpoint))

    def price(self) -> Price | None:
        """The price of this client's model: free, from the table, or None if unknown."""
        if self.settings.free:
            return FREE
        return self.prices.price(self.settings.model) if self.prices else None

    def cost(self, reply: ChatReply) -> float | None:
        """The cost of a reply, or None when its model has no price.

        Priced as the model that served it, else as the model asked for: a local server
        names its model by file path (llama.cpp) or tag, which no price table lists.
        """
        if self.settings.free:
            return 0.0
        if self.prices is None:
            return None
        served = self.prices.price(reply.model) is not None
        model = reply.model if served else self.settings.model
        return self.prices.cost(model, reply.prompt_tokens, reply.completion_tokens)

    async def complete(self, request: ChatRequest, *, check: Check | None = None) -> ChatReply:
        """The reply to `request`: from the cache, or from the endpoint (with retries).

        A reply that fails `check` is returned (the caller says what is wrong with it)
        but not cached; a cached one that fails it counts as a miss and is asked again.
        An identical request already in flight is not sent again: this call waits for
        its reply (or its error).
        """
        key = request.cache_key(self.transport.endpoint)
        if self.cache is None or not self.settings.use_cache:
            self.stats.cache_misses += 1
            return await self._call(request, key, check)
        hit = self.cache.get(key)
        if hit is not None and usable(hit, check):
            self.stats.cache_hits += 1
            return hit
        loop = asyncio.get_running_loop()
        leader = self._in_flight.get(key)
        if leader is not None and leader.get_loop() is loop:
            try:
                reply = await asyncio.shield(leader)
            except asyncio.CancelledError:
                if not leader.cancelled():
                    raise  # this call was cancelled, not the one it waited for
            else:
                self.stats.cache_hits += 1
                return replace(reply, cached=True, attempts=0)
        self.stats.cache_misses += 1
        future: asyncio.Future[ChatReply] = loop.create_future()
        self._in_flight[key] = future
        try:
            reply = await self._call(request, key, check)
        except asyncio.CancelledError:
            future.cancel()  # a waiting call then sends the request itself
            raise
        except Exception as exc:
            future.set_exception(exc)
            future.exception()  # marked as seen: no call may be waiting for it
            raise
        finally:
            if self._in_flight.get(key) is future:
                del self._in_flight[key]
        future.set_result(reply)
        return reply

    async def _call(self, request: ChatRequest, key: str, check: Check | None) -> ChatReply:
        """One request to the endpoint, with retries; the usable reply kept in the cache."""
        slots = self._semaphore()

        async def attempt() -> ChatReply:
            async with slots:
                self.stats.endpoint_calls += 1
                return await self.transport.send(request)

        def count_retry(error: TransientError, __: float) -> None:
            self.stats.retries += 1
            if error.overloaded:
                self._back_off(slots, error.overloaded)

        try:
            reply, attempts = await with_retries(attempt, self.policy, on_retry=count_retry)
        except Exception:
            self.stats.failures += 1
            raise
        # Keep the reply before anything else runs: a call waiting for the slot just freed
        # goes out at the next await, and a process killed after that must not have to
        # ask for this reply again (a kill repeats at most the calls then in flight).
        self._account(reply)
        if not usable(reply, check):
            self.stats.unusable += 1
            if self.cache is not None:
                self.cache.drop(key)  # a reply cached before it was checked goes too
        elif self.cache is not None:
            self.cache.put(key, request, reply)
        # Then let the waiting calls go out before the caller does its (CPU-bound) work:
        # otherwise a burst of replies is processed in full before any new request is
        # sent, and the endpoint idles.
        await asyncio.sleep(0)
        return replace(reply, attempts=attempts)

    def _account(self, reply: ChatReply) -> None:
        self.stats.prompt_tokens += reply.prompt_tokens or 0
        self.stats.completion_tokens += reply.completion_tokens or 0
        cost = self.cost(reply)
        if cost is None:
            self.stats.unpriced_calls += 1
            self.stats.models.add(reply.model)
        else:
            self.stats.cost_usd += cost

    async def aclose(self) -> None:
        """Close the transport's connections (reopened if the client is used again)."""
        await self.transport.aclose()


class _Slots:
    """At most `limit` holders at once; the limit may be lowered while calls wait."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._busy = 0
        self._freed = asyncio.Condition()

    async def __aenter__(self) -> None:
        async with self._freed:
            await self._freed.wait_for(lambda: self._busy < self.limit)
            self._busy += 1

    async def __aexit__(self, *exc: object) -> None:
        async with self._freed:
            self._busy -= 1
            self._freed.notify()
