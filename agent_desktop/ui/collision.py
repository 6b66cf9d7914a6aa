"""Collision: confirm before sending when the conversation changed since it was opened, and a 412
conflict shown with both versions so the agent chooses (their change is never silently lost)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import safe_display
from . import formatting

SEND_ANYWAY = 1


class ConfirmSendDialog(QDialog):
    """The new messages that arrived since the agent opened the conversation, before their reply goes."""

    def __init__(self, messages: list[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("confirmSendDialog")
        self.setWindowTitle(self.tr("The conversation changed"))
        intro = QLabel(self.tr("%1 new message(s) arrived while you were writing. Read them before sending:")
                       .replace("%1", str(len(messages))))
        intro.setWordWrap(True)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setObjectName("newMessages")
        lines = []
        for message in messages:
            who = safe_display(message.get("author_name"), 40) or "?"
            kind = self.tr("internal note") if message.get("kind") == "note" else ""
            lines.append(f"{formatting.local_time(message.get('created_at'))} · {who} {kind}\n"
                         f"{safe_display(message.get('body'), 2000)}\n")
        self.text.setPlainText("\n".join(lines))
        buttons = QDialogButtonBox()
        self.send = buttons.addButton(self.tr("Send anyway"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.review = buttons.addButton(self.tr("Review first"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
        self.review.setDefault(True)  # Enter never sends blindly
        self.resize(520, 360)


FIELDS = ("status", "priority", "assignee_id", "queue_id", "tags", "disposition")


class ConflictDialog(QDialog):
    """Field by field: what the agent set, what the server has now; keep mine or take theirs."""

    def __init__(self, conflict: dict[str, Any], parent: QWidget | None = None, *,
                 names: dict[str, str] | None = None) -> None:
        """`names`: display names of the agents and queues the values may name (id → name)."""
        super().__init__(parent)
        self.setObjectName("conflictDialog")
        self.setWindowTitle(self.tr("Someone else changed this conversation"))
        self.keep_mine = False
        self.names = names or {}
        mine, server = conflict["mine"], conflict["server"]
        self.intro = intro = QLabel(self.tr("While your change waited to be sent, the conversation was changed on the server%1. "
                               "Compare field by field and choose:").replace("%1", self._last_change(server)))
        intro.setWordWrap(True)
        base = conflict.get("base")
        self.table = QTableWidget(0, 4 if base is not None else 3)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setObjectName("conflictTable")
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Your change"), self.tr("On the server now"),
                                              self.tr("Before (what you saw)")][:self.table.columnCount()])
        self.table.verticalHeader().setVisible(False)
        labels = {"status": self.tr("Status"), "priority": self.tr("Priority"), "assignee_id": self.tr("Assignee"),
                  "queue_id": self.tr("Queue"), "tags": self.tr("Tags"), "disposition": self.tr("Wrap-up code")}
        fields = [f for f in FIELDS if f in mine] + [f for f in mine if f not in FIELDS]
        for field in fields:
            row = self.table.rowCount()
            self.table.insertRow(row)
            cells = [labels.get(field, field), self._show(field, mine.get(field)), self._show(field, server.get(field))]
            if base is not None:
                cells.append(self._show(field, base.get(field)))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value or "")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox()
        self.mine_button = buttons.addButton(self.tr("Apply mine on top"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.theirs_button = buttons.addButton(self.tr("Keep the server's"), QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.mine_button.clicked.connect(lambda: self._choose(True))
        self.theirs_button.clicked.connect(lambda: self._choose(False))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(520, 300)

    def _last_change(self, server: dict[str, Any]) -> str:
        """Who changed it last and when, as far as the server said: " (by 陈静 at 14:05)"."""
        when = formatting.local_time(server.get("updated_at")) if server.get("updated_at") else ""
        by = server.get("updated_by")
        who = safe_display(self.names.get(str(by)) or str(by), 40) if by else ""
        if who and when:
            return self.tr(" (by %1 at %2)").replace("%1", who).replace("%2", when)
        if who:
            return self.tr(" (by %1)").replace("%1", who)
        return self.tr(" (last at %1)").replace("%1", when) if when else ""

    def _choose(self, keep_mine: bool) -> None:
        self.keep_mine = keep_mine
        self.accept()


    def _show(self, field: str, value: Any) -> str:
        if value is None:
            return self.tr("nobody") if field == "assignee_id" else "—"
        if field == "status":
            return formatting.status_label(str(value))
        if field == "priority":
            return formatting.priority_label(str(value))
        if isinstance(value, list):
            return ", ".join(safe_display(str(v), 30) for v in value) or "—"
        return safe_display(self.names.get(str(value), str(value)), 60)
