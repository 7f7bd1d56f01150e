"""Fixtures for the LLM path: a loopback chat-completions server and clients that use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer
from workbench.llm import LLMClient, LLMSettings, Secret, open_client
from workbench.llm.retry import RetryPolicy

KEY = "sk-test-DO-NOT-LEAK-4242"


@pytest.fixture(autouse=True)
def _no_analytics_no_stray_endpoint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ragas analytics, ragas' user files in the test's folder (its user id file is
    left open when it exists already), and no endpoint settings from the environment."""
    monkeypatch.setenv("RAGAS_DO_NOT_TRACK", "true")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "WORKBENCH_MODEL"):
        monkeypatch.delenv(name, raising=False)
    for name in ("MODEL", "BASE_URL", "API_KEY"):
        monkeypatch.delenv(f"WORKBENCH_JUDGE_{name}", raising=False)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback server answering with `smart_reply` unless a test scripts it."""
    with LoopbackServer() as s:
        yield s


@pytest.fixture
def llm_env(server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> LoopbackServer:
    """The standard variables pointing at the loopback server."""
    monkeypatch.setenv("OPENAI_BASE_URL", server.url)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("WORKBENCH_MODEL", "gpt-4o-mini")
    return server


FAST = RetryPolicy(max_retries=3, base_s=0.01, cap_s=0.05)


def make_client(
    server: LoopbackServer,
    tmp_path: Path | None = None,
    *,
    policy: RetryPolicy = FAST,
    **settings: object,
) -> LLMClient:
    """A client for the loopback server, with the call cache under `tmp_path` if given."""
    fields: dict[str, object] = {"model": "gpt-4o-mini", "timeout_s": 5.0, **settings}
    config = LLMSettings(base_url=server.url, api_key=Secret(KEY), **fields)  # type: ignore[arg-type]
    client = open_client(config, store_path=tmp_path / "test.db" if tmp_path else None)
    client.policy = policy
    return client
