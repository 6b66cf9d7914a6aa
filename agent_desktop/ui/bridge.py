"""Turns service events into Qt signals, so widgets connect the Qt way."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ..services.session import Session
from ..services.sync_service import SyncStatus


class SessionBridge(QObject):
    sync_status_changed = Signal(object)        # SyncStatus
    data_changed = Signal(object, object)       # set[str] conversation ids, set[str] entities
    sign_in_required = Signal()
    conversation_changed = Signal(str)
    outbox_changed = Signal()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        session.sync.status_changed.connect(self.sync_status_changed.emit)
        session.sync.data_changed.connect(self.data_changed.emit)
        session.sync.sign_in_required.connect(self.sign_in_required.emit)
        session.conversations.conversation_changed.connect(self.conversation_changed.emit)
        session.conversations.outbox_changed.connect(self.outbox_changed.emit)

    @property
    def status(self) -> SyncStatus:
        return self.session.sync.status
