"""Chatwoot's records (Application API JSON) in the domain's wire shape, and our values back.

Pure functions, no HTTP: the adapter (`chatwoot.py`) fetches, these translate, so the mapping
table of docs/backends/chatwoot.md is tested without a server.
"""

from __future__ import annotations

import math
import mimetypes
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from ..domain.knowledge import detect_language

# Chatwoot's statuses and ours. Chatwoot has no "new" and no "closed": ours go out as open and
# resolved. "snoozed" (back on the customer's next reply or at a time) reads as pending.
STATUS_FROM_CHATWOOT = {"open": "open", "pending": "pending", "snoozed": "pending", "resolved": "resolved"}
STATUS_TO_CHATWOOT = {"new": "open", "open": "open", "pending": "pending", "resolved": "resolved",
                      "closed": "resolved"}

# Chatwoot's five levels (none = null) in our four: "medium" and no priority both read as normal.
PRIORITY_FROM_CHATWOOT = {"urgent": "urgent", "high": "high", "medium": "normal", "low": "low", None: "normal",
                          "none": "normal"}
PRIORITY_TO_CHATWOOT = {"urgent": "urgent", "high": "high", "normal": "medium", "low": "low"}

# Inbox channel types (Rails class names) as our channels.
CHANNELS = {
    "Channel::WebWidget": "chat", "Channel::Api": "chat", "Channel::Line": "social",
    "Channel::Telegram": "social", "Channel::FacebookPage": "social", "Channel::Instagram": "social",
    "Channel::TwitterProfile": "social", "Channel::Whatsapp": "social", "Channel::Email": "email",
    "Channel::Sms": "phone", "Channel::TwilioSms": "phone", "Channel::Voice": "phone",
}
# Twilio carries both SMS and WhatsApp: its `medium` says which.
TWILIO_MEDIUM = {"whatsapp": "social", "sms": "phone"}

# message_type: 0 incoming, 1 outgoing, 2 activity (generated: "Assigned to … by …"), 3 template.
INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3

# Agent availability as our agent states.
AVAILABILITY = {"online": "available", "busy": "busy", "offline": "offline"}

TIERS = {"vip": "vip", "key_account": "key_account", "key account": "key_account", "standard": "standard"}

LATEST_SECONDS = 253_402_300_799.0   # 9999-12-31T23:59:59Z: a later time is damage, not data
LARGEST_ID = 2**63 - 1               # Chatwoot's ids are bigints


