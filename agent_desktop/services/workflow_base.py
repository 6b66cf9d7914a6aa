"""What the workflow's services share: the outbox action names their writes queue (and
services/workflow.FEATURE sends), the capability check before queueing, and the one write path
(local change and outbox row in one transaction, then the nudge and a `changed` event)."""

from __future__ import annotations

import asyncio
from typing import Any

from ..backends import registry
from ..backends.base import Capability, Unsupported, capabilities_of
from ..store import Database
from .conversations import ConversationService
from .events import Event

TRANSFER = "transfer"
CSAT = "csat"
CALLBACK_CREATE = "callback_create"
CALLBACK_OUTCOME = "callback_outcome"
NOTE_ADD = "customer_note"
NOTE_EDIT = "customer_note_edit"
TAGS = "customer_tags"
STATUS = "agent_status"
OFFER = "offer_answer"
LINK = "link_customer"
CREATE_CUSTOMER = "customer_create"


class QueuedActions:
    """Base of a service whose actions are written locally and sent by the sync engine, so they
    work offline. Reads are indexed lookups on the calling thread."""

    def __init__(self, db: Database, agent: dict[str, Any], backend: Any,
                 conversations: ConversationService) -> None:
        self.db = db
        self.agent = agent   # shared with the other services: a late sign-in updates it in place
        self.backend = backend
        self.conversations = conversations
        self.changed = Event()   # (what: str) after each write; which values, each service says

    @property
    def agent_id(self) -> str:
        return str(self.agent.get("id", ""))

    def supports(self, capability: Capability) -> bool:
        """Whether the connected backend can do `capability` (the UI greys out what it cannot)."""
        return capability in capabilities_of(self.backend)

    @property
    def backend_kind(self) -> str:
        """The registry's name of the connected backend ("chatwoot"…), for vendor-specific wording."""
        return registry.kind_name_of(self.backend)

    def _needs(self, capability: Capability) -> None:
        """Refuse before queueing what this backend can never do: nothing waits in the outbox for it."""
        if not self.supports(capability):
            raise Unsupported(f"this server does not support {capability.value.replace('_', ' ')}")

    async def _write(self, fn: Any, *args: Any, what: str, conversation_id: str | None = None) -> Any:
        result = await asyncio.wrap_future(self.db.write(fn, *args))
        if conversation_id:
            self.conversations.conversation_changed.emit(conversation_id)
        self.conversations.outbox_changed.emit()   # the bridge nudges the sync engine
        self.changed.emit(what)
        return result
