"""Who the customer is, and every earlier contact on every channel (the side panel's first tab)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..domain.text import safe_display
from ..domain.timeutil import utcnow
from ..services.conversations import ConversationService
from . import formatting
from .resources import icon

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _plain_label(object_name: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # customer data is never rich text
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


class CustomerPanel(QWidget):
    conversation_requested = Signal(str)

    def __init__(self, service: ConversationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.customer_id: str | None = None
        self.name = _plain_label("customerName")
        self.tier = _plain_label("tierBadge")
        self.company = _plain_label()
        self.phones = _plain_label()
        self.emails = _plain_label()
        self.tags = _plain_label()
        self.stats = _plain_label()
        form = self._form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(self.tr("Company"), self.company)
        form.addRow(self.tr("Phone"), self.phones)
        form.addRow(self.tr("E-mail"), self.emails)
        form.addRow(self.tr("Tags"), self.tags)
        form.addRow(self.tr("Contacts"), self.stats)
        self.history_title = QLabel(self.tr("Earlier contacts"))
        self.history_title.setObjectName("sectionTitle")
        self.history = QListWidget()
        self.history.setObjectName("customerHistory")
        self.history.setUniformItemSizes(True)
        self.history.setWordWrap(True)
        self.history.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.history.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.history.itemActivated.connect(self._open_item)
        self.history.itemDoubleClicked.connect(self._open_item)
        self.placeholder = QLabel(self.tr("Open a conversation to see who the customer is and their history."))
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.name)
        layout.addWidget(self.tier)
        layout.addLayout(form)
        layout.addWidget(self.history_title)
        layout.addWidget(self.history, 1)
        self._set_visible(False)

    def _set_visible(self, shown: bool) -> None:
        self.placeholder.setVisible(not shown)
        for widget in (self.name, self.tier, self.history_title, self.history):
            widget.setVisible(shown)
        for label in (self.company, self.phones, self.emails, self.tags, self.stats):
            label.setVisible(shown)
            buddy = self._form.labelForField(label)
            if buddy is not None:
                buddy.setVisible(shown)

    def show_for(self, header: dict[str, Any] | None) -> None:
        if not header:
            self.customer_id = None
            self._set_visible(False)
            return
        self.customer_id = header.get("customer_id")
        self._set_visible(True)
        self.name.setText(safe_display(header.get("customer_name"), 80) or self.tr("Unknown customer"))
        tier = header.get("customer_tier")
        self.tier.setText(formatting.tier_label(tier))
        self.tier.setProperty("tier", tier or "standard")
        self.tier.style().unpolish(self.tier)
        self.tier.style().polish(self.tier)
        self.company.setText(safe_display(header.get("customer_company"), 80) or "—")
        self.phones.setText("\n".join(safe_display(p, 40) for p in header.get("customer_phones", [])) or "—")
        self.emails.setText("\n".join(safe_display(e, 80) for e in header.get("customer_emails", [])) or "—")
        self.tags.setText(", ".join(safe_display(t, 30) for t in header.get("customer_tags", [])) or "—")
        if not self.customer_id:
            self.history.clear()
            return
        stats = self.service.customer_stats(self.customer_id)
        locale = QLocale()
        self.stats.setText(self.tr("%1 in total · %2 open · last %3")
                           .replace("%1", locale.toString(stats["contacts"]))
                           .replace("%2", locale.toString(stats["open"]))
                           .replace("%3", formatting.ago(stats["last_contact"], utcnow())))
        self.history.clear()
        for item in self.service.customer_history(self.customer_id):
            text = (f"{formatting.local_time(item.get('last_message_at') or item.get('created_at'))}  ·  "
                    f"{formatting.status_label(item.get('status', ''))}\n{safe_display(item.get('subject'), 90)}")
            entry = QListWidgetItem(icon(item.get("channel") or "web"), text)
            entry.setData(ID_ROLE, item["id"])
            if item["id"] == header.get("id"):
                font = entry.font()
                font.setBold(True)
                entry.setFont(font)
            self.history.addItem(entry)

    def _open_item(self, item: QListWidgetItem) -> None:
        conversation_id = item.data(ID_ROLE)
        if conversation_id:
            self.conversation_requested.emit(conversation_id)
