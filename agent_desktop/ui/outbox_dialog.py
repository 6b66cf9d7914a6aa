"""What is waiting to be sent, what the server refused, and conflicts: nothing is dropped silently.

Every refused action stays here until the agent retries, edits, copies or discards it. A
conflict (412: someone else changed the ticket first) shows the agent's change beside the
server's current state, field by field, and the agent chooses which one wins.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.outbox import CONFLICT, FAILED, QUEUED, OutboxItem
from ..domain.text import safe_display
from ..services.outbox_service import CANCELLED_REASON, OutboxService
from . import formatting
from .agent_state import reason_label, state_label
from .tasks import spawn

ITEM_ROLE = Qt.ItemDataRole.UserRole
MESSAGE_ACTIONS = ("reply", "note")


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # errors and bodies come from outside: never rich text
    label.setWordWrap(True)
    return label


class OutboxDialog(QDialog):
    def __init__(self, outbox: OutboxService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outbox = outbox
        self.service = outbox.conversations
        self.setObjectName("outboxDialog")
        self.setWindowTitle(self.tr("Outbox"))
        self.resize(900, 520)

        self.info = _plain_label()
        self.list = QListWidget()
        self.list.setObjectName("outboxList")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setSpacing(3)
        self.list.currentItemChanged.connect(lambda *_: self._show_current())

        # Right: the selected item — its text (editable once refused) or its fields (mine vs theirs).
        self.title = _plain_label()
        self.title.setObjectName("outboxItemTitle")
        self.error = _plain_label()
        self.error.setObjectName("outboxError")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("outboxEditor")
        self.fields = QTableWidget(0, 3)
        self.fields.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.fields.setObjectName("outboxFields")
        self.fields.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.fields.verticalHeader().setVisible(False)
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.editor)
        self.detail_stack.addWidget(self.fields)
        self.empty = _plain_label(self.tr("Select an item to see what it contains."))
        self.detail_stack.addWidget(self.empty)
        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.title)
        detail_layout.addWidget(self.error)
        detail_layout.addWidget(self.detail_stack, 1)

        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(detail)
        splitter.setSizes([340, 560])

        self.retry = QPushButton(self.tr("&Retry"))
        self.retry.setToolTip(self.tr("Send it again as it is"))
        self.retry.clicked.connect(self._retry)
        self.save = QPushButton(self.tr("&Save and send"))
        self.save.setToolTip(self.tr("Send the edited text instead"))
        self.save.clicked.connect(self._save)
        self.keep_mine = QPushButton(self.tr("&Keep my change"))
        self.keep_mine.setToolTip(self.tr("Apply your change on top of the current version on the server"))
        self.keep_mine.clicked.connect(self._keep_mine)
        self.take_theirs = QPushButton(self.tr("Use the &server's version"))
        self.take_theirs.setToolTip(self.tr("Drop your change and keep what is on the server"))
        self.take_theirs.clicked.connect(self._take_theirs)
        self.copy = QPushButton(self.tr("&Copy"))
        self.copy.setToolTip(self.tr("Copy the text to the clipboard"))
        self.copy.clicked.connect(self._copy)
        self.discard = QPushButton(self.tr("&Discard…"))
        self.discard.setToolTip(self.tr("Give this action up (Delete)"))
        self.discard.clicked.connect(self._discard)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list).activated.connect(self._discard)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        for button in (self.retry, self.save, self.keep_mine, self.take_theirs, self.copy, self.discard):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        self.reload()
        self.list.setFocus()

    # -- listing ----------------------------------------------------------------------------------
    def _kind(self, action: str) -> str:
        """What the agent did, in their words (never the action's wire name)."""
        return {"reply": self.tr("Reply"), "note": self.tr("Internal note"), "patch": self.tr("Ticket change"),
                "transfer": self.tr("Transfer or escalation"), "csat": self.tr("Satisfaction score"),
                "callback_create": self.tr("Callback scheduled"), "callback_outcome": self.tr("Callback outcome"),
                "customer_note": self.tr("Customer note"), "customer_note_edit": self.tr("Customer note edited"),
                "customer_tags": self.tr("Customer tags"), "agent_status": self.tr("Your state"),
                "offer_answer": self.tr("Answer to an offer"), "link_customer": self.tr("Customer linked"),
                "customer_create": self.tr("New customer"), "script_create": self.tr("New personal script"),
                "script_update": self.tr("Personal script edited"), "script_delete": self.tr("Personal script deleted"),
                "faq_feedback": self.tr("FAQ feedback"), "knowledge_usage": self.tr("Script or article used"),
                }.get(action, self.tr("Other change"))

    def _state(self, state: str) -> str:
        return {QUEUED: self.tr("waiting"), FAILED: self.tr("refused"),
                CONFLICT: self.tr("conflict")}.get(state, state)

    def reload(self, select_key: str | None = None) -> None:
        current = self._current()
        select_key = select_key or (current.key if current else None)
        self.list.clear()
        items = self.outbox.items()
        refused = sum(1 for item in items if item.state != QUEUED)
        if not items:
            self.info.setText(self.tr("Nothing waiting: everything you did has reached the server."))
        elif refused:
            self.info.setText(self.tr("%1 action(s) need your decision. Refused and conflicting actions stay "
                                      "here until you retry, edit, copy or discard them.").replace("%1", str(refused)))
        else:
            self.info.setText(self.tr("Actions waiting for the server, oldest first. They are sent as soon as "
                                      "the server can be reached."))
        # Decisions first (conflicts, refusals), then what is simply waiting.
        for item in sorted(items, key=lambda i: (i.state == QUEUED, i.seq)):
            entry = QListWidgetItem(self._summary(item))
            entry.setData(ITEM_ROLE, item)
            if item.state != QUEUED:
                entry.setForeground(QBrush(QColor("#b91c1c")))
            self.list.addItem(entry)
            if item.key == select_key:
                self.list.setCurrentItem(entry)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._show_current()

    def _summary(self, item: OutboxItem) -> str:
        header = self.outbox.conversation(item.conversation_id) if item.conversation_id else None
        where = safe_display((header or {}).get("subject") or (header or {}).get("customer_name"), 40)
        if item.action in MESSAGE_ACTIONS:
            detail = safe_display(str(item.payload.get("body", "")), 60) or self.tr("(empty)")
        else:
            names = self._field_names()
            # Only what the agent chose, in their words: ids and wire-only fields stay out of sight.
            detail = safe_display(", ".join(f"{names[k]}: {self._value(k, v)}" for k, v in item.payload.items()
                                            if k in names and v not in (None, "")), 60)
        first = f"{self._kind(item.action)} · {self._state(item.state)}" + (f" · {where}" if where else "")
        return f"{first}\n{detail}"

    def _field_names(self) -> dict[str, str]:
        return {"status": self.tr("Status"), "priority": self.tr("Priority"), "assignee_id": self.tr("Assignee"),
                "queue_id": self.tr("Queue"), "tags": self.tr("Tags"), "disposition": self.tr("Disposition"),
                "state": self.tr("State"), "reason": self.tr("Reason"), "score": self.tr("Score"),
                "note": self.tr("Note"), "due_at": self.tr("When"), "comment": self.tr("Comment"),
                "accept": self.tr("Accepted"), "helpful": self.tr("Helpful"), "body": self.tr("Text"),
                "title": self.tr("Title"), "outcome": self.tr("Outcome")}

    def _value(self, field: str, value: Any) -> str:
        if value is None:
            return "—"
        if field == "status":
            return formatting.status_label(str(value))
        if field == "priority":
            return formatting.priority_label(str(value))
        if field == "state":
            return state_label(str(value))
        if field == "reason":
            return reason_label(str(value))
        if field == "due_at":
            return formatting.local_time(str(value))
        if field == "queue_id":
            return self.outbox.queue_name(str(value), chinese=QLocale().name().startswith("zh")) or str(value)
        if isinstance(value, bool):
            return self.tr("yes") if value else self.tr("no")
        if isinstance(value, list):
            return ", ".join(safe_display(str(v), 40) for v in value) or "—"
        return safe_display(str(value), 80)

    # -- the selected item ------------------------------------------------------------------------
    def _current(self) -> OutboxItem | None:
        entry = self.list.currentItem() if hasattr(self, "list") else None
        return entry.data(ITEM_ROLE) if entry is not None else None

    def _show_current(self) -> None:
        item = self._current()
        decided = item is not None and item.state != QUEUED
        is_message = item is not None and item.action in MESSAGE_ACTIONS
        self.retry.setEnabled(decided)
        self.save.setEnabled(decided and is_message)
        self.keep_mine.setEnabled(item is not None and item.state == CONFLICT)
        self.take_theirs.setEnabled(item is not None and item.state == CONFLICT)
        self.copy.setEnabled(item is not None)
        self.discard.setEnabled(decided)
        self.save.setVisible(is_message or item is None)
        self.keep_mine.setVisible(item is not None and item.state == CONFLICT)
        self.take_theirs.setVisible(item is not None and item.state == CONFLICT)
        self.retry.setVisible(item is None or item.state != CONFLICT)
        if item is None:
            self.title.setText("")
            self.error.setText("")
            self.detail_stack.setCurrentWidget(self.empty)
            return
        self.title.setText(f"{self._kind(item.action)} · {self._state(item.state)}")
        if item.last_error and item.state == QUEUED:
            # A retry after a network failure or a busy server: say what happens, keep the detail.
            self.error.setText(self.tr("Not sent yet: the server could not be reached or was busy. "
                                       "It is sent automatically when the server answers."))
            self.error.setToolTip(safe_display(item.last_error, 300))
        elif item.last_error == CANCELLED_REASON:
            self.error.setText(self.tr("You stopped this upload: retry to send it with its files, or discard it."))
            self.error.setToolTip("")
        else:
            self.error.setText(self.tr("The server said: %1").replace("%1", safe_display(item.last_error, 300))
                               if item.last_error else "")
            self.error.setToolTip("")
        if is_message:
            self.editor.setPlainText(str(item.payload.get("body", "")))
            self.editor.setReadOnly(not decided)
            self.detail_stack.setCurrentWidget(self.editor)
        else:
            self._show_fields(item)
            self.detail_stack.setCurrentWidget(self.fields)

    def _show_fields(self, item: OutboxItem) -> None:
        theirs = self.outbox.server_state(item.key) if item.state == CONFLICT else None
        names = self._field_names()
        base = item.base_state if theirs is not None else None
        if theirs is not None:
            # Theirs, mine, and what both started from: who changed what is plain to see.
            self.fields.setColumnCount(4 if base is not None else 3)
            self.fields.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Your change"), self.tr("Now on the server"),
                                                   self.tr("Before (what you saw)")][:self.fields.columnCount()])
        else:
            self.fields.setColumnCount(2)
            self.fields.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Your change")])
        keys = list(item.payload)
        self.fields.setRowCount(len(keys))
        for row, key in enumerate(keys):
            mine = item.payload[key]
            cells = [names.get(key, key), self._value(key, mine)]
            if theirs is not None:
                cells.append(self._value(key, theirs.get(key)))
                if base is not None:
                    cells.append(self._value(key, base.get(key)))
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if theirs is not None and column in (1, 2) and json.dumps(theirs.get(key)) != json.dumps(mine):
                    cell.setBackground(QBrush(QColor("#fef3c7")))  # the fields that really differ
                self.fields.setItem(row, column, cell)
        self.fields.resizeColumnsToContents()

    # -- actions ----------------------------------------------------------------------------------
    def _run(self, coro: Any, select_key: str | None = None) -> None:
        spawn(coro, on_done=lambda result: self.reload(result if isinstance(result, str) else select_key),
              on_error=self._failed)

    def _failed(self, error: BaseException) -> None:
        self.error.setText(self.tr("That did not work: %1").replace("%1", safe_display(str(error), 300)))

    def _retry(self) -> None:
        item = self._current()
        if item is not None and item.state != QUEUED:
            self._run(self.outbox.retry(item), item.key)

    def _save(self) -> None:
        item = self._current()
        if item is None or item.action not in MESSAGE_ACTIONS or item.state == QUEUED:
            return
        body = self.editor.toPlainText()
        if not body.strip():
            self.error.setText(self.tr("The message is empty."))
            return
        self._run(self.outbox.edit_message(item, body))

    def _keep_mine(self) -> None:
        item = self._current()
        if item is not None and item.state == CONFLICT:
            self._run(self.outbox.keep_mine(item), item.key)

    def _take_theirs(self) -> None:
        item = self._current()
        if item is not None and item.state == CONFLICT:
            self._run(self.outbox.take_theirs(item))

    def _copy(self) -> None:
        item = self._current()
        if item is None:
            return
        if item.action in MESSAGE_ACTIONS:
            text = self.editor.toPlainText() or str(item.payload.get("body", ""))
        else:
            text = json.dumps(item.payload, ensure_ascii=False)
        QGuiApplication.clipboard().setText(text)

    def confirm_discard(self, item: OutboxItem) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Discard this action?"),
            self.tr("%1 will not be sent and is removed from this computer. Copy it first if you still "
                    "need the text.").replace("%1", self._kind(item.action)),
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def _discard(self) -> None:
        item = self._current()
        if item is not None and item.state != QUEUED and self.confirm_discard(item):
            self._run(self.outbox.discard(item))
