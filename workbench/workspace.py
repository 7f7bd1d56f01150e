"""Where things live: the data set folder, its files, and the store, decided in one place.

Every face (the CLI, the notebooks' forms, `workbench review`) builds one `Workspace`
from what the user said, and the library takes its paths from it:

- the store: `--store` (or a notebook's `store=`), else `$WORKBENCH_STORE`, else
  `workbench.db` in the project folder (`default_store`): a path or `sqlite:///…` is a
  SQLite file, `postgresql://…` a PostgreSQL database; `open_store()` is the one place
  that turns that location into an adapter;
- the LLM call cache (a local SQLite file, per machine): `$WORKBENCH_CACHE`, else
  `.workbench/llm-cache.sqlite` beside a SQLite store, or in the project folder when the
  store is PostgreSQL (`cache_path`);
- the data sets: `--datasets`, else `$WORKBENCH_DATASETS`, else the repository's
  `datasets/`; `--questions`, `--excerpts` and `--prompts` override single parts. The
  safety rules and the gold labels are the folder's own when it has them, else the
  embedded ones (a folder made by `workbench import` has excerpts, questions and
  prompts only); the gold claims are measured against the excerpts they were labeled
  on, which come with them; the price table is the folder's `prices.yaml`, else the
  default folder's;
- a face's outputs: `--out`, else `$WORKBENCH_OUTPUT/NAME`, else `reports/NAME`.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from workbench.data.datasets import (
    Corpus,
    default_datasets_dir,
    embedded_datasets_dir,
    load_corpus,
    load_excerpts,
)
from workbench.errors import ConfigError, StoreError
from workbench.llm.cache import CACHE_FILE, cache_path_for
from workbench.llm.prices import prices_file
from workbench.scoring.safety import RuleSet, load_rules
from workbench.scoring.safety_rules import RULES_FILE
from workbench.store import SQLiteStore, Store, StoreKind, StoreLocation

__all__ = [
    "CACHE_ENV",
    "DATASETS_ENV",
    "OUTPUT_ENV",
    "STORE_ENV",
    "Workspace",
    "default_store",
    "output_dir",
    "project_dir",
]

STORE_ENV = "WORKBENCH_STORE"
DATASETS_ENV = "WORKBENCH_DATASETS"  # read by `default_datasets_dir`
OUTPUT_ENV = "WORKBENCH_OUTPUT"
CACHE_ENV = "WORKBENCH_CACHE"
STORE_NAME = "workbench.db"


def project_dir() -> Path:
    """The project folder: the current one, or its parent when running in `notebooks/`.

    A notebook's kernel runs in `notebooks/`, the CLI in the project folder: both find
    the same store.
    """
    here = Path.cwd()
    return here.parent if here.name == "notebooks" else here


def default_store(store: str | Path | StoreLocation | None = None) -> StoreLocation:
    """`store` if given, else `$WORKBENCH_STORE`, else `workbench.db` in the project folder."""
    if isinstance(store, StoreLocation):
        return store
    if store is not None and str(store).strip():
        return StoreLocation.parse(store)
    env = os.environ.get(STORE_ENV, "").strip()
    return StoreLocation.parse(env) if env else StoreLocation.parse(project_dir() / STORE_NAME)


def output_dir(out: str | Path | None, name: str) -> Path:
    """`out` if given, else `$WORKBENCH_OUTPUT/name`, else `reports/name` in the project."""
    if out is not None:
        return Path(out)
    env = os.environ.get(OUTPUT_ENV, "").strip()
    return Path(env) / name if env else project_dir() / "reports" / name


@dataclass(frozen=True)
class Workspace:
    """A data set folder (with optional single-part overrides) and a store location.

    The corpus and the safety rules load on first use and are kept; `reloaded()` gives
    a workspace that reads them again (after a prompt version is saved, say).
    """

    datasets: Path
    store: StoreLocation
    questions: Path
    excerpts: Path
    prompts: Path

    @classmethod
    def resolve(
        cls,
        *,
        datasets: str | Path | None = None,
        store: str | Path | StoreLocation | None = None,
        questions: str | Path | None = None,
        excerpts: str | Path | None = None,
        prompts: str | Path | None = None,
    ) -> Workspace:
        """The workspace the user's options name, with the defaults for the rest."""
        folder = Path(datasets) if datasets is not None else default_datasets_dir()
        return cls(
            datasets=folder,
            store=default_store(store),
            questions=Path(questions) if questions is not None else folder / "questions",
            excerpts=Path(excerpts) if excerpts is not None else folder / "excerpts",
            prompts=Path(prompts) if prompts is not None else folder / "prompts",
        )

    @cached_property
    def corpus(self) -> Corpus:
        """Questions, excerpts and prompt versions, validated."""
        return load_corpus(questions=self.questions, excerpts=self.excerpts, prompts=self.prompts)

    @property
    def rules_file(self) -> Path:
        """The safety rule set of this data set folder (else the embedded one)."""
        return _part(self.datasets, RULES_FILE)

    @cached_property
    def rules(self) -> RuleSet:
        """The safety rules, compiled."""
        return load_rules(self.rules_file)

    @property
    def prices(self) -> Path:
        """The price table: this data set folder's `prices.yaml`, else the default folder's."""
        return prices_file(self.datasets)

    @property
    def gold_claims(self) -> Path:
        """The folder of gold claim labels (else the embedded one)."""
        return _part(self.datasets, "gold") / "claims"

    @property
    def gold_safety(self) -> Path:
        """The folder of gold safety labels (else the embedded one)."""
        return _part(self.datasets, "gold") / "safety"

    @cached_property
    def gold_corpus(self) -> Corpus:
        """The corpus to measure the judge with: this one, or, when the gold labels are
        the embedded ones and the excerpts are not, the excerpts they were labeled on."""
        labeled_on = self.gold_claims.parents[1] / "excerpts"
        if not labeled_on.exists() or labeled_on.resolve() == self.excerpts.resolve():
            return self.corpus
        labeled = load_excerpts(labeled_on)
        return dataclasses.replace(self.corpus, excerpts={e.id: e for e in labeled})

    def open_store(
        self, *, create: bool = False, read_only: bool = False, check_pages: bool = False
    ) -> Store:
        """Open the store: the SQLite or the PostgreSQL adapter, by its location. Only
        commands that make runs pass `create` (`generate`, the demo, the run form); for the
        others a missing store is "no store at PATH". `read_only` for commands that only
        read (verify, report, export, runs): they then work on read-only media (and on
        PostgreSQL in read-only transactions). `check_pages` refuses a damaged store with
        one line. A new SQLite store goes in a folder that exists: a mistyped path is
        refused, not made into folders."""
        if self.store.kind is StoreKind.SQLITE:
            folder = self.store.path.parent
            if create and not self.store.path.is_file() and not folder.is_dir():
                raise StoreError(
                    f"--store {self.store.path}: the folder {folder} does not exist; "
                    "check the path, or make the folder first"
                )
            return SQLiteStore(
                self.store.path, create=create, read_only=read_only, check_pages=check_pages
            )
        try:
            from workbench.store.postgres import PostgresStore
        except ImportError as exc:  # the `postgres` extra is not installed
            raise ConfigError(
                f"store {self.store}: PostgreSQL needs psycopg; install the workbench with "
                f"its `postgres` extra (`pip install '.[postgres]'`; `make install` does) ({exc})"
            ) from exc
        return PostgresStore(self.store.target, create=create, read_only=read_only)

    @property
    def cache_path(self) -> Path:
        """The LLM call cache: a local file, per machine, never in a shared database.

        `$WORKBENCH_CACHE`, else beside a SQLite store (shared by the stores of that
        folder), else in the project folder.
        """
        env = os.environ.get(CACHE_ENV, "").strip()
        if env:
            return Path(env)
        if self.store.kind is StoreKind.SQLITE:
            return cache_path_for(self.store.path)
        return project_dir().resolve() / CACHE_FILE

    def reloaded(self) -> Workspace:
        """The same places, with the corpus and rules read again on next use."""
        return dataclasses.replace(self)


def _part(folder: Path, name: str) -> Path:
    """`folder/name` when the folder has it, else the embedded data sets' one."""
    own = folder / name
    return own if own.exists() else embedded_datasets_dir() / name
