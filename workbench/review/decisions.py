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
from dataclasses import replace

from workbench.data.text import extract_citations
from workbench.errors import ReviewError
from workbench.models import Answer, Decision, ReviewDecision, utc_now
from workbench.review.agreement import Rating
from workbench.store import Store
from workbench.store.decision_log import ChainCheck, DecisionDraft, check_chain

__all__ = ["current_account", "edit_answer", "ratings", "record_decision", "verify_log"]


def current_account() -> str:
    """Who the environment says is working: the JupyterHub user, else the OS user."""
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return f"jupyterhub:{hub}"
    try:
        return f"os:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid, as in some containers
        return f"os:uid-{os.getuid()}"


def record_decision(
    store: Store, answer_id: str, decision: Decision, *, reviewer: str, reason: str = ""
) -> ReviewDecision:
    """Approve, reject or return an answer version for editing.

    Reject and needs-edit require a reason; only the latest version of an answer can be
    approved. The reviewer's typed name is kept beside the account the environment names.
    """
    if decision is Decision.EDIT:
        raise ReviewError("an edit needs the new text: use edit_answer()")
    if not reviewer.strip():
        raise ReviewError("say who you are: the reviewer's name is required")
    if decision is not Decision.APPROVE and not reason.strip():
        raise ReviewError(f"{decision.value.replace('_', ' ')} needs a reason")
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
    )
    return store.append_decision(draft)


def edit_answer(
    store: Store, answer_id: str, new_text: str, *, reviewer: str, reason: str
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
    )
    return new, store.append_decision(draft, new_answer=new)


def verify_log(store: Store) -> ChainCheck:
    """Check the whole decision log's hash chain."""
    return check_chain(store.decisions())


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
