"""Ctrl+K: search conversations, messages and customers; Enter opens the hit."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..domain.text import safe_display
from ..services.search import SearchResults, SearchService
from . import formatting
from .resources import icon
from .tasks import spawn

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
DEBOUNCE_MS = 120


def _snippet(body: str, text: str, width: int = 90) -> str:
    body = safe_display(body)
    first = text.strip().split()[0] if text.strip() else ""
    at = body.lower().find(first.lower()) if first else -1
    start = max(0, at - width // 3) if at >= 0 else 0
    piece = body[start:start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


class SearchField(QLineEdit):
    moved = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Down:
            self.moved.emit(1)
        elif event.key() == Qt.Key.Key_Up:
            self.moved.emit(-1)
        else:
            super().keyPressEvent(event)


class SearchDialog(QDialog):
    conversation_chosen = Signal(str)
    customer_chosen = Signal(str)

    def __init__(self, service: SearchService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle(self.tr("Search"))
        self.setObjectName("searchDialog")
        self.resize(720, 480)
        self.field = SearchField()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(self.tr("Search conversations, messages and customers (中文 or English)…"))
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self._schedule)
        self.field.returnPressed.connect(self._accept_current)
        self.field.moved.connect(self._move)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setUniformItemSizes(True)
        self.results.itemActivated.connect(self._activate)
        self.state = QLabel(self.tr("Type to search. ↑/↓ choose, Enter opens, Esc closes."))
        self.state.setObjectName("searchState")
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.state)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)

    def open_fresh(self) -> None:
        self.field.selectAll()
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus()

    def _schedule(self) -> None:
        self._timer.start()

    def _search(self) -> None:
        text = self.field.text().strip()
        if not text:
            self.results.clear()
            self.state.setText(self.tr("Type to search. ↑/↓ choose, Enter opens, Esc closes."))
            return
        self.state.setText(self.tr("Searching…"))
        spawn(self.service.search(text), on_done=self._show, on_error=self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self.state.setText(self.tr("Search failed: %1").replace("%1", str(error)))

    def _show(self, results: SearchResults | None) -> None:
        if results is None or results.text != self.field.text().strip():
            return  # a newer search is on its way
        self.results.clear()
        if results.empty:
            self.state.setText(self.tr("Nothing found for “%1”.").replace("%1", results.text))
            return
        self.state.setText(self.tr("%1 customers · %2 conversations · %3 messages")
                           .replace("%1", str(len(results.customers)))
                           .replace("%2", str(len(results.conversations)))
                           .replace("%3", str(len(results.messages))))
        for customer in results.customers:
            tier = formatting.tier_label(customer.get("tier"))
            item = QListWidgetItem(self.tr("Customer: %1").replace("%1", safe_display(customer.get("name"), 60))
                                   + (f"  ·  {tier}" if customer.get("tier") != "standard" else "")
                                   + (f"  ·  {safe_display(customer.get('company'), 40)}" if customer.get("company") else ""))
            item.setData(TARGET_ROLE, ("customer", customer["id"]))
            self.results.addItem(item)
        for conversation in results.conversations:
            item = QListWidgetItem(icon(conversation.get("channel") or "web"),
                                   f"{safe_display(conversation.get('subject'), 80)}  ·  "
                                   f"{safe_display(conversation.get('customer_name'), 40)}  ·  "
                                   f"{formatting.status_label(conversation.get('status', ''))}")
            item.setData(TARGET_ROLE, ("conversation", conversation["id"]))
            self.results.addItem(item)
        for message in results.messages:
            item = QListWidgetItem(icon(message.get("channel") or "web"),
                                   f"{safe_display(message.get('customer_name'), 30)}: "
                                   f"{_snippet(message.get('body') or '', results.text)}")
            item.setToolTip(safe_display(message.get("subject"), 200))
            item.setData(TARGET_ROLE, ("conversation", message["conversation_id"]))
            self.results.addItem(item)
        self.results.setCurrentRow(0)

    def _move(self, step: int) -> None:
        if self.results.count():
            row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
            self.results.setCurrentRow(row)

    def _accept_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._activate(item)

    def _activate(self, item: QListWidgetItem) -> None:
        kind, target = item.data(TARGET_ROLE)
        self.hide()
        if kind == "customer":
            self.customer_chosen.emit(target)
        else:
            self.conversation_chosen.emit(target)
