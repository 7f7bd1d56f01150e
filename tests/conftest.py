"""Shared fixtures: every user path points at a temporary folder; small corpora and fakes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from workbench.data.datasets import Corpus, load_corpus
from workbench.models import Excerpt, PromptTemplate, Question
from workbench.store import Store


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test in its own folder, so default paths (./workbench.db) never leak."""
    monkeypatch.chdir(tmp_path)
    for name in ("WORKBENCH_DATASETS", "WORKBENCH_STORE", "WORKBENCH_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The repository's own data sets, loaded once."""
    return load_corpus()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "test.db") as s:
        yield s


def make_excerpt(
    id: str, text: str, *, topics: tuple[str, ...] = ("overview",), cancer_type: str = "breast"
) -> Excerpt:
    """A hand-made excerpt for unit tests."""
    return Excerpt(
        id,
        text,
        cancer_type,
        topics,
        "Test Source",
        "Test Section",
        "https://www.cancer.gov/test",
        date(2026, 1, 1),
    )


def make_prompt(version: int = 1, **parameters: object) -> PromptTemplate:
    return PromptTemplate(
        "test_prompt", version, "a test prompt", "system", "user", dict(parameters)
    )


SEED = Question(
    "q-seed", "How does CAR-T cell therapy work for breast cancer?", "breast", ("car-t",)
)
