"""Zendesk Support's records in the domain's wire shape, and our values back in Zendesk's terms.

Pure functions over Support API v2 JSON (no HTTP): the adapter (`zendesk.py`) fetches, these
translate, so the mapping table of docs/backends/zendesk.md is tested without a server.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ..domain.knowledge import detect_language
from ..domain.timeutil import normalise_iso, parse_iso
from .vendor_kit import html_to_text, same_text

# Zendesk's statuses and ours. "hold" (on-hold: waiting for a third party) has no state of ours:
# it shows as pending, and our pending goes back as Zendesk's pending. "deleted" (the export's
# status for a deleted ticket) removes the conversation.
STATUS_FROM_ZENDESK = {"new": "new", "open": "open", "pending": "pending", "hold": "pending",
                       "solved": "resolved", "closed": "closed"}
STATUS_TO_ZENDESK = {"new": "new", "open": "open", "pending": "pending", "resolved": "solved", "closed": "closed"}
PRIORITIES = ("low", "normal", "high", "urgent")   # the same four words on both sides; null → normal
MERGED_TAG = "closed_by_merge"                      # what Zendesk tags a ticket merged into another with
VIP_TAGS = frozenset({"vip"})
KEY_ACCOUNT_TAGS = frozenset({"key_account", "key-account"})
STAFF_ROLES = frozenset({"agent", "admin"})

# via.channel → our channel. Anything unknown counts as web (a form or the API).
CHANNELS = {
    "voice": "phone", "phone": "phone",
    "chat": "chat", "messaging": "chat", "native_messaging": "chat", "web_widget": "chat", "mobile_sdk": "chat",
    "mobile": "chat", "sms": "chat",
    "email": "email",
    "web": "web", "web_form": "web", "web_service": "web", "api": "web", "help_center": "web", "forum": "web",
    "twitter": "social", "facebook": "social", "whatsapp": "social", "instagram_dm": "social", "line": "social",
    "wechat": "social", "telegram": "social", "any_channel": "social", "channel_framework": "social",
    "apple_business_chat": "social", "google_business_messages": "social", "kakaotalk": "social", "viber": "social",
}

# Zendesk placeholders (Liquid) → our script variables (domain.scripts.VARIABLES). A placeholder
# not listed stays as it is: the composer shows it unfilled and refuses to send it unedited.
PLACEHOLDERS = {
    "ticket.requester.name": "customer.name", "ticket.requester.first_name": "customer.name",
    "ticket.requester.last_name": "customer.name",
    "ticket.organization.name": "customer.company", "ticket.requester.organization.name": "customer.company",
    "current_user.name": "agent.name", "current_user.first_name": "agent.name",
    "ticket.assignee.name": "agent.name", "ticket.assignee.first_name": "agent.name",
    "ticket.id": "conversation.id", "ticket.title": "conversation.subject", "ticket.subject": "conversation.subject",
    "ticket.group.name": "queue.name", "ticket.due_date": "sla.due",
}
# Ours back (for writing a script to Zendesk, and to show the table): the first Zendesk name of each.
VARIABLES_TO_ZENDESK: dict[str, str] = {}
for _theirs, _ours in PLACEHOLDERS.items():
    VARIABLES_TO_ZENDESK.setdefault(_ours, _theirs)
VARIABLES_TO_ZENDESK["customer.tier"] = "ticket.requester.tags"   # the nearest thing Zendesk has

_LIQUID = re.compile(r"\{\{\s*([a-z_][a-z0-9_.]*)\s*\}\}", re.IGNORECASE)
_OURS = re.compile(r"\{\{\s*([a-z_][a-z0-9_.]*)\s*(\|[^{}\n]*)?\}\}", re.IGNORECASE)


def status_from_zendesk(value: Any) -> str | None:
    """Ours, or None for a ticket that is gone ("deleted") or a status this build does not know."""
    return STATUS_FROM_ZENDESK.get(str(value or "").lower())


def priority_from_zendesk(value: Any) -> str:
    return value if value in PRIORITIES else "normal"


def channel_from_via(via: Any) -> str:
    channel = via.get("channel") if isinstance(via, dict) else None
    return CHANNELS.get(str(channel or "").lower(), "web")


def script_body_from_zendesk(text: str) -> str:
    """`{{ticket.requester.first_name}}` → `{{customer.name}}`; unknown placeholders unchanged."""
    return _LIQUID.sub(lambda m: "{{" + PLACEHOLDERS[m.group(1).lower()] + "}}"
                       if m.group(1).lower() in PLACEHOLDERS else m.group(0), text)


def script_body_to_zendesk(text: str) -> str:
    """`{{customer.name | 您}}` → `{{ticket.requester.name}}` (Zendesk has no fallbacks)."""
    return _OURS.sub(lambda m: "{{" + VARIABLES_TO_ZENDESK[m.group(1).lower()] + "}}"
                     if m.group(1).lower() in VARIABLES_TO_ZENDESK else m.group(0), text)


def comment_says(comment: dict[str, Any], text: str) -> bool:
    """Whether this comment holds `text` as we sent it. Zendesk keeps it in three forms and renders
    two of them (`plain_body` and `html_body` show formatting and links their own way): any match."""
    for key in ("body", "plain_body"):
        value = comment.get(key)
        if isinstance(value, str) and same_text(value, text):
            return True
    html = comment.get("html_body")
    return isinstance(html, str) and same_text(html_to_text(html), text)


def version_of(updated_at: Any) -> int | None:
    """Our version: the ticket's `updated_at` in Unix seconds (what `safe_update` compares)."""
    if not isinstance(updated_at, str):
        return None
    try:
        return int(parse_iso(updated_at).timestamp())
    except (ValueError, TypeError, OverflowError):
        return None


