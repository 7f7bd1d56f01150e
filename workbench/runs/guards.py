"""The guards every use case passes through, written once.

- `open_for_reading` / `open_for_writing`: the store, its pages checked first (a damaged
  store is one error naming it before anything is read or written; a zero-byte file is
  not a store);
- `publishable_log`: nothing leaves (export, export of approved answers, report) unless
  the decision log is intact, its rows still match the answers they decided on, it
  extends the anchors given, and, once any decision carries a keyed MAC, the key is in
  reach and every MAC matches;
- the safety override is `workbench.review.decisions`' rule, which `decide` and the
  review desk both call, and the store's triggers hold again.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from workbench.errors import ConfigError, ReviewError
from workbench.review.decisions import verify_log
from workbench.store import Store
from workbench.store.decision_log import Anchor, ChainCheck, load_log_key
from workbench.store.keys import key_places, only_own_key
from workbench.workspace import Workspace

__all__ = [
    "UNKEYED_NOTE",
    "open_for_reading",
    "open_for_writing",
    "parse_anchors",
    "publishable_log",
    "unchecked_macs",
]

UNKEYED_NOTE = (
    "this decision log carries no keyed MAC: a rewritten or extended chain cannot be "
    "detected without a key or an anchor kept elsewhere"
)


def open_for_reading(ws: Workspace) -> Store:
    """The store, read-only, its pages checked before anything is read."""
    return ws.open_store(read_only=True, check_pages=True)


def open_for_writing(ws: Workspace, *, create: bool = False) -> Store:
    """The store for a command that writes: its pages checked before the first write."""
    return ws.open_store(create=create, check_pages=True)


def parse_anchors(texts: Sequence[str]) -> tuple[Anchor, ...]:
    """Anchors from `N:HASH`, `HASH` or anchor.json texts (a ConfigError names a bad one)."""
    out = []
    for text in texts:
        anchor = Anchor.parse(text)
        if isinstance(anchor, str):
            raise ConfigError(f"--anchor: {anchor}")
        out.append(anchor)
    return tuple(out)


def unchecked_macs(check: ChainCheck) -> int:
    """How many decisions carry a keyed MAC that this check could not verify (no key)."""
    return 0 if check.keyed is not None else check.count - check.unkeyed_rows


def publishable_log(
    store: Store,
    what: str,
    *,
    anchors: Sequence[Anchor] = (),
    key_file: Path | None = None,
) -> ChainCheck:
    """The log's check when `what` may go out; else one error saying why it may not.

    A `ReviewError` when the log is broken (a row changed, removed, inserted; an anchor
    not extended); a `ConfigError` when decisions carry keyed MACs and no key is in
    reach, naming where it looked. Answers changed under their decisions are the export's
    to skip, one by one, with the reason (`workbench.review.approved`).
    """
    key = load_log_key(key_file) if key_file is not None else store.log_key
    check = verify_log(store, key=key, anchors=anchors, own_key=only_own_key(key_file))
    if not check.log_ok:
        first = check.first_bad_seq
        where = f"row {first}" if first is not None else "its pages"
        why = check.problem or (check.damaged[0] if check.damaged else "")
        raise ReviewError(
            f"the decision log of {store.location} is broken at {where} ({why}); {what} "
            f"refused: run `workbench verify --store {store.location}`"
        )
    if unchecked_macs(check):
        raise ConfigError(
            f"{store.location}: {unchecked_macs(check)} decisions carry a keyed MAC and no log "
            f"key is in reach (looked in {key_places(key_file)}); {what} refused: "
            "give the key that signed them"
        )
    return check
