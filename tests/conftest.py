"""Shared fixtures: every user path (the working folder, the config folder with the decision
log's key) points at a temporary folder; small corpora and fakes.

The store: `store` is a SQLite store by default. A test module marked `adapters`
(`pytestmark = pytest.mark.adapters`) runs each of its tests that use `store_kind`
(through `store`, `store_location` or directly) once per adapter: SQLite, and a real
PostgreSQL server that this session starts (`tests/pgcluster.py`) and stops at the end.
A test that needs PostgreSQL and cannot start it fails; it never skips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from tests import pgcluster
from tests.storekit import RawDB
from workbench.data.datasets import Corpus, load_corpus
from workbench.models import Excerpt, PromptTemplate, Question
from workbench.store import Store
from workbench.workspace import Workspace

ADAPTERS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "adapters: run the test against both store adapters (SQLite, PostgreSQL)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker("adapters"):
        metafunc.parametrize("store_kind", ADAPTERS, indirect=True)


_BY_ADAPTER: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Count the outcomes of the tests run once per adapter, for the closing summary."""
    adapter = next((a for a in ADAPTERS if f"[{a}" in report.nodeid), None)
    if adapter is None or not (report.when == "call" or report.outcome != "passed"):
        return
    counts = _BY_ADAPTER.setdefault(adapter, {"passed": 0, "failed": 0, "skipped": 0})
    counts[report.outcome] += 1


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per store adapter: how its tests went (none may be skipped)."""
    for adapter, counts in sorted(_BY_ADAPTER.items()):
        terminalreporter.write_line(
            f"store adapter {adapter}: {counts['passed']} tests passed, "
            f"{counts['failed']} failed, {counts['skipped']} skipped"
        )


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run each test in its own folder, so default paths (./workbench.db) never leak."""
    monkeypatch.chdir(tmp_path)
    for name in ("WORKBENCH_DATASETS", "WORKBENCH_STORE", "WORKBENCH_OUTPUT", "WORKBENCH_CACHE"):
        monkeypatch.delenv(name, raising=False)
    # the decision log's key: never the user's own, and none unless a test makes one
    for name in ("WORKBENCH_LOG_KEY", "WORKBENCH_LOG_KEY_FILE", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(tmp_path / "config" / "workbench"))


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The repository's own data sets, loaded once."""
    return load_corpus()


@pytest.fixture(scope="session")
def postgres() -> Iterator[pgcluster.Cluster]:
    """A real PostgreSQL server for this test session (started here, stopped at the end)."""
    try:
        cluster = pgcluster.start()
    except Exception as exc:  # no skip: a store test that cannot reach PostgreSQL fails
        pytest.fail(f"PostgreSQL is needed for this test and could not be started: {exc}")
    yield cluster
    cluster.stop()


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which adapter this test runs against (SQLite unless the module is marked `adapters`)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def new_location(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Callable[[], str]:
    """A maker of fresh, empty store locations of this test's kind (a file, or a database)."""
    made = iter(range(1_000_000))

    def make() -> str:
        if store_kind == "sqlite":
            return str(tmp_path / f"store-{next(made)}.db")
        cluster: pgcluster.Cluster = request.getfixturevalue("postgres")
        return cluster.create_database()

    return make


@pytest.fixture
def store_location(new_location: Callable[[], str]) -> str:
    """One fresh store location of this test's kind."""
    return new_location()


@pytest.fixture
def store(store_location: str) -> Iterator[Store]:
    """An open, empty store of this test's kind."""
    with Workspace.resolve(store=store_location).open_store(create=True) as s:
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


@pytest.fixture
def db(store: Store, store_location: str) -> Iterator[RawDB]:
    """A direct connection to the test store's database (after the store made its tables)."""
    with RawDB(store_location) as raw:
        yield raw
