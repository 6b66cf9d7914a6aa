"""The closed vocabularies of the sync contract (DESIGN.md §3)."""

from __future__ import annotations

import enum

_VALUES: dict[type, tuple[str, ...]] = {}


class StrEnum(enum.StrEnum):
    """A str-valued enum whose members compare and serialise as their value."""

    @classmethod
    def values(cls) -> tuple[str, ...]:
        # Validation asks for these once per synced field: build the tuple once per class.
        values = _VALUES.get(cls)
        if values is None:
            values = _VALUES[cls] = tuple(member.value for member in cls)
        return values


class Channel(StrEnum):
    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    WEB = "web"
    SOCIAL = "social"


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Tier(StrEnum):
    VIP = "vip"
    KEY_ACCOUNT = "key_account"
    STANDARD = "standard"


class MessageKind(StrEnum):
    REPLY = "reply"
    NOTE = "note"


class MessageEvent(StrEnum):
    """What a generated message records, so each client words it in its own language."""
    NONE = ""
    TRANSFER = "transfer"
    ESCALATE = "escalate"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"


class AgentState(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    BREAK = "break"
    AFTER_CONTACT_WORK = "acw"
    OFFLINE = "offline"


class Entity(StrEnum):
    """Entity names used in the changes feed."""

    CUSTOMER = "customer"
    CONVERSATION = "conversation"
    MESSAGE = "message"
    QUEUE = "queue"
    AGENT = "agent"
    SCRIPT = "script"
    FAQ_ARTICLE = "faq_article"
    CALLBACK = "callback"
    ORDER = "order"


OPEN_STATUSES: frozenset[str] = frozenset({Status.NEW, Status.OPEN, Status.PENDING})

# Lower rank sorts first: urgent work before low.
PRIORITY_RANK: dict[str, int] = {
    Priority.URGENT: 0,
    Priority.HIGH: 1,
    Priority.NORMAL: 2,
    Priority.LOW: 3,
}
