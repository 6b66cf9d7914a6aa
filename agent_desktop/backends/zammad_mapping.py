"""Zammad's records (REST API v1, `expand=true` shapes) in the domain's wire shape, and back.

Pure functions, no HTTP: the adapter (`zammad.py`) fetches, these translate, so the mapping table
of docs/backends/zammad.md is tested without a server. Zammad publishes no OpenAPI document; the
shapes here follow docs.zammad.org ("REST API": tickets, articles, users, states, priorities, text
modules, knowledge base) and Zammad's own source (`attributes_with_association_names`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..domain.knowledge import detect_language
from ..domain.timeutil import parse_iso
from .vendor_kit import html_to_text

# A ticket state's *type* is what it means; its name is the admin's to choose. Zammad's seeded
# states: new, open, pending reminder, pending close (type "pending action"), closed, merged, removed.
STATUS_FROM_STATE_TYPE = {"new": "new", "open": "open", "pending reminder": "pending",
                          "pending action": "resolved", "closed": "closed"}
# What our status is written back as (a state of that type; these are the seeded names).
STATE_TYPE_FOR_STATUS = {"new": "new", "open": "open", "pending": "pending reminder",
                         "resolved": "pending action", "closed": "closed"}
GONE_STATE_TYPES = frozenset({"merged", "removed"})
PENDING_STATE_TYPES = frozenset({"pending reminder", "pending action"})

# Zammad's priorities are named "1 low", "2 normal", "3 high" by default; an admin may add more
# (e.g. "4 urgent"). Read by word first, then by the leading number.
_PRIORITY_WORDS = (("urgent", "urgent"), ("critical", "urgent"), ("emergency", "urgent"), ("very high", "urgent"),
                   ("high", "high"), ("normal", "normal"), ("medium", "normal"), ("low", "low"))
_PRIORITY_NUMBERS = {1: "low", 2: "normal", 3: "high"}

# An article's type (its channel) → our channel.
CHANNEL_OF_TYPE = {"email": "email", "fax": "email", "phone": "phone", "web": "web", "chat": "chat",
                   "sms": "social", "twitter status": "social", "twitter direct-message": "social",
                   "facebook feed post": "social", "facebook feed comment": "social",
                   "facebook direct-message": "social", "telegram personal-message": "social",
                   "whatsapp message": "social"}
SYSTEM_USER_ID = 1   # Zammad's user 1 is the system ("-"): as an owner it means "unassigned"

_CJK = re.compile(r"[\u4e00-\u9fff]")


class BadRecord(ValueError):
    """A Zammad record this adapter cannot read (logged and skipped by the adapter)."""


def version_of(updated_at: Any) -> int:
    """Our integer version from Zammad's `updated_at` (milliseconds since 1970): opaque, compared
    only for equality; Zammad moves `updated_at` on every change of the ticket."""
    if not isinstance(updated_at, str):
        raise BadRecord(f"updated_at is not a time: {updated_at!r:.40}")
    try:
        moment = parse_iso(updated_at)
    except (ValueError, TypeError, OverflowError) as exc:
        raise BadRecord(f"updated_at is not a time: {updated_at!r:.40}") from exc
    return int(moment.timestamp() * 1000)


def iso(value: Any) -> str | None:
    """A Zammad time as ISO-8601, or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parse_iso(value)
    except (ValueError, TypeError, OverflowError):
        return None
    return value


def number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRecord(f"not an id: {value!r:.40}")
    try:
        return int(value)
    except ValueError as exc:
        raise BadRecord(f"not an id: {value!r:.40}") from exc


def user_ref(user_id: Any) -> str | None:
    """Our id for a Zammad user ("u<id>"); None for the system user (unassigned)."""
    if user_id is None:
        return None
    uid = number(user_id)
    return None if uid == SYSTEM_USER_ID else f"u{uid}"


def priority_from_name(name: Any) -> str:
    text = str(name or "").lower()
    for word, ours in _PRIORITY_WORDS:
        if word in text:
            return ours
    found = re.match(r"\s*(\d+)", text)
    if found:
        rank = int(found.group(1))
        return _PRIORITY_NUMBERS.get(rank, "urgent" if rank > 3 else "low")
    return "normal"


