"""Records of the workflow feature: callbacks (回访), orders, wrap-up codes, CSAT, customer notes,
routing offers and agent presence; each `parse_*` raises InvalidRecord naming the field."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .business_hours import DEFAULT as DEFAULT_HOURS
from .business_hours import BusinessHours
from .records import InvalidRecord, _choice, _id, _int, _require_dict, _str, _time, _version

CALLBACK_STATUSES = ("scheduled", "done", "no_answer", "cancelled")
CALLBACK_OUTCOMES = ("done", "no_answer", "reschedule")
OFFER_STATES = ("offered", "accepted", "declined", "expired", "withdrawn")
CSAT_FOLLOW_UP_MAX = 2      # a score of 2 or less gets a follow-up callback
CSAT_FOLLOW_UP_DELAY = timedelta(hours=4)
NO_ANSWER_RETRY = timedelta(hours=2)


@dataclass(frozen=True)
class Callback:
    id: str
    customer_id: str
    due_at: str
    status: str
    version: int
    conversation_id: str | None = None
    agent_id: str | None = None
    note: str = ""
    reason: str = ""          # "manual" | "csat" | …: why it was scheduled
    outcome_note: str = ""
    attempts: int = 0
    created_at: str | None = None
    completed_at: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


def parse_callback(record_id: str, data: Any) -> Callback:
    data = _require_dict(data)
    return Callback(
        id=record_id, customer_id=_id(data, "customer_id") or "",
        due_at=_time(data, "due_at", required=True) or "",
        status=_choice(data, "status", CALLBACK_STATUSES, default="scheduled"), version=_version(data),
        conversation_id=_id(data, "conversation_id", required=False), agent_id=_id(data, "agent_id", required=False),
        note=_str(data, "note", required=False, limit=4000) or "",
        reason=_str(data, "reason", required=False) or "",
        outcome_note=_str(data, "outcome_note", required=False, limit=4000) or "",
        attempts=_int(data, "attempts", 0, 1000, required=False) or 0,
        created_at=_time(data, "created_at"), completed_at=_time(data, "completed_at"),
    )


@dataclass(frozen=True)
class OrderItem:
    name: str
    quantity: int
    price: str


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    number: str
    status: str
    total: str              # decimal as text: money is never a float
    currency: str
    version: int
    placed_at: str | None = None
    items: list[OrderItem] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


def parse_order(record_id: str, data: Any) -> Order:
    data = _require_dict(data)
    raw_items = data.get("items") or []
    if not isinstance(raw_items, list) or len(raw_items) > 200:
        raise InvalidRecord("field 'items' must be a list of at most 200 items")
    items = []
    for raw in raw_items:
        raw = _require_dict(raw)
        items.append(OrderItem(name=_str(raw, "name") or "", quantity=_int(raw, "quantity", 0, 10**6) or 0,
                               price=_str(raw, "price", required=False, limit=32) or ""))
    return Order(
        id=record_id, customer_id=_id(data, "customer_id") or "", number=_str(data, "number", limit=64) or "",
        status=_str(data, "status", limit=32) or "", total=_str(data, "total", limit=32) or "",
        currency=_str(data, "currency", required=False, limit=8) or "CNY", version=_version(data),
        placed_at=_time(data, "placed_at"), items=items,
    )


@dataclass(frozen=True)
class Disposition:
    id: str
    name: str
    version: int
    name_en: str = ""
    resolves: bool = True      # a code that means "solved" (vs "customer unreachable", "duplicate")
    position: int = 0

    def label(self, chinese: bool) -> str:
        return self.name if chinese or not self.name_en else self.name_en


def parse_disposition(record_id: str, data: Any) -> Disposition:
    data = _require_dict(data)
    resolves = data.get("resolves", True)
    if not isinstance(resolves, bool):
        raise InvalidRecord("field 'resolves' must be true or false")
    return Disposition(id=record_id, name=_str(data, "name") or "", version=_version(data),
                       name_en=_str(data, "name_en", required=False) or "", resolves=resolves,
                       position=_int(data, "position", 0, 10_000, required=False) or 0)


@dataclass(frozen=True)
class Csat:
    id: str
    conversation_id: str
    customer_id: str
    score: int
    version: int
    comment: str = ""
    source: str = "survey"    # survey | agent (entered by the agent on the phone)
    agent_id: str | None = None
    created_at: str | None = None


def parse_csat(record_id: str, data: Any) -> Csat:
    data = _require_dict(data)
    return Csat(id=record_id, conversation_id=_id(data, "conversation_id") or "",
                customer_id=_id(data, "customer_id") or "", score=_int(data, "score", 1, 5) or 1,
                version=_version(data), comment=_str(data, "comment", required=False, limit=4000) or "",
                source=_choice(data, "source", ("survey", "agent"), default="survey"),
                agent_id=_id(data, "agent_id", required=False), created_at=_time(data, "created_at"))


def needs_follow_up(score: int) -> bool:
    """An unhappy customer (≤ 2 of 5) gets a callback: the issue is not closed until they are satisfied."""
    return score <= CSAT_FOLLOW_UP_MAX


def follow_up_due(rated_at: datetime, hours: BusinessHours = DEFAULT_HOURS) -> datetime:
    """A few hours after the score, moved into the queue's business hours (never 01:41 at night)."""
    return hours.at_least(rated_at + CSAT_FOLLOW_UP_DELAY)


