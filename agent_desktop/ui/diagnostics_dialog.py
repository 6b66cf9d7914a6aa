"""Diagnostics: records the server sent that this app could not accept, and the cache's health.

A malformed record is skipped so one bad row never stops sync; this view is where an agent or
their administrator sees that it happened, copies the details for a bug report, and clears the list.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.attachments import human_size
from ..domain.text import safe_display
from ..services.diagnostics import DiagnosticsService
from . import formatting
from .tasks import spawn


class DiagnosticsDialog(QDialog):
    def __init__(self, service: DiagnosticsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.health: str | None = None
        self._skipped = ""
        self.setObjectName("diagnosticsDialog")
        self.setWindowTitle(self.tr("Diagnostics"))
        self.resize(860, 440)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setHorizontalHeaderLabels([self.tr("Seen"), self.tr("Kind"), self.tr("Record"), self.tr("Problem")])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.copy = QPushButton(self.tr("&Copy details"))
        self.copy.clicked.connect(self._copy)
        self.clear = QPushButton(self.tr("C&lear list"))
        self.clear.clicked.connect(self._clear)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.copy)
        row.addWidget(self.clear)
        row.addStretch(1)
        row.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        self.reload()

    def reload(self) -> None:
        total = self.service.invalid_count()
        rows = self.service.invalid_records()
        skipped = (self.tr("No malformed records were received from the server.") if not total else
                   self.tr("%1 record(s) from the server were malformed and skipped; the rest of the data "
                           "is complete. Send the details to your administrator.").replace("%1", str(total)))
        rebuilt = self.service.rebuilt_notice()
        if rebuilt:
            skipped += "\n" + self.tr("The local cache was damaged and rebuilt from the server at %1; %2 unsent "
                                      "action(s) and %3 draft(s) were rescued. The damaged file was kept as %4.") \
                .replace("%1", str(rebuilt.get("at"))).replace("%2", str(rebuilt.get("outbox", 0))) \
                .replace("%3", str(rebuilt.get("drafts", 0))).replace("%4", str(rebuilt.get("moved_to")))
        size, files = self.service.attachment_cache()
        skipped += "\n" + self.tr("Attachment cache: %1 in %2 file(s).").replace("%1", human_size(size)) \
            .replace("%2", str(files))
        self.summary.setText(skipped)
        self._skipped = skipped
        spawn(self.service.health(), on_done=self._show_health, owner=self)
        self.table.setRowCount(len(rows))
        for r, record in enumerate(rows):
            cells = (formatting.local_time(record["seen_at"]), safe_display(record["entity"], 40),
                     safe_display(record["entity_id"], 80), safe_display(record["error"], 300))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        self.copy.setEnabled(bool(rows))
        self.clear.setEnabled(bool(rows))

    def _show_health(self, health: str) -> None:
        cache = (self.tr("The local cache is healthy.") if health == "ok" else
                 self.tr("The local cache reports a problem: %1").replace("%1", safe_display(health, 200)))
        self.health = health
        self.summary.setText(f"{cache}\n{self._skipped}")

    def _copy(self) -> None:
        lines = [f"{r['seen_at']}\t{r['entity']}\t{r['entity_id']}\t{r['error']}"
                 for r in self.service.invalid_records()]
        QGuiApplication.clipboard().setText("\n".join(lines))

    def _clear(self) -> None:
        spawn(self.service.clear_invalid(), on_done=lambda _r: self.reload(), owner=self)
