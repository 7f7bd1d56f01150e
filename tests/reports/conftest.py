"""The whole demo store, made once for the report and gate tests that read it."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.runs.demo import DemoResult, run_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """61 questions under two prompt versions, scored offline, with its report: read only."""
    return run_demo(tmp_path_factory.mktemp("demo"), progress=False)


@pytest.fixture(scope="session")
def demo_store(demo: DemoResult) -> Path:
    return demo.store_path
