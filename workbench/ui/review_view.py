"""The review panel's view: the widgets a clinician sees, and the events they emit.

The view holds no store and no rules. It shows what the controller gives it (HTML from
`workbench.reports.render`, which escaped every untrusted value) and emits `start(name)`,
`filter(QueueFilter)`, `previous`, `next`, `refresh`, `claim(index)`, `judge(index)`,
`decide(Decision, reason, override_safety)`, `edit`, `save_edit(text, reason)` and
`cancel_edit`. Every input box is emptied when another answer is shown, so nothing typed
for one answer can be saved against the next.

Layout: the answer on the left with the action bar beside it at the top (reason box, the
safety override when it applies, Approve, Reject, Needs edit, Edit, the status line and
the answer's decision history), so nothing needs a scroll to decide; claims in full,
evidence and findings below. One reason box serves decisions and edits alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w
from markupsafe import Markup

from workbench.models import Decision
from workbench.reports.render import PANEL_CSS, notice
from workbench.review.decisions import OVERRIDE_LABEL
from workbench.review.desk import QueueFilter
from workbench.ui.events import Events
from workbench.ui.widgets import button

__all__ = ["ReviewView"]

_HIDDEN, _SHOWN = "none", ""

# Static layout rules (no data): claims wrap in full; the action bar stays in sight.
_DESK_CSS = (
    "<style>"
    ".wb-claims .widget-radio-box label{white-space:normal;height:auto;line-height:1.35;"
    "margin-bottom:6px;align-items:flex-start}"
    ".wb-claims .widget-radio-box{width:100%}"
    # The radio input follows its text and floats left, so a long claim pushes it to the
    # second line; as a reversed flex row it leads the claim's first line.
    ".wb-claims .widget-radio-box label{display:flex;flex-direction:row-reverse;"
    "justify-content:flex-end}"
    ".wb-claims .widget-radio-box input{float:none;flex:none;margin-top:.2em}"
    ".wb-override .widget-label-basic,.wb-override label{white-space:normal;overflow:visible;"
    "height:auto}"
    ".wb-problems{border-left:4px solid #a00;background:#fdecea;padding:4px 10px;margin:6px 0}"
    ".wb-actions{position:sticky;top:0;align-self:flex-start;padding-left:12px;"
    "border-left:3px solid #1a4f8b}"
    ".wb-history{padding-left:18px;font-size:92%}.wb-history li{margin-bottom:6px}"
    ".wb-diff del{background:#f9c9c9}.wb-diff ins{background:#dff3e0;text-decoration:none}"
    ".wb-before-after{display:flex;gap:12px}.wb-before-after>div{flex:1}"
    "</style>"
)


class ReviewView:
    """The clinician's desk: queue, answer with claims and evidence, findings, actions."""

    def __init__(self) -> None:
        self.events = Events()
        self._quiet = False
        self.name = w.Text(
            placeholder="Your name, as it will appear on your decisions",
            description="Reviewer",
            layout=w.Layout(width="420px"),
        )
        self.name.add_class("wb-reviewer")
        self.start = button("Start reviewing", "wb-start", "primary")
        self.who = w.HTML()
        self.mine = w.HTML()
        self.mine.add_class("wb-mine")
        self.filter = w.ToggleButtons(options=[(f.value, f) for f in QueueFilter])
        self.filter.add_class("wb-filter")
        self.counts = w.HTML()
        self.previous = button("◀ Previous", "wb-previous")
        self.next = button("Next ▶", "wb-next")
        self.refresh = button("Refresh", "wb-refresh", tip="Read the store again")
        self.position = w.Label()
        self.header = w.HTML()
        self.header.add_class("wb-header-box")
        self.judge = w.ToggleButtons(options=[], description="Judge")
        self.answer = w.HTML()
        self.answer.add_class("wb-answer")
        self.claims = w.RadioButtons(options=[], value=None, layout=w.Layout(width="98%"))
        self.claims.add_class("wb-claims")
        self.evidence = w.HTML()
        self.evidence.add_class("wb-evidence-box")
        self.findings = w.HTML()
        self.reason = w.Textarea(
            placeholder="Reason (required to reject, to ask for an edit, or to save an edit)",
            layout=w.Layout(width="98%", height="70px"),
        )
        self.reason.add_class("wb-reason")
        self.override = w.Checkbox(
            value=False,
            indent=False,
            description=OVERRIDE_LABEL,
            layout=w.Layout(display=_HIDDEN, width="98%"),
        )
        self.override.add_class("wb-override")
        self.override_note = w.HTML(layout=w.Layout(display=_HIDDEN))
        self.override_note.add_class("wb-override-note")
        self.approve = button("Approve", "wb-approve", "success", "Approve for patient use")
        self.reject = button("Reject", "wb-reject", "danger", "Not for patient use (reason)")
        self.needs_edit = button(
            "Needs edit", "wb-needs-edit", "warning", "Return for editing (reason)"
        )
        self.edit = button("Edit text", "wb-edit", "info", "Edit into a new version")
        self.editor = w.Textarea(layout=w.Layout(width="98%", height="320px"))
        self.editor.add_class("wb-editor")
        self.save_edit = button("Save as new version", "wb-save-edit", "primary")
        self.cancel_edit = button("Cancel", "wb-cancel-edit")
        self.status = w.HTML()
        self.status.add_class("wb-status")
        self.status_box = w.Box([self.status])  # the status line while no item is shown
        self.empty = w.HTML(layout=w.Layout(display=_HIDDEN))
        self.edit_box = w.VBox(
            [
                w.HTML("<b>Edit the text</b> (the reason box beside it says why)"),
                self.editor,
                w.HBox([self.save_edit, self.cancel_edit]),
            ],
            layout=w.Layout(display=_HIDDEN),
        )
        self.history = w.HTML()
        self.history.add_class("wb-history-box")
        self.actions = w.VBox(
            [
                self.reason,
                self.override,
                self.override_note,
                w.HBox([self.approve, self.reject]),
                w.HBox([self.needs_edit, self.edit]),
                self.status,
                w.HTML("<b>Decisions on this answer</b>"),
                self.history,
            ],
            layout=w.Layout(width="38%"),
        )
        self.actions.add_class("wb-actions")
        self.item_box = w.VBox(
            [
                self.header,
                self.judge,
                w.HBox(
                    [
                        w.VBox([self.answer, self.edit_box], layout=w.Layout(width="60%")),
                        self.actions,
                    ]
                ),
                w.HTML("<b>Claims</b> (choose one to see its evidence)"),
                self.claims,
                self.evidence,
                w.HTML("<b>Safety findings</b>"),
                self.findings,
            ]
        )
        self.desk = w.VBox(
            [
                w.HBox([self.who, self.mine]),
                self.filter,
                self.counts,
                w.HBox([self.previous, self.position, self.next, self.refresh]),
                self.empty,
                self.item_box,
            ],
            layout=w.Layout(display=_HIDDEN),
        )
        self.login = w.HBox([self.name, self.start])
        self.widget = w.VBox(
            [w.HTML(str(PANEL_CSS) + _DESK_CSS), self.login, self.status_box, self.desk]
        )
        self.widget.add_class("wb-panel")
        self._wire()

    def _wire(self) -> None:
        emit = self.events.emit
        self.start.on_click(lambda _: emit("start", str(self.name.value)))
        self.filter.observe(lambda ch: emit("filter", ch["new"]), names="value")
        self.previous.on_click(lambda _: emit("previous"))
        self.next.on_click(lambda _: emit("next"))
        self.refresh.on_click(lambda _: emit("refresh"))
        self.claims.observe(self._claim_changed, names="value")
        self.judge.observe(self._judge_changed, names="value")
        for pressed, decision in (
            (self.approve, Decision.APPROVE),
            (self.reject, Decision.REJECT),
            (self.needs_edit, Decision.NEEDS_EDIT),
        ):
            pressed.on_click(
                lambda _, d=decision: emit(
                    "decide", d, str(self.reason.value), bool(self.override.value)
                )
            )
        self.edit.on_click(lambda _: emit("edit"))
        self.save_edit.on_click(
            lambda _: emit("save_edit", str(self.editor.value), str(self.reason.value))
        )
        self.cancel_edit.on_click(lambda _: emit("cancel_edit"))

    def _claim_changed(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self.events.emit("claim", int(change["new"]))

    def _judge_changed(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self.events.emit("judge", int(change["new"]))

    # what the controller shows
    def show_reviewer(self, markup: Markup) -> None:
        """Hide the name form and open the desk for the named reviewer."""
        self.who.value = str(markup)
        self.login.layout.display = _HIDDEN
        self.desk.layout.display = _SHOWN

    def show_progress(self, markup: Markup) -> None:
        """The reviewer's own progress: reviewed today, left in the queue."""
        self.mine.value = str(markup)

    def show_history(self, markup: Markup) -> None:
        """The answer's decisions (all its versions): who, what, when, why."""
        self.history.value = str(markup)

    def show_counts(self, markup: Markup, position: str) -> None:
        """The queue's counts and where the reviewer is in the current filter."""
        self.counts.value = str(markup)
        self.position.value = position

    def show_item(
        self,
        header: Markup,
        judges: Sequence[str],
        claims: Sequence[tuple[str, int]],
        selected: int | None,
        findings: Markup,
    ) -> None:
        """A new answer version: header, judge choice, claim list and findings."""
        self._quiet = True
        try:
            self.judge.options = [(name, i) for i, name in enumerate(judges)]
            self.judge.value = 0 if judges else None
            self.judge.layout.display = _SHOWN if len(judges) > 1 else _HIDDEN
            self.claims.options = list(claims)
            self.claims.value = selected
        finally:
            self._quiet = False
        self.header.value = str(header)
        self.findings.value = str(findings)
        self.empty.layout.display = _HIDDEN
        self.item_box.layout.display = _SHOWN
        self.status_box.children = ()  # the status line sits in the action bar
        self.close_editor()

    def show_claims(self, claims: Sequence[tuple[str, int]], selected: int | None) -> None:
        """Another judge's claim list."""
        self._quiet = True
        try:
            self.claims.options = list(claims)
            self.claims.value = selected
        finally:
            self._quiet = False

    def show_answer(self, answer: Markup, evidence: Markup) -> None:
        """The highlighted answer and the selected claim's evidence."""
        self.answer.value = str(answer)
        self.evidence.value = str(evidence)

    def show_empty(self, message: str) -> None:
        """Nothing to show under this filter."""
        self.item_box.layout.display = _HIDDEN
        self.empty.value = str(notice("info", message))
        self.empty.layout.display = _SHOWN
        self.status_box.children = (self.status,)  # the action bar is hidden with the item

    def show_notice(self, kind: str, message: str) -> None:
        """A status line: `ok`, `error` or `info`."""
        self.status.value = str(notice(kind, message))

    def clear_reason(self) -> None:
        """Empty the reason box and untick the override after a decision was saved."""
        self.reason.value = ""
        self.override.value = False

    def clear_inputs(self) -> None:
        """Empty every input: another answer is about to be shown."""
        self.clear_reason()
        self.editor.value = ""
        self.close_editor()

    def show_override(self, failed_rules: Sequence[str]) -> None:
        """Offer the safety override only for an answer that fails a fail-severity rule."""
        if not failed_rules:
            self.override.value = False
        self.override_note.value = str(
            notice(
                "info",
                f"Fails {', '.join(failed_rules)}: tick “{OVERRIDE_LABEL}” to approve it "
                "anyway, and say why in the reason box.",
            )
        )
        shown = _SHOWN if failed_rules else _HIDDEN
        self.override.layout.display = self.override_note.layout.display = shown

    def open_editor(self, text: str) -> None:
        """Show the answer's text for editing."""
        self.editor.value = text
        self.edit_box.layout.display = _SHOWN

    def close_editor(self) -> None:
        """Hide the editor."""
        self.edit_box.layout.display = _HIDDEN
