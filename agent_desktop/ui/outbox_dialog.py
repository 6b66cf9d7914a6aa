"""What is waiting to be sent, and what the server refused: retry or copy, never lost."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.text import safe_display
from ..services.conversations import ConversationService
from .tasks import spawn


class OutboxDialog(QDialog):
    def __init__(self, service: ConversationService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle(self.tr("Outbox"))
        self.resize(640, 360)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.list = QListWidget()
        self.retry = QPushButton(self.tr("&Retry"))
        self.retry.clicked.connect(self._retry)
        self.copy = QPushButton(self.tr("&Copy text"))
        self.copy.clicked.connect(self._copy)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.retry)
        row.addWidget(self.copy)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        items = self.service.outbox_items()
        self.info.setText(self.tr("Nothing waiting: everything you did has reached the server.") if not items else
                          self.tr("Actions waiting for the server, oldest first. Refused ones stay here until "
                                  "you retry or copy them."))
        for item in items:
            what = {"reply": self.tr("Reply"), "note": self.tr("Internal note"), "patch": self.tr("Ticket change")}
            detail = item.payload.get("body") if item.action != "patch" else ", ".join(
                f"{k}={v}" for k, v in item.payload.items())
            state = {"queued": self.tr("waiting"), "failed": self.tr("refused"), "conflict": self.tr("conflict")}
            text = (f"{what.get(item.action, item.action)} · {state.get(item.state, item.state)} · "
                    f"{safe_display(str(detail), 80)}")
            if item.last_error:
                text += f"\n{safe_display(item.last_error, 160)}"
            entry = QListWidgetItem(text)
            entry.setData(256, item)
            self.list.addItem(entry)
        self.list.setCurrentRow(0)

    def _current(self):  # type: ignore[no-untyped-def]
        entry = self.list.currentItem()
        return entry.data(256) if entry is not None else None

    def _retry(self) -> None:
        item = self._current()
        if item is not None:
            spawn(self.service.retry(item.key), on_done=lambda _r: self.reload())

    def _copy(self) -> None:
        item = self._current()
        if item is not None:
            QGuiApplication.clipboard().setText(str(item.payload.get("body") or item.payload))
