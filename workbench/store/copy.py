"""Copying a whole store to another, of either kind: SQLite to PostgreSQL and back.

Everything goes: runs, answer versions, evaluations and the decision log, each decision
with its place, link and hash as recorded (the same Python chain code made them in
either database). The receiving database's triggers check each row as it arrives, in
the order the rules were met the first time: generated answers first, each edit's new
version with its decision, the evaluations last. On arrival the copied log is checked
link by link and hash by hash and compared with the source's hashes.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.errors import StoreError
from workbench.models import Answer, ReviewDecision
from workbench.store.base import Store
from workbench.store.decision_log import ChainCheck, check_chain
from workbench.store.location import StoreKind, StoreLocation

__all__ = ["CopyReport", "check_copy_target", "copy_store"]


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What was copied, and the check of the copied decision log."""

    runs: int
    answers: int
    evaluations: int
    decisions: int
    check: ChainCheck


def _check_source(source: Store) -> list[ReviewDecision]:
    decisions = source.decisions()
    before = check_chain(decisions)
    if not before.ok:
        raise StoreError(
            f"{source.location}: the decision log is broken at row {before.first_bad_seq} "
            f"({before.problem}); nothing was copied: `workbench verify` shows it"
        )
    return decisions


def _is_empty(store: Store) -> bool:
    return not (store.runs() or store.answers() or store.last_decision_seq())


def check_copy_target(source: Store, target: StoreLocation) -> None:
    """Refuse a copy before anything is written: a broken source log, or a target that is
    not a new, empty store (a file that is not a store, a store holding records)."""
    _check_source(source)
    if target.kind is StoreKind.SQLITE:
        from workbench.store.sqlite import SQLiteStore

        if not target.path.exists():
            return
        if target.path.is_file() and target.path.stat().st_size == 0:
            raise StoreError(
                f"{target.path} is an empty file, not a store: give a new path for the copy"
            )
        opened: Store = SQLiteStore(target.path, create=False, read_only=True, log_key=None)
    else:
        from workbench.store.postgres import PostgresStore

        try:
            opened = PostgresStore(target.target, create=False, read_only=True, log_key=None)
        except StoreError as exc:
            if str(exc).startswith("no store at"):
                return  # an empty database: the copy makes the schema
            raise
    with opened:
        if not _is_empty(opened):
            raise StoreError(f"{opened.location} is not empty: copy into a new, empty store")


def copy_store(source: Store, target: Store) -> CopyReport:
    """Copy everything in `source` into the empty store `target`, then verify the copy."""
    decisions = _check_source(source)
    if not _is_empty(target):
        raise StoreError(f"{target.location} is not empty: copy into a new, empty store")

    runs = source.runs()
    for run in runs:
        target.ensure_run(run)
    answers = source.answers()
    made_by_edit = {d.new_answer_id for d in decisions if d.new_answer_id}
    by_id = {a.id: a for a in answers}
    waiting, late, early = set(made_by_edit), list[Answer](), list[Answer]()
    for a in answers:
        if a.id in made_by_edit:
            continue  # goes in with the decision that made it
        if a.parent_id in waiting:  # a version of a version that does not exist yet
            waiting.add(a.id)
            late.append(a)
        else:
            early.append(a)
    for a in early:
        target.add_answer(a)
    for d in decisions:
        new = by_id.get(d.new_answer_id) if d.new_answer_id else None
        target.copy_decision(d, new_answer=new)
    for a in late:
        target.add_answer(a)
    evaluations = source.evaluations()
    for ev in evaluations:
        target.add_evaluation(ev)

    copied = target.decisions()
    check = check_chain(copied)
    if [d.hash for d in copied] != [d.hash for d in decisions]:
        raise StoreError(f"{target.location}: the copied decision log differs from the source's")
    if len(target.answers()) != len(answers):
        raise StoreError(f"{target.location}: the copy holds a different number of answers")
    return CopyReport(len(runs), len(answers), len(evaluations), len(copied), check)
