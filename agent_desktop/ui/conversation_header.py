"""The open conversation's header: who and what (title, subtitle, SLA countdown), the status and
workflow buttons in one ActionRow, and the hand-off and conflict banners. It shows what it is
given and asks for actions by signal; the panel and its workflow part decide what they do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..domain.text import localized_name, safe_display
from ..domain.timeutil import utcnow
from ..domain.triage import Urgency, urgency
from ..domain.workflow import allowed_transitions
from . import formatting
from .action_row import ActionRow
from .elided_label import ElidedLabel
from .inbox_delegate import URGENCY_COLOURS

WORKFLOW_ACTIONS = ("transfer", "escalate", "callback", "csat")


class ConversationHeader(QWidget):
    status_requested = Signal(str)     # "open", "pending" or "resolved"
    assign_requested = Signal()
    workflow_requested = Signal(str)   # one of WORKFLOW_ACTIONS
    compare_requested = Signal()       # the agent wants to see a 412 conflict side by side

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationHeader")
        # A QWidget subclass paints its style-sheet background (theme.qss) only when asked to.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = ElidedLabel()
        self.title.setObjectName("conversationTitle")
        self.subtitle = ElidedLabel()
        self.subtitle.setObjectName("conversationSubtitle")
        self.sla_label = QLabel()
        self.sla_label.setObjectName("slaLabel")
        self.sla_label.setTextFormat(Qt.TextFormat.PlainText)

        self.status_buttons: dict[str, QPushButton] = {}
        self.action_row = actions = ActionRow()   # not `actions`: that is QWidget.actions()
        for status, text, keys in (
            ("open", self.tr("Reopen"), "Ctrl+Shift+O"),
            ("pending", self.tr("Pending"), "Ctrl+Shift+P"),
            ("resolved", self.tr("Resolve"), "Ctrl+Shift+R"),
        ):
            button = self._button(f"status_{status}", text, keys, f"{text} ({keys})")
            button.clicked.connect(lambda _=False, s=status: self.status_requested.emit(s))
            self.status_buttons[status] = button
            actions.add(button)
        self.assign_button = self._button("assignToMe", self.tr("Assign to me"), "Ctrl+Shift+A",
                                          self.tr("Assign to me (Ctrl+Shift+A)"))
        self.assign_button.clicked.connect(self.assign_requested.emit)
        actions.add(self.assign_button)
        self.workflow_buttons: dict[str, QPushButton] = {}
        for name, text, keys in (
            ("transfer", self.tr("Transfer…"), "Ctrl+Shift+T"),
            ("escalate", self.tr("Escalate…"), "Ctrl+Shift+X"),
            ("callback", self.tr("Callback…"), "Ctrl+Shift+B"),
            ("csat", self.tr("CSAT…"), "Ctrl+Shift+F"),
        ):
            button = self._button(f"workflow_{name}", text, keys, f"{text.rstrip('…')} ({keys})")
            button.clicked.connect(lambda _=False, n=name: self.workflow_requested.emit(n))
            self.workflow_buttons[name] = button
            actions.add(button, wanted=False)  # until the workflow service is attached
        self._unsupported: dict[str, str] = {}   # workflow button → why the backend cannot do it

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.sla_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
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
        self.conflict_button.clicked.connect(self.compare_requested.emit)
        conflict_row.addWidget(self.conflict, 1)
        conflict_row.addWidget(self.conflict_button)
        self.conflict.setVisible(False)
        self.conflict_button.setVisible(False)
        layout.addWidget(self.handoff)
        layout.addLayout(conflict_row)
        layout.addWidget(actions)

    @staticmethod
    def _button(name: str, text: str, keys: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setShortcut(QKeySequence(keys))
        button.setToolTip(tip)
        return button

    # -- showing --------------------------------------------------------------------------------
    def show_missing(self) -> None:
        self.title.setText(self.tr("This conversation is no longer available."))

    def show_header(self, header: dict[str, Any], *, agent_id: str, chinese: bool) -> None:
        name = safe_display(header.get("customer_name"), 80) or self.tr("Unknown customer")
        tier = formatting.tier_label(header.get("customer_tier"))
        if header.get("customer_tier") in ("vip", "key_account"):
            name = f"{name}  ·  {tier}"
        self.title.setText(name)
        queue = localized_name(header, chinese, "queue_name")
        parts = [
            safe_display(header.get("subject"), 160),
            formatting.channel_label(header.get("channel", "")),
            formatting.status_label(header.get("status", "")),
            formatting.priority_label(header.get("priority", "")),
            safe_display(queue, 40),
            self._assignee_text(header, agent_id),
        ]
        if header.get("pending_actions"):
            parts.append(self.tr("%1 change(s) waiting to sync").replace("%1", str(header["pending_actions"])))
        self.subtitle.setText("  ·  ".join(p for p in parts if p))
        allowed = allowed_transitions(header.get("status", ""))
        for status, button in self.status_buttons.items():
            button.setEnabled(status in allowed)
            self.action_row.set_wanted(button, status != "open" or header.get("status") in ("pending", "resolved"))
        self.assign_button.setEnabled(header.get("assignee_id") != agent_id and header.get("status") != "closed")

    def _assignee_text(self, header: dict[str, Any], agent_id: str) -> str:
        if not header.get("assignee_id"):
            return self.tr("Unassigned")
        if header.get("assignee_id") == agent_id:
            return self.tr("Assigned to me")
        name = safe_display(header.get("assignee_name"), 40) or str(header.get("assignee_id"))
        return self.tr("Assigned to %1").replace("%1", name)

    def tick(self, header: dict[str, Any]) -> None:
        """The SLA countdown (every second, by the window through the panel)."""
        now = utcnow()
        seconds = formatting.seconds_until(header.get("sla_due"), now)
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

    # -- the workflow's part ----------------------------------------------------------------------
    def offer_workflow(self) -> None:
        """The workflow service is attached: its buttons join the row."""
        for button in self.workflow_buttons.values():
            self.action_row.set_wanted(button, True)

    def set_unsupported(self, reasons: dict[str, str]) -> None:
        """Workflow actions the backend cannot do (button name → why): greyed out, the reason in
        their tooltips, so the agent learns it before trying rather than from a failed item later."""
        self._unsupported = dict(reasons)
        for name, reason in reasons.items():
            button = self.workflow_buttons[name]
            button.setEnabled(False)
            button.setToolTip(reason)

    def set_handoff_possible(self, active: bool) -> None:
        for name in ("transfer", "escalate"):
            self.workflow_buttons[name].setEnabled(active and name not in self._unsupported)

    def show_handoff(self, text: str | None) -> None:
        self.handoff.setText(text or "")
        self.handoff.setVisible(bool(text))

    def show_conflict(self, text: str | None) -> None:
        self.conflict.setText(text or "")
        self.conflict.setVisible(bool(text))
        self.conflict_button.setVisible(bool(text))