@dataclass(frozen=True)
class Vocabulary:
    """The helpdesk's own states and priorities (from /ticket_states and /ticket_priorities)."""

    state_types: dict[int, str]         # state id → its type's name
    state_names: dict[int, str]
    active_states: dict[int, bool]
    priorities: dict[int, str]          # priority id → ours
    priority_default: int | None = None

    @classmethod
    def read(cls, states: list[dict[str, Any]], priorities: list[dict[str, Any]]) -> Vocabulary:
        """`expand=true` records: a state's type is named in `state_type` (else its name is used)."""
        types: dict[int, str] = {}
        names: dict[int, str] = {}
        active: dict[int, bool] = {}
        for state in states:
            try:
                sid = number(state.get("id"))
            except BadRecord:
                continue
            kind = state.get("state_type")
            names[sid] = str(state.get("name") or "")
            types[sid] = str(kind if isinstance(kind, str) and kind else state.get("name") or "").lower()
            active[sid] = bool(state.get("active", True))
        mapped: dict[int, str] = {}
        default = None
        for priority in priorities:
            try:
                pid = number(priority.get("id"))
            except BadRecord:
                continue
            if priority.get("active") is False:
                continue
            mapped[pid] = priority_from_name(priority.get("name"))
            if priority.get("default_create"):
                default = pid
        return cls(types, names, active, mapped, default)

    def status_of(self, ticket: dict[str, Any]) -> str | None:
        """Ours, or None for a ticket that is gone (merged away, removed)."""
        kind = self.state_type_of(ticket)
        if kind in GONE_STATE_TYPES:
            return None
        return STATUS_FROM_STATE_TYPE.get(kind, "open")

    def state_type_of(self, ticket: dict[str, Any]) -> str:
        sid = ticket.get("state_id")
        if sid is not None:
            try:
                found = self.state_types.get(number(sid))
            except BadRecord:
                found = None
            if found:
                return found
        return str(ticket.get("state") or "open").lower()

    def state_for(self, status: str) -> int:
        """The state id our status is written as: an active state of the matching type, the
        seeded name first."""
        kind = STATE_TYPE_FOR_STATUS.get(status)
        if kind is None:
            raise ValueError(f"no Zammad state for {status!r}")
        candidates = sorted(sid for sid, t in self.state_types.items() if t == kind and self.active_states.get(sid, True))
        preferred = {"pending action": "pending close"}.get(kind, kind)
        for sid in candidates:
            if self.state_names.get(sid) == preferred:
                return sid
        if not candidates:
            raise ValueError(f"this Zammad has no active state of type {kind!r}")
        return candidates[0]

    def priority_of(self, ticket: dict[str, Any]) -> str:
        pid = ticket.get("priority_id")
        try:
            found = self.priorities.get(number(pid)) if pid is not None else None
        except BadRecord:
            found = None
        return found or priority_from_name(ticket.get("priority"))

    def priority_for(self, priority: str) -> int:
        """Ours → a priority id. Zammad has no "urgent" by default: it goes to the highest one
        there is (3 high), unless an admin added an urgent priority."""
        wanted = [priority] + (["high"] if priority == "urgent" else [])
        for ours in wanted:
            found = sorted(pid for pid, p in self.priorities.items() if p == ours)
            if found:
                return found[-1] if ours == "high" else found[0]
        if self.priority_default is not None:
            return self.priority_default
        raise ValueError(f"no Zammad priority for {priority!r}")


def article_body(article: dict[str, Any]) -> str:
    body = article.get("body")
    if not isinstance(body, str):
        return ""
    if "html" in str(article.get("content_type") or "").lower():
        return html_to_text(body)
    return body


def is_shown(article: dict[str, Any]) -> bool:
    """System articles (Zammad's own notices, e.g. "merged into #…") are not messages."""
    return str(article.get("sender") or "").lower() != "system"


def message_record(article: dict[str, Any], ticket_id: str) -> dict[str, Any]:
    """A Zammad article as our message: internal → note; sender Customer → in, Agent → out."""
    sender = str(article.get("sender") or "").lower()
    internal = bool(article.get("internal"))
    created = iso(article.get("created_at"))
    if created is None:
        raise BadRecord("article without created_at")
    direction = "in" if sender == "customer" and not internal else "out"
    author = str(article.get("from") or article.get("created_by") or "").strip()
    parts = author.split(" ")
    if len(parts) == 2 and all(_CJK.search(part) for part in parts):
        # Zammad writes "firstname lastname" (明 李): named as full_name() names the same user.
        author = full_name({"firstname": parts[0], "lastname": parts[1]})
    return {
        "conversation_id": ticket_id, "kind": "note" if internal else "reply", "direction": direction,
        "body": article_body(article), "created_at": created, "version": version_of(article.get("updated_at") or created),
        "author_id": user_ref(article.get("created_by_id")) if direction == "out" else None,
        "author_name": author.strip()[:200],
        **files_and_html(article),
    }


