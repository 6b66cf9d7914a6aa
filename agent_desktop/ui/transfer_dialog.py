"""Transfer or escalate to a queue (tier) or an agent, with a hand-off note the receiver reads first."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from ..domain.text import localized_name
from ..domain.workflow import HANDOFF_NOTE_MIN_CHARS, HandOffRefused, check_handoff
from .agent_state import state_label
from .keyboard import submit_with_ctrl_enter, tab_moves_focus

ESCALATION_QUEUES = ("q-aftersales-l2", "q-complaints-desk")


class TransferDialog(QDialog):
    def __init__(self, header: dict[str, Any], queues: list[dict[str, Any]], agents: list[dict[str, Any]], *,
                 escalate: bool, chinese: bool, my_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = header
        self.setObjectName("transferDialog")
        self.setWindowTitle(self.tr("Escalate") if escalate else self.tr("Transfer"))
        self.kind = "escalate" if escalate else "transfer"
        self.queue = QComboBox()
        self.queue.setObjectName("transferQueue")
        ordered = sorted(queues, key=lambda q: (q["id"] not in ESCALATION_QUEUES) if escalate else 0)
        for queue in ordered:
            name = localized_name(queue, chinese)
            self.queue.addItem(name, queue["id"])
        current = self.queue.findData(header.get("queue_id"))
        if not escalate and current >= 0:
            self.queue.setCurrentIndex(current)
        self.agent = QComboBox()
        self.agent.setObjectName("transferAgent")
        self.agent.addItem(self.tr("Anyone in the queue"), None)
        for agent in agents:
            if agent["id"] != my_id:
                state = state_label(str(agent.get("state") or "offline"))
                self.agent.addItem(f"{agent['name']} · {state}", agent["id"])
        self.note = QPlainTextEdit()
        self.note.setObjectName("handoffNote")
        self.note.setPlaceholderText(self.tr("Hand-off note (required): what the customer needs, what you did, "
                                             "what is left. The receiver reads it first."))
        self.note.setToolTip(self.tr("Ctrl+Enter hands off; Tab moves to the buttons"))
        tab_moves_focus(self.note)
        self.error = QLabel()
        self.error.setObjectName("formError")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Escalate") if escalate else self.tr("Transfer"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.note.textChanged.connect(self._update)
        self.queue.currentIndexChanged.connect(self._update)
        self.agent.currentIndexChanged.connect(self._update)
        form = QFormLayout(self)
        form.addRow(self.tr("To queue / tier"), self.queue)
        form.addRow(self.tr("To agent"), self.agent)
        form.addRow(self.tr("Hand-off note"), self.note)
        form.addRow(self.error)
        form.addRow(buttons)
        self.resize(520, 360)
        submit_with_ctrl_enter(self, self._accept)
        self.note.setFocus()
        self._update()

    def target(self) -> tuple[str | None, str | None]:
        return self.queue.currentData(), self.agent.currentData()

    def note_text(self) -> str:
        return self.note.toPlainText().strip()

    def _problem(self) -> str | None:
        queue_id, agent_id = self.target()
        try:
            check_handoff(self.header.get("status", ""), self.note_text(), queue_id=queue_id, assignee_id=agent_id,
                          current_queue=self.header.get("queue_id"), current_assignee=self.header.get("assignee_id"))
        except HandOffRefused:
            if len(self.note_text()) < HANDOFF_NOTE_MIN_CHARS:
                return self.tr("Write a hand-off note (at least %1 characters).").replace(
                    "%1", str(HANDOFF_NOTE_MIN_CHARS))
            if queue_id == self.header.get("queue_id") and not agent_id:
                return self.tr("The conversation is already in that queue; choose another queue or an agent.")
            return self.tr("This conversation cannot be handed off now.")
        return None

    def _update(self) -> None:
        problem = self._problem()
        self.ok.setEnabled(problem is None)
        self.error.setText(problem or "")

    def _accept(self) -> None:
        if self._problem() is None:
            self.accept()
