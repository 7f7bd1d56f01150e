"""The review decision log's integrity: what a decision's hash covers, and checking a chain.

Each decision's hash is SHA-256 over its content (canonical JSON) and the previous
decision's hash, so editing, deleting or reordering any past decision breaks every hash
after it. That alone cannot catch what the file itself no longer shows, so three checks
reach past the file's edge:

- the store's own counter of decisions ever recorded (SQLite's autoincrement counter):
  rows missing at the end of the log are named;
- a keyed MAC: HMAC-SHA256 over each row's hash, with a key that lives outside the store
  (`WORKBENCH_LOG_KEY`, or a file named by `WORKBENCH_LOG_KEY_FILE`); a chain rewritten
  with fresh SHA-256s but without the key no longer matches;
- anchors: the head (count and hash) printed and saved by every export and report; the
  log must still extend each one.

Everything here is pure Python over plain values, so any store adapter (SQLite,
PostgreSQL) computes the same hashes and MACs and runs the same check.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.data.text import text_sha256
from workbench.models import Answer, Binding, Decision, ReviewDecision
from workbench.store.keys import KEY_ENV, KEY_FILE_ENV, load_log_key

__all__ = [
    "GENESIS",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "UNKNOWN_VERSION",
    "Anchor",
    "ChainCheck",
    "DecisionDraft",
    "binding_content",
    "binding_of",
    "changed_since",
    "check_answers",
    "check_chain",
    "decision_content",
    "decision_hash",
    "decision_mac",
    "load_log_key",
    "text_sha256",
]

GENESIS = "0" * 64  # the "previous hash" of the first decision
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class DecisionDraft:
    """A decision before the store gives it its place in the chain.

    `overrides` lists the fail-severity safety rules an approval was given over, on
    purpose and with a reason.
    """

    id: str
    answer_id: str
    reviewer: str
    account: str
    decision: Decision
    reason: str
    created_at: datetime
    new_answer_id: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    overrides: tuple[str, ...] = ()
    # excerpt id -> the version (fingerprint) the reviewer saw; the store binds those the
    # answer cites to the decision, with the answer's question, prompt version and run
    excerpt_versions: tuple[tuple[str, str], ...] = ()


UNKNOWN_VERSION = "unknown"  # an excerpt cited but neither loaded nor judged at decision time


def binding_of(answer: Answer, versions: Sequence[tuple[str, str]] = ()) -> Binding:
    """What a new decision on `answer` covers besides its id and text hash."""
    seen = dict(versions)
    cited = tuple((i, seen.get(i, UNKNOWN_VERSION)) for i in answer.cited_ids)
    return Binding(answer.question_id, answer.prompt_key, answer.run_id, cited)


def binding_content(binding: Binding) -> dict[str, Any]:
    """A binding as the log stores and hashes it."""
    return {
        "question_id": binding.question_id,
        "prompt_key": binding.prompt_key,
        "run_id": binding.run_id,
        "cited": [list(pair) for pair in binding.cited],
    }


def decision_content(
    draft: DecisionDraft | ReviewDecision,
    *,
    answer_sha256: str,
    meaning: str,
    prev_hash: str,
    binding: Binding | None = None,
) -> dict[str, Any]:
    """The fields of a decision that its hash covers, as the log stores them.

    `overrides` and `binding` are present only when the decision has them, so decisions
    recorded before they existed keep their hashes. A recorded decision brings its own
    binding; a draft's is given (`binding_of` its answer).
    """
    if binding is None and isinstance(draft, ReviewDecision):
        binding = draft.binding
    content: dict[str, Any] = {
        "id": draft.id,
        "answer_id": draft.answer_id,
        "answer_sha256": answer_sha256,
        "reviewer": draft.reviewer,
        "account": draft.account,
        "decision": draft.decision.value,
        "reason": draft.reason,
        "meaning": meaning,
        "created_at": draft.created_at.isoformat(),
        "new_answer_id": draft.new_answer_id,
        "old_text": draft.old_text,
        "new_text": draft.new_text,
        "prev_hash": prev_hash,
    }
    if draft.overrides:
        content["overrides"] = list(draft.overrides)
    if binding is not None:
        content["binding"] = binding_content(binding)
    return content


def decision_hash(
    draft: DecisionDraft | ReviewDecision,
    *,
    answer_sha256: str,
    meaning: str,
    prev_hash: str,
    binding: Binding | None = None,
) -> str:
    """The hash of a decision's content chained to the previous hash (canonical JSON)."""
    content = decision_content(
        draft, answer_sha256=answer_sha256, meaning=meaning, prev_hash=prev_hash, binding=binding
    )
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text_sha256(canonical)


