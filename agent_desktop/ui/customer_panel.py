"""Who the customer is (the side panel's first tab): identity with a VIP / key-account badge, tags,
contact details, lifetime figures, and tabs for the history of every contact (paged lazily),
orders, and customer notes. With the customer records service, tags and notes can be edited
(synced), and an unknown caller's conversation can be linked to an existing customer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import safe_display
from ..domain.timeutil import utcnow
from ..services.capabilities import Capability
from ..services.conversations import ConversationService
from ..services.customer_records import CustomerRecordsService
from . import formatting
from .capability_text import unsupported_reason
from .resources import icon
from .tasks import spawn

ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE = 30


def _plain_label(object_name: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # customer data is never rich text
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if object_name:
        label.setObjectName(object_name)
    return label


class HistoryList(QListWidget):
    """Earlier contacts, newest first; the next page loads when the list is scrolled to its end."""

    more_needed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("customerHistory")
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)

    def _scrolled(self, value: int) -> None:
        if value >= self.verticalScrollBar().maximum() - 2:
            self.more_needed.emit()


class LinkCustomerDialog(QDialog):
    """Find an existing customer by name, phone or e-mail to link an unknown caller to."""

    def __init__(self, customers: CustomerRecordsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.customers = customers
        self.setWindowTitle(self.tr("Link to an existing customer"))
        self.query = QLineEdit()
        self.query.setPlaceholderText(self.tr("Name, phone or e-mail"))
        self.results = QListWidget()
        self.query.textChanged.connect(self._search)
        self.results.itemActivated.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Link"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addWidget(buttons)
        self.resize(420, 360)

    def _search(self, text: str) -> None:
        self.results.clear()
        for row in self.customers.find_customers(text):
            entry = QListWidgetItem(f"{safe_display(row['name'], 60)} · {safe_display(row['phones'], 60)}")
            entry.setData(ID_ROLE, row["id"])
            self.results.addItem(entry)
        if self.results.count():
            self.results.setCurrentRow(0)

    def chosen(self) -> str | None:
        item = self.results.currentItem()
        return item.data(ID_ROLE) if item is not None else None


class NewCustomerDialog(QDialog):
    """Name, company, phone, e-mail of a caller who is not a customer yet."""

    def __init__(self, phone: str, email: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New customer"))
        self.name = QLineEdit()
        self.name.setObjectName("newCustomerName")
        self.company = QLineEdit()
        self.phone = QLineEdit(phone)
        self.email = QLineEdit(email)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Create and link"))
        self.ok.setEnabled(False)
        self.name.textChanged.connect(lambda text: self.ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Company"), self.company)
        form.addRow(self.tr("Phone"), self.phone)
        form.addRow(self.tr("E-mail"), self.email)
        form.addRow(buttons)


class CustomerPanel(QWidget):
    conversation_requested = Signal(str)

    def __init__(self, service: ConversationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.customers: CustomerRecordsService | None = None
        self.customer_id: str | None = None
        self.conversation_id: str | None = None
        self._history_after: tuple[str, str] | None = None
        self._history_done = False
        self.name = _plain_label("customerName")
        self.tier = _plain_label("tierBadge")
        self.company = _plain_label()
        self.phones = _plain_label()
        self.emails = _plain_label()
        self.handles = _plain_label()
        self.tags = _plain_label()
        self.stats = _plain_label("customerFigures")
        form = self._form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow(self.tr("Company"), self.company)
        form.addRow(self.tr("Phone"), self.phones)
        form.addRow(self.tr("E-mail"), self.emails)
        form.addRow(self.tr("Social"), self.handles)
        form.addRow(self.tr("Tags"), self.tags)
        form.addRow(self.tr("Contacts"), self.stats)
        self.edit_tags = QPushButton(self.tr("Edit tags…"))
        self.edit_tags.setObjectName("editCustomerTags")
        self.edit_tags.clicked.connect(self._edit_tags)
        self.link = QPushButton(self.tr("Link to existing customer…"))
        self.link.setObjectName("linkCustomer")
        self.link.clicked.connect(self._link)
        self.create_button = QPushButton(self.tr("New customer…"))
        self.create_button.setObjectName("createCustomer")
        self.create_button.clicked.connect(self._create)
        tools = QHBoxLayout()
        tools.addWidget(self.edit_tags)
        tools.addWidget(self.link)
        tools.addWidget(self.create_button)
        tools.addStretch(1)
        self.history_title = QLabel(self.tr("Customer record"))
        self.history_title.setObjectName("sectionTitle")
        self.history = HistoryList()
        self.history.itemActivated.connect(self._open_item)
        self.history.itemClicked.connect(self._open_item)
        self.history.more_needed.connect(self._more_history)
        self.orders = QListWidget()
        self.orders.setObjectName("customerOrders")
        self.orders.setWordWrap(True)
        self.orders.setSpacing(4)
        self.notes = QListWidget()
        self.notes.setObjectName("customerNotes")
        self.notes.setWordWrap(True)
        self.notes.setSpacing(4)
        self.notes.itemActivated.connect(self._edit_note)
        self.notes.itemDoubleClicked.connect(self._edit_note)
        self.note_input = QPlainTextEdit()
        self.note_input.setObjectName("customerNoteInput")
        self.note_input.setPlaceholderText(self.tr("Add a note about this customer (Ctrl+Enter)"))
        self.note_input.setMaximumHeight(64)
        self.add_note = QPushButton(self.tr("Add note"))
        self.add_note.setObjectName("addCustomerNote")
        self.add_note.clicked.connect(self._add_note)
        notes_page = QWidget()
        notes_layout = QVBoxLayout(notes_page)
        notes_layout.setContentsMargins(0, 4, 0, 0)
        notes_layout.addWidget(self.notes, 1)
        notes_layout.addWidget(self.note_input)
        notes_layout.addWidget(self.add_note, 0, Qt.AlignmentFlag.AlignRight)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("customerTabs")
        self.tabs.addTab(self.history, self.tr("History"))
        self.tabs.addTab(self.orders, self.tr("Orders"))
        self.tabs.addTab(notes_page, self.tr("Notes"))
        self.placeholder = QLabel(self.tr("Open a conversation to see who the customer is and their history."))
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.name)
        layout.addWidget(self.tier)
        layout.addLayout(form)
        layout.addLayout(tools)
        layout.addWidget(self.history_title)
        layout.addWidget(self.tabs, 1)
        self._set_visible(False)

    def set_customers(self, customers: CustomerRecordsService) -> None:
        self.customers = customers
        if not customers.supports(Capability.CUSTOMERS):
            # Greyed out with the reason (Request Tracker keeps its users itself), not a late failure.
            reason = unsupported_reason(Capability.CUSTOMERS, getattr(customers, "backend_kind", ""))
            for widget in (self.edit_tags, self.link, self.create_button, self.add_note, self.note_input):
                widget.setEnabled(False)
                widget.setToolTip(reason)
            self.note_input.setPlaceholderText(reason)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self.note_input.hasFocus() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._add_note()
            return
        super().keyPressEvent(event)

    def _set_visible(self, shown: bool) -> None:
        self.placeholder.setVisible(not shown)
        for widget in (self.name, self.tier, self.history_title, self.tabs):
            widget.setVisible(shown)
        self.edit_tags.setVisible(shown and self.customers is not None)
        self.link.setVisible(False)
        self.create_button.setVisible(False)
        for label in (self.company, self.phones, self.emails, self.handles, self.tags, self.stats):
            label.setVisible(shown)
            buddy = self._form.labelForField(label)
            if buddy is not None:
                buddy.setVisible(shown)

    def show_for(self, header: dict[str, Any] | None) -> None:
        if not header:
            self.customer_id = None
            self.conversation_id = None
            self._set_visible(False)
            return
        same_customer = header.get("customer_id") == self.customer_id
        self.customer_id = header.get("customer_id")
        self.conversation_id = header.get("id")
        self._set_visible(True)
        self.name.setText(safe_display(header.get("customer_name"), 80) or self.tr("Unknown customer"))
        tier = header.get("customer_tier") or "standard"
        badge = {"vip": "★ ", "key_account": "◆ "}.get(tier, "")
        self.tier.setText(badge + formatting.tier_label(tier))
        self.tier.setProperty("tier", tier)
        self.tier.style().unpolish(self.tier)
        self.tier.style().polish(self.tier)
        self.company.setText(safe_display(header.get("customer_company"), 80) or "—")
        self.phones.setText("\n".join(safe_display(p, 40) for p in header.get("customer_phones", [])) or "—")
        self.emails.setText("\n".join(safe_display(e, 80) for e in header.get("customer_emails", [])) or "—")
        self.handles.setText("\n".join(safe_display(h, 60) for h in header.get("customer_handles", [])) or "—")
        self.tags.setText(", ".join(safe_display(t, 30) for t in header.get("customer_tags", [])) or "—")
        if not self.customer_id:
            return
        self._show_figures()
        self._reload_history(header.get("id"), keep=same_customer)
        if self.customers is not None:
            self._reload_orders()
            self._reload_notes()
            figures = self.customers.figures(self.customer_id)
            unknown = figures["contacts"] <= 1 and not header.get("customer_company") and not self.orders.count()
            self.link.setVisible(bool(unknown))
            self.create_button.setVisible(bool(unknown))
            self._contact = (", ".join(header.get("customer_phones", [])[:1]), ", ".join(header.get("customer_emails", [])[:1]))

    def _show_figures(self) -> None:
        assert self.customer_id is not None
        locale = QLocale()
        if self.customers is None:
            stats = self.service.customer_stats(self.customer_id)
            self.stats.setText(self.tr("%1 in total · %2 open · last %3")
                               .replace("%1", locale.toString(stats["contacts"]))
                               .replace("%2", locale.toString(stats["open"]))
                               .replace("%3", formatting.ago(stats["last_contact"], utcnow())))
            return
        figures = self.customers.figures(self.customer_id)
        csat = (locale.toString(float(figures["csat_average"]), "f", 1) + " / 5"
                if figures["csat_average"] is not None else "—")
        self.stats.setText(
            self.tr("%1 in total · %2 open · last %3\nCSAT %4 · %5 open callbacks")
            .replace("%1", locale.toString(figures["contacts"])).replace("%2", locale.toString(figures["open"]))
            .replace("%3", formatting.ago(figures["last_contact"], utcnow()))
            .replace("%4", csat).replace("%5", locale.toString(figures["open_callbacks"])))

    # -- history (lazy) ---------------------------------------------------------------------------
    def _reload_history(self, current_id: str | None, *, keep: bool) -> None:
        scroll = self.history.verticalScrollBar().value() if keep else 0
        loaded = max(PAGE, self.history.count()) if keep else PAGE
        self.history.clear()
        self._history_after, self._history_done = None, False
        self._append_history(current_id, loaded)
        self.history.verticalScrollBar().setValue(scroll)

    def _more_history(self) -> None:
        if not self._history_done and self.customer_id and self.customers is not None:
            self._append_history(self.conversation_id, PAGE)

    def _append_history(self, current_id: str | None, limit: int) -> None:
        assert self.customer_id is not None
        if self.customers is None:
            rows = self.service.customer_history(self.customer_id)
            self._history_done = True
        else:
            rows = self.customers.timeline(self.customer_id, self._history_after, limit)
            self._history_done = len(rows) < limit
            if rows:
                self._history_after = (rows[-1]["sort_at"], rows[-1]["id"])
        for item in rows:
            text = (f"{formatting.local_time(item.get('last_message_at') or item.get('created_at'))} · "
                    f"{formatting.status_label(item.get('status', ''))}")
            if item.get("csat"):
                text += f" · CSAT {item['csat']}/5"
            text += f"\n{safe_display(item.get('subject'), 90)}"
            entry = QListWidgetItem(icon(item.get("channel") or "web"), text)
            entry.setData(ID_ROLE, item["id"])
            if item["id"] == current_id:
                font = entry.font()
                font.setBold(True)
                entry.setFont(font)
            self.history.addItem(entry)

    def _open_item(self, item: QListWidgetItem) -> None:
        conversation_id = item.data(ID_ROLE)
        if conversation_id and conversation_id != self.conversation_id:
            self.conversation_requested.emit(conversation_id)

    # -- orders and notes -------------------------------------------------------------------------
    def _reload_orders(self) -> None:
        assert self.customer_id is not None and self.customers is not None
        self.orders.clear()
        for order in self.customers.orders(self.customer_id):
            goods = ", ".join(f"{safe_display(i['name'], 40)} ×{i['quantity']}" for i in order["items"])
            text = (f"{safe_display(order['number'], 30)}  ·  {formatting.local_time(order['placed_at'])}\n"
                    f"{safe_display(order['currency'], 4)} {safe_display(order['total'], 16)}  ·  "
                    f"{self._order_status(order['status'])}\n{goods}")
            self.orders.addItem(text)
        if not self.orders.count():
            self.orders.addItem(self.tr("No orders."))
        self.tabs.setTabText(1, self.tr("Orders (%1)").replace("%1", str(len(self.customers.orders(self.customer_id)))))

    def _order_status(self, status: str) -> str:
        return {"paid": self.tr("paid"), "shipped": self.tr("shipped"), "delivered": self.tr("delivered"),
                "refunded": self.tr("refunded"), "cancelled": self.tr("cancelled")}.get(status, status)

    def _reload_notes(self) -> None:
        assert self.customer_id is not None and self.customers is not None
        self.notes.clear()
        notes = self.customers.notes(self.customer_id)
        for note in notes:
            head = f"{safe_display(note['author_name'], 30)} · {formatting.local_time(note['updated_at'])}"
            if note.get("pending_key"):
                head += " · " + self.tr("not synced yet")
            entry = QListWidgetItem(f"{head}\n{safe_display(note['body'], 500)}")
            entry.setData(ID_ROLE, note["id"])
            entry.setData(ID_ROLE + 1, note["body"])
            self.notes.addItem(entry)
        self.tabs.setTabText(2, self.tr("Notes (%1)").replace("%1", str(len(notes))))

    def refresh(self) -> None:
        """Re-read the customer's records after a sync or a local change."""
        if self.customer_id and self.customers is not None:
            self._show_figures()
            self._reload_orders()
            self._reload_notes()

    def _add_note(self) -> None:
        body = self.note_input.toPlainText().strip()
        if not body or not self.customer_id or self.customers is None:
            return
        self.note_input.clear()

        def failed(error: BaseException) -> None:
            self.note_input.setPlainText(body)  # nothing typed is lost
            QMessageBox.information(self, self.tr("Note not saved"), str(error))

        spawn(self.customers.add_note(self.customer_id, body), on_done=lambda _k: self.refresh(), on_error=failed)

    def _edit_note(self, item: QListWidgetItem) -> None:
        if self.customers is None:
            return
        note_id, body = item.data(ID_ROLE), item.data(ID_ROLE + 1)
        text, ok = QInputDialog.getMultiLineText(self, self.tr("Edit note"), self.tr("Note"), body)
        if ok and text.strip() and text.strip() != body:
            spawn(self.customers.edit_note(note_id, text), on_done=lambda _k: self.refresh())

    def _edit_tags(self) -> None:
        if self.customers is None or not self.customer_id:
            return
        customer = self.customers.customer(self.customer_id) or {}
        text, ok = QInputDialog.getText(self, self.tr("Customer tags"), self.tr("Tags, separated by commas"),
                                        text=", ".join(customer.get("tags", [])))
        if ok:
            tags = [t.strip() for t in text.replace("，", ",").split(",")]
            customer_id = self.customer_id
            spawn(self.customers.set_tags(customer_id, tags), on_done=lambda _k: self._after_tags())

    def _after_tags(self) -> None:
        if self.conversation_id:
            self.show_for(self.service.header(self.conversation_id))

    def _create(self) -> None:
        if self.customers is None or not self.conversation_id:
            return
        phone, email = getattr(self, "_contact", ("", ""))
        dialog = NewCustomerDialog(phone, email, self)
        self.new_customer_dialog = dialog
        conversation_id = self.conversation_id

        customers = self.customers
        if customers is None:
            return

        def finished(code: int) -> None:
            if code == QDialog.DialogCode.Accepted:
                spawn(customers.create_customer(conversation_id, name=dialog.name.text(),
                                                    company=dialog.company.text(), phone=dialog.phone.text(),
                                                    email=dialog.email.text()),
                      on_error=lambda e: QMessageBox.information(self, self.tr("Customer not created"), str(e)))

        dialog.finished.connect(finished)
        dialog.open()

    def _link(self) -> None:
        if self.customers is None or not self.conversation_id:
            return
        customers = self.customers
        dialog = LinkCustomerDialog(customers, self)
        conversation_id = self.conversation_id

        def finished(code: int) -> None:
            chosen = dialog.chosen()
            if code == QDialog.DialogCode.Accepted and chosen:
                spawn(customers.link_customer(conversation_id, chosen),
                      on_done=lambda _k: self.show_for(self.service.header(conversation_id)))

        dialog.finished.connect(finished)
        dialog.open()
