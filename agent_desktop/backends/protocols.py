"""The per-feature halves of the backend seam: named operations beyond the core `Backend`.

An adapter implements the protocols of the capabilities it declares (`base.Capability`); the
services reach one through `require(backend, capability)`, which refuses with `Unsupported`
when the adapter does not offer it. Every operation:

- takes plain values and returns the `Record`s the server created or changed (a list: an answer
  may carry several, and a part it could not read is left out and logged), in the domain's wire shape (what the change feed's `data` carries and `domain.records` / `domain.care`
  parse). An adapter translates its vendor's JSON into that shape; services never see a URL or
  a vendor's answer;
- is called from a sync worker thread, never the GUI thread, and raises only `BackendError`s;
- receives the outbox item's idempotency `key`: sending the same key twice must not act twice.
  Where the vendor has no idempotency keys the adapter guarantees at-most-once itself (it looks
  for its own earlier write before writing again).

Versions inside records are opaque tokens: compare them for equality, never add to them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol, TypeVar, cast

from ..domain.attachments import Attachment
from .base import Capability, Unsupported, capabilities_of


@dataclass(frozen=True)
class Record:
    """One record the server now holds: its entity ("conversation", "callback"…), id and data."""

    entity: str
    id: str
    data: dict[str, Any]


# Called with (bytes done, bytes in all) as a transfer goes; raising `TransferCancelled` stops it.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OutgoingFile:
    """A file the agent attached, staged in the cache (`path`), sniffed and hashed when attached."""

    path: str
    name: str
    size: int
    content_type: str
    sha256: str


class Attachments(Protocol):
    def max_attachment_bytes(self) -> int:
        """The largest file this server takes (the client refuses bigger ones before queueing)."""
        ...

    def download_attachment(self, attachment: Attachment, conversation_id: str, message_id: str,
                            dest: BinaryIO, progress: Progress | None = None) -> None:
        """Write the file's bytes to `dest` (streamed, never whole in memory)."""
        ...

    def send_with_attachments(self, conversation_id: str, kind: str, body: str, key: str, *,
                              files: list[OutgoingFile], body_html: str | None = None,
                              progress: Progress | None = None,
                              resend_since: str | None = None) -> dict[str, Any]:
        """Post a reply or note with files and/or an HTML part (`body` is then its plain-text
        alternative). Returns the message as stored, with its `attachments`. Sent once per `key`,
        uploads included: a retry after a lost answer stores no file twice."""
        ...


class HandOffs(Protocol):
    def transfer(self, conversation_id: str, *, kind: str, queue_id: str | None, assignee_id: str | None,
                 note: str, key: str, resend_since: str | None = None) -> list[Record]:
        """Hand the conversation to a queue or agent with a note; returns the conversation and the
        hand-off note message (`event` "transfer" or "escalate"). `resend_since`, as for
        `Backend.post_message`, only for adapters without idempotency keys: when an earlier attempt
        began, so they look for its note before writing again."""
        ...


class Callbacks(Protocol):
    def create_callback(self, fields: dict[str, Any], key: str) -> list[Record]:
        """Schedule a callback (`customer_id`, `conversation_id`, `due_at`, `note`, `reason`)."""
        ...

    def callback_outcome(self, callback_id: str, fields: dict[str, Any], key: str) -> list[Record]:
        """Record an outcome (`outcome`: done | no_answer | reschedule, `due_at`, `note`)."""
        ...


class Surveys(Protocol):
    def record_csat(self, conversation_id: str, fields: dict[str, Any], key: str) -> list[Record]:
        """Record a score (`score` 1–5, `comment`); returns the score and any follow-up callback."""
        ...


class CustomerRecords(Protocol):
    def add_customer_note(self, customer_id: str, body: str, key: str) -> list[Record]: ...

    def edit_customer_note(self, note_id: str, body: str, key: str) -> list[Record]:
        """An empty body deletes the note (then nothing comes back)."""
        ...

    def set_customer_tags(self, customer_id: str, tags: list[str], key: str) -> list[Record]: ...

    def link_customer(self, conversation_id: str, customer_id: str, key: str) -> list[Record]:
        """Say whose conversation this is; returns the conversation."""
        ...

    def create_customer(self, fields: dict[str, Any], key: str) -> Record:
        """A new customer (`name`, `company`, `phone`, `email`); Rejected when none comes back."""
        ...


class AgentStates(Protocol):
    def set_agent_status(self, fields: dict[str, Any], key: str) -> list[Record]:
        """The signed-in agent's state (`state`, `reason`)."""
        ...


class Offers(Protocol):
    def answer_offer(self, offer_id: str, accept: bool, key: str) -> list[Record]:
        """Accept or decline; returns the offer and, on accept, the conversation. Raises Rejected
        when the offer is gone (expired or taken)."""
        ...


class Presence(Protocol):
    def heartbeat(self, conversation_id: str, activity: str) -> list[dict[str, Any]]:
        """Say we view or reply; returns the others there (`name`, `activity`)."""
        ...


class Scripts(Protocol):
    def create_script(self, fields: dict[str, Any], key: str) -> list[Record]: ...

    def update_script(self, script_id: str, changes: dict[str, Any], key: str) -> list[Record]: ...

    def delete_script(self, script_id: str, key: str) -> None: ...


class KnowledgeFeedback(Protocol):
    def faq_feedback(self, article_id: str, helpful: bool, key: str) -> dict[str, int]:
        """Returns the article's counts now (`helpful_count`, `not_helpful_count`)."""
        ...

    def record_usage(self, entity: str, record_id: str, count: int, key: str) -> int | None:
        """Returns the record's use count now, when the server keeps one."""
        ...


class QueueStats(Protocol):
    def queue_stats(self) -> list[dict[str, Any]]:
        """Per queue: `queue_id`, `as_of`, `metrics` (domain.metrics names)."""
        ...

    def queue_agents(self) -> list[dict[str, Any]]:
        """Per agent: `id`, `name`, `state`, `state_since`, `queue_ids` and today's figures."""
        ...


class LeadActions(Protocol):
    def reassign(self, conversation_id: str, assignee_id: str | None, queue_id: str | None) -> list[Record]: ...

    def set_agent_queues(self, agent_id: str, queue_ids: list[str]) -> list[Record]: ...


# What a capability's operations look like: `require` hands the backend over as this protocol.
PROTOCOLS: dict[Capability, type] = {
    Capability.HANDOFF: HandOffs, Capability.CALLBACKS: Callbacks, Capability.CSAT: Surveys,
    Capability.CUSTOMERS: CustomerRecords, Capability.AGENT_STATE: AgentStates, Capability.OFFERS: Offers,
    Capability.PRESENCE: Presence, Capability.SCRIPTS: Scripts, Capability.KNOWLEDGE_FEEDBACK: KnowledgeFeedback,
    Capability.STATS: QueueStats, Capability.LEAD_ACTIONS: LeadActions, Capability.ATTACHMENTS: Attachments,
}

P = TypeVar("P")


def require(backend: object, capability: Capability, protocol: type[P]) -> P:
    """The backend as `protocol`, or Unsupported when it does not declare `capability`."""
    if capability not in capabilities_of(backend):
        raise Unsupported(f"this server does not support {capability.value.replace('_', ' ')}")
    return cast(P, backend)  # the declared capability is the adapter's promise to implement `protocol`