def timestamp(value: Any) -> str | None:
    """A Chatwoot time (unix seconds, maybe fractional, or an ISO string) as ISO-8601 UTC."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if seconds(value) is None:
            return None
        try:
            moment = datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return None


def seconds(value: Any) -> float | None:
    """A Chatwoot time as unix seconds (what the feed's high-water mark counts in); None for one
    that is not a time: infinite (JSON's 1e400), not a number, or beyond the year 9999."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            moment = float(value)
        except OverflowError:   # an int too large for a float
            return None
        return moment if math.isfinite(moment) and abs(moment) <= LATEST_SECONDS else None
    iso = timestamp(value)
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() if iso else None


def version_of(conversation: dict[str, Any]) -> int:
    """Microseconds of the conversation's latest change (updated_at; last_activity_at moves on every
    message, activity ones included). An increasing integer, as the cache wants; compared for equality."""
    moments = [seconds(conversation.get(key)) for key in ("updated_at", "last_activity_at", "created_at")]
    known = [m for m in moments if m is not None and m >= 0]
    return int(round(max(known) * 1_000_000)) if known else 0


def number(value: Any) -> int | None:
    """A Chatwoot id (a JSON number, sometimes a float or a string of ASCII digits) as an int;
    None for anything else (a bool, "²", a number no bigint holds)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    elif isinstance(value, str):
        text = value.strip()
        # str.isdigit() also takes "²" and "١٢", which int() refuses or reads as something else.
        value = int(text) if text.isascii() and text.isdigit() and len(text) <= 19 else None
    return value if isinstance(value, int) and 0 <= value <= LARGEST_ID else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    """A text field: a string (or a number, as a phone may come), else empty (a list or dict there
    is damage, not text to show)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _text_or_none(value: Any) -> str | None:
    """A value to look up in a table: a string or None (a list or dict there is damage, and unhashable)."""
    return value if isinstance(value, str) else None


def customer_id(contact_id: Any) -> str | None:
    found = number(contact_id)
    return f"c{found}" if found is not None else None


def agent_id(user_id: Any) -> str | None:
    found = number(user_id)
    return f"u{found}" if found is not None else None


def queue_id(team_id: Any) -> str | None:
    found = number(team_id)
    return f"t{found}" if found is not None else None


def chatwoot_id(our_id: str | None, prefix: str) -> int | None:
    """Our "u12" / "t3" back as Chatwoot's number (a bare number is taken as is)."""
    if our_id is None:
        return None
    text = str(our_id)
    if text.startswith(prefix):
        text = text[len(prefix):]
    return number(text)


def channel_of(channel_type: Any, medium: Any = None) -> str:
    if channel_type == "Channel::TwilioSms":
        return TWILIO_MEDIUM.get(str(medium or "sms"), "phone")
    return CHANNELS.get(str(channel_type or ""), "chat")


def customer_record(contact: dict[str, Any]) -> dict[str, Any] | None:
    """A Chatwoot contact (a conversation's meta.sender, or a contact list item) as our customer."""
    if customer_id(contact.get("id")) is None:
        return None
    email = _str(contact.get("email")).strip()
    phone = _str(contact.get("phone_number")).strip()
    identifier = _str(contact.get("identifier")).strip()
    name = _str(contact.get("name")).strip() or email or phone or identifier or f"#{contact['id']}"
    custom = _dict(contact.get("custom_attributes"))
    extra = _dict(contact.get("additional_attributes"))
    tier = TIERS.get(str(custom.get("tier") or "").strip().lower(), "standard")
    return {
        "name": name[:200], "tier": tier, "version": 1,
        "company": (_str(extra.get("company_name")) or _str(custom.get("company")))[:200],
        "emails": [email] if email else [], "phones": [phone] if phone else [],
        "handles": [identifier] if identifier else [],
        "created_at": timestamp(contact.get("created_at")),
    }


def conversation_record(conversation: dict[str, Any], channels: dict[str, str]) -> dict[str, Any] | None:
    """A Chatwoot conversation (list item or details) as ours; None when it has no id or contact."""
    meta = _dict(conversation.get("meta"))
    sender = _dict(meta.get("sender"))
    customer = customer_id(sender.get("id") if sender else conversation.get("contact_id"))
    if number(conversation.get("id")) is None or customer is None:
        return None
    assignee = _dict(meta.get("assignee"))
    team = _dict(meta.get("team"))
    team_id = team.get("id") if team else conversation.get("team_id")
    channel = channels.get(str(conversation.get("inbox_id"))) or channel_of(meta.get("channel"))
    extra = _dict(conversation.get("additional_attributes"))
    last = _dict(conversation.get("last_non_activity_message"))
    status = STATUS_FROM_CHATWOOT.get(str(conversation.get("status") or ""), "open")
    labels = conversation.get("labels")
    labels = labels if isinstance(labels, list) else []
    return {
        "channel": channel,
        "status": status,
        "priority": PRIORITY_FROM_CHATWOOT.get(_text_or_none(conversation.get("priority")), "normal"),
        "customer_id": customer,
        "version": version_of(conversation),
        "queue_id": queue_id(team_id),
        "assignee_id": agent_id(assignee.get("id")),
        "subject": _str(extra.get("mail_subject"))[:1000],
        "preview": _str(last.get("content"))[:300],
        "tags": [str(label) for label in labels if isinstance(label, str)][:50],
        "created_at": timestamp(conversation.get("created_at")),
        "updated_at": timestamp(conversation.get("updated_at")),
        "last_message_at": timestamp(last.get("created_at")) or timestamp(conversation.get("last_activity_at")),
        "waiting_since": timestamp(conversation.get("waiting_since")) if status == "open" else None,
        "first_response_at": timestamp(conversation.get("first_reply_created_at")),
    }


def is_activity(message: dict[str, Any]) -> bool:
    return number(message.get("message_type")) == ACTIVITY


def message_record(message: dict[str, Any], conversation_id: str) -> dict[str, Any] | None:
    """A Chatwoot message as ours; None for an activity message ("Assigned to … by …": Chatwoot's
    own wording of a change the conversation's fields already show) or one without an id."""
    kind_number = number(message.get("message_type"))
    if number(message.get("id")) is None or kind_number is None or kind_number == ACTIVITY:
        return None
    created = timestamp(message.get("created_at"))
    if created is None:
        return None
    sender = _dict(message.get("sender"))
    sender_type = message.get("sender_type") or sender.get("type")
    incoming = kind_number == INCOMING
    private = message.get("private") is True
    author = None
    if str(sender_type).lower() == "user":
        author = agent_id(message.get("sender_id") or sender.get("id"))
    name = _str(sender.get("available_name")) or _str(sender.get("name"))
    return {
        "conversation_id": str(conversation_id), "kind": "note" if private else "reply",
        "direction": "in" if incoming and not private else "out",
        "body": _str(message.get("content")), "created_at": created, "version": 1,
        "author_id": None if incoming else author, "author_name": name[:200],
        **files_and_html(message),
    }


_TYPE_OF_KIND = {"image": "image/", "audio": "audio/", "video": "video/"}


def attachment_record(item: Any) -> dict[str, Any] | None:
    """One of a message's `attachments` (Attachment#push_event_data) as the domain's. Chatwoot
    sends no file name: it is the last part of `data_url` (ActiveStorage names the blob after the
    file), else "attachment-<id>.<extension>"; the type from the name, else from `file_type`."""
    if not isinstance(item, dict) or number(item.get("id")) is None:
        return None
    url = _str(item.get("data_url"))
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1]) if url else ""
    extension = _str(item.get("extension")).lower().lstrip(".")
    if not name or "." not in name:
        name = f"attachment-{item['id']}" + (f".{extension}" if extension else "")
    content_type = mimetypes.guess_type(name)[0] or ""
    kind = _str(item.get("file_type")).lower()
    if not content_type and kind in _TYPE_OF_KIND and extension:
        content_type = _TYPE_OF_KIND[kind] + ("jpeg" if extension == "jpg" else extension)
    size = number(item.get("file_size"))
    return {"id": str(item["id"]), "name": name[:1000], "size": size if size is not None and size >= 0 else 0,
            "content_type": (content_type or "application/octet-stream").lower()[:200], "sha256": "",
            "content_id": "", "inline": False}


