"""Request Tracker 5's records in the domain's wire shape, and our values back in RT's terms.

Pure functions over REST2 JSON (no HTTP): the adapter (`rt.py`) fetches, these translate, so
the mapping table of docs/backends/rt.md is tested without a server.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email.parser import HeaderParser
from html import unescape
from typing import Any

# RT's lifecycle statuses and ours (domain.enums.Status). RT's "deleted" is not a state of ours:
# the conversation is removed from the cache. "rejected" (closed without a solution) ↔ closed.
STATUS_FROM_RT = {"new": "new", "open": "open", "stalled": "pending", "resolved": "resolved", "rejected": "closed"}
STATUS_TO_RT = {ours: theirs for theirs, ours in STATUS_FROM_RT.items()}

# RT's numeric priority (0–100 by default) in four bands; ours back as the middle of each band,
# so a round trip lands in the same band whatever number RT held.
PRIORITY_BANDS = ((80, "urgent"), (50, "high"), (20, "normal"), (0, "low"))
PRIORITY_TO_RT = {"low": 10, "normal": 35, "high": 65, "urgent": 90}

CHANNELS = ("phone", "chat", "email", "web", "social")
TIERS = {"vip": "vip", "key_account": "key_account", "key account": "key_account", "standard": "standard"}
MESSAGE_TYPES = ("Create", "Correspond", "Comment")
NOBODY = "Nobody"
SYSTEM_USERS = frozenset({"Nobody", "RT_System"})


def priority_from_rt(value: Any) -> str:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return "normal"
    for low, name in PRIORITY_BANDS:
        if number >= low:
            return name
    return "low"


def ref_id(value: Any) -> str | None:
    """The id of an expanded REST2 reference ({"type": "user", "id": "12", …}) or a bare id."""
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, (int, str)) and str(value).strip():
        return str(value)
    return None


def user_id(value: Any) -> str | None:
    """Our id for an RT user: "u<number>" (RT names users by number or by login name)."""
    found = ref_id(value)
    return f"u{found}" if found else None


def custom_field(ticket: dict[str, Any], name: str) -> str:
    """The first value of the ticket's custom field `name` (case-insensitive), or ""."""
    for entry in ticket.get("CustomFields") or ():
        if isinstance(entry, dict) and str(entry.get("name", "")).lower() == name.lower():
            values = entry.get("values") or []
            if values and isinstance(values[0], str):
                return values[0].strip()
    return ""


@dataclass
class TicketActivity:
    """What a ticket's transactions say about it (the conversation's figures)."""

    version: int = 0                       # the newest transaction's id: REST2's ETag for the ticket
    message_count: int = 0
    last_message_at: str | None = None
    last_message_id: str | None = None
    last_reply_id: str | None = None       # the preview: the last message the customer can see
    first_response_at: str | None = None
    waiting_since: str | None = None
    merged_from: list[str] = field(default_factory=list)


def is_staff(user: Any, requestor_ids: set[str]) -> bool:
    """A transaction's creator writes for the helpdesk unless they are one of the ticket's
    requestors. (REST2 does not show a user's "privileged" flag in searches, so a Cc from the
    customer's side counts as the helpdesk: RT's own web UI draws the same line.)"""
    return ref_id(user) not in requestor_ids


def activity(txns: list[dict[str, Any]], requestor_ids: set[str], ticket_id: str) -> TicketActivity:
    """Fold a ticket's transactions (oldest first) into its figures."""
    found = TicketActivity()
    for txn in sorted(txns, key=lambda t: int(t.get("id", 0))):
        number = int(txn.get("id", 0))
        found.version = max(found.version, number)
        kind = txn.get("Type")
        if str(txn.get("ObjectId", ticket_id)) != ticket_id and str(txn.get("ObjectId")) not in found.merged_from:
            found.merged_from.append(str(txn.get("ObjectId")))
        if kind not in MESSAGE_TYPES:
            continue
        found.message_count += 1
        created = txn.get("Created")
        found.last_message_at = created
        found.last_message_id = str(number)
        if kind == "Comment":
            continue
        found.last_reply_id = str(number)
        if is_staff(txn.get("Creator"), requestor_ids):
            found.waiting_since = None
            if found.first_response_at is None and kind == "Correspond":
                found.first_response_at = created
        elif found.waiting_since is None:
            found.waiting_since = created
    return found


