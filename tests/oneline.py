"""What a user's mistake must print: one line on stderr, no traceback anywhere."""

from __future__ import annotations

import pytest


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    """The single line the command wrote to stderr (asserting it is one, with no traceback)."""
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    err = captured.err.strip()
    assert len(err.splitlines()) == 1, err
    return err
