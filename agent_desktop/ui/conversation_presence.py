"""Who else is on the open conversation: a heartbeat while it is open ("viewing", or "replying"
while the composer holds text), "left" when the agent moves on, and the collision label."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from ..domain.text import safe_display
from ..services.presence import PresenceService
from .tasks import spawn

if TYPE_CHECKING:   # the panel imports this module: annotations only
    from .conversation_panel import ConversationPanel

PRESENCE_SECONDS = 10  # heartbeat while a conversation is open (the server forgets a viewer after 25 s)


class ConversationPresence(QObject):
    def __init__(self, panel: ConversationPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.collision = panel.composer.presence   # "王磊 is replying", beside the reply/note switch
        self.service: PresenceService | None = None   # attached with the workflow
        self.others: list[dict[str, Any]] = []
        self.in_flight = 0   # heartbeats sent and not yet answered (a test waits for none)
        self._typing = False
        self._timer = QTimer(self, interval=PRESENCE_SECONDS * 1000)
        self._timer.timeout.connect(lambda: self.beat("viewing"))
        panel.composer.editor.textChanged.connect(self._on_typing)

    def attach(self, service: PresenceService) -> None:
        self.service = service
        if self.panel.conversation_id is not None:
            self._timer.start()

    def leaving(self, conversation_id: str | None) -> None:
        """The agent moves away from `conversation_id` (to another one, or to none)."""
        if conversation_id is not None and self.service is not None:
            self.beat("left", conversation_id)
        self.others, self._typing = [], False

    def opened(self, conversation_id: str | None) -> None:
        if conversation_id is None:
            self._timer.stop()
        elif self.service is not None:
            self.beat("viewing")
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_typing(self) -> None:
        typing = self.panel.composer.has_own_text()   # an untouched signature is not typing
        if typing != self._typing and self.service is not None and self.panel.conversation_id is not None:
            self._typing = typing
            self.beat("replying" if typing else "viewing")

    def beat(self, activity: str, conversation_id: str | None = None) -> None:
        conversation_id = conversation_id or self.panel.conversation_id
        service = self.service
        if service is None or conversation_id is None:
            return
        if activity == "viewing" and self._typing:
            activity = "replying"

        def landed(others: list[dict[str, Any]] | None) -> None:
            self.in_flight -= 1
            if others is not None and conversation_id == self.panel.conversation_id:
                self.show_others(others)

        def failed(_error: BaseException) -> None:
            self.in_flight -= 1

        # Owned by the panel: a heartbeat answering after the panel is gone is dropped.
        self.in_flight += 1
        spawn(service.heartbeat(conversation_id, activity), on_done=landed, on_error=failed, owner=self.panel)

    def show_others(self, others: list[dict[str, Any]]) -> None:
        self.others = others
        if not others:
            self.collision.setVisible(False)
        else:
            parts = []
            for other in others:
                name = safe_display(other.get("name"), 30)
                parts.append(self.tr("%1 is replying").replace("%1", name) if other.get("activity") == "replying"
                             else self.tr("%1 is viewing").replace("%1", name))
            self.collision.setText(" · ".join(parts))
            self.collision.setVisible(True)
        self.panel.others_changed.emit(others)
