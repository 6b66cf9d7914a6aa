"""Wire records of the sync contract, validated on the way in.

The client treats every server payload as untrusted: `parse_*` returns a clean, typed record or
raises `InvalidRecord` naming the field, so one malformed record can be skipped and counted
without touching the rest of its batch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .attachments import Attachment, InvalidAttachment, parse_attachments
from .business_hours import parse_business_hours
from .enums import Channel, Direction, MessageEvent, MessageKind, Priority, Role, Status, Tier
from .timeutil import normalise_iso

MAX_ID_LENGTH = 128
MAX_TEXT_LENGTH = 200
MAX_BODY_LENGTH = 10 * 1024 * 1024  # a 10 MB body is accepted; the UI shows a capped part


class InvalidRecord(ValueError):
    """A wire record that breaks the contract; the message names the field."""


def _str(data: dict[str, Any], key: str, *, required: bool = True, limit: int = MAX_TEXT_LENGTH,
         default: str | None = "") -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidRecord(f"missing field {key!r}")
        return default
    if isinstance(value, (int, float)) and not isinstance(value, bool) and key.endswith("id"):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidRecord(f"field {key!r} must be a string, got {type(value).__name__}")
    if len(value) > limit:
        raise InvalidRecord(f"field {key!r} is longer than {limit} characters")
    _check_encodable(key, value)
    return value


def _check_encodable(key: str, value: str) -> None:
    """Lone surrogates are valid JSON but not text: SQLite and Qt would fail on them later."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidRecord(f"field {key!r} contains a lone surrogate") from exc