def customer_record(user: dict[str, Any], tier: str = "") -> dict[str, Any] | None:
    """An RT user (a requestor) as our customer."""
    uid = ref_id(user)
    if uid is None:
        return None
    email = str(user.get("EmailAddress") or "").strip()
    name = str(user.get("RealName") or "").strip() or str(user.get("Name") or "").strip() or email or f"#{uid}"
    phones = [str(user[key]).strip() for key in ("MobilePhone", "WorkPhone", "HomePhone")
              if isinstance(user.get(key), str) and user[key].strip()]
    return {
        "name": name[:200], "tier": TIERS.get(tier.lower(), "standard"), "version": 1,
        "company": str(user.get("Organization") or "")[:200],
        "emails": [email] if email else [], "phones": phones[:5],
    }


def conversation_record(ticket: dict[str, Any], act: TicketActivity, preview: str) -> dict[str, Any]:
    """An RT ticket as our conversation (status already known not to be "deleted")."""
    requestors = [r for r in ticket.get("Requestor") or () if isinstance(r, dict)]
    customer = user_id(requestors[0]) if requestors else None
    owner = ticket.get("Owner")
    owner_name = owner.get("Name") if isinstance(owner, dict) else None
    owner_id = user_id(owner) if owner_name not in SYSTEM_USERS and ref_id(owner) is not None else None
    channel = custom_field(ticket, "Channel").lower()
    status = STATUS_FROM_RT.get(str(ticket.get("Status", "")).lower(), "open")
    due = ticket.get("Due")
    return {
        "channel": channel if channel in CHANNELS else "email",
        "status": status,
        "priority": priority_from_rt(ticket.get("Priority")),
        "customer_id": customer or "u-none",
        "version": act.version,
        "queue_id": ref_id(ticket.get("Queue")),
        "assignee_id": owner_id,
        "subject": str(ticket.get("Subject") or "")[:1000],
        "preview": preview[:300],
        "tags": [],
        "created_at": ticket.get("Created"),
        "updated_at": ticket.get("LastUpdated"),
        "last_message_at": act.last_message_at,
        "waiting_since": act.waiting_since if status in ("new", "open") else None,
        "first_response_at": act.first_response_at,
        "resolution_due": due if isinstance(due, str) and not due.startswith("1970") else None,
        "message_count": act.message_count,
        "resolved_at": ticket.get("Resolved") if status in ("resolved", "closed") else None,
    }


def message_record(txn: dict[str, Any], ticket_id: str, body: str, requestor_ids: set[str],
                   parts: MessageParts | None = None) -> dict[str, Any]:
    creator = txn.get("Creator")
    name = ""
    if isinstance(creator, dict):
        name = str(creator.get("RealName") or creator.get("Name") or "")
    kind = "note" if txn.get("Type") == "Comment" else "reply"
    staff = is_staff(creator, requestor_ids) or kind == "note"
    return {
        "conversation_id": ticket_id, "kind": kind, "direction": "out" if staff else "in",
        "body": body, "created_at": txn.get("Created"), "version": 1,
        "author_id": user_id(creator) if staff else None, "author_name": name[:200],
        **(parts.wire() if parts is not None else {}),
    }


def agent_record(user: dict[str, Any], queue_ids: list[str]) -> dict[str, Any] | None:
    uid = ref_id(user)
    if uid is None:
        return None
    login = str(user.get("Name") or uid)
    return {"username": login[:200], "name": (str(user.get("RealName") or "") or login)[:200], "role": "agent",
            "version": 1, "queue_ids": queue_ids, "state": "offline"}


def queue_record(queue: dict[str, Any]) -> dict[str, Any] | None:
    if ref_id(queue) is None:
        return None
    name = str(queue.get("Name") or f"#{ref_id(queue)}")
    return {"name": name[:200], "version": 1, "description": str(queue.get("Description") or "")[:2000]}


_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")


def same_text(a: str, b: str) -> bool:
    """Bodies compared as RT keeps them (it may change line ends and trailing space)."""
    return _SPACE.sub(" ", a).strip() == _SPACE.sub(" ", b).strip()


