"""Ctrl+K: search conversations, messages and customers; Enter opens the hit."""

from __future__ import annotations

import html
import json
from datetime import datetime, timedelta

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import safe_display
from ..domain.timeutil import parse_iso, utcnow
from ..services.search import SearchResults, SearchService
from . import formatting
from .knowledge_widgets import HTML_ROLE, HtmlDelegate, highlighted
from .resources import icon
from .tasks import spawn

TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
DEBOUNCE_MS = 120
# The "When" filter's ranges, in days back from now (None: any time).
WITHIN_DAYS = (None, 1, 7, 30, 90)


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
    """A palette laid over the top of the window: type, filter, ↑ ↓, Enter. Hits are highlighted,
    dated and told apart (a customer's phone beside a common name); "show more" pages on."""

    conversation_chosen = Signal(str)
    customer_chosen = Signal(str)

    def __init__(self, service: SearchService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle(self.tr("Search"))
        self.setObjectName("searchDialog")
        # Over the window, without a title bar of its own: Esc or choosing a hit closes it. A dialog,
        # not a tool window: the main window's shortcuts (Alt+O in the FAQ tab…) stay out of it.
        self.setWindowFlags(Qt.WindowType.Dialog | Qt.WindowType.FramelessWindowHint)
        self.resize(760, 500)
        self.field = SearchField()
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText(self.tr("Search conversations, messages and customers (中文 or English)…"))
        self.field.setClearButtonEnabled(True)
        self.field.textChanged.connect(self._schedule)
        self.field.returnPressed.connect(self._accept_current)
        self.field.moved.connect(self._move)
        self.open_only = QCheckBox(self.tr("&Open only"))
        self.open_only.setObjectName("searchOpenOnly")
        self.open_only.toggled.connect(self._refilter)
        self.channel = QComboBox()
        self.channel.setObjectName("searchChannel")
        self.channel.addItem(self.tr("All channels"), None)
        for channel in ("phone", "chat", "email", "web", "social"):
            self.channel.addItem(icon(channel), formatting.channel_label(channel), channel)
        self.channel.currentIndexChanged.connect(self._refilter)
        channel_label = QLabel(self.tr("C&hannel"))
        channel_label.setBuddy(self.channel)
        self.within = QComboBox()
        self.within.setObjectName("searchWithin")
        for days, label in zip(WITHIN_DAYS, (self.tr("Any time"), self.tr("Last 24 hours"), self.tr("Last 7 days"),
                                             self.tr("Last 30 days"), self.tr("Last 90 days")), strict=True):
            self.within.addItem(label, days)
        self.within.currentIndexChanged.connect(self._refilter)
        within_label = QLabel(self.tr("&When"))
        within_label.setBuddy(self.within)
        # Only the customer of the open conversation: "what did this caller say about 发票 before?"
        self.this_customer = QCheckBox()
        self.this_customer.setObjectName("searchThisCustomer")
        self.this_customer.toggled.connect(self._refilter)
        self.this_customer.setVisible(False)
        self._customer: tuple[str, str] | None = None
        filters = QHBoxLayout()
        filters.addWidget(self.open_only)
        filters.addSpacing(12)
        filters.addWidget(channel_label)
        filters.addWidget(self.channel)
        filters.addSpacing(12)
        filters.addWidget(within_label)
        filters.addWidget(self.within)
        filters.addSpacing(12)
        filters.addWidget(self.this_customer)
        filters.addStretch(1)
        self.results = QListWidget()
        self.results.setObjectName("searchResults")
        self.results.setItemDelegate(HtmlDelegate(self.results))
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # rows elide
        self.results.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.results.itemActivated.connect(self._activate)
        self.state = QLabel(self.tr("Type to search. ↑/↓ choose, Enter opens, Esc closes."))
        self.state.setObjectName("searchState")
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addLayout(filters)
        layout.addWidget(self.state)
        layout.addWidget(self.results, 1)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self._search)
        self._results: SearchResults | None = None
        self._page = 1

    def open_fresh(self, customer: tuple[str, str] | None = None) -> None:
        """`customer` (id, name): the open conversation's, offered as a filter."""
        if customer != self._customer:
            self._customer = customer
            self.this_customer.setChecked(False)
        self.this_customer.setVisible(customer is not None)
        if customer is not None:
            self.this_customer.setText(self.tr("Only &this customer (%1)").replace("%1", safe_display(customer[1], 24)))
        self._place_over_parent()
        self.field.selectAll()
        self.show()
        self.raise_()
        self.activateWindow()
        self.field.setFocus()

    def _place_over_parent(self) -> None:
        parent = self.parentWidget()
        if parent is None:
            return
        area = parent.geometry()
        width = min(760, max(420, area.width() - 80))
        height = min(500, max(300, area.height() - 120))
        self.resize(width, height)
        self.move(area.left() + (area.width() - width) // 2, area.top() + 60)

    def _schedule(self) -> None:
        self._page = 1
        self._timer.start()

    def _search(self) -> None:
        text = self.field.text().strip()
        if not text:
            self.results.clear()
            self._results = None
            self.state.setText(self.tr("Type to search. ↑/↓ choose, Enter opens, Esc closes."))
            return
        self.state.setText(self.tr("Searching…"))
        spawn(self.service.search(text, self._page), on_done=self._show, on_error=self._failed, owner=self)

    def _failed(self, error: BaseException) -> None:
        self.state.setText(self.tr("Search failed: %1").replace("%1", str(error)))

    def _show(self, results: SearchResults | None) -> None:
        if results is None or results.text != self.field.text().strip():
            return  # a newer search is on its way
        self._results = results
        self._refilter()

    def _customer_filter(self) -> str | None:
        return self._customer[0] if self._customer is not None and self.this_customer.isChecked() else None

    def _kept(self, row: dict, when_key: str, customer: str | None, since: datetime | None) -> bool:
        if self.open_only.isChecked() and row.get("status") not in ("new", "open", "pending"):
            return False
        if customer is not None and row.get("customer_id") != customer:
            return False
        if since is not None:
            stamp = row.get(when_key)
            when = parse_iso(stamp) if isinstance(stamp, str) and stamp else None
            if when is None or when < since:
                return False
        channel = self.channel.currentData()
        return channel is None or row.get("channel") == channel

    def _refilter(self) -> None:
        results = self._results
        if results is None:
            return
        current = self.results.currentRow()
        self.results.clear()
        only_customer = self._customer_filter()
        filtered = bool(self.open_only.isChecked() or self.channel.currentData() or only_customer
                        or self.within.currentData())
        # Customers are people, not contacts: the contact filters leave them out.
        customers = [] if filtered else results.customers
        days = self.within.currentData()
        since = utcnow() - timedelta(days=days) if days is not None else None   # once, not per row
        conversations = [c for c in results.conversations if self._kept(c, "last_message_at", only_customer, since)]
        messages = [m for m in results.messages if self._kept(m, "created_at", only_customer, since)]
        if not (customers or conversations or messages):
            self.state.setText((self.tr("Nothing found for “%1” with these filters.") if filtered and not results.empty
                                else self.tr("Nothing found for “%1”.")).replace("%1", results.text))
            return
        self.state.setText(self.tr("%1 customers · %2 conversations · %3 messages")
                           .replace("%1", str(len(customers))).replace("%2", str(len(conversations)))
                           .replace("%3", str(len(messages))))
        text = results.text
        for customer in customers:
            meta = [formatting.tier_label(customer.get("tier")), safe_display(customer.get("company"), 40),
                    _first(customer.get("phones")), _first(customer.get("emails"))]
            self._add(("customer", customer["id"]), None,
                      self.tr("Customer: %1").replace("%1", safe_display(customer.get("name"), 60)), text, meta)
        for conversation in conversations:
            meta = [safe_display(conversation.get("customer_name"), 40), _first(conversation.get("customer_phones")),
                    formatting.channel_label(conversation.get("channel") or ""),
                    formatting.status_label(conversation.get("status", "")),
                    formatting.local_time(conversation.get("last_message_at"))]
            self._add(("conversation", conversation["id"]), conversation.get("channel"),
                      safe_display(conversation.get("subject"), 120), text, meta)
        for message in messages:
            meta = [safe_display(message.get("subject"), 60), formatting.channel_label(message.get("channel") or ""),
                    formatting.status_label(message.get("status", "")), formatting.local_time(message.get("created_at"))]
            title = f"{safe_display(message.get('customer_name'), 30)}: {_snippet(message.get('body') or '', text)}"
            self._add(("conversation", message["conversation_id"]), message.get("channel"), title, text, meta)
        if results.more_possible:
            more = QListWidgetItem(self.tr("Show more results…"))
            more.setData(TARGET_ROLE, ("more", ""))
            more.setData(HTML_ROLE, "<i>" + html.escape(self.tr("Show more results…")) + "</i>")
            self.results.addItem(more)
        self.results.setCurrentRow(max(0, min(current, self.results.count() - 1)) if self._page > 1 else 0)

    def _add(self, target: tuple[str, str], channel: str | None, title: str, text: str, meta: list[str]) -> None:
        item = QListWidgetItem(icon(channel) if channel else QIcon(), title)
        item.setData(TARGET_ROLE, target)
        details = " · ".join(part for part in meta if part)
        item.setData(HTML_ROLE, f"{highlighted(title, text)}<br><span class='meta'>{highlighted(details, text)}</span>")
        item.setToolTip(title)
        self.results.addItem(item)

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
        if kind == "more":
            self._page += 1
            self._search()
            return
        self.hide()
        if kind == "customer":
            self.customer_chosen.emit(target)
        else:
            self.conversation_chosen.emit(target)


def _first(values: object) -> str:
    """The first of a JSON list column (phones, e-mails), for telling namesakes apart."""
    if isinstance(values, str):
        text = values
        try:
            values = json.loads(text)
        except ValueError:
            return safe_display(text, 40)
    if isinstance(values, list) and values:
        return safe_display(str(values[0]), 40)
    return ""