def article_html(article: dict[str, Any]) -> str:
    """The article's body when Zammad keeps it as HTML (shown sanitised by the app), else ""."""
    body = article.get("body")
    return body if isinstance(body, str) and "html" in str(article.get("content_type") or "").lower() else ""


def _size(value: Any) -> int:
    try:   # Zammad's store keeps the size as a string ("2569")
        return max(0, int(str(value).strip()))
    except (TypeError, ValueError):
        return 0


def attachment_record(item: Any) -> dict[str, Any] | None:
    """One of an article's `attachments` as the domain's attachment (hash unknown: ""). The copy of
    an e-mail's original HTML that Zammad keeps beside the body (`original-format`) is not a file
    the customer sent; it is left out."""
    if not isinstance(item, dict) or item.get("id") is None:
        return None
    found = item.get("preferences")
    prefs: dict[str, Any] = found if isinstance(found, dict) else {}
    if prefs.get("original-format") in (True, "true"):
        return None
    content_type = str(prefs.get("Content-Type") or prefs.get("Mime-Type") or "application/octet-stream")
    content_id = str(prefs.get("Content-ID") or "").strip().strip("<>")
    disposition = str(prefs.get("Content-Disposition") or "").lower()
    name = str(item.get("filename") or "").strip() or f"attachment-{item['id']}"
    return {"id": str(item["id"]), "name": name[:1000], "size": _size(item.get("size")),
            "content_type": content_type.split(";")[0].strip().lower()[:200], "sha256": "",
            "content_id": content_id[:500], "inline": bool(content_id) and disposition.startswith("inline")}


def files_and_html(article: dict[str, Any]) -> dict[str, Any]:
    """The message's `attachments` and `body_html`, present only when there are some."""
    found: dict[str, Any] = {}
    files = [a for a in (attachment_record(i) for i in article.get("attachments") or ()) if a is not None]
    if files:
        found["attachments"] = files
    html = article_html(article)
    if html:
        found["body_html"] = html
    return found


def file_names(article: dict[str, Any]) -> list[tuple[str, int]]:
    """(name, size) of the article's files: how our earlier write with files is recognised."""
    return sorted((a["name"], a["size"]) for a in files_and_html(article).get("attachments", ()))


def channel_of(ticket: dict[str, Any], articles: list[dict[str, Any]]) -> str:
    """The ticket's channel: how it was created, else its first article's type that says one."""
    kinds = [ticket.get("create_article_type")] + [a.get("type") for a in articles]
    for kind in kinds:
        found = CHANNEL_OF_TYPE.get(str(kind or "").lower())
        if found:
            return found
    return "email"


def conversation_record(ticket: dict[str, Any], articles: list[dict[str, Any]], tags: list[str],
                        vocabulary: Vocabulary) -> dict[str, Any]:
    """A Zammad ticket (not merged or removed) with its articles (oldest first) and tags."""
    status = vocabulary.status_of(ticket) or "closed"
    shown = [a for a in articles if is_shown(a)]
    public = [a for a in shown if not a.get("internal")]
    first_response = next((iso(a.get("created_at")) for a in public if str(a.get("sender")).lower() == "agent"), None)
    waiting = None
    for article in public:
        if str(article.get("sender")).lower() == "customer":
            waiting = waiting or iso(article.get("created_at"))
        else:
            waiting = None
    customer = user_ref(ticket.get("customer_id"))
    group = ticket.get("group_id")
    return {
        "channel": channel_of(ticket, articles),
        "status": status,
        "priority": vocabulary.priority_of(ticket),
        "customer_id": customer or "u-none",
        "version": version_of(ticket.get("updated_at")),
        "queue_id": str(number(group)) if group is not None else None,
        "assignee_id": user_ref(ticket.get("owner_id")),
        "subject": str(ticket.get("title") or "")[:1000],
        "preview": article_body(public[-1])[:300] if public else "",
        "tags": [str(t)[:200] for t in tags if isinstance(t, str)][:50],
        "created_at": iso(ticket.get("created_at")),
        "updated_at": iso(ticket.get("updated_at")),
        "last_message_at": iso(shown[-1].get("created_at")) if shown else iso(ticket.get("last_contact_at")),
        "waiting_since": waiting if status in ("new", "open") else None,
        "first_response_at": iso(ticket.get("first_response_at")) or first_response,
        "first_response_due": iso(ticket.get("first_response_escalation_at")),
        "resolution_due": iso(ticket.get("close_escalation_at")),
        "message_count": len(shown),
        "resolved_at": iso(ticket.get("close_at")) if status in ("resolved", "closed") else None,
    }


