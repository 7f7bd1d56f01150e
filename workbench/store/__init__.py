"""The store: runs, answers, evaluations and the review decision log, behind one interface.

`Store` is the SQLite adapter (`workbench.store.sqlite`); its schema grows by the named,
ordered migrations of `workbench.store.migrations`. The decision log is a hash chain
(`workbench.store.decision_log`) that the database itself keeps append-only.
Only this package (with the data set loaders and the exports) opens files or databases.
"""

from workbench.store.sqlite import ReviewRow, Store

__all__ = ["ReviewRow", "Store"]
