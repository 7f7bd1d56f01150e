"""Fixtures for the widget tests: callback exceptions fail the test; a small scored store.

ipywidgets catches an exception raised in a click handler and only logs it ("Exception in
callback ...") on the traitlets logger, so a test that clicks would pass over a crashed
handler. `callback_errors` collects those records and fails the test at teardown unless
the test took them (`callback_errors.take()`), which only tests of failure handling do.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.data.datasets import Corpus, select_questions
from workbench.generation.offline import OfflineComposer
from workbench.runs.batch import generate_batch, score_batch
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.safety import load_rules
from workbench.store import SQLiteStore
from workbench.ui.review_app import ReviewController, review_app


class CallbackErrors(logging.Handler):
    """Log records of exceptions that ipywidgets swallowed in handlers."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "Exception in callback" in record.getMessage():
            self.records.append(record)

    def take(self) -> list[BaseException]:
        """The swallowed exceptions, which the test now answers for."""
        taken = [r.exc_info[1] for r in self.records if r.exc_info and r.exc_info[1]]
        self.records.clear()
        return taken


@pytest.fixture(autouse=True)
def callback_errors() -> Iterator[CallbackErrors]:
    handler = CallbackErrors()
    logger = logging.getLogger("traitlets")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
    if handler.records:
        details = "\n".join(
            f"{r.getMessage()}\n{logging.Formatter().formatException(r.exc_info)}"
            if r.exc_info
            else r.getMessage()
            for r in handler.records
        )
        pytest.fail(f"a widget callback raised (ipywidgets only logged it):\n{details}")


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus) -> Path:
    """Four breast and lung questions under every prompt version, scored offline."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    questions = select_questions(corpus, cancer_types=["breast", "lung"], limit=4)
    with SQLiteStore(path) as store:
        for key in sorted(corpus.prompts):
            generate_batch(
                store,
                corpus,
                OfflineComposer(),
                key,
                questions,
                questions_source="test",
                progress=False,
            )
        score_batch(store, corpus, OfflineJudge(), rules=load_rules(), progress=False)
    return path


@pytest.fixture
def store_file(seed_store: Path, tmp_path: Path) -> Path:
    """A fresh copy of the seed store for one test."""
    path = tmp_path / "review.db"
    shutil.copyfile(seed_store, path)
    return path


@pytest.fixture
def panel(store_file: Path, corpus: Corpus) -> Iterator[ReviewController]:
    """The review panel over the copy, its reviewer not yet named."""
    app = review_app(store_file, corpus=corpus)
    yield app
    app.desk.store.close()
