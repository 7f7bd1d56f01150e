"""The review panel driven through the widget API: clicks reach the store, the panel follows."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import ipywidgets as w
import pytest

from tests.ui.conftest import CallbackErrors
from workbench.data.datasets import Corpus
from workbench.models import (
    ClaimVerdict,
    Decision,
    Evaluation,
    EvaluationStatus,
    SafetyFinding,
    Severity,
    Verdict,
)
from workbench.review.desk import QueueFilter, flags
from workbench.store import SQLiteStore, Store
from workbench.ui.review_app import ReviewController, review_app


def _start(panel: ReviewController, name: str = "Dr Ng") -> None:
    panel.view.name.value = name
    panel.view.start.click()


def _decisions(path: Path) -> list[tuple[str, str, str, str]]:
    with SQLiteStore(path) as store:
        return [(d.answer_id, d.decision.value, d.reviewer, d.reason) for d in store.decisions()]


def test_the_name_is_asked_once_and_then_the_queue_opens(panel: ReviewController) -> None:
    v = panel.view
    assert v.desk.layout.display == "none"
    v.start.click()
    assert "Type your name" in v.status.value and v.desk.layout.display == "none"
    _start(panel)
    assert v.login.layout.display == "none" and v.desk.layout.display == ""
    assert "Reviewing as Dr Ng" in v.who.value
    assert v.position.value == "1 of 8"
    assert "not reviewed: 8" in v.counts.value and "all: 8 open, 0 decided" in v.counts.value


def test_approve_is_stored_at_once_and_the_panel_moves_on(
    panel: ReviewController, store_file: Path
) -> None:
    _start(panel)
    assert panel.item is not None and panel.item.question is not None
    first, asked = panel.item.answer.id, panel.item.question.text
    assert "0 reviewed by you today · 8 of 8 left in “not reviewed”" in panel.view.mine.value
    panel.view.approve.click()
    assert _decisions(store_file) == [(first, "approve", "Dr Ng", "")]
    assert panel.item is not None and panel.item.answer.id != first
    status = panel.view.status.value
    assert f"Saved: approve of the answer to “{asked}”" in status and first not in status
    assert "not reviewed: 7" in panel.view.counts.value and "approved: 1" in panel.view.counts.value
    assert panel.view.position.value == "1 of 7"
    assert "1 reviewed by you today · 7 of 7 left" in panel.view.mine.value
    panel.view.filter.value = QueueFilter.ALL
    assert "7 of 8 left in “all”" in panel.view.mine.value


@pytest.mark.parametrize("button", ["reject", "needs_edit"])
def test_reject_and_needs_edit_need_a_reason(
    panel: ReviewController, store_file: Path, button: str
) -> None:
    _start(panel)
    target = panel.item.answer.id if panel.item else ""
    getattr(panel.view, button).click()
    assert "needs a reason" in panel.view.status.value
    assert _decisions(store_file) == [] and panel.item and panel.item.answer.id == target
    panel.view.reason.value = "Says CAR-T is available; it is trial-only."
    getattr(panel.view, button).click()
    decision = "reject" if button == "reject" else "needs_edit"
    assert _decisions(store_file) == [
        (target, decision, "Dr Ng", "Says CAR-T is available; it is trial-only.")
    ]
    assert panel.view.reason.value == ""  # cleared for the next answer
    panel.view.filter.value = QueueFilter.REJECTED if button == "reject" else QueueFilter.NEEDS_EDIT
    assert panel.item and panel.item.answer.id == target and panel.view.position.value == "1 of 1"
    assert "trial-only" in panel.view.header.value


def _concerns(store: Store) -> list[str]:
    """Give three answers a concern each, by another judge: a failed judgment, a hard
    safety fail, a claim not found. Returns their ids in that order."""
    ids = [a.id for a in store.answers()[:3]]
    fail = SafetyFinding("cure-guarantee", Severity.FAIL, "promises a cure", "say what is known")
    claim = ClaimVerdict("It is always curable.", None, Verdict.NOT_FOUND, "no excerpt", None,
                         None, "second")  # fmt: skip
    for answer_id, status, claims, safety in (
        (ids[0], EvaluationStatus.JUDGE_FAILED, (), ()),
        (ids[1], EvaluationStatus.SCORED, (), (fail,)),
        (ids[2], EvaluationStatus.SCORED, (claim,), ()),
    ):
        store.add_evaluation(
            Evaluation(answer_id, "second", status, None, claims, safety, 8.0, 9.0)
        )
    return ids


def _flagged_by_offline(evaluations: list[Evaluation], concerns: set[str]) -> list[str]:
    """The other answers the offline judges flag (a hard fail, an unsupported claim, an
    answer beside the question)."""
    by_answer: dict[str, list[Evaluation]] = {}
    for ev in evaluations:
        by_answer.setdefault(ev.answer_id, []).append(ev)
    return [i for i, evs in by_answer.items() if i not in concerns and flags(tuple(evs))]


def test_flagged_holds_what_needs_a_clinician_riskiest_first(panel: ReviewController) -> None:
    _start(panel)
    failed_judge, hard_fail, not_found = _concerns(panel.desk.store)
    with SQLiteStore(panel.desk.store.location) as store:
        evaluations = store.evaluations()
    others = _flagged_by_offline(evaluations, {failed_judge, hard_fail, not_found})
    panel.view.refresh.click()
    panel.view.filter.value = QueueFilter.FLAGGED
    flagged = 3 + len(others)
    assert f"flagged: {flagged} open, 0 decided" in panel.view.counts.value
    seen = []
    for _ in range(flagged):
        assert panel.item is not None
        seen.append(panel.item.answer.id)
        panel.view.next.click()
    assert sorted(seen) == sorted([hard_fail, failed_judge, not_found, *others])
    mine = [i for i in seen if i in (hard_fail, failed_judge, not_found)]
    assert mine == [hard_fail, failed_judge, not_found]  # a hard fail before a failed judge
    risks = [panel.desk.queue.row(i).risk for i in seen]  # type: ignore[union-attr]
    assert risks == sorted(risks, reverse=True)  # the riskiest first
    warned = {
        ev.answer_id for ev in evaluations if any(f.severity is Severity.WARN for f in ev.safety)
    } - set(seen)
    panel.view.filter.value = QueueFilter.WARNINGS
    assert f"warnings: {len(warned)} open, 0 decided" in panel.view.counts.value
    assert set(panel.desk.queue.ids(QueueFilter.WARNINGS)) == warned
    panel.view.filter.value = QueueFilter.APPROVED
    assert panel.item is None and "No answers under “approved”" in panel.view.empty.value


def test_previous_and_next_stop_at_the_ends(panel: ReviewController) -> None:
    _start(panel)
    panel.view.previous.click()
    assert panel.view.position.value == "1 of 8"
    for _ in range(10):
        panel.view.next.click()
    assert panel.view.position.value == "8 of 8"


def test_a_selected_claim_shows_its_evidence_source_link_and_reason(
    panel: ReviewController, corpus: Corpus
) -> None:
    _start(panel)
    item = panel.item
    assert item is not None and item.evaluations
    claims = item.evaluations[0].claims
    index = next(i for i, c in enumerate(claims) if c.evidence_id)
    panel.view.claims.value = index
    excerpt = corpus.excerpts[claims[index].evidence_id or ""]
    html = panel.view.evidence.value
    assert f"Claim {index + 1}" in html and "Reason:" in html
    assert f'href="{excerpt.link}"' in html and excerpt.id in html
    assert 'class="claim supported selected"' in panel.view.answer.value or (
        "selected" in panel.view.answer.value
    )
    assert "judge offline" in panel.view.header.value and item.answer.prompt_key in (
        panel.view.header.value
    )


def test_an_edit_is_a_new_version_scored_at_once(panel: ReviewController, store_file: Path) -> None:
    _start(panel)
    old = panel.item.answer if panel.item else None
    assert old is not None
    panel.view.edit.click()
    assert panel.view.edit_box.layout.display == "" and panel.view.editor.value == old.text
    panel.view.editor.value = (
        old.text + "\nThis treatment always cures breast cancer [brca-tx-001]."
    )
    panel.view.save_edit.click()
    assert "an edit needs a reason" in panel.view.status.value
    panel.view.reason.value = "Add the outcome"  # the one reason box, beside the editor
    panel.view.save_edit.click()
    new = panel.item.answer if panel.item else None
    assert new is not None and new.parent_id == old.id and panel.item
    assert panel.item.question is not None
    assert f"Saved: your edit of the answer to “{panel.item.question.text}”" in (
        panel.view.status.value
    )
    history = panel.view.history.value
    assert "Dr Ng" in history and "edited the answer text into a new version" in history
    assert "Why: <q>Add the outcome</q>" in history
    assert "<ins>" in history and "always cures breast cancer" in history  # before/after
    assert "edited from" in panel.view.header.value
    with SQLiteStore(store_file) as store:
        (ev,) = store.evaluations_of(new.id)
        assert store.newer_version_of(old.id) == new.id
        assert [d.decision for d in store.decisions()] == [Decision.EDIT]
    assert any(f.rule_id == "cure-guarantee" for f in ev.safety)
    assert "cure-guarantee" in panel.view.findings.value  # the new verdicts are on screen
    assert panel.desk.queue.row(old.id) is None and panel.desk.queue.row(new.id) is not None
    # the new version fails a fail-severity rule: one click does not approve it
    assert panel.view.override.layout.display == ""
    panel.view.approve.click()
    assert "cure-guarantee" in panel.view.status.value
    assert _decisions(store_file)[-1][:2] == (old.id, "edit")
    panel.view.override.value = True
    panel.view.reason.value = "Checked with the team: kept on purpose for this test."
    panel.view.approve.click()
    assert _decisions(store_file)[-1][:2] == (new.id, "approve")


def test_a_failed_save_shows_on_the_panel_and_fails_loudly(
    panel: ReviewController,
    store_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    callback_errors: CallbackErrors,
) -> None:
    _start(panel)
    current = panel.item

    def locked(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(panel.desk.store, "append_decision", locked)
    panel.view.approve.click()
    assert (
        "NOT SAVED" in panel.view.status.value and "database is locked" in panel.view.status.value
    )
    assert panel.item is current  # the reviewer stays on the answer that was not saved
    (error,) = callback_errors.take()
    assert isinstance(error, sqlite3.OperationalError)
    assert _decisions(store_file) == []


def test_the_fixture_turns_a_swallowed_handler_exception_into_a_record(
    callback_errors: CallbackErrors,
) -> None:
    button = w.Button()
    button.on_click(lambda _: 1 / 0)
    button.click()  # ipywidgets catches this and only logs it
    (error,) = callback_errors.take()
    assert isinstance(error, ZeroDivisionError)


def test_another_reviewers_decisions_reach_the_queue(
    panel: ReviewController, store_file: Path, corpus: Corpus
) -> None:
    _start(panel)
    other = review_app(store_file, corpus=corpus, reviewer="Dr Ho")
    try:
        other.view.approve.click()
    finally:
        other.desk.store.close()
    panel.view.next.click()
    assert "approved: 1" in panel.view.counts.value
    panel.view.refresh.click()
    assert "not reviewed: 7" in panel.view.counts.value


def test_nothing_is_lost_when_the_kernel_dies(store_file: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import os
        from workbench.ui.review_app import review_app
        app = review_app({str(store_file)!r}, reviewer="Dr Ng")
        app.view.approve.click()
        app.view.reason.value = "unsafe"
        app.view.reject.click()
        os._exit(9)  # no close, no cleanup: as a killed kernel
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, timeout=120)
    assert done.returncode == 9
    assert [d[1:] for d in _decisions(store_file)] == [
        ("approve", "Dr Ng", ""),
        ("reject", "Dr Ng", "unsafe"),
    ]


def test_an_answer_judged_against_a_changed_excerpt_shows_as_stale(
    store_file: Path, corpus: Corpus
) -> None:
    from dataclasses import replace

    with SQLiteStore(store_file) as store:
        first = store.answers()[0]
    target = first.retrieved_ids[0]
    changed = replace(
        corpus.excerpts[target],
        text=corpus.excerpts[target].text + " New.",
        version=corpus.excerpts[target].version + 1,
    )
    newer = replace(corpus, excerpts={**corpus.excerpts, target: changed})
    panel = review_app(store_file, corpus=newer)
    try:
        _start(panel)
        while panel.item is not None and panel.item.answer.id != first.id:
            panel.view.next.click()
        assert "Stale:" in panel.view.header.value and target in panel.view.header.value
    finally:
        panel.desk.store.close()


def test_the_reason_and_edit_boxes_are_cleared_when_the_item_changes(
    panel: ReviewController, store_file: Path
) -> None:
    _start(panel)
    first = panel.item.answer.id if panel.item else ""
    panel.view.reason.value = "Wrong dose for the first answer."
    panel.view.edit.click()
    panel.view.editor.value = "first answer's edit"
    panel.view.next.click()
    assert panel.item is not None and panel.item.answer.id != first
    assert panel.view.reason.value == "" and panel.view.editor.value == ""
    assert panel.view.edit_box.layout.display == "none"
    panel.view.needs_edit.click()
    assert "needs a reason" in panel.view.status.value
    assert _decisions(store_file) == []


def test_approving_over_a_failed_safety_rule_asks_for_an_override_with_a_reason(
    panel: ReviewController, store_file: Path
) -> None:
    from dataclasses import replace

    from workbench.models import SafetyFinding, Severity

    _start(panel)
    assert panel.item is not None
    target = panel.item.answer.id
    finding = SafetyFinding("stop-standard-treatment", Severity.FAIL, "Says stop.", "h")
    with SQLiteStore(store_file) as store:
        for ev in store.evaluations_of(target):
            store.add_evaluation(replace(ev, safety=(*ev.safety, finding)))
    panel.view.refresh.click()
    assert panel.item.answer.id == target
    assert panel.view.override.layout.display == ""
    panel.view.approve.click()
    assert "stop-standard-treatment" in panel.view.status.value
    assert "override" in panel.view.status.value.lower() and _decisions(store_file) == []
    # the refusal names the box by its label, and the label is the whole of it
    assert f"“{panel.view.override.description}”" in panel.view.status.value
    assert "stop-standard-treatment" in panel.view.override_note.value
    # the failing rule's message is at the top, above the answer
    assert "Failed safety rule <code>stop-standard-treatment</code>:</b> Says stop." in (
        panel.view.header.value
    )
    panel.view.override.value = True
    panel.view.approve.click()
    assert "reason" in panel.view.status.value and _decisions(store_file) == []
    panel.view.reason.value = "Discussed with the oncologist: fine in context."
    panel.view.approve.click()
    with SQLiteStore(store_file) as store:
        (d,) = store.decisions()
    assert d.answer_id == target and d.overrides == ("stop-standard-treatment",)
    assert panel.view.override.value is False  # never carried to the next answer


def test_a_decided_flagged_answer_counts_as_decided_not_open(panel: ReviewController) -> None:
    _start(panel)
    concerns = set(_concerns(panel.desk.store))
    flagged = 3 + len(_flagged_by_offline(panel.desk.store.evaluations(), concerns))
    panel.view.refresh.click()
    panel.view.filter.value = QueueFilter.FLAGGED
    assert panel.item is not None
    panel.view.reason.value = "Wrong on the trial's results."
    panel.view.reject.click()
    assert f"flagged: {flagged - 1} open, 1 decided" in panel.view.counts.value
    assert "rejected: 1" in panel.view.counts.value
    assert f"{flagged - 1} of {flagged} left in “flagged”" in panel.view.mine.value


def test_claims_are_listed_in_full(panel: ReviewController) -> None:
    _start(panel)
    longest = 0
    for _ in range(8):
        assert panel.item is not None
        (ev,) = panel.item.evaluations
        shown = {i: label.split(": ", 1)[1] for label, i in panel.view.claims.options}
        assert shown == {i: c.claim for i, c in enumerate(ev.claims)}
        longest = max([longest, *(len(c.claim) for c in ev.claims)])
        panel.view.next.click()
    assert longest > 110  # the old list cut claims there
