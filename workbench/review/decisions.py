"""Review decisions: approve, reject, ask for an edit, or edit, recorded in the chained log.

The review panel and `workbench decide` both call these functions. A decision is checked
here (clear messages) and again by the store's triggers (so no other writer can skip the
rules). Nothing here updates or deletes: a correction is a new decision.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace

from workbench.data.text import extract_citations
from workbench.errors import ReviewError, StoreError
from workbench.models import Answer, Decision, Excerpt, ReviewDecision, Severity, utc_now
from workbench.review.agreement import Rating
from workbench.scoring.staleness import fingerprint
from workbench.store import Store
from workbench.store.decision_log import (
    Anchor,
    ChainCheck,
    DecisionDraft,
    check_answers,
    check_chain,
)

__all__ = [
    "OVERRIDE_LABEL",
    "current_account",
    "edit_answer",
    "failed_safety_rules",
    "ratings",
    "record_decision",
    "seen_versions",
    "verify_log",
]


def current_account() -> str:
    """Who the environment says is working: the JupyterHub user, else the OS user."""
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return f"jupyterhub:{hub}"
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid, as in some containers
        return f"os:uid-{os.getuid()}"


# The desk's checkbox for a deliberate safety override, named the same in its refusal.
OVERRIDE_LABEL = "Override failed safety rules"


def failed_safety_rules(store: Store, answer_id: str) -> tuple[str, ...]:
    """The fail-severity safety rules any evaluation of this answer version found, sorted."""
    return tuple(
        sorted(
            {
                f.rule_id
                for ev in store.evaluations_of(answer_id)
                for f in ev.safety
                if f.severity is Severity.FAIL
            }
        )
    )


def _overrides(
    store: Store, answer_id: str, decision: Decision, reason: str, override_safety: bool
) -> tuple[str, ...]:
    """The rules an approval overrides; refused unless the override is deliberate."""
    if decision is not Decision.APPROVE:
        if override_safety:
            raise ReviewError("a safety override goes with an approval only")
        return ()
    failed = failed_safety_rules(store, answer_id)
    if failed and not override_safety:
        raise ReviewError(
            f"answer {answer_id} fails the safety rule(s) {', '.join(failed)}: approving it "
            "is a deliberate override (--override-safety with --reason; in the desk, tick "
            f"“{OVERRIDE_LABEL}” and give a reason)"
        )
    if override_safety and not failed:
        raise ReviewError(f"answer {answer_id} has no failed safety rule: nothing to override")
    if override_safety and not reason.strip():
        raise ReviewError(
            f"overriding the safety rule(s) {', '.join(failed)} needs a reason (--reason)"
        )
    return failed


def seen_versions(
    store: Store, answer_id: str, excerpts: Mapping[str, Excerpt] | None
) -> tuple[tuple[str, str], ...]:
    """The version (fingerprint) of each excerpt the answer cites, as the reviewer sees
    it: from the loaded excerpts, else from what its evaluations were judged against."""
    judged: dict[str, str] = {}
    for ev in store.evaluations_of(answer_id):
        judged.update(ev.excerpt_versions)
    out = []
    for excerpt_id in store.answer(answer_id).cited_ids:
        if excerpts is not None and excerpt_id in excerpts:
            out.append((excerpt_id, fingerprint(excerpts[excerpt_id])))
        elif excerpt_id in judged:
            out.append((excerpt_id, judged[excerpt_id]))
    return tuple(out)


def record_decision(
    store: Store,
    answer_id: str,
    decision: Decision,
    *,
    reviewer: str,
    reason: str = "",
    override_safety: bool = False,
    excerpts: Mapping[str, Excerpt] | None = None,
) -> ReviewDecision:
    """Approve, reject or return an answer version for editing.

    Reject and needs-edit require a reason; only the latest version of an answer can be
    approved. Approving a version with a fail-severity safety finding needs
    `override_safety` and a reason; the rules overridden are recorded with it. The
    reviewer's typed name is kept beside the account the environment names. The decision
    binds the answer's question, prompt version, run and cited excerpts with the versions
    in `excerpts` (the loaded data set; else those its evaluations were judged against).
    """
    if decision is Decision.EDIT:
        raise ReviewError("an edit needs the new text: use edit_answer()")
    if not reviewer.strip():
        raise ReviewError("say who you are: the reviewer's name is required")
    if decision is not Decision.APPROVE and not reason.strip():
        raise ReviewError(f"{decision.value.replace('_', ' ')} needs a reason")
    overrides = _overrides(store, answer_id, decision, reason, override_safety)
    newer = store.newer_version_of(answer_id) if decision is Decision.APPROVE else None
    if newer:
        raise ReviewError(
            f"answer {answer_id} was edited after it was written; approve its latest "
            f"version {newer} instead"
        )
    draft = DecisionDraft(
        id=f"d-{uuid.uuid4().hex[:16]}",
        answer_id=answer_id,
        reviewer=reviewer.strip(),
        account=current_account(),
        decision=decision,
        reason=reason.strip(),
        created_at=utc_now(),
        overrides=overrides,
        excerpt_versions=seen_versions(store, answer_id, excerpts),
    )
    return store.append_decision(draft)


def edit_answer(
    store: Store,
    answer_id: str,
    new_text: str,
    *,
    reviewer: str,
    reason: str,
    excerpts: Mapping[str, Excerpt] | None = None,
) -> tuple[Answer, ReviewDecision]:
    """Save an edited text as a new version of the answer, linked to the old one.

    The new version is not approved: it needs scoring and its own approval.
    """
    if not reviewer.strip():
        raise ReviewError("say who you are: the reviewer's name is required")
    if not reason.strip():
        raise ReviewError("an edit needs a reason")
    old = store.answer(answer_id)
    if new_text.strip() == old.text.strip():
        raise ReviewError("the edited text is the same as the current one: nothing to save")
    if store.newer_version_of(answer_id):
        raise ReviewError(f"answer {answer_id} has a newer version: edit that one instead")
    digest = hashlib.sha256(f"{answer_id}\0{new_text}".encode()).hexdigest()[:12]
    new = replace(
        old,
        id=f"a-{digest}",
        text=new_text,
        cited_ids=tuple(extract_citations(new_text)),
        parent_id=old.id,
        created_at=utc_now(),
        prompt_tokens=None,
        completion_tokens=None,
        latency_s=None,
        cost_usd=None,
    )
    draft = DecisionDraft(
        id=f"d-{uuid.uuid4().hex[:16]}",
        answer_id=answer_id,
        reviewer=reviewer.strip(),
        account=current_account(),
        decision=Decision.EDIT,
        reason=reason.strip(),
        created_at=utc_now(),
        new_answer_id=new.id,
        old_text=old.text,
        new_text=new_text,
        excerpt_versions=seen_versions(store, answer_id, excerpts),
    )
    return new, store.append_decision(draft, new_answer=new)


def verify_log(
    store: Store,
    *,
    key: bytes | None = None,
    anchors: Sequence[Anchor] = (),
    pages: bool = False,
    own_key: bool = False,
) -> ChainCheck:
    """Check the decision log: its chain, the store's counter, the MACs under `key`, the
    `anchors`, each decision against the answer it decided on as the answers table holds
    it now, and (`pages`) every page of the database with SQLite's integrity check.

    `own_key`: the key is only the user's own default one (no key was named), so a log
    that carries no MAC at all was simply never keyed here: it is checked as unkeyed
    (and says so) rather than failed for want of MACs a named key would require."""
    damaged = tuple(store.integrity_problems()) if pages else ()
    try:
        decisions, recorded = store.decisions(), store.decision_counter()
        answers = {a.id: a for a in store.answers()}
    except StoreError as exc:
        damaged = (*damaged, f"the decision log cannot be read: {exc}")
        return ChainCheck(0, Anchor(0, ""), damaged=damaged)
    if own_key and all(d.mac is None for d in decisions):
        key = None
    check = check_chain(decisions, recorded=recorded, key=key, anchors=anchors)
    changed, notes = check_answers(decisions, answers)
    return replace(check, damaged=damaged, changed=changed, notes=(*check.notes, *notes))


def ratings(store: Store) -> list[Rating]:
    """Every reviewer's judgement of every answer version, grouped by question set.

    Edits are actions, not judgements, and are left out; the agreement module keeps
    only each reviewer's latest judgement of each version.
    """
    runs = {r.id: r.questions_source for r in store.runs()}
    group = {a.id: runs.get(a.run_id, "") for a in store.answers()}
    return [
        Rating(d.answer_id, d.reviewer, d.decision.value, group.get(d.answer_id, ""))
        for d in store.decisions()
        if d.decision is not Decision.EDIT
    ]
