"""Calls through the real `openai` client over HTTP: usage, cost, retries, timeouts, slots."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.llm.conftest import KEY, make_client
from tests.loopback import LoopbackServer, Reply
from workbench.errors import EndpointError
from workbench.llm import ChatReply, ChatRequest, LLMClient, LLMSettings, Secret, open_client
from workbench.llm.cache import CallCache
from workbench.llm.calls import Check
from workbench.llm.client import ChatTransport
from workbench.llm.retry import RetryPolicy

REQUEST = ChatRequest("gpt-4o-mini", (("system", "Be brief."), ("user", "Say hello.")))


def complete(
    client: LLMClient, request: ChatRequest = REQUEST, check: Check | None = None
) -> ChatReply:
    async def run() -> ChatReply:
        try:
            return await client.complete(request, check=check)
        finally:
            await client.aclose()

    return asyncio.run(run())


def complete_all(client: LLMClient, requests: list[ChatRequest]) -> list[ChatReply]:
    async def run() -> list[ChatReply]:
        try:
            return await asyncio.gather(*(client.complete(r) for r in requests))
        finally:
            await client.aclose()

    return asyncio.run(run())


def test_a_reply_carries_usage_latency_model_and_cost(server: LoopbackServer) -> None:
    server.script(Reply("Hello."))
    client = make_client(server)
    reply = complete(client)
    assert reply.content == "Hello." and reply.model == "gpt-4o-mini"
    assert reply.prompt_tokens and reply.completion_tokens and reply.latency_s > 0
    cost = client.cost(reply)
    assert cost is not None and cost == pytest.approx(
        (reply.prompt_tokens * 0.15 + reply.completion_tokens * 0.60) / 1e6
    )
    assert server.headers[0]["authorization"] == f"Bearer {KEY}"
    assert KEY not in str(server.requests[0])


def test_a_model_without_a_price_has_an_unknown_cost(server: LoopbackServer) -> None:
    client = make_client(server, model="llama3.1:8b")
    reply = complete(client, ChatRequest("llama3.1:8b", (("user", "hi"),)))
    assert client.cost(reply) is None
    assert "unknown for 1 calls (llama3.1:8b not in the price table" in client.stats.describe()


def test_a_429_is_retried_after_the_servers_retry_after(server: LoopbackServer) -> None:
    server.script(Reply(status=429, headers={"Retry-After": "1"}), Reply("ok"))
    client = make_client(server)
    started = time.perf_counter()
    reply = complete(client)
    assert reply.content == "ok" and reply.attempts == 2
    assert time.perf_counter() - started >= 1.0
    assert (client.stats.endpoint_calls, client.stats.retries, server.calls) == (2, 1, 2)


def test_5xx_are_retried_with_backoff_and_the_retries_are_bounded(server: LoopbackServer) -> None:
    server.script(Reply(status=500), Reply(status=503), Reply("ok"))
    assert complete(make_client(server)).content == "ok"
    assert server.calls == 3
    server.script(*[Reply(status=500)] * 10)
    client = make_client(server, policy=RetryPolicy(max_retries=2, base_s=0.01))
    with pytest.raises(EndpointError, match=r"HTTP 500.*gave up after 3 attempts"):
        complete(client)
    assert server.calls == 3 + 3 and client.stats.failures == 1


def test_a_slow_reply_times_out_and_is_retried(server: LoopbackServer) -> None:
    server.script(Reply("too late", delay=2.0), Reply("in time"))
    client = make_client(server, timeout_s=0.5)
    assert complete(client).content == "in time"
    assert client.stats.retries == 1


def test_a_timeout_after_every_retry_is_an_endpoint_error(server: LoopbackServer) -> None:
    server.script(*[Reply("late", delay=1.0)] * 3)
    client = make_client(server, timeout_s=0.3, policy=RetryPolicy(max_retries=2, base_s=0.01))
    with pytest.raises(EndpointError, match=r"no reply within 0.3 s.*3 attempts"):
        complete(client)


def test_a_refused_key_is_not_retried_and_not_shown(server: LoopbackServer) -> None:
    server.script(Reply(status=401))
    with pytest.raises(EndpointError, match="check OPENAI_API_KEY") as info:
        complete(make_client(server))
    assert server.calls == 1 and KEY not in str(info.value)


def test_concurrency_bounds_the_calls_in_flight(server: LoopbackServer) -> None:
    server.latency = 0.2
    client = make_client(server, concurrency=3)
    requests = [ChatRequest("gpt-4o-mini", (("user", f"q{i}"),)) for i in range(10)]

    assert len(complete_all(client, requests)) == 10
    assert server.max_in_flight == 3


class _Watched:
    """The real transport, noting at each call how many replies it has returned that the
    cache does not hold yet: what a process killed at that moment would ask for again."""

    def __init__(self, transport: ChatTransport, cache: CallCache) -> None:
        self.transport, self.cache = transport, cache
        self.endpoint = transport.endpoint
        self.returned: list[str] = []
        self.unkept: list[int] = []

    async def send(self, request: ChatRequest) -> ChatReply:
        self.unkept.append(sum(not self.cache.has(key) for key in self.returned))
        reply = await self.transport.send(request)
        self.returned.append(request.cache_key(self.endpoint))
        return reply

    async def aclose(self) -> None:
        await self.transport.aclose()


def test_a_reply_is_kept_before_the_next_call_goes_out(
    server: LoopbackServer, tmp_path: Path
) -> None:
    client = make_client(server, tmp_path, concurrency=1)
    assert client.cache is not None
    watched = client.transport = _Watched(client.transport, client.cache)
    requests = [ChatRequest("gpt-4o-mini", (("user", f"q{i}"),)) for i in range(4)]

    assert len(complete_all(client, requests)) == 4 and server.calls == 4
    # A batch killed at any moment asks again for at most the calls then in flight.
    assert watched.unkept == [0, 0, 0, 0]


def test_the_cache_serves_an_identical_request_and_only_that(
    server: LoopbackServer, tmp_path: Path
) -> None:
    first = complete(make_client(server, tmp_path))
    again = make_client(server, tmp_path)  # a new process would open the same file
    hit = complete(again)
    assert hit.cached and hit.content == first.content and server.calls == 1
    assert (again.stats.cache_hits, again.stats.endpoint_calls) == (1, 0)
    warmer = ChatRequest(REQUEST.model, REQUEST.messages, temperature=0.7)
    complete(again, warmer)
    assert server.calls == 2
    bypass = make_client(server, tmp_path, use_cache=False)
    assert not complete(bypass).cached and server.calls == 3
    cache_file = tmp_path / ".workbench" / "llm-cache.sqlite"
    assert KEY.encode() not in cache_file.read_bytes()


def test_a_body_that_is_not_a_completion_is_an_endpoint_error(server: LoopbackServer) -> None:
    server.script(Reply(raw=b'{"id": "x", "object": "list", "data": []}'))
    with pytest.raises(EndpointError, match="not a chat completion"):
        complete(make_client(server))


def test_a_reply_that_fails_the_callers_check_is_not_cached(
    server: LoopbackServer, tmp_path: Path
) -> None:
    def check(reply: ChatReply) -> None:
        if not reply.content.startswith("{"):
            raise EndpointError("not JSON")

    server.script(Reply("no JSON here"), Reply('{"ok": 1}'))
    client = make_client(server, tmp_path)
    request = ChatRequest(model="gpt-4o-mini", messages=(("user", "hi"),))
    first = complete(client, request, check)
    assert first.content == "no JSON here" and not client.cached(request)
    second = complete(client, request, check)
    assert second.content == '{"ok": 1}' and client.cached(request)
    assert complete(client, request, check).cached
    assert server.calls == 2 and client.stats.unusable == 1


def test_a_cached_reply_that_fails_the_check_is_asked_again(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.script(Reply("broken"), Reply('{"ok": 1}'))
    client = make_client(server, tmp_path)
    request = ChatRequest(model="gpt-4o-mini", messages=(("user", "hi"),))
    complete(client, request)  # cached without a check (as older versions did)

    def check(reply: ChatReply) -> None:
        if reply.content == "broken":
            raise EndpointError("broken")

    fresh = complete(client, request, check)
    assert fresh.content == '{"ok": 1}' and not fresh.cached and server.calls == 2


def test_timeouts_lower_the_concurrency_for_a_server_that_answers_one_at_a_time(
    server: LoopbackServer,
) -> None:
    server.latency, server._slots = 0.4, threading.BoundedSemaphore(1)  # one request at a time
    client = make_client(server, concurrency=4, timeout_s=1.0)

    async def run() -> list[ChatReply]:
        try:
            requests = [ChatRequest("gpt-4o-mini", (("user", f"q{i}"),)) for i in range(6)]
            return await asyncio.gather(*(client.complete(r) for r in requests))
        finally:
            await client.aclose()

    replies = asyncio.run(run())
    assert len(replies) == 6 and client.stats.failures == 0
    assert client.stats.retries >= 1 and client.concurrency < 4
    assert f"concurrency lowered from 4 to {client.concurrency}" in client.stats.describe()


def test_identical_requests_in_flight_go_out_once(server: LoopbackServer, tmp_path: Path) -> None:
    server.latency = 0.2  # both are in flight together, whatever the machine's load
    client = make_client(server, tmp_path, concurrency=4)
    other = ChatRequest("gpt-4o-mini", (("user", "Say goodbye."),))

    replies = complete_all(client, [REQUEST, REQUEST, other, REQUEST])
    assert server.calls == 2 and client.stats.endpoint_calls == 2
    assert (client.stats.cache_hits, client.stats.cache_misses) == (2, 2)
    assert [r.cached for r in replies] == [False, True, False, True]
    assert replies[0].content == replies[1].content == replies[3].content


def test_an_identical_request_shares_the_first_ones_failure(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.latency = 0.2
    server.script(Reply(status=400))  # a bad request stays bad: not retried
    client = make_client(server, tmp_path)

    async def run() -> list[ChatReply | BaseException]:
        try:
            return await asyncio.gather(
                client.complete(REQUEST), client.complete(REQUEST), return_exceptions=True
            )
        finally:
            await client.aclose()

    outcomes = asyncio.run(run())
    assert all(isinstance(o, EndpointError) for o in outcomes) and server.calls == 1


def test_without_the_cache_every_request_goes_out(server: LoopbackServer, tmp_path: Path) -> None:
    client = make_client(server, tmp_path, use_cache=False)
    complete_all(client, [REQUEST, REQUEST])
    assert server.calls == 2 and client.stats.cache_hits == 0


def test_a_refused_connection_is_named_and_lowers_nothing() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = LLMSettings(
        base_url=f"http://127.0.0.1:{port}/v1", api_key=Secret(KEY), model="m", concurrency=4
    )
    client = open_client(config)
    client.policy = RetryPolicy(max_retries=1, base_s=0.01, cap_s=0.01)
    with pytest.raises(EndpointError, match="connection refused") as info:
        complete(client)
    assert "timeout" not in str(info.value) and client.concurrency == 4
    assert "lowered" not in client.stats.describe() and client.stats.failures == 1