def iso(value: Any) -> str | None:
    """A Zendesk time in our canonical form; None for a missing or unreadable one (the caller drops
    just that field, or the record where the field is required)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return normalise_iso(value)
    except (ValueError, TypeError, OverflowError):
        return None


def stamp_of(version: int) -> str:
    """The `updated_stamp` for `safe_update`: the version back as Zendesk's ISO time."""
    return datetime.fromtimestamp(int(version), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def user_key(user_id: Any) -> str | None:
    """Our id for a Zendesk user (customer or agent): "u<number>"."""
    found = number(user_id)
    return None if found is None else f"u{found}"


def number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():   # "²".isdigit(), but int() refuses it
        return int(value)
    return None


def tier_of(tags: list[str]) -> str:
    lowered = {t.lower() for t in tags}
    if lowered & VIP_TAGS:
        return "vip"
    if lowered & KEY_ACCOUNT_TAGS:
        return "key_account"
    return "standard"


def _tags(value: Any) -> list[str]:
    return [str(t)[:200] for t in value if isinstance(t, str)][:50] if isinstance(value, list) else []


def is_staff(user: dict[str, Any]) -> bool:
    return str(user.get("role") or "").lower() in STAFF_ROLES


def customer_record(user: dict[str, Any]) -> dict[str, Any] | None:
    """An end user as our customer (None when it has no id)."""
    if number(user.get("id")) is None:
        return None
    email = str(user.get("email") or "").strip()
    phone = str(user.get("phone") or "").strip()
    tags = _tags(user.get("tags"))
    name = str(user.get("name") or "").strip() or email or phone or f"#{user['id']}"
    organization = user.get("organization_id")
    return {
        "name": name[:200], "tier": tier_of(tags), "version": version_of(user.get("updated_at")) or 1,
        "company": f"org {organization}" if number(organization) is not None else "",
        "emails": [email] if email else [], "phones": [phone] if phone else [], "tags": tags,
        "created_at": iso(user.get("created_at")), "updated_at": iso(user.get("updated_at")),
    }


def agent_record(user: dict[str, Any], queue_ids: list[str]) -> dict[str, Any] | None:
    if number(user.get("id")) is None:
        return None
    name = str(user.get("name") or user.get("email") or f"#{user['id']}")
    return {"username": str(user.get("email") or name)[:200], "name": name[:200],
            "role": "lead" if str(user.get("role")) == "admin" else "agent",
            "version": version_of(user.get("updated_at")) or 1, "queue_ids": queue_ids, "state": "offline"}


def queue_record(group: dict[str, Any]) -> dict[str, Any] | None:
    if number(group.get("id")) is None or group.get("deleted") is True:
        return None
    return {"name": str(group.get("name") or f"#{group['id']}")[:200], "version": version_of(group.get("updated_at")) or 1,
            "description": str(group.get("description") or "")[:2000]}


def is_merged_away(ticket: dict[str, Any]) -> bool:
    return str(ticket.get("status")) == "closed" and MERGED_TAG in _tags(ticket.get("tags"))


def conversation_record(ticket: dict[str, Any]) -> dict[str, Any] | None:
    """A ticket as our conversation; None when it is not one (deleted, merged away, unreadable).

    Zendesk's ticket carries no last-comment time or count: `updated_at` stands for the last
    activity and the ticket's description (its first message) for the preview; the figures the
    thread needs come with the messages themselves."""
    status = status_from_zendesk(ticket.get("status"))
    version = version_of(ticket.get("updated_at"))
    requester = user_key(ticket.get("requester_id"))
    if (status is None or version is None or requester is None or number(ticket.get("id")) is None
            or iso(ticket.get("updated_at")) is None):
        return None
    if is_merged_away(ticket):
        return None
    group = number(ticket.get("group_id"))
    assignee = user_key(ticket.get("assignee_id"))
    updated = iso(ticket.get("updated_at"))
    return {
        "channel": channel_from_via(ticket.get("via")),
        "status": status,
        "priority": priority_from_zendesk(ticket.get("priority")),
        "customer_id": requester,
        "version": version,
        "queue_id": str(group) if group is not None else None,
        "assignee_id": assignee,
        "subject": str(ticket.get("subject") or ticket.get("raw_subject") or "")[:1000],
        "preview": str(ticket.get("description") or "")[:300],
        "tags": _tags(ticket.get("tags")),
        "created_at": iso(ticket.get("created_at")),
        "updated_at": updated,
        "last_message_at": updated,
        "waiting_since": updated if status in ("new", "open") else None,
        "resolution_due": iso(ticket.get("due_at")),
        "resolved_at": updated if status in ("resolved", "closed") else None,
    }


def message_record(comment: dict[str, Any], ticket_id: str, staff: set[int],
                   author_name: str = "") -> dict[str, Any] | None:
    """A comment (from the ticket events export or the comments list) as our message: public =
    reply, private = note; written by staff (agent or admin) = out, else in. None when its time is
    unreadable (a message needs one)."""
    created = iso(comment.get("created_at"))
    if created is None:
        return None
    author = number(comment.get("author_id"))
    by_staff = author is not None and author in staff
    body = comment.get("plain_body") or comment.get("body")
    if not isinstance(body, str):
        body = html_to_text(str(comment.get("html_body") or ""))
    return {
        "conversation_id": ticket_id, "kind": "reply" if comment.get("public", True) else "note",
        "direction": "out" if by_staff else "in", "body": body, "created_at": created,
        "version": 1, "author_id": user_key(author) if by_staff else None, "author_name": author_name[:200],
        **files_and_html(comment),
    }


# Zendesk renders every comment as HTML; only markup beyond its paragraph wrapping says the comment
# was written as HTML (bold, a list, a link, a picture): then the app shows it as HTML.
_RICH_TAG = re.compile(r"<(?!/?(?:div|p|br|span)\b)[a-z][^>]*>", re.IGNORECASE)


def attachment_record(item: Any) -> dict[str, Any] | None:
    """A comment's attachment as the domain's (no hash: ""). Zendesk's inline images are referenced
    in the HTML by their URL, not by a Content-ID."""
    if not isinstance(item, dict) or number(item.get("id")) is None or item.get("deleted") is True:
        return None
    size = item.get("size")
    return {"id": str(item["id"]), "name": str(item.get("file_name") or f"attachment-{item['id']}")[:1000],
            "size": size if isinstance(size, int) and size >= 0 else 0,
            "content_type": str(item.get("content_type") or "application/octet-stream").split(";")[0].lower()[:200],
            "sha256": "", "content_id": "", "inline": item.get("inline") is True}


def files_and_html(comment: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    files = [a for a in (attachment_record(i) for i in comment.get("attachments") or ()) if a is not None]
    if files:
        found["attachments"] = files
    html = comment.get("html_body")
    if isinstance(html, str) and _RICH_TAG.search(html):
        found["body_html"] = html
    return found


def file_names(comment: dict[str, Any]) -> list[tuple[str, int]]:
    return sorted((a["name"], a["size"]) for a in files_and_html(comment).get("attachments", ()))


def _macro_body(actions: Any) -> str:
    """The text a macro adds as a comment (`comment_value`, else `comment_value_html` as text)."""
    plain = html = ""
    for action in actions if isinstance(actions, list) else ():
        if not isinstance(action, dict):
            continue
        value = action.get("value")
        if isinstance(value, list):   # ["channel:all", "text"]: the text is the last item
            value = value[-1] if value else ""
        if action.get("field") == "comment_value" and isinstance(value, str):
            plain = value
        elif action.get("field") == "comment_value_html" and isinstance(value, str):
            html = value
    return plain or html_to_text(html)


# Checked in this order ("aftersales" holds "sales").
CATEGORY_WORDS = (("aftersales", ("refund", "return", "aftersales", "售后", "退款", "warranty", "shipping")),
                  ("presales", ("sales", "presales", "售前", "pricing")),
                  ("complaints", ("complaint", "投诉", "escalat")))


def category_of(title: str) -> str:
    lowered = title.lower()
    for category, words in CATEGORY_WORDS:
        if any(word in lowered for word in words):
            return category
    return "general"


def script_record(macro: dict[str, Any]) -> dict[str, Any] | None:
    """An active macro with a comment as our (shared) script; None for one that only sets fields."""
    if number(macro.get("id")) is None or macro.get("active") is False:
        return None
    body = script_body_from_zendesk(_macro_body(macro.get("actions")))
    title = str(macro.get("title") or "").strip()
    if not body.strip() or not title:
        return None
    return {"title": title.replace("::", " / ")[:200], "body": body[:20_000], "category": category_of(title),
            "language": detect_language(title + body), "version": version_of(macro.get("updated_at")) or 1,
            "scope": "shared", "kind": "text", "tags": [], "updated_at": iso(macro.get("updated_at"))}


def faq_record(article: dict[str, Any]) -> dict[str, Any] | None:
    """A published Help Center article as our FAQ article."""
    if number(article.get("id")) is None or article.get("draft") is True:
        return None
    title = str(article.get("title") or "").strip()
    if not title:
        return None
    url = str(article.get("html_url") or "")
    locale = str(article.get("locale") or "").lower()
    return {"title": title[:200], "body": html_to_text(str(article.get("body") or ""))[:200_000],
            "category": category_of(title), "language": "zh" if locale.startswith("zh") else "en",
            "version": version_of(article.get("updated_at")) or 1, "tags": _tags(article.get("label_names")),
            "url": url if url.startswith(("https://", "http://")) else "", "updated_at": iso(article.get("updated_at"))}