def body_of(attachments: list[dict[str, Any]]) -> str:
    """A transaction's text: its first text/plain part, else its first text/html part as text."""
    plain = [a for a in attachments if str(a.get("ContentType", "")).lower().startswith("text/plain")]
    if plain:
        return str(plain[0].get("Content") or "")
    html = [a for a in attachments if str(a.get("ContentType", "")).lower().startswith("text/html")]
    if html:
        return html_as_text(str(html[0].get("Content") or ""))
    return ""


# -- a transaction's MIME parts: the message's own text and HTML, and its files ----------------------

BODY_TYPES = ("text/plain", "text/html")


@dataclass(frozen=True)
class MessageParts:
    """What a transaction's attachments (RT's name for every MIME part) hold for us."""

    body: str = ""
    body_html: str = ""
    attachments: tuple[dict[str, Any], ...] = ()

    def wire(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.attachments:
            found["attachments"] = list(self.attachments)
        if self.body_html:
            found["body_html"] = self.body_html
        return found

    def files(self) -> list[tuple[str, int]]:
        """(name, size) of each file, in order: how an earlier attempt of ours is recognised."""
        return sorted((str(a["name"]), int(a["size"])) for a in self.attachments)


def _headers(part: dict[str, Any]) -> Any:
    return HeaderParser().parsestr(str(part.get("Headers") or ""))


def _is_body_part(part: dict[str, Any], headers: Any) -> bool:
    """The message's own text: a text/plain or text/html part without a file name that is not
    marked as an attachment (a named text part is a file the sender attached)."""
    content_type = str(part.get("ContentType") or "").lower()
    disposition = str(headers.get("Content-Disposition") or "").lower()
    return content_type in BODY_TYPES and not part.get("Filename") and not disposition.startswith("attachment")


def _size(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def file_record(part: dict[str, Any], headers: Any) -> dict[str, Any]:
    """A file part as the domain's attachment (`domain.attachments.parse_attachment`'s shape). RT
    does not keep a hash: `sha256` stays "" (the download computes one)."""
    content_type = str(part.get("ContentType") or "application/octet-stream").lower()
    name = str(part.get("Filename") or "").strip()
    if not name:   # a pasted picture or a part sent without a name: named after its id and type
        name = f"attachment-{part['id']}{mimetypes.guess_extension(content_type) or ''}"
    content_id = str(headers.get("Content-ID") or "").strip().strip("<>")
    disposition = str(headers.get("Content-Disposition") or "").lower()
    return {"id": str(part["id"]), "name": name[:1000], "size": _size(part.get("ContentLength")),
            "content_type": content_type[:200], "sha256": "", "content_id": content_id[:500],
            "inline": bool(content_id) and not disposition.startswith("attachment")}


def message_parts(parts: list[dict[str, Any]], texts: dict[str, str]) -> MessageParts:
    """A transaction's parts (metadata, oldest first) and the content of its body parts (`texts`,
    by part id) as the message's text, HTML and files. Containers (multipart/*) hold nothing."""
    plain = html = None
    files: list[dict[str, Any]] = []
    for part in sorted(parts, key=lambda p: int(p.get("id", 0))):
        content_type = str(part.get("ContentType") or "").lower()
        if content_type.startswith("multipart/"):
            continue
        headers = _headers(part)
        if _is_body_part(part, headers):
            text = texts.get(str(part.get("id")), "")
            if content_type == "text/plain" and plain is None:
                plain = text
            elif content_type == "text/html" and html is None:
                html = text
            continue
        files.append(file_record(part, headers))
    body = plain if plain is not None else (html_as_text(html) if html else "")
    return MessageParts(body=body, body_html=html or "", attachments=tuple(files))


def html_as_text(html: str) -> str:
    # Shown as text: the thread never renders a vendor's markup (nor fetches what it links).
    return unescape(_TAG.sub(" ", html)).strip()


def rt_file_name(name: str) -> str:
    """A file name as RT 5.0.3's REST2 must receive it: its UTF-8 bytes, one JSON character each.
    (MIME-tools cannot write a header holding wide characters: RT answers 500; given the bytes, it
    stores the name and serves it back as the right characters.)"""
    return name.encode("utf-8").decode("latin-1")