def full_name(user: dict[str, Any]) -> str:
    first, last = str(user.get("firstname") or "").strip(), str(user.get("lastname") or "").strip()
    if _CJK.search(first + last):   # 王 + 小明: Chinese names run together, family name first as typed
        return (last + first) if last and first and _CJK.search(last) and len(last) <= 2 else (first + last)
    return " ".join(part for part in (first, last) if part)


def customer_record(user: dict[str, Any], organization: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Zammad user (a customer) as ours. The user's VIP flag, or their organisation's, is tier vip."""
    email = str(user.get("email") or "").strip()
    name = full_name(user) or str(user.get("login") or "").strip() or email or f"#{user.get('id')}"
    phones = [str(user[key]).strip() for key in ("phone", "mobile")
              if isinstance(user.get(key), str) and user[key].strip()]
    company = user.get("organization") if isinstance(user.get("organization"), str) else ""
    if organization and not company:
        company = str(organization.get("name") or "")
    vip = bool(user.get("vip")) or bool(organization and organization.get("vip"))
    return {
        "name": name[:200], "tier": "vip" if vip else "standard", "version": version_of(user.get("updated_at")),
        "company": str(company or "")[:200], "emails": [email] if email else [], "phones": phones[:5],
        "created_at": iso(user.get("created_at")), "updated_at": iso(user.get("updated_at")),
    }


def agent_record(user: dict[str, Any], queue_ids: list[str]) -> dict[str, Any]:
    login = str(user.get("login") or user.get("email") or user.get("id"))
    return {"username": login[:200], "name": (full_name(user) or login)[:200], "role": "agent",
            "version": version_of(user.get("updated_at")), "queue_ids": queue_ids, "state": "offline"}


def queue_record(group: dict[str, Any]) -> dict[str, Any]:
    name = str(group.get("name") or f"#{group.get('id')}")
    return {"name": name[:200], "version": version_of(group.get("updated_at")),
            "description": str(group.get("note") or "")[:2000]}


def is_agent(user: dict[str, Any]) -> bool:
    roles = user.get("roles")
    if isinstance(roles, list) and any(str(r).lower() in ("agent", "admin") for r in roles):
        return True
    permissions = user.get("permissions")
    return isinstance(permissions, list) and any(str(p).startswith("ticket.agent") for p in permissions)


# -- text modules ↔ scripts ------------------------------------------------------------------------
# Zammad's `#{object.attribute}` placeholders → ours (`{{…}}`, domain/scripts.py VARIABLES). Our
# customer has one name, so first name and full name both become `customer.name`.
VARIABLES_FROM_ZAMMAD = {
    "ticket.customer.firstname": "customer.name", "ticket.customer.lastname": "customer.name",
    "ticket.customer.fullname": "customer.name", "ticket.customer.longname": "customer.name",
    "ticket.customer.organization.name": "customer.company", "ticket.organization.name": "customer.company",
    "ticket.id": "conversation.id", "ticket.title": "conversation.subject", "ticket.group.name": "queue.name",
    "ticket.escalation_at": "sla.due", "ticket.close_escalation_at": "sla.due",
    "user.firstname": "agent.name", "user.lastname": "agent.name", "user.fullname": "agent.name",
    "user.longname": "agent.name", "ticket.owner.firstname": "agent.name", "ticket.owner.fullname": "agent.name",
}
VARIABLES_TO_ZAMMAD = {"customer.name": "ticket.customer.fullname", "customer.company": "ticket.organization.name",
                       "conversation.id": "ticket.id", "conversation.subject": "ticket.title",
                       "queue.name": "ticket.group.name", "sla.due": "ticket.escalation_at",
                       "agent.name": "user.fullname"}
_ZAMMAD_VARIABLE = re.compile(r"#\{\s*([A-Za-z0-9_.]{1,120})\s*(?:\|[^}]*)?\}")
_OUR_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.]{1,120})\s*(?:\|[^}]*)?\}\}")


def variables_from_zammad(text: str) -> str:
    """`#{ticket.customer.firstname}` → `{{customer.name}}`. One we cannot fill (`#{ticket.number}`:
    our conversation id is Zammad's ticket id, not its number) stays a `{{ticket.number}}`
    placeholder, which the composer makes the agent fill before sending."""
    return _ZAMMAD_VARIABLE.sub(lambda m: "{{" + VARIABLES_FROM_ZAMMAD.get(m.group(1), m.group(1)) + "}}", text)


def variables_to_zammad(text: str) -> str:
    return _OUR_VARIABLE.sub(lambda m: "#{" + VARIABLES_TO_ZAMMAD.get(m.group(1), m.group(1)) + "}", text)


def language_of(*texts: str) -> str:
    return detect_language(" ".join(t or "" for t in texts))


_SHORTCUT_CHARS = re.compile(r"[^0-9A-Za-z_\-\u4e00-\u9fff]")


def script_record(module: dict[str, Any]) -> dict[str, Any] | None:
    """A text module as a shared script; an inactive one is None (removed from the cache)."""
    if module.get("active") is False:
        return None
    title = str(module.get("name") or "").strip()
    if not title:
        raise BadRecord("text module without a name")
    body = variables_from_zammad(html_to_text(str(module.get("content") or "")))
    keywords = [k.strip() for k in re.split(r"[,\s]+", str(module.get("keywords") or "")) if k.strip()]
    shortcut = _SHORTCUT_CHARS.sub("", keywords[0])[:32] if keywords else ""
    return {"title": title[:200], "body": body[:20_000], "category": "general", "language": language_of(title, body),
            "version": version_of(module.get("updated_at")), "shortcut": shortcut,
            "tags": [k[:200] for k in keywords][:50], "scope": "shared", "kind": "text",
            "updated_at": iso(module.get("updated_at"))}


def faq_records(assets: dict[str, Any], base_url: str) -> dict[str, dict[str, Any]]:
    """Knowledge-base answers (from `POST /knowledge_bases/init` assets) as FAQ articles, one per
    answer translation: id "kb<translation id>". Archived answers and drafts are left out."""
    answers, translations, contents, locales, categories = (_dict(assets.get(key)) for key in (
        "KnowledgeBaseAnswer", "KnowledgeBaseAnswerTranslation", "KnowledgeBaseAnswerTranslationContent",
        "KnowledgeBaseLocale", "KnowledgeBaseCategoryTranslation"))
    found: dict[str, dict[str, Any]] = {}
    for tid, translation in translations.items():
        if not isinstance(translation, dict):
            continue
        answer = answers.get(str(translation.get("answer_id")))
        if not isinstance(answer, dict) or answer.get("archived_at") or not (
                answer.get("published_at") or answer.get("internal_at")):
            continue
        title = str(translation.get("title") or "").strip()
        content = contents.get(str(translation.get("content_id"))) or {}
        body = html_to_text(str(content.get("body") or "")) if isinstance(content, dict) else ""
        if not title:
            continue
        system_locale = _locale_name(assets, locales.get(str(translation.get("kb_locale_id"))))
        language = "zh" if system_locale.lower().startswith("zh") else language_of(title, body)
        updated = translation.get("updated_at") or answer.get("updated_at")
        if iso(updated) is None:
            continue   # no readable time, no version: this answer is left out, the others land
        listed = answer.get("tags")
        tags = [str(t)[:200] for t in listed if isinstance(t, str)][:50] if isinstance(listed, list) else []
        category = _category_name(categories, answer.get("category_id"))
        found[f"kb{tid}"] = {
            "title": title[:200], "body": body[:200_000], "category": "general", "language": language,
            "version": version_of(updated), "tags": ([category] if category else []) + tags,
            "url": f"{base_url}/#knowledge_base/{_kb_of(assets, answer.get('category_id'))}/locale/"
                   f"{system_locale or 'en-us'}/answer/{answer.get('id')}",
            "updated_at": iso(updated),
        }
    return found


def _dict(value: Any) -> dict[str, Any]:
    """Zammad's id-keyed assets as a dict; {} for anything else (a list where an object belongs)."""
    return value if isinstance(value, dict) else {}


def _category_name(categories: dict[str, Any], category_id: Any) -> str:
    for item in categories.values():
        if isinstance(item, dict) and str(item.get("category_id")) == str(category_id):
            return str(item.get("title") or "")[:200]
    return ""


def _locale_name(assets: dict[str, Any], kb_locale: Any) -> str:
    """"zh-cn" for a KnowledgeBaseLocale, through its system locale (the `Locale` assets)."""
    if not isinstance(kb_locale, dict):
        return ""
    system = _dict(assets.get("Locale")).get(str(kb_locale.get("system_locale_id")))
    return str(system.get("locale") or "") if isinstance(system, dict) else ""


def _kb_of(assets: dict[str, Any], category_id: Any) -> str:
    category = _dict(assets.get("KnowledgeBaseCategory")).get(str(category_id))
    return str(category.get("knowledge_base_id") or 1) if isinstance(category, dict) else "1"