def decision_mac(key: bytes, digest: str) -> str:
    """HMAC-SHA256 of a decision's hash under the log key (hex)."""
    return hmac.new(key, digest.encode("ascii"), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """A point the log must still extend: the number of decisions and the head's hash."""

    count: int
    head: str

    def __str__(self) -> str:
        return f"{self.count}:{self.head}"

    @classmethod
    def parse(cls, text: str) -> Anchor | str:
        """An anchor from `N:HASH`, a bare `HASH` (count -1: anywhere in the log), or an
        anchor.json file; a string saying what is wrong otherwise."""
        path = Path(text)
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                return cls._checked(int(data["decisions"]), str(data["head"]), text)
            except (OSError, ValueError, KeyError, TypeError) as exc:
                return f"{text}: not an anchor file ({type(exc).__name__}: {exc})"
        count, _, head = text.strip().rpartition(":")
        if not count:
            return cls._checked(-1, head, text)
        if not count.isdigit():
            return f"{text!r} is not an anchor: give N:HASH, a 64-hex-digit hash or anchor.json"
        return cls._checked(int(count), head, text)

    @classmethod
    def _checked(cls, count: int, head: str, text: str) -> Anchor | str:
        if not _HEX64.match(head.lower()):
            return f"{text!r} is not an anchor: give N:HASH, a 64-hex-digit hash or anchor.json"
        return cls(count, head.lower())


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the log, at a row."""

    seq: int
    what: str


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """The outcome of checking the log.

    `keyed` is True when every decision's MAC was checked against the key, False when
    that check failed, None when no key was given. `damaged` lists pages SQLite's
    integrity check found bad; `changed`, answers that no longer are what their decision
    covered (both filled in by `workbench.review.decisions.verify_log`).
    """

    count: int
    head: Anchor
    problems: tuple[Problem, ...] = ()
    recorded: int | None = None
    keyed: bool | None = None
    unkeyed_rows: int = 0
    anchors: tuple[Anchor, ...] = ()
    damaged: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = ()  # what the check could only partly cover, said as lines
    changed: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every hash, link, counter, MAC, anchor and page holds, and every
        answer is still what its decisions covered."""
        return self.log_ok and not self.changed

    @property
    def log_ok(self) -> bool:
        """True when the log itself holds (hashes, links, counter, MACs, anchors, pages):
        what may be published can be told from the log. An answer changed under its
        decision is left out of an export, with the reason, not the whole export."""
        return not self.problems and not self.damaged

    @property
    def first_bad_seq(self) -> int | None:
        """The row of the first problem, if any."""
        return min(p.seq for p in self.problems) if self.problems else None

    @property
    def problem(self) -> str:
        """What is wrong at the first bad row ('' when none)."""
        first = self.first_bad_seq
        return next((p.what for p in self.problems if p.seq == first), "")


_DONE = {
    Decision.APPROVE: "approved",
    Decision.REJECT: "rejected",
    Decision.NEEDS_EDIT: "returned for editing",
    Decision.EDIT: "edited",
}


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "nothing"


def changed_since(d: ReviewDecision, answer: Answer | None) -> str | None:
    """What of `answer` changed since `d` was decided on it (None: nothing it covers).

    A decision with the older binding covers the answer's text only.
    """
    done = _DONE[d.decision]
    if answer is None:
        return f"{d.answer_id} was {done} in row {d.seq}; it is gone from the answers table"
    b = d.binding
    if b is not None and answer.question_id != b.question_id:
        return f"{answer.id} was {done} for {b.question_id}; it now answers {answer.question_id}"
    if text_sha256(answer.text) != d.answer_sha256:
        return f"{answer.id}: its text changed after it was {done} (row {d.seq})"
    if b is None:
        return None
    if tuple(answer.cited_ids) != b.cited_ids:
        return (
            f"{answer.id} was {done} citing {_ids(b.cited_ids)}; "
            f"it now cites {_ids(answer.cited_ids)}"
        )
    if answer.prompt_key != b.prompt_key:
        return (
            f"{answer.id} was {done} as written by prompt {b.prompt_key}; "
            f"it now says {answer.prompt_key}"
        )
    if answer.run_id != b.run_id:
        return f"{answer.id} was {done} in run {b.run_id}; it is now in run {answer.run_id}"
    return None


def check_answers(
    decisions: Sequence[ReviewDecision], answers: dict[str, Answer]
) -> tuple[tuple[Problem, ...], tuple[str, ...]]:
    """Each decision recomputed against the answers table: what changed under it, and a
    note naming the rows that carry the older, narrower binding (text only)."""
    changed = tuple(
        Problem(d.seq, what)
        for d in decisions
        if (what := changed_since(d, answers.get(d.answer_id))) is not None
    )
    older = [d.seq for d in decisions if d.binding is None]
    notes: tuple[str, ...] = ()
    if older:
        rows = _ranges(older)
        notes = (
            f"older binding: {len(older)} decisions ({rows}) were recorded before decisions "
            "covered the question, the cited excerpts, the prompt version and the run; they "
            "are checked on the answer id and its text only",
        )
    return changed, notes


def _ranges(seqs: Sequence[int]) -> str:
    """`rows 1-4, 7` for [1, 2, 3, 4, 7]."""
    spans: list[list[int]] = []
    for s in seqs:
        if spans and s == spans[-1][1] + 1:
            spans[-1][1] = s
        else:
            spans.append([s, s])
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
    return ("row " if len(seqs) == 1 else "rows ") + text


def _missing(first: int, last: int) -> str:
    rows = f"row {first} is" if first == last else f"rows {first}-{last} are"
    return f"{rows} missing (removed from the log)"


def check_chain(
    decisions: Sequence[ReviewDecision],
    *,
    recorded: int | None = None,
    key: bytes | None = None,
    anchors: Sequence[Anchor] = (),
) -> ChainCheck:
    """Check the log in order: numbering, links and hashes; then the store's counter of
    decisions ever recorded, each row's MAC under `key`, and that it extends `anchors`.
    """
    problems: list[Problem] = []
    prev, expected, bound = GENESIS, 1, False
    for d in decisions:
        if d.seq > expected:
            problems.append(Problem(expected, _missing(expected, d.seq - 1)))
            break
        if d.prev_hash != prev:
            what = "its link to the decision before it is broken (removed, inserted or reordered)"
            problems.append(Problem(d.seq, what))
            break
        content = decision_hash(
            d, answer_sha256=d.answer_sha256, meaning=d.meaning, prev_hash=d.prev_hash
        )
        if d.hash != content:
            what = "its content does not match its hash (the row was changed after it was recorded)"
            problems.append(Problem(d.seq, what))
            break
        if bound and d.binding is None:
            what = "it carries the older, narrower binding though decisions before it do not"
            problems.append(Problem(d.seq, what))
            break
        bound = bound or d.binding is not None
        prev, expected = d.hash, d.seq + 1
    last = decisions[-1].seq if decisions else 0
    if recorded is not None and recorded > last:
        problems.append(
            Problem(
                last + 1,
                f"{_missing(last + 1, recorded)}: the store counted {recorded} decisions, "
                f"the log holds {len(decisions)}",
            )
        )
    elif recorded is not None and recorded < last:
        problems.append(
            Problem(
                recorded + 1,
                f"the store's decision counter ({recorded}) was "
                f"set back below the last row ({last})",
            )
        )
    keyed, unkeyed = _check_keys(decisions, key, problems)
    head = Anchor(len(decisions), decisions[-1].hash if decisions else GENESIS)
    by_seq = {d.seq: d.hash for d in decisions}
    for anchor in anchors:
        problems.extend(_check_anchor(anchor, by_seq, len(decisions)))
    return ChainCheck(
        len(decisions),
        head,
        tuple(problems),
        recorded,
        keyed,
        unkeyed,
        tuple(anchors),
    )


def _check_keys(
    decisions: Sequence[ReviewDecision], key: bytes | None, problems: list[Problem]
) -> tuple[bool | None, int]:
    """MACs under the key: every row from the first keyed one on, and the newest row."""
    unkeyed = sum(1 for d in decisions if d.mac is None)
    if key is None:
        return None, unkeyed
    if decisions and unkeyed == len(decisions):
        problems.append(
            Problem(
                decisions[-1].seq,
                "no decision carries a keyed MAC although a key was given: the log was "
                "written without this key, or its MACs were removed",
            )
        )
        return False, unkeyed
    keyed_from = next((i for i, d in enumerate(decisions) if d.mac is not None), len(decisions))
    for d in decisions[keyed_from:]:
        if d.mac is None:
            what = "it has no keyed MAC, though decisions before it do (the MAC was removed)"
            problems.append(Problem(d.seq, what))
            return False, unkeyed
        if not hmac.compare_digest(d.mac, decision_mac(key, d.hash)):
            what = "its keyed MAC does not match (rewritten without the key, or a different key)"
            problems.append(Problem(d.seq, what))
            return False, unkeyed
    return True, unkeyed


def _check_anchor(anchor: Anchor, by_seq: dict[int, str], count: int) -> list[Problem]:
    if anchor.count < 0:  # a bare hash: anywhere in the log
        if anchor.head in by_seq.values():
            return []
        return [Problem(count + 1, f"no decision in the log has the anchor's hash {anchor.head}")]
    if anchor.count == 0:
        return []
    if anchor.count not in by_seq:
        return [
            Problem(
                min(anchor.count, count + 1),
                f"the log no longer extends anchor {anchor}: it holds {count} decisions, "
                f"the anchor {anchor.count}",
            )
        ]
    if by_seq[anchor.count] != anchor.head:
        return [
            Problem(
                anchor.count,
                f"row {anchor.count} does not have the anchor's hash: the log was rewritten "
                f"since anchor {anchor}",
            )
        ]
    return []