def files_and_html(message: dict[str, Any]) -> dict[str, Any]:
    """The message's files, and an incoming e-mail's HTML as Chatwoot keeps it."""
    found: dict[str, Any] = {}
    files = [a for a in (attachment_record(i) for i in message.get("attachments") or ()) if a is not None]
    if files:
        found["attachments"] = files
    email = _dict(_dict(message.get("content_attributes")).get("email"))
    html = _str(_dict(email.get("html_content")).get("full"))
    if html:
        found["body_html"] = html
    return found


def file_names(message: dict[str, Any]) -> list[tuple[str, int]]:
    return sorted((a["name"], a["size"]) for a in files_and_html(message).get("attachments", ()))


def data_url(message: dict[str, Any], attachment_id: str) -> str:
    """Where the message's attachment `attachment_id` is kept ("" when the message has no such file)."""
    for item in message.get("attachments") or ():
        if isinstance(item, dict) and str(number(item.get("id"))) == attachment_id:
            return _str(item.get("data_url"))
    return ""


def agent_record(agent: dict[str, Any], queue_ids: list[str]) -> dict[str, Any] | None:
    if agent_id(agent.get("id")) is None:
        return None
    email = _str(agent.get("email"))
    name = _str(agent.get("available_name")) or _str(agent.get("name")) or email or f"#{agent['id']}"
    return {"username": (email or name)[:200], "name": name[:200],
            "role": "lead" if agent.get("role") == "administrator" else "agent", "version": 1,
            "queue_ids": queue_ids, "state": AVAILABILITY.get(str(agent.get("availability_status") or ""), "offline")}


def queue_record(team: dict[str, Any]) -> dict[str, Any] | None:
    if queue_id(team.get("id")) is None:
        return None
    return {"name": (_str(team.get("name")) or f"#{team['id']}")[:200], "version": 1,
            "description": _str(team.get("description"))[:2000]}


# -- canned responses as scripts ----------------------------------------------------------------------
# Chatwoot's variables (Liquid, `{{contact.name}}`, `{{ agent.name | default: 'us' }}`) and ours
# (domain.scripts.VARIABLES). One with no equivalent stays as written: the composer shows it as a
# placeholder to fill, never sends it.
VARIABLES_FROM_CHATWOOT = {
    "contact.name": "customer.name", "contact.first_name": "customer.name",
    "contact.company_name": "customer.company", "agent.name": "agent.name", "agent.first_name": "agent.name",
    "conversation.id": "conversation.id", "conversation.display_id": "conversation.id",
    "team.name": "queue.name",
}
VARIABLES_TO_CHATWOOT = {"customer.name": "contact.name", "customer.company": "contact.company_name",
                         "agent.name": "agent.name", "conversation.id": "conversation.id",
                         "queue.name": "team.name"}
_LIQUID = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*(?:\|\s*default:\s*(?:'([^']*)'|\"([^\"]*)\"))?\s*\}\}")
_OURS = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*(?:\|\s*([^{}]*?))?\s*\}\}")
_NOT_SHORTCUT = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]")


def script_body_from_chatwoot(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        ours = VARIABLES_FROM_CHATWOOT.get(match.group(1))
        if ours is None:
            return match.group(0)
        fallback = match.group(2) if match.group(2) is not None else match.group(3)
        return "{{" + ours + (f" | {fallback}" if fallback else "") + "}}"

    return _LIQUID.sub(replace, text)


def script_body_to_chatwoot(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        theirs = VARIABLES_TO_CHATWOOT.get(match.group(1))
        if theirs is None:
            return match.group(0)
        fallback = (match.group(2) or "").strip().replace("'", "’")
        return "{{" + theirs + (f" | default: '{fallback}'" if fallback else "") + "}}"

    return _OURS.sub(replace, text)


def script_record(canned: dict[str, Any]) -> dict[str, Any] | None:
    """A canned response as a shared script: its short code is the title and the shortcut."""
    code = _str(canned.get("short_code")).strip()
    content = _str(canned.get("content"))
    if number(canned.get("id")) is None or not code or not content.strip():
        return None
    return {"title": code[:200], "body": script_body_from_chatwoot(content)[:20_000],
            "shortcut": _NOT_SHORTCUT.sub("_", code)[:32], "category": "general",
            "language": detect_language(content), "scope": "shared", "kind": "text",
            "version": 1, "updated_at": timestamp(canned.get("updated_at"))}


