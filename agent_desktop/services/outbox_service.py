"""The outbox as the agent manages it: retry, edit, copy, discard, and resolving conflicts.

Writes go to the writer thread and are awaited; each announces the change through the
conversation service's events, so the status bar counts and the open thread refresh.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..domain.text import localized_name
from ..store import outbox, outbox_repair
from .conversations import ConversationService

# The reason a reply waits after the agent stopped its upload (the app's words, not the server's).
CANCELLED_REASON = outbox.CANCELLED_REASON


class OutboxService:
    def __init__(self, conversations: ConversationService) -> None:
        self.conversations = conversations
        self.db = conversations.db

    def items(self) -> list[outbox.OutboxItem]:
        return outbox.items(self.db.reader())

    def server_state(self, key: str) -> dict[str, Any] | None:
        return outbox_repair.server_state(self.db.reader(), key)

    def queue_name(self, queue_id: str, *, chinese: bool) -> str | None:
        for queue in self.conversations.queues():
            if queue["id"] == queue_id:
                return localized_name(queue, chinese)
        return None

    def conversation(self, conversation_id: str) -> dict[str, Any] | None:
        return self.conversations.header(conversation_id)

    async def _write(self, item: outbox.OutboxItem, fn: Any, *args: Any) -> Any:
        result = await asyncio.wrap_future(self.db.write(fn, item.key, *args))
        if item.conversation_id:
            self.conversations.conversation_changed.emit(item.conversation_id)
        self.conversations.outbox_changed.emit()
        return result

    async def retry(self, item: outbox.OutboxItem) -> None:
        await self._write(item, outbox.requeue)

    async def discard(self, item: outbox.OutboxItem) -> None:
        await self._write(item, outbox_repair.discard)

    async def edit_message(self, item: outbox.OutboxItem, body: str) -> str:
        return await self._write(item, outbox_repair.edit_message, body)

    async def edit_patch(self, item: outbox.OutboxItem, fields: dict[str, Any]) -> None:
        await self._write(item, outbox_repair.edit_patch, fields)

    async def keep_mine(self, item: outbox.OutboxItem) -> None:
        await self._write(item, outbox_repair.keep_mine)

    async def take_theirs(self, item: outbox.OutboxItem) -> None:
        await self._write(item, outbox_repair.take_theirs)
