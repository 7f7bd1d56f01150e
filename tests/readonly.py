"""Making a folder read-only for real, also when the tests run as root.

An unprivileged user gets `chmod 555`, which the kernel enforces. Root ignores file modes,
so for root the folder is bind-mounted read-only over itself, as an auditor's archive
mount would be; if the machine does not allow that, the test fails (it never skips).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["read_only"]


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """`folder`, read-only for this process until the block ends."""
    if os.geteuid() != 0:
        os.chmod(folder, 0o555)
        try:
            yield folder
        finally:
            os.chmod(folder, 0o755)
        return
    done = subprocess.run(
        ["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"cannot make {folder} read-only as root: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)
