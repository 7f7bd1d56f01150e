"""Running the LLM path's async API from synchronous code.

The sync methods (`generate`, `judge`, `verify`) run one event loop each and close the
client's connections before it ends. Inside a running loop (a notebook cell) they refuse
with a message pointing at the `await`-able method: the loop is never patched
(no `nest_asyncio`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

from workbench.errors import ConfigError

__all__ = ["run_sync"]

T = TypeVar("T")


class _Closable(Protocol):
    async def aclose(self) -> None: ...


def run_sync(coro: Coroutine[Any, Any, T], *, instead: str, closing: _Closable | None = None) -> T:
    """Run `coro` to its end in a new event loop, then close `closing`'s connections.

    Inside a running loop it refuses, before anything starts, naming what to `await`."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        coro.close()
        raise ConfigError(f"an event loop is running here (a notebook?): use `await {instead}`")

    async def run_and_close() -> T:
        try:
            return await coro
        finally:
            if closing is not None:
                await closing.aclose()

    return asyncio.run(run_and_close())
