"""The workbench's one error family. Messages say what went wrong and what to do.

    WorkbenchError
    ├── DatasetError      a data set file is malformed (names file, line and field)
    │   └── DocumentError a document to import cannot be read (encrypted, no text, format)
    ├── ConfigError       a setting or option is missing or wrong
    │   └── BudgetError   a run's pre-flight cost estimate is above --max-cost (or unknown)
    ├── EndpointError     an LLM endpoint failed after its retries, or answered unusably
    ├── StoreError        the store cannot be opened, is damaged, missing or from a newer version
    ├── OutputError       an output file or folder cannot be written (names it)
    ├── ModelError        a local model file is missing, damaged or not installed (names it)
    └── ReviewError       a review decision breaks a rule (no reason, not the latest version),
                          or the decision log is broken and nothing may leave

Anything else is a bug and propagates, so tests and logs see it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BudgetError",
    "ConfigError",
    "DatasetError",
    "DocumentError",
    "EndpointError",
    "ModelError",
    "OutputError",
    "ReviewError",
    "StoreError",
    "WorkbenchError",
]


class WorkbenchError(Exception):
    """Base of every error the workbench raises on purpose."""


class DatasetError(WorkbenchError):
    """A data set file is malformed. The message names the file, the line and the field."""

    def __init__(
        self, path: Path | str, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.path = Path(path)
        self.line = line
        self.field = field
        where = str(self.path) + (f", line {line}" if line is not None else "")
        what = f"field '{field}': " if field else ""
        super().__init__(f"{where}: {what}{message}")


class DocumentError(DatasetError):
    """A document to import cannot be read: unknown format, unreadable, encrypted, or a
    PDF without a text layer. The message names the file and says what to do."""


class ConfigError(WorkbenchError):
    """A setting or command-line option is missing or wrong."""


class BudgetError(ConfigError):
    """A run would cost more than the budget allows, or its cost cannot be estimated."""


class EndpointError(WorkbenchError):
    """An LLM endpoint failed after its retries (status, timeout) or gave an unusable reply.

    `retryable` says whether a later attempt might succeed (a 429, 5xx or timeout).
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        self.retryable = retryable
        super().__init__(message)


class StoreError(WorkbenchError):
    """The store cannot be opened or used."""


class OutputError(WorkbenchError):
    """An output (report, export, backup) cannot be written where the user asked."""


class ModelError(WorkbenchError):
    """A local model (the sentence encoder, a safety classifier) cannot be opened: its file
    is missing, damaged or its package is not installed. The message names the file."""


class ReviewError(WorkbenchError):
    """A review decision was refused: the message says which rule and what to do."""
