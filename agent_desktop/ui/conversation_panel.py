"""The open conversation: header with status actions, the thread, and the composer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import localized_name, safe_display
from ..domain.timeutil import utcnow
from ..domain.triage import Urgency, urgency
from ..domain.workflow import TransitionRefused, allowed_transitions
from ..services.conversations import ConversationService
from . import formatting
from .action_row import ActionRow
from .collision import ConfirmSendDialog, ConflictDialog
from .composer import Composer
from .elided_label import ElidedLabel
from .inbox_delegate import URGENCY_COLOURS
from .tasks import spawn
from .thread_view import ThreadView

PRESENCE_SECONDS = 10  # heartbeat while a conversation is open (the server forgets a viewer after 25 s)
ACW_SECONDS = 60


class ConversationPanel(QWidget):
    open_customer_requested = Signal(str)
    resolved = Signal(str)          # a conversation was resolved here (after-contact work starts)
    next_requested = Signal(str)    # "resolve and go to the next": open the one after this conversation
    others_changed = Signal(object)  # [{"name", "activity"}] of the other agents on this conversation

    def __init__(self, service: ConversationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.conversation_id: str | None = None
        self._header: dict[str, Any] | None = None

        self.title = ElidedLabel()
        self.title.setObjectName("conversationTitle")
        self.subtitle = ElidedLabel()
        self.subtitle.setObjectName("conversationSubtitle")
        self.sla_label = QLabel()
        self.sla_label.setObjectName("slaLabel")
        self.sla_label.setTextFormat(Qt.TextFormat.PlainText)

        self.status_buttons: dict[str, QPushButton] = {}
        self.actions = actions = ActionRow()
        for status, text, keys in (
            ("open", self.tr("Reopen"), "Ctrl+Shift+O"),
            ("pending", self.tr("Pending"), "Ctrl+Shift+P"),
            ("resolved", self.tr("Resolve"), "Ctrl+Shift+R"),
        ):
            button = QPushButton(text)
            button.setObjectName(f"status_{status}")
            button.setShortcut(QKeySequence(keys))
            button.setToolTip(f"{text} ({keys})")
            button.clicked.connect(lambda _=False, s=status: self.change_status(s))
            self.status_buttons[status] = button
            actions.add(button)
        self.assign_button = QPushButton(self.tr("Assign to me"))
        self.assign_button.setObjectName("assignToMe")
        self.assign_button.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.assign_button.setToolTip(self.tr("Assign to me (Ctrl+Shift+A)"))
        self.assign_button.clicked.connect(self.assign_to_me)
        actions.add(self.assign_button)
        self.workflow_buttons: dict[str, QPushButton] = {}
        for name, text, keys, slot in (
            ("transfer", self.tr("Transfer…"), "Ctrl+Shift+T", lambda: self.transfer(escalate=False)),
            ("escalate", self.tr("Escalate…"), "Ctrl+Shift+X", lambda: self.transfer(escalate=True)),
            ("callback", self.tr("Callback…"), "Ctrl+Shift+B", self.schedule_callback),
            ("csat", self.tr("CSAT…"), "Ctrl+Shift+F", self.record_csat),
        ):
            button = QPushButton(text)
            button.setObjectName(f"workflow_{name}")
            button.setShortcut(QKeySequence(keys))
            button.setToolTip(f"{text.rstrip('…')} ({keys})")
            button.clicked.connect(slot)
            self.workflow_buttons[name] = button
            actions.add(button, wanted=False)  # until the workflow service is attached

        header = QWidget()
        header.setObjectName("conversationHeader")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.sla_label)
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(12, 10, 12, 8)
        header_layout.setSpacing(4)
        header_layout.addLayout(top)
        header_layout.addWidget(self.subtitle)
        self.handoff = QLabel()
        self.handoff.setObjectName("handoffBanner")
        self.handoff.setTextFormat(Qt.TextFormat.PlainText)
        self.handoff.setWordWrap(True)
        self.handoff.setVisible(False)
        conflict_row = QHBoxLayout()
        self.conflict = QLabel()
        self.conflict.setObjectName("conflictBanner")
        self.conflict.setWordWrap(True)
        self.conflict_button = QPushButton(self.tr("Compare…"))
        self.conflict_button.setObjectName("conflictCompare")
        self.conflict_button.clicked.connect(self.review_conflict)
        conflict_row.addWidget(self.conflict, 1)
        conflict_row.addWidget(self.conflict_button)
        self.conflict.setVisible(False)
        self.conflict_button.setVisible(False)
        header_layout.addWidget(self.handoff)
        header_layout.addLayout(conflict_row)
        header_layout.addWidget(actions)

        self.thread = ThreadView()
        self.thread.show_more_requested.connect(lambda _id: self.reload(keep_scroll=True))
        self.composer = Composer()
        self.collision = self.composer.presence   # "王磊 is replying", beside the reply/note switch
        self.composer.send_requested.connect(self._on_send)
        self.composer.draft_changed.connect(self._on_draft)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.thread)
        splitter.addWidget(self.composer)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([520, 170])
        splitter.setChildrenCollapsible(False)

        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(header)
        page_layout.addWidget(splitter, 1)

        self.empty = QLabel(self.tr("Select a conversation on the left.\n\n"
                                    "↑/↓ move through the inbox · Ctrl+K searches everything"))
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)   # its width is the column's minimum otherwise
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.workflow = None
        self._unsupported: dict[str, str] = {}   # workflow button → why the backend cannot do it
        self.chinese = False
        self.acw_seconds = ACW_SECONDS
        self._opened_marker: str | None = None   # newest message time the agent has seen
        self._others: list[dict] = []
        self._presence_timer = QTimer(self, interval=PRESENCE_SECONDS * 1000)
        self._presence_timer.timeout.connect(lambda: self._beat("viewing"))
        self.composer.editor.textChanged.connect(self._on_typing)
        self._typing = False

    # -- showing --------------------------------------------------------------------------------
    def open(self, conversation_id: str | None) -> None:
        if conversation_id == self.conversation_id:
            return
        self.composer.flush_draft()
        if self.conversation_id is not None and self.workflow is not None:
            self._beat("left", self.conversation_id)
        self.conversation_id = conversation_id
        self._others, self._typing = [], False
        if conversation_id is None:
            self.stack.setCurrentIndex(0)
            self._presence_timer.stop()
            return
        self._mark_seen()
        self.reload()
        if self.workflow is not None:
            self._beat("viewing")
            self._presence_timer.start()
        draft = self.service.draft(conversation_id)
        self.composer.load(*(draft or ("reply", "")))
        self.stack.setCurrentIndex(1)

    def reload(self, *, keep_scroll: bool = False) -> None:
        if self.conversation_id is None:
            return
        header = self.service.header(self.conversation_id)
        if header is None:
            self.title.setText(self.tr("This conversation is no longer available."))
            self.stack.setCurrentIndex(1)
            return
        self._header = header
        self._show_header(header)
        chinese = self.chinese
        self.thread.queue_names = {q["id"]: localized_name(q, chinese) for q in self.service.queues()}
        self.thread.show_messages(self.service.messages(self.conversation_id), header.get("customer_name") or "",
                                  keep_scroll=keep_scroll)

    def _show_header(self, header: dict[str, Any]) -> None:
        name = safe_display(header.get("customer_name"), 80) or self.tr("Unknown customer")
        tier = formatting.tier_label(header.get("customer_tier"))
        if header.get("customer_tier") in ("vip", "key_account"):
            name = f"{name}  ·  {tier}"
        self.title.setText(name)
        queue = localized_name(header, self.chinese, "queue_name")
        parts = [
            safe_display(header.get("subject"), 160),
            formatting.channel_label(header.get("channel", "")),
            formatting.status_label(header.get("status", "")),
            formatting.priority_label(header.get("priority", "")),
            safe_display(queue, 40),
            self._assignee_text(header),
        ]
        if header.get("pending_actions"):
            parts.append(self.tr("%1 change(s) waiting to sync").replace("%1", str(header["pending_actions"])))
        self.subtitle.setText("  ·  ".join(p for p in parts if p))
        allowed = allowed_transitions(header.get("status", ""))
        for status, button in self.status_buttons.items():
            button.setEnabled(status in allowed)
            self.actions.set_wanted(button, status != "open" or header.get("status") in ("pending", "resolved"))
        self.assign_button.setEnabled(header.get("assignee_id") != self.service.agent_id
                                      and header.get("status") != "closed")
        self.composer.setEnabled(header.get("status") != "closed")
        self._show_workflow(header)
        self.tick()

    def _assignee_text(self, header: dict[str, Any]) -> str:
        if not header.get("assignee_id"):
            return self.tr("Unassigned")
        if header.get("assignee_id") == self.service.agent_id:
            return self.tr("Assigned to me")
        name = safe_display(header.get("assignee_name"), 40) or str(header.get("assignee_id"))
        return self.tr("Assigned to %1").replace("%1", name)

    def tick(self) -> None:
        """Refresh the SLA countdown (called every second by the window)."""
        header = self._header
        if header is None:
            return
        now = utcnow()
        due = header.get("sla_due")
        seconds = formatting.seconds_until(due, now)
        if seconds is None:
            paused = header.get("status") == "pending"
            self.sla_label.setText(self.tr("SLA paused: waiting for the customer") if paused else "")
            self.sla_label.setStyleSheet("color: #64748b;")
            return
        level = urgency(header, now)   # the inbox's colours: red for what is urgent now, not for backlog
        template = (self.tr("First response: %1") if not header.get("first_response_at")
                    else self.tr("Resolution: %1"))
        prefix = "⚠ " if level in (Urgency.BREACHED_NOW, Urgency.BACKLOG) else ""
        self.sla_label.setText(prefix + template.replace("%1", formatting.countdown(seconds)))
        self.sla_label.setStyleSheet(f"color: {URGENCY_COLOURS.get(level, '#475569')}; font-weight: 600;")

    # -- acting ---------------------------------------------------------------------------------
    def _on_send(self, kind: str, body: str) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        new = self.workflow.messages_since(conversation_id, self._opened_marker) if self.workflow else []
        if new:
            self._confirm_send(conversation_id, kind, body, new)
            return
        self._send_now(conversation_id, kind, body)

    def _confirm_send(self, conversation_id: str, kind: str, body: str, new: list[dict]) -> None:
        """Freshdesk-style: show what arrived since the agent opened it; never a blind reply."""
        dialog = ConfirmSendDialog(new, self)
        self._mark_seen()  # what the dialog shows now counts as read

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted and self.conversation_id == conversation_id:
                self._send_now(conversation_id, kind, body)
            else:
                self.reload(keep_scroll=False)  # the text stays in the composer for another look

        dialog.finished.connect(finished)
        dialog.open()
        self.confirm_dialog = dialog

    def _send_now(self, conversation_id: str, kind: str, body: str) -> None:
        self.composer.clear_after_send()

        def failed(error: BaseException) -> None:
            # Nothing is lost: put the text back so the agent can try again.
            if self.conversation_id == conversation_id and not self.composer.editor.toPlainText():
                self.composer.load(kind, body)
            QMessageBox.warning(self, self.tr("Not sent"), self.tr("The message could not be saved: %1")
                                .replace("%1", str(error)))

        def sent(_key: str) -> None:
            self._mark_seen()
            self.reload()

        spawn(self.service.send(conversation_id, kind, body), on_error=failed, on_done=sent)

    def _on_draft(self, kind: str, body: str) -> None:
        if self.conversation_id is not None:
            self.service.save_draft(self.conversation_id, kind, body)

    def change_status(self, status: str) -> None:
        if self.conversation_id is None:
            return
        if status == "resolved" and self.workflow is not None:
            self.resolve()
            return
        try:
            task = self.service.change(self.conversation_id, status=status)
        except TransitionRefused as exc:  # pragma: no cover - change() is a coroutine; raised on await
            QMessageBox.information(self, self.tr("Cannot change status"), str(exc))
            return
        spawn(task, on_error=self._refused, on_done=lambda _key: self.reload(keep_scroll=True))

    def assign_to_me(self) -> None:
        if self.conversation_id is None:
            return
        spawn(self.service.change(self.conversation_id, assignee_id=self.service.agent_id),
              on_error=self._refused, on_done=lambda _key: self.reload(keep_scroll=True))

    def _refused(self, error: BaseException) -> None:
        QMessageBox.information(self, self.tr("Cannot change the conversation"), str(error))

    # -- workflow (issue 4) ---------------------------------------------------------------------
    def set_workflow(self, workflow, *, chinese: bool) -> None:  # type: ignore[no-untyped-def]
        self.workflow = workflow
        self.chinese = chinese
        for button in self.workflow_buttons.values():
            self.actions.set_wanted(button, True)
        if self.conversation_id is not None:
            self._presence_timer.start()
            self.reload(keep_scroll=True)

    def set_unsupported(self, reasons: dict[str, str]) -> None:
        """Workflow actions the backend cannot do (button name → why): greyed out, the reason in
        their tooltips, so the agent learns it before trying rather than from a failed item later."""
        self._unsupported = dict(reasons)
        for name, reason in reasons.items():
            button = self.workflow_buttons[name]
            button.setEnabled(False)
            button.setToolTip(reason)

    def _show_workflow(self, header: dict[str, Any]) -> None:
        if self.workflow is None:
            return
        status = header.get("status")
        active = status in ("new", "open", "pending")
        for name in ("transfer", "escalate"):
            self.workflow_buttons[name].setEnabled(active and name not in self._unsupported)
        facts = self.workflow.facts(header["id"]) or {}
        note = facts.get("handoff_note")
        if note and facts.get("handoff_by") != self.service.agent_id and active:
            who = safe_display(self.workflow_agent_name(facts.get("handoff_by")), 40)
            self.handoff.setText(self.tr("Hand-off from %1: %2").replace("%1", who)
                                 .replace("%2", safe_display(note, 1000)))
            self.handoff.setVisible(True)
        else:
            self.handoff.setVisible(False)
        if status in ("resolved", "closed") and facts.get("disposition"):
            codes = {d["id"]: d for d in self.workflow.dispositions()}
            code = codes.get(facts["disposition"])
            label = localized_name(code, self.chinese) if code else facts["disposition"]
            fcr = {"yes": self.tr("first-contact resolution"), "provisional": self.tr("first contact (7-day window)"),
                   "no": self.tr("not first-contact")}.get(facts.get("fcr", ""), "")
            extra = "  ·  ".join(p for p in (self.tr("Wrap-up: %1").replace("%1", safe_display(label, 40)), fcr) if p)
            self.subtitle.setText(self.subtitle.text() + "  ·  " + extra)
        conflicts = self.workflow.conflicts(header["id"])
        self.conflict.setText(self.tr("Your change conflicts with a newer one on the server.") if conflicts else "")
        self.conflict.setVisible(bool(conflicts))
        self.conflict_button.setVisible(bool(conflicts))

    def stop_workflow(self) -> None:
        self._presence_timer.stop()

    def customer(self) -> tuple[str, str] | None:
        """(id, name) of the open conversation's customer, for "only this customer" filters."""
        header = self._header if self.conversation_id else None
        if not header or not header.get("customer_id"):
            return None
        return str(header["customer_id"]), str(header.get("customer_name") or header["customer_id"])

    def workflow_agent_name(self, agent_id: str | None) -> str:
        if not agent_id or self.workflow is None:
            return ""
        for agent in self.workflow.agents():
            if agent["id"] == agent_id:
                return str(agent["name"])
        return agent_id

    def _mark_seen(self) -> None:
        if self.workflow is not None and self.conversation_id is not None:
            self._opened_marker = self.workflow.message_marker(self.conversation_id)[1]

    def resolve(self) -> None:
        """Resolve needs a wrap-up code; after it, after-contact work starts (see `resolved`)."""
        from .wrapup_dialog import WrapUpDialog

        conversation_id = self.conversation_id
        if conversation_id is None or self.workflow is None:
            return
        dialog = WrapUpDialog(self.workflow.dispositions(), chinese=self.chinese, acw_seconds=self.acw_seconds,
                              parent=self)
        self.wrapup_dialog = dialog

        def finished(code: int) -> None:
            disposition = dialog.disposition()
            if code != QDialog.DialogCode.Accepted or not disposition:
                return
            score = dialog.csat_score()
            go_next = dialog.go_next.isChecked()

            def done(_key: str) -> None:
                if score:
                    spawn(self.workflow.record_csat(conversation_id, score), on_error=self._refused)
                self.resolved.emit(conversation_id)
                self.reload(keep_scroll=True)
                if go_next:
                    self.next_requested.emit(conversation_id)

            spawn(self.workflow.resolve(conversation_id, disposition), on_done=done, on_error=self._refused)

        dialog.finished.connect(finished)
        dialog.open()

    def transfer(self, *, escalate: bool) -> None:
        from .transfer_dialog import TransferDialog

        conversation_id = self.conversation_id
        if conversation_id is None or self.workflow is None or self._header is None:
            return
        dialog = TransferDialog(self._header, self.service.queues(), self.workflow.agents(), escalate=escalate,
                                chinese=self.chinese, my_id=self.service.agent_id, parent=self)
        self.transfer_dialog = dialog

        def finished(code: int) -> None:
            if code != QDialog.DialogCode.Accepted:
                return
            queue_id, agent_id = dialog.target()
            spawn(self.workflow.transfer(conversation_id, note=dialog.note_text(), queue_id=queue_id,
                                         assignee_id=agent_id, kind=dialog.kind),
                  on_done=lambda _k: self.reload(keep_scroll=True), on_error=self._refused)

        dialog.finished.connect(finished)
        dialog.open()

    def schedule_callback(self) -> None:
        from .callbacks_view import ScheduleDialog

        header = self._header
        if header is None or self.workflow is None or self.conversation_id is None:
            return
        conversation_id = self.conversation_id
        dialog = ScheduleDialog(self.tr("Schedule a callback"), hours=self.service.business_hours(header.get("queue_id")),
                                parent=self)
        self.callback_dialog = dialog

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                spawn(self.workflow.schedule_callback(header["customer_id"], dialog.moment(),
                                                      dialog.note.toPlainText(), conversation_id),
                      on_error=self._refused)

        dialog.finished.connect(finished)
        dialog.open()

    def record_csat(self) -> None:
        from .csat_dialog import CsatDialog

        if self.workflow is None or self.conversation_id is None:
            return
        conversation_id = self.conversation_id
        dialog = CsatDialog(self)
        self.csat_dialog = dialog

        def finished(code: int) -> None:
            score = dialog.score()
            if code == QDialog.DialogCode.Accepted and score is not None and self.workflow is not None:
                spawn(self.workflow.record_csat(conversation_id, score, comment=dialog.comment.toPlainText()),
                      on_error=self._refused)

        dialog.finished.connect(finished)
        dialog.open()

    def review_conflict(self) -> None:
        if self.workflow is None or self.conversation_id is None:
            return
        conflicts = self.workflow.conflicts(self.conversation_id)
        if not conflicts:
            return
        conversation_id, conflict = self.conversation_id, conflicts[0]
        chinese = self.chinese
        names = {a["id"]: str(a.get("name") or a["id"]) for a in self.workflow.agents()}
        names.update({q["id"]: localized_name(q, chinese) for q in self.service.queues()})
        dialog = ConflictDialog(conflict, self, names=names)
        self.conflict_dialog = dialog

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                spawn(self.workflow.resolve_conflict(conversation_id, conflict["key"], keep_mine=dialog.keep_mine),
                      on_done=lambda _r: self.reload(keep_scroll=True), on_error=self._refused)

        dialog.finished.connect(finished)
        dialog.open()

    # -- collision: who else is here ---------------------------------------------------------------
    def _on_typing(self) -> None:
        typing = bool(self.composer.editor.toPlainText().strip())
        if typing != self._typing and self.workflow is not None and self.conversation_id is not None:
            self._typing = typing
            self._beat("replying" if typing else "viewing")

    def _beat(self, activity: str, conversation_id: str | None = None) -> None:
        conversation_id = conversation_id or self.conversation_id
        if self.workflow is None or conversation_id is None:
            return
        if activity == "viewing" and self._typing:
            activity = "replying"

        def landed(others: list[dict] | None) -> None:
            if others is not None and conversation_id == self.conversation_id:
                self.show_others(others)

        spawn(self.workflow.presence(conversation_id, activity), on_done=landed, on_error=lambda _e: None, owner=self)

    def show_others(self, others: list[dict]) -> None:
        self._others = others
        if not others:
            self.collision.setVisible(False)
        else:
            parts = []
            for other in others:
                name = safe_display(other.get("name"), 30)
                parts.append(self.tr("%1 is replying").replace("%1", name) if other.get("activity") == "replying"
                             else self.tr("%1 is viewing").replace("%1", name))
            self.collision.setText(" · ".join(parts))
            self.collision.setVisible(True)
        self.others_changed.emit(others)
