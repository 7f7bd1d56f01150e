"""The store: runs, answers, evaluations and the review decision log, behind one interface.

`Store` (`workbench.store.base`) is the interface; `SQLiteStore` (one file) and
`PostgresStore` (`workbench.store.postgres`, a database server) are its adapters, and
`Workspace.open_store()` picks one from a `StoreLocation`. Both schemas grow by the same
named, ordered migrations (`migrations`, with each one's PostgreSQL dialect in
`pg_migrations`). The decision log is a hash chain (`decision_log`), computed by the same
Python code for both (`rows`), that the database itself keeps append-only.
Only this package (with the data set loaders and the exports) opens files or databases.
"""

from workbench.store.base import ReviewRow, Risk, Store
from workbench.store.location import StoreKind, StoreLocation
from workbench.store.sqlite import SQLiteStore

__all__ = ["ReviewRow", "Risk", "SQLiteStore", "Store", "StoreKind", "StoreLocation"]