def _id(data: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    value = _str(data, key, required=required, limit=MAX_ID_LENGTH, default=None)
    if value is not None and not value.strip():
        raise InvalidRecord(f"field {key!r} is empty")
    return value


def _choice(data: dict[str, Any], key: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = data.get(key, default)
    if value not in allowed:
        raise InvalidRecord(f"field {key!r} must be one of {', '.join(allowed)}; got {value!r}")
    return value


def _time(data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise InvalidRecord(f"missing field {key!r}")
        return None
    try:
        return normalise_iso(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise InvalidRecord(f"field {key!r} is not an ISO-8601 time: {value!r:.60}") from exc


def _str_list(data: dict[str, Any], key: str, limit: int = 50) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidRecord(f"field {key!r} must be a list of strings")
    if len(value) > limit:
        raise InvalidRecord(f"field {key!r} has more than {limit} items")
    for item in value:
        _check_encodable(key, item)
    return [item[:MAX_TEXT_LENGTH].replace("\x1f", " ") for item in value]


# SQLite stores integers in 64 bits: a larger one fails the write (OverflowError) and with it the
# whole page, so the feed would retry that page for ever. Bounded here, it is one invalid record.
MAX_INT = 2**63 - 1


def _version(data: dict[str, Any]) -> int:
    value = data.get("version")
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise InvalidRecord(f"field 'version' must be a non-negative integer; got {value!r:.40}")
    return value


def _int(data: dict[str, Any], key: str, low: int, high: int, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidRecord(f"field {key!r} must be an integer from {low} to {high}")
    return value


def _count(data: dict[str, Any], key: str) -> int:
    """A non-negative counter; absent or null counts as 0."""
    value = data.get(key)
    if value is None:
        return 0
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
        raise InvalidRecord(f"field {key!r} must be a non-negative integer; got {value!r:.40}")
    return value


def _require_dict(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidRecord(f"record data must be an object, got {type(data).__name__}")
    return data


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    tier: str
    version: int
    company: str = ""
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    handles: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Conversation:
    id: str
    channel: str
    status: str
    priority: str
    customer_id: str
    version: int
    queue_id: str | None = None
    assignee_id: str | None = None
    subject: str = ""
    preview: str = ""
    tags: list[str] = field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None
    last_message_at: str | None = None
    waiting_since: str | None = None
    first_response_at: str | None = None
    first_response_due: str | None = None
    resolution_due: str | None = None
    message_count: int = 0
    # workflow (issue 4): wrap-up code, hand-off and the facts first-contact resolution needs
    disposition: str | None = None
    resolved_at: str | None = None
    transfer_count: int = 0
    reopen_count: int = 0
    customer_contacts: int = 1
    handoff_note: str = ""
    handoff_by: str | None = None
    handoff_at: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    kind: str
    direction: str
    body: str
    created_at: str
    version: int = 1
    author_id: str | None = None
    author_name: str = ""
    idempotency_key: str | None = None
    # A generated message (a hand-off) names its event and target (a queue id) instead of
    # wording it: the body holds only what the agent wrote.
    event: str = ""
    event_target: str = ""
    # Files on the message (metadata; the bytes are fetched separately through `Attachments`).
    attachments: tuple[Attachment, ...] = ()
    # An e-mail's HTML part as received (untrusted: sanitised only when shown); `body` is its text.
    body_html: str = ""

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Queue:
    id: str
    name: str
    version: int
    name_en: str = ""
    description: str = ""
    # Opening hours as sent (validated by domain.business_hours when used); "" when none.
    business_hours: str = ""

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Agent:
    id: str
    username: str
    name: str
    role: str
    version: int
    queue_ids: list[str] = field(default_factory=list)
    state: str = "offline"

    def to_wire(self) -> dict[str, Any]:
        return asdict(self)


def parse_customer(record_id: str, data: Any) -> Customer:
    data = _require_dict(data)
    return Customer(
        id=record_id,
        name=_str(data, "name") or "",
        tier=_choice(data, "tier", Tier.values(), default=Tier.STANDARD.value),
        version=_version(data),
        company=_str(data, "company", required=False) or "",
        phones=_str_list(data, "phones"),
        emails=_str_list(data, "emails"),
        handles=_str_list(data, "handles"),
        tags=_str_list(data, "tags"),
        created_at=_time(data, "created_at"),
        updated_at=_time(data, "updated_at"),
    )


def parse_conversation(record_id: str, data: Any) -> Conversation:
    data = _require_dict(data)
    count = _count(data, "message_count")
    return Conversation(
        id=record_id,
        channel=_choice(data, "channel", Channel.values()),
        status=_choice(data, "status", Status.values()),
        priority=_choice(data, "priority", Priority.values(), default=Priority.NORMAL.value),
        customer_id=_id(data, "customer_id") or "",
        version=_version(data),
        queue_id=_id(data, "queue_id", required=False),
        assignee_id=_id(data, "assignee_id", required=False),
        subject=_str(data, "subject", required=False, limit=1000) or "",
        preview=(_str(data, "preview", required=False, limit=MAX_BODY_LENGTH) or "")[:300],
        tags=_str_list(data, "tags"),
        created_at=_time(data, "created_at"),
        updated_at=_time(data, "updated_at"),
        last_message_at=_time(data, "last_message_at"),
        waiting_since=_time(data, "waiting_since"),
        first_response_at=_time(data, "first_response_at"),
        first_response_due=_time(data, "first_response_due"),
        resolution_due=_time(data, "resolution_due"),
        message_count=count,
        **_workflow_fields(data),
    )


def _workflow_fields(data: dict[str, Any]) -> dict[str, Any]:
    counts = {}
    for key, default in (("transfer_count", 0), ("reopen_count", 0), ("customer_contacts", 1)):
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
            raise InvalidRecord(f"field {key!r} must be a non-negative integer")
        counts[key] = value
    return {
        "disposition": _id(data, "disposition", required=False),
        "resolved_at": _time(data, "resolved_at"),
        "handoff_note": _str(data, "handoff_note", required=False, limit=4000) or "",
        "handoff_by": _id(data, "handoff_by", required=False),
        "handoff_at": _time(data, "handoff_at"),
        **counts,
    }


_KINDS = MessageKind.values()  # tuples: membership must not fail on an unhashable value
_DIRECTIONS = Direction.values()
_EVENTS = MessageEvent.values()


def _plain_id(value: Any) -> bool:
    return type(value) is str and 0 < len(value) <= MAX_ID_LENGTH and not value.isspace()


def parse_message(record_id: str, data: Any) -> Message:
    """Validate a message. A full sync brings 100k of them: the usual, well-formed shape is
    checked in one expression; anything else takes the field-by-field path that names the fault."""
    data = _require_dict(data)
    get = data.get
    conversation_id, kind, direction, body = get("conversation_id"), get("kind", "reply"), get("direction"), get("body")
    version, author_id, author_name, key = get("version", 1), get("author_id"), get("author_name"), get("idempotency_key")
    if (_plain_id(conversation_id) and kind in _KINDS and direction in _DIRECTIONS
            and type(body) is str and len(body) <= MAX_BODY_LENGTH
            and type(version) is int and 0 <= version <= MAX_INT
            and (author_id is None or _plain_id(author_id))
            and (author_name is None or (type(author_name) is str and len(author_name) <= MAX_TEXT_LENGTH))
            and (key is None or (type(key) is str and len(key) <= MAX_ID_LENGTH))
            and "created_at" in data and not get("event") and not get("attachments") and not get("body_html")):
        try:
            # One encode finds a lone surrogate in any of them (concatenation never pairs them up).
            "".join((conversation_id, body, author_id or "", author_name or "", key or "")).encode("utf-8")
        except UnicodeEncodeError:
            pass
        else:
            return Message(id=record_id, conversation_id=conversation_id, kind=kind, direction=direction, body=body,
                           created_at=_time(data, "created_at", required=True) or "", version=version,
                           author_id=author_id, author_name=author_name or "", idempotency_key=key)
    return _parse_message_checked(record_id, data)


def _parse_message_checked(record_id: str, data: dict[str, Any]) -> Message:
    return Message(
        id=record_id,
        conversation_id=_id(data, "conversation_id") or "",
        kind=_choice(data, "kind", MessageKind.values(), default=MessageKind.REPLY.value),
        direction=_choice(data, "direction", Direction.values()),
        body=_str(data, "body", limit=MAX_BODY_LENGTH) or "",
        created_at=_time(data, "created_at", required=True) or "",
        version=_version(data) if "version" in data else 1,
        author_id=_id(data, "author_id", required=False),
        author_name=_str(data, "author_name", required=False) or "",
        idempotency_key=_str(data, "idempotency_key", required=False, limit=MAX_ID_LENGTH, default=None),
        # An event this build does not know (a newer server) leaves a plain note: never drop the message.
        event=_event if (_event := data.get("event")) in _EVENTS else MessageEvent.NONE.value,
        event_target=(_id(data, "event_target", required=False) or "") if data.get("event") in _EVENTS else "",
        attachments=_attachments(data),
        body_html=_str(data, "body_html", required=False, limit=MAX_BODY_LENGTH) or "",
    )


def _attachments(data: dict[str, Any]) -> tuple[Attachment, ...]:
    try:
        return parse_attachments(data.get("attachments"))
    except InvalidAttachment as exc:
        raise InvalidRecord(str(exc)) from exc


def parse_queue(record_id: str, data: Any) -> Queue:
    data = _require_dict(data)
    return Queue(
        id=record_id,
        name=_str(data, "name") or "",
        version=_version(data),
        name_en=_str(data, "name_en", required=False) or "",
        description=_str(data, "description", required=False, limit=2000) or "",
        business_hours=_business_hours(data.get("business_hours")),
    )


def _business_hours(value: Any) -> str:
    """Kept as canonical JSON of what parses; anything malformed is dropped (the default applies)."""
    if not isinstance(value, dict):
        return ""
    hours = parse_business_hours(value)
    return json.dumps({"timezone": hours.timezone, "days": sorted(hours.days),
                       "opens": hours.opens.strftime("%H:%M"), "closes": hours.closes.strftime("%H:%M")})


def parse_agent(record_id: str, data: Any) -> Agent:
    data = _require_dict(data)
    return Agent(
        id=record_id,
        username=_str(data, "username") or "",
        name=_str(data, "name") or "",
        role=_choice(data, "role", Role.values(), default=Role.AGENT.value),
        version=_version(data),
        queue_ids=_str_list(data, "queue_ids"),
        state=_str(data, "state", required=False) or "offline",
    )


PARSERS = {
    "customer": parse_customer,
    "conversation": parse_conversation,
    "message": parse_message,
    "queue": parse_queue,
    "agent": parse_agent,
}
