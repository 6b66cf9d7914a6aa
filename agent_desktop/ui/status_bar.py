"""The status bar: online / offline / syncing, what waits in the outbox, when we last synced."""

from __future__ import annotations

import time

from PySide6.QtCore import QLocale, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from ..domain.timeutil import utcnow
from ..services.sync_service import OFFLINE, ONLINE, SIGN_IN_REQUIRED, SYNCING, SyncStatus
from . import formatting
from .resources import icon


class SyncStatusBar(QStatusBar):
    sign_in_clicked = Signal()
    outbox_clicked = Signal()

    def __init__(self, agent_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.state_icon = QLabel()
        self.state_text = QLabel()
        self.state_text.setObjectName("syncState")
        self.outbox = QPushButton()
        self.outbox.setObjectName("outboxButton")
        self.outbox.setFlat(True)
        self.outbox.clicked.connect(self.outbox_clicked.emit)
        self.sign_in = QPushButton(self.tr("Sign in again…"))
        self.sign_in.setObjectName("signInButton")
        self.sign_in.clicked.connect(self.sign_in_clicked.emit)
        self.sign_in.hide()
        self.last_sync = QLabel()
        self.last_sync.setObjectName("lastSync")
        self.agent_name = agent_name
        self.agent = QLabel(self.tr("Signed in as %1").replace("%1", agent_name))
        self.agent.setTextFormat(Qt.TextFormat.PlainText)
        self.notice = QLabel()
        self.notice.setObjectName("statusNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self._notice_timer = QTimer(self, singleShot=True)
        self._notice_timer.timeout.connect(self.notice.clear)
        self.addWidget(self.state_icon)
        self.addWidget(self.state_text)
        self.addWidget(self.notice, 1)
        self.addPermanentWidget(self.sign_in)
        self.addPermanentWidget(self.outbox)
        self.addPermanentWidget(self.last_sync)
        self.addPermanentWidget(self.agent)
        self.status = SyncStatus()
        self.show_status(self.status)

    def show_status(self, status: SyncStatus) -> None:
        came_back = self.status.state == OFFLINE and status.state == ONLINE
        newly_skipped = status.skipped - self.status.skipped
        self.status = status
        if newly_skipped > 0:
            # Said, not hidden: the rest of the data is complete, the skipped ones are in Diagnostics.
            self.show_notice(self.tr("%1 record(s) from the server could not be read and were skipped: "
                                     "see Diagnostics.").replace("%1", str(newly_skipped)), timeout_ms=15000)
        locale = QLocale()
        if came_back:
            self.show_notice(self.tr("Back online: what you did offline is being sent.") if status.queued
                             else self.tr("Back online: everything is sent."))
        self.agent.setText((self.tr("Signed in as %1") if status.state != OFFLINE
                            else self.tr("%1 · working offline")).replace("%1", self.agent_name))
        if status.state == SIGN_IN_REQUIRED:
            name, text = "offline", self.tr("Signed out by the server: sign in again to sync. Your work is kept.")
        elif status.state == OFFLINE:
            name, text = "offline", self._offline_text(status)
        elif status.state == SYNCING and not status.first_sync_done:
            name = "syncing"
            text = (self.tr("Loading from the server… %1 records").replace("%1", locale.toString(status.progress_records))
                    if status.progress_records else self.tr("Connecting to the server…"))
        elif status.state == ONLINE and status.indexing:
            percent = 100 * status.index_done // max(1, status.index_total)
            name = "online"
            text = (self.tr("Online · indexing message history for search… %1%").replace("%1", str(percent)))
        elif status.state == ONLINE and status.error:
            name, text = "syncing", self._waiting_text(status)
        elif status.state == ONLINE:
            name, text = "online", self.tr("Online")
        else:
            name, text = "syncing", self.tr("Syncing…")
        self.state_icon.setPixmap(icon(name).pixmap(12, 12))
        self.state_text.setText(text)
        self.state_text.setToolTip(status.error or "")
        self.sign_in.setVisible(status.state == SIGN_IN_REQUIRED)
        if status.failed:
            self.outbox.setText(self.tr("Outbox: %1 waiting · %2 need attention")
                                .replace("%1", str(status.queued)).replace("%2", str(status.failed)))
            self.outbox.setProperty("alert", True)
        else:
            self.outbox.setText(self.tr("Outbox: %1 waiting").replace("%1", str(status.queued)) if status.queued
                                else self.tr("Outbox: all sent"))
            self.outbox.setProperty("alert", False)
        self.outbox.style().unpolish(self.outbox)
        self.outbox.style().polish(self.outbox)
        self.tick()

    def show_notice(self, text: str, timeout_ms: int = 8000) -> None:
        """A passing notice beside the sync state (showMessage would hide the state)."""
        self.notice.setText(text)
        self._notice_timer.start(timeout_ms)

    def _offline_text(self, status: SyncStatus) -> str:
        seconds = None if status.retry_at is None else max(0, round(status.retry_at - time.time()))
        if not status.unreachable:
            return (self.tr("The server's answers can't be used right now (%1); trying again in %2 s (F5: now). "
                            "Your work is kept.").replace("%1", (status.error or "")[:120])
                    .replace("%2", str(seconds or 0)))
        if seconds:
            return self.tr("Offline: can't reach the server; trying again in %1 s (F5: now). "
                           "Keep working: everything is sent when it's back.").replace("%1", str(seconds))
        return self.tr("Offline: can't reach the server; trying again now. "
                       "Keep working: everything is sent when it's back.")

    def _waiting_text(self, status: SyncStatus) -> str:
        """Online, but some changes wait (the server was busy for them, or its answer unreadable)."""
        seconds = None if status.retry_at is None else max(0, round(status.retry_at - time.time()))
        if seconds:
            return self.tr("Online · some changes wait for the server; trying again in %1 s (F5: now)") \
                .replace("%1", str(seconds))
        return self.tr("Online · some changes wait for the server; trying again now")

    def tick(self) -> None:
        if self.status.state == OFFLINE:
            self.state_text.setText(self._offline_text(self.status))
        elif self.status.state == ONLINE and self.status.error:
            self.state_text.setText(self._waiting_text(self.status))
        self.last_sync.setText(self.tr("Last sync: %1").replace("%1", formatting.ago(self.status.last_sync_at, utcnow())))
