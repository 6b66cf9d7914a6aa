"""The open conversation: header with status actions, the thread, and the composer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.sla import SlaState, sla_state
from ..domain.text import safe_display
from ..domain.timeutil import utcnow
from ..domain.workflow import TransitionRefused, allowed_transitions
from ..services.conversations import ConversationService
from . import formatting
from .composer import Composer
from .inbox_delegate import SLA_COLOURS
from .tasks import spawn
from .thread_view import ThreadView


class ConversationPanel(QWidget):
    open_customer_requested = Signal(str)

    def __init__(self, service: ConversationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.conversation_id: str | None = None
        self._header: dict[str, Any] | None = None

        self.title = QLabel()
        self.title.setObjectName("conversationTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("conversationSubtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setWordWrap(True)
        self.sla_label = QLabel()
        self.sla_label.setObjectName("slaLabel")
        self.sla_label.setTextFormat(Qt.TextFormat.PlainText)

        self.status_buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        actions.setSpacing(6)
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
            actions.addWidget(button)
        self.assign_button = QPushButton(self.tr("Assign to me"))
        self.assign_button.setObjectName("assignToMe")
        self.assign_button.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.assign_button.setToolTip(self.tr("Assign to me (Ctrl+Shift+A)"))
        self.assign_button.clicked.connect(self.assign_to_me)
        actions.addWidget(self.assign_button)

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
        row = QHBoxLayout()
        row.addLayout(actions)
        row.addStretch(1)
        header_layout.addLayout(row)

        self.thread = ThreadView()
        self.thread.show_more_requested.connect(lambda _id: self.reload(keep_scroll=True))
        self.composer = Composer()
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
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -- showing --------------------------------------------------------------------------------
    def open(self, conversation_id: str | None) -> None:
        if conversation_id == self.conversation_id:
            return
        self.composer.flush_draft()
        self.conversation_id = conversation_id
        if conversation_id is None:
            self.stack.setCurrentIndex(0)
            return
        self.reload()
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
        self.thread.show_messages(self.service.messages(self.conversation_id), header.get("customer_name") or "",
                                  keep_scroll=keep_scroll)

    def _show_header(self, header: dict[str, Any]) -> None:
        name = safe_display(header.get("customer_name"), 80) or self.tr("Unknown customer")
        tier = formatting.tier_label(header.get("customer_tier"))
        if header.get("customer_tier") in ("vip", "key_account"):
            name = f"{name}  ·  {tier}"
        self.title.setText(name)
        queue = header.get("queue_name") or ""
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
            button.setVisible(status != "open" or header.get("status") in ("pending", "resolved"))
        self.assign_button.setEnabled(header.get("assignee_id") != self.service.agent_id
                                      and header.get("status") != "closed")
        self.composer.setEnabled(header.get("status") != "closed")
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
        started = header.get("waiting_since") if header.get("first_response_at") else header.get("created_at")
        state = sla_state(due, started, now)
        template = (self.tr("First response: %1") if not header.get("first_response_at")
                    else self.tr("Resolution: %1"))
        prefix = "⚠ " if state == SlaState.BREACHED else ""
        self.sla_label.setText(prefix + template.replace("%1", formatting.countdown(seconds)))
        self.sla_label.setStyleSheet(f"color: {SLA_COLOURS.get(state, '#475569')}; font-weight: 600;")

    # -- acting ---------------------------------------------------------------------------------
    def _on_send(self, kind: str, body: str) -> None:
        conversation_id = self.conversation_id
        if conversation_id is None:
            return
        self.composer.clear_after_send()

        def failed(error: BaseException) -> None:
            # Nothing is lost: put the text back so the agent can try again.
            if self.conversation_id == conversation_id and not self.composer.editor.toPlainText():
                self.composer.load(kind, body)
            QMessageBox.warning(self, self.tr("Not sent"), self.tr("The message could not be saved: %1")
                                .replace("%1", str(error)))

        spawn(self.service.send(conversation_id, kind, body), on_error=failed,
              on_done=lambda _key: self.reload())

    def _on_draft(self, kind: str, body: str) -> None:
        if self.conversation_id is not None:
            self.service.save_draft(self.conversation_id, kind, body)

    def change_status(self, status: str) -> None:
        if self.conversation_id is None:
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
