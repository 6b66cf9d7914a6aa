"""What the UI does with conversations: read them (fast, indexed), and act on them (queued)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Any

from ..backends.base import ALL_CAPABILITIES, Capability
from ..backends.protocols import OutgoingFile
from ..domain.attachments import MAX_ATTACHMENTS_PER_MESSAGE, InvalidAttachment
from ..domain.business_hours import DEFAULT as DEFAULT_HOURS
from ..domain.business_hours import BusinessHours, parse_business_hours
from ..domain.enums import MessageKind
from ..domain.workflow import check_transition
from ..store import Database, conversation, drafts, inbox, outbox
from ..store.inbox import InboxView
from .attachments import AttachmentsUnavailable
from .events import Event


class EmptyMessage(ValueError):
    pass


class ConversationService:
    """Reads go straight to this thread's reader connection (index lookups, sub-millisecond);
    writes go to the writer thread and are awaited, so the GUI thread never waits on a commit."""

    def __init__(self, db: Database, agent: dict[str, Any],
                 capabilities: Callable[[], frozenset[str]] = lambda: ALL_CAPABILITIES) -> None:
        """`capabilities`: what the connected backend offers (the session passes its backend's)."""
        self.db = db
        self.agent = agent
        self.capabilities = capabilities
        self.outbox_changed = Event()                 # ()
        self.conversation_changed = Event()           # (conversation id)

    @property
    def agent_id(self) -> str:
        return str(self.agent.get("id", ""))

    # -- reading --------------------------------------------------------------------------------
    def inbox_page(self, view: InboxView, after: tuple[str, str] | None, limit: int) -> list[dict[str, Any]]:
        return inbox.page(self.db.reader(), view, self.agent_id, after=after, limit=limit)

    def inbox_rows(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        return inbox.rows_by_id(self.db.reader(), ids)

    def view_counts(self) -> dict[str, int]:
        return inbox.counts(self.db.reader(), self.agent_id)

    def queues(self) -> list[dict[str, Any]]:
        return inbox.queues(self.db.reader())

    def business_hours(self, queue_id: str | None) -> BusinessHours:
        """The queue's opening hours (the default when the server sent none)."""
        for queue in self.queues():
            if queue["id"] == queue_id and queue.get("business_hours"):
                return parse_business_hours(json.loads(queue["business_hours"]))
        return DEFAULT_HOURS

    def header(self, conversation_id: str) -> dict[str, Any] | None:
        return conversation.header(self.db.reader(), conversation_id)

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        return conversation.messages(self.db.reader(), conversation_id)

    def customer_history(self, customer_id: str) -> list[dict[str, Any]]:
        return conversation.customer_history(self.db.reader(), customer_id)

    def customer_stats(self, customer_id: str) -> dict[str, Any]:
        return conversation.customer_stats(self.db.reader(), customer_id)

    def draft(self, conversation_id: str) -> tuple[str, str] | None:
        return drafts.load(self.db.reader(), conversation_id)

    # -- acting ---------------------------------------------------------------------------------
    async def send(self, conversation_id: str, kind: str, body: str, *, files: Sequence[OutgoingFile] = (),
                   body_html: str = "") -> str:
        """Queue a reply or note with its optimistic copy; returns the idempotency key.

        `files`: staged by AttachmentService.stage (they wait in the cache with the reply; the body
        may then be empty); refused with AttachmentsUnavailable when the server takes none.
        `body_html`: the reply's HTML part, `body` being its plain-text alternative."""
        if kind not in MessageKind.values():
            raise ValueError(f"unknown message kind {kind!r}")
        if files and Capability.ATTACHMENTS not in self.capabilities():
            raise AttachmentsUnavailable("this server does not take attached files")
        if not body.strip() and not files:
            raise EmptyMessage("the message is empty")
        if len(files) > MAX_ATTACHMENTS_PER_MESSAGE:
            raise InvalidAttachment(f"at most {MAX_ATTACHMENTS_PER_MESSAGE} files per message")
        unique = {f.sha256: {"sha256": f.sha256, "name": f.name, "content_type": f.content_type, "size": f.size}
                  for f in files}
        future = self.db.write(outbox.enqueue_message, conversation_id, kind, body, self.agent_id,
                               str(self.agent.get("name", "")), list(unique.values()), body_html)
        key = await asyncio.wrap_future(future)
        self.conversation_changed.emit(conversation_id)
        self.outbox_changed.emit()
        return key

    async def change(self, conversation_id: str, **fields: Any) -> str:
        """Queue a ticket change (status checked against the workflow first)."""
        if "status" in fields:
            current = self.header(conversation_id)
            if current is None:
                raise KeyError(conversation_id)
            check_transition(current["status"], fields["status"])
        key = await asyncio.wrap_future(self.db.write(outbox.enqueue_patch, conversation_id, fields))
        self.conversation_changed.emit(conversation_id)
        self.outbox_changed.emit()
        return key

    def save_draft(self, conversation_id: str, kind: str, body: str) -> Future[None]:
        """Queue the draft write now (not on a later loop turn), so quitting right after typing keeps it."""
        return self.db.write(drafts.save, conversation_id, kind, body)

    def outbox_items(self) -> list[outbox.OutboxItem]:
        return outbox.items(self.db.reader())

    async def retry(self, key: str) -> None:
        await asyncio.wrap_future(self.db.write(outbox.requeue, key))
        self.outbox_changed.emit()