def reschedule_due(outcome: str, now: datetime, requested: datetime | None,
                   hours: BusinessHours = DEFAULT_HOURS) -> datetime | None:
    """When the next attempt is due after an outcome: None when the callback is finished."""
    if outcome == "done":
        return None
    if outcome == "reschedule":
        if requested is None:
            raise ValueError("a rescheduled callback needs a new time")
        if requested <= now:
            raise ValueError("the new time is in the past")
        return requested
    if outcome == "no_answer":
        return requested if requested and requested > now else hours.at_least(now + NO_ANSWER_RETRY)
    raise ValueError(f"unknown outcome {outcome!r}")


@dataclass(frozen=True)
class CustomerNote:
    id: str
    customer_id: str
    body: str
    version: int
    author_id: str | None = None
    author_name: str = ""
    created_at: str | None = None
    updated_at: str | None = None


def parse_customer_note(record_id: str, data: Any) -> CustomerNote:
    data = _require_dict(data)
    return CustomerNote(id=record_id, customer_id=_id(data, "customer_id") or "",
                        body=_str(data, "body", limit=10_000) or "", version=_version(data),
                        author_id=_id(data, "author_id", required=False),
                        author_name=_str(data, "author_name", required=False) or "",
                        created_at=_time(data, "created_at"), updated_at=_time(data, "updated_at"))


@dataclass(frozen=True)
class Offer:
    id: str
    conversation_id: str
    agent_id: str
    state: str
    version: int
    channel: str = ""
    offered_at: str | None = None
    expires_at: str | None = None


def parse_offer(record_id: str, data: Any) -> Offer:
    data = _require_dict(data)
    return Offer(id=record_id, conversation_id=_id(data, "conversation_id") or "",
                 agent_id=_id(data, "agent_id") or "", state=_choice(data, "state", OFFER_STATES),
                 version=_version(data), channel=_str(data, "channel", required=False) or "",
                 offered_at=_time(data, "offered_at"), expires_at=_time(data, "expires_at"))


@dataclass(frozen=True)
class AgentStatus:
    id: str                   # the agent's id
    state: str
    version: int
    reason: str = ""
    since: str | None = None
    capacity: dict[str, int] = field(default_factory=dict)
    load: dict[str, int] = field(default_factory=dict)
    routable: bool = False     # went Available at the desk: the server offers contacts


def _counts(data: dict[str, Any], key: str) -> dict[str, int]:
    value = data.get(key) or {}
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 1000
            for k, v in value.items()):
        raise InvalidRecord(f"field {key!r} must map channels to small non-negative integers")
    return dict(value)


def parse_agent_status(record_id: str, data: Any) -> AgentStatus:
    from .enums import AgentState

    data = _require_dict(data)
    return AgentStatus(id=record_id, state=_choice(data, "state", AgentState.values()), version=_version(data),
                       reason=_str(data, "reason", required=False) or "", since=_time(data, "since"),
                       capacity=_counts(data, "capacity"), load=_counts(data, "load"),
                       routable=data.get("routable") is True)


def csat_average(scores: list[int]) -> float | None:
    return sum(scores) / len(scores) if scores else None


__all__ = ["Callback", "Order", "Disposition", "Csat", "CustomerNote", "Offer", "AgentStatus",
           "parse_callback", "parse_order", "parse_disposition", "parse_csat", "parse_customer_note",
           "parse_offer", "parse_agent_status", "needs_follow_up", "reschedule_due"]
