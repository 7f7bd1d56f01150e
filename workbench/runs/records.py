"""The review record's use cases: decide, edit, verify, back up, copy a store.

A decision is written only into a store whose pages are sound (checked before the first
write), under the rules of `workbench.review.decisions` (reasons, the latest version, the
safety override) and the log's key (`workbench.store.keys`). `verify` checks what a
publishing command checks, and says what it could not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.errors import OutputError, StoreError
from workbench.models import Answer, ReviewDecision
from workbench.review.decisions import edit_answer, record_decision, verify_log
from workbench.runs.guards import open_for_reading, open_for_writing, parse_anchors
from workbench.runs.options import (
    BackupOptions,
    CopyOptions,
    DecideOptions,
    EditOptions,
    VerifyOptions,
)
from workbench.store import SQLiteStore
from workbench.store.copy import CopyReport, check_copy_target, copy_store
from workbench.store.decision_log import ChainCheck
from workbench.store.keys import load_log_key, only_own_key

__all__ = [
    "BackupResult",
    "EditResult",
    "VerifyResult",
    "backup",
    "copy",
    "decide",
    "edit",
    "verify",
]


def decide(o: DecideOptions) -> ReviewDecision:
    """Record one decision on one answer version, bound to what the reviewer saw."""
    ws = o.workspace
    with open_for_writing(ws) as store:
        return record_decision(
            store,
            o.answer_id,
            o.decision,
            reviewer=o.reviewer,
            reason=o.reason,
            override_safety=o.override_safety,
            excerpts=ws.corpus.excerpts,
        )


@dataclass(frozen=True, slots=True)
class EditResult:
    """The new answer version and the decision that made it."""

    answer: Answer
    decision: ReviewDecision


def edit(o: EditOptions) -> EditResult:
    """Save an edited text as a new version of the answer (not approved: it needs its own)."""
    ws = o.workspace
    with open_for_writing(ws) as store:
        new, made = edit_answer(
            store,
            o.answer_id,
            o.text,
            reviewer=o.reviewer,
            reason=o.reason,
            excerpts=ws.corpus.excerpts,
        )
    return EditResult(new, made)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """The check of the log and the pages, and where it was made."""

    location: str
    check: ChainCheck
    anchors: int


def verify(o: VerifyOptions) -> VerifyResult:
    """Check the store's pages, the chain, the counter, the rows against the answers they
    decided on, the MACs under the key (when one is in reach) and the anchors."""
    anchors = parse_anchors(o.anchors)
    key = load_log_key(o.key_file)
    with o.workspace.open_store(read_only=True) as store:
        own = only_own_key(o.key_file)
        check = verify_log(store, key=key, anchors=anchors, pages=True, own_key=own)
        return VerifyResult(store.location, check, len(anchors))


@dataclass(frozen=True, slots=True)
class BackupResult:
    """Where the store was copied, and the check of the copy."""

    source: str
    out: Path
    check: ChainCheck


def backup(o: BackupOptions) -> BackupResult:
    """Copy the store into the new file `o.out` (one consistent snapshot), then verify it."""
    out = o.out
    if out.exists():
        raise OutputError(f"{out} exists: give a new file for the backup")
    if not out.parent.is_dir():
        raise OutputError(f"{out.parent}: no such folder for the backup")
    with o.workspace.open_store(read_only=True) as store:
        store.backup(out)
        source = store.location
    with SQLiteStore(out, create=False, read_only=True, log_key=None) as copied:
        check = verify_log(copied, pages=True)
    return BackupResult(source, out, check)


def copy(o: CopyOptions) -> CopyReport:
    """Copy every record of a store into a new, empty one, and verify the copy.

    Everything that can refuse the copy is checked before the target is touched, so a
    refused copy leaves no schema and no file behind.
    """
    with open_for_reading(o.source) as source:
        check_copy_target(source, o.target.store)
        made = o.target.store.is_file and not o.target.store.path.exists()
        try:
            with open_for_writing(o.target, create=True) as target:
                return copy_store(source, target)
        except StoreError:
            if made:  # a new file that holds half a copy is no store to keep
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{o.target.store.path}{suffix}").unlink(missing_ok=True)
            raise
