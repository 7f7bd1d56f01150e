"""How views tell controllers what the user did (named events), and how clicks fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from workbench.errors import WorkbenchError

__all__ = ["Events", "attempt"]

T = TypeVar("T")


class Events:
    """Named events; a view emits, a controller handles. Handlers run in the order added."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Callable[..., object]]] = {}

    def on(self, name: str, handler: Callable[..., object]) -> None:
        """Call `handler` whenever `name` is emitted."""
        self._handlers.setdefault(name, []).append(handler)

    def emit(self, name: str, *args: Any) -> None:
        """Call the handlers of `name`; their exceptions propagate to the widget's caller."""
        for handler in self._handlers.get(name, []):
            handler(*args)


def attempt(
    show_error: Callable[[str], None],
    what: str,
    action: Callable[[], T],
    *,
    refused: str = "not saved",
) -> T | None:
    """Run a click's action; show a refused one, and show then re-raise a failed one.

    A `WorkbenchError` is the library refusing with a reason: shown, nothing saved. Any
    other exception is a failure the panel must not hide: shown as NOT SAVED and raised
    again so that the log (and a test's fixture) sees it.
    """
    try:
        return action()
    except WorkbenchError as exc:
        show_error(f"{what} {refused}: {exc}")
        return None
    except Exception as exc:
        show_error(
            f"{what} NOT SAVED: {type(exc).__name__}: {exc}. Try again, or tell whoever "
            "runs the workbench."
        )
        raise
